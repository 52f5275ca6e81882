"""lab.build (and its cache), lab.image_history, lab.push to the classroom registry, and volumes
that outlive their containers, on a real engine. Every image, tag and volume made here is removed."""
from __future__ import annotations

import re
import uuid

import pytest

from dockerlab.lab import Lab

from dockerlab import errors as E
from dockerlab import labels
from tests.engine.raw import raw


@pytest.fixture
def built(lab):
    """Names this test builds or tags; removed afterwards."""
    made: list[str] = []
    yield made
    for ref in made:
        try:
            lab.engine.remove_image(ref, force=True)
        except E.DockerLabError:
            pass


def _context(tmp_path, message: str):
    (tmp_path / "Dockerfile").write_text('FROM alpine\nCOPY hello.sh /hello.sh\nRUN chmod +x /hello.sh\n'
                                         'CMD ["/hello.sh"]\n')
    (tmp_path / "hello.sh").write_text(f"#!/bin/sh\necho {message}\n")
    return str(tmp_path)


def test_build_runs_and_a_rebuild_comes_from_the_cache(lab, built, tmp_path, capsys):
    token = uuid.uuid4().hex[:6]  # in the script: no earlier run's cache can match
    tag = f"dltest/hello-{token}:v1"
    built.append(tag)
    first = lab.build(_context(tmp_path, f"one-{token}"), tag=tag)
    out = capsys.readouterr().out
    if first.builder == "buildkit":  # what `docker build` prints on Docker 23 and later
        assert re.search(r"#\d+ \[1/3\] FROM docker\.io/library/alpine", out) and f"naming to docker.io/{tag} done" in out
    else:
        assert "Step 1/6 : FROM alpine" in out and "Successfully tagged " + tag in out
    assert first.builder == lab.builder
    # FROM alone is kept (BuildKit 0.29 names the tag it resolved, Docker 20.10's BuildKit and the classic
    # builder say it as the Dockerfile does)
    assert first.cached in (["FROM alpine"], ["FROM alpine:latest"]), first.cached
    assert first.id.startswith("sha256:")
    img = lab.engine.inspect_image(tag)
    assert img["Config"]["Labels"][labels.OWNER] == lab.owner and labels.is_managed(img["Config"]["Labels"])
    assert lab.run(tag, rm=True).output == f"one-{token}\n"

    layers = lab.engine.inspect_image(tag)["RootFS"]["Layers"]
    again = lab.build(_context(tmp_path, f"one-{token}"), tag=tag)
    # every step from the cache (" ---> Using cache", BuildKit's "CACHED"): the very same layers. (On the
    # containerd store the image id can differ all the same: buildx attaches a provenance attestation
    # made at build time to the image's index, and the id is the index's digest.)
    assert again.cached == [s for s, _ in again.steps] and again.rebuilt == []
    assert lab.engine.inspect_image(tag)["RootFS"]["Layers"] == layers
    if lab.info().image_store == "classic":
        assert again.id == first.id

    changed = lab.build(_context(tmp_path, f"two-{token}"), tag=tag)  # the COPYed file changed
    assert changed.id != first.id
    assert changed.cached == [changed.steps[0][0]] and "COPY hello.sh /hello.sh" in changed.rebuilt
    assert lab.run(tag, rm=True).output == f"two-{token}\n"

    hist = lab.image_history(tag)
    assert list(hist.columns[:4]) == ["IMAGE", "CREATED", "CREATED BY", "SIZE"]
    assert hist["CREATED BY"].str.contains("COPY file:" if first.builder == "classic" else "COPY hello.sh").any()
    assert hist["CREATED BY"].str.contains("chmod").any()
    assert len(hist) > len(lab.image_history("alpine"))


def test_build_failure_names_the_step(lab, built):
    tag = f"dltest/broken-{uuid.uuid4().hex[:6]}:v1"
    built.append(tag)
    with pytest.raises(E.BuildFailed) as ei:
        lab.build("FROM alpine\nRUN exit 3\n", tag=tag)
    # the classic builder's words, or BuildKit's
    # the classic builder's words, BuildKit's (Docker 23+), or the older BuildKit of Docker 20.10
    assert ei.value.step == "RUN exit 3" and re.search(r"non-zero code: 3|exit code: 3", str(ei.value))
    assert "RUN step failed" in ei.value.hint
    with pytest.raises(E.InvalidReference):
        lab.build("no-such-folder-here", tag=tag)


def test_push_to_the_classroom_registry(lab, built):
    if not lab.registry:
        pytest.skip("this engine has no classroom registry (mirror)")
    name = f"dltest/pushed-{uuid.uuid4().hex[:6]}"
    built.extend([f"{name}:v1", f"{lab.registry}/{name}:v1"])
    lab.build("FROM busybox\nCMD [\"echo\", \"pushed\"]\n", tag=f"{name}:v1", quiet=True)
    lab.tag(f"{name}:v1", f"{lab.registry}/{name}:v1")
    digest = lab.push(f"{lab.registry}/{name}:v1")
    assert digest.startswith("sha256:")
    with pytest.raises(E.InvalidReference):
        lab.push(f"{name}:v1")  # no registry in the name: it would go to Docker Hub
    # the registry has it: remove the local copies and pull it back
    lab.engine.remove_image(f"{lab.registry}/{name}:v1")
    lab.pull(f"{lab.registry}/{name}:v1", quiet=True)
    assert lab.run(f"{lab.registry}/{name}:v1", rm=True).output == "pushed\n"


def test_a_named_volume_outlives_its_container(lab, tmp_path, monkeypatch):
    if not lab.can("volumes"):
        pytest.skip("no named volumes on this engine")
    vol = f"dltest-{uuid.uuid4().hex[:6]}"
    try:
        lab.run("alpine", "sh -c 'echo kept > /data/f'", volumes=[f"{vol}:/data"], name=f"{vol}-w")
        v = lab.engine.inspect_volume(vol)
        assert v["Labels"][labels.OWNER] == lab.owner  # created by the kit, labelled
        lab.remove(f"{vol}-w")
        assert lab.run("alpine", "cat /data/f", volumes=f"{vol}:/data", rm=True).output == "kept\n"
        assert vol in set(lab.volumes()["VOLUME NAME"])
        # a bind mount: the folder itself
        monkeypatch.chdir(tmp_path)  # a lab connected here: its working folder is a place bind mounts may come from
        here = Lab(lab.engine, lesson=lab.lesson, session=lab.session, owner=lab.owner, show_cli=False)
        (tmp_path / "files").mkdir()
        assert here.run("alpine", "sh -c 'echo bound > /d/g'", volumes=["./files:/d"], rm=True).exit_code == 0
        assert (tmp_path / "files" / "g").read_text() == "bound\n"
        # in use: refused, with a hint; then removed
        lab.run("alpine", "sleep 30", volumes=[f"{vol}:/data"], name=f"{vol}-u", detach=True)
        with pytest.raises(E.VolumeInUse):
            lab.volume_remove(vol)
        lab.remove(f"{vol}-u", force=True)
        assert lab.cleanup(volumes=True).volumes_removed == [vol]
        with pytest.raises(E.VolumeNotFound):
            lab.volume_inspect(vol)
    finally:
        try:
            raw(lab).remove_volume(vol, force=True)
        except E.DockerLabError:
            pass
