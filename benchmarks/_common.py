"""Shared helpers for the benchmarks: timing, the docker CLI, throwaway containers, the report.

Each benchmark measures the kit and the docker CLI in the same run, interleaved
(kit, CLI, CLI, kit, ...) so that a busy machine slows both alike, and prints
the medians and their ratio against the issue's target.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid

# The benchmarks act as their own learner, "dockerlab-bench": like a hub's spawner, they set it
# in the environment the kit reads at import (dockerlab.guards.START_ENV), before importing it.
os.environ.setdefault("DOCKERLAB_ALLOW_OWNER_CHOICE", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:  # run as `python benchmarks/bench_x.py` from a checkout
    sys.path.insert(0, ROOT)

PREFIX = "bench-"  # every container a benchmark creates is named bench-<run>-...


def docker_cli() -> str:
    """The docker CLI to compare with (DOCKERLAB_BENCH_DOCKER, else the one on PATH)."""
    path = os.environ.get("DOCKERLAB_BENCH_DOCKER") or shutil.which("docker")
    if not path:
        sys.exit("benchmarks: no docker CLI on PATH (set DOCKERLAB_BENCH_DOCKER=/path/to/docker)")
    return path


def cli(*args: str, check: bool = True, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run ``docker args...``; raise with its stderr on failure."""
    p = subprocess.run([docker_cli(), *args], stdout=subprocess.PIPE if quiet else None,
                       stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def cli_version() -> str:
    p = cli("version", "--format", "{{.Client.Version}}", check=False)
    return (p.stdout or "").strip() or "?"


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def runs_ms(xs) -> str:
    """Each run's time in milliseconds, for a report's note: "141, 139, 150 ms"."""
    return ", ".join(f"{x * 1000:.0f}" for x in xs) + " ms"


def median(xs) -> float:
    return statistics.median(xs) if xs else float("nan")


def parser(description: str, *, runs: int = 5) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=runs, help=f"repetitions per figure (default {runs}; medians)")
    p.add_argument("--quick", action="store_true", help="smoke mode: 1 repetition, smallest sizes (no figures)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    return p


def run_id() -> str:
    return uuid.uuid4().hex[:6]


def connect(session: str):
    """A quiet lab with a session of its own (its containers are reaped by label)."""
    import dockerlab
    from dockerlab.lab import Lab

    base = dockerlab.connect(show_cli=False)
    # an owner of its own, so that another notebook's lab.cleanup("mine") never removes
    # the benchmark's containers halfway through a measurement
    return Lab(base.engine, lesson="benchmark", owner="dockerlab-bench", session=session, show_cli=False)


def reap(lab) -> None:
    """Remove every container this benchmark's lab created (by its session label), nothing else."""
    from dockerlab import labels

    for c in raw(lab).containers(all=True, filters={"label": [f"{labels.SESSION}={lab.session}"]}):
        with contextlib.suppress(Exception):
            raw(lab).remove(c["Id"], force=True)


@contextlib.contextmanager
def sleepers(lab, n: int, tag: str, image: str = "alpine"):
    """``n`` running containers (``sleep 3600``) named bench-<tag>-<i>, removed afterwards."""
    names = [f"{PREFIX}{tag}-{i:02d}" for i in range(n)]
    try:
        for name in names:
            lab.run(image, "sleep 3600", name=name, detach=True)
        yield names
    finally:
        for name in names:
            with contextlib.suppress(Exception):
                raw(lab).remove(name, force=True)


class Report:
    """Rows of (figure, kit seconds, CLI seconds, target ratio) printed as a table."""

    def __init__(self, title: str, unit: str = "s", *, quick: bool = False):
        self.quick = quick  # a smoke run: cold, one repetition; its numbers are not figures
        self.title = title + (" [--quick smoke run: not a figure]" if quick else "")
        self.unit = unit
        self.rows: list[dict] = []
        self.notes: list[str] = []

    def add(self, figure: str, kit: list[float], ref: list[float] | None, target: float | None,
            *, ref_name: str = "docker CLI", unit: str | None = None) -> dict:
        k, r = median(kit), (median(ref) if ref else float("nan"))
        ratio = k / r if ref and r > 0 else float("nan")
        row = {"figure": figure, "kit": k, "ref": r, "ratio": ratio, "target": target, "ref_name": ref_name,
               "unit": unit or self.unit, "runs": len(kit), "kit_all": kit, "ref_all": ref or [],
               "ok": (ratio <= target) if (target is not None and ratio == ratio and not self.quick) else None}
        self.rows.append(row)
        return row

    def note(self, text: str) -> None:
        self.notes.append(text)

    def print(self, file=sys.stdout) -> None:
        print(f"\n== {self.title}", file=file)
        w = max([len(r["figure"]) for r in self.rows] + [6])
        print(f"{'figure':<{w}}  {'kit':>10}  {'reference':>10}  {'ratio':>6}  {'target':>7}  ok   (runs)", file=file)
        for r in self.rows:
            fmt = _fmt(r["unit"])
            tgt = f"<={r['target']:.2f}" if r["target"] is not None else ""
            ok = {True: "yes", False: "NO", None: ""}[r["ok"]]
            print(f"{r['figure']:<{w}}  {fmt(r['kit']):>10}  {fmt(r['ref']):>10}  {r['ratio']:>6.2f}  {tgt:>7}  "
                  f"{ok:<4} ({r['runs']}, reference: {r['ref_name']})", file=file)
        for n in self.notes:
            print("  - " + n, file=file)

    def dump(self, path: str | None) -> None:
        if path:
            with open(path, "w") as f:
                json.dump({"title": self.title, "rows": self.rows, "notes": self.notes}, f, indent=1)


def _fmt(unit: str):
    if unit == "s":
        return lambda v: "nan" if v != v else (f"{v * 1000:.0f} ms" if v < 10 else f"{v:.1f} s")
    if unit == "%":
        return lambda v: "nan" if v != v else f"{v:.2f} %"
    return lambda v: f"{v:.3g} {unit}"


def raw(lab):
    """The engine backend behind a lab's gate: a benchmark's own housekeeping, outside the kit's policy."""
    return lab._gate._Gate__engine
