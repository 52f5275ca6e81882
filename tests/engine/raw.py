"""The tests' own reach past a lab's gate: the raw engine backend behind ``lab``, to set up what a
learner cannot (a container the kit did not make, another learner's) and to look without the policy.
Only tests do this; ``tests/unit/test_one_door.py`` checks that no module of the kit does."""
from __future__ import annotations


def raw(lab):
    gate = lab._gate
    return gate._Gate__engine


def remove_labelled(engine, label: str) -> None:
    """Remove, on the raw ``engine``, every container with ``label`` ("KEY=VALUE"), then every network
    and volume with it (a Compose project's too): what a test or a learner's scenario left."""
    import contextlib

    flt = {"label": [label]}
    for c in engine.containers(all=True, filters=flt):
        with contextlib.suppress(Exception):
            engine.remove(c["Id"], force=True)
    for n in engine.networks(filters=flt) if "networks" in engine.features else []:
        with contextlib.suppress(Exception):
            engine.remove_network(n["Id"])
    for v in engine.volumes(filters=flt) if "volumes" in engine.features else []:
        with contextlib.suppress(Exception):
            engine.remove_volume(v["Name"], force=True)
