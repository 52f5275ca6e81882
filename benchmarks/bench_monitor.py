"""The live monitor at 1 Hz over 10 containers: client CPU (% of one core) of the process
running ``dockerlab.widgets.Monitor`` (its sampler's stats streams, its event follower and
the plot update each second), against the docker CLI's ``docker stats`` streaming the same
containers. Targets: beside a local engine, where the sampler reads the kernel's files (one
thread for all containers), at most 0.1 % of one core; the same monitor on the Engine API's
stats streams (``DOCKERLAB_STATS_SOURCE=engine``: a remote engine's case), measured in the
same run, at most 1 % of one core, as before.

    .venv/bin/python benchmarks/bench_monitor.py                # 10 containers, 5 windows of 20 s
    .venv/bin/python benchmarks/bench_monitor.py --quick        # smoke: 1 container, one 1 s window

The kit's figure is this process's CPU time (all threads: ``time.process_time``) over a
window of wall time while the monitor runs; the CLI's is the ``docker stats`` process's
CPU time (psutil) over the same window. Both follow the same containers at once. After
the windows, the same monitor runs in an IPython kernel (started with jupyter_client, as a
notebook's): that figure is the kernel process's CPU, which adds ipykernel's own work of sending
each redraw's SVG on IOPub (no target of ours: for comparison). Then the script checks that the
monitor follows a container that starts and one that stops (the events API), and shows a frame
of the plot (``--png``).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import _common as C


def main(argv=None) -> int:
    p = C.parser(__doc__)
    p.add_argument("-n", type=int, default=10, help="containers followed (default 10)")
    p.add_argument("--window", type=float, default=20.0, help="seconds per measurement window (default 20)")
    p.add_argument("--png", metavar="FILE", help="also save the monitor's last frame to FILE")
    a = p.parse_args(argv)
    n = 1 if a.quick else a.n
    runs = 1 if a.quick else a.runs
    window = 1.0 if a.quick else a.window
    tag = C.run_id()
    lab = C.connect(f"bench{tag}")
    report = C.Report(f"monitor: client CPU at 1 Hz over {n} containers, windows of {window:.0f} s "
                      f"(docker CLI {C.cli_version()}, median of {runs})", unit="%", quick=a.quick)
    import psutil

    from dockerlab.widgets import Monitor

    cli = None
    mon = None
    try:
        names = [f"{C.PREFIX}mon{tag}-{i:02d}" for i in range(n)]
        # one container busy under a quota, the others idle: lines that move
        lab.run("alpine", ["sh", "-c", "while :; do :; done"], name=names[0], detach=True, cpus=0.2)
        for name in names[1:]:
            lab.run("alpine", "sleep 3600", name=name, detach=True)
        mon = Monitor(lab, names, window=60, interval=1.0)
        cli = subprocess.Popen([C.docker_cli(), "stats", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}}", *names],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli_ps = psutil.Process(cli.pid)
        time.sleep(2.5 if a.quick else 4.0)  # both warm up: streams open, first samples in, figure drawn
        me = psutil.Process()
        kit, ref, draws = _windows(mon, cli_ps, runs, window)
        report.add(f"Monitor, {n} containers", kit, ref, None, ref_name="docker stats (streaming)")
        report.rows[-1]["ok"] = None if a.quick else C.median(kit) <= 0.1
        report.rows[-1]["target"] = None
        report.rows[-1]["target_abs"] = 0.1
        report.note(f"source: {mon.sampler.source.kind} ({sorted(set(mon.sampler.sources.values()))}); target: at most "
                    f"0.1 % of one core (absolute): {'met' if C.median(kit) <= 0.1 else 'NOT met'}")
        report.note("kit windows " + ", ".join(f"{x:.2f}" for x in kit) + " %; CLI windows "
                    + ", ".join(f"{x:.2f}" for x in ref) + " %")
        report.note(f"redraws per second {C.median(draws):.2f}; full redraws (axes, legend) so far "
                    f"{mon.full_draws} of {mon.frames_drawn}; open stats streams {mon.sampler.active_streams}; "
                    f"threads in this process {me.num_threads()}; the lines' SVG sent to the browser per redraw "
                    f"{len(mon._overlay.value)} characters")
        if not a.quick:
            report.note(_split(lab, mon, names, window))
        report.note(_follows(lab, mon, names, tag))
        if not a.quick:  # the same monitor in a real kernel, its lines sent as comm messages
            mon.pause()
            k_idle, k_mon = _in_kernel(lab, names, runs, window)
            mon.resume()
            report.add(f"Monitor, {n} containers, in a kernel", k_mon, ref, None, ref_name="docker stats (streaming)")
            report.rows[-1].update(ok=None, target=None, target_abs=0)  # what ipykernel adds: no target of ours
            report.note("in a kernel (ipykernel; the widget's state sent on IOPub each redraw, as a front end gets it): "
                        "the kernel process's CPU, windows " + ", ".join(f"{x:.3f}" for x in k_mon)
                        + f" %; the same kernel idle (the lab connected, no monitor) {k_idle:.3f} %")
        if not a.quick:  # the same monitor on the Engine API's streams, the old figure
            mon.stop()
            os.environ["DOCKERLAB_STATS_SOURCE"] = "engine"
            try:
                mon = Monitor(lab, names, window=60, interval=1.0)
            finally:
                del os.environ["DOCKERLAB_STATS_SOURCE"]
            time.sleep(4.0)
            eng, ref2, _ = _windows(mon, cli_ps, runs, window)
            report.add(f"Monitor, {n} containers, Engine API", eng, ref2, None, ref_name="docker stats (streaming)")
            report.rows[-1].update(ok=C.median(eng) <= 1.0, target=None, target_abs=1.0)
            report.note(f"Engine API source: {mon.sampler.source.kind}; windows " + ", ".join(f"{x:.2f}" for x in eng)
                        + f" %; target at most 1 % of one core: {'met' if C.median(eng) <= 1.0 else 'NOT met'}")
        if a.png:
            mon.save(a.png)
            report.note(f"last frame saved to {a.png}")
    finally:
        if cli is not None:
            cli.kill()  # `docker stats` streaming does not stop on SIGTERM
            cli.wait(5)
        if mon is not None:
            mon.stop()
        C.reap(lab)
    report.print()
    report.dump(a.json)
    return 0


def _windows(mon, cli_ps, runs: int, window: float) -> tuple[list, list, list]:
    """``runs`` windows: this process's CPU %, the CLI's, and the monitor's redraws per second."""
    kit, ref, draws = [], [], []
    for _ in range(runs):
        w0, c0, d0 = time.perf_counter(), time.process_time(), mon.frames_drawn
        k0 = cli_ps.cpu_times()
        time.sleep(window)
        wall = time.perf_counter() - w0
        kit.append((time.process_time() - c0) / wall * 100)
        k1 = cli_ps.cpu_times()
        ref.append(((k1.user + k1.system) - (k0.user + k0.system)) / wall * 100)
        draws.append((mon.frames_drawn - d0) / wall)
    return kit, ref, draws


def _in_kernel(lab, names, runs: int, window: float) -> tuple[float, list]:
    """The monitor in an IPython kernel, as a notebook runs it: the kernel process's CPU % while
    idle (the lab connected, no monitor), then over ``runs`` windows with the monitor shown."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", stderr=subprocess.DEVNULL)  # its TCP-on-loopback warning
    try:
        pid = km.provisioner.pid
        code = (f"import os, sys\nos.environ.setdefault('DOCKERLAB_ALLOW_OWNER_CHOICE', '1')\n"
                f"sys.path.insert(0, {C.HERE!r})\nimport _common as C\nlab = C.connect({lab.session!r})\n"
                "from dockerlab.widgets import Monitor\n")
        _execute(kc, code)
        time.sleep(2.0)
        idle = _cpu_of(pid, window / 2)
        _execute(kc, f"mon = Monitor(lab, {names!r}, window=60, interval=1.0)\nmon")
        time.sleep(4.0)  # the first samples in, the figure drawn
        shown = [_cpu_of(pid, window) for _ in range(runs)]
        _execute(kc, "mon.stop()")
        return idle, shown
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _execute(kc, code: str) -> None:
    reply = kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the kernel could not run {code!r}: {reply['content'].get('evalue')}")


def _cpu_ns(pid: int) -> int:
    """A process's CPU time in ns, its threads' from schedstat (psutil's counts 10 ms ticks: too coarse)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:  # a thread that ended meanwhile
            pass
    return total


def _cpu_of(pid: int, seconds: float) -> float:
    t0, w0 = _cpu_ns(pid), time.perf_counter()
    time.sleep(seconds)
    return (_cpu_ns(pid) - t0) / 1e9 / (time.perf_counter() - w0) * 100


def _split(lab, mon, names, window: float) -> str:
    """Where the monitor's CPU goes: its sampler alone (streams, events), and one plot update."""
    mon.pause()  # the picture freezes; its sampler goes on
    time.sleep(1.5)
    c0, w0 = time.process_time(), time.perf_counter()
    time.sleep(window / 2)
    paused = (time.process_time() - c0) / (time.perf_counter() - w0) * 100
    mon.resume()
    mon.update()
    c0 = time.process_time()
    k = 10
    for _ in range(k):  # an ordinary tick's update: new line data, blit, PNG (no full redraw)
        mon.update()
    per_update = (time.process_time() - c0) / k
    return (f"split: the monitor paused (its sampler only: {len(names)} containers read, and the event follower) "
            f"{paused:.2f} % of a core; one plot update {per_update * 1000:.1f} ms of CPU "
            f"(at 1 Hz: {per_update * 100:.2f} % of a core)")


def _follows(lab, mon, names, tag) -> str:
    """Does the monitor notice a followed container stopping and starting again (events API)?"""
    name = names[-1]
    lab.stop(name, timeout=0)
    stopped = _wait(lambda: mon.sampler.status.get(name) == "stopped")
    lab.start(name)
    running = _wait(lambda: mon.sampler.status.get(name) == "running" and _fresh(mon, name), timeout=6.0)
    detail = "" if running else (f" (after 6 s: status {mon.sampler.status.get(name)!r}, "
                                 f"new samples {'yes' if _fresh(mon, name) else 'no'})")
    return (f"follows a container that stops: {'yes' if stopped else 'NO'}; "
            f"that starts again (status running, new samples): {'yes' if running else 'NO'}{detail}")


def _fresh(mon, name) -> bool:
    s = mon.sampler.series(name)
    return bool(s) and s[-1][0] > time.time() - 3


def _wait(cond, timeout: float = 15.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.2)
    return False


if __name__ == "__main__":
    sys.exit(main())
