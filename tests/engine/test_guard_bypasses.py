"""Every bypass of the guards listed in issue 15, tried on the real engine: each is refused with a
hint, nothing is created (no container, no host folder), and the lessons' own mounts (a folder
under the notebook's working folder, a named volume) still pass."""
from __future__ import annotations

import os
import uuid

import pytest

from dockerlab import errors as E
from dockerlab import labels
from dockerlab.lab import Lab
from tests.engine.raw import raw as raw_of


@pytest.fixture
def pair(engine_lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the notebook's working folder (the learner owns it)
    tag = uuid.uuid4().hex[:8]
    alice = Lab(raw_of(engine_lab), owner=f"gb-alice-{tag}", session=f"gba{tag}", show_cli=False)
    bob = Lab(raw_of(engine_lab), owner=f"gb-bob-{tag}", session=f"gbb{tag}", show_cli=False)
    yield alice, bob, tag
    raw = raw_of(engine_lab)
    for lab in (alice, bob):
        for c in raw.containers(all=True, filters={"label": [f"{labels.SESSION}={lab.session}"]}):
            raw.remove(c["Id"], force=True)


def _socket_dir() -> str:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    return os.path.dirname(host[len("unix://"):]) if host.startswith("unix://") else "/var/run"


BYPASSES = [
    ("socket folder /run", {"volumes": ["/run:/h"]}),
    ("socket folder /var/run", {"volumes": ["/var/run:/h"]}),
    ("socket folder, dict form", {"volumes": {"/var/run": {"bind": "/h", "mode": "rw"}}}),
    ("containerd's socket", {"volumes": ["/run/docker/containerd/containerd.sock:/c.sock"]}),
    ("/proc read-write", {"volumes": ["/proc:/hp"]}),
    ("/etc read-write", {"volumes": ["/etc:/he"]}),
    ("/var/lib/docker", {"volumes": ["/var/lib/docker:/d"]}),
    ("/ via //", {"volumes": ["//:/h:ro"]}),
    ("privileged", {"privileged": True}),
    ("host network", {"network": "host"}),
    ("host network, upper case", {"network": "HOST"}),
    ("host pid", {"pid": "host"}),
    ("cap_add", {"cap_add": ["SYS_ADMIN"]}),
    ("devices", {"devices": ["/dev/sda:/dev/sda"]}),
    ("security_opt", {"security_opt": ["seccomp=unconfined"]}),
    ("userns_mode", {"userns_mode": "host"}),
    ("ipc_mode", {"ipc_mode": "host"}),
    ("volumes_from", {"volumes_from": ["x"]}),
    ("user", {"user": "root"}),
]


@pytest.mark.parametrize("what, kw", BYPASSES, ids=[b[0] for b in BYPASSES])
def test_each_bypass_is_refused_and_nothing_is_made(pair, what, kw):
    alice, _, tag = pair
    with pytest.raises(E.PermissionDenied) as ei:
        alice.run("alpine", "true", name=f"gb-{tag}", **kw)
    assert ei.value.hint, what
    assert alice.ps(all=True).empty


def test_the_socket_folder_hard_link_and_a_missing_host_path(pair, tmp_path):
    alice, _, tag = pair
    sock_dir = _socket_dir()
    with pytest.raises(E.GuardRefused):
        alice.run("alpine", "true", volumes=[f"{sock_dir}:/h"])
    link_dir = os.path.join(sock_dir, f"gb-link-{tag}")
    try:  # a hard link to the engine's socket, under another name
        os.mkdir(link_dir)
        os.link(os.path.join(sock_dir, "docker.sock"), os.path.join(link_dir, "innocent"))
        with pytest.raises(E.GuardRefused):
            alice.run("alpine", "true", volumes=[f"{link_dir}/innocent:/x.sock"])
        with pytest.raises(E.GuardRefused):
            alice.run("alpine", "true", volumes=[f"{link_dir}:/x"])
    except (FileNotFoundError, PermissionError, OSError) as e:
        if not os.path.isdir(link_dir):
            pytest.skip(f"cannot make the hard link here: {e}")
        raise
    finally:
        for f in (os.path.join(link_dir, "innocent"), link_dir):
            try:
                os.unlink(f) if f.endswith("innocent") else os.rmdir(f)
            except OSError:
                pass
    missing = tmp_path / "not-there"
    with pytest.raises(E.GuardRefused) as ei:
        alice.run("alpine", "true", volumes=[f"{missing}:/m"])
    assert "does not exist" in ei.value.what and not missing.exists()  # the engine did not make it, as root
    assert alice.ps(all=True).empty


def test_namespace_joins_into_another_learners_container_are_refused(pair):
    alice, bob, tag = pair
    a = alice.run("alpine", "sleep 300", name=f"gb-a-{tag}", detach=True)
    for kw in ({"network": f"container:{a.name}"}, {"pid": f"container:{a.id}"}, {"ipc": f"container:{a.name}"}):
        with pytest.raises(E.NotOwned) as ei:
            bob.run("alpine", "true", **kw)
        assert ei.value.owner == "" and alice.owner not in str(ei.value)
    assert bob.ps(all=True).empty
    # into one's own: allowed, and it is the same network namespace
    c = alice.run("alpine", "sleep 300", detach=True, network=f"container:{a.name}", pid=f"container:{a.name}")
    assert alice.exec(c.name, "sh -c 'ps -o comm | grep -c sleep'").output.strip() == "2"


def test_the_lessons_mounts_pass(pair, tmp_path, engine_lab):
    alice, _, tag = pair
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hello.txt").write_text("hello from the host\n")
    res = alice.run("alpine", "cat /data/hello.txt", volumes=["./data:/data:ro"], rm=True)
    assert res.output == "hello from the host\n"
    assert '-v "$PWD"/data:/data:ro' in alice.history[-1]  # the twin as the CLI takes it in the working folder
    vol = f"gb-vol-{tag}"
    try:
        alice.run("alpine", "sh -c 'echo kept > /v/f'", volumes=[f"{vol}:/v"], rm=True)
        assert alice.run("alpine", "cat /v/f", volumes=[f"{vol}:/v"], rm=True).output == "kept\n"
    finally:
        alice.cleanup("session")
        raw_of(engine_lab).api.remove_volume(vol, force=True)


def test_max_running_holds_for_concurrent_runs_and_create_start(pair, teacher):
    import threading

    alice, _, tag = pair
    teacher(MAX_RUNNING="3")
    got, barrier = [], threading.Barrier(8)

    def go(i):
        barrier.wait()
        try:
            got.append(alice.run("alpine", "sleep 300", name=f"gb-m{i}-{tag}", detach=True))
        except E.GuardRefused as e:
            got.append(e)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(not isinstance(g, Exception) for g in got) == 3 and len(alice.ps()) == 3
    c = alice.create("alpine", "sleep 300", name=f"gb-made-{tag}")
    with pytest.raises(E.GuardRefused):
        alice.start(c.name)
    assert alice.container(c.name).state == "created"


def test_settings_set_at_run_time_change_nothing(pair, monkeypatch):
    alice, bob, tag = pair
    a = alice.run("alpine", "sleep 300", name=f"gb-s-{tag}", detach=True)
    monkeypatch.setenv("DOCKERLAB_ALLOW_OTHERS", "1")
    monkeypatch.setenv("DOCKERLAB_ALLOW_DOCKER_SOCKET", "1")
    with pytest.raises(E.NotOwned):
        bob.stop(a.name, confirm=True)
    with pytest.raises(E.GuardRefused):
        bob.run("alpine", "true", volumes=["/var/run/docker.sock:/var/run/docker.sock"])
    assert alice.container(a.name).state == "running"
