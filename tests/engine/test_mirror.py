"""The classroom mirror, on real parts: a registry on 127.0.0.1:5055 (not the shared
5000), a second dockerd whose only registry mirror it is, and no network at all."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dockerlab import errors as E
from dockerlab import mirror
from tests.engine.raw import raw

sys.path.insert(0, os.path.dirname(__file__))  # the helper beside this file, whatever pytest's import mode
from second_engine import MIRROR_PORT, SecondEngine

CACHE_PORT = MIRROR_PORT + 2


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    return tmp_path_factory.mktemp("mirror-state")


@pytest.fixture(scope="module")
def started(state, engine_lab):
    """`dockerlab mirror start` as a teacher types it (offline mirror, seeded)."""
    rc = mirror.main(["start", "--port", str(MIRROR_PORT), "--state", str(state), "alpine", "busybox"])
    assert rc == 0
    yield mirror.Mirror(port=MIRROR_PORT, state=state)
    mirror.main(["stop", "--port", str(MIRROR_PORT), "--state", str(state)])


@pytest.fixture(scope="module")
def second(started):
    se = SecondEngine()
    try:
        se.setup()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        se.teardown()
        pytest.skip(f"cannot start a second dockerd here: {e}")
    yield se
    se.teardown()


def test_start_seeds_and_prints_the_daemon_setting(started, state, capsys):
    assert started.answers()
    assert {"library/alpine", "library/busybox"} <= set(started.catalog())
    assert started.has("library/alpine") and not started.has("library/ubuntu")
    assert (state / "registry.pid").exists() and (state / "config.yml").read_text().count("rootdirectory") == 1
    # starting again finds it running and says so
    assert "already runs" in started.start()
    assert mirror.main(["config", "--port", str(MIRROR_PORT), "--host", "10.0.0.5"]) == 0
    out = capsys.readouterr().out
    cfg = json.loads(out[out.index("{"):out.rindex("}") + 1])
    assert cfg == {"registry-mirrors": ["http://10.0.0.5:5055"], "insecure-registries": ["10.0.0.5:5055"]}
    assert mirror.main(["status", "--port", str(MIRROR_PORT), "--state", str(state)]) == 0
    out = capsys.readouterr().out
    assert "library/alpine" in out and "library/busybox" in out and "does not use it" in out  # the shared engine uses 5000
    # the seeding left no extra names on the teacher's engine
    assert not [t for im in started_engine_images() for t in im if f":{MIRROR_PORT}/" in t]


def started_engine_images():
    import dockerlab

    return [im.get("RepoTags") or [] for im in dockerlab.connect(show_cli=False).engine.images()]


def test_the_mirror_serves_a_pull_with_no_other_registry(second, started):
    lab = second.lab(owner="mir-learner", session="mirtest")
    assert mirror.engine_mirrors(lab.info()) == [started.local_url]
    assert not lab.images().shape[0]  # a learner's fresh engine: nothing local
    img = lab.pull("alpine", quiet=True)  # Docker Hub's name; the mirror answers
    assert img.ref == "alpine:latest"
    assert lab.run("alpine", "echo from-the-mirror", rm=True).output.strip() == "from-the-mirror"
    # an image the mirror lacks: the classic store asks Docker Hub next, which is unreachable here;
    # containerd's store takes the mirror's "not found" as the answer
    if lab.info().image_store == "classic":
        with pytest.raises(E.RegistryUnreachable) as ei:
            lab.pull("ubuntu", quiet=True)
        assert "registry-1.docker.io" in ei.value.what or "docker.io" in str(ei.value)
    else:
        with pytest.raises(E.ImageNotFound) as ei:
            lab.pull("ubuntu", quiet=True)
        assert "docker.io/library/ubuntu:latest: not found" in str(ei.value)
    lab.cleanup("session")


def test_pull_through_cache_fills_itself(tmp_path, second, started):
    # a cache whose upstream is the offline mirror: the same path as a cache of Docker Hub, offline
    cache = mirror.Mirror(port=CACHE_PORT, state=tmp_path / "cache", proxy=started.local_url)
    try:
        assert "pull-through cache" in cache.start()
        assert "remoteurl: " + started.local_url in (tmp_path / "cache" / "config.yml").read_text()
        with pytest.raises(mirror.MirrorError) as ei:
            cache.seed(second.lab().engine, ["alpine"])
        assert "cannot be seeded" in ei.value.what and ei.value.hint
        lab = second.lab(owner="mir-cache", session="mircache")
        img = lab.pull(f"127.0.0.1:{CACHE_PORT}/library/busybox", quiet=True)
        assert img.size > 0
        assert cache.catalog() == ["library/busybox"]  # it kept what was pulled through it
        lab.remove_image(f"127.0.0.1:{CACHE_PORT}/library/busybox:latest")
    finally:
        cache.stop()


def test_export_import_one_archive(tmp_path, second, engine_lab, capsys):
    archive = tmp_path / "lessons.tar.gz"
    assert mirror.main(["export", str(archive), "alpine", "busybox", "hello-world"]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out and "docker load -i lessons.tar.gz" in out
    assert archive.stat().st_size > 1000 and not (tmp_path / "lessons.tar.gz.part").exists()
    lab = second.lab(owner="mir-import", session="mirimport")
    for name in ("hello-world:latest", "busybox:latest"):
        try:
            lab.remove_image(name, force=True)
        except E.ImageNotFound:
            pass
    loaded = mirror.import_images(lab.engine, archive)
    assert sorted(loaded) == ["alpine:latest", "busybox:latest", "hello-world:latest"]
    assert lab.run("busybox", "echo loaded", rm=True).output.strip() == "loaded"
    lab.cleanup("session")


def test_bad_input_is_a_clear_error(tmp_path, engine_lab, capsys):
    with pytest.raises(E.ImageNotFound):
        mirror.export_images(raw(engine_lab), tmp_path / "x.tar", ["no-such-image-dlm"])
    assert not (tmp_path / "x.tar").exists()
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not an archive")
    with pytest.raises(E.DockerLabError) as ei:
        mirror.import_images(raw(engine_lab), junk)
    assert ei.value.hint
    with pytest.raises(mirror.MirrorError):
        mirror.import_images(raw(engine_lab), tmp_path / "missing.tar")
    with pytest.raises(mirror.MirrorError):
        mirror.Mirror(port=70000)
    assert mirror.main(["import", str(tmp_path / "missing.tar")]) == 1
    assert "Hint:" in capsys.readouterr().err
    # a port held by something that is not a registry
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    try:
        with pytest.raises(mirror.MirrorError) as ei:
            mirror.Mirror(port=s.getsockname()[1], state=tmp_path / "m").start(timeout=3)
        assert "taken" in ei.value.what or "did not answer" in ei.value.what
    finally:
        s.close()
