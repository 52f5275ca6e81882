"""What `lab.run(..., detach=True)` asks the engine: like `docker run -d`, it creates and
starts at once (a missing image is found out by the create, then pulled); the engine's
CPU count is asked only when a CPU limit needs checking. Counted in API calls, not timed."""
from __future__ import annotations

import pytest

from dockerlab import errors as E


def _calls(trace):
    return [(m, p.split("?")[0]) for m, p, _ in trace.calls]


def test_a_detached_run_creates_and_starts_without_asking_for_info_or_the_image(lab):
    with lab.api_calls() as trace:
        c = lab.run("alpine", "sleep 300", name="rc-plain", detach=True)
    assert c.state == "running"
    calls = _calls(trace)
    assert not any(p.endswith("/info") for _, p in calls), calls
    assert not any("/images/" in p for _, p in calls), calls
    assert [m for m, p in calls if p.endswith("/containers/create")] == ["POST"]
    assert sum(p.endswith("/start") for _, p in calls) == 1


def test_a_cpu_limit_beyond_the_engine_is_refused(lab):
    with pytest.raises(E.InvalidReference) as ei:
        lab.run("alpine", "true", cpus=4096, detach=True)
    assert "CPUs of the engine" in str(ei.value)
    assert lab.ps(all=True, scope="session").empty  # nothing was created
