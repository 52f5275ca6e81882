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
    assert s.token and s.password
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
