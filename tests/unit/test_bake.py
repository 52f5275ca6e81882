"""`dockerlab bake` (binder/postBuild): where each lesson image comes from, in order, and saying so."""
from __future__ import annotations

import re

import pytest
from pathlib import Path

from dockerlab import bake
from dockerlab.engine.progress import Progress

ROOT = Path(__file__).resolve().parents[2]


class Store:
    """Pure logic only: a stand-in for the udocker engine's pull/load/tag/remove_image."""

    def __init__(self, serves=()):
        self.serves, self.images, self.calls = set(serves), set(), []

    def pull(self, repository, tag):
        self.calls.append(("pull", repository))
        if repository in self.serves:
            self.images.add(f"{repository}:{tag}")
            yield Progress(status=f"Status: Downloaded newer image for {repository}:{tag}")
        else:
            yield Progress(error=f"dial tcp: lookup {repository.split('/')[0]}: no such host")

    def load_images(self, data):  # the contract's `docker load`, given the open archive
        self.images.add(Path(data.name).stem + ":latest")

    def tag(self, image, repository, tag):
        assert image in self.images
        self.images.add(f"{repository}:{tag}")

    def remove_image(self, ref):
        self.images.remove(ref)


def test_archives_first_then_google_mirror_then_docker_hub(tmp_path):
    (tmp_path / "alpine.tar").write_bytes(b"")
    store = Store(serves={"mirror.gcr.io/library/ubuntu", "busybox"})
    said = []
    missing = bake.bake(store, ("alpine", "ubuntu", "busybox", "hello-world"), archives=tmp_path, say=said.append)
    assert store.images == {"alpine:latest", "ubuntu:latest", "busybox:latest"}  # under the names lessons use
    assert missing == ["hello-world"]
    assert said[0] == f"alpine:latest: loaded from the archive {tmp_path / 'alpine.tar'}"
    assert said[1].startswith("ubuntu:latest: pulled from mirror.gcr.io")
    assert "busybox:latest: pulled from Docker Hub" in said
    assert any(s.startswith("hello-world:latest: NOT baked") for s in said)
    assert ("pull", "mirror.gcr.io/library/busybox") in store.calls  # the mirror is always tried first


@pytest.mark.parametrize("script", ["provision-engine", "provision-udocker"])
def test_the_lesson_images_are_the_stand_ins(script):
    # the stand-ins built, the archives saved for udocker, and the images bake loads: one list
    text = (ROOT / "scripts" / script).read_text()
    standins = re.search(r"^STANDINS=\(([^)]*)\)", text, re.M).group(1).split()
    assert tuple(standins) == bake.LESSON_IMAGES


def test_postbuild_bakes_and_start_sets_the_same_store():
    post = (ROOT / "binder/postBuild").read_text()
    assert "bash binder/start python -m dockerlab bake" in post  # with binder/start's UDOCKER_DIR
