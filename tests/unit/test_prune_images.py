"""Lab.prune_images: only the learner's own dangling images, unless the whole engine is confirmed."""
from __future__ import annotations

import pytest

from dockerlab import errors as E
from dockerlab.lab import Lab


class FakeEngine:
    kind = "docker"

    class endpoint:  # what the Lab reads of where the engine is
        url = "unix:///fake/docker.sock"

    def __init__(self):
        self.removed = []
        self.list = [
            {"Id": "sha256:" + "a" * 64, "RepoTags": ["alpine:latest"], "Labels": None},
            {"Id": "sha256:" + "b" * 64, "RepoTags": ["<none>:<none>"], "Labels": {"org.dockerlab.owner": "ann"}},
            {"Id": "sha256:" + "c" * 64, "RepoTags": None, "Labels": {"org.dockerlab.owner": "bob"}},
            {"Id": "sha256:" + "d" * 64, "RepoTags": [], "Labels": {}},  # a dangling image nobody labelled
        ]

    def version(self):
        return {"Version": "29.0.0", "ApiVersion": "1.52"}

    def images(self, *, name=None, all=False):
        return [im for im in self.list if im["Id"] not in self.removed]

    def remove_image(self, ref, *, force=False):
        self.removed.append(ref)
        return [{"Deleted": ref}]


def lab(owner="ann"):
    the = Lab(engine := FakeEngine(), owner=owner, show_cli=True)
    the.fake = engine  # the test's own handle on its fake engine (the lab keeps it behind its gate)
    return the


def test_by_default_only_mine(capsys):
    the = lab()
    assert the.prune_images() == ["b" * 12]
    assert capsys.readouterr().out.strip() == "$ docker image prune -f --filter label=org.dockerlab.owner=ann"


def test_the_whole_engine_needs_confirm():
    the = lab()
    with pytest.raises(E.ConfirmationRequired) as err:
        the.prune_images("engine")
    assert "Nothing was removed" in str(err.value) and the.fake.removed == []
    assert the.prune_images("engine", confirm=True) == ["b" * 12, "c" * 12, "d" * 12]


def test_an_unknown_scope_is_refused():
    with pytest.raises(E.DockerLabError):
        lab().prune_images("everything")
