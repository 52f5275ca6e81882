"""Checks for 06-lifecycle: `docker ps -a`, and a container stopped on purpose."""
from __future__ import annotations

import re

from . import Verdict, failed, passed


PS_ALL = "nb06.ps-all"
STOPPED = "nb06.stopped"
STATES = "nb06.states"


def _words(cmd: str) -> list[str]:
    words = cmd.strip().lstrip("$").split()
    if words[:1] == ["sudo"]:
        words = words[1:]
    return words


def check_ps_all(answer) -> "Verdict":
    """The command that lists every container, stopped ones too."""
    if answer is Ellipsis or answer is None or not str(answer).strip():
        return failed(PS_ALL, "there is no answer yet: replace the ... with a command, as a string.",
                      "it starts with 'docker ps'")
    if not isinstance(answer, str):
        return failed(PS_ALL, f"the answer should be the command as a string, not {type(answer).__name__}.",
                      'for example answer = "docker ..."')
    words = _words(answer)
    if words[:1] != ["docker"]:
        return failed(PS_ALL, f"{answer!r} is not a docker command.", "start with 'docker'")
    rest = words[1:]
    if rest[:2] == ["container", "ls"] or rest[:2] == ["container", "list"]:
        rest = ["ps"] + rest[2:]
    if rest[:1] != ["ps"]:
        return failed(PS_ALL, f"'docker {' '.join(rest[:1])}' does not list containers.", "the listing command is docker ps")
    flags = rest[1:]
    if "-" in flags and "a" in flags:
        return failed(PS_ALL, "that is the seed's typo: with a space, '-' and 'a' are two arguments, and the CLI "
                      "answers `docker: 'docker ps' accepts no arguments`.", "write the flag in one piece: -a")
    if not flags:
        return failed(PS_ALL, "plain 'docker ps' lists only the running containers; a stopped one would be missing.",
                      "add the flag that means 'all'")
    if any(f in ("-a", "--all") or re.fullmatch(r"-[a-zA-Z]*a[a-zA-Z]*", f) for f in flags):
        return passed(PS_ALL, "It lists running and stopped containers (lab.ps(all=True) here).")
    return failed(PS_ALL, f"the flags {' '.join(flags)!r} do not ask for all containers.", "the flag is -a (or --all)")


def check_stopped(lab, name: str = "nb06-ex") -> "Verdict":
    """The learner ran ``name`` in the background, then stopped it: it exists and has exited."""
    from ..errors import ContainerNotFound

    try:
        c = lab.container(name)
    except ContainerNotFound:
        return failed(STOPPED, f"there is no container named {name!r} yet.",
                      f"lab.run('alpine', 'sleep 600', name={name!r}, detach=True), then lab.stop(...)")
    if c.state == "running":
        return failed(STOPPED, f"{name} is still running.", f"stop it: lab.stop({name!r}, timeout=1)")
    if c.state == "created":
        return failed(STOPPED, f"{name} was created but never started, so it never ran.",
                      f"start it with lab.start({name!r}), then stop it")
    if c.state == "paused":
        return failed(STOPPED, f"{name} is paused: frozen, not stopped; its processes still exist.",
                      f"lab.unpause({name!r}), then lab.stop({name!r}, timeout=1)")
    if c.state != "exited":
        return failed(STOPPED, f"{name} is {c.state}, not exited.", "run it again with detach=True, then stop it")
    if c.image.split(":")[0] not in ("alpine", "busybox"):
        return failed(STOPPED, f"{name} was made from {c.image!r}; the exercise asks for alpine.",
                      f"remove it (lab.remove({name!r})) and run it from alpine")
    code = f" (exit code {c.exit_code})" if c.exit_code is not None else ""
    return passed(STOPPED, f"{name} has exited{code}; `docker ps -a` still lists it, `docker ps` does not.")


def check_states(answer) -> "Verdict":
    """The states a container passes through for create, start, pause, unpause, stop, in order."""
    want = ["created", "running", "paused", "running", "exited"]
    if answer is Ellipsis or answer is None:
        return failed(STATES, "there is no answer yet: replace the ... with a list of five state names.",
                      'for example ["created", ...]')
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return failed(STATES, "the answer should be a list of five state names.", 'for example ["created", ...]')
    got = [str(s).strip().lower() for s in answer]
    if len(got) != len(want):
        return failed(STATES, f"there are {len(got)} states in your list; five steps give five states.",
                      "one state after each of: create, start, pause, unpause, stop")
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            if g == "stopped":
                return failed(STATES, "Docker calls a stopped container 'exited' (its main process ended).",
                              "use the names lab.container(...).state shows")
            step = ["create", "start", "pause", "unpause", "stop"][i]
            return failed(STATES, f"after {step} the state is not {g!r}.", "try the steps on a container and look "
                          "at lab.container(name).state after each")
    return passed(STATES)
