"""Small measurements for 09-containers-vs-vms: how long a plain host process takes, beside a container.

A lesson that says "a process starts in a few milliseconds" measures it: :func:`process_start_times`
runs ``/bin/true`` (the program a container's ``true`` runs too) straight from Python, without a shell
and without a container, and times its whole life (fork, exec, exit, wait), as the lesson times a
container's whole life with ``docker run --rm``.
"""
from __future__ import annotations

import math
import statistics
import subprocess
import time


def time_runs(action, times: int = 10) -> list[float]:
    """Call ``action()`` ``times`` times; the seconds each call took (``time.perf_counter``)."""
    took = []
    for _ in range(times):
        t0 = time.perf_counter()
        action()
        took.append(time.perf_counter() - t0)
    return took


def process_start_times(argv=("/bin/true",), times: int = 10) -> list[float]:
    """Seconds for each of ``times`` runs of a plain host process, started without a shell and waited for."""
    argv = [argv] if isinstance(argv, str) else list(argv)
    return time_runs(lambda: subprocess.run(argv, check=True, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), times)


def median_ms(times_s) -> float:
    """The median of ``times_s`` (seconds), in milliseconds."""
    return statistics.median(times_s) * 1000


def ms(value: float) -> str:
    """Milliseconds as the lessons print them: one decimal below 10 ms (a process), none above (a container)."""
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def spread(times_s) -> str:
    """``median 1.2 ms, fastest 0.9 ms, slowest 2.5 ms`` for times in seconds."""
    got = [t * 1000 for t in times_s]
    return f"median {ms(statistics.median(got))}, fastest {ms(min(got))}, slowest {ms(max(got))}"


def lesson_numbers(*, container_ms: float, process_ms: float, idle_mib: float, limit_mib: float,
                   shim_mib: float):
    """09's own figures in one table, each saying what it is: a time, memory used, or memory allotted."""
    import pandas as pd

    def mib(x, digits):
        return "not visible here" if x is None or math.isnan(x) else f"{x:.{digits}f} MiB"

    rows = [
        ("a whole docker run --rm alpine true (median)", ms(container_ms), "time: API calls + engine + process"),
        ("a plain host process, /bin/true (median)", ms(process_ms), "time: fork, exec, exit, wait"),
        ("an idle container's memory (its cgroup)", mib(idle_mib, 2), "used"),
        ("its containerd-shim, its own memory (USS)", mib(shim_mib, 1), "used, on the host, outside the cgroup"),
        ("the container's memory limit (--memory)", mib(limit_mib, 0), "allotted: a ceiling, nothing set aside"),
    ]
    return pd.DataFrame(rows, columns=["measured here", "value", "what it is"])
