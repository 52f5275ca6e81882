"""A Compose app up and down: ``lab.compose(folder).up()`` / ``.down()`` against ``docker compose up -d`` /
``down``, on lesson 14's app (a page and its store). Target: at most 1.5x the CLI each.

    .venv/bin/python benchmarks/bench_compose.py            # 5 runs of each (medians)
    .venv/bin/python benchmarks/bench_compose.py --quick    # smoke: one run

The kit does more than the CLI for each command, and this measures what that costs: it first asks
Compose for the project as Compose reads it (``docker compose config --format json``), checks that
model as ``lab.run`` is checked, labels it, and runs Compose on the checked model. Each side runs on
a copy of the app in a folder of its own (so two projects, never the same containers); the kit's
``up`` waits until the containers run (``--wait``), so the CLI's does too.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import _common as C

APP = Path(__file__).resolve().parents[1] / "notebooks" / "nb14-app"


def main(argv=None) -> int:
    p = C.parser(__doc__, runs=5)
    a = p.parse_args(argv)
    runs = 1 if a.quick else a.runs
    tag = C.run_id()
    lab = C.connect(f"bench{tag}")
    report = C.Report(f"compose: lab.compose(...).up()/down() vs docker compose up -d --wait/down "
                      f"(docker CLI {C.cli_version()}, median of {runs})", quick=a.quick)
    where = Path(tempfile.mkdtemp(prefix="dockerlab-bench-compose-"))
    kit_dir, cli_dir = where / f"{C.PREFIX}kit{tag}", where / f"{C.PREFIX}cli{tag}"
    for d in (kit_dir, cli_dir):
        shutil.copytree(APP, d)
    lab._cwd = str(where)
    app = lab.compose(kit_dir.name)
    cli_args = ["compose", "--project-directory", str(cli_dir), "-f", str(cli_dir / "compose.yaml")]
    ups, downs, cli_ups, cli_downs = [], [], [], []
    try:
        lab.build(str(APP / "web"), tag="nb14/counter:v1", quiet=True)  # the image both use; untimed
        paths = [("kit", lambda: app.up(), lambda: app.down(volumes=True), ups, downs),
                 ("cli", lambda: C.cli(*cli_args, "up", "-d", "--wait"),
                  lambda: C.cli(*cli_args, "down", "-v"), cli_ups, cli_downs)]
        if not a.quick:  # warm up each path once (imports, the plugin's own start); not timed
            for _, up, down, _u, _d in paths:
                up()
                down()
        for r in range(runs):
            for _, up, down, u, d in (paths if r % 2 == 0 else paths[::-1]):
                time.sleep(0.2)
                u.append(C.timed(up)[0])
                d.append(C.timed(down)[0])
        report.add("compose up (2 services)", ups, cli_ups, 1.5)
        report.add("compose down -v", downs, cli_downs, 1.5)
        report.note(f"kit up {C.runs_ms(ups)}; CLI up {C.runs_ms(cli_ups)}")
        report.note(f"kit down {C.runs_ms(downs)}; CLI down {C.runs_ms(cli_downs)}")
        report.note("the kit's extra for each: one `docker compose config --format json` (read, checked, labelled)")
    finally:
        for args in (["compose", "-p", app.project, "down", "-v"], [*cli_args, "down", "-v"]):
            C.cli(*args, check=False)
        C.reap(lab)
        shutil.rmtree(where, ignore_errors=True)
    report.print()
    report.dump(a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
