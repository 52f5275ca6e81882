"""Starting a detached container: ``lab.run(..., detach=True)`` and the launcher widget's
code path (``Launcher.launch()``) against ``docker run -d``. Target: at most 1.0x the CLI.

    .venv/bin/python benchmarks/bench_run.py            # 7 runs of each (medians)
    .venv/bin/python benchmarks/bench_run.py --quick    # smoke: one run

Each run starts ``alpine sleep 3600`` under a fresh name and is timed until the call
returns (the CLI prints the id when the engine has started the container; the lab
returns the started Container). Containers are removed between runs, untimed. The
Engine API calls each path makes are listed (the kit's from ``lab.api_calls()``).
"""
from __future__ import annotations

import sys
import time

import _common as C


def main(argv=None) -> int:
    p = C.parser(__doc__, runs=7)
    a = p.parse_args(argv)
    runs = 1 if a.quick else a.runs
    tag = C.run_id()
    lab = C.connect(f"bench{tag}")
    report = C.Report(f"run -d: lab.run(detach=True) and the launcher vs docker run -d "
                      f"(docker CLI {C.cli_version()}, median of {runs})", quick=a.quick)
    try:
        from dockerlab.widgets import Launcher

        launcher = Launcher(lab, image="alpine", command="sleep 3600", detach=True, images=["alpine"])
        kit, wid, cli = [], [], []
        k = 0

        def name():
            nonlocal k
            k += 1
            return f"{C.PREFIX}run{tag}-{k:03d}"

        def run_kit():
            return lab.run("alpine", "sleep 3600", name=name(), detach=True)

        def run_widget():
            launcher.name = name()
            res = launcher.launch()
            if res is None:
                raise SystemExit(f"bench_run: the launcher failed: {launcher.error}")
            return res

        def run_cli():
            n = name()
            C.cli("run", "-d", "--name", n, "--label", f"org.dockerlab.session={lab.session}", "alpine",
                  "sleep", "3600")
            return n

        # warm up each path once (imports, connection pool, the lab's NCPU cache); not timed
        if not a.quick:
            for fn in (run_kit, run_widget, run_cli):
                fn()
            C.reap(lab)
        paths = [("kit", run_kit, kit), ("launcher", run_widget, wid), ("cli", run_cli, cli)]
        for r in range(runs):
            for who, fn, out in (paths if r % 2 == 0 else paths[::-1]):
                time.sleep(0.2)
                t, _ = C.timed(fn)
                out.append(t)
            C.reap(lab)  # untimed
        with lab.api_calls() as trace:
            run_kit()
        calls = ", ".join(f"{m} {C_path(pth)}" for m, pth, _ in trace.calls)
        report.add("lab.run(detach=True)", kit, cli, 1.0)
        report.add("Launcher.launch() (detached)", wid, cli, 1.0)
        report.note(f"kit runs {C.runs_ms(kit)}; launcher runs {C.runs_ms(wid)}; CLI runs {C.runs_ms(cli)}")
        report.note(f"the lab's Engine API calls for one run: {calls}")
        report.note("the CLI's: HEAD /_ping, POST /containers/create, POST /containers/{id}/start "
                    "(plus starting the docker process itself)")
    finally:
        C.reap(lab)
    report.print()
    report.dump(a.json)
    return 0


def C_path(path: str) -> str:
    import re

    path = re.sub(r"^/v\d+\.\d+", "", path.split("?")[0])
    return re.sub(r"[0-9a-f]{64}", "{id}", path)


if __name__ == "__main__":
    sys.exit(main())
