"""Which system this is (``/etc/os-release``, the architecture) and Docker's install steps for it,
in today's official form (:func:`install_commands`)."""
from __future__ import annotations

import contextlib
import platform
import re
import shutil
import subprocess
import textwrap
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path

from .errors import DoctorInputError

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


#: Packages that conflict with Docker's own (Docker's Ubuntu and Debian pages remove them first).
CONFLICTING = ("docker.io", "docker-compose", "docker-compose-v2", "docker-doc", "podman-docker", "containerd", "runc")


def sources_stanza(base: str, codename: str) -> str:
    """Docker's repository as apt's deb822 sources file has it (Docker's install pages today;
    apt reads this format since 1.1). The one-line ``deb [...] URL CODENAME stable`` in
    ``docker.list`` that older guides write means the same."""
    return "\n".join(["Types: deb", f"URIs: {base}", f"Suites: {codename}", "Components: stable",
                      "Signed-By: /etc/apt/keyrings/docker.asc"])


@dataclass
class InstallPlan:
    """How to install Docker on one system: commands to run, or where to read."""

    system: str  # "Ubuntu 24.04 LTS (noble)", "Windows", ...
    method: str  # "apt", "docker-desktop", "pointer"
    commands: list = field(default_factory=list)  # (comment, command) pairs, in order
    sources: str = ""  # the deb822 stanza of /etc/apt/sources.list.d/docker.sources
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
            "Install Docker Desktop for Mac (choose Apple silicon or Intel); it supports the current macOS release "
            "and the two before it. It runs the Linux engine in a small VM "
            "and sets the docker CLI's context for you; start it once from Applications, then run "
            "'docker run hello-world' in a terminal.",
            "Images are built for CPU architectures: on Apple silicon, arm64 images run natively, amd64-only images "
            "run emulated (slower)."], docs=[DOCS["desktop-mac"]])
    if system == "Windows":
        return InstallPlan("Windows", "docker-desktop", notes=[
            "Install Docker Desktop for Windows with the WSL 2 backend (the default). It needs Windows 10 22H2 "
            "(build 19045) or Windows 11 23H2 (build 22631) or later, the Home edition included; the Hyper-V "
            "backend needs Pro, Enterprise or Education. The tutorial's note (Windows 10 Pro or Enterprise build "
            "14393, Windows Server 2016) describes the Hyper-V-only 'Docker for Windows' of 2016.",
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
    sources = sources_stanza(base, codename)
    commands = [
        ("Remove packages that conflict with Docker's own (apt says so if none is installed)",
         f"sudo apt remove $(dpkg --get-selections {' '.join(CONFLICTING)} | cut -f1)"),
        ("Add Docker's official GPG key to its own keyring", "\n".join([
            "sudo apt-get update",
            "sudo apt-get install -y ca-certificates curl",
            "sudo install -m 0755 -d /etc/apt/keyrings",
            f"sudo curl -fsSL {base}/gpg -o /etc/apt/keyrings/docker.asc",
            "sudo chmod a+r /etc/apt/keyrings/docker.asc"])),
        (f"Add the repository (deb822 format); Signed-By trusts that key for this repository only ({codename})",
         f"sudo tee /etc/apt/sources.list.d/docker.sources > /dev/null <<'EOF'\n{sources}\nEOF\nsudo apt-get update"),
        ("Install Docker Engine, the CLI, containerd and the buildx and compose plugins",
         "sudo apt-get install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin"),
        ("Check it: this pulls and runs a tiny test image", "sudo docker run hello-world"),
        ("Optional: use docker without sudo (log out and in afterwards). Read the security note first",
         "sudo usermod -aG docker $USER"),
    ]
    notes.append("Docker's docs write the codename as $(. /etc/os-release && echo \"$VERSION_CODENAME\")"
                 + (" (${UBUNTU_CODENAME:-$VERSION_CODENAME} on Ubuntu)" if family == "ubuntu" else "")
                 + f"; here it is {codename}, and apt takes this machine's architecture ({arch}).")
    notes.append("Older guides add the repository as one line, 'deb [signed-by=...] URL CODENAME stable', in "
                 "/etc/apt/sources.list.d/docker.list: the same repository in apt's older format. Keep one of "
                 "the two files, not both.")
    notes.append(f"Security: {SECURITY_NOTE}.")
    notes.append(f"{family.title()}'s own package also works for these lessons ('sudo apt-get install docker.io'); "
                 "it is older than Docker's and must not be mixed with docker-ce.")
    notes += list(extra_notes)
    system = f"{name} ({codename})" if codename not in name else name
    return InstallPlan(system, "apt", commands=commands, sources=sources, codename=codename, arch=arch,
                       notes=notes, docs=[DOCS[family], DOCS["postinstall"]])
