"""Races a class on one shared engine lives through: another learner's cleanup removes an image
between this learner's pull and create (the lesson 05 race, seen with five learners at once)."""
import io

import pytest

from dockerlab import errors as E
from dockerlab.engine.progress import Progress
from dockerlab.lab import Lab

from .fake_engine import FakeEngine

REF = "127.0.0.1:5000/library/busybox:latest"


class _Classmate(FakeEngine):
    """A registry behind pull, and a classmate whose `docker rmi` lands right after the first
    ``removals`` pulls (between this learner's pull and create)."""

    def __init__(self, removals):
        super().__init__()
        self.removals, self.pulls = removals, 0

    def pull(self, repository, tag):
        self.pulls += 1
        self._images[f"{repository}:{tag}"] = "sha256:" + "b" * 64
        if self.pulls <= self.removals:
            self.remove_image(f"{repository}:{tag}")
        return iter([Progress(status=f"Status: Downloaded newer image for {repository}:{tag}")])


def _lab(engine):
    out = io.StringIO()
    return Lab(engine, owner="alice", session="s1", show_cli=True, out=out), out


@pytest.mark.parametrize("how", ["run", "create"])
def test_an_image_removed_between_pull_and_create_is_pulled_again(how):
    eng = _Classmate(removals=1)
    lab, out = _lab(eng)
    got = getattr(lab, how)(REF, "sleep 5", detach=True) if how == "run" else lab.create(REF, "sleep 5")
    assert eng.pulls == 2 and got.name
    assert "removed between the pull and the create" in out.getvalue()
    assert "another learner's cleanup" in out.getvalue()


def test_a_race_lost_every_time_ends_in_a_clear_error_and_leaves_nothing():
    eng = _Classmate(removals=99)
    lab, _ = _lab(eng)
    with pytest.raises(E.ImageNotFound) as ei:
        lab.run(REF, "echo hi")
    assert eng.pulls == 3  # bounded: no endless tug of war with a classmate
    assert "pulled 3 times" in str(ei.value) and "engine of your own" in str(ei.value)
    assert lab.ps(all=True).empty
