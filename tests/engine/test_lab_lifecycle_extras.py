"""Lab.create / pause / unpause / tag / system_df (added for notebooks 06, 08, 10) on the real engine."""
from __future__ import annotations

import uuid

import pytest

from dockerlab import errors as E


def test_create_pause_unpause_states(lab, capsys):
    name = f"nbx-{uuid.uuid4().hex[:8]}"
    c = lab.create("alpine", "sleep 60", name=name)
    assert c.state == "created" and c.name == name
    assert lab.start(name).state == "running"
    assert lab.pause(name).state == "paused"
    assert lab.unpause(name).state == "running"
    assert lab.stop(name, timeout=0).state == "exited"
    out = capsys.readouterr().out
    assert f"$ docker create --name {name} --memory 512m --memory-swap 512m --cpus 1 --pids-limit 256 alpine sleep 60" in out
    assert f"$ docker pause {name}" in out and f"$ docker unpause {name}" in out
    # created containers carry the kit's labels, so the session cleanup finds them
    assert name in lab.cleanup().removed


def test_pause_refuses_a_container_the_kit_did_not_make(lab):
    with pytest.raises(E.ContainerNotFound):
        lab.pause(f"nbx-missing-{uuid.uuid4().hex[:6]}")


def test_tag_is_a_name_not_a_copy(lab):
    ref = f"nbx-{uuid.uuid4().hex[:8]}/alpine:t1"
    try:
        img = lab.tag("alpine", ref)
        assert img.id == lab._image("alpine").id
        assert lab.remove_image(ref) == [ref]  # only untagged: alpine keeps the image
        assert lab._has_image("alpine")
    finally:
        if lab._has_image(ref):
            lab.remove_image(ref)


def test_tag_of_a_missing_image(lab):
    with pytest.raises(E.ImageNotFound):
        lab.tag(f"nbx-no-such-{uuid.uuid4().hex[:6]}", "nbx/whatever:1")


def test_system_df_frame_from_the_engine(lab, capsys):
    df = lab.system_df()
    assert "$ docker system df" in capsys.readouterr().out
    assert list(df["TYPE"]) == ["Images", "Containers", "Local Volumes", "Build Cache"]
    images = df.set_index("TYPE").loc["Images"]
    assert images["TOTAL"] >= 4 and 0 <= images["RECLAIMABLE (B)"] <= images["SIZE (B)"]
