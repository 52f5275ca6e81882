"""The doctor without an engine: os-release files, install steps, the seed's steps, the
report's forms, the widget's state, and the real no-engine situations (a missing
socket, nothing listening on TCP) that need no engine to exist."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dockerlab import doctor
from dockerlab.doctor import cli as doctor_cli
from dockerlab.doctor import Check, DoctorInputError, Report, explain_seed_steps, install_commands, run_checks
from dockerlab.errors import DockerLabError

ROOT = Path(__file__).resolve().parents[2]

UBUNTU_2204 = """\
PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
"""
UBUNTU_2404 = """\
PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
"""
DEBIAN_12 = """\
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""
MINT_213 = """\
NAME="Linux Mint"
VERSION="21.3 (Virginia)"
ID=linuxmint
ID_LIKE="ubuntu debian"
PRETTY_NAME="Linux Mint 21.3"
VERSION_ID="21.3"
VERSION_CODENAME=virginia
UBUNTU_CODENAME=jammy
"""
UBUNTU_2004 = UBUNTU_2204.replace("22.04.4", "20.04.6").replace("22.04", "20.04").replace("jammy", "focal").replace(
    "Jammy Jellyfish", "Focal Fossa")
FEDORA_40 = 'NAME="Fedora Linux"\nVERSION="40 (Workstation Edition)"\nID=fedora\nVERSION_ID=40\nPRETTY_NAME="Fedora Linux 40 (Workstation Edition)"\n'

def _stanza(family, codename):
    return (f"Types: deb\nURIs: https://download.docker.com/linux/{family}\nSuites: {codename}\n"
            "Components: stable\nSigned-By: /etc/apt/keyrings/docker.asc")


SOURCES = {
    "ubuntu-22.04": (UBUNTU_2204, _stanza("ubuntu", "jammy")),
    "ubuntu-24.04": (UBUNTU_2404, _stanza("ubuntu", "noble")),
    "debian-12": (DEBIAN_12, _stanza("debian", "bookworm")),
}


def _env(**changes):
    """This process's environment with the Docker variables replaced (None removes one)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG")}
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def _write(tmp_path, text, name="os-release"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


# --- install steps for the detected release ---------------------------------------------
@pytest.mark.parametrize("release", sorted(SOURCES))
def test_install_commands_give_the_deb822_sources_for_the_release(release):
    text, stanza = SOURCES[release]
    plan = install_commands(text, arch="amd64", system="Linux")
    assert plan.method == "apt"
    assert plan.sources == stanza
    script = "\n".join(cmd for _, cmd in plan.commands)
    assert f"sudo tee /etc/apt/sources.list.d/docker.sources > /dev/null <<'EOF'\n{stanza}\nEOF\n" in script
    assert "docker.list" not in script and "for pkg in" not in script
    assert script.startswith("sudo apt remove $(dpkg --get-selections docker.io docker-compose docker-compose-v2 "
                             "docker-doc podman-docker containerd runc | cut -f1)")
    family = "debian" if "debian" in release else "ubuntu"
    assert f"sudo curl -fsSL https://download.docker.com/linux/{family}/gpg -o /etc/apt/keyrings/docker.asc" in script
    assert "sudo chmod a+r /etc/apt/keyrings/docker.asc" in script
    assert "apt-key" not in script and "add-apt-repository" not in script
    after_removal = script.split("\n", 1)[1].split("sudo usermod")[0]
    assert "$(" not in after_removal  # the codename is resolved, not left to the shell
    assert "docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin" in script
    assert any("root-equivalent" in n for n in plan.notes)


def test_install_commands_take_the_arch_from_dpkg_when_not_given():
    plan = install_commands(UBUNTU_2404, system="Linux")
    out = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("no dpkg here")
    assert plan.arch == out.stdout.strip()
    assert any(f"this machine's architecture ({plan.arch})" in n for n in plan.notes)


def test_install_commands_accept_a_dict_and_an_arm_machine():
    from dockerlab.doctor import parse_os_release

    plan = install_commands(parse_os_release(UBUNTU_2204), arch="arm64", system="Linux")
    assert plan.sources == _stanza("ubuntu", "jammy") and plan.arch == "arm64"
    assert any("architecture (arm64)" in n for n in plan.notes)
    assert not any("no packages for the architecture" in n for n in plan.notes)


def test_a_derivative_gets_ubuntus_codename_not_its_own():
    plan = install_commands(MINT_213, arch="amd64", system="Linux")
    assert "Suites: jammy\n" in plan.sources
    assert "virginia" not in plan.sources
    assert any("not the derivative's own" in n for n in plan.notes)


def test_an_old_release_gets_the_current_form_and_a_warning():
    plan = install_commands(UBUNTU_2004, arch="amd64", system="Linux")
    assert "Suites: focal\n" in plan.sources
    assert any("no longer supported" in n for n in plan.notes)


@pytest.mark.parametrize("system, words", [
    ("Windows", ["Docker Desktop", "WSL 2", "Home edition", "14393", "22H2 (build 19045)", "23H2 (build 22631)",
                 "Hyper-V backend needs Pro, Enterprise or Education"]),
    ("Darwin", ["Docker Desktop for Mac", "Apple silicon", "the two before it"]),
])
def test_other_systems_get_docker_desktop(system, words):
    plan = install_commands(None, system=system)
    assert plan.method == "docker-desktop" and not plan.commands
    text = " ".join(plan.notes)
    for w in words:
        assert w in text


def test_a_non_apt_distribution_gets_a_pointer_and_rootless():
    plan = install_commands(FEDORA_40, system="Linux")
    assert plan.method == "pointer" and not plan.commands
    assert "https://docs.docker.com/engine/install/fedora/" in plan.docs
    assert "rootless" in plan.text().lower()


def test_install_commands_refuse_what_is_not_an_os_release():
    with pytest.raises(DockerLabError) as e:
        install_commands(42, system="Linux")
    assert isinstance(e.value, DoctorInputError)
    assert "os-release must be given as its text or as a dict" in str(e.value)
    assert "Hint:" in str(e.value)


# --- the seed's old steps, explained --------------------------------------------------------
def test_the_seeds_steps_are_explained_line_by_line():
    steps = explain_seed_steps()
    assert [s.step.split(")")[0] for s in steps[:5]] == [f"Step {i}" for i in range(1, 6)]
    text = "\n".join(repr(s) for s in steps)
    assert "apt-key is deprecated" in text
    assert "add-apt-repository comes from software-properties-common" in text
    assert "lxc-docker" in text and "docker-engine from 1.8 to 1.13" in text and "docker-ce" in text
    assert "[arch=amd64] is wrong on arm64" in text
    assert "/etc/apt/sources.list.d/docker.sources" in steps[2].today
    assert "Signed-By: /etc/apt/keyrings/docker.asc" in steps[2].today and "deb822" in steps[2].then
    seed = (ROOT.parent / "shared/seed/what-is-docker.txt")
    if seed.exists():  # each step's command is the seed's own
        body = seed.read_text()
        assert "apt-key add -" in body and "add-apt-repository" in body and "apt-get install docker-ce" in body


def test_the_doctor_command_prints_the_seed_steps(capsys):
    assert doctor.main(["--seed"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The tutorial's install steps, then and now:")
    assert "today:    sudo apt-get install -y docker-ce docker-ce-cli" in out


@pytest.mark.parametrize("release", sorted(SOURCES))
def test_the_doctor_command_prints_install_steps_for_an_os_release_file(release, tmp_path, capsys):
    text, stanza = SOURCES[release]
    path = _write(tmp_path, text)
    assert doctor.main(["--install", "--os-release", path]) == 0
    out = capsys.readouterr().out
    assert stanza in out and "/etc/apt/sources.list.d/docker.sources" in out


def test_the_doctor_command_explains_a_missing_os_release(tmp_path, capsys):
    assert doctor.main(["--install", "--os-release", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "Cannot read" in err and "Hint: pass --os-release PATH" in err and "Traceback" not in err


def test_the_doctor_command_rejects_an_unknown_option(capsys):
    assert doctor.main(["--frobnicate"]) == 2
    assert "unrecognized arguments: --frobnicate" in capsys.readouterr().err


# --- run_checks on fake os-release files, with no engine at all -----------------------------
NO_ENGINE = "unix:///nonexistent.sock"


@pytest.mark.parametrize("text, pretty, codename, status", [
    (UBUNTU_2204, "Ubuntu 22.04.4 LTS", "jammy", "pass"),
    (UBUNTU_2404, "Ubuntu 24.04.1 LTS", "noble", "pass"),
    (DEBIAN_12, "Debian GNU/Linux 12 (bookworm)", "bookworm", "pass"),
    (UBUNTU_2004, "Ubuntu 20.04.6 LTS", "focal", "warn"),
])
def test_the_os_check_reads_the_file_and_names_the_codename(tmp_path, text, pretty, codename, status):
    report = run_checks(env=_env(DOCKER_HOST=NO_ENGINE), os_release=_write(tmp_path, text), online=False)
    c = report["Operating system"]
    assert c.status == status
    assert c.evidence.startswith(pretty)
    assert f"`lsb_release -cs` would print: {codename}" in c.evidence
    assert report.install.codename == codename
    assert f"Suites: {codename}\n" in report.install.sources


def test_the_os_check_on_a_derivative_says_which_codename_docker_needs(tmp_path):
    report = run_checks(env=_env(DOCKER_HOST=NO_ENGINE), os_release=_write(tmp_path, MINT_213), online=False)
    ev = report["Operating system"].evidence
    assert "`lsb_release -cs` would print: virginia" in ev
    assert "Docker's ubuntu repository needs jammy" in ev


def test_the_os_check_on_this_machine_agrees_with_lsb_release():
    import shutil

    if not (shutil.which("lsb_release") and os.path.exists("/etc/os-release")):
        pytest.skip("no lsb_release or /etc/os-release here")
    real = subprocess.run(["lsb_release", "-cs"], capture_output=True, text=True).stdout.strip()
    c = run_checks(env=_env(DOCKER_HOST=NO_ENGINE), online=False)["Operating system"]
    assert c.data["lsb_release"] == real
    assert f"`lsb_release -cs` would print: {real}" in c.evidence and "but lsb_release" not in c.evidence


def test_the_os_check_says_when_it_cannot_read_the_file(tmp_path):
    report = run_checks(env=_env(DOCKER_HOST=NO_ENGINE), os_release=str(tmp_path / "missing"), online=False)
    c = report["Operating system"]
    assert c.status == "warn" and f"could not read {tmp_path / 'missing'}" in c.evidence


# --- real situations that need no engine ---------------------------------------------------------
def test_no_engine_at_a_missing_socket(tmp_path):
    report = run_checks(env=_env(DOCKER_HOST=NO_ENGINE), os_release=_write(tmp_path, DEBIAN_12), online=False)
    assert not report.ok and report.exit_code == 1
    ep = report["Engine endpoint"]
    assert ep.status == "pass"
    assert ep.evidence.startswith("unix:///nonexistent.sock, because DOCKER_HOST=unix:///nonexistent.sock is set")
    reach = report["Engine reachable"]
    assert reach.status == "fail" and reach.data["reason"] == "no-socket"
    assert "The Docker engine at unix:///nonexistent.sock did not answer" in reach.evidence
    assert "no socket at /nonexistent.sock" in reach.evidence
    assert "unset DOCKER_HOST to use the default socket" in reach.fix
    for name in ("Engine version", "Smoke test", "Registry mirror", "Docker Hub"):
        assert report[name].status == "skip" and "no engine answered" in report[name].evidence
    assert "1 failure" in report.summary() and "the kit cannot run yet" in report.summary()
    # DOCKER_HOST was the problem, not a missing Docker: no install steps in the way
    assert not report.show_install and "How to install Docker here" not in report.text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nothing_listening_on_tcp(tmp_path):
    port = _free_port()
    report = run_checks(env=_env(DOCKER_HOST=f"tcp://127.0.0.1:{port}"), os_release=_write(tmp_path, DEBIAN_12),
                        online=False)
    reach = report["Engine reachable"]
    assert reach.status == "fail" and reach.data["reason"] == "refused"
    assert f"nothing is listening on 127.0.0.1:{port} (connection refused)" in reach.evidence
    assert "is the daemon started with -H tcp://...?" in reach.fix
    perm = report["Socket permissions"]
    assert perm.status == "skip" and "is a TCP endpoint without TLS: no socket file" in perm.evidence
    assert report.exit_code == 1


def test_a_malformed_docker_host_is_explained(tmp_path):
    report = run_checks(env=_env(DOCKER_HOST="localhost"), os_release=_write(tmp_path, DEBIAN_12), online=False)
    ep = report["Engine endpoint"]
    assert ep.status == "fail"
    assert "DOCKER_HOST='localhost' is not an address the Docker CLI understands" in ep.evidence
    assert "unix:///path/to/docker.sock" in ep.fix
    assert report["Engine reachable"].status == "skip"


def test_the_injected_env_does_not_leak_into_the_process(tmp_path):
    before = os.environ.get("DOCKER_HOST")
    run_checks(env=_env(DOCKER_HOST=NO_ENGINE), os_release=_write(tmp_path, DEBIAN_12), online=False)
    assert os.environ.get("DOCKER_HOST") == before


def test_wsl_is_recognised_from_proc_version(tmp_path):
    env = _env(DOCKER_HOST=NO_ENGINE)
    wsl2 = _write(tmp_path, "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@65c757a075e2) #1 SMP", "v2")
    wsl1 = _write(tmp_path, "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0) #1237", "v1")
    plain = _write(tmp_path, "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)", "v0")
    c2 = run_checks(env=env, proc_version=wsl2, online=False)["WSL"]
    assert c2.status == "pass" and c2.evidence.startswith("WSL 2")
    c1 = run_checks(env=env, proc_version=wsl1, online=False)["WSL"]
    assert c1.status == "fail" and "Docker needs WSL 2" in c1.fix and "wsl --set-version" in c1.fix
    c0 = run_checks(env=env, proc_version=plain, online=False)["WSL"]
    assert c0.status == "pass" and c0.evidence == "not Windows Subsystem for Linux"


def test_binder_and_a_container_are_recognised(tmp_path):
    marker = _write(tmp_path, "", ".dockerenv")
    env = _env(DOCKER_HOST=NO_ENGINE, BINDER_LAUNCH_HOST="https://mybinder.org/", BINDER_REQUEST="v2/gh/x/y/HEAD")
    report = run_checks(env=env, container_markers=(marker,), online=False)
    b = report["Binder / JupyterHub"]
    assert b.status == "warn" and "BINDER_LAUNCH_HOST" in b.evidence and "no engine answers" in b.evidence
    assert "run the kit on your own machine" in b.fix
    c = report["Inside a container"]
    assert c.evidence.startswith(f"yes ({marker} exists)")
    none = run_checks(env=_env(DOCKER_HOST=NO_ENGINE), container_markers=(), online=False)
    assert none["Binder / JupyterHub"].status == "pass"
    assert none["Inside a container"].evidence == "no: running directly on the machine"


def test_an_installed_docker_desktop_that_is_not_running(tmp_path):
    (tmp_path / ".docker" / "desktop").mkdir(parents=True)
    c = run_checks(env=_env(DOCKER_HOST=NO_ENGINE, HOME=str(tmp_path)), online=False)["Docker Desktop"]
    assert c.status == "warn" and c.evidence == f"{tmp_path}/.docker/desktop exists but no engine answers"
    assert "start Docker Desktop" in c.fix


def test_a_missing_docker_cli_is_a_warning_with_the_package_name(tmp_path):
    report = run_checks(env=_env(DOCKER_HOST=NO_ENGINE, PATH=str(tmp_path)), online=False)
    c = report["docker CLI"]
    assert c.status == "warn" and c.evidence == "no 'docker' on PATH" and "docker-ce-cli" in c.fix
    assert report.show_install and "How to install Docker here" in report.text()


def test_a_python_other_users_cannot_run_is_named():
    import shutil
    import tempfile

    from dockerlab.doctor import blocked_for_others

    tmp_path = Path(tempfile.mkdtemp(prefix="doctor-perm-", dir="/tmp"))  # pytest's own tmp root is 0700
    tmp_path.chmod(0o755)
    if blocked_for_others(str(tmp_path)):
        shutil.rmtree(tmp_path)
        pytest.skip("/tmp is not open to other users here")
    locked = tmp_path / "locked"
    (locked / "bin").mkdir(parents=True)
    exe = locked / "bin" / "python"
    exe.write_text("")
    exe.chmod(0o755)
    locked.chmod(0o700)
    try:
        assert blocked_for_others(str(exe)) == f"{locked} (mode drwx------)"
        locked.chmod(0o711)
        assert blocked_for_others(str(exe)) == ""
        link = tmp_path / "python-link"
        link.symlink_to(exe)
        locked.chmod(0o700)
        assert blocked_for_others(str(link)).startswith(str(locked))  # the real path counts, as for runuser
    finally:
        locked.chmod(0o755)
        shutil.rmtree(tmp_path)


def test_the_learner_python_check_is_for_whoever_sets_up_the_machine():
    c = run_checks(env=_env(DOCKER_HOST=NO_ENGINE), online=False)["Python for learners"]
    assert c.status == "skip" and "--for-others" in c.evidence  # a learner's own report (a notebook's)


def test_the_doctor_command_checks_for_others_as_root(monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr(doctor_cli, "run_checks", lambda **kw: seen.update(kw) or Report([]))
    for uid, argv, want in ((0, [], True), (1000, [], False), (1000, ["--for-others"], True)):
        monkeypatch.setattr(doctor_cli.os, "getuid", lambda uid=uid: uid)
        doctor_cli.main(argv + ["--offline", "--no-smoke"])
        assert seen["for_others"] is want, (uid, argv)
    capsys.readouterr()


def test_the_learner_python_check_as_this_user():
    from dockerlab.doctor import blocked_for_others

    c = run_checks(env=_env(DOCKER_HOST=NO_ENGINE), online=False, for_others=True)["Python for learners"]
    if os.getuid() != 0:
        assert c.status == "pass" and "you are running it as" in c.evidence
    elif blocked_for_others(sys.executable):
        assert c.status == "warn" and "other users cannot run it" in c.evidence and "learner-venv" in c.fix
    else:
        assert c.status == "pass" and c.evidence.endswith("can be run by other users too")


# --- the report's forms -----------------------------------------------------------------------------
def _canned() -> Report:
    return Report([Check("One", "pass", "fine", group="G"), Check("Two", "warn", "hmm", fix="do <this>", group="G"),
                   Check("Three", "fail", "broken & gone", fix="repair it", group="H")])


def test_a_report_reads_as_text_html_and_json():
    r = _canned()
    assert not r.ok and r.exit_code == 1
    text = r.text()
    assert "  FAIL  Three                broken & gone" in text and "fix: repair it" in text
    assert text.rstrip().endswith("1 failure, 1 warning: the kit cannot run yet. Fix the FAIL lines, from the top.")
    html = r._repr_html_()
    assert "broken &amp; gone" in html and "do &lt;this&gt;" in html and "<script" not in html
    d = json.loads(r.to_json())
    assert d["ok"] is False and d["exit_code"] == 1 and d["counts"] == {"pass": 1, "warn": 1, "fail": 1, "skip": 0}
    assert [c["name"] for c in d["checks"]] == ["One", "Two", "Three"]
    with pytest.raises(KeyError, match="the checks are: One, Two, Three"):
        r["Four"]


def test_a_check_refuses_an_unknown_status():
    with pytest.raises(DoctorInputError, match="must be one of pass, warn, fail, skip"):
        Check("x", "maybe", "")


def test_parse_ratelimit_reads_docker_hubs_headers():
    assert doctor.parse_ratelimit("100;w=21600") == (100, 21600)
    assert doctor.parse_ratelimit("76;w=21600") == (76, 21600)
    assert doctor.parse_ratelimit("200") == (200, 0)
    assert doctor.parse_ratelimit("") is None and doctor.parse_ratelimit("lots") is None


def test_the_command_exits_1_with_json_when_there_is_no_engine(tmp_path):
    env = _env(DOCKER_HOST=NO_ENGINE, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "dockerlab", "doctor", "--json", "--offline"], env=env,
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    d = json.loads(out.stdout)
    assert d["ok"] is False
    reach = next(c for c in d["checks"] if c["name"] == "Engine reachable")
    assert reach["status"] == "fail" and "no socket at /nonexistent.sock" in reach["evidence"]


# --- the widget's state (the checks replaced by canned reports) --------------------------------
def test_the_widget_shows_a_report_and_its_status():
    from dockerlab.doctor_widget import DoctorWidget

    calls = []

    def fake(**kw):
        calls.append(kw)
        return _canned()

    w = DoctorWidget(checks=fake, online=False, os_release="/x")
    assert repr(w) == "DoctorWidget(not run)" and w.status == "not run"
    report = w.run()
    assert calls == [{"smoke": True, "online": False, "os_release": "/x"}]
    assert report is w.report and w.status == "problems"
    assert repr(w) == "DoctorWidget(problems: 1 failure, 1 warning: the kit cannot run yet. Fix the FAIL lines, from the top.)"
    assert "broken &amp; gone" in w._table.value and not w._run.disabled
    w._smoke.value = False  # the checkbox drives the public trait
    assert w.smoke is False
    w._run.click()
    assert calls[-1]["smoke"] is False


def test_the_widget_shows_the_doctors_own_error_without_a_traceback():
    from dockerlab.doctor_widget import DoctorWidget

    def broken(**kw):
        raise DoctorInputError("Cannot read /nope", hint="pass another file")

    w = DoctorWidget(checks=broken)
    assert w.run() is None
    assert w.status == "error" and "Cannot read /nope" in w.summary
    assert "The doctor could not finish" in w._status.value and "Hint" in w._status.value
    assert w._table.value == ""


def test_the_widget_validates_its_options():
    import traitlets

    from dockerlab.doctor_widget import DoctorWidget

    w = DoctorWidget(checks=lambda **kw: _canned())
    with pytest.raises(traitlets.TraitError, match="expected a boolean"):
        w.smoke = "yes"


def test_the_hub_check_states_todays_anonymous_limit(monkeypatch):
    """Docker Hub's anonymous limit is 10 pulls per hour per IPv4 address (or IPv6 /64), not 100 per 6 hours."""
    import types

    def fake_get(url, timeout, headers=None, method="GET"):
        if "auth.docker.io" in url:
            return 200, {}, '{"token": "t"}'
        if method == "HEAD":
            return 200, {"ratelimit-limit": "10;w=3600", "ratelimit-remaining": "3;w=3600"}, ""
        return 401, {}, ""

    from dockerlab.doctor.checks import registry

    monkeypatch.setattr(registry, "_resolves", lambda host, timeout: True)
    monkeypatch.setattr(registry, "_http_get", fake_get)
    check = registry._check_hub(types.SimpleNamespace(timeout=1, info={}, online=True))
    assert check.status == "warn" and "3 of 10 left per 1 h" in check.evidence
    assert "10 pulls per hour per IPv4 address (or IPv6 /64)" in check.fix


def test_the_dockerd_named_is_the_one_holding_the_engines_socket(tmp_path):
    import socket as sk

    from dockerlab.doctor.checks.system import _local_dockerd, socket_inodes

    path = str(tmp_path / "engine.sock")
    s = sk.socket(sk.AF_UNIX)
    s.bind(path)
    s.listen(1)
    try:
        assert socket_inodes(path) == {os.fstat(s.fileno()).st_ino}
        # a /proc of two dockerds: the second holds the socket
        proc = tmp_path / "proc"
        for pid, holds in ((101, False), (202, True)):
            (proc / str(pid) / "fd").mkdir(parents=True)
            (proc / str(pid) / "comm").write_text("dockerd\n")
            target = f"socket:[{os.fstat(s.fileno()).st_ino}]" if holds else "socket:[1]"
            os.symlink(target, proc / str(pid) / "fd" / "3")
        assert _local_dockerd(path, proc=str(proc)) == 202
        assert _local_dockerd(str(tmp_path / "other.sock"), proc=str(proc)) is None  # neither: name none
        (proc / "101").rename(tmp_path / "gone")
        (proc / "202" / "fd" / "3").unlink()
        assert _local_dockerd("", proc=str(proc)) == 202  # no socket asked: the only dockerd
    finally:
        s.close()
