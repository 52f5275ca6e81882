"""Checks for 09-containers-vs-vms: reading your own measurements, the shared kernel, and a limit that is
not a reservation (predict, then run)."""
from __future__ import annotations

import math
import statistics

from . import Verdict, blank, exercise, failed, measure_in_container, no_answer, passed, predict, predicting


MEDIAN = "nb09.median"
KERNEL = "nb09.kernel"


@exercise(MEDIAN, "the median start time")
def check_median_ms(answer, times_s) -> "Verdict":
    """``answer``: the median of ``times_s`` (seconds), in milliseconds."""
    if answer is None or blank(answer):
        return no_answer(MEDIAN, "there is no answer yet: replace the ... with a number of milliseconds.",
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


@exercise(KERNEL, "the shared kernel")
def check_kernel(answer, lab=None, *, engine_release: str | None = None) -> "Verdict":
    """``answer``: the kernel release a container from ubuntu reports (``uname -r``): the ENGINE's kernel.

    The truth is what the engine says of its host (``docker info`` -> Kernel Version), not the
    machine that runs Python: with Docker Desktop or a remote engine those differ.
    """
    if answer is None or blank(answer):
        return no_answer(KERNEL, "there is no answer yet: replace the ... with a string.",
                      "run uname -r in a container: lab.run('ubuntu', 'uname -r', rm=True)")
    if engine_release is None:
        if lab is None:
            return failed(KERNEL, "the check needs the lab to ask the engine.", "nb09.check_kernel(answer, lab)")
        engine_release = str(lab.engine.info().get("KernelVersion", ""))
    text = str(getattr(answer, "output", answer)).strip()
    if text == engine_release.strip():
        return passed(KERNEL, f"{text}: the engine's own kernel (docker info says so too); the ubuntu container "
                      "brought its files, not a kernel.")
    if text.lower().startswith(("alpine", "ubuntu", "debian", "busybox")) or text.count(".") < 1:
        return failed(KERNEL, f"{text!r} is not a kernel release.", "uname -r prints the kernel's release, like 6.1.0-13-amd64")
    return failed(KERNEL, f"{text!r} is not the release the container reports here.",
                  "run it: lab.run('ubuntu', 'uname -r', rm=True).output.strip()")


PREDICT_USED = "nb09.predict-used"

#: how far from the measured figure a prediction may be: this many MiB, or half the figure if that is more
USED_TOLERANCE_MIB = 2.0


def compare_used_mib(guess, used_mib: float, limit_mib: float = 1024.0):
    """A prediction of the memory an idle ``sleep`` container uses under ``--memory 1g``: right if within
    USED_TOLERANCE_MIB (or half the figure) of what the engine measured. The limit is a ceiling, not a size."""
    if isinstance(guess, bool) or not isinstance(guess, (int, float)) or math.isnan(guess):
        return False, "predict a number: the MiB docker stats will show in MEM USAGE"
    if guess < 0:
        return False, "memory in use is never negative"
    tol = max(USED_TOLERANCE_MIB, used_mib / 2)
    if abs(guess - used_mib) <= tol:
        return True, (f"(within {tol:g} MiB counts as right) --memory is a ceiling (the cgroup's memory.max), not a "
                      "size: nothing is set aside, and the container is charged only for the pages its processes touch.")
    if guess >= 0.1 * limit_mib:
        return False, ("that is the size of a limit, not of a use: --memory is the most the container may use, the "
                       "kernel sets nothing aside for it, and sleep touches very little")
    if guess > used_mib:
        return False, "less: sleep and its few pages are all the container is; look at nb09-idle's MEM USAGE above"
    return False, "more: every process has some pages of its own (its code, its stack), and the engine measured more"


@predicting(PREDICT_USED, "predict: the memory a 1 GiB limit uses")
def predict_used_mib(lab, prediction, name: str = "nb09-guess", memory: str = "1g"):
    """Predict, then run: ``docker run -d --memory 1g alpine sleep 600``; how many MiB will docker stats show it using?"""
    def action():
        return measure_in_container(lab, name, "sleep 600",
                                    lambda n: round(float(lab.stats(n)["MEM USAGE (MiB)"].iloc[0]), 2),
                                    cannot="memory", memory=memory)

    def compare(guess, used):
        from ..refs import parse_memory

        return compare_used_mib(guess, used, parse_memory(memory) / 2**20)

    return predict(PREDICT_USED, prediction, action, compare, owner=getattr(lab, "owner", None))
