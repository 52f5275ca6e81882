"""The ``docker ...`` command line each lab call equals (its CLI twin)."""
from __future__ import annotations

import shlex


def q(word: str) -> str:
    return shlex.quote(word)


def join(*words) -> str:
    return "docker " + " ".join(w for w in words if w)


def run_twin(*, image: str, command: list[str], name: str | None = None, detach: bool = False,
             interactive: bool = False, tty: bool = False, rm: bool = False, memory: str | int | None = None,
             cpus: float | None = None, pids: int | None = None, env: dict | None = None,
             extra: list[str] | None = None) -> str:
    flags = []
    if detach:
        flags.append("-d")
    if interactive and tty:
        flags.append("-it")
    elif interactive:
        flags.append("-i")
    elif tty:
        flags.append("-t")
    if rm:
        flags.append("--rm")
    if name:
        flags.append(f"--name {q(name)}")
    if memory is not None:
        flags.append(f"--memory {q(str(memory))}")
    if cpus is not None:
        flags.append(f"--cpus {cpus:g}")
    if pids is not None:
        flags.append(f"--pids-limit {pids}")
    for k, v in sorted((env or {}).items()):
        flags.append(f"-e {q(f'{k}={v}')}")
    flags += list(extra or [])  # -v and -p, already written as the CLI wants them
    return join("run", *flags, q(image), " ".join(q(c) for c in command))
