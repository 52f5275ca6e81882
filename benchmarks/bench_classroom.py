"""A classroom at scale on this machine: N learners on one JupyterHub, a rootless engine each.

    sudo .venv/bin/python benchmarks/bench_classroom.py                 # N = 5, 10, 20
    sudo .venv/bin/python benchmarks/bench_classroom.py --sizes 5 --notebook 05

For one learner alone, then for each N (all learners arriving at once, as a class does):
- time to spawn a learner (their server and their engine: POST /hub/api/users/NAME/server
  until the hub says ready), p50 and p95;
- memory per learner engine, idle (RSS of rootlesskit, slirp4netns, dockerd, containerd, the
  forwarder: every process in the learner's cgroup), mean;
- ``lab.run(detach=True)`` (5 per learner, all learners at once), p50 and p95;
- one notebook's run time (every learner executes it at once, as themselves), p50 and p95;
each printed with its ratio to one learner alone. Not a test: it asserts nothing.
Needs root and scripts/provision-classroom; the mirror on 127.0.0.1:$DOCKERLAB_REGISTRY_PORT.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from classroom.harness import Room, provision  # noqa: E402

RUN_CODE = ("import dockerlab, json, time\nlab = dockerlab.connect(show_cli=False)\nts = []\n"
            "lab.run('alpine', 'true', rm=True)\n"  # the image is local and the connection warm
            "for i in range(5):\n    t = time.perf_counter(); lab.run('alpine', 'sleep 60', detach=True)\n"
            "    ts.append(time.perf_counter() - t)\nlab.cleanup()\nprint(json.dumps(ts))\n")


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, round(q / 100 * (len(xs) - 1))))
    return xs[k]


def engine_rss(user: str) -> int:
    import psutil

    from dockerlab.classroom.engines import LearnerEngine

    total = 0
    for pid in LearnerEngine.of(user).processes():
        try:
            total += psutil.Process(pid).memory_info().rss
        except psutil.Error:
            continue
    return total


def measure(n: int, notebook: str) -> dict:
    room = Room(learners=n, prefix=f"dlb{n:02d}x")
    room.down()
    try:
        room.up(spawn=False)
        cls = room.room()
        t0 = time.monotonic()
        with ThreadPoolExecutor(min(n, 20)) as pool:
            list(pool.map(cls.spawn, room.learners))
        ready: dict[str, float] = {}
        while len(ready) < n and time.monotonic() - t0 < 900:
            users = cls.users()
            for u in room.learners:
                if u not in ready and ((users.get(u, {}).get("servers") or {}).get("", {}) or {}).get("ready"):
                    ready[u] = time.monotonic() - t0
            time.sleep(0.25)
        time.sleep(3)  # let the engines settle before reading their memory
        rss = [engine_rss(u) for u in room.learners]
        with ThreadPoolExecutor(n) as pool:
            outs = list(pool.map(lambda u: room.as_learner(u, ["python3", "-c", RUN_CODE]), room.learners))
        runs = [t for o in outs if o.returncode == 0 for t in json.loads(o.stdout.strip().splitlines()[-1])]
        errors = [o.stderr[-300:] for o in outs if o.returncode != 0]
        nb = room.run_everyone([notebook])
        nb_times = [s for rs in nb.values() for _, rc, s, _ in rs if rc == 0]
        nb_failed = sum(1 for rs in nb.values() for _, rc, _, _ in rs if rc)
        return {"n": n, "spawn": list(ready.values()), "rss": rss, "run": runs, "notebook": nb_times,
                "failed": nb_failed + len(errors), "errors": errors[:2]}
    finally:
        room.down()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Target: none fixed; each figure is printed as a ratio to one learner alone "
                                       "(issue 17 asks for the figures at N = 5, 10, 20)")
    p.add_argument("--sizes", default="5,10,20")
    p.add_argument("--notebook", default="04", help="the notebook every learner runs at once (default 04)")
    p.add_argument("--quick", action="store_true", help="smoke: N = 2 only (its numbers are not figures)")
    a = p.parse_args(argv)
    if a.quick:
        a.sizes = "2"
    if os.geteuid() != 0:
        sys.exit("bench_classroom: needs root (it makes learner accounts)")
    provision()
    from classroom.harness import notebook_files

    notebook = notebook_files(a.notebook)[0]
    results = [measure(1, notebook)] + [measure(int(n), notebook) for n in a.sizes.split(",")]
    base = results[0]

    def row(label, key, q, scale=1.0, unit="s"):
        b = pct(base[key], q) if q else statistics.mean(base[key])
        cells = []
        for r in results:
            v = pct(r[key], q) if q else statistics.mean(r[key])
            cells.append(f"{v * scale:8.2f}{unit} ({v / b:4.1f}x)")
        print(f"{label:<34}" + "".join(f"{c:>22}" for c in cells))

    print(f"\nA classroom on this machine ({os.cpu_count()} CPUs); each figure and its ratio to one learner alone")
    print(f"{'':<34}" + "".join(f"{'N = ' + str(r['n']):>22}" for r in results))
    row("spawn a learner (server+engine) p50", "spawn", 50)
    row("spawn a learner (server+engine) p95", "spawn", 95)
    row("memory per learner engine (mean)", "rss", 0, 1 / 2**20, "MiB")
    row("lab.run(detach=True) p50", "run", 50, 1000, "ms")
    row("lab.run(detach=True) p95", "run", 95, 1000, "ms")
    row(f"notebook {notebook[:2]} run time p50", "notebook", 50)
    row(f"notebook {notebook[:2]} run time p95", "notebook", 95)
    for r in results:
        if r["failed"]:
            print(f"N = {r['n']}: {r['failed']} learner run(s) failed: {r['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
