"""The nbval run over every notebook, as CI runs it (``./kit test notebooks``): each
notebook's time and the whole run's, against the budget of 5 minutes.

    .venv/bin/python benchmarks/bench_notebooks.py            # every notebook, once
    .venv/bin/python benchmarks/bench_notebooks.py --quick    # smoke: the first notebook only

One run only (``--runs`` is ignored): the run itself takes minutes, and the figure is
the wall time of that run. A notebook's time is the sum of its cells' test times
(setup included, so the first cell carries the kernel's start), from pytest's JUnit XML.
Failures are reported, not hidden: a failing notebook still shows its time.
"""
from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import _common as C

BUDGET = 300.0  # seconds, issue 8


def main(argv=None) -> int:
    p = C.parser(__doc__, runs=1)
    p.add_argument("--budget", type=float, default=BUDGET, help="seconds for the whole run (default 300)")
    a = p.parse_args(argv)
    nbdir = os.path.join(C.ROOT, "notebooks")
    books = sorted(f for f in os.listdir(nbdir) if f.endswith(".ipynb"))
    if a.quick:
        books = books[:1]
    with tempfile.TemporaryDirectory() as tmp:
        xml = os.path.join(tmp, "junit.xml")
        cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-sanitize-with", "notebooks/sanitize.cfg",
               "--nbval-current-env", "-p", "no:cacheprovider", "-q", "--junitxml", xml,
               "-o", "junit_duration_report=total", *[os.path.join("notebooks", b) for b in books]]
        env = dict(os.environ, DOCKERLAB_REQUIRE_ENGINE="1")
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=C.ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        per = collections.OrderedDict((b, [0.0, 0, 0]) for b in books)  # seconds, cells, failed
        if os.path.exists(xml):
            for case in ET.parse(xml).getroot().iter("testcase"):
                book = next((b for b in books if b in (case.get("file") or "") + (case.get("classname") or "")), None)
                if book is None:
                    continue
                per[book][0] += float(case.get("time") or 0)
                per[book][1] += 1
                per[book][2] += any(ch.tag in ("failure", "error") for ch in case)
    report = C.Report(f"notebooks: one nbval run over {len(books)} notebook(s), budget {a.budget:.0f} s",
                      quick=a.quick)
    row = report.add("whole nbval run", [wall], [a.budget], 1.0, ref_name="the 5-minute budget")
    row["ok"] = None if a.quick else wall <= a.budget
    for book, (secs, cells, failed) in per.items():
        state = f", {failed} FAILED" if failed else ""
        report.note(f"{book}: {secs:.1f} s ({cells} cells{state})")
    tail = proc.stdout.strip().splitlines()[-1:] or ["(no output)"]
    report.note(f"pytest said: {tail[0]} (exit code {proc.returncode})")
    report.print()
    report.dump(a.json)
    return 0 if proc.returncode in (0, 1) else proc.returncode  # 1: some cells failed, shown above


if __name__ == "__main__":
    sys.exit(main())
