"""09's own measurements: a plain host process timed like a container, and the lesson's figures in one table."""
from __future__ import annotations

import math
import subprocess

import pytest

from dockerlab import timing


def test_time_runs_calls_the_action_and_times_each_call(monkeypatch):
    clock = iter([1.0, 1.5, 2.0, 2.25, 3.0, 3.001])
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(clock))
    calls = []
    got = timing.time_runs(lambda: calls.append(1), times=3)
    assert calls == [1, 1, 1] and got == pytest.approx([0.5, 0.25, 0.001])


def test_a_plain_process_is_timed_without_a_shell(monkeypatch):
    seen = []
    monkeypatch.setattr(timing.subprocess, "run", lambda argv, **kw: seen.append((argv, kw)))
    assert len(timing.process_start_times("/bin/true", times=4)) == 4
    argv, kw = seen[0]
    assert argv == ["/bin/true"] and kw["check"] and "shell" not in kw and kw["stdout"] is subprocess.DEVNULL


def test_a_real_process_starts_and_ends_in_well_under_a_second():
    times = timing.process_start_times(times=3)
    assert len(times) == 3 and all(0 < t < 1 for t in times)


def test_a_failing_process_is_an_error_not_a_time():
    with pytest.raises(subprocess.CalledProcessError):
        timing.process_start_times(["/bin/false"], times=1)


def test_milliseconds_as_the_lesson_prints_them():
    assert timing.median_ms([0.001, 0.003, 0.002]) == pytest.approx(2.0)
    assert timing.ms(1.234) == "1.2 ms" and timing.ms(248.4) == "248 ms" and timing.ms(9.96) == "10.0 ms"
    assert timing.spread([0.0012, 0.0009, 0.0025]) == "median 1.2 ms, fastest 0.9 ms, slowest 2.5 ms"
    assert timing.spread([0.248, 0.219, 0.270]) == "median 248 ms, fastest 219 ms, slowest 270 ms"


def test_the_lesson_numbers_say_which_is_used_and_which_is_allotted():
    df = timing.lesson_numbers(container_ms=248, process_ms=1.2, idle_mib=0.57, limit_mib=512, shim_mib=2.6)
    by = dict(zip(df["measured here"], zip(df["value"], df["what it is"])))
    assert by["its containerd-shim, its own memory (USS)"] == ("2.6 MiB", "used, on the host, outside the cgroup")
    assert by["the container's memory limit (--memory)"][0] == "512 MiB"
    assert by["the container's memory limit (--memory)"][1].startswith("allotted")
    assert by["an idle container's memory (its cgroup)"] == ("0.57 MiB", "used")
    assert by["a plain host process, /bin/true (median)"][0] == "1.2 ms"
    gone = timing.lesson_numbers(container_ms=248, process_ms=1.2, idle_mib=0.57, limit_mib=512, shim_mib=math.nan)
    assert "not visible here" in gone["value"].tolist()
