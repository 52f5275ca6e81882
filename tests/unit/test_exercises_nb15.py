"""Lesson 15's checks, judged against stand-in labs: right and wrong images, the retry rule, the predict."""
from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pandas as pd
import pytest

from dockerlab import errors as E
from dockerlab.exercises import nb15

ME = {"org.dockerlab.owner": "me", "org.dockerlab.managed": "true"}


@pytest.fixture(autouse=True)
def _own_progress_file(progress_file):
    return progress_file


class ImageLab:
    """One image ``ref`` (its inspect), what running it prints, what its layers and history hold."""

    owner = "me"

    def __init__(self, ref, *, size=1_000_000, user="", labels=ME, out="", code=0, holding=(), history="",
                 can=("build", "save")):
        self.images = {ref: {"Id": "sha256:x", "Size": size, "Config": {"User": user, "Labels": dict(labels)}}}
        self.out, self.code, self.holding, self._can = out, code, list(holding), set(can)
        self.removed, self.runs = [], []
        self.engine = SimpleNamespace(inspect_image=self._inspect,
                                      history=lambda ref: [{"CreatedBy": history}])

    def _inspect(self, ref):
        if ref not in self.images:
            raise E.ImageNotFound(f"No such image: {ref}", image=ref)
        return self.images[ref]

    def can(self, feature):
        return feature in self._can

    def quietly(self, record=True):
        return contextlib.nullcontext()

    def run(self, ref, command=None, rm=False):
        self.runs.append(command)
        return SimpleNamespace(output=self.out, exit_code=self.code)

    def remove_image(self, ref, force=False):
        self.removed.append(ref)
        self.images.pop(ref)

    def layers_holding(self, ref, text):
        return pd.DataFrame(self.holding, columns=["LAYER", "CREATED BY", "FILE"])


SMALL = "nb15-ex/small:v2"


@pytest.mark.parametrize("lab, ok, removed", [
    (ImageLab(SMALL, out="hello from version 2.0, built in a stage of its own\n"), True, False),
    (ImageLab(SMALL, size=9_999_999, out="version 2.0\n"), True, False),
    (ImageLab(SMALL, size=33_000_000, out="version 2.0\n"), False, True),
    (ImageLab(SMALL, out="hello from version 1.0\n"), False, True),
    (ImageLab(SMALL, out="version 1.0\n", labels={}), False, False),  # not the learner's: left alone
    (ImageLab("other:v1"), False, False), (ImageLab(SMALL, out="version 2.0", can=()), False, False),
])
def test_check_small(lab, ok, removed):
    v = nb15.check_small(lab, SMALL)
    assert v.ok is ok and (v.hint or ok) and bool(lab.removed) is removed, repr(v)
    if removed:
        assert "The check removed nb15-ex/small:v2" in v.reason


USER = "nb15-ex/user:v1"


@pytest.mark.parametrize("user, out, code, ok", [
    ("1000", "1000\n", 0, True), ("app", "1000\n", 0, True), ("nobody:nogroup", "65534\n", 0, True),
    ("", "0\n", 0, False), ("root", "0\n", 0, False), ("0:0", "0\n", 0, False), ("toor", "0\n", 0, False),
    ("app", "sh: id: not found\n", 127, False),
])
def test_check_not_root(user, out, code, ok):
    lab = ImageLab(USER, user=user, out=out, code=code)
    v = nb15.check_not_root(lab, USER)
    assert v.ok is ok and (ok or (v.hint and lab.removed == [USER])), repr(v)


def test_check_not_root_without_an_image_is_no_try_yet():
    v = nb15.check_not_root(ImageLab("x"), USER)
    assert not v.ok and not v.tried and "lab.build" in v.hint


SECRET_REF = "nb15-ex/secret:v1"


@pytest.fixture
def secret(tmp_path):
    f = tmp_path / "token.txt"
    f.write_text("nb15-unit-token-123\n")
    return str(f)


@pytest.mark.parametrize("kw, ok", [
    ({"out": "20\n"}, True),
    ({"out": "20\n", "holding": [(2, "COPY token.txt /token.txt", "/token.txt")]}, False),
    ({"out": "20\n", "history": "RUN |1 TOKEN=nb15-unit-token-123 /bin/sh -c true"}, False),
    ({"out": "cat: can't open '/token-length'\n", "code": 1}, False), ({"out": "0\n"}, False),
])
def test_check_no_secret(secret, kw, ok):
    lab = ImageLab(SECRET_REF, **kw)
    v = nb15.check_no_secret(lab, SECRET_REF, secret)
    assert v.ok is ok and (ok or (v.hint and lab.removed)), repr(v)
    assert "nb15-unit-token-123" not in repr(v)


@pytest.mark.parametrize("guess, observed, ok", [
    (True, True, True), ("yes", True, True), ("True", True, True), (False, True, False), ("no", True, False),
    ("maybe", True, False), (1, True, False), (False, False, True),
])
def test_compare_rm(guess, observed, ok):
    assert nb15.compare_rm(guess, observed)[0] is ok


def test_predict_rm_builds_only_after_a_prediction_and_removes_its_image():
    calls = []

    class Lab:
        owner = "me"

        def can(self, f):
            return True

        def build(self, text, tag, quiet=False):
            calls.append(("build", tag))

        def find_in_layers(self, ref, path):
            return pd.DataFrame({"FILE": ["", "written", "deleted"]})

        def remove_image(self, ref):
            calls.append(("rmi", ref))

    assert not nb15.predict_rm(Lab(), ...).tried and calls == []
    v = nb15.predict_rm(Lab(), True)
    assert v.ok and calls == [("build", "nb15-guess/rm:v1"), ("rmi", "nb15-guess/rm:v1")]
