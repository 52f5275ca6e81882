"""The first complete stats table (CPU % and memory) for N containers: ``lab.stats()``
against ``docker stats --no-stream`` on the same containers. Targets: beside a local engine the
kit reads the kernel's files (CPU % over 0.25 s), at most 0.2x the CLI; the same table through
the Engine API (the fallback for a remote engine, ``source="engine"``), measured in the same
run, at most 0.8x the CLI, as before.

    .venv/bin/python benchmarks/bench_stats.py                 # N = 1, 10, 30; 5 runs each
    .venv/bin/python benchmarks/bench_stats.py --sizes 30 --runs 7 --modes idle,busy
    .venv/bin/python benchmarks/bench_stats.py --quick         # smoke: N = 1, one run

Two conditions, because the engine's stats collector behaves differently in each:

* ``idle``: nothing else reads stats (each measurement waits ``--gap`` seconds after
  the previous one, so the collector has gone back to sleep; 2.5 s by default: after
  a client closes its streams the collector still finishes its one-second pause, and
  with 1.3 s a run that followed the CLI's sometimes found it ticking). The first stream to
  subscribe wakes the collector, which samples *only the containers subscribed at
  that instant* at once, then every second.
* ``busy``: another client keeps a stats stream open (a monitor in another notebook),
  so the collector ticks every second anyway; a request waits for the next tick. Each
  run starts at a random point of the collector's cycle, the same for the kit and the
  CLI (found from the other client's samples), so both wait alike.

What limits the figure is the engine, for any client: CPU % needs two samples of the
collector, one tick (about 1 s plus the collection itself) apart. With an idle collector
and one container that is one tick; with several, only the first stream to subscribe is
in the collector's immediate first round (it takes its list of containers as it wakes),
so the others need two ticks, whatever the client does (tried: all subscriptions sent
within 0.1 ms on raw sockets; still only the first made the first round). A one-shot
request waits for the same ticks. The docker CLI waits the same ticks, then up to 0.5 s
more for its display ticker, plus starting its process: that is the whole margin.

The kernel's figure is the first table in a fresh process: before each timed run the kit
forgets where the containers' cgroups are, so it inspects each container again (its init PID).

The script also checks that the kit's numbers agree with the CLI's (measured at the
same time, on a container burning CPU under a quota and on idle ones), and shows where
the kit's time goes (one run, instrumented).
"""
from __future__ import annotations

import random
import re
import sys
import threading
import time

import _common as C

UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "kB": 1e3, "MB": 1e6, "GB": 1e9}


def to_bytes(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)\s*([A-Za-z]+)", text.strip())
    return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")


def cli_table(names: list[str]) -> dict:
    """`docker stats --no-stream` for ``names``: name -> (cpu %, mem bytes, pids)."""
    p = C.cli("stats", "--no-stream", "--format", "{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.PIDs}}", *names)
    rows = {}
    for line in p.stdout.splitlines():
        name, cpu, mem, pids = line.split("\t")
        rows[name] = (float(cpu.rstrip("%")), to_bytes(mem.split("/")[0]), int(pids))
    return rows


def kit_table(lab, names: list[str], source: str | None = None, interval: float | None = None) -> dict:
    df = lab.stats(names, source=source, interval=interval)
    if source == "kernel" and df.attrs.get("source") != "kernel":
        raise SystemExit(f"bench_stats: the kernel's files were not read ({df.attrs.get('source')})")
    return {r["NAME"]: (float(r["CPU %"]), float(r["MEM USAGE (MiB)"]) * 2**20, int(r["PIDS"]))
            for _, r in df.iterrows()}


class Ticker:
    """Keeps the engine's collector busy: one open stats stream, read in a thread (like a monitor)."""

    def __init__(self, lab, name: str):
        self.lab, self.name = lab, name
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.tick = threading.Condition()
        self.ticks = 0

    def _read(self):
        stream = C.raw(self.lab).stats(self.name, stream=True)
        try:
            for _ in stream:
                with self.tick:
                    self.ticks += 1
                    self.tick.notify_all()
                if self.stop.is_set():
                    break
        finally:
            stream.close()

    def at_phase(self, phase: float) -> None:
        """Return ``phase`` seconds after the collector's next round (seen on this stream)."""
        with self.tick:
            n = self.ticks
            self.tick.wait_for(lambda: self.ticks > n, timeout=3)
        time.sleep(phase)

    def __enter__(self):
        self.thread.start()
        time.sleep(1.5)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(3)


def measure(lab, names, runs: int, mode: str, gap: float, ticker=None) -> tuple[list, list, list, list]:
    from dockerlab import stats_sources

    kit, cli, cpu, eng = [], [], [], []
    for r in range(runs):
        order = [("kit", "cli", "eng"), ("cli", "eng", "kit"), ("eng", "kit", "cli")][r % 3]
        phase = random.uniform(0.0, 0.95)
        for who in order:
            # idle: let the collector go back to sleep; busy: land anywhere in its 1 s cycle, the kit
            # and the CLI of one run at the same place (else the phase's spread swamps the ratio)
            if mode == "idle":
                time.sleep(gap)
            else:
                ticker.at_phase(phase)
            if who == "kit":
                stats_sources.choose(lab.engine).forget()  # a first table: find every container's cgroup again
                c0 = time.process_time()
                t, got = C.timed(kit_table, lab, names, "kernel")
                cpu.append(time.process_time() - c0)
                kit.append(t)
            elif who == "eng":
                t, got = C.timed(kit_table, lab, names, "engine")
                eng.append(t)
            else:
                t, got = C.timed(cli_table, names)
                cli.append(t)
            missing = set(names) - set(got)
            if missing:
                raise SystemExit(f"bench_stats: the {who} table lacks {sorted(missing)[:3]}")
    return kit, cli, cpu, eng


def agreement(lab, names: list[str], burner: str | None) -> str:
    """Kit and CLI over the same seconds: the largest differences, and whether they are within noise."""
    t0 = time.perf_counter()
    cli_table(names)
    took = time.perf_counter() - t0  # the kit's interval spans the CLI's run: the same seconds
    cli = {}
    t = threading.Thread(target=lambda: cli.update(cli_table(names)))
    t.start()
    kit = kit_table(lab, names, "kernel", interval=min(took, 5.0))
    t.join()
    dcpu = max(abs(kit[n][0] - cli[n][0]) for n in names)
    # the kit's frame rounds memory to 0.01 MiB, the CLI's text to 3 significant digits: beyond those roundings
    dmem = max(max(0.0, abs(kit[n][1] - cli[n][1]) - 0.005 * 2**20) / max(cli[n][1], 1) for n in names)
    dpids = max(abs(kit[n][2] - cli[n][2]) for n in names)
    # the CLI rounds memory to 3 significant digits (0.5 % at most)
    ok = dcpu <= 4.0 and dmem <= 0.01 and dpids == 0
    if burner:
        ok = ok and kit[burner][0] > 5 and cli[burner][0] > 5
    busy = f"; busy container: kit {kit[burner][0]:.1f} %, CLI {cli[burner][0]:.1f} %" if burner else ""
    return (f"numbers agree: {'yes' if ok else 'NO'} (the kernel's with the CLI's, over the same {took:.1f} s; "
            f"largest differences: CPU {dcpu:.2f} points, "
            f"memory {dmem * 100:.2f} % beyond the two roundings, PIDs {dpids}{busy})")


def kernel_breakdown(lab, names: list[str]) -> str:
    """One instrumented kernel table: listing, finding the cgroups, the interval, reading the files."""
    from dockerlab import cgroups, stats_sources

    src = stats_sources.choose(lab.engine, "kernel")
    src.forget()
    t0 = time.perf_counter()
    seen = lab._stats_targets(names)
    t1 = time.perf_counter()
    found, _ = src._locate_all([c.id for c in seen])
    t2 = time.perf_counter()
    readers = [cgroups.Reader(cg) for cg in found.values()]
    system = cgroups.System()
    c0 = time.process_time()
    sys0 = system.cpu_ns()
    for r in readers:
        r.sample(sys0, 2)
    t3 = time.perf_counter()
    c1 = time.process_time()
    for r in readers:
        r.close()
    t4 = time.perf_counter()
    lab.stats(names)  # warm: the cgroups known
    warm = time.perf_counter() - t4
    return (f"N={len(names)} kernel table, where the time goes: find the containers {(t1 - t0) * 1000:.0f} ms "
            f"(one listing); find their cgroups {(t2 - t1) * 1000:.0f} ms (the drivers' usual paths, "
            f"a process from cgroup.procs; else an inspect each for the init PID); one reading of every container's files "
            f"{(t3 - t2) * 1000:.1f} ms ({(c1 - c0) * 1000:.1f} ms CPU); the CPU interval "
            f"{stats_sources.DEFAULT_INTERVAL * 1000:.0f} ms; a later table (cgroups known) {warm * 1000:.0f} ms")


def breakdown(lab, names: list[str], gap: float, cli_ms: float | None = None) -> str:
    """One instrumented table: where the time goes (resolve names, engine ticks, client work)."""
    from concurrent.futures import ThreadPoolExecutor

    time.sleep(gap)
    t0 = time.perf_counter()
    seen = lab._stats_targets(names)  # what lab.stats() does first: one listing, checked
    t_resolve = time.perf_counter() - t0
    marks = []

    def two(c):
        s = C.raw(lab).stats(c.id, stream=True)
        try:
            a = next(s)
            ta = time.perf_counter() - t0
            b = next(s)
            tb = time.perf_counter() - t0
        finally:
            s.close()
        marks.append((ta, tb, a.get("read", ""), b.get("read", "")))

    with ThreadPoolExecutor(max_workers=min(len(seen), 64)) as pool:
        list(pool.map(two, seen))
    total = time.perf_counter() - t0
    # the engine's rounds: every sample received, clustered (a round reads the containers one by one)
    got = sorted([m[0] for m in marks] + [m[1] for m in marks])
    rounds: list[list[float]] = []
    for t in got:
        if rounds and t - rounds[-1][-1] < 0.4:
            rounds[-1].append(t)
        else:
            rounds.append([t])
    text = "; ".join(f"round at {r[0] * 1000:.0f} ms: {len(r)} sample{'s' if len(r) > 1 else ''}"
                     + (f" over {(r[-1] - r[0]) * 1000:.0f} ms" if len(r) > 1 else "") for r in rounds)
    return (f"N={len(names)} where the time goes (one table): find the containers {t_resolve * 1000:.0f} ms "
            f"(one listing); the engine's rounds, each a second after the previous one ended: {text}; "
            f"the table is complete at {total * 1000:.0f} ms"
            + (f" ({total * 1000 / cli_ms:.2f}x the CLI's median: the floor for any client on an idle engine)"
               if cli_ms else ""))


def main(argv=None) -> int:
    p = C.parser(__doc__)
    p.add_argument("--sizes", default="1,10,30", help="numbers of containers (default 1,10,30)")
    p.add_argument("--modes", default="idle,busy", help="idle, busy or both (default idle,busy)")
    p.add_argument("--gap", type=float, default=2.5, help="idle mode: seconds between measurements (default 2.5)")
    p.add_argument("--no-check", action="store_true", help="skip the agreement check and the breakdown")
    a = p.parse_args(argv)
    sizes = [1] if a.quick else [int(x) for x in a.sizes.split(",")]
    modes = ["idle"] if a.quick else [m.strip() for m in a.modes.split(",")]
    runs = 1 if a.quick else a.runs
    tag = C.run_id()
    lab = C.connect(f"bench{tag}")
    report = C.Report(f"stats: first complete table, lab.stats() vs docker stats --no-stream "
                      f"(docker CLI {C.cli_version()}, median of {runs})", quick=a.quick)
    try:
        n_max = max(sizes)
        names = [f"{C.PREFIX}st{tag}-{i:02d}" for i in range(n_max)]
        # container 0 burns CPU under a 0.2-CPU quota (about 20 %), so CPU % is not all zeros
        lab.run("alpine", ["sh", "-c", "while :; do :; done"], name=names[0], detach=True, cpus=0.2)
        for name in names[1:]:
            lab.run("alpine", "sleep 3600", name=name, detach=True)
        if not a.quick:  # warm up (imports pandas, opens the connection pool); not timed
            kit_table(lab, names[:1])
            cli_table(names[:1])
        cli_median = {}
        for mode in modes:
            ctx = Ticker(lab, names[0]) if mode == "busy" else _null()
            with ctx:
                for n in sizes:
                    kit, cli, cpu, eng = measure(lab, names[:n], runs, mode, a.gap, ctx if mode == "busy" else None)
                    cli_median[(mode, n)] = C.median(cli) * 1000
                    report.add(f"N={n:<2} {mode}", kit, cli, 0.2)
                    report.add(f"N={n:<2} {mode}, Engine API", eng, cli, 0.8)
                    report.note(f"N={n} {mode}: kit (kernel) runs {C.runs_ms(kit)}; Engine API runs {C.runs_ms(eng)}; "
                                f"CLI runs {C.runs_ms(cli)}; kit client CPU {C.median(cpu) * 1000:.0f} ms per table")
        if not a.no_check:
            for n in sizes:
                report.note(f"N={n}: " + agreement(lab, names[:n], names[0]))
                if not a.quick:
                    report.note(kernel_breakdown(lab, names[:n]))
                    report.note(breakdown(lab, names[:n], a.gap, cli_median.get(("idle", n))))
    finally:
        C.reap(lab)
    report.print()
    report.dump(a.json)
    return 0


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    sys.exit(main())
