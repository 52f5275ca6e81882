"""Checks for 09-containers-vs-vms: reading your own measurements, and the shared kernel."""
from __future__ import annotations

import math
import platform
import statistics

from . import Verdict, failed, passed


MEDIAN = "nb09.median"
KERNEL = "nb09.kernel"


def check_median_ms(answer, times_s) -> "Verdict":
    """``answer``: the median of ``times_s`` (seconds), in milliseconds."""
    if answer is Ellipsis or answer is None:
        return failed(MEDIAN, "there is no answer yet: replace the ... with a number of milliseconds.",
                      "statistics.median(start_times) is in seconds")
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or math.isnan(answer):
        return failed(MEDIAN, f"the answer should be a number, not {type(answer).__name__}.", "for example 420.5")
    times = [float(t) for t in times_s or []]
    if not times:
        return failed(MEDIAN, "there are no measured times to compare with.", "run the measuring cell first")
    want = statistics.median(times) * 1000
    close = lambda x: abs(x - want) <= max(1.0, 0.01 * want)  # noqa: E731
    if close(answer):
        return passed(MEDIAN, f"The median start-and-finish time is {want:.0f} ms.")
    if close(answer * 1000):
        return failed(MEDIAN, f"{answer:g} looks like seconds.", "multiply by 1000 for milliseconds")
    mean = statistics.mean(times) * 1000
    if abs(answer - mean) <= max(1.0, 0.01 * mean) and not close(mean):
        return failed(MEDIAN, f"{answer:g} ms is the mean (the average), not the median.",
                      "the median is the middle value once sorted: statistics.median")
    return failed(MEDIAN, f"{answer:g} ms is not the median of the measured times.",
                  "statistics.median(start_times) * 1000")


def check_kernel(answer, host_release: str | None = None) -> "Verdict":
    """``answer``: the kernel release a container reports (``uname -r``): the host's own."""
    host = host_release if host_release is not None else platform.release()
    if answer is Ellipsis or answer is None:
        return failed(KERNEL, "there is no answer yet: replace the ... with a string.",
                      "run uname -r in a container: lab.run('alpine', 'uname -r')")
    text = str(getattr(answer, "output", answer)).strip()
    if text == host:
        return passed(KERNEL, f"{text}: the container runs on the host's kernel; there is no other kernel.")
    if text.lower().startswith(("alpine", "ubuntu", "debian", "busybox")) or text.count(".") < 1:
        return failed(KERNEL, f"{text!r} is not a kernel release.", "uname -r prints the kernel's release, like 6.1.0-13-amd64")
    return failed(KERNEL, f"{text!r} is not the release the container reports here.",
                  "run it: lab.run('alpine', 'uname -r').output.strip()")
