"""The seed tutorial's install steps, each with what it did then and what to run today."""
from __future__ import annotations

from dataclasses import dataclass

from .install import SECURITY_NOTE


@dataclass
class SeedStep:
    step: str
    seed: str  # the seed's command, as printed there
    then: str  # what it did, and what is wrong with it today
    today: str  # the current equivalent

    def __repr__(self) -> str:
        return f"{self.step}\n  tutorial: {self.seed}\n  then:     {self.then}\n  today:    {self.today}"


SEED_STEPS = [
    SeedStep(
        "Step 1) Adding prerequisite Ubuntu packages",
        "sudo apt-get install apt-transport-https ca-certificates curl",
        "apt-transport-https taught apt to fetch https:// repositories; apt has done that by itself since 1.5 "
        "(Ubuntu 18.04, Debian 10), so today it is an empty transitional package. The tutorial's note calls the line "
        "continuation a '/' but it is a backslash '\\', and its last line also ends in '\\', so the shell waits for "
        "more. Docker's instructions of the time also installed software-properties-common (for Step 3) and "
        "gnupg-agent, which the tutorial leaves out.",
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
        "repository does not have. As printed, the tutorial's line is cut after $(lsb_release -cs): the component "
        "'stable' and the closing quote are missing, and two lines end in '\\ ' with a space after the backslash, "
        "which breaks the continuation. The prompt about adding a GPG key automatically is about Launchpad PPAs, "
        "not Docker's repository. Today's steps write the repository in apt's deb822 format, a file "
        "docker.sources whose Signed-By names the key of Step 2 (the one-line 'deb [signed-by=...]' in docker.list "
        "means the same, in the older format).",
        "sudo tee /etc/apt/sources.list.d/docker.sources > /dev/null <<EOF\n"
        "Types: deb\n"
        "URIs: https://download.docker.com/linux/ubuntu\n"
        'Suites: $(. /etc/os-release && echo "${UBUNTU_CODENAME:-$VERSION_CODENAME}")\n'
        "Components: stable\n"
        "Signed-By: /etc/apt/keyrings/docker.asc\n"
        "EOF"),
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
        "The tutorial runs every command with sudo. That works, but the usual set-up adds you to the docker group "
        f"(sudo usermod -aG docker $USER, then log out and in); {SECURITY_NOTE}.",
        "docker info"),
]


def explain_seed_steps() -> list[SeedStep]:
    """The seed tutorial's five install steps, each with what it did then and what to run today."""
    return list(SEED_STEPS)
