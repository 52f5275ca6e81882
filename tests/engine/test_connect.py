"""dockerlab.connect() against the real engine and against each way it can fail."""
import json
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest

import dockerlab
from dockerlab import errors as E
from tests.unit.test_endpoints import write_context

LEARNER = "dockerlab-learner"


@pytest.fixture
def env(monkeypatch, tmp_path):
    for var in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "cfg"))
    return monkeypatch


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connect_reaches_the_real_engine(env):
    lab = dockerlab.connect(show_cli=False)
    assert lab.engine_name == "Docker Engine"
    assert lab.server_version and lab.api_version.startswith("1.")
    assert "via the default socket" in repr(lab)
    assert lab.engine.ping() is True


def test_docker_host_missing_socket(env, tmp_path):
    env.setenv("DOCKER_HOST", f"unix://{tmp_path}/missing.sock")
    with pytest.raises(E.EngineUnavailable) as e:
        dockerlab.connect()
    msg = str(e.value)
    assert f"no socket at {tmp_path}/missing.sock" in msg
    assert "DOCKER_HOST chose this engine" in msg
    assert "unset DOCKER_HOST" in e.value.hint
    assert e.value.reason == "no-socket"


def test_tcp_where_nothing_listens(env):
    port = free_port()
    env.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
    with pytest.raises(E.EngineUnavailable) as e:
        dockerlab.connect()
    assert f"nothing is listening on 127.0.0.1:{port} (connection refused)" in str(e.value)
    assert e.value.reason == "refused"


def test_bad_docker_host(env):
    env.setenv("DOCKER_HOST", "docker.sock")
    with pytest.raises(E.BadDockerHost) as e:
        dockerlab.connect()
    assert "not an address the Docker CLI understands" in str(e.value)
    assert "unix:///" in e.value.hint


def test_context_file_is_followed(env, tmp_path):
    cfg = tmp_path / "cfg"
    write_context(cfg, "lab-ctx", "unix:///var/run/docker.sock")
    (cfg / "config.json").write_text(json.dumps({"currentContext": "lab-ctx"}))
    lab = dockerlab.connect(show_cli=False)
    assert "context 'lab-ctx'" in lab.endpoint.source
    assert lab.engine.ping()


def test_context_pointing_nowhere_is_explained(env, tmp_path):
    cfg = tmp_path / "cfg"
    write_context(cfg, "dead", f"unix://{tmp_path}/dead.sock")
    env.setenv("DOCKER_CONTEXT", "dead")
    with pytest.raises(E.EngineUnavailable) as e:
        dockerlab.connect()
    assert "context 'dead' (chosen by DOCKER_CONTEXT)" in str(e.value)
    assert "docker context use default" in e.value.hint


@pytest.mark.nonroot
def test_permission_denied_as_a_non_root_user():
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to the learner user")
    if subprocess.run(["id", LEARNER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", LEARNER], check=True)
    script = (
        "import json, dockerlab\n"
        "try:\n    dockerlab.connect()\n    print(json.dumps({'ok': True}))\n"
        "except dockerlab.DockerLabError as e:\n"
        "    print(json.dumps({'type': type(e).__name__, 'msg': str(e), 'reason': e.reason}))\n"
    )
    env = {"PATH": os.environ["PATH"], "HOME": f"/home/{LEARNER}", "XDG_RUNTIME_DIR": f"/tmp/{LEARNER}-run"}
    python = os.environ.get("DOCKERLAB_LEARNER_PYTHON")  # ./kit test makes it (the venv may be under /root)
    if not python:
        pytest.skip("DOCKERLAB_LEARNER_PYTHON is not set: run through ./kit test")
    res = subprocess.run(["runuser", "-u", LEARNER, "--", python, "-c", script], capture_output=True,
                         text=True, env=env, cwd="/", timeout=60)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["type"] == "EnginePermissionDenied", out
    assert "permission denied on /var/run/docker.sock" in out["msg"]
    assert "you are dockerlab-learner" in out["msg"]
    assert "sudo usermod -aG docker $USER" in out["msg"] and "root-equivalent" in out["msg"]


class SocketProxy:
    """A unix socket that forwards to the real engine until stopped: an engine that goes away."""

    def __init__(self, path: Path, target="/var/run/docker.sock"):
        self.path, self.target = str(path), target
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(self.path)
        self.server.listen(16)
        self.conns = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.stopped = True
        self.server.close()
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        os.unlink(self.path)


def test_engine_gone_mid_session_is_engine_lost(env, tmp_path):
    proxy = SocketProxy(tmp_path / "proxy.sock")
    env.setenv("DOCKER_HOST", f"unix://{tmp_path}/proxy.sock")
    lab = dockerlab.connect(show_cli=False)
    assert not lab.ps(all=True).empty or True  # it answers through the proxy
    proxy.stop()
    with pytest.raises(E.EngineLost) as e:
        lab.ps(all=True)
    assert "stopped answering while trying to list containers" in str(e.value)
    assert "dockerlab doctor" in e.value.hint


def test_the_engine_is_the_one_this_leg_tests(lab):
    """CI's main run is on the current engine, its compatibility leg on Debian 12's: a set-up that
    quietly fell back to the other one would make the whole run say nothing about that engine."""
    want = os.environ.get("DOCKERLAB_EXPECT_ENGINE")
    if not want:
        pytest.skip("DOCKERLAB_EXPECT_ENGINE is not set (CI and the compatibility leg of ./kit test set it)")
    major = int(lab.server_version.split(".")[0])
    info = lab.info()
    if want == "current":
        assert major >= 28, lab.server_version
        assert info.image_store == "containerd" and lab.builder == "buildkit", (info.image_store, lab.builder)
    else:
        assert want == "debian" and major == 20 and info.image_store == "classic", (want, lab.server_version)
