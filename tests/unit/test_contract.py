"""The engine contract (dockerlab/engine/contract.py) is a base class: the Docker Engine backend,
the udocker backend and the unit tests' fake inherit it, a subclass that departs from it is refused
when it is defined, a missing feature's methods raise NotAvailableOnEngine, and ``features`` is the
truth that lab.can() reads. ``lab.engine`` (the gate's view) offers the same methods."""
from __future__ import annotations

import pytest

from dockerlab import errors as E
from dockerlab.engine import contract
from dockerlab.engine.docker_engine import DockerEngine
from dockerlab.engine.udocker import UdockerEngine
from dockerlab.guarded import GuardedEngine
from dockerlab.lab import Lab

from .fake_engine import FakeEngine


@pytest.mark.parametrize("engine", [DockerEngine, UdockerEngine, FakeEngine], ids=["docker", "udocker", "fake"])
def test_every_engine_inherits_the_contract_and_keeps_it(engine):
    assert issubclass(engine, contract.Engine)
    assert contract.problems(engine) == []


def test_a_departure_is_refused_when_the_class_is_defined():
    with pytest.raises(TypeError) as ei:
        class Partial(FakeEngine):  # noqa: F841
            FEATURES = frozenset({"pause", "teleport"})

            def stop(self, ref):  # lost its timeout
                pass
    said = str(ei.value)
    assert "Partial departs from the engine contract" in said
    assert "unknown features ['teleport']" in said and "stop() lacks timeout" in said

    with pytest.raises(TypeError, match="lists 'build' but has no method build"):
        class Builder(FakeEngine):  # noqa: F841
            FEATURES = FakeEngine.FEATURES | {"build"}

    with pytest.raises(TypeError, match="no method ping"):
        class Empty(contract.Engine):  # noqa: F841
            kind = "empty"


def test_a_missing_feature_raises_not_available_with_the_engines_reason():
    class NoVolumes(FakeEngine):
        FEATURES = FakeEngine.FEATURES - {"volumes"}
        LIMITATIONS = {"volumes": "this test engine keeps none"}
        create_volume = volumes = inspect_volume = remove_volume = contract.Engine.volumes

    eng = NoVolumes()
    with pytest.raises(E.NotAvailableOnEngine) as ei:
        eng.volumes()
    assert ei.value.feature == "volumes" and "because this test engine keeps none" in ei.value.what
    assert not eng.can("volumes") and eng.limitations == {"volumes": "this test engine keeps none"}
    with pytest.raises(E.InvalidReference):
        eng.can("teleport")


def test_features_are_the_truth():
    assert "pause" in DockerEngine.FEATURES  # lab.can("pause") was False on Docker, where pause works (with cgroups)
    assert "limits" in DockerEngine.FEATURES and "limits" not in UdockerEngine.FEATURES
    assert "cgroup-files" in DockerEngine.FEATURES and "cgroup-files" not in UdockerEngine.FEATURES
    lab = Lab(FakeEngine(), show_cli=False)
    assert lab.can("pause") and not lab.can("teleport")
    assert isinstance(lab.engine, GuardedEngine)


def test_the_gates_view_offers_every_method_of_the_contract():
    view = Lab(FakeEngine(), show_cli=False).engine
    missing = [m for m in contract.METHODS if not callable(getattr(view, m, None))]
    assert missing == []
    with pytest.raises(AttributeError):
        view.api  # noqa: B018  (the SDK client is not offered)
