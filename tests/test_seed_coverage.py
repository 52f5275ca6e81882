"""Every command of the seed's command table is taught in some notebook.

"Taught" means, in one and the same notebook: its CLI form appears in a markdown
cell (what the learner would type) AND the lab call that does it appears in a
code cell (what the learner runs here). No engine needed.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SEED = Path("/work/shared/seed/what-is-docker.txt")

# command -> (regex over markdown, regex over code). The seed's table, in its order.
TABLE = {
    "docker info": (r"docker info\b", r"\blab\.info\("),
    "docker pull": (r"docker pull \w", r"\blab\.pull\("),
    "docker run -i -t": (r"docker run (?:-i -t|-it)\b", r"\blab\.run\((?=[^)]*\binteractive\s*=\s*True)(?=[^)]*\btty\s*=\s*True)"),
    "docker start": (r"docker start \w", r"\blab\.start\("),
    "docker stop": (r"docker stop \w", r"\blab\.stop\("),
    "docker ps": (r"docker ps(?! -a)\b", r"\blab\.ps\((?![^)]*\ball\s*=\s*True)"),
    "docker ps -a": (r"docker ps -a\b", r"\blab\.ps\([^)]*\ball\s*=\s*True"),
    "docker stats": (r"docker stats\b", r"\blab\.stats\("),
    "docker images": (r"docker images\b", r"\blab\.images\("),
    "cleanup (kill all running containers)": (r"kill all running containers", r"\blab\.cleanup\("),
}


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def load(path: Path) -> tuple[str, str]:
    """(markdown text, code text) of a notebook."""
    nb = json.loads(path.read_text())
    md = "\n".join(_src(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = "\n".join(_src(c) for c in nb["cells"] if c["cell_type"] == "code")
    return md, code


def teaching(command: str, notebooks: dict[str, tuple[str, str]]) -> list[str]:
    """The notebooks that teach ``command`` (CLI form in markdown and lab call in code)."""
    md_rx, code_rx = TABLE[command]
    return sorted(name for name, (md, code) in notebooks.items()
                  if re.search(md_rx, md, re.IGNORECASE) and re.search(code_rx, code, re.DOTALL))


@pytest.fixture(scope="module")
def notebooks():
    found = {p.name: load(p) for p in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))}
    assert found, f"no notebooks in {NOTEBOOKS}"
    return found


@pytest.mark.parametrize("command", list(TABLE))
def test_seed_command_is_taught(command, notebooks):
    where = teaching(command, notebooks)
    assert where, (f"no notebook teaches {command!r}: none has its CLI form in markdown "
                   f"({TABLE[command][0]!r}) and its lab call in code ({TABLE[command][1]!r})")


def test_table_matches_the_seed():
    """The table above is the seed's own command table (so a changed seed is noticed)."""
    if not SEED.exists():
        pytest.skip("the seed text is not on this machine")
    table = SEED.read_text().split("Give important Docker Commands", 1)[-1]
    for cmd in ("docker info", "docker pull", "docker run -i -t", "docker start", "docker stop", "docker ps",
                "docker stats", "docker images", "Docker Cleanup"):
        assert cmd in table, f"the seed's table has no {cmd!r} any more"


def test_the_check_can_fail():
    """A notebook that only mentions a command in markdown, or only calls it, does not count."""
    only_md = {"x.ipynb": ("Run `docker stats` to see...", "lab.ps()")}
    only_code = {"x.ipynb": ("nothing here", "lab.stats()")}
    both = {"x.ipynb": ("$ docker stats", "df = lab.stats()")}
    assert teaching("docker stats", only_md) == []
    assert teaching("docker stats", only_code) == []
    assert teaching("docker stats", both) == ["x.ipynb"]
    assert teaching("docker ps -a", {"x": ("docker ps -a", "lab.ps()")}) == []
    assert teaching("docker ps -a", {"x": ("docker ps -a", "lab.ps(all=True)")}) == ["x"]
    assert teaching("docker run -i -t", {"x": ("docker run -it alpine", "lab.run('alpine', tty=True)")}) == []
    assert teaching("docker run -i -t", {"x": ("docker run -it alpine",
                                               "lab.run('alpine', 'sh', interactive=True, tty=True)")}) == ["x"]


# --- the seed's claims that are wrong or out of date, each answered in the notebook where it belongs ---------
# claim -> (a phrase of the seed, the notebook, regexes that must ALL match its markdown or its code)
CLAIMS = {
    "Dockerfile has two types of registries": (
        "Dockerfile has two types of registries", "02-architecture.ipynb",
        [r"Dockerfile has two types of registries", r"A Dockerfile has no registries", r"build recipe"]),
    "images are the source code": (
        'Docker images are the "source code"', "02-architecture.ipynb",
        [r"source code", r"built artifact", r"Dockerfile[\s\S]{0,80}is the\s+source"]),
    "Docker Cleanup: kill all running containers": (
        "Docker Cleanup", "13-cleanup.ipynb",
        [r"not\s+a command", r"docker kill \$\(docker ps -q\)", r"docker stop \$\(docker ps -q\)",
         r"-a` lists the stopped containers too", r"docker container prune", r"docker system prune",
         r'terminal\("13-kill"\)', r'terminal\("13-rm"\)']),
    'the sign "/" is not necessary': (
        'the sign "/" is not necessary', "03-installation.ipynb",
        [r"backslash", r"apt-get install \\\n", r"\*\*last\*\*"]),
    "docker ps - a": (
        '"- a"', "06-lifecycle.ipynb",
        [r'terminal\("06-ps-typo"\)', r"\"docker ps\" accepts no arguments\.", r"See 'docker ps --help'\."]),
    "improves efficiency and security": (
        "improves efficiency and security", "09-containers-vs-vms.ipynb",
        [r"less strongly isolated than a VM"]),
    "VMs can communicate with the hardware of the host": (
        "VMs which can communicate with the hardware of the host", "09-containers-vs-vms.ipynb",
        [r"communicate with the hardware of the host", r"\*\*virtual\*\*\s+hardware"]),
    "docker stats: container information": (
        "Container information", "07-stats.ipynb",
        [r"Container information", r"docker inspect"]),
    "alpine is only 5 MB": (
        "only 5 MB in size", "04-info-and-pull.ipynb",
        [r"3–4 MB to download", r"8 MB unpacked", r"`hello-world` \| a few kB"]),
    "pull from the public registry (Docker Hub's limit today)": (
        "pull it from the public registry", "04-info-and-pull.ipynb",
        [r"10 pulls per hour per IPv4 address", r"IPv6 /64"]),
    "Why use Docker? (its list answers nothing)": (
        "Why use Docker?", "01-start-here.ipynb",
        [r"## Why use Docker\?", r"says what Docker \*is\*", r"same image runs the same everywhere"]),
    '"ship" the software: images travel, containers do not': (
        '"ship" the software', "01-start-here.ipynb",
        [r"You ship images, not containers", r"pushed to a registry, pulled anywhere"]),
    "a container is a copy of that template": (
        "a container is a copy of that template", "02-architecture.ipynb",
        [r"a container is a copy of that template", r"\*\*shared, not copied\*\*", r"writable layer"]),
    "private registries (Docker Hub's private repositories)": (
        "store images privately", "04-info-and-pull.ipynb",
        [r"\*\*private repositories\*\*", r"100 pulls per hour", r"docker login"]),
    "run container previously created (the interactive shell, for real)": (
        "run container we previously created", "05-run.ipynb",
        [r"docker start -ai our_container", r"Ctrl\*\* and press \*\*P\*\*, then \*\*Q", r"nb05\.check_terminal_exit",
         r"nb05\.check_terminal_detach"]),
    "multiple operating systems: containers vs VMs, measured": (
        "multiple Operating systems", "01-start-here.ipynb",
        [r"isolate less strongly than VMs", r"\*published\* VM figures", r"dockerlab\.progress\(\)"]),
}

# Docker 28/29's screens (the containerd image store, BuildKit, cgroup v2), and where a learner's Docker 29
# differs from the engine the notebooks ran on
DOCKER29 = {
    "02-architecture.ipynb": [r"On Docker 29 you will see", r"1\.44", r"containerd.{0,3} image store",
                              r"cgroup v2", r"deprecates v1"],
    "03-installation.ipynb": [r"cgroup v2", r"deprecated in Docker 29"],
    "04-info-and-pull.ipynb": [r"On Docker 29 you will see", r"io\.containerd\.snapshotter\.v1"],
    "07-stats.ipynb": [r"cgroup v2", r"deprecated in Docker 29", r"memory\.current", r"memory\.usage_in_bytes",
                       r"usage_usec", r"cpu\.max", r"io\.stat", r"system\.slice/docker-<id>\.scope"],
    "08-images.ipynb": [r"On Docker 29 you will see", r"IMAGE  ID  DISK USAGE  CONTENT SIZE  EXTRA",
                        r"\*\*no CREATED\*\*", r"--format table", r"containerd.{0,3} image store", r"attestation"],
    "10-build-an-image.ipynb": [r"BuildKit", r"`#N \[i/n\] INSTRUCTION`", r"`CACHED`", r"attestation",
                                r"`FROM` is never rebuilt", r"docker builder prune"],
}
#: the classic builder's words, which lesson 10 names once as what older engines printed
CLASSIC_BUILDER = [r"Step \d+/\d+", r"---> Running in", r"---> Using cache"]


def _all_text(name: str) -> str:
    md, code = load(NOTEBOOKS / name)
    return md + "\n" + code


@pytest.mark.parametrize("claim", list(CLAIMS))
def test_seed_claim_is_answered(claim):
    phrase, notebook, patterns = CLAIMS[claim]
    if SEED.exists():
        assert phrase in SEED.read_text(), f"the seed no longer says {phrase!r}"
    text = _all_text(notebook)
    missing = [p for p in patterns if not re.search(p, text)]
    assert not missing, f"{notebook} does not answer the seed's {claim!r}: missing {missing}"


@pytest.mark.parametrize("notebook", list(DOCKER29))
def test_docker29_notes(notebook):
    text = _all_text(notebook)
    missing = [p for p in DOCKER29[notebook] if not re.search(p, text)]
    assert not missing, f"{notebook}: missing {missing}"


def test_lesson10_names_the_classic_builder_once():
    md, _ = load(NOTEBOOKS / "10-build-an-image.ipynb")
    counts = {p: len(re.findall(p, md)) for p in CLASSIC_BUILDER}
    assert all(n == 1 for n in counts.values()), f"10-build-an-image.ipynb: the classic builder's words {counts}"


# --- beyond the seed: what a beginner needs next, each taught (CLI form in the text, lab call in the code) where
# it belongs, and every lesson of the series in 01's index
BEYOND = {
    "docker build": ("10-build-an-image.ipynb", r"docker build -t", r"\blab\.build\("),
    "docker run -p": ("11-publish-a-port.ipynb", r"docker run -d -p", r"\bports\s*="),
    "docker volume create": ("12-volumes.ipynb", r"docker volume create", r"\blab\.volume_create\("),
    "docker network create": ("14-containers-that-talk.ipynb", r"docker network create", r"\blab\.network_create\("),
    "docker run --network": ("14-containers-that-talk.ipynb", r"docker run --network", r"\bnetwork\s*=\s*\"nb14"),
    "docker network inspect": ("14-containers-that-talk.ipynb", r"docker network inspect", r"\blab\.network_inspect\("),
    "docker compose up -d": ("14-containers-that-talk.ipynb", r"docker compose up -d", r"\bapp\.up\(\)"),
    "docker compose ps/logs/exec": ("14-containers-that-talk.ipynb", r"docker compose exec",
                                    r"\bapp\.ps\([\s\S]*app\.logs\([\s\S]*app\.exec\("),
    "docker compose down (-v)": ("14-containers-that-talk.ipynb", r"docker compose down -v", r"\bapp\.down\("),
    "ARG and --build-arg": ("15-a-good-image.ipynb", r"--build-arg", r"\bbuild_args\s*="),
    "multi-stage, --target": ("15-a-good-image.ipynb", r"--target", r"\btarget\s*="),
    "USER": ("15-a-good-image.ipynb", r"`USER", r"\bnb15\.check_not_root\("),
    "build secrets": ("15-a-good-image.ipynb", r"--mount=type=secret", r"\bsecrets\s*="),
}


@pytest.mark.parametrize("topic", list(BEYOND))
def test_beyond_the_seed_is_taught(topic):
    notebook, in_text, in_code = BEYOND[topic]
    md, code = load(NOTEBOOKS / notebook)
    assert re.search(in_text, md), f"{notebook} does not show {topic!r} as the learner types it"
    assert re.search(in_code, code), f"{notebook} does not run {topic!r}"


def test_01s_index_lists_every_lesson():
    md, _ = load(NOTEBOOKS / "01-start-here.ipynb")
    lessons = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    missing = [n for n in lessons if f"]({n})" not in md]
    assert len(lessons) >= 15 and not missing, f"01's index lacks {missing}"


def test_the_claim_check_can_fail():
    assert not re.search(CLAIMS["docker ps - a"][2][1], "docker: 'docker ps' accepts no arguments")
    assert not re.search(CLAIMS["improves efficiency and security"][2][0], "containers are secure")
