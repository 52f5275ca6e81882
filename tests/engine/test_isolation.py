"""Two learners on one real engine: alice and bob cannot see, stop, remove, exec in
or clean up each other's containers through the kit."""
from __future__ import annotations

import uuid

import pytest

from dockerlab import errors as E
from dockerlab import labels
from dockerlab.lab import Lab


@pytest.fixture
def pair(engine_lab):
    tag = uuid.uuid4().hex[:8]
    alice = Lab(engine_lab._engine, owner=f"iso-alice-{tag}", session=f"isoa{tag}", show_cli=False)
    bob = Lab(engine_lab._engine, owner=f"iso-bob-{tag}", session=f"isob{tag}", show_cli=False)
    yield alice, bob, tag
    for lab in (alice, bob):
        for c in engine_lab._engine.containers(all=True, filters={"label": [f"{labels.SESSION}={lab.session}"]}):
            try:
                engine_lab._engine.remove(c["Id"], force=True)
            except E.DockerLabError:
                pass


def _running(lab, name):
    return lab.engine.inspect_container(name)["State"]["Status"] == "running"


def test_two_learners_cannot_touch_each_other(pair):
    alice, bob, tag = pair
    a = alice.run("alpine", "sleep 300", name=f"iso-a-{tag}", detach=True)
    b = bob.run("alpine", "sleep 300", name=f"iso-b-{tag}", detach=True)
    assert a.owner == alice.owner and b.owner == bob.owner

    # cannot see: tables and stats show only one's own
    assert list(alice.ps()["NAMES"]) == [a.name]
    assert list(bob.ps(all=True)["NAMES"]) == [b.name]
    assert list(alice.stats()["NAME"]) == [a.name]
    assert list(bob.stats()["NAME"]) == [b.name]
    # ...and asking by name is refused, not answered
    for look in (lambda: bob.stats(a.name), lambda: bob.logs(a.name), lambda: bob.container(a.name)):
        with pytest.raises(E.NotOwned) as ei:
            look()
        # refused, saying it is another learner's: never whose (the owner) nor more than bob typed
        assert ei.value.owner == "" and alice.owner not in str(ei.value) and "another learner" in str(ei.value)

    # cannot act: each refusal echoes what bob typed, and the container keeps running
    for act in (lambda: bob.stop(a.name), lambda: bob.kill(a.name), lambda: bob.restart(a.name),
                lambda: bob.remove(a.name, force=True), lambda: bob.exec(a.name, "echo hi"),
                lambda: bob.start(a.name)):
        with pytest.raises(E.NotOwned) as ei:
            act()
        assert ei.value.container == a.name and ei.value.hint
    # confirm=True alone is not enough: a teacher must also allow it (DOCKERLAB_ALLOW_OTHERS=1)
    with pytest.raises(E.NotOwned):
        bob.remove(a.name, force=True, confirm=True)
    assert _running(alice, a.name)

    # cannot clean up: bob's cleanups take only bob's
    rep = bob.cleanup("mine")
    assert rep.removed == [b.name]
    assert _running(alice, a.name)
    with pytest.raises(E.ConfirmationRequired):
        bob.cleanup("kit")
    assert _running(alice, a.name)

    # alice still owns hers: she can exec and stop it
    assert alice.exec(a.name, "echo hi").output.strip() == "hi"
    assert alice.stop(a.name, timeout=1).state == "exited"
    assert alice.cleanup("session").removed == [a.name]


def test_the_teacher_can_act_on_others_only_when_allowed(pair, teacher):
    alice, bob, tag = pair
    a = alice.run("alpine", "sleep 300", name=f"iso-t-{tag}", detach=True)
    teacher(ALLOW_OTHERS="1")
    with pytest.raises(E.NotOwned):  # allowed, but not confirmed
        bob.stop(a.name, timeout=1)
    assert bob.stop(a.name, timeout=1, confirm=True).state == "exited"


def test_the_running_cap_counts_only_ones_own(pair, teacher):
    alice, bob, tag = pair
    teacher(MAX_RUNNING="1")
    alice.run("alpine", "sleep 300", name=f"iso-c1-{tag}", detach=True)
    with pytest.raises(E.GuardRefused) as ei:
        alice.run("alpine", "sleep 300", name=f"iso-c2-{tag}", detach=True)
    assert ei.value.guard == "max_running"
    assert alice.ps()["NAMES"].tolist() == [f"iso-c1-{tag}"]  # nothing was created
    # bob is not blocked by alice's container
    bob.run("alpine", "sleep 300", name=f"iso-c3-{tag}", detach=True)


def test_guards_refuse_on_the_real_engine_and_create_nothing(pair):
    alice, _, tag = pair
    for kw in ({"privileged": True}, {"network": "host"}, {"pid": "host"},
               {"volumes": ["/var/run/docker.sock:/var/run/docker.sock"]}, {"volumes": ["/:/host"]}):
        with pytest.raises(E.GuardRefused):
            alice.run("alpine", "true", name=f"iso-g-{tag}", **kw)
    assert alice.ps(all=True).empty
    # the defaults are in force on what is launched
    c = alice.run("alpine", "sleep 30", name=f"iso-g-{tag}", detach=True)
    hc = alice.engine.inspect_container(c.id)["HostConfig"]
    assert (hc["Memory"], hc["NanoCpus"], hc["PidsLimit"]) == (512 * 1024**2, 10**9, 256)
