"""The doctor against the real engine: the working engine, a context file, a context that
points nowhere, and permission denied for a real non-root user."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from dockerlab.doctor import run_checks
from tests.engine.raw import raw

ROOT = Path(__file__).resolve().parents[2]
LEARNER = "dockerlab-learner"
REQUIRE = os.environ.get("DOCKERLAB_REQUIRE_ENGINE") == "1"


def _env(**changes):
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG")}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def _smoke_leftovers(engine) -> list[str]:
    return [n.lstrip("/") for c in engine.containers(all=True) for n in c.get("Names") or []
            if n.lstrip("/").startswith("doctor-smoke-")]


def test_the_working_engine(engine_lab):
    before = _smoke_leftovers(raw(engine_lab))
    report = run_checks(online=False, for_others=True)  # every check, the set-up ones too
    assert report.ok and report.exit_code == 0, report.text()
    reach = report["Engine reachable"]
    assert reach.status == "pass" and reach.evidence.startswith(f"Docker Engine at {engine_lab.endpoint.url}")
    v = report["Engine version"]
    assert v.data["server"] == engine_lab.server_version and v.data["api"] == engine_lab.api_version
    info = raw(engine_lab).info()
    assert report["Storage driver"].data["driver"] == info["Driver"]
    assert report["Cgroups"].evidence.startswith(f"cgroup v{info['CgroupVersion']}, driver {info['CgroupDriver']}")
    assert report["Rootless"].data["rootless"] == any("rootless" in o for o in info.get("SecurityOptions") or [])
    smoke = report["Smoke test"]
    assert smoke.status == "pass" and smoke.data["exit_code"] == 0
    assert smoke.evidence.startswith(f"$ docker run --rm --name {smoke.data['container']} ")
    assert "the container was removed" in smoke.evidence
    assert _smoke_leftovers(raw(engine_lab)) == before  # really removed
    assert report["Docker Hub"].status == "skip"  # online=False
    assert report["Docker Hub"].evidence == "not checked (offline: --offline, or online=False)"
    # with an engine every check ran (none skipped by the runner), in the order the report declares
    from dockerlab.doctor import runner

    assert [(c.name, c.group) for c in report.checks] == [(s.name, s.group) for s in runner.display_order(runner.CHECKS)]
    assert not [c.name for c in report.checks if c.evidence.startswith(("not checked: ", "not tried: "))]
    assert "The warnings are worth reading" in report.summary() or report.summary().startswith("0 failures, 0 warnings")


def test_the_smoke_test_with_alpine_true(engine_lab):
    report = run_checks(online=False, smoke_image="alpine")
    smoke = report["Smoke test"]
    assert smoke.status == "pass", smoke
    assert " alpine true -> exit code 0" in smoke.evidence


def test_a_smoke_test_that_cannot_run_fails_with_the_engines_reason(engine_lab):
    report = run_checks(online=False, smoke_image="dockerlab-no-such-image-for-doctor:never")
    smoke = report["Smoke test"]
    assert smoke.status == "fail" and report.exit_code == 1
    assert "ImageNotFound" in smoke.evidence or "RegistryUnreachable" in smoke.evidence or "Registry" in smoke.evidence
    assert "Traceback" not in smoke.evidence


def test_the_configured_mirror_is_checked(engine_lab):
    mirrors = (raw(engine_lab).info().get("RegistryConfig") or {}).get("Mirrors") or []
    report = run_checks(online=False, smoke=False)
    c = report["Registry mirror"]
    if not mirrors:
        assert c.evidence == "none configured: pulls go to Docker Hub"
        return
    assert c.data["mirrors"] == mirrors
    assert mirrors[0] in c.evidence
    # the provisioned mirror is a real registry: it answers /v2/
    assert c.status == "pass" and "answers (HTTP 200 on /v2/)" in c.evidence


def _write_context(config_dir: Path, name: str, host: str, current: bool = True) -> Path:
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest() / "meta.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps({"Name": name, "Metadata": {"Description": "dockerlab test"},
                                "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}}}))
    if current:
        (config_dir / "config.json").write_text(json.dumps({"currentContext": name}))
    return meta


def test_a_context_file_chooses_the_engine(engine_lab, tmp_path):
    sock = engine_lab.endpoint.url
    if not sock.startswith("unix://"):
        pytest.skip("the engine is not on a unix socket")
    _write_context(tmp_path, "dockerlab-doc-ctx", sock)
    report = run_checks(env=_env(DOCKER_CONFIG=str(tmp_path)), online=False, smoke=False)
    ep = report["Engine endpoint"]
    assert ep.status == "pass"
    assert ep.evidence.startswith(f"{sock}, from the context 'dockerlab-doc-ctx' (chosen by {tmp_path / 'config.json'})")
    assert "only this endpoint is tried" in ep.evidence
    assert report["Engine reachable"].status == "pass"
    assert report["Engine reachable"].data["source"].startswith("context 'dockerlab-doc-ctx'")


def test_a_context_pointing_nowhere(tmp_path):
    _write_context(tmp_path, "dockerlab-doc-gone", "unix:///nonexistent-ctx.sock")
    report = run_checks(env=_env(DOCKER_CONFIG=str(tmp_path)), online=False)
    reach = report["Engine reachable"]
    assert reach.status == "fail" and report.exit_code == 1
    assert "The Docker engine at unix:///nonexistent-ctx.sock did not answer" in reach.evidence
    assert "context 'dockerlab-doc-gone' (chosen by" in reach.evidence
    assert "'docker context use default'" in reach.fix
    if os.path.exists("/var/run/docker.sock") and os.access("/var/run/docker.sock", os.W_OK):
        assert reach.fix.startswith("the default socket /var/run/docker.sock accepts connections: "
                                    "'docker context use default' to use it")


def test_a_wrong_docker_host_while_the_default_socket_works(engine_lab):
    if engine_lab.endpoint.url != "unix:///var/run/docker.sock":
        pytest.skip("the engine is not on the default socket")
    report = run_checks(env=_env(DOCKER_HOST="unix:///nonexistent.sock"), online=False)
    reach = report["Engine reachable"]
    assert reach.status == "fail" and report.exit_code == 1
    assert reach.fix.startswith("the default socket /var/run/docker.sock accepts connections: unset DOCKER_HOST "
                                "to use it. Otherwise: is the Docker daemon running?")


def test_docker_context_naming_a_missing_context(tmp_path):
    report = run_checks(env=_env(DOCKER_CONFIG=str(tmp_path), DOCKER_CONTEXT="dockerlab-no-such-ctx"), online=False)
    ep = report["Engine endpoint"]
    assert ep.status == "fail"
    assert "The docker context 'dockerlab-no-such-ctx' does not exist" in ep.evidence
    assert "docker context ls" in ep.fix


def test_the_command_exits_0_on_the_working_engine(engine_lab, tmp_path):
    out = subprocess.run([sys.executable, "-m", "dockerlab", "doctor", "--json", "--offline"], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path, env=_env(PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stdout + out.stderr
    d = json.loads(out.stdout)
    assert d["ok"] is True and d["counts"]["fail"] == 0
    assert {c["name"]: c["status"] for c in d["checks"]}["Smoke test"] == "pass"


def test_the_widget_runs_the_real_checks(engine_lab):
    from dockerlab.doctor_widget import DoctorWidget

    w = DoctorWidget(online=False, smoke=False)
    report = w.run()
    assert w.status == "ok" and report.ok
    assert "Engine reachable" in w._table.value and "dockerlab-doctor-pass" in w._table.value
    assert repr(w).startswith("DoctorWidget(ok: 0 failures")


# --- permission denied: a real non-root user ------------------------------------------------
def _learner_python() -> tuple[list[str], dict]:
    """A command prefix that runs this kit's Python as the learner, and the env it needs.

    ./kit test provides DOCKERLAB_LEARNER_PYTHON. Otherwise the venv's python may be
    a symlink into a directory the learner cannot enter (pyenv under /root); then
    the system python of the same version runs with the venv's packages on PYTHONPATH."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run code as another user")
    if subprocess.run(["id", LEARNER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", LEARNER], check=True)
    base = {"HOME": f"/home/{LEARNER}", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT)}
    probe = "import dockerlab, docker, ipywidgets"
    venv_py = sys.executable
    # ./kit test sets DOCKERLAB_LEARNER_PYTHON (a venv the learner may use); then this run's own python
    for cand in (os.environ.get("DOCKERLAB_LEARNER_PYTHON"), "/opt/dockerlab/learner-venv/bin/python", venv_py):
        if cand and os.path.exists(cand) and subprocess.run(
                ["runuser", "-u", LEARNER, "--", "env", *[f"{k}={v}" for k, v in base.items()], cand, "-c", probe],
                capture_output=True, cwd="/tmp").returncode == 0:
            return [cand], base
    site = sysconfig.get_paths()["purelib"]
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for cand in (f"/usr/bin/{ver}", f"/usr/local/bin/{ver}"):
        env = dict(base, PYTHONPATH=f"{ROOT}:{site}")
        if os.path.exists(cand) and subprocess.run(
                ["runuser", "-u", LEARNER, "--", "env", *[f"{k}={v}" for k, v in env.items()], cand, "-c", probe],
                capture_output=True, cwd="/tmp").returncode == 0:
            return [cand], env
    msg = (f"the user {LEARNER} cannot run {venv_py} (is its interpreter under a directory only root may enter?) "
           f"and no system {ver} can import the kit")
    if REQUIRE:
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.mark.nonroot
def test_permission_denied_for_a_user_outside_the_docker_group(engine_lab):
    sock = engine_lab.endpoint.url
    if not sock.startswith("unix://"):
        pytest.skip("the engine is not on a unix socket")
    py, env = _learner_python()
    groups = subprocess.run(["id", "-nG", LEARNER], capture_output=True, text=True).stdout.split()
    if "docker" in groups:
        pytest.skip(f"{LEARNER} is in the docker group on this machine")
    out = subprocess.run(["runuser", "-u", LEARNER, "--", "env", *[f"{k}={v}" for k, v in env.items()],
                          *py, "-m", "dockerlab", "doctor", "--json", "--offline"],
                         capture_output=True, text=True, timeout=120, cwd="/tmp")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    d = json.loads(out.stdout)
    checks = {c["name"]: c for c in d["checks"]}
    reach = checks["Engine reachable"]
    assert reach["status"] == "fail" and reach["data"]["reason"] == "permission-denied"
    assert reach["data"]["error"] == "EnginePermissionDenied"
    path = sock[len("unix://"):]
    assert f"permission denied on {path}" in reach["evidence"] and f"you are {LEARNER}" in reach["evidence"]
    perm = checks["Socket permissions"]
    assert perm["status"] == "fail"
    assert perm["evidence"].startswith(f"{path}: owner root, group docker, mode srw-rw----; you are {LEARNER}")
    assert "not in the docker group; permission denied" in perm["evidence"]
    assert "sudo usermod -aG docker $USER" in perm["fix"] and "root-equivalent" in perm["fix"]
    assert perm["data"]["in_docker_group"] is False and perm["data"]["access"] is False
    assert checks["Smoke test"]["status"] == "skip"


def test_docker_hub_is_checked_where_online(engine_lab):
    import socket

    try:
        socket.getaddrinfo("registry-1.docker.io", 443)
        online = True
    except OSError:
        online = False
    c = run_checks(smoke=False)["Docker Hub"]
    if online:
        assert c.status in ("pass", "warn") and c.data["reachable"] is True
        assert c.evidence.startswith("registry-1.docker.io reachable") or "pull budget" in c.evidence
    else:
        assert c.status == "warn" and c.data["reachable"] is False
        assert c.evidence == ("unreachable from here: the name registry-1.docker.io does not resolve "
                              "(no internet, or no DNS)")
        mirrors = (raw(engine_lab).info().get("RegistryConfig") or {}).get("Mirrors")
        assert c.fix.startswith("pulls work only for images already on the engine or in the mirror" if mirrors
                                else "pulls will fail")
