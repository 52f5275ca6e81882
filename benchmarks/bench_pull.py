"""Pulling an image from the local registry (through the engine's registry mirror) with
progress shown: ``lab.pull()`` (text progress) and the ``PullProgress`` widget against
``docker pull``. Target: at most 1.1x the CLI.

    .venv/bin/python benchmarks/bench_pull.py            # 7 runs of each (medians)
    .venv/bin/python benchmarks/bench_pull.py --quick    # smoke: one run

The image is a stand-in of the benchmark's own, ``benchpull`` (two layers of random
bytes, 2 MiB in all, built FROM scratch so it shares no layer with the lesson images),
pushed once to the registry at 127.0.0.1:5000 as ``library/benchpull``. Each run pulls
``benchpull`` by its short name, as a learner types it (the engine asks its mirror), and
the image is removed again between runs, untimed. The lesson images are never touched.
"""
from __future__ import annotations

import io
import os
import sys
import tempfile
import time

import _common as C

REGISTRY = os.environ.get("DOCKERLAB_BENCH_REGISTRY", "127.0.0.1:5000")
IMAGE = "benchpull"


def ensure_image() -> None:
    """Build and push ``library/benchpull`` to the local registry, unless it is there already."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://{REGISTRY}/v2/library/{IMAGE}/tags/list", timeout=5) as r:
            if b'"latest"' in r.read():
                return
    except Exception:
        pass
    remote = f"{REGISTRY}/library/{IMAGE}:latest"
    with tempfile.TemporaryDirectory() as d:
        for i in (1, 2):
            with open(os.path.join(d, f"payload{i}"), "wb") as f:
                f.write(os.urandom(1 << 20))
        with open(os.path.join(d, "Dockerfile"), "w") as f:
            f.write("FROM scratch\nCOPY payload1 /payload1\nCOPY payload2 /payload2\n"
                    'LABEL org.dockerlab.standin="benchmark"\nCMD ["/payload1"]\n')
        C.cli("build", "-q", "-t", remote, d)
    C.cli("push", remote)
    C.cli("rmi", remote)


def remove_local() -> None:
    C.cli("rmi", f"{IMAGE}:latest", check=False)


def main(argv=None) -> int:
    p = C.parser(__doc__, runs=7)
    a = p.parse_args(argv)
    runs = 1 if a.quick else a.runs
    tag = C.run_id()
    lab = C.connect(f"bench{tag}")
    report = C.Report(f"pull via the registry mirror: lab.pull / PullProgress vs docker pull "
                      f"(docker CLI {C.cli_version()}, median of {runs})", quick=a.quick)
    try:
        ensure_image()
        from dockerlab.lab import Lab
        from dockerlab.widgets import PullProgress

        shown = io.StringIO()
        loud = Lab(lab.engine, lesson="benchmark", owner=lab.owner, session=lab.session, show_cli=True, out=shown)
        widget = PullProgress(lab, IMAGE)
        kit, wid, cli = [], [], []

        def pull_kit():
            loud.pull(IMAGE)

        def pull_widget():
            if widget.pull() is None:
                raise SystemExit(f"bench_pull: the widget failed: {widget.error}")

        def pull_cli():
            C.cli("pull", IMAGE)

        remove_local()
        for fn in (pull_kit, pull_widget, pull_cli) if not a.quick else ():  # warm up (imports); not timed
            fn()
            remove_local()
        paths = [(pull_kit, kit), (pull_widget, wid), (pull_cli, cli)]
        for r in range(runs):
            for fn, out in (paths if r % 2 == 0 else paths[::-1]):
                time.sleep(0.2)
                t, _ = C.timed(fn)
                out.append(t)
                remove_local()  # untimed
        report.add("lab.pull (text progress)", kit, cli, 1.1)
        report.add("PullProgress.pull() (bars)", wid, cli, 1.1)
        report.note(f"kit runs {C.runs_ms(kit)}; widget runs {C.runs_ms(wid)}; CLI runs {C.runs_ms(cli)}")
        report.note(f"the widget drew {len(widget.layers)} layer bars from {len(widget.events)} progress events "
                    f"in its last pull; the text progress ended with: {shown.getvalue().strip().splitlines()[-1]!r}")
    finally:
        remove_local()
        C.reap(lab)
    report.print()
    report.dump(a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
