"""The ``docker ...`` command line each lab call equals (its CLI twin).

The twin is what a learner would type. The teacher's default limits (``--memory 512m
--memory-swap 512m --cpus 1 --pids-limit 256``) go with every container; a lab shows them in
the first twin that has them and says what they are, then leaves them out (a run's
``plan.full_twin`` has every flag sent). The kit's own labels are the same on every
container: :func:`kit_labels_twin` says them once per lab.
"""
from __future__ import annotations

import shlex

from . import labels as labels_mod


def q(word: str) -> str:
    return shlex.quote(word)


def join(*words) -> str:
    return "docker " + " ".join(w for w in words if w)


def size(n: int) -> str:
    """Bytes as the docker CLI takes them: ``512m``, ``2g``, ``64k``, else plain bytes."""
    for unit, mult in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if n % mult == 0:
            return f"{n // mult}{unit}"
    return str(n)


def limit_flags(limits) -> list[str]:
    """The flags for the limits actually sent (asked, or the teacher's defaults)."""
    if limits is None:
        return []
    flags = []
    if limits.memory:
        flags += [f"--memory {size(limits.memory)}", f"--memory-swap {size(limits.memory)}"]
    if limits.cpus:
        flags.append(f"--cpus {limits.cpus:g}")
    if limits.pids:
        flags.append(f"--pids-limit {limits.pids}")
    return flags


def run_twin(*, image: str, command: list[str], name: str | None = None, detach: bool = False,
             interactive: bool = False, tty: bool = False, rm: bool = False, limits=None, options=(),
             env: dict | None = None, labels: dict | None = None, extra: list[str] | None = None) -> str:
    """``limits``: what is sent (:class:`dockerlab.guards.Limits`, the teacher's defaults included);
    ``options``: the flags :func:`dockerlab.policy.check_launch` allowed (``--network``...);
    ``extra``: flags already written as the CLI wants them (``-v``, ``-p``)."""
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
    flags += limit_flags(limits)
    for opt in options:
        flag, _, value = opt.partition(" ")
        flags.append(f"{flag} {q(value)}" if value else flag)
    flags += list(extra or [])  # -v and -p, already written as the CLI wants them
    for k, v in sorted((env or {}).items()):
        flags.append(f"-e {q(f'{k}={v}')}")
    for k, v in sorted((labels or {}).items()):
        flags.append(f"--label {q(f'{k}={v}')}")
    return join("run", *flags, q(image), " ".join(q(c) for c in command))


def kit_labels_twin(lesson: str = "") -> str:
    """The labels the kit adds to every container, as CLI flags (values that vary shown as <...>)."""
    pairs = [(labels_mod.MANAGED, "true"), (labels_mod.OWNER, "<you>"), (labels_mod.SESSION, "<this kernel>"),
             (labels_mod.SESSION_PID, "<its pid>"), (labels_mod.SESSION_HOST, "<its host>")]
    if lesson:
        pairs.append((labels_mod.LESSON, lesson))
    return " ".join(f"--label {k}={v}" for k, v in pairs)  # placeholders shown as they are
