"""Run every benchmark, each in a fresh process, then print one summary of the figures.

    .venv/bin/python benchmarks/run_all.py                 # all, with each script's defaults
    .venv/bin/python benchmarks/run_all.py --quick         # smoke: every script in its tiny mode
    .venv/bin/python benchmarks/run_all.py --only stats,run --runs 7
    .venv/bin/python benchmarks/run_all.py --json results.json

Needs a running Docker Engine (except ``import``), the docker CLI on PATH, and for
``pull`` the local registry at 127.0.0.1:5000 that ``./kit provision`` sets up.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ["import", "run", "pull", "stats", "monitor", "compose", "notebooks", "setup"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="every script in its smoke mode (no figures)")
    p.add_argument("--runs", type=int, help="repetitions per figure (default: each script's own)")
    p.add_argument("--only", help=f"comma-separated subset of {','.join(SCRIPTS)}")
    p.add_argument("--json", metavar="FILE", help="write all results as JSON to FILE")
    a = p.parse_args(argv)
    chosen = [s.strip() for s in a.only.split(",")] if a.only else SCRIPTS
    unknown = sorted(set(chosen) - set(SCRIPTS))
    if unknown:
        p.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(SCRIPTS)}")
    results, failed = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            out = os.path.join(tmp, f"{name}.json")
            cmd = [sys.executable, os.path.join(HERE, f"bench_{name}.py"), "--json", out]
            if a.quick:
                cmd.append("--quick")
            elif a.runs:
                cmd += ["--runs", str(a.runs)]
            print(f"\n### bench_{name}.py", flush=True)
            rc = subprocess.call(cmd)
            if rc != 0 or not os.path.exists(out):
                failed.append(name)
                continue
            with open(out) as f:
                results[name] = json.load(f)
    print("\n### summary")
    for name, res in results.items():
        for r in res["rows"]:
            unit = r["unit"]
            kit = f"{r['kit']:.2f} %" if unit == "%" else f"{r['kit'] * 1000:.0f} ms"
            ref = f"{r['ref']:.2f} %" if unit == "%" else f"{r['ref'] * 1000:.0f} ms"
            if name == "notebooks":
                kit, ref = f"{r['kit']:.0f} s", f"{r['ref']:.0f} s"
            tgt = (f"target <= {r['target']:.2f}x" if r["target"] is not None
                   else f"target <= {r['target_abs']:g} % of a core" if unit == "%" and r.get("target_abs", 1.0)
                   else "(no target)" if unit == "%" else "")
            ok = {True: "ok", False: "MISSED", None: "(smoke run)" if a.quick else ""}[r["ok"]]
            print(f"{name:8} {r['figure']:<40} kit {kit:>9}  ref {ref:>9}  ratio {r['ratio']:5.2f}  {tgt:<24} {ok}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
