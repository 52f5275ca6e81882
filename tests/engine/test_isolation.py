"""Two learners on one real engine: alice and bob cannot see, stop, remove, exec in
or clean up each other's containers through the kit."""
from __future__ import annotations

import uuid

import pytest

from dockerlab import errors as E
from dockerlab import labels
from dockerlab.lab import Lab
from tests.engine.raw import raw


@pytest.fixture
def pair(engine_lab):
    tag = uuid.uuid4().hex[:8]
    alice = Lab(raw(engine_lab), owner=f"iso-alice-{tag}", session=f"isoa{tag}", show_cli=False)
    bob = Lab(raw(engine_lab), owner=f"iso-bob-{tag}", session=f"isob{tag}", show_cli=False)
    yield alice, bob, tag
    for lab in (alice, bob):
        for c in raw(engine_lab).containers(all=True, filters={"label": [f"{labels.SESSION}={lab.session}"]}):
            try:
                raw(engine_lab).remove(c["Id"], force=True)
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


def test_no_read_path_widget_or_error_shows_another_learners_containers(pair):
    """Issue 15: bob reads through every path the kit has, and nothing of alice's comes back
    (no name, no id, no owner, no environment), only refusals that echo what bob typed."""
    import threading

    from dockerlab.sampler import Sampler
    from dockerlab.widgets import ContainerTable, Monitor

    alice, bob, tag = pair
    a = alice.run("alpine", "sleep 300", name=f"iso-r-a-{tag}", detach=True, env={"SECRET": f"s3cr3t{tag}"})
    b = bob.run("alpine", "sleep 300", name=f"iso-r-b-{tag}", detach=True)

    def leaks(text) -> bool:
        text = str(text)
        return a.name in text or a.id[:12] in text or alice.owner in text or f"s3cr3t{tag}" in text

    seen = []
    for scope in ("kit", "engine"):  # the wide scopes ("mine" and "session" are the tests above)
        seen += [bob.ps(all=True, scope=scope).to_string(), bob.stats(scope=scope).to_string()]
        t = ContainerTable(bob, all=True, scope=scope)
        seen.append(t.shown)
        assert b.name in t.names and a.name not in t.names
        t.close()
    seen += [bob.rest("/containers/json", all=1), bob.rest("/system/df"), bob.engine.containers(all=True),
             bob.engine.df()]
    refusals = [lambda: bob.rest(f"/containers/{a.id}/json"), lambda: bob.rest(f"/containers/{a.name}/top"),
                lambda: bob.rest(f"/containers/{a.id}/stats", stream="false"), lambda: bob.stats(a.name),
                lambda: bob.logs(a.name), lambda: bob.engine.inspect_container(a.id),
                lambda: bob.engine.logs(a.id), lambda: bob.engine.stats(a.id, stream=False)]
    for look in refusals:
        with pytest.raises(E.NotOwned) as ei:
            look()
        e = ei.value
        seen.append(e.what.replace(a.name, "").replace(a.id, "") + e.state + e.hint + e.owner)
    # the 272 one- and two-character id prefixes: no error names a container or its owner
    hexd = "0123456789abcdef"
    for prefix in list(hexd) + [x + y for x in hexd for y in hexd]:
        try:
            got = bob.container(prefix)
            seen.append(repr(got) + got.owner)
        except E.DockerLabError as e:
            seen.append(e.what.replace(prefix, "", 1) + e.state + e.hint + getattr(e, "owner", "")
                        + getattr(e, "container", "").replace(prefix, "", 1))
    with pytest.raises(E.NameConflict) as ei:
        bob.run("alpine", "true", name=a.name)
    seen.append(str(ei.value).replace(a.name, "") + ei.value.existing_id)
    # the sampler and the monitor, asked for alice's container by name and by id prefix
    s = Sampler(bob, [a.name, a.id[:10]]).start()
    try:
        assert s.active_streams == 0 and set(s.status.values()) == {"not found"}
        seen.append(" ".join(s.notes).replace(a.name, "").replace(a.id[:10], ""))
    finally:
        s.stop()
    m = Monitor(bob, [a.name]).start()
    try:
        assert m.sampler.active_streams == 0 and m.sampler.status == {a.name: "not found"}
    finally:
        m.stop()
    # the events bob follows carry none of alice's
    stream = bob.engine.events_stream(since=None, filters={"type": ["container"], "event": ["start"]})
    got = []
    reader = threading.Thread(target=lambda: got.extend(ev for _, ev in zip(range(1), stream)), daemon=True)
    reader.start()
    alice.run("alpine", "true", rm=True)
    c = bob.run("alpine", "sleep 5", detach=True)
    reader.join(20)
    stream.close()
    assert got and (got[0].get("Actor") or {}).get("ID") == c.id
    rep = bob.cleanup("kit", confirm=True)
    seen.append(repr(rep))
    assert len(rep.skipped) == 1 and rep.skipped[0][0].endswith("of other learners")  # counted, not named
    assert not [s for s in seen if leaks(s)], [s for s in seen if leaks(s)][:3]
    assert alice.container(a.name).state == "running"
