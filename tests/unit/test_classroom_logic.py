"""dockerlab.classroom: its pure parts (settings, the learner's environment, the engine's command,
progress records). The real hub and engines: tests/classroom/."""
import json

from dockerlab.classroom import accounts, progress
from dockerlab.classroom.engines import LearnerEngine
from dockerlab.classroom.hub import learner_environment
from dockerlab.classroom.settings import Settings


def _engine():
    return LearnerEngine(user="alice", uid=2001, gid=2001, home="/home/alice")


def test_the_engine_reaches_the_mirror_on_the_hosts_loopback_and_never_docker_hub():
    cmd = _engine().command(5103)
    assert cmd[0] == "rootlesskit" and "--disable-host-loopback" not in cmd
    assert "--registry-mirror=http://10.0.2.2:5103" in cmd and "--insecure-registry=10.0.2.2:5103" in cmd
    i = cmd.index("127.0.0.1:5000")  # the lessons' registry address, forwarded to the mirror
    assert cmd[i + 1] == "10.0.2.2:5103"
    assert "--iptables=false" in cmd


def test_the_socket_lives_in_the_learners_private_runtime_dir():
    e = _engine()
    assert e.docker_host == "unix:///run/user/2001/docker.sock" and e.socket.parent == e.runtime_dir


def test_each_learner_gets_their_own_engine_or_qualified_names(tmp_path, monkeypatch):
    import pwd

    class PW:
        pw_uid, pw_gid, pw_dir = 2001, 2001, "/home/alice"

    monkeypatch.setattr(pwd, "getpwnam", lambda name: PW)
    own = learner_environment(Settings(state=str(tmp_path), mirror_port=5103, venv="/v"), "alice")
    assert own["DOCKER_HOST"] == "unix:///run/user/2001/docker.sock" and own["DOCKERLAB_OWNER"] == "alice"
    assert own["DOCKERLAB_QUALIFY_NAMES"] == "0" and own["PATH"].startswith("/v/bin:")
    shared = learner_environment(Settings(state=str(tmp_path), engines="shared", shared_host="unix:///s.sock"), "alice")
    assert shared["DOCKER_HOST"] == "unix:///s.sock" and shared["DOCKERLAB_QUALIFY_NAMES"] == "1"


def test_settings_round_trip_and_keep_their_secrets_private(tmp_path):
    s = Settings(state=str(tmp_path / "c"), learners=["a", "b"], mirror_port=5103)
    s.save()
    assert s.token and not hasattr(s, "password")  # no class password: each has their own (signin.py)
    assert (tmp_path / "c").stat().st_mode & 0o777 == 0o700
    assert s.file.stat().st_mode & 0o777 == 0o600
    t = Settings.load(tmp_path / "c")
    assert (t.learners, t.mirror_port, t.token) == (["a", "b"], 5103, s.token)


def test_progress_reads_the_learners_records_and_skips_torn_lines(tmp_path):
    d = tmp_path / ".dockerlab"
    d.mkdir()
    lines = [json.dumps({"lesson": "nb05", "exercise": "nb05.run", "ok": False, "time": "t1"}),
             json.dumps({"lesson": "nb05", "exercise": "nb05.run", "ok": True, "time": "t2"}),
             "{torn", json.dumps({"lesson": "nb06", "exercise": "nb06.stopped", "ok": False, "time": "t3"})]
    (d / "progress.jsonl").write_text("\n".join(lines) + "\n")
    recs = progress.read(tmp_path)
    assert len(recs) == 3
    assert progress.summary(recs) == {"nb05.run": True, "nb06.stopped": False}
    assert progress.read(tmp_path / "nobody") == []


def test_learner_names_and_subuid_ranges(tmp_path):
    assert accounts.learner_names(3, "s") == ["s01", "s02", "s03"]
    sub = tmp_path / "subuid"
    sub.write_text("a:100000:65536\nb:165536:65536\n")
    assert accounts.subuid_range("b", str(sub)) == (165536, 65536)
    assert accounts.subuid_range("c", str(sub)) is None
    assert accounts._free_range(str(sub)) == ["231072-296607"]


def _runtime_in(tmp_path, cgroup_lines):
    """The learners' runtime script, pointed at a fake /proc/self/cgroup and /sys/fs/cgroup."""
    from dockerlab.classroom.engines import RUNTIME_SCRIPT

    (tmp_path / "self-cgroup").write_text(cgroup_lines)
    script = (RUNTIME_SCRIPT.replace("/proc/self/cgroup", str(tmp_path / "self-cgroup"))
              .replace("/sys/fs/cgroup", str(tmp_path / "cg")).replace("exec runc", "exec echo runc"))
    (tmp_path / "runtime").write_text(script)
    return ["sh", str(tmp_path / "runtime")]


def test_the_runtime_moves_itself_into_the_learners_containers_budget_then_runs_runc(tmp_path):
    import subprocess

    for ctrl in ("pids", "memory", "cpu,cpuacct"):
        (tmp_path / "cg" / ctrl / "dockerlab-classroom/alice/containers").mkdir(parents=True)
    lines = ("12:pids:/dockerlab-classroom/alice/engine\n7:memory:/dockerlab-classroom/alice/engine\n"
             "3:cpu,cpuacct:/dockerlab-classroom/alice/engine\n1:name=systemd:/\n2:blkio:/\n")
    r = subprocess.run(_runtime_in(tmp_path, lines) + ["create", "--bundle", "x"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "runc create --bundle x"  # runc gets every argument
    for ctrl in ("pids", "memory", "cpu,cpuacct"):
        moved = (tmp_path / "cg" / ctrl / "dockerlab-classroom/alice/containers/cgroup.procs").read_text().split()
        assert len(moved) == 1 and moved[0].isdigit()
    assert not (tmp_path / "cg" / "blkio").exists()  # a controller the learner has no budget in: untouched


def test_the_runtime_stops_and_removes_from_the_engines_budget(tmp_path):
    """A full containers budget must not stop the teacher's (or the learner's) kill."""
    import subprocess

    (tmp_path / "cg/pids/dockerlab-classroom/alice/containers").mkdir(parents=True)
    for verb in ("kill", "delete", "state"):
        r = subprocess.run(_runtime_in(tmp_path, "12:pids:/dockerlab-classroom/alice/engine\n")
                           + ["--root", "/run/runc", verb, "c1", "KILL"], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.split()[:4] == ["runc", "--root", "/run/runc", verb]
    assert not (tmp_path / "cg/pids/dockerlab-classroom/alice/containers/cgroup.procs").exists()


def test_the_runtime_outside_a_classroom_engine_just_runs_runc(tmp_path):
    import subprocess

    r = subprocess.run(_runtime_in(tmp_path, "0::/user.slice/user-1000.slice\n") + ["state", "c1"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "runc state c1"
    assert not (tmp_path / "cg").exists()


def test_the_budget_has_an_engine_part_and_a_containers_part_the_learner_may_join(tmp_path, monkeypatch):
    import os

    import pytest

    from dockerlab.classroom import engines

    if os.geteuid() != 0:
        pytest.skip("chown to the learner needs root")
    monkeypatch.setattr(engines, "CGROUP_ROOT", tmp_path)
    for ctrl in ("pids", "memory", "cpu"):
        (tmp_path / ctrl).mkdir()
    made = _engine()._make_cgroups(engines.Limits(pids=100, memory=1 << 30, engine_pids=50, engine_memory=1 << 28))
    assert made == [tmp_path / c / "dockerlab-classroom/alice/engine" for c in ("pids", "memory", "cpu")]
    learner = tmp_path / "pids/dockerlab-classroom/alice"
    assert (learner / "pids.max").read_text() == "150" and (learner / "containers/pids.max").read_text() == "100"
    mem = tmp_path / "memory/dockerlab-classroom/alice"
    assert (mem / "memory.limit_in_bytes").read_text() == str((1 << 30) + (1 << 28))
    assert (mem / "containers/memory.limit_in_bytes").read_text() == str(1 << 30)
    assert (learner / "containers").stat().st_uid == 2001 and (learner / "engine").stat().st_uid == 0


def test_each_password_is_new_random_and_stored_only_as_a_bcrypt_hash(tmp_path):
    import bcrypt

    from dockerlab.classroom import signin

    new = signin.ensure_passwords(tmp_path, ["a", "b", "t"])
    assert set(new) == {"a", "b", "t"} and len(set(new.values())) == 3
    assert all(len(pw) == signin.PASSWORD_LENGTH and set(pw) <= set(signin.ALPHABET) for pw in new.values())
    text = signin.hashes_file(tmp_path).read_text()
    assert not any(pw in text for pw in new.values())  # the passwords are never stored
    assert signin.hashes_file(tmp_path).stat().st_mode & 0o777 == 0o600
    data = signin.load(tmp_path)
    assert bcrypt.checkpw(new["a"].encode(), data["hashes"]["a"].encode())
    assert data["renewed"] == ["a", "b", "t"]  # every new hash replaces what the hub's database held
    signin._save(tmp_path, {**data, "renewed": []})  # as the hub does at its start, once it took them
    assert signin.ensure_passwords(tmp_path, ["a", "b", "t"]) == {}  # again: nothing new, nothing shown
    again = signin.ensure_passwords(tmp_path, ["a", "b"], renew=("b",))
    assert set(again) == {"b"} and again["b"] != new["b"]
    assert signin.load(tmp_path)["renewed"] == ["b"] and "t" not in signin.load(tmp_path)["hashes"]
    # down --remove-learners forgets them: the next class's "a" gets a new password, never the old card's
    signin.forget(tmp_path, ["a", "b"])
    assert signin.load(tmp_path) == {"hashes": {}, "renewed": []}
    later = signin.ensure_passwords(tmp_path, ["a"])
    assert set(later) == {"a"} and later["a"] not in (new["a"],) and signin.load(tmp_path)["renewed"] == ["a"]
    cards = signin.cards_html("https://h:8000", again, fingerprint="AB:CD", teacher="t")
    assert again["b"] in cards and "AB:CD" in cards and "https://h:8000" in cards


def test_tls_rules_and_a_self_signed_certificate_with_its_fingerprint(tmp_path):
    import pytest

    from dockerlab.classroom import tls
    from dockerlab.classroom.engines import ClassroomError

    assert tls.choose(state=str(tmp_path), ip="127.0.0.1") == ("", "", "")  # loopback: plain is fine
    warned = []
    assert tls.choose(state=str(tmp_path), ip="10.1.2.3", insecure_http=True, warn=warned.append) == ("", "", "")
    assert warned and "in clear" in warned[0]
    cert, key, fp = tls.choose(state=str(tmp_path), ip="10.1.2.3")  # non-loopback: HTTPS by default
    assert fp == tls.fingerprint(cert) and len(fp.split(":")) == 32
    assert (tmp_path / "tls").stat().st_mode & 0o777 == 0o700 and open(key).read().startswith("-----BEGIN PRIVATE KEY")
    assert tls.choose(state=str(tmp_path), ip="10.1.2.3")[2] == fp  # kept, not made again
    with pytest.raises(ClassroomError, match="needs its key"):
        tls.choose(state=str(tmp_path), ip="10.1.2.3", cert=cert)
    assert tls.choose(state=str(tmp_path), ip="10.1.2.3", cert=cert, key=key)[2] == fp


def test_the_hub_config_signs_in_each_one_keeps_servers_over_a_restart_and_culls_idle(tmp_path):
    from traitlets.config import Config

    from dockerlab.classroom.hub import configure

    s = Settings(state=str(tmp_path / "c"), learners=["a", "b"], teacher="t", port=18000, cull_idle=600)
    s.save()
    c = Config()
    configure(c, s.state)
    assert c.JupyterHub.authenticator_class.__name__ == "ClassroomAuthenticator"
    assert c.NativeAuthenticator.enable_signup is False and c.Authenticator.admin_users == {"t"}
    assert c.JupyterHub.cleanup_servers is False and c.JupyterHub.cleanup_proxy is False
    culler = [x for x in c.JupyterHub.services if x["name"] == "idle-culler"][0]
    assert "--timeout=600" in culler["command"] and "dockerlab.classroom.culler" in culler["command"]
    assert "ssl_cert" not in c.JupyterHub
    assert c.Spawner.default_url == "/lab/tree/01-start-here.ipynb" and c.Spawner.notebook_dir == "~/notebooks"
    assert "--LabApp.news_url=None" in c.Spawner.args  # nothing asks outside from a learner's JupyterLab


def test_the_culler_writes_its_pid_where_a_new_hub_and_down_find_it(tmp_path, monkeypatch):
    import os
    import sys
    import types

    from dockerlab.classroom import cli, culler

    seen = {}
    fake = types.ModuleType("jupyterhub_idle_culler")
    fake.main = lambda: seen.setdefault("argv", list(sys.argv))
    monkeypatch.setitem(sys.modules, "jupyterhub_idle_culler", fake)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    culler.main([str(tmp_path), "--timeout=20", "--cull-every=10"])
    assert (tmp_path / culler.PIDFILE).read_text() == str(os.getpid())
    assert seen["argv"] == ["jupyterhub-idle-culler", "--timeout=20", "--cull-every=10"]
    assert cli.CULLER_PIDFILE == culler.PIDFILE


def test_the_learners_runtime_is_outside_the_root_only_state_folder():
    from dockerlab.classroom import engines, settings

    state = settings.DEFAULT_STATE.resolve()
    runtime = engines.RUNTIME_PATH.resolve()
    assert state not in runtime.parents, (runtime, state)  # the state folder is mode 700: learners could not run it
