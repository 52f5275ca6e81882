"""Engine discovery in the docker CLI's order, without an engine."""
import hashlib
import json

import pytest

from dockerlab import endpoints
from dockerlab.errors import BadDockerHost


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    return tmp_path


@pytest.mark.parametrize("value,url", [
    ("unix:///var/run/docker.sock", "unix:///var/run/docker.sock"),
    ("/var/run/docker.sock", "unix:///var/run/docker.sock"),
    ("tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375"),
    ("tcp://127.0.0.1", "tcp://127.0.0.1:2375"),
    ("127.0.0.1:2375", "tcp://127.0.0.1:2375"),
    ("ssh://me@host", "ssh://me@host"),
])
def test_parse_host(value, url):
    assert endpoints.parse_host(value) == url


@pytest.mark.parametrize("value,words", [
    ("", "empty"), ("nonsense", "not an address"), ("ftp://x", "scheme"), ("unix://", "three slashes"),
    ("tcp://127.0.0.1:99999", "port"), ("npipe:////./pipe/docker_engine", "Windows"), ("tcp://:2375", "no host"),
])
def test_parse_host_rejects_bad_values(value, words):
    with pytest.raises(BadDockerHost) as e:
        endpoints.parse_host(value)
    assert words in str(e.value)


def test_candidates_default_order(clean_env):
    urls = [c.url for c in endpoints.candidates()]
    run = clean_env / "run"
    assert urls == ["unix:///var/run/docker.sock", f"unix://{run}/docker.sock",
                    f"unix://{run}/podman/podman.sock", "unix:///run/podman/podman.sock"]


def test_docker_host_is_the_only_candidate(clean_env, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    (c,) = endpoints.candidates()
    assert (c.url, c.source) == ("tcp://127.0.0.1:2375", "DOCKER_HOST")


def write_context(config_dir, name, host):
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Metadata": {},
                                                "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}}}))


def test_context_from_config_file(clean_env):
    cfg = clean_env / "docker-config"
    write_context(cfg, "remote", "tcp://127.0.0.1:2399")
    (cfg / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    (c,) = endpoints.candidates()
    assert c.url == "tcp://127.0.0.1:2399"
    assert "context 'remote'" in c.source and "config.json" in c.source


def test_docker_context_env_beats_config_and_docker_host_beats_both(clean_env, monkeypatch):
    cfg = clean_env / "docker-config"
    write_context(cfg, "a", "tcp://127.0.0.1:1111")
    write_context(cfg, "b", "tcp://127.0.0.1:2222")
    (cfg / "config.json").write_text(json.dumps({"currentContext": "a"}))
    monkeypatch.setenv("DOCKER_CONTEXT", "b")
    assert endpoints.candidates()[0].url == "tcp://127.0.0.1:2222"
    monkeypatch.setenv("DOCKER_HOST", "unix:///x.sock")
    assert endpoints.candidates()[0].url == "unix:///x.sock"


def test_missing_context_is_explained(clean_env, monkeypatch):
    monkeypatch.setenv("DOCKER_CONTEXT", "gone")
    with pytest.raises(BadDockerHost) as e:
        endpoints.candidates()
    assert "does not exist" in str(e.value) and "docker context use default" in e.value.hint


def test_probe_missing_socket(tmp_path):
    a = endpoints.probe(endpoints.Endpoint(f"unix://{tmp_path}/none.sock", "test"))
    assert a.reason == "no-socket" and "no socket at" in a.detail


def test_probe_stale_socket(tmp_path):
    import socket

    path = tmp_path / "stale.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()  # the file stays, nobody listens
    a = endpoints.probe(endpoints.Endpoint(f"unix://{path}", "test"))
    assert a.reason == "refused" and "nothing is listening" in a.detail


def test_discovery_reads_the_environment_it_is_given_not_os_environ(monkeypatch, tmp_path):
    """The doctor passes its injected environment instead of swapping os.environ (issue 15)."""
    from dockerlab import endpoints

    monkeypatch.setenv("DOCKER_HOST", "unix:///from/os/environ.sock")
    given = {"DOCKER_HOST": "tcp://10.1.2.3", "DOCKER_TLS_VERIFY": "1", "HOME": str(tmp_path)}
    [ep] = endpoints.candidates(given)
    assert ep.url == "tcp://10.1.2.3:2376" and ep.tls["verify"] is True
    assert endpoints.candidates()[0].url == "unix:///from/os/environ.sock"
    assert endpoints._docker_config_dir({"HOME": str(tmp_path)}) == tmp_path / ".docker"
