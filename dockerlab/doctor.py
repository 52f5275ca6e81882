"""``dockerlab doctor``: can this machine run the kit? If not, what to do.

Most first-day failures are set-up problems, not Docker lessons: no engine,
an engine that is not running, permission denied on the socket, the wrong
context, a stale install. :func:`run_checks` looks at the machine the way a
helpful teacher would and returns a :class:`Report`: one :class:`Check` per
question, each with a status (``pass``, ``warn``, ``fail``; ``skip`` when a
check needs something that failed before it), the evidence it saw, and the fix.

    from dockerlab.doctor import run_checks
    run_checks()                     # a table in a notebook, text in a terminal

    $ dockerlab doctor               # the same, in a terminal; exit 0 when the kit can run
    $ dockerlab doctor --json        # for scripts and teachers
    $ dockerlab doctor --install     # Docker's install steps for this system
    $ dockerlab doctor --seed        # the seed tutorial's old steps, explained line by line

Engine discovery is not repeated here: the endpoint comes from
:func:`dockerlab.endpoints.candidates` and :func:`~dockerlab.endpoints.probe`,
the connection from :func:`dockerlab.connect`, so the doctor sees exactly what
the lessons will see. Every input (the os-release file, the environment, the
``/proc`` files) can be injected, so the tests drive real situations.
"""
from __future__ import annotations

import argparse
import contextlib
import grp
import json
import os
import platform
import pwd
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from . import endpoints as ep_mod
from .errors import BadDockerHost, DockerLabError, EngineUnavailable

STATUSES = ("pass", "warn", "fail", "skip")

DOCS = {
    "ubuntu": "https://docs.docker.com/engine/install/ubuntu/",
    "debian": "https://docs.docker.com/engine/install/debian/",
    "fedora": "https://docs.docker.com/engine/install/fedora/",
    "rhel": "https://docs.docker.com/engine/install/rhel/",
    "centos": "https://docs.docker.com/engine/install/centos/",
    "sles": "https://docs.docker.com/engine/install/sles/",
    "raspbian": "https://docs.docker.com/engine/install/raspberry-pi-os/",
    "binaries": "https://docs.docker.com/engine/install/binaries/",
    "linux": "https://docs.docker.com/engine/install/",
    "postinstall": "https://docs.docker.com/engine/install/linux-postinstall/",
    "rootless": "https://docs.docker.com/engine/security/rootless/",
    "desktop-windows": "https://docs.docker.com/desktop/setup/install/windows-install/",
    "desktop-mac": "https://docs.docker.com/desktop/setup/install/mac-install/",
    "desktop-wsl": "https://docs.docker.com/desktop/features/wsl/",
    "desktop-linux": "https://docs.docker.com/desktop/setup/install/linux/",
    "attack-surface": "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
    "rate-limit": "https://docs.docker.com/docker-hub/usage/",
}

#: Releases Docker's apt repository supports (docs.docker.com, 2025), and older ones it used to.
UBUNTU_RELEASES = {"questing": "25.10", "plucky": "25.04", "noble": "24.04 LTS", "jammy": "22.04 LTS"}
UBUNTU_OLD = {"oracular": "24.10", "mantic": "23.10", "lunar": "23.04", "kinetic": "22.10",
              "focal": "20.04 LTS", "bionic": "18.04 LTS", "xenial": "16.04 LTS", "trusty": "14.04 LTS"}
DEBIAN_RELEASES = {"trixie": "13", "bookworm": "12", "bullseye": "11"}
DEBIAN_OLD = {"buster": "10", "stretch": "9", "jessie": "8"}

DEB_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "armhf",
            "armv6l": "armel", "ppc64le": "ppc64el", "s390x": "s390x", "i686": "i386", "i386": "i386"}
DOCKER_APT_ARCHES = {"amd64", "arm64", "armhf", "ppc64el", "s390x"}

SECURITY_NOTE = ("members of the docker group are root-equivalent: anyone in it can start a container that "
                 "mounts / and change any file on this machine. Rootless Docker avoids that "
                 f"({DOCS['rootless']})")

DISCOVERY_VARS = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
                  "XDG_RUNTIME_DIR", "HOME", "PATH")


class DoctorInputError(DockerLabError, ValueError):
    """The doctor was given something it cannot read (an os-release that is not one, ...)."""


# --- the report -----------------------------------------------------------------
@dataclass
class Check:
    """One question the doctor asked: its answer, what it saw, and what to do."""

    name: str
    status: str  # pass, warn, fail, skip
    evidence: str
    fix: str = ""
    group: str = ""
    data: dict = field(default_factory=dict)  # the facts, for --json

    def __post_init__(self):
        if self.status not in STATUSES:
            raise DoctorInputError(f"A check's status must be one of {', '.join(STATUSES)}",
                                   state=f"{self.name!r} got {self.status!r}", hint="this is a bug in dockerlab")

    def as_dict(self) -> dict:
        return asdict(self)


_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "skip"}
_COLOUR = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "skip": "#6e7781"}


@dataclass
class Report:
    """All the checks. Text in a terminal, a table in a notebook, a dict for ``--json``."""

    checks: list
    install: "InstallPlan | None" = None
    seconds: float = 0.0

    @property
    def failures(self) -> list:
        return [c for c in self.checks if c.status == "fail"]

    @property
    def warnings(self) -> list:
        return [c for c in self.checks if c.status == "warn"]

    @property
    def ok(self) -> bool:
        """True when the kit can run here (no check failed)."""
        return not self.failures

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def __getitem__(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no check named {name!r}; the checks are: {', '.join(c.name for c in self.checks)}")

    @property
    def show_install(self) -> bool:
        """Install steps help when Docker seems not installed (no CLI, no socket anywhere)."""
        names = {c.name: c for c in self.checks}
        reach = names.get("Engine reachable")
        found = names.get("Engine endpoint")
        no_engine = (reach is not None and reach.status == "fail" and reach.data.get("reason") == "no-socket"
                     and found is not None and found.data.get("chosen_by") == "default")
        cli = names.get("docker CLI")
        return self.install is not None and (no_engine or (cli is not None and cli.status != "pass"))

    def summary(self) -> str:
        nf, nw = len(self.failures), len(self.warnings)
        counts = f"{nf} failure{'s' * (nf != 1)}, {nw} warning{'s' * (nw != 1)}"
        if self.ok:
            return f"{counts}: the kit can run here." + (" The warnings are worth reading." if nw else "")
        return f"{counts}: the kit cannot run yet. Fix the FAIL lines, from the top."

    def text(self, width: int = 100) -> str:
        lines = ["dockerlab doctor: can this machine run the kit?"]
        group = None
        for c in self.checks:
            if c.group != group:
                group = c.group
                lines += ["", group]
            head = f"  {_MARK[c.status]}  {c.name:<20} "
            lines += _wrap(c.evidence, head, width)
            if c.fix and c.status != "pass":
                lines += _wrap(c.fix, " " * 29 + "fix: ", width, indent=" " * 34)
            elif c.fix:
                lines += _wrap(c.fix, " " * 29 + "note: ", width, indent=" " * 35)
        lines += ["", self.summary()]
        if self.show_install:
            lines += ["", "How to install Docker here (also: dockerlab doctor --install):", "",
                      textwrap.indent(self.install.text(), "  ")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__

    def as_dict(self) -> dict:
        from . import __version__

        return {"ok": self.ok, "exit_code": self.exit_code, "summary": self.summary(),
                "dockerlab": __version__, "seconds": round(self.seconds, 2),
                "counts": {s: sum(c.status == s for c in self.checks) for s in STATUSES},
                "checks": [c.as_dict() for c in self.checks],
                "install": self.install.as_dict() if self.install else None}

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.as_dict(), indent=indent, default=str)

    def _repr_html_(self) -> str:
        rows, group = [], None
        for c in self.checks:
            if c.group != group:
                group = c.group
                rows.append(f"<tr><th colspan='4' style='text-align:left;padding-top:0.6em'>{escape(group)}</th></tr>")
            fix = escape(c.fix) if c.fix else ""
            if fix and c.status == "pass":
                fix = f"<span style='color:#6e7781'>{fix}</span>"
            rows.append(
                f"<tr class='dockerlab-doctor-{c.status}'>"
                f"<td style='vertical-align:top;text-align:left;font-weight:bold;color:{_COLOUR[c.status]}'>{_MARK[c.status]}</td>"
                f"<td style='vertical-align:top;text-align:left;white-space:nowrap'>{escape(c.name)}</td>"
                f"<td style='vertical-align:top;text-align:left;white-space:pre-wrap'>{escape(c.evidence)}</td>"
                f"<td style='vertical-align:top;text-align:left;white-space:pre-wrap'>{fix}</td></tr>")
        colour = _COLOUR["pass" if self.ok else "fail"]
        html = ("<div class='dockerlab-doctor'><table>"
                "<tr><th style='text-align:left'></th><th style='text-align:left'>check</th>"
                "<th style='text-align:left'>what the doctor saw</th><th style='text-align:left'>what to do</th></tr>"
                + "".join(rows) + "</table>"
                f"<p style='color:{colour};font-weight:bold'>{escape(self.summary())}</p>")
        if self.show_install:
            html += ("<details open><summary>How to install Docker here</summary>"
                     f"<pre>{escape(self.install.text())}</pre></details>")
        return html + "</div>"


def _wrap(text: str, head: str, width: int, indent: str | None = None) -> list[str]:
    indent = " " * len(head) if indent is None else indent
    out = []
    for i, para in enumerate(str(text).splitlines() or [""]):
        first = head if i == 0 else indent
        lead = para[:len(para) - len(para.lstrip())]
        out += textwrap.wrap(para.strip(), width=width, initial_indent=first + lead,
                             subsequent_indent=indent + lead + ("  " if lead else ""),
                             break_long_words=False, break_on_hyphens=False) or [first.rstrip()]
    return out


# --- the operating system and the install steps -----------------------------------
def parse_os_release(text: str) -> dict:
    """``/etc/os-release`` as a dict (shell-style KEY=value lines, quotes removed)."""
    if not isinstance(text, str):
        raise DoctorInputError("os-release must be given as its text or as a dict",
                               state=f"got {type(text).__name__}", hint="for example open('/etc/os-release').read()")
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key.strip()] = value.replace('\\"', '"').replace("\\$", "$").replace("\\\\", "\\")
    return out


def _os_dict(os_release) -> dict:
    if isinstance(os_release, dict):
        return {str(k): str(v) for k, v in os_release.items()}
    if isinstance(os_release, Path):
        return parse_os_release(os_release.read_text())
    return parse_os_release(os_release)


def lsb_codename(os_release) -> str:
    """The codename ``lsb_release -cs`` would print (it reads VERSION_CODENAME, as this does)."""
    d = _os_dict(os_release)
    code = d.get("VERSION_CODENAME", "")
    if not code:  # very old files: "VERSION="14.04, Trusty Tahr"" or Debian testing without a codename
        m = re.search(r"\(([A-Za-z]+)", d.get("VERSION", "")) or re.search(r",\s*([A-Za-z]+)", d.get("VERSION", ""))
        code = m.group(1).lower() if m else ""
    return code


def apt_family(os_release) -> tuple[str, str]:
    """('ubuntu'|'debian'|'', codename for Docker's repository) for this os-release."""
    d = _os_dict(os_release)
    ids = [d.get("ID", "").lower()] + d.get("ID_LIKE", "").lower().split()
    if ids[0] == "raspbian":
        return "raspbian", d.get("VERSION_CODENAME", "")
    if "ubuntu" in ids:
        # derivatives (Linux Mint, Pop!_OS, elementary) name their own release; Docker's repo knows Ubuntu's
        return "ubuntu", d.get("UBUNTU_CODENAME") or d.get("VERSION_CODENAME", "") or lsb_codename(d)
    if "debian" in ids:
        code = d.get("VERSION_CODENAME", "") if ids[0] == "debian" else (d.get("DEBIAN_CODENAME") or "")
        return "debian", code or (lsb_codename(d) if ids[0] == "debian" else "")
    return "", ""


def dpkg_architecture(machine: str | None = None) -> str:
    """Debian's name for this machine's architecture (``dpkg --print-architecture``)."""
    if machine is None and shutil.which("dpkg"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, timeout=5)
            if out.returncode == 0 and out.stdout.strip():
                return out.stdout.strip()
    machine = machine or platform.machine()
    return DEB_ARCH.get(machine.lower(), machine.lower())


@dataclass
class InstallPlan:
    """How to install Docker on one system: commands to run, or where to read."""

    system: str  # "Ubuntu 24.04 LTS (noble)", "Windows", ...
    method: str  # "apt", "docker-desktop", "pointer"
    commands: list = field(default_factory=list)  # (comment, command) pairs, in order
    repo_line: str = ""
    codename: str = ""
    arch: str = ""
    notes: list = field(default_factory=list)
    docs: list = field(default_factory=list)

    def text(self) -> str:
        lines = [f"# Docker for {self.system}"]
        for comment, command in self.commands:
            lines += ["", f"# {comment}", command]
        for note in self.notes:
            lines += [""] + textwrap.wrap(note, 96, initial_indent="# ", subsequent_indent="#   ",
                                          break_long_words=False, break_on_hyphens=False)
        for url in self.docs:
            lines.append(f"# see {url}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return f"<pre class='dockerlab-install'>{escape(self.text())}</pre>"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["commands"] = [{"comment": c, "command": cmd} for c, cmd in self.commands]
        return d


def install_commands(os_release=None, *, arch: str | None = None, system: str | None = None,
                     wsl: bool = False) -> InstallPlan:
    """Docker's install steps for a system, in today's official form.

    ``os_release`` is the text of ``/etc/os-release`` (or the dict of it; None
    reads this machine's). For Debian and Ubuntu the result has the apt steps
    with the release's codename resolved (what ``$(. /etc/os-release && echo
    "$VERSION_CODENAME")`` would print) and ``arch`` from ``dpkg
    --print-architecture``; other systems get the right pointer.
    ``system`` is ``platform.system()`` ("Linux", "Darwin", "Windows").
    """
    system = system or platform.system()
    if system == "Darwin":
        return InstallPlan("macOS", "docker-desktop", notes=[
            "Install Docker Desktop for Mac (choose Apple silicon or Intel). It runs the Linux engine in a small VM "
            "and sets the docker CLI's context for you; start it once from Applications, then run "
            "'docker run hello-world' in a terminal.",
            "Images are built for CPU architectures: on Apple silicon, arm64 images run natively, amd64-only images "
            "run emulated (slower)."], docs=[DOCS["desktop-mac"]])
    if system == "Windows":
        return InstallPlan("Windows", "docker-desktop", notes=[
            "Install Docker Desktop for Windows with the WSL 2 backend (the default). It works on the Home edition "
            "too: the seed's note (Windows 10 Pro or Enterprise build 14393, Windows Server 2016) describes the "
            "old Hyper-V-only 'Docker for Windows' and is long out of date.",
            "Then run the kit inside WSL 2 (a Ubuntu distribution from the Microsoft Store) with Docker Desktop's "
            "WSL integration turned on for it, or install Docker Engine inside the WSL 2 distribution with the "
            "Ubuntu steps."], docs=[DOCS["desktop-windows"], DOCS["desktop-wsl"]])
    if system != "Linux":
        return InstallPlan(system or "this system", "pointer", notes=[
            "Docker Engine runs on Linux; elsewhere use Docker Desktop or a Linux VM."], docs=[DOCS["linux"]])
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text()
        except OSError:
            os_release = {}
    d = _os_dict(os_release)
    family, codename = apt_family(d)
    name = d.get("PRETTY_NAME") or d.get("NAME") or "Linux"
    wsl_note = ([f"Inside WSL 2 you can instead use Docker Desktop's WSL integration ({DOCS['desktop-wsl']}); "
                 "do not do both."] if wsl else [])
    rootless = (f"No root on this machine? Rootless Docker runs the engine as your user: {DOCS['rootless']}")
    if family in ("ubuntu", "debian"):
        return _apt_plan(d, family, codename, arch or dpkg_architecture(), name, extra_notes=wsl_note + [rootless])
    ids = [d.get("ID", "").lower()] + d.get("ID_LIKE", "").lower().split()
    for key in ("raspbian", "fedora", "rhel", "centos", "sles"):
        if key in ids:
            return InstallPlan(name, "pointer", notes=[
                f"Docker publishes packages for {name.split(' ')[0]}; follow its page for the current steps."]
                + wsl_note + [rootless], docs=[DOCS[key], DOCS["postinstall"]])
    return InstallPlan(name, "pointer", notes=[
        "Docker publishes no packages for this distribution. Use your distribution's own package (often named "
        "'docker' or 'docker.io'; on Arch 'pacman -S docker'), or Docker's static binaries."]
        + wsl_note + [rootless], docs=[DOCS["linux"], DOCS["binaries"], DOCS["postinstall"]])


def _apt_plan(d: dict, family: str, codename: str, arch: str, name: str, extra_notes=()) -> InstallPlan:
    base = f"https://download.docker.com/linux/{family}"
    notes = []
    if not codename:
        return InstallPlan(name, "pointer", arch=arch, notes=[
            f"{name} is based on {family.title()}, but its os-release names no {family.title()} release "
            f"(no {'UBUNTU_CODENAME' if family == 'ubuntu' else 'VERSION_CODENAME'}). Docker's repository is organised "
            f"by {family.title()} codename: use the steps on Docker's page with the {family.title()} release yours "
            "follows."] + list(extra_notes), docs=[DOCS[family], DOCS["postinstall"]])
    known = UBUNTU_RELEASES if family == "ubuntu" else DEBIAN_RELEASES
    old = UBUNTU_OLD if family == "ubuntu" else DEBIAN_OLD
    if codename in old:
        notes.append(f"{family.title()} {old[codename]} ({codename}) is no longer supported by Docker's packages: "
                     f"upgrade if you can. The steps below still show the current form.")
    elif codename not in known:
        notes.append(f"dockerlab does not know the codename {codename!r}; check that {base}/dists/{codename}/ "
                     "exists before adding the repository.")
    if d.get("ID", "").lower() not in (family, "raspbian"):
        var = "UBUNTU_CODENAME" if family == "ubuntu" else "the Debian codename"
        notes.append(f"{name} is based on {family.title()}: Docker's repository knows {family.title()}'s codename "
                     f"({codename}, from {var}), not the derivative's own (which is what lsb_release -cs prints).")
    if arch not in DOCKER_APT_ARCHES:
        notes.append(f"Docker's apt repository has no packages for the architecture {arch!r}.")
    repo_line = f"deb [arch={arch} signed-by=/etc/apt/keyrings/docker.asc] {base} {codename} stable"
    commands = [
        ("Remove packages that conflict with Docker's own (it is fine if none are installed)",
         "for pkg in docker.io docker-doc docker-compose podman-docker containerd runc; do "
         "sudo apt-get remove -y $pkg; done"),
        ("Add Docker's official GPG key to its own keyring", "\n".join([
            "sudo apt-get update",
            "sudo apt-get install -y ca-certificates curl",
            "sudo install -m 0755 -d /etc/apt/keyrings",
            f"sudo curl -fsSL {base}/gpg -o /etc/apt/keyrings/docker.asc",
            "sudo chmod a+r /etc/apt/keyrings/docker.asc"])),
        (f"Add the repository; signed-by= trusts that key for this repository only ({codename}, {arch})",
         f'echo "{repo_line}" | sudo tee /etc/apt/sources.list.d/docker.list > /dev/null\nsudo apt-get update'),
        ("Install Docker Engine, the CLI, containerd and the buildx and compose plugins",
         "sudo apt-get install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin"),
        ("Check it: this pulls and runs a tiny test image", "sudo docker run hello-world"),
        ("Optional: use docker without sudo (log out and in afterwards). Read the security note first",
         "sudo usermod -aG docker $USER"),
    ]
    notes.append(f"Docker's docs write the codename as $(. /etc/os-release && echo \"$VERSION_CODENAME\")"
                 + (" (${UBUNTU_CODENAME:-$VERSION_CODENAME} on Ubuntu)" if family == "ubuntu" else "")
                 + f" and the architecture as $(dpkg --print-architecture); here they are {codename} and {arch}.")
    notes.append(f"Security: {SECURITY_NOTE}.")
    notes.append(f"{family.title()}'s own package also works for these lessons ('sudo apt-get install docker.io'); "
                 "it is older than Docker's and must not be mixed with docker-ce.")
    notes += list(extra_notes)
    system = f"{name} ({codename})" if codename not in name else name
    return InstallPlan(system, "apt", commands=commands, repo_line=repo_line, codename=codename, arch=arch,
                       notes=notes, docs=[DOCS[family], DOCS["postinstall"]])


@dataclass
class SeedStep:
    step: str
    seed: str  # the seed's command, as printed there
    then: str  # what it did, and what is wrong with it today
    today: str  # the current equivalent

    def __repr__(self) -> str:
        return f"{self.step}\n  seed:  {self.seed}\n  then:  {self.then}\n  today: {self.today}"


SEED_STEPS = [
    SeedStep(
        "Step 1) Adding prerequisite Ubuntu packages",
        "sudo apt-get install apt-transport-https ca-certificates curl",
        "apt-transport-https taught apt to fetch https:// repositories; apt has done that by itself since 1.5 "
        "(Ubuntu 18.04, Debian 10), so today it is an empty transitional package. The seed's note calls the line "
        "continuation a '/' but it is a backslash '\\', and its last line also ends in '\\', so the shell waits for "
        "more. Docker's instructions of the time also installed software-properties-common (for Step 3) and "
        "gnupg-agent, which the seed leaves out.",
        "sudo apt-get update && sudo apt-get install -y ca-certificates curl"),
    SeedStep(
        "Step 2) Add the Docker GPG key",
        "curl -fsSL https://download.docker.com/linux/ubuntu/gpg | sudo apt-key add -",
        "apt-key add put Docker's key in apt's global keyring, so apt trusted it for every repository, not only "
        "Docker's. apt-key is deprecated (apt prints 'Warning: apt-key is deprecated' since Ubuntu 22.04 and "
        "Debian 11) and newer releases (Debian 13) no longer ship it.",
        "sudo install -m 0755 -d /etc/apt/keyrings && sudo curl -fsSL https://download.docker.com/linux/ubuntu/gpg "
        "-o /etc/apt/keyrings/docker.asc && sudo chmod a+r /etc/apt/keyrings/docker.asc"),
    SeedStep(
        "Step 3) Adding the Docker APT repository",
        'sudo add-apt-repository "deb [arch=amd64] https://download.docker.com/linux/ubuntu $(lsb_release -cs) stable"',
        "add-apt-repository comes from software-properties-common (not installed on Debian or minimal Ubuntu). "
        "[arch=amd64] is wrong on arm64 machines (Raspberry Pi, Apple silicon VMs). $(lsb_release -cs) needs the "
        "lsb-release package, and on Linux Mint and other derivatives it prints their own codename, which Docker's "
        "repository does not have. As printed, the seed's line is cut after $(lsb_release -cs): the component "
        "'stable' and the closing quote are missing, and two lines end in '\\ ' with a space after the backslash, "
        "which breaks the continuation. The prompt about adding a GPG key automatically is about Launchpad PPAs, "
        "not Docker's repository.",
        'echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] '
        'https://download.docker.com/linux/ubuntu $(. /etc/os-release && echo "${UBUNTU_CODENAME:-$VERSION_CODENAME}") '
        'stable" | sudo tee /etc/apt/sources.list.d/docker.list > /dev/null'),
    SeedStep(
        "Step 4) Update APT sources",
        "sudo apt-get update",
        "Still right: apt reads the new repository's package list.",
        "sudo apt-get update"),
    SeedStep(
        "Step 5) Installing the Docker packages on Ubuntu",
        "sudo apt-get install docker-ce",
        "The package names changed with Docker's history: lxc-docker until 1.7 (early Docker ran containers through "
        "LXC), docker-engine from 1.8 to 1.13, and docker-ce (Community Edition, year.month versions) since 17.03 "
        "in March 2017. docker-ce is still the engine's package, but today the CLI, containerd and the buildx and "
        "compose plugins are separate packages installed beside it. docker.io is Debian's and Ubuntu's own "
        "package of the engine, a different build.",
        "sudo apt-get install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin"),
    SeedStep(
        "After installing: sudo docker info",
        "sudo docker info",
        "The seed runs every command with sudo. That works, but the usual set-up adds you to the docker group "
        f"(sudo usermod -aG docker $USER, then log out and in); {SECURITY_NOTE}.",
        "docker info"),
]


def explain_seed_steps() -> list[SeedStep]:
    """The seed tutorial's five install steps, each with what it did then and what to run today."""
    return list(SEED_STEPS)


# --- the checks ------------------------------------------------------------------------
def _discovery_env(ctx) -> dict | None:
    """The environment engine discovery reads: the one injected into the doctor, else the process's
    (passed to :func:`dockerlab.endpoints.candidates` and ``connect(env=...)``; os.environ is never swapped)."""
    return ctx.env if ctx.injected_env else None


def _read(path) -> str | None:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return None


def _whoami() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"


class _Ctx:
    """What the checks share: inputs, and facts found on the way."""

    def __init__(self, env, os_release, proc_version, container_markers, timeout):
        self.env = dict(os.environ if env is None else env)
        self.injected_env = env is not None
        self.os_release_path = str(os_release)
        self.proc_version = proc_version
        self.container_markers = container_markers
        self.timeout = timeout
        self.os = {}
        self.lab = None
        self.info = {}
        self.engine_error = None
        self.endpoint = None
        self.attempts = []
        self.wsl = ""
        self.version = {}


def _check_os(ctx: _Ctx) -> Check:
    system = platform.system()
    text = _read(ctx.os_release_path)
    if system != "Linux" and text is None:
        return Check("Operating system", "pass", f"{system} {platform.release()}", group="System",
                     fix="Docker Engine needs Linux; on this system the kit uses Docker Desktop "
                         "(dockerlab doctor --install)", data={"system": system})
    if text is None:
        return Check("Operating system", "warn", f"{system}; could not read {ctx.os_release_path}", group="System",
                     fix="the doctor cannot name the distribution, so it cannot give exact install steps",
                     data={"system": system, "os_release": ctx.os_release_path})
    d = ctx.os = parse_os_release(text)
    pretty = d.get("PRETTY_NAME") or d.get("NAME") or "an unnamed Linux"
    code = lsb_codename(d)
    family, repo_code = apt_family(d)
    ev = f"{pretty}; `lsb_release -cs` would print: {code or '(nothing)'} (read from {ctx.os_release_path})"
    real = _lsb_release(ctx) if os.path.realpath(ctx.os_release_path) == "/etc/os-release" or \
        ctx.os_release_path == "/etc/os-release" else None
    if real is not None and real != code:
        ev += f" (but lsb_release -cs here prints {real or 'nothing'})"
    data = {"system": system, "id": d.get("ID", ""), "id_like": d.get("ID_LIKE", ""), "version_id": d.get("VERSION_ID", ""),
            "pretty_name": pretty, "codename": code, "docker_repo_family": family, "docker_repo_codename": repo_code,
            "os_release": ctx.os_release_path, "lsb_release": real}
    if family in ("ubuntu", "debian") and repo_code and repo_code != code:
        ev += f"; Docker's {family} repository needs {repo_code}"
    known = {"ubuntu": (UBUNTU_RELEASES, UBUNTU_OLD), "debian": (DEBIAN_RELEASES, DEBIAN_OLD)}.get(family)
    if known and repo_code in known[1]:
        return Check("Operating system", "warn", ev + f" ({family.title()} {known[1][repo_code]}, past its support)",
                     group="System", data=data,
                     fix=f"Docker's packages no longer support {repo_code}; the lessons may still work, but upgrade if you can")
    if known and repo_code and repo_code not in known[0]:
        return Check("Operating system", "warn", ev, group="System", data=data,
                     fix=f"dockerlab does not know the release {repo_code!r}; check Docker's page {DOCS[family]}")
    return Check("Operating system", "pass", ev, group="System", data=data)


def _lsb_release(ctx: _Ctx) -> str | None:
    """What ``lsb_release -cs`` really prints here (None when it is not installed)."""
    exe = shutil.which("lsb_release", path=ctx.env.get("PATH", ""))
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "-cs"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _check_arch(ctx: _Ctx) -> Check:
    machine = platform.machine()
    deb = dpkg_architecture() if shutil.which("dpkg") else DEB_ARCH.get(machine.lower(), machine)
    ev = f"{machine}" + (f" (dpkg: {deb})" if shutil.which("dpkg") else "")
    data = {"machine": machine, "dpkg": deb}
    if machine.lower() in ("x86_64", "amd64", "aarch64", "arm64"):
        return Check("Architecture", "pass", ev, group="System", data=data,
                     fix=("images are built per architecture: amd64-only images do not run natively here"
                          if machine.lower() in ("aarch64", "arm64") else ""))
    return Check("Architecture", "warn", ev, group="System", data=data,
                 fix="many images exist only for amd64 and arm64; the lesson images may not run here")


def _check_wsl(ctx: _Ctx) -> Check:
    pv = _read(ctx.proc_version) or ""
    env = ctx.env
    if "microsoft-standard" in pv.lower() or "wsl2" in pv.lower():
        ctx.wsl = "2"
    elif "microsoft" in pv.lower():
        ctx.wsl = "1"
    elif env.get("WSL_DISTRO_NAME"):
        ctx.wsl = "2" if env.get("WSL_INTEROP") else "?"
    data = {"wsl": ctx.wsl, "distro": env.get("WSL_DISTRO_NAME", "")}
    if not ctx.wsl:
        return Check("WSL", "pass", "not Windows Subsystem for Linux", group="System", data=data)
    where = f"WSL {ctx.wsl}" + (f", distribution {env['WSL_DISTRO_NAME']}" if env.get("WSL_DISTRO_NAME") else "")
    if ctx.wsl == "1":
        return Check("WSL", "fail", f"{where} (kernel: {pv.strip()[:80]})", group="System", data=data,
                     fix="Docker needs WSL 2: in PowerShell run 'wsl --set-version <distribution> 2', then use "
                         f"Docker Desktop's WSL integration ({DOCS['desktop-wsl']})")
    return Check("WSL", "pass", where, group="System", data=data,
                 fix="use Docker Desktop's WSL integration, or Docker Engine installed inside this distribution, not both")


def _check_desktop(ctx: _Ctx) -> Check:
    os_name = ctx.info.get("OperatingSystem", "")
    url = ctx.endpoint.url if ctx.endpoint else ""
    source = ctx.endpoint.source if ctx.endpoint else ""
    home = Path(ctx.env.get("HOME") or "~").expanduser()
    signs = []
    if "Docker Desktop" in os_name:
        signs.append(f"the engine says it runs in {os_name}")
    if "desktop" in source or "/.docker/desktop/" in url or "/.docker/run/" in url:
        signs.append(f"the endpoint {url} is Docker Desktop's")
    installed = (home / ".docker" / "desktop").is_dir()
    data = {"docker_desktop": bool(signs), "installed_hint": installed}
    if signs:
        return Check("Docker Desktop", "pass", "; ".join(signs), group="System", data=data,
                     fix="the engine runs in Docker Desktop's VM: start Docker Desktop before the lessons")
    if installed and ctx.lab is None:
        return Check("Docker Desktop", "warn", f"{home / '.docker' / 'desktop'} exists but no engine answers",
                     group="System", data=data, fix="start Docker Desktop and wait until it says 'Engine running'")
    return Check("Docker Desktop", "pass", "not in use" + (" (a Docker Engine answers directly)" if ctx.lab else ""),
                 group="System", data=data)


def _inside_container(ctx: _Ctx) -> list[str]:
    signs = [f"{m} exists" for m in ctx.container_markers if os.path.exists(m)]
    if ctx.env.get("container"):
        signs.append(f"container={ctx.env['container']}")
    if ctx.env.get("KUBERNETES_SERVICE_HOST"):
        signs.append("KUBERNETES_SERVICE_HOST is set")
    return signs


def _local_dockerd() -> int | None:
    """The pid of a dockerd visible from here (the engine runs in this machine or container), else None."""
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if Path(entry.path, "comm").read_text().strip() == "dockerd":
                        return int(entry.name)
    return None


def _check_container(ctx: _Ctx) -> Check:
    signs = _inside_container(ctx)
    data = {"inside": bool(signs), "signs": signs}
    if not signs:
        return Check("Inside a container", "pass", "no: running directly on the machine", group="System", data=data)
    ev = "yes (" + ", ".join(signs) + ")"
    if ctx.lab is not None:
        pid = _local_dockerd()
        data["dockerd_pid"] = pid
        if pid:
            return Check("Inside a container", "pass", ev + f"; the engine runs in here too (dockerd, pid {pid})",
                         group="System", data=data)
        return Check("Inside a container", "pass", ev + f"; the engine at {ctx.endpoint.url} answers from outside",
                     group="System", data=data,
                     fix="containers you start are siblings on that engine's machine, not children of this container")
    if os.path.exists(ep_mod.DEFAULT_SOCKET):
        return Check("Inside a container", "pass", ev + f"; the engine's socket {ep_mod.DEFAULT_SOCKET} is in here",
                     group="System", data=data)
    return Check("Inside a container", "warn", ev + "; no engine answers from in here", group="System", data=data,
                 fix="run the kit on the host, or start this container with the engine's socket mounted "
                     "(-v /var/run/docker.sock:/var/run/docker.sock, which gives it root on the host)")


def _check_binder(ctx: _Ctx) -> Check:
    binder = sorted(k for k in ctx.env if k.startswith("BINDER_"))
    hub = sorted(k for k in ("JUPYTERHUB_USER", "JUPYTERHUB_API_URL") if ctx.env.get(k))
    data = {"binder": bool(binder), "jupyterhub": bool(hub), "vars": binder + hub}
    if not binder and not hub:
        return Check("Binder / JupyterHub", "pass", "neither (no BINDER_* or JUPYTERHUB_* variables)", group="System", data=data)
    where = "Binder" if binder else f"JupyterHub (user {ctx.env.get('JUPYTERHUB_USER', '?')})"
    ev = f"{where}: " + ", ".join(binder + hub)
    if ctx.lab is not None:
        return Check("Binder / JupyterHub", "pass", ev + "; an engine answers", group="System", data=data)
    return Check("Binder / JupyterHub", "warn", ev + "; no engine answers", group="System", data=data,
                 fix=("Binder gives no Docker engine and no root: run the kit on your own machine"
                      if binder else "ask the hub's admin whether the hub offers a Docker engine to your server"))


def _check_cli(ctx: _Ctx) -> Check:
    path = shutil.which("docker", path=ctx.env.get("PATH", ""))
    if not path:
        return Check("docker CLI", "warn", "no 'docker' on PATH", group="Client", data={"path": None},
                     fix="the kit itself does not need it, but the lessons show each step's `$ docker ...` command "
                         "to try in a terminal; install the docker-ce-cli package (dockerlab doctor --install)")
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=ctx.timeout + 5,
                             env=ctx.env)
        text = (out.stdout or out.stderr).strip()
    except (OSError, subprocess.SubprocessError) as e:
        return Check("docker CLI", "warn", f"{path} could not be run: {e}", group="Client", data={"path": path},
                     fix="reinstall the docker CLI")
    m = re.search(r"version ([0-9][^\s,]*)", text)
    version = m.group(1) if m else ""
    ctx.cli_version = version
    data = {"path": path, "version": version, "output": text}
    if not version:
        return Check("docker CLI", "warn", f"{path}: {text or 'no output'}", group="Client", data=data,
                     fix="this does not look like the docker CLI")
    major = int(version.split(".")[0]) if version.split(".")[0].isdigit() else 0
    if major and major < 20:
        return Check("docker CLI", "warn", f"{path}, version {version}", group="Client", data=data,
                     fix="this CLI is very old; install the current docker-ce-cli")
    return Check("docker CLI", "pass", f"{path}, version {version}", group="Client", data=data)


def _check_sdk(ctx: _Ctx) -> Check:
    try:
        import docker
    except ImportError as e:
        return Check("Docker SDK", "fail", f"the Python package 'docker' cannot be imported ({e})", group="Client",
                     data={"version": None}, fix=f"{sys.executable} -m pip install 'docker>=7.1,<8' (or ./kit env)")
    version = getattr(docker, "__version__", "?")
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]] + [0, 0]
    data = {"version": version, "python": platform.python_version(), "executable": sys.executable}
    ev = f"docker {version} (Python {platform.python_version()}, {sys.executable})"
    if tuple(parts[:2]) < (7, 1):
        return Check("Docker SDK", "fail", ev, group="Client", data=data,
                     fix=f"the kit needs docker>=7.1,<8: {sys.executable} -m pip install -U 'docker>=7.1,<8'")
    return Check("Docker SDK", "pass", ev, group="Client", data=data)


def blocked_for_others(path: str) -> str:
    """The first directory (or the file) on ``path``'s real path that other users may not enter or run ("" if none)."""
    real = Path(os.path.realpath(path))
    for p in [*reversed(real.parents), real]:
        try:
            mode = p.stat().st_mode
        except OSError:
            return str(p)
        if not mode & stat.S_IXOTH:
            return f"{p} (mode {stat.filemode(mode)})"
    return ""


def _check_learner_python(ctx: _Ctx) -> Check:
    name = "Python for learners"
    exe = sys.executable
    if os.getuid() != 0:
        return Check(name, "pass", f"{exe}: you are running it as {_whoami()}", group="Client", data={"python": exe})
    block = blocked_for_others(exe)
    data = {"python": exe, "real": os.path.realpath(exe), "blocked_by": block}
    if not block:
        return Check(name, "pass", f"{exe} can be run by other users too", group="Client", data=data)
    return Check(name, "warn", f"{exe} is {os.path.realpath(exe)}; other users cannot run it: {block}",
                 group="Client", data=data,
                 fix="you are root, so this is fine for you; learners who log in as themselves need a Python they can "
                     "run (in this repository './kit env' makes /opt/dockerlab/learner-venv), or 'chmod o+x' on that directory")


def _check_endpoint(ctx: _Ctx) -> Check:
    try:
        cands = ep_mod.candidates(_discovery_env(ctx))
    except BadDockerHost as e:
        ctx.engine_error = e
        return Check("Engine endpoint", "fail", e.what + (f". {e.state}" if e.state else ""), fix=e.hint,
                     group="Engine", data={"error": type(e).__name__, "message": str(e)})
    ctx.attempts = [ep_mod.probe(c, timeout=ctx.timeout) for c in cands]
    first = cands[0]
    attempts = [{"url": a.endpoint.url, "source": a.endpoint.source, "reason": a.reason, "detail": a.detail,
                 "hint": a.hint} for a in ctx.attempts]
    data = {"candidates": attempts}
    if len(cands) == 1 and first.source != "default socket":
        if first.source == "DOCKER_HOST":
            ev = f"{first.url}, because DOCKER_HOST={ctx.env.get('DOCKER_HOST')} is set; only this endpoint is tried"
        else:
            ev = f"{first.url}, from the {first.source}; only this endpoint is tried"
        data["chosen_by"] = first.source
    else:
        ok = next((a for a in ctx.attempts if a.reason == "ok"), None)
        tried = ", ".join(f"{a.endpoint.url} ({a.reason})" for a in ctx.attempts)
        ev = (f"no DOCKER_HOST and no context: tried in the CLI's order {tried}"
              + (f"; using {ok.endpoint.url}" if ok else ""))
        data["chosen_by"] = "default"
    return Check("Engine endpoint", "pass", ev, group="Engine", data=data)


def _connect(ctx: _Ctx) -> Check:
    if isinstance(ctx.engine_error, BadDockerHost):
        return Check("Engine reachable", "skip", "not tried: the endpoint is not valid (see above)", group="Engine",
                     data={"reason": "bad-address"})
    from .connect import connect

    try:
        ctx.lab = connect(show_cli=False, lesson="doctor", timeout=ctx.timeout, env=_discovery_env(ctx))
    except EngineUnavailable as e:
        ctx.engine_error = e
        fix = e.hint
        explicit = len(ctx.attempts) == 1 and ctx.attempts[0].endpoint.source != "default socket"
        if explicit and ctx.attempts[0].endpoint.url != "unix://" + ep_mod.DEFAULT_SOCKET:
            default = ep_mod.probe(ep_mod.Endpoint("unix://" + ep_mod.DEFAULT_SOCKET, "default socket"),
                                   timeout=ctx.timeout)
            if default.reason == "ok":
                undo = ("unset DOCKER_HOST" if ctx.attempts[0].endpoint.source == "DOCKER_HOST"
                        else "'docker context use default'")
                fix = (f"the default socket {ep_mod.DEFAULT_SOCKET} accepts connections: {undo} to use it. "
                       f"Otherwise: {fix}")
        return Check("Engine reachable", "fail", e.what + (". " + e.state if e.state else ""), fix=fix,
                     group="Engine",
                     data={"reason": e.reason, "error": type(e).__name__,
                           "attempts": [list(a) for a in e.attempts]})
    except DockerLabError as e:
        ctx.engine_error = e
        return Check("Engine reachable", "fail", e.what + (". " + e.state if e.state else ""), fix=e.hint,
                     group="Engine", data={"reason": "error", "error": type(e).__name__})
    except ImportError as e:  # the docker SDK is missing: the Docker SDK check says how to install it
        return Check("Engine reachable", "fail", f"cannot talk to an engine without the docker SDK ({e})",
                     fix="install it (see 'Docker SDK' above)", group="Engine",
                     data={"reason": "no-sdk", "error": "ImportError"})
    ctx.endpoint = ctx.lab.endpoint
    try:
        ctx.info = dict(ctx.lab.info())
        ctx.version = dict(ctx.lab.version())
    except DockerLabError as e:
        ctx.info = {}
        return Check("Engine reachable", "warn", f"{ctx.endpoint} answered /version but not /info: {e.what}",
                     fix=e.hint, group="Engine", data={"reason": "ok"})
    return Check("Engine reachable", "pass",
                 f"{ctx.lab.engine_name} at {ctx.endpoint.url} ({ctx.endpoint.source}) answers",
                 group="Engine", data={"reason": "ok", "url": ctx.endpoint.url, "source": ctx.endpoint.source})


def _needs_engine(ctx: _Ctx, name: str, group: str = "Engine") -> Check | None:
    if ctx.lab is None:
        return Check(name, "skip", "not checked: no engine answered", group=group)
    return None


def _check_versions(ctx: _Ctx) -> Check:
    skip = _needs_engine(ctx, "Engine version")
    if skip:
        return skip
    v = ctx.version
    api = ctx.lab.api_version
    server = v.get("Version", "?")
    data = {"server": server, "api": api, "min_api": v.get("MinAPIVersion", ""), "os": v.get("Os", ""),
            "arch": v.get("Arch", "")}
    ev = f"{ctx.lab.engine_name} {server}, API {api} (oldest it accepts: {v.get('MinAPIVersion', '?')}), {v.get('Os', '?')}/{v.get('Arch', '?')}"
    api_t = tuple(int(p) for p in re.findall(r"\d+", api)[:2])
    if api_t and api_t < (1, 41):
        return Check("Engine version", "warn", ev, group="Engine", data=data,
                     fix="the kit is tested with API 1.41 (Docker 20.10) and newer; upgrade the engine")
    note = ""
    if "dfsg" in server or "ubuntu" in server.lower():
        note = "this is the distribution's docker.io package; Docker's own docker-ce packages are newer; both work here"
    return Check("Engine version", "pass", ev, group="Engine", data=data, fix=note)


def _check_rootless(ctx: _Ctx) -> Check:
    skip = _needs_engine(ctx, "Rootless")
    if skip:
        return skip
    opts = ctx.info.get("SecurityOptions") or []
    rootless = any("rootless" in o for o in opts)
    data = {"rootless": rootless, "security_options": opts}
    if rootless:
        return Check("Rootless", "pass", "rootless: the daemon runs as your user (" + ", ".join(opts) + ")",
                     group="Engine", data=data,
                     fix="some lessons behave differently: no ports below 1024, and limits need cgroup v2 with systemd")
    return Check("Rootless", "pass", "no: the daemon runs as root (" + (", ".join(opts) or "no security options") + ")",
                 group="Engine", data=data, fix="whoever can use this engine is root on its machine")


def _check_cgroups(ctx: _Ctx) -> Check:
    skip = _needs_engine(ctx, "Cgroups")
    if skip:
        return skip
    ver, drv = str(ctx.info.get("CgroupVersion") or "?"), ctx.info.get("CgroupDriver") or "?"
    warns = [w for w in (ctx.info.get("Warnings") or []) if re.search(r"limit|cgroup|swap|cpu", w, re.I)]
    data = {"version": ver, "driver": drv, "warnings": warns}
    ev = f"cgroup v{ver}, driver {drv}"
    rootless = any("rootless" in o for o in ctx.info.get("SecurityOptions") or [])
    if rootless and ver == "1":
        return Check("Cgroups", "warn", ev, group="Engine", data=data,
                     fix="limits are NOT enforced here: a rootless engine on cgroup v1 (Cgroup Driver " + drv + ") accepts "
                         "--memory 64m and does not apply it; the limits lesson says so and runs unlimited. On a "
                         "classroom server (dockerlab classroom) each learner's engine as a whole is bounded instead; "
                         "cgroup v2 with systemd delegation gives rootless engines their limits")
    if warns:
        return Check("Cgroups", "warn", ev + "; the engine warns: " + "; ".join(warns), group="Engine", data=data,
                     fix="some resource limits in the limits lesson may be ignored")
    return Check("Cgroups", "pass", ev, group="Engine", data=data,
                 fix="cgroup v1 is the older layout; memory and CPU limits work, the stats formulas differ slightly"
                 if ver == "1" else "")


def _check_storage(ctx: _Ctx) -> Check:
    skip = _needs_engine(ctx, "Storage driver")
    if skip:
        return skip
    drv = ctx.info.get("Driver") or "?"
    root = ctx.info.get("DockerRootDir", "")
    data = {"driver": drv, "root_dir": root}
    ev = f"{drv}" + (f" in {root}" if root else "")
    if drv in ("overlay2", "overlayfs", "btrfs", "zfs", "fuse-overlayfs", "stargz", "containerd"):
        return Check("Storage driver", "pass", ev, group="Engine", data=data)
    if drv == "vfs":
        return Check("Storage driver", "warn", ev, group="Engine", data=data,
                     fix="vfs copies every layer in full: slow and disk-hungry; overlay2 is the default on a normal kernel")
    if drv in ("devicemapper", "aufs"):
        return Check("Storage driver", "warn", ev, group="Engine", data=data,
                     fix=f"{drv} is deprecated and removed from current Docker; move to overlay2")
    return Check("Storage driver", "pass", ev, group="Engine", data=data)


def _check_permissions(ctx: _Ctx) -> Check:
    name, group = "Socket permissions", "Permissions"
    ep = ctx.endpoint
    if ep is None:
        denied = next((a for a in ctx.attempts if a.reason == "permission-denied"), None)
        socks = [a for a in ctx.attempts if a.endpoint.scheme == "unix" and os.path.exists(a.endpoint.path)]
        target = denied or (socks[0] if socks else None)
        if target is None:
            if ctx.attempts and ctx.attempts[0].endpoint.scheme == "tcp":
                return _tcp_note(ctx.attempts[0].endpoint, reachable=False)
            return Check(name, "skip", "no engine socket exists to check", group=group)
        ep = target.endpoint
    if ep.scheme == "tcp":
        return _tcp_note(ep, reachable=ctx.lab is not None)
    if ep.scheme != "unix":
        return Check(name, "pass", f"{ep.url}: permissions are those of the ssh account", group=group)
    path = ep.path
    try:
        st = os.stat(path)
    except OSError as e:
        return Check(name, "skip", f"cannot stat {path}: {e.strerror}", group=group)
    owner, gname = ep_mod.owner_and_group(st)
    me, uid = _whoami(), os.getuid()
    my_gids = set(os.getgroups()) | {os.getgid()}
    try:
        docker_grp = grp.getgrnam("docker")
    except KeyError:
        docker_grp = None
    in_session = docker_grp is not None and docker_grp.gr_gid in my_gids
    listed = docker_grp is not None and me in docker_grp.gr_mem
    can = os.access(path, os.R_OK | os.W_OK)
    data = {"socket": path, "owner": owner, "group": gname, "mode": stat.filemode(st.st_mode), "user": me,
            "uid": uid, "in_docker_group": in_session, "listed_in_docker_group": listed, "access": can}
    ev = (f"{path}: owner {owner}, group {gname}, mode {stat.filemode(st.st_mode)}; you are {me} (uid {uid}), "
          + ("" if uid == 0 else ("in the docker group" if in_session else "not in the docker group")))
    ev = ev.rstrip(", ")
    if uid == 0:
        return Check(name, "pass", ev, group=group, data=data,
                     fix="as root you need no group; the seed's 'sudo docker ...' does the same. Learners should not "
                         "work as root: give them the docker group or rootless Docker")
    if ctx.lab is not None or can:
        return Check(name, "pass", ev, group=group, data=data, fix=f"security: {SECURITY_NOTE}")
    if listed and not in_session:
        fix = ("you were added to the docker group after this session started: log out and in again (or run "
               "'newgrp docker' in this terminal, or restart JupyterLab from a new login)")
    elif gname != "docker" and docker_grp is None:
        fix = ("there is no docker group: 'sudo groupadd docker', restart the daemon so the socket gets that group, "
               "then 'sudo usermod -aG docker $USER' and log out and in")
    elif gname != "docker":
        fix = (f"the socket's group is {gname}, not docker: restart the daemon (it sets the group at start), "
               "then 'sudo usermod -aG docker $USER' and log out and in")
    else:
        fix = "sudo usermod -aG docker $USER, then log out and in again (or 'newgrp docker')"
    fix += f". Security: {SECURITY_NOTE}"
    return Check(name, "fail", ev + "; permission denied", group=group, data=data, fix=fix)


def _tcp_note(ep, reachable: bool) -> Check:
    tls = bool(ep.tls)
    port = urlsplit(ep.url).port
    ev = f"{ep.url} is a TCP endpoint " + ("with TLS" if tls else "without TLS") + ": no socket file, so no owner or group"
    data = {"endpoint": ep.url, "tls": tls}
    if not tls and reachable:
        return Check("Socket permissions", "warn", ev, group="Permissions", data=data,
                     fix=f"plain TCP (port {port}) has no authentication: anyone who can reach it is root on the "
                         f"engine's machine. Use TLS (port 2376) or ssh://user@host ({DOCS['attack-surface']})")
    return Check("Socket permissions", "pass" if reachable else "skip", ev, group="Permissions", data=data,
                 fix="" if tls else "if you expose an engine on TCP, protect it with TLS or use ssh://")


def _check_smoke(ctx: _Ctx, image: str) -> Check:
    skip = _needs_engine(ctx, "Smoke test", "Smoke test")
    if skip:
        return skip
    name = f"doctor-smoke-{uuid.uuid4().hex[:8]}"
    command = None if image == "hello-world" else "true"
    cli = f"docker run --rm --name {name} {image}" + (f" {command}" if command else "")
    t0 = time.monotonic()
    data = {"image": image, "container": name, "cli": cli}
    try:
        res = ctx.lab.run(image, command, name=name, rm=True, timeout=60)
    except DockerLabError as e:
        return Check("Smoke test", "fail", f"$ {cli}\n{type(e).__name__}: {e.what}" + (f". {e.state}" if e.state else ""),
                     fix=e.hint or "the engine answers but cannot run a container; see the engine's log",
                     group="Smoke test", data=data)
    finally:
        with contextlib.suppress(Exception):  # never leave the smoke container behind
            ctx.lab.engine.remove(name, force=True)
    secs = time.monotonic() - t0
    data.update(seconds=round(secs, 2), exit_code=res.exit_code)
    first = next((ln for ln in str(res.output).splitlines() if ln.strip()), "")
    ok = res.exit_code == 0 and (image != "hello-world" or "Hello from Docker" in res.output)
    ev = (f"$ {cli} -> exit code {res.exit_code} in {secs:.1f} s" + (f", printed {first!r}" if first else "")
          + "; the container was removed")
    if ok:
        standin = ""
        with contextlib.suppress(Exception):
            labels = (ctx.lab.engine.inspect_image(image).get("Config") or {}).get("Labels") or {}
            if labels.get("org.dockerlab.standin") == "true":
                standin = "the image is dockerlab's offline stand-in for " + labels.get("org.dockerlab.standin.of", image)
        return Check("Smoke test", "pass", ev, group="Smoke test", data=data, fix=standin)
    return Check("Smoke test", "fail", ev, group="Smoke test", data=data,
                 fix="the engine created the container but it did not run as expected; read the output above "
                     "and the engine's log (journalctl -u docker, or /var/log/dockerd.log)")


def _http_get(url: str, timeout: float, headers: dict | None = None, method: str = "GET"):
    """(status, headers, reason) of an HTTP request; status 0 and the reason when it could not be made."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read(65536)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers or {}), b""
    except urllib.error.URLError as e:
        return 0, {}, str(getattr(e, "reason", e))
    except (OSError, ValueError) as e:
        return 0, {}, str(e)


def parse_ratelimit(value: str | None) -> tuple[int, int] | None:
    """``"10;w=3600"`` (Docker Hub's RateLimit headers) -> (10, 3600 seconds); ``"100;w=21600"`` was the old limit."""
    if not value:
        return None
    m = re.match(r"\s*(\d+)\s*(?:;\s*w=(\d+))?", value)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def _check_mirror(ctx: _Ctx) -> Check:
    skip = _needs_engine(ctx, "Registry mirror", "Registry")
    if skip:
        return skip
    mirrors = list((ctx.info.get("RegistryConfig") or {}).get("Mirrors") or [])
    if not mirrors:
        return Check("Registry mirror", "pass", "none configured: pulls go to Docker Hub", group="Registry",
                     data={"mirrors": []})
    results = []
    for m in mirrors:
        status, _, body = _http_get(m.rstrip("/") + "/v2/", ctx.timeout)
        results.append({"mirror": m, "status": status, "error": "" if status else str(body)})
    up = [r for r in results if r["status"] in (200, 401)]
    ev = "; ".join(f"{r['mirror']} " + (f"answers (HTTP {r['status']} on /v2/)" if r["status"] in (200, 401)
                                         else f"does not answer ({r['error'] or 'HTTP ' + str(r['status'])})")
                   for r in results)
    data = {"mirrors": mirrors, "results": results}
    if up:
        return Check("Registry mirror", "pass", ev, group="Registry", data=data,
                     fix="the engine asks the mirror first; names the mirror lacks fall through to Docker Hub")
    return Check("Registry mirror", "warn", ev, group="Registry", data=data,
                 fix="the engine is configured with a mirror that does not answer (checked from this machine); "
                     "pulls fall back to Docker Hub. Start the mirror (dockerlab mirror) or remove it from daemon.json")


def _resolves(host: str, timeout: float) -> bool:
    """Whether ``host`` resolves within ``timeout`` (a silent DNS server can block for much longer)."""
    import socket
    import threading

    found = []

    def look():
        with contextlib.suppress(OSError):
            found.append(bool(socket.getaddrinfo(host, 443)))

    t = threading.Thread(target=look, daemon=True)
    t.start()
    t.join(timeout)
    return bool(found)


#: Docker Hub's limit for anonymous pulls (Docker's docs, 2025); a logged-in free account gets more.
HUB_ANONYMOUS_LIMIT = "10 pulls per hour per IPv4 address (or IPv6 /64)"


def _check_hub(ctx: _Ctx, online: bool) -> Check:
    name = "Docker Hub"
    if not online:
        return Check(name, "skip", "not checked (offline: --offline, or online=False)", group="Registry")
    if not _resolves("registry-1.docker.io", ctx.timeout):
        status, body = 0, "Name or service not known (or no answer from DNS)"
    else:
        status, _, body = _http_get("https://registry-1.docker.io/v2/", ctx.timeout)
    if status == 0:
        reason = str(body)
        if "Name or service not known" in reason or "nodename nor servname" in reason or "Temporary failure" in reason:
            reason = "the name registry-1.docker.io does not resolve (no internet, or no DNS)"
        has_mirror = bool((ctx.info.get("RegistryConfig") or {}).get("Mirrors"))
        return Check(name, "warn", f"unreachable from here: {reason}", group="Registry",
                     data={"reachable": False, "error": str(body), "mirror": has_mirror},
                     fix=("pulls work only for images already on the engine or in the mirror" if has_mirror
                          else "pulls will fail; images already on the engine still run (docker images lists them)"))
    data = {"reachable": True, "status": status}
    # the pull-rate budget, as Docker documents it: a token for ratelimitpreview/test, then a HEAD on its manifest
    tok_status, _, tok_body = _http_get("https://auth.docker.io/token?service=registry.docker.io"
                                        "&scope=repository:ratelimitpreview/test:pull", ctx.timeout)
    budget = ""
    if tok_status == 200:
        with contextlib.suppress(ValueError, AttributeError):
            token = json.loads(tok_body).get("token", "")
            hs, hdrs, _ = _http_get("https://registry-1.docker.io/v2/ratelimitpreview/test/manifests/latest",
                                    ctx.timeout, headers={"Authorization": f"Bearer {token}"}, method="HEAD")
            low = {k.lower(): v for k, v in hdrs.items()}
            limit, remaining = parse_ratelimit(low.get("ratelimit-limit")), parse_ratelimit(low.get("ratelimit-remaining"))
            if limit and remaining:
                hours = limit[1] / 3600 if limit[1] else 0
                budget = f"; pull budget: {remaining[0]} of {limit[0]} left" + (f" per {hours:g} h" if hours else "")
                data.update(limit=limit[0], remaining=remaining[0], window_seconds=limit[1])
                if remaining[0] < 10:
                    return Check(name, "warn", f"reachable (HTTP {status}){budget}", group="Registry", data=data,
                                 fix="almost no pulls left from this address (anonymous: "
                                     f"{HUB_ANONYMOUS_LIMIT}): log in (docker login) or use a mirror ({DOCS['rate-limit']})")
            elif hs:
                budget = f"; no rate limit reported for this address (anonymous: {HUB_ANONYMOUS_LIMIT})"
    return Check(name, "pass", f"registry-1.docker.io reachable (HTTP {status} on /v2/){budget}", group="Registry",
                 data=data)


def run_checks(*, env: dict | None = None, os_release="/etc/os-release", proc_version="/proc/version",
               container_markers=("/.dockerenv", "/run/.containerenv"), smoke: bool = True,
               smoke_image: str | None = None, online: bool = True, timeout: float = 3.0) -> Report:
    """Run every check and return the :class:`Report`.

    ``env`` replaces the environment the checks look at (DOCKER_HOST,
    DOCKER_CONTEXT, DOCKER_CONFIG, HOME, PATH, BINDER_*, ...); None means this
    process's. ``os_release`` and ``proc_version`` are the files to read.
    ``smoke`` runs a tiny container (``hello-world``, else ``alpine true``) and
    removes it; ``online=False`` skips Docker Hub.
    """
    t0 = time.monotonic()
    ctx = _Ctx(env, os_release, proc_version, tuple(container_markers), timeout)
    system = [_check_os(ctx), _check_arch(ctx), _check_wsl(ctx)]
    client = [_check_cli(ctx), _check_sdk(ctx), _check_learner_python(ctx)]
    engine = [_check_endpoint(ctx), _connect(ctx)]
    engine += [_check_versions(ctx), _check_rootless(ctx), _check_cgroups(ctx), _check_storage(ctx)]
    system += [_check_desktop(ctx), _check_container(ctx), _check_binder(ctx)]
    perms = [_check_permissions(ctx)]
    image = smoke_image
    if smoke and image is None and ctx.lab is not None:
        image = "hello-world" if ctx.lab._has_image("hello-world") else "alpine"
    smoke_checks = [_check_smoke(ctx, image)] if smoke else [
        Check("Smoke test", "skip", "not run (--no-smoke)", group="Smoke test")]
    registry = [_check_mirror(ctx), _check_hub(ctx, online and ctx.lab is not None)] if ctx.lab is not None else [
        _check_mirror(ctx), Check("Docker Hub", "skip", "not checked: no engine answered", group="Registry")]
    if ctx.lab is not None:
        with contextlib.suppress(Exception):
            ctx.lab.engine.close()
    install = None
    with contextlib.suppress(DockerLabError, OSError):
        install = install_commands(ctx.os if ctx.os else None, wsl=bool(ctx.wsl))
    return Report(system + client + engine + perms + smoke_checks + registry, install=install,
                  seconds=time.monotonic() - t0)


# --- the command ------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dockerlab doctor",
                                description="Check this machine's Docker set-up and say what to fix. "
                                            "Exit code 0 when the kit can run here, 1 when it cannot.")
    p.add_argument("--json", action="store_true", help="print the report as JSON (for scripts and teachers)")
    p.add_argument("--offline", action="store_true", help="do not contact Docker Hub")
    p.add_argument("--no-smoke", action="store_true", help="do not run the tiny test container")
    p.add_argument("--install", action="store_true", help="print Docker's install steps for this system and stop")
    p.add_argument("--seed", action="store_true", help="explain the seed tutorial's install steps line by line and stop")
    p.add_argument("--os-release", default="/etc/os-release", metavar="PATH",
                   help="read this file instead of /etc/os-release (to preview another distribution's steps)")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for each endpoint (default 3)")
    return p


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # argparse printed the problem (or --help)
        return int(e.code or 0)
    try:
        if args.seed:
            steps = explain_seed_steps()
            if args.json:
                print(json.dumps([asdict(s) for s in steps], indent=2))
            else:
                print("The seed tutorial's install steps, then and now:\n")
                print("\n\n".join(repr(s) for s in steps))
            return 0
        if args.install:
            text = _read(args.os_release)
            if text is None and platform.system() == "Linux":
                raise DoctorInputError(f"Cannot read {args.os_release}", state="the doctor needs it to name your release",
                                       hint="pass --os-release PATH to a readable os-release file")
            ctx = _Ctx(None, args.os_release, "/proc/version", (), args.timeout)
            _check_wsl(ctx)
            plan = install_commands(text, wsl=bool(ctx.wsl))
            print(json.dumps(plan.as_dict(), indent=2) if args.json else plan.text())
            return 0
        report = run_checks(os_release=args.os_release, smoke=not args.no_smoke, online=not args.offline,
                            timeout=args.timeout)
    except DockerLabError as e:
        if args.json:
            print(json.dumps({"ok": False, "error": type(e).__name__, "message": str(e)}, indent=2))
        else:
            print(f"dockerlab doctor: {e}", file=sys.stderr)
        return 2
    try:
        print(report.to_json() if args.json else report.text(width=shutil.get_terminal_size((100, 20)).columns))
        sys.stdout.flush()
    except BrokenPipeError:  # `dockerlab doctor | head`: the reader left; the exit code still says it all
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
