"""The policy point (dockerlab.policy), on the fake engine: two learners, alice and bob, and
every path of issue 15 that went around the kit's checks. The same bypasses are tried on the
real engine in tests/engine/test_guard_bypasses.py."""
from __future__ import annotations

import os
import socket
import stat
import threading

import pytest

from dockerlab import errors as E
from dockerlab import guards, policy
from dockerlab.lab import Lab

from .fake_engine import FakeEngine


@pytest.fixture
def eng():
    return FakeEngine()


@pytest.fixture
def pair(eng, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the notebook's working folder: a default bind-mount root
    alice = Lab(eng, owner="alice", session="sa1", show_cli=False)
    bob = Lab(eng, owner="bob", session="sb1", show_cli=False)
    return alice, bob


def _p(**env):
    return guards.load(env={f"DOCKERLAB_{k}": v for k, v in env.items()}, files=[])


# --- bind mounts: an allow-list -------------------------------------------------------------------------
def test_a_folder_under_the_working_folder_and_a_named_volume_pass(pair, tmp_path):
    alice, _ = pair
    (tmp_path / "data").mkdir()
    c = alice.run("alpine", "sleep 30", detach=True, volumes=["./data:/data:ro", "mydata:/cache"])
    hc = alice.engine.inspect_container(c.id)["HostConfig"]
    assert hc["Binds"] == [f"{tmp_path}/data:/data:ro", "mydata:/cache:rw"]
    # the twin writes a folder of the working folder as the CLI takes it there ("$PWD"/...), so a
    # notebook's stored twin is the same on every machine; the engine gets the absolute path above
    assert '-v "$PWD"/data:/data:ro -v mydata:/cache' in alice.history[-1]


@pytest.mark.parametrize("src", ["/run", "/var/run", "/proc", "/etc", "/var/lib/docker", "/sys", "/dev", "/",
                                 "//", "/var/run/../run", "/run/docker/containerd/containerd.sock",
                                 "/var/run/docker.sock"])
def test_the_host_own_folders_are_refused_even_when_a_teacher_lists_slash(src):
    with pytest.raises(E.GuardRefused) as ei:
        policy.check_launch(volumes=[f"{src}:/h"], policy=_p(BIND_ROOTS="/"))
    assert ei.value.guard == "bind_roots" and ei.value.hint and "no container was launched" in str(ei.value).lower()


def test_outside_the_roots_missing_socket_hardlink_device_are_refused(tmp_path, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    p = _p(BIND_ROOTS=str(root))
    with pytest.raises(E.GuardRefused, match="outside the folders"):
        policy.check_launch(volumes=[f"{tmp_path}:/h"], policy=p)
    with pytest.raises(E.GuardRefused, match="does not exist"):
        policy.check_launch(volumes=[f"{root}/missing:/h"], policy=p)
    sock = root / "s.sock"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(sock))
    try:
        with pytest.raises(E.GuardRefused, match="socket"):
            policy.check_launch(volumes=[f"{sock}:/s"], policy=p)
        # a hard link to the engine's socket, inside an allowed folder, is the socket
        monkeypatch.setitem(guards.START_ENV, "DOCKER_HOST", f"unix://{sock}")
        (root / "sub").mkdir()
        os.link(sock, root / "sub" / "innocent")
        with pytest.raises(E.GuardRefused, match="socket"):
            policy.check_launch(volumes=[f"{root}/sub:/x"], policy=p)
    finally:
        srv.close()
    f = root / "file.txt"
    f.write_text("x")
    os.link(f, root / "again.txt")
    with pytest.raises(E.GuardRefused, match="hard link"):
        policy.check_launch(volumes=[f"{f}:/f"], policy=p)
    if os.geteuid() == 0:
        dev = root / "dev"
        dev.mkdir()
        os.mknod(dev / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        for src in (dev / "null", dev):
            with pytest.raises(E.GuardRefused, match="device"):
                policy.check_launch(volumes=[f"{src}:/d"], policy=p)
    link = root / "etc-link"
    link.symlink_to("/etc")
    with pytest.raises(E.GuardRefused, match="/etc"):
        policy.check_launch(volumes=[f"{link}:/e"], policy=p)


def test_no_bind_mount_at_all_when_the_teacher_says_none(tmp_path):
    with pytest.raises(E.GuardRefused, match="allows no bind mount"):
        policy.check_launch(volumes=[f"{tmp_path}:/h"], policy=_p(BIND_ROOTS="none"))
    assert policy.check_launch(volumes=["v1:/v"], policy=_p(BIND_ROOTS="none")).host_config["binds"] == ["v1:/v:rw"]


# --- other options ------------------------------------------------------------------------------------
@pytest.mark.parametrize("opt", ["cap_add", "devices", "security_opt", "userns_mode", "ipc_mode", "volumes_from",
                                 "user", "no_such_option"])
def test_options_the_kit_does_not_offer_are_refused_with_why(pair, opt):
    alice, _ = pair
    with pytest.raises(E.GuardRefused) as ei:
        alice.run("alpine", "true", **{opt: ["x"]})
    assert opt in ei.value.what and ei.value.hint
    assert alice.ps(all=True).empty


def test_namespace_joins_only_into_ones_own(pair):
    alice, bob = pair
    a = alice.run("alpine", "sleep 30", name="alice-web", detach=True)
    for key in ("network", "pid", "ipc"):
        with pytest.raises(E.NotOwned) as ei:
            bob.run("alpine", "true", **{key: "container:alice-web"})
        assert "alice" not in str(ei.value).replace("alice-web", "") and ei.value.owner == ""
        with pytest.raises(E.GuardRefused):
            bob.run("alpine", "true", **{key: "host"})
    assert bob.ps(all=True).empty
    c = alice.run("alpine", "sleep 30", detach=True, network="container:alice-web", pid="container:alice-web")
    hc = alice.engine.inspect_container(c.id)["HostConfig"]
    assert hc["NetworkMode"] == hc["PidMode"] == f"container:{a.id}"
    assert f"--network container:{a.id} --pid container:{a.id}" in alice.history[-1]


def test_max_running_holds_under_concurrent_calls_and_for_create_then_start(pair, teacher):
    alice, _ = pair
    teacher(MAX_RUNNING="3")
    results = []
    barrier = threading.Barrier(12)

    def go(i):
        barrier.wait()
        try:
            results.append(alice.run("alpine", "sleep 30", name=f"cc{i:02d}", detach=True))
        except E.GuardRefused as e:
            results.append(e)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(not isinstance(r, Exception) for r in results) == 3
    assert len(alice.ps()) == 3
    c = alice.create("alpine", "sleep 30", name="made")
    with pytest.raises(E.GuardRefused) as ei:
        alice.start(c.name)
    assert ei.value.guard == "max_running"


# --- who you are ---------------------------------------------------------------------------------------
def test_owner_is_not_a_learners_choice(eng, teacher):
    teacher(ALLOW_OWNER_CHOICE=None)
    with pytest.raises(E.GuardRefused) as ei:
        Lab(eng, owner="someone-else")
    assert ei.value.guard == "allow_owner_choice" and ei.value.hint
    for bad in (["x"], 5, "", "a b", "x" * 100):
        with pytest.raises(E.InvalidReference):
            Lab(eng, owner=bad)
    os.environ["DOCKERLAB_OWNER"] = "someone-else"  # at run time: changes nothing
    try:
        assert Lab(eng).owner != "someone-else"
    finally:
        del os.environ["DOCKERLAB_OWNER"]


# --- reads: never another learner's -----------------------------------------------------------------------
def _alice_everywhere(text: str, alice_id: str) -> bool:
    return "alice" in text or alice_id[:12] in text


def test_reads_errors_and_reports_never_name_another_learner(pair, teacher):
    alice, bob = pair
    a = alice.run("alpine", "sleep 30", name="alice-1", detach=True, env={"SECRET": "s3cr3t"})
    bob.run("alpine", "sleep 30", name="bob-1", detach=True)
    for scope in ("mine", "session", "kit", "engine"):
        assert bob.ps(all=True, scope=scope)["NAMES"].tolist() == ["bob-1"]
        assert bob.stats(scope=scope)["NAME"].tolist() == ["bob-1"]
    assert [c["Names"][0] for c in bob.rest("/containers/json", all=1)] == ["/bob-1"]
    assert [c["Names"][0] for c in bob.rest("/system/df")["Containers"]] == ["/bob-1"]
    assert [c["Names"][0] for c in bob.engine.containers(all=True)] == ["/bob-1"]
    messages = []
    for call in (lambda: bob.rest(f"/containers/{a.id}/json"), lambda: bob.rest(f"/containers/{a.id[:6]}/top"),
                 lambda: bob.stats("alice-1"), lambda: bob.logs(a.id), lambda: bob.engine.inspect_container(a.id),
                 lambda: bob.engine.stats(a.id), lambda: bob.stop("alice-1", confirm=True),
                 lambda: bob.exec(a.id[:5], "echo")):
        with pytest.raises(E.NotOwned) as ei:
            call()
        messages.append(str(ei.value) + ei.value.container + ei.value.owner)
    for prefix in "0123456789abcdef":  # a scan over id prefixes finds no name, no owner
        try:
            bob.container(prefix)
        except E.DockerLabError as e:
            messages.append(str(e) + getattr(e, "container", "") + getattr(e, "owner", ""))
    with pytest.raises(E.NameConflict) as ei:
        bob.run("alpine", "true", name="alice-1")
    messages.append(str(ei.value) + ei.value.existing_id)
    rep = bob.cleanup("kit", confirm=True)
    assert rep.removed == ["bob-1"] and rep.skipped == [("1 container of other learners",
                                                        "not yours (a teacher's setting, allow_others, is needed)")]
    messages.append(repr(rep))
    assert not [m for m in messages if "s3cr3t" in m or "alice" in m.replace("alice-1", "") or a.id[:12] in m
                and a.id[:5] not in m]
    assert alice.container("alice-1").state == "running"
    # the teacher's setting opens the kit scope to them
    teacher(ALLOW_OTHERS="1")
    assert bob.ps(scope="kit")["NAMES"].tolist() == ["alice-1"]


def test_rest_answers_only_the_allowed_paths(pair):
    alice, _ = pair
    alice.run("alpine", "sleep 30", name="mine-1", detach=True)
    assert alice.rest("/version")["Version"]
    assert alice.rest("/containers/mine-1/json")["Name"] == "/mine-1"
    for bad, err in ((None, E.InvalidReference), (5, E.InvalidReference), ("version", E.InvalidReference),
                     ("/containers/../containers/mine-1/json", E.InvalidReference), ("/secrets", E.GuardRefused),
                     ("/containers/mine-1/json?x=1", E.InvalidReference), ("/containers//json", E.InvalidReference),
                     ("/containers/mine-1/export", E.GuardRefused), ("/", E.GuardRefused)):
        with pytest.raises(err) as ei:
            alice.rest(bad)
        assert ei.value.hint


def test_lab_engine_is_the_guarded_engine(pair):
    alice, bob = pair
    alice.run("alpine", "sleep 30", name="alice-2", detach=True)
    with pytest.raises(AttributeError):
        bob.engine.api  # noqa: B018 - the SDK client is not reachable through it
    with pytest.raises(E.GuardRefused):
        bob.engine.create_container(image="alpine", host_config={"privileged": True})
    with pytest.raises(E.NotOwned):
        bob.engine.remove("alice-2", force=True)
    assert bob.can("pause") and bob.can("limits")


def test_the_sampler_cannot_follow_another_learners_container(pair):
    from dockerlab.sampler import Sampler

    alice, bob = pair
    a = alice.run("alpine", "sleep 30", name="alice-3", detach=True)
    s = Sampler(bob, ["alice-3", a.id[:8]]).start()
    try:
        assert s.active_streams == 0 and set(s.status.values()) == {"not found"}
        assert not any("alice" in n.replace("alice-3", "") for n in s.notes)
    finally:
        s.stop()


# --- the twin -----------------------------------------------------------------------------------------
def test_the_twin_shows_every_option_sent_and_the_labels_once(eng, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    lab = Lab(eng, owner="carol", session="sc1", lesson="05-run")
    (tmp_path / "d").mkdir()
    lab.run("alpine", "sleep 30", name="t1", detach=True, volumes=["./d:/d"], network="none",
            env={"A": "1"}, labels_={"team": "blue"})
    lab.run("alpine", "sleep 30", name="t2", detach=True)
    out = capsys.readouterr().out
    assert (f"$ docker run -d --name t1 --memory 512m --memory-swap 512m --cpus 1 --pids-limit 256 "
            '--network none -v "$PWD"/d:/d -e A=1 --label team=blue alpine sleep 30') in out
    assert out.count("the kit also labels every container it makes") == 1
    assert "--label org.dockerlab.owner=<you>" in out and "--label org.dockerlab.lesson=05-run" in out
    # the teacher's default limits: in full in the first twin, with what they are; left out after
    assert "$ docker run -d --name t2 alpine sleep 30" in out
    assert out.count("the kit adds the teacher's default limits to every container it starts: --memory 512m "
                     "--memory-swap 512m --cpus 1 --pids-limit 256") == 1
    assert lab.history[-1] == "docker run -d --name t2 alpine sleep 30"


def test_asked_limits_are_always_shown_and_create_follows_run(eng, capsys):
    lab = Lab(eng, owner="carol", session="sc2", lesson="07-stats")
    lab.create("alpine", "sleep 30", name="c1")
    lab.run("alpine", "sleep 30", name="t3", detach=True, memory="64m", pids=50)
    lab.run("alpine", "sleep 30", name="t4", detach=True)
    plan = lab.plan_run("alpine", "true", cpus=0.5)
    out = capsys.readouterr().out
    assert "$ docker create --name c1 --memory 512m --memory-swap 512m --cpus 1 --pids-limit 256 alpine sleep 30" in out
    assert "$ docker run -d --name t3 --memory 64m --memory-swap 64m --pids-limit 50 alpine sleep 30" in out
    assert "$ docker run -d --name t4 alpine sleep 30" in out and out.count("default limits") == 1
    assert plan.twin == "docker run --cpus 0.5 alpine true"
    assert plan.full_twin == "docker run --memory 512m --memory-swap 512m --cpus 0.5 --pids-limit 256 alpine true"
    sent = eng.inspect_container("t4")["HostConfig"]  # left out of the twin, still sent
    assert sent["Memory"] == 512 * 1024**2 and sent["NanoCpus"] == 10**9 and sent["PidsLimit"] == 256


def test_close_and_context_manager(eng):
    with Lab(eng, show_cli=False) as lab:
        assert not lab.closed
    assert lab.closed


def test_the_lab_reaches_the_engine_only_through_its_gate():
    """Every part of the Lab calls ``self._gate``; none holds an engine of its own. A merge that
    brings back ``self._engine`` (or calls the learners' view, ``self.engine.``) fails here."""
    import inspect

    for cls in Lab.__mro__:  # the Lab and every mixin it is made of
        if cls.__module__.startswith("dockerlab"):
            src = inspect.getsource(cls)
            assert "self._engine" not in src and "self.engine." not in src, cls.__name__


def test_the_owner_cannot_be_changed_after_the_fact(eng):
    lab = Lab(eng, show_cli=False)
    with pytest.raises(AttributeError):
        lab.owner = "alice"


def test_rest_answers_for_ones_own_containers_only(pair, eng):
    alice, _ = pair
    alice.run("alpine", "sleep 30", name="own-1", detach=True)
    foreign = eng.create_container(image="alpine", command=["sleep", "30"], name="not-the-kits")
    eng.start(foreign)
    with pytest.raises(E.NotOwned) as ei:
        alice.rest("/containers/not-the-kits/json")
    assert ei.value.hint
    assert [c["Names"][0] for c in alice.rest("/containers/json", all=1)] == ["/own-1"]
    assert [c["Names"][0] for c in alice.rest("/system/df")["Containers"]] == ["/own-1"]
    assert alice.container("not-the-kits", confirm=True).name == "not-the-kits"  # the lab's own look still works


def test_registry_ref_names_the_classroom_registry_or_docker_hub(eng, monkeypatch):
    lab = Lab(eng, owner="dan", session="sd1", show_cli=False)
    assert lab.registry == "" and lab.registry_ref("library/hello-world") == "library/hello-world"
    info = eng.info
    monkeypatch.setattr(eng, "info", lambda: {**info(), "RegistryConfig": {"Mirrors": ["http://127.0.0.1:5055/"]}})
    assert lab.registry == "127.0.0.1:5055"
    assert lab.registry_ref("library/hello-world") == "127.0.0.1:5055/library/hello-world"


def test_cleanup_tells_the_listening_widgets_what_it_removed(eng):
    from dockerlab import notices

    heard = []

    class Listener:
        def containers_removed(self, names, by):
            heard.append((sorted(names), by))

    ear = Listener()
    notices.listen(ear)
    lab = Lab(eng, owner="erin", session="se1", lesson="06-lifecycle", show_cli=False)
    lab.run("alpine", "sleep 30", name="n1", detach=True)
    lab.create("alpine", "sleep 30", name="n2")
    other = Lab(eng, owner="erin", session="se2", lesson="06-lifecycle", show_cli=False)  # the cleanup cell's
    other.cleanup("lesson")
    assert heard == [(["n1", "n2"], "lab.cleanup() (the cleanup cell)")]
    other.cleanup("lesson")  # nothing left: nothing said
    assert len(heard) == 1


def test_a_container_the_cleanup_cell_removed_says_so_in_every_lab_of_the_kernel(eng, progress_file):
    from dockerlab import errors as E
    from dockerlab.exercises import nb11

    lab = Lab(eng, owner="fay", session="sf1", lesson="11-publish-a-port", show_cli=False)
    lab.run("alpine", "sleep 30", name="nb11-web2", detach=True)
    Lab(eng, owner="fay", session="sf2", lesson="11-publish-a-port", show_cli=False).cleanup("lesson")
    with pytest.raises(E.ContainerNotFound) as e:
        lab.engine.inspect_container("nb11-web2")
    assert "nb11-web2 was removed by lab.cleanup() (the cleanup cell)" in e.value.state and "run the cell" in e.value.hint
    v = nb11.check_which_port(8081, lab)
    assert not v.ok and not v.tried and "was removed by lab.cleanup()" in repr(v)
    lab.run("alpine", "sleep 30", name="nb11-web2", detach=True)  # made again: no old news about it
    lab.remove("nb11-web2", force=True)
    with pytest.raises(E.ContainerNotFound) as e:
        lab.engine.inspect_container("nb11-web2")
    assert "cleanup cell" not in e.value.state


def test_the_next_kernel_says_what_the_last_ones_exit_removed(eng, progress_file, capsys):
    from dockerlab import reaper

    lab = Lab(eng, owner="gil", session="sg1", lesson="07-stats", show_cli=False)
    lab.run("alpine", "sleep 30", name="nb07-busy", detach=True)
    lab.run("alpine", "sleep 30", name="nb07-idle", detach=True)
    Lab(eng, owner="gil", session="sg9", lesson="06-lifecycle", show_cli=False).run(
        "alpine", "sleep 30", name="nb06-x", detach=True)
    assert sorted(reaper.reap_session(eng, "gil", "sg1", note=True)) == ["nb07-busy", "nb07-idle"]  # the atexit hook
    capsys.readouterr()
    after = Lab(eng, owner="gil", session="sg2", lesson="07-stats", show_cli=False)  # the restarted kernel
    reaper.on_connect(after)
    said = capsys.readouterr().out
    assert "when this notebook's last kernel stopped" in said and "nb07-busy, nb07-idle" in said
    reaper.on_connect(Lab(eng, owner="gil", session="sg3", lesson="07-stats", show_cli=False))
    assert "last kernel stopped" not in capsys.readouterr().out  # said once
    reaper.on_connect(Lab(eng, owner="hal", session="sh1", lesson="07-stats", show_cli=False))
    assert "nb07" not in capsys.readouterr().out  # another learner's news is not theirs
