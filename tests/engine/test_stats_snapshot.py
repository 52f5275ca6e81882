"""How lab.stats() takes its snapshot: one listing to find the containers, one stats
stream each, and no stream at all for a container that is not running (the CLI shows
zeros for it). Counted in Engine API calls, not timed."""
from __future__ import annotations

import pytest

from dockerlab import errors as E


def _paths(trace, method="GET"):
    return [p.split("?")[0] for m, p, _ in trace.calls if m == method]


@pytest.mark.parametrize("source", ["engine", "kernel"])
def test_stats_of_three_containers_lists_once_and_opens_one_stream_each(lab, source):
    """Through the Engine API: one stats stream each. From the kernel's files (beside a local engine):
    no stats request and no inspect at all (the drivers' usual cgroup paths are found first)."""
    names = [f"sn-{i}" for i in range(3)]
    for n in names:
        lab.run("alpine", "sleep 300", name=n, detach=True)
    with lab.api_calls() as trace:
        df = lab.stats(names, source=source)
    assert list(df["NAME"]) == names and df.attrs["source"] == source
    paths = _paths(trace)
    assert sum(p.endswith("/containers/json") for p in paths) == 1
    assert sum(p.endswith("/stats") for p in paths) == (3 if source == "engine" else 0)
    assert not any(p.endswith("/json") and "/containers/" in p and not p.endswith("/containers/json")
                   for p in paths), paths  # no inspect per container
    assert (df["MEM USAGE (MiB)"] > 0).all() and (df["PIDS"] >= 1).all()


def test_a_stopped_container_shows_zeros_without_a_stream(lab):
    lab.run("alpine", "true", name="sn-done")
    with lab.api_calls() as trace:
        df = lab.stats("sn-done")
    row = df.iloc[0]
    assert row["NAME"] == "sn-done" and row["CPU %"] == 0 and row["MEM USAGE (MiB)"] == 0 and row["PIDS"] == 0
    assert not any(p.endswith("/stats") for p in _paths(trace))
    assert lab.history[-1] == "docker stats --no-stream sn-done"


def test_stats_by_full_id_and_by_id_prefix(lab):
    c = lab.run("alpine", "sleep 300", name="sn-id", detach=True)
    for ref in (c.id, c.id[:12]):
        df = lab.stats(ref)
        assert list(df["NAME"]) == ["sn-id"] and df.iloc[0]["CONTAINER ID"] == c.id[:12]


def test_stats_of_an_unknown_name_says_so(lab):
    with pytest.raises(E.ContainerNotFound) as ei:
        lab.stats(["sn-nosuch-container"])
    assert "sn-nosuch-container" in str(ei.value)
