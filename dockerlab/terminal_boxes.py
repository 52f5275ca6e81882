"""Learners type Docker too: the "in a terminal" boxes of the lessons.

Each box is one `docker ...` command a learner can type in JupyterLab's Terminal, with what the
real docker CLI printed when ``scripts/capture-cli`` ran it against the engine (stored in
``terminal.json`` next to this module). ``dockerlab.terminal("06-ps-typo")`` shows one box.
A test runs every command again and checks that the CLI still prints what the box shows
(ids, digests, times and ports aside: :func:`sanitize`).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

DATA = Path(__file__).with_name("terminal.json")
HOW = "In a terminal (File > New > Terminal in JupyterLab)"


@dataclass(frozen=True)
class Box:
    key: str
    command: str  # what the learner types (run by /bin/sh, so $(...) works)
    setup: tuple[str, ...] = ()  # run before, not shown (the containers the command needs)
    teardown: tuple[str, ...] = ()  # run after, not shown
    numbers: bool = False  # the output is measurements (docker stats): compare its shape, not its numbers
    note: str = field(default="", compare=False)


def _sleepers(*names: str) -> tuple[str, ...]:
    return tuple(f"docker run -d --name {n} alpine sleep 600" for n in names)


def _rm(*names: str) -> tuple[str, ...]:
    return (f"docker rm -f {' '.join(names)}",)


BOXES = [
    Box("04-info", "docker info --format '{{.ServerVersion}} {{.Driver}} cgroup v{{.CgroupVersion}}'"),
    Box("04-pull", "docker pull alpine"),
    Box("05-echo", "docker run --rm alpine echo hello from alpine"),
    Box("05-bash", "docker run --rm alpine /bin/bash"),
    Box("05-dash", "docker run \u2013-name our_container -it ubuntu /bin/bash"),
    Box("05-name", "docker run -d --name nb05-term alpine sleep 600", setup=_sleepers("nb05-term"),
        teardown=_rm("nb05-term")),
    Box("06-ps-typo", "docker ps - a"),
    Box("06-stop", "docker stop -t 1 nb06-term", setup=_sleepers("nb06-term"), teardown=_rm("nb06-term")),
    Box("06-ps-a", "docker ps -a --filter name=nb06-term",
        setup=_sleepers("nb06-term") + ("docker stop -t 1 nb06-term",), teardown=_rm("nb06-term")),
    Box("06-start", "docker start nb06-term", setup=_sleepers("nb06-term") + ("docker stop -t 1 nb06-term",),
        teardown=_rm("nb06-term")),
    Box("07-oom", "docker run --rm --memory 64m alpine sh -c 'x=$(head -c 80000000 /dev/zero | tr -c a a); "
                  "echo survived'; echo \"exit code $?\""),
    # started as the kit starts a lesson's containers (the teacher's 512 MiB), so its LIMIT is the lesson's
    Box("07-stats", "docker stats --no-stream nb07-term",
        setup=("docker run -d --name nb07-term --memory 512m --memory-swap 512m alpine sleep 600",),
        teardown=_rm("nb07-term"), numbers=True),
    Box("08-images", "docker images alpine"),
    Box("08-ps-size", "docker ps -s --filter name=nb08-term",
        setup=_sleepers("nb08-term") + ("docker exec nb08-term sh -c 'head -c 1000000 /dev/zero > /data.bin'",),
        teardown=_rm("nb08-term")),
    Box("08-tag", "docker tag alpine nb08-term/alpine:v1 && docker rmi nb08-term/alpine:v1",
        teardown=("docker rmi nb08-term/alpine:v1 2>/dev/null || true",)),
    Box("13-kill", "docker kill $(docker ps -q --filter name=nb13-term-)",
        setup=_sleepers("nb13-term-web", "nb13-term-worker") + ("docker run --name nb13-term-done alpine true",),
        teardown=_rm("nb13-term-web", "nb13-term-worker", "nb13-term-done")),
    Box("13-rm", "docker rm -f $(docker ps -aq --filter name=nb13-term-)",
        setup=_sleepers("nb13-term-web", "nb13-term-worker") + ("docker run --name nb13-term-done alpine true",),
        teardown=("docker rm -f nb13-term-web nb13-term-worker nb13-term-done 2>/dev/null || true",)),
]
BY_KEY = {b.key: b for b in BOXES}


def cli_version(docker: str | None = None) -> str:
    exe = docker or shutil.which("docker") or "docker"
    try:
        out = subprocess.run([exe, "version", "--format", "{{.Client.Version}}"], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    except OSError:
        return ""
    return out


#: What ``docker run`` prints first where the host's ``net.ipv4.ip_forward`` is 0 (dockerd's warning at each
#: create on a bridge). The kit's engines forward nothing (no packet from a container leaves the machine), so
#: on such a host every run says it; a learner's Docker forwards, and the boxes show what they will see.
NO_FORWARDING = "WARNING: IPv4 forwarding is disabled. Networking will not work."


def run(box: Box, *, timeout: float = 60) -> tuple[int, str]:
    """Run a box's setup, its command and its teardown with the real CLI; (exit code, what it printed).

    stdout and stderr are interleaved as a terminal shows them (one pipe for both); the
    :data:`NO_FORWARDING` line of this machine's network policy is left out."""
    def sh(cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(["/bin/sh", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout)

    for cmd in box.teardown:  # leftovers of an interrupted run first
        sh(cmd + " >/dev/null 2>&1 || true")
    try:
        for cmd in box.setup:
            done = sh(cmd)
            if done.returncode != 0:
                raise RuntimeError(f"setup of {box.key} failed: {cmd}: {done.stdout.strip()}")
        done = sh(box.command)
        lines = done.stdout.splitlines(keepends=True)
        return done.returncode, "".join(line for line in lines if line.rstrip("\n") != NO_FORWARDING)
    finally:
        for cmd in box.teardown:
            sh(cmd + " >/dev/null 2>&1 || true")


_RULES = [
    (re.compile(r"sha256:[0-9a-f]{64}"), "sha256:<digest>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<id>"),
    (re.compile(r"\b[0-9a-f]{12}\b"), "<id>"),
    (re.compile(r"(Less than a second|About an? \w+|\d+ (second|minute|hour|day|week|month|year)s?)( ago)?"),
     "<time>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
]


def sanitize(text: str, *, numbers: bool = False) -> str:
    """What may differ from one run to the next, replaced; columns compared by their words."""
    for rx, rep in _RULES:
        text = rx.sub(rep, text)
    if numbers:
        text = re.sub(r"\d+(\.\d+)?([kKMGT]i?B|B|%)?", "<n>", text)  # 580KiB, 1.2MiB, 0.00%
    lines = [re.sub(r" {2,}", "  ", line.rstrip()) for line in text.strip("\n").splitlines()]
    return "\n".join(lines)


def load(path: Path = DATA) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        return {"boxes": {}}


class Terminal:
    """One box: the command, and what the CLI printed (text in a plain repr, a styled box in a notebook)."""

    def __init__(self, key: str, command: str, output: str, exit_code: int, cli: str, note: str = ""):
        self.key, self.command, self.output, self.exit_code, self.cli, self.note = \
            key, command, output, exit_code, cli, note

    def text(self) -> str:
        body = self.output.rstrip("\n")
        return f"$ {self.command}" + (f"\n{body}" if body else "")

    def __repr__(self) -> str:
        cli = f", docker CLI {self.cli}" if self.cli else ""
        return f"{HOW}{cli}, this printed:\n{self.text()}"

    def _repr_html_(self) -> str:
        cli = f", docker CLI {escape(self.cli)}" if self.cli else ""
        code = "" if self.exit_code == 0 else f" <b>(exit code {self.exit_code})</b>"  # the theme's text colour
        note = f"<div style='font-size:90%'>{escape(self.note)}</div>" if self.note else ""
        return ("<div class='dockerlab-terminal' style='border:1px solid #999;border-radius:4px;padding:4px 8px;margin:4px 0'>"
                f"<div style='font-size:90%'>⌨ {HOW}{cli}, this printed{code}:</div>"
                # scrolls sideways when a line is long: focusable (tabindex) and named, so a keyboard scrolls it too
                f"<pre tabindex='0' role='region' aria-label='{escape(self.key)}: what the terminal printed' "
                "style='background:#1e1e1e;color:#eee;padding:6px;margin:4px 0;font-family:monospace;"
                "white-space:pre;overflow-x:auto'>"
                f"{escape(self.text())}</pre>{note}</div>")


def terminal(key: str) -> Terminal:
    """The "in a terminal" box ``key`` (for example ``"06-ps-typo"``), as captured from the real CLI."""
    data = load()
    if key not in data.get("boxes", {}):
        from .errors import DockerLabError

        known = ", ".join(sorted(data.get("boxes", {}))) or "none (run scripts/capture-cli)"
        raise DockerLabError(f"No terminal box named {key!r}", state=f"known: {known}",
                             hint="run scripts/capture-cli after adding a box to dockerlab/terminal_boxes.py")
    d = data["boxes"][key]
    note = BY_KEY[key].note if key in BY_KEY else ""
    return Terminal(key, d["command"], d["output"], d["exit_code"], data.get("cli", ""), note)
