"""The tests' own reach past a lab's gate: the raw engine backend behind ``lab``, to set up what a
learner cannot (a container the kit did not make, another learner's) and to look without the policy.
Only tests do this; ``tests/unit/test_one_door.py`` checks that no module of the kit does."""
from __future__ import annotations


def raw(lab):
    gate = lab._gate
    return gate._Gate__engine
