"""Checks for 07-stats: the CLI's CPU % formula, and limits on a container."""
from __future__ import annotations

import math

from . import Verdict, blank, discard, exercise, failed, measure_in_container, no_answer, passed, predict, predicting


CPU = "nb07.cpu-percent"
LIMITS = "nb07.limits"

#: The numbers the exercise gives (nanoseconds), and the answer they lead to.
CPU_DELTA = 500_000_000       # the container ran 0.5 s of CPU time...
SYSTEM_DELTA = 2_000_000_000  # ...while all CPUs together advanced 2 s (1 s of wall time x 2 CPUs)
ONLINE_CPUS = 2
CPU_ANSWER = CPU_DELTA / SYSTEM_DELTA * ONLINE_CPUS * 100  # 50.0


@exercise(CPU, "CPU % by hand")
def check_cpu_percent(answer) -> "Verdict":
    """CPU % as `docker stats` computes it from the numbers above."""
    if answer is None or blank(answer):
        return no_answer(CPU, "there is no answer yet: replace the ... with a number.",
                      "cpu_delta / system_delta x online_cpus x 100")
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or math.isnan(answer):
        return failed(CPU, f"the answer should be a number, not {type(answer).__name__}.", "for example 12.5")
    if abs(answer - CPU_ANSWER) < 0.5:
        return passed(CPU, "Half of one CPU: docker stats would show 50.00%.")
    if abs(answer - CPU_DELTA / SYSTEM_DELTA * 100) < 0.5:
        return failed(CPU, f"{answer:g} is the share of the whole machine (both CPUs); docker stats counts in "
                      "CPUs, so 100 % is one full CPU.", "multiply by online_cpus")
    if abs(answer - CPU_ANSWER / 100) < 0.005:
        return failed(CPU, f"{answer:g} is a fraction of one CPU, not a percentage.", "multiply by 100")
    if abs(answer - CPU_DELTA / SYSTEM_DELTA) < 0.005 or abs(answer - CPU_DELTA / SYSTEM_DELTA * ONLINE_CPUS) < 0.005:
        return failed(CPU, f"{answer:g} is a fraction, not a percentage.", "x online_cpus x 100")
    return failed(CPU, f"{answer:g} is not what the formula gives for these numbers.",
                  "cpu_delta / system_delta x online_cpus x 100, with the deltas in nanoseconds")


@exercise(LIMITS, "limits")
def check_limits(lab, name: str = "nb07-ex", *, cpus: float = 0.25, memory_mib: int = 32) -> "Verdict":
    """A running container ``name`` limited to ``cpus`` CPUs and ``memory_mib`` MiB."""
    from ..errors import ContainerNotFound

    try:
        d = lab.engine.inspect_container(name)  # through the gate: your own name first
    except ContainerNotFound:
        return no_answer(LIMITS, f"there is no container named {name!r} yet.",
                      f"lab.run(..., name={name!r}, detach=True, cpus=..., memory=...)")
    hc = d.get("HostConfig") or {}
    state = (d.get("State") or {}).get("Status", "")
    got_cpus = (hc.get("NanoCpus") or 0) / 1e9
    if not got_cpus and hc.get("CpuQuota") and hc.get("CpuPeriod"):
        got_cpus = hc["CpuQuota"] / hc["CpuPeriod"]
    got_mem = hc.get("Memory") or 0
    # limits are set when a container is made: a wrong one is removed, and the name is free again
    if not got_cpus:
        return discard(lab, LIMITS, name, f"{name} has no CPU limit.", f"pass cpus={cpus:g} (the CLI's --cpus {cpus:g})")
    if abs(got_cpus - cpus) > 1e-6:
        return discard(lab, LIMITS, name, f"{name} may use {got_cpus:g} CPUs, not {cpus:g}.",
                       f"cpus={cpus:g} means a quarter of one CPU")
    if got_mem != memory_mib * 2**20:
        have = f"{got_mem / 2**20:g} MiB" if got_mem else "no limit"
        return discard(lab, LIMITS, name, f"{name}'s memory limit is {have}, not {memory_mib} MiB.",
                       f'memory="{memory_mib}m" (the CLI\'s --memory {memory_mib}m; m means MiB)')
    if state != "running":
        return discard(lab, LIMITS, name, f"the limits are right, but {name} is {state}, not running.",
                       "give it a command that keeps running, e.g. sleep 600, and detach=True")
    return passed(LIMITS, f"{name} runs with --cpus {cpus:g} --memory {memory_mib}m.")


PREDICT_CPU = "nb07.predict-cpu"


#: how far from the figure a prediction may be, in points of CPU %: the verdict states it
CPU_TOLERANCE = 3.0


def compare_cpu(guess, measured: float, cap: float = 25.0):
    """A prediction of CPU % for an endless loop under ``--cpus 0.25``: right if within CPU_TOLERANCE points
    of what the engine measured, or of the cap when the engine measured less (a busy machine gives less)."""
    if isinstance(guess, bool) or not isinstance(guess, (int, float)) or math.isnan(guess):
        return False, "predict a number: the CPU % docker stats will show"
    tol = CPU_TOLERANCE
    if abs(guess - measured) <= tol or (abs(guess - cap) <= tol and measured <= cap + tol):
        return True, (f"(within {tol:g} points counts as right) --cpus 0.25 = 25 ms of CPU time in every 100 ms: "
                      "a loop that would take a whole CPU (100 %) gets a quarter of one.")
    if abs(guess - cap / 2) <= tol:
        return False, "docker stats counts in CPUs (100 % = one CPU), not in shares of the whole machine"
    if guess >= 90:
        return False, "the loop wants a whole CPU (100 %), but the limit lets it run only part of each 100 ms"
    return False, (f"--cpus 0.25 lets it run a quarter of one CPU; a prediction counts as right within {tol:g} points "
                   "of what the engine measured")


@predicting(PREDICT_CPU, "predict: CPU % under --cpus 0.25")
def predict_cpu(lab, prediction, name: str = "nb07-guess"):
    """Predict, then run: an endless loop with --cpus 0.25; what CPU % will docker stats show?"""

    def action():  # CPU % over 2 s: 20 periods of the 100 ms CFS quota, within 1.3 points
        return measure_in_container(lab, name, ["sh", "-c", "while :; do :; done"],
                                    lambda n: round(float(lab.stats(n, interval=2.0)["CPU %"].iloc[0]), 1),
                                    cannot="CPU", cpus=0.25)

    return predict(PREDICT_CPU, prediction, action, compare_cpu, owner=getattr(lab, "owner", None))
