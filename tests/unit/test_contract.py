"""The engine contract (dockerlab/engine/contract.py): the Docker Engine backend, the udocker
backend, the unit tests' fake and lab.engine (the guarded view) all provide it, and ``features``
is the truth that lab.can() reads."""
from __future__ import annotations

import pytest

from dockerlab.engine import contract
from dockerlab.engine.docker_engine import DockerEngine
from dockerlab.engine.udocker_engine import UdockerEngine
from dockerlab.guarded import GuardedEngine
from dockerlab.lab import Lab

from .fake_engine import FakeEngine


def _guarded():
    return Lab(FakeEngine(), show_cli=False).engine


@pytest.mark.parametrize("engine", [DockerEngine, UdockerEngine, FakeEngine(), "guarded"],
                         ids=["docker", "udocker", "fake", "guarded"])
def test_every_engine_provides_the_contract(engine):
    engine = _guarded() if engine == "guarded" else engine
    assert contract.problems(engine) == []


def test_the_contract_lists_each_method_once_and_a_departure_is_seen():
    assert len(contract.METHODS) == len(set(contract.METHODS)) >= 30

    class Partial(FakeEngine):
        features = frozenset({"pause", "teleport"})

        def stop(self, ref):  # lost its timeout
            pass

    del_ = set(contract.problems(Partial()))
    assert "unknown features ['teleport']" in del_ and "stop() lacks timeout" in del_


def test_features_are_the_truth():
    assert "pause" in DockerEngine.FEATURES  # lab.can("pause") was False on Docker, where pause works (with cgroups)
    assert "limits" in DockerEngine.FEATURES and "limits" not in UdockerEngine.features
    lab = Lab(FakeEngine(), show_cli=False)
    assert lab.can("pause") and not lab.can("teleport")
    assert isinstance(lab.engine, GuardedEngine) and isinstance(FakeEngine(), contract.Engine)
