"""The classroom the engine-per-learner tests share (test_classroom.py, then test_classroom_hostile.py):
one hub, N learners and a teacher, made once per session and removed after, even when a test fails.
DOCKERLAB_CLASSROOM_PREFIX names its accounts (default dlcown; a second classroom on the same
machine needs a prefix of its own)."""
from __future__ import annotations

import os

import pytest

from .harness import Room, provision


@pytest.fixture(scope="session")
def room():
    if os.geteuid() != 0:
        pytest.skip("the classroom makes Linux accounts: needs root")
    provision()
    r = Room(learners=int(os.environ.get("DOCKERLAB_CLASSROOM_LEARNERS", "2")),
             prefix=os.environ.get("DOCKERLAB_CLASSROOM_PREFIX", "dlcown"))
    r.fresh()  # a classroom left by a killed run: gone first
    try:
        r.spawn_seconds = r.up()
        yield r
    finally:
        r.down()
