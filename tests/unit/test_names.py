"""dockerlab.names: learners' names on a shared engine (pure logic, and the lab's hooks on a fake engine)."""
import pytest

from dockerlab import errors as E
from dockerlab import names


def test_qualify_and_unqualify_round_trip():
    assert names.qualify("nb05-web", "alice") == "alice-nb05-web"
    assert names.qualify("alice-nb05-web", "alice") == "alice-nb05-web"  # already the learner's
    assert names.unqualify("alice-nb05-web", "alice") == "nb05-web"
    assert names.unqualify("bob-nb05-web", "alice") == "bob-nb05-web"  # another learner's stays whole
    assert names.unqualify("alice-", "alice") == "alice-"


def test_an_owner_with_characters_a_name_cannot_hold_is_made_safe():
    assert names.prefix("ann@example.org") == "ann-example.org-"
    assert names.qualify("web", "@@") == "learner-web"


@pytest.mark.parametrize("env,info,want", [
    ({}, {}, False),                                                   # a laptop: plain names
    ({"JUPYTERHUB_USER": "a"}, {"SecurityOptions": ["name=seccomp"]}, True),   # hub user, shared engine
    ({"JUPYTERHUB_USER": "a"}, {"SecurityOptions": ["name=rootless"]}, False),  # hub user, own engine
    ({"DOCKERLAB_QUALIFY_NAMES": "1"}, {}, True),
    ({"DOCKERLAB_QUALIFY_NAMES": "0", "JUPYTERHUB_USER": "a"}, {"SecurityOptions": []}, False),
])
def test_decide(env, info, want):
    assert names.decide(env, lambda: info) is want


def test_decide_asks_the_engine_only_for_a_hub_user():
    def boom():
        raise AssertionError("asked the engine")
    assert names.decide({}, boom) is False
    assert names.decide({"DOCKERLAB_QUALIFY_NAMES": "1"}, boom) is True


def _gate(containers, owner="alice"):
    """The gate (which applies the names) over a fake engine holding ``containers``."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from dockerlab import guards
    from dockerlab.gate import Gate
    from fake_engine import FakeEngine

    class Engine(FakeEngine):
        def __init__(self):
            super().__init__()
            self.asked = []

        def inspect_container(self, ref):
            self.asked.append(ref)
            if ref in containers:
                return containers[ref]
            raise E.ContainerNotFound(f"No such container: {ref}", container=ref)

    eng = Engine()
    return Gate(eng, owner=owner, settings=guards.Policy(allow_owner_choice=True)), eng


def test_the_gate_gives_a_learner_their_own(monkeypatch):
    monkeypatch.setenv("DOCKERLAB_QUALIFY_NAMES", "1")
    gate, _ = _gate({"alice-nb05-web": {"Id": "a", "Name": "/alice-nb05-web"}, "bob-nb05-web": {"Name": "/bob-nb05-web"},
                     "plain": {"Id": "p", "Name": "/plain"}})
    said = []
    assert gate.new_name("nb05-web", say=said.append) == "alice-nb05-web"
    assert "start with 'alice-'" in said[0]  # the learner is told which names are theirs, once
    assert gate.new_name(None) is None
    assert gate.look("nb05-web", "inspect").inspected["Name"] == "/alice-nb05-web"
    assert gate.look("plain", "inspect").inspected["Name"] == "/plain"  # not the learner's: found as given
    with pytest.raises(E.ContainerNotFound):
        gate.look("nothing", "inspect")
    gate.new_name("x", say=said.append)
    assert len(said) == 1


def test_off_the_gate_changes_no_name(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_QUALIFY_NAMES", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    gate, eng = _gate({"nb05-web": {"Id": "n", "Name": "/nb05-web"}})
    said = []
    assert gate.new_name("nb05-web", say=said.append) == "nb05-web"
    assert gate.look("nb05-web", "inspect").inspected["Name"] == "/nb05-web"
    assert eng.asked == ["nb05-web"] and said == []
