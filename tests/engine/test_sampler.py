"""The live stats sampler against a real engine: one stream per container, events followed,
removal survived. Every container here carries the test's session label and is reaped."""
from __future__ import annotations

import time

import pytest

from dockerlab import errors as E
from tests.engine.waiting import unique_name, wait_until
from dockerlab.sampler import REMOVED, RUNNING, STOPPED, Sampler

BUSY = ["sh", "-c", "while :; do :; done"]



def _stats_requests(lab, cid):
    return [c for c in list(lab.engine.calls) if c[1].split("?")[0].endswith(f"/containers/{cid}/stats")]


@pytest.mark.parametrize("source", ["auto", "engine"])
def test_busy_beats_idle_and_removal_is_survived(lab, source, monkeypatch):
    monkeypatch.setenv("DOCKERLAB_STATS_SOURCE", source)
    busy = lab.run("alpine", BUSY, name=unique_name("busy"), detach=True, cpus=0.5)
    idle = lab.run("alpine", "sleep 300", name=unique_name("idle"), detach=True)
    s = Sampler(lab, [busy.name, idle.name]).start()
    try:
        assert wait_until(lambda: len(s.series(busy.name)) >= 2 and len(s.series(idle.name)) >= 2, 15)
        lab.remove(idle.name, force=True)
        assert wait_until(lambda: s.status.get(idle.name) == REMOVED, 10), s.notes
        n = len(s.series(busy.name))
        assert wait_until(lambda: len(s.series(busy.name)) >= n + 2, 10)  # still sampling the other one
        df = s.frame()
        cpu = df.groupby("name")["cpu %"].mean()
        # a shared, busy machine may give the loop little CPU: "higher" is what is checked, clearly
        assert cpu[busy.name] > 2 and cpu[busy.name] > 5 * cpu[idle.name], cpu
        assert (df[df["name"] == busy.name]["cpu %"] <= 75).all()  # --cpus 0.5 caps it near 50 %, not 100
        assert df["mem MiB"].gt(0).all() and s.status[busy.name] == RUNNING
        assert any(f"{idle.name} was removed" in n for n in s.notes)
        # long-lived streams (no re-opening on a timer: a stream gives a point from its second sample on,
        # so one stream per point would open at least as many streams as there are points); a stream the
        # engine broke under load is reopened, which is fine. None at all when the kernel's files answer.
        via = s.sources[busy.name]
        assert via == ("engine" if source == "engine" else "kernel")  # the test engine runs here, as root
        opened, points = len(_stats_requests(lab, busy.id)), len(s.series(busy.name))
        if via == "engine":
            assert 1 <= opened < points, (opened, points, s.notes)
        else:
            assert opened == 0
    finally:
        s.stop()
    assert s.active_streams == 0


def test_follows_containers_started_and_stopped_later(lab):
    s = Sampler(lab, scope="session").start()
    try:
        c = lab.run("alpine", "sleep 300", name=unique_name("late"), detach=True)
        assert wait_until(lambda: len(s.series(c.name)) >= 2, 10), (s.status, s.notes)
        lab.kill(c.name)
        assert wait_until(lambda: s.status.get(c.name) == STOPPED, 10), s.notes
        assert wait_until(lambda: s.active_streams == 0, 5)  # its stream closed with it
        lab.start(c.name)
        n = len(s.series(c.name))
        assert wait_until(lambda: len(s.series(c.name)) > n + 1, 10), s.notes
        assert s.status[c.name] == RUNNING and f"{c.name} started" in s.notes
    finally:
        s.stop()
    assert s.active_streams == 0 and not s.started


def test_unknown_and_stopped_containers_are_reported(lab, tmp_path):
    done = lab.run("alpine", "true", name=unique_name("done"))
    s = Sampler(lab, [done.container.name, "wdg-no-such-container"]).start()
    try:
        assert s.status == {done.container.name: STOPPED, "wdg-no-such-container": "not found"}
        assert any("no container named 'wdg-no-such-container'" in n for n in s.notes)
        assert s.frame().empty and s.to_csv(tmp_path / "x.csv").startswith("time,name")
    finally:
        s.stop()


def test_bad_arguments_are_friendly(lab):
    with pytest.raises(E.InvalidReference, match="by name"):
        Sampler(lab, [None])
    with pytest.raises(E.InvalidReference, match="maxlen"):
        Sampler(lab, ["x"], maxlen=0)


def test_a_container_restarted_at_once_is_shown_running_again(lab):
    from dockerlab.sampler import Sampler

    c = lab.run("alpine", "sleep 300", name=f"smp-restart-{lab.session}", detach=True)
    s = Sampler(lab, [c.name]).start()
    try:
        assert wait_until(lambda: len(s.series(c.name)) >= 1, 15)
        lab.restart(c.name, timeout=0)  # stop and start within a second
        deadline = time.time() + 10
        while time.time() < deadline and s.status.get(c.name) != "running":
            time.sleep(0.2)
        time.sleep(1.5)
        assert s.status[c.name] == "running", s.notes
    finally:
        s.stop()
