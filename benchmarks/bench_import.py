"""Import time: ``import dockerlab`` against importing its dependencies (docker, pandas,
matplotlib, ipywidgets) alone, each in a fresh Python process. Target: at most 1.05x.

    .venv/bin/python benchmarks/bench_import.py            # 7 runs of each (medians)
    .venv/bin/python benchmarks/bench_import.py --quick    # smoke: one run

Three figures, each timed inside a fresh interpreter (from before the import statement
to after it; the interpreter's own start is the same for all and left out):

* ``import dockerlab`` (what a notebook's first cell does) vs the dependencies;
* the whole kit a lesson loads (dockerlab, its lab API, the engine backend, the widgets,
  the sampler) vs the dependencies;
* the dependencies *and then* the whole kit vs the dependencies alone: what the kit's
  own modules add on top of what it needs anyway.

Each timing runs with the garbage collector off (``gc.disable()``): it measures the imports'
own work. The four dependencies leave about 94,000 objects, and the full collection they make
due (about 40 ms here, twice that on a busy machine) came inside whatever ran next: in the third
figure, the kit's import, which then measured where the collector ran rather than the kit.

No engine is needed. The slowest modules of ``import dockerlab`` (``-X importtime``) are
listed, so a slow import shows where it comes from.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import _common as C

DEPS = "import docker, pandas, matplotlib, ipywidgets"
KIT = ("import dockerlab, dockerlab.lab, dockerlab.engine.docker_engine, dockerlab.frames, "
       "dockerlab.sampler, dockerlab.widgets")
CASES = {
    "deps": DEPS,
    "dockerlab": "import dockerlab",
    "kit": KIT,
    "deps+kit": DEPS + "\nprint(time.perf_counter() - t0)\n" + KIT,  # also when the dependencies were in
}


def time_import(code: str) -> list[float]:
    """Seconds from the start of ``code`` to each time it prints one (``deps+kit``: after the
    dependencies too), and to its end, in a fresh process."""
    prog = f"import gc, time\ngc.disable()\nt0 = time.perf_counter()\n{code}\nprint(time.perf_counter() - t0)\n"
    p = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, cwd=C.ROOT, env=_env())
    if p.returncode != 0:
        raise SystemExit(f"bench_import: {code!r} failed:\n{p.stderr}")
    return [float(line) for line in p.stdout.split()]


def _env() -> dict:
    """Bytecode caches used and written, as in an installed kit (pip compiles them; the warm-up
    run writes the kit's here), kept out of the work tree in a cache directory of their own."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "dockerlab-bench-pycache")
    return env


def slowest(code: str, n: int = 6) -> list[tuple[str, float]]:
    """The modules with the largest cumulative import time (``python -X importtime``), top level only."""
    p = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                       cwd=C.ROOT, env=_env())
    rows = []
    for line in p.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cum, name = line.split("|")
        if name.startswith("   ") or not cum.strip().isdigit():
            continue  # nested import: counted in its parent
        rows.append((name.strip(), int(cum) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:n]


def main(argv=None) -> int:
    p = C.parser(__doc__, runs=7)
    a = p.parse_args(argv)
    runs = 1 if a.quick else a.runs
    times: dict[str, list[float]] = {k: [] for k in CASES}
    deps_part: list[float] = []  # the dependencies' part of each "deps+kit" run: the kit's own is the rest
    for code in CASES.values() if not a.quick else ():  # warm the caches once; not counted
        time_import(code)
    order = list(CASES)
    for r in range(runs):
        for key in (order if r % 2 == 0 else order[::-1]):
            marks = time_import(CASES[key])
            times[key].append(marks[-1])
            if key == "deps+kit":
                deps_part.append(marks[0])
    report = C.Report(f"import time in a fresh process (median of {runs})", quick=a.quick)
    report.add("import dockerlab", times["dockerlab"], times["deps"], 1.05, ref_name="the 4 dependencies")
    report.add("the whole kit (lab, engine, widgets...)", times["kit"], times["deps"], 1.05,
               ref_name="the 4 dependencies")
    # against the dependencies' part of the same processes: a fresh process's import time varies by a
    # third from one to the next here, more than the kit's share, so separate processes would measure that
    report.add("dependencies, then the whole kit", times["deps+kit"], deps_part, 1.05,
               ref_name="the 4 dependencies, in the same processes")
    for k in order:
        report.note(f"{k}: " + ", ".join(f"{t * 1000:.0f}" for t in times[k]) + " ms")
    added = [t - d for t, d in zip(times["deps+kit"], deps_part)]
    report.note(f"what the kit's own modules add after the dependencies, in the same process: "
                f"{C.runs_ms(added)} (median {C.median(added) * 1000:.1f} ms)")
    if not a.quick:
        top = ", ".join(f"{name} {t * 1000:.0f} ms" for name, t in slowest("import dockerlab"))
        report.note(f"slowest top-level imports of `import dockerlab` (-X importtime, one run): {top}")
    mods = subprocess.run([sys.executable, "-c", "import sys, dockerlab; print(' '.join(m for m in "
                           "('docker', 'requests', 'pandas', 'numpy', 'matplotlib', 'ipywidgets', 'IPython') "
                           "if m in sys.modules) or 'none')"], capture_output=True, text=True, cwd=C.ROOT, env=_env())
    report.note(f"heavy packages loaded by `import dockerlab`: {mods.stdout.strip() or mods.stderr.strip()}")
    report.print()
    report.dump(a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
