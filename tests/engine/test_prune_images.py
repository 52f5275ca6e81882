"""lab.prune_images() on a real engine: the learner's own dangling image goes, another's stays."""
from __future__ import annotations

import io

import pytest

from dockerlab import errors as E
from tests.engine.raw import raw


def build(api, tag: str, owner: str, salt: str) -> str:
    dockerfile = f"FROM alpine\nLABEL org.dockerlab.owner={owner} salt={salt}\n".encode()
    for _ in api.build(fileobj=io.BytesIO(dockerfile), tag=tag, rm=True, decode=True):
        pass
    return api.inspect_image(tag)["Id"]


def test_prune_images_removes_only_mine(lab):
    api = raw(lab).api
    other = "someone-else-" + lab.session
    tag = f"i19-prune-{lab.session}:v"
    made = []
    try:
        mine_old = build(api, tag, lab.owner, "1")
        made.append(mine_old)
        made.append(build(api, tag, lab.owner, "2"))  # the tag moves: mine_old is dangling now
        theirs_old = build(api, tag, other, "3")
        made.append(theirs_old)
        made.append(build(api, tag, other, "4"))      # theirs_old is dangling too
        removed = lab.prune_images()
        assert mine_old.split(":")[-1][:12] in removed
        assert theirs_old.split(":")[-1][:12] not in removed
        with pytest.raises(E.ImageNotFound):
            lab.engine.inspect_image(mine_old)
        assert lab.engine.inspect_image(theirs_old)["Id"] == theirs_old
    finally:
        for ref in [tag] + made[::-1]:
            try:
                api.remove_image(ref, force=True)
            except Exception:
                pass
