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


class _Engine:
    def __init__(self, containers):
        self.containers = containers
        self.asked = []

    def info(self):
        return {"SecurityOptions": []}

    def inspect_container(self, ref):
        self.asked.append(ref)
        if ref in self.containers:
            return self.containers[ref]
        raise E.ContainerNotFound(f"No such container: {ref}", container=ref)


class _Lab:
    def __init__(self, engine, owner="alice"):
        self.engine, self.owner, self.said = engine, owner, []

    def _say(self, text):
        self.said.append(text)


def test_the_lab_hooks_give_a_learner_their_own(monkeypatch):
    monkeypatch.setenv("DOCKERLAB_QUALIFY_NAMES", "1")
    eng = _Engine({"alice-nb05-web": {"Name": "/alice-nb05-web"}, "bob-nb05-web": {"Name": "/bob-nb05-web"},
                   "plain": {"Name": "/plain"}})
    lab = _Lab(eng)
    assert names.for_new(lab, "nb05-web") == "alice-nb05-web"
    assert "start with 'alice-'" in lab.said[0]  # the learner is told which names are theirs, once
    assert names.for_new(lab, None) is None
    assert names.inspect(lab, "nb05-web")["Name"] == "/alice-nb05-web"
    assert names.inspect(lab, "plain")["Name"] == "/plain"  # not the learner's: found as given
    with pytest.raises(E.ContainerNotFound):
        names.inspect(lab, "nothing")
    assert len(lab.said) == 1


def test_off_the_lab_hooks_change_nothing(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_QUALIFY_NAMES", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    eng = _Engine({"nb05-web": {"Name": "/nb05-web"}})
    lab = _Lab(eng)
    assert names.for_new(lab, "nb05-web") == "nb05-web"
    assert names.inspect(lab, "nb05-web")["Name"] == "/nb05-web"
    assert eng.asked == ["nb05-web"] and lab.said == []

