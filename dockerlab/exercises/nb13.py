"""Checks for 13-cleanup: a safe "kill all" command line, and removing only what should go."""
from __future__ import annotations

import re

from . import Verdict, exercise, failed, passed


SAFE = "nb13.safe-command"
PRUNE = "nb13.prune"

# a filter on the learner's own label, WITH a value: owner=NAME or session=ID. (managed=true is every
# learner's containers; a bare label=org.dockerlab.owner is every container that has an owner.)
_OWN_LABEL = re.compile(r"(?:--filter|-f)[ =]['\"]?label=org\.dockerlab\.(?P<key>owner|session)=(?P<value>[^\s'\"]+)")
_ANY_KIT_LABEL = re.compile(r"label=org\.dockerlab\.(?P<key>[\w.]+)(?:=(?P<value>[^\s'\"]*))?")


@exercise(SAFE, "a safe kill-all")
def check_safe_command(answer) -> "Verdict":
    """A `docker rm -f $(docker ps -aq --filter label=org.dockerlab....)` that touches only the kit's containers."""
    if answer is Ellipsis or answer is None or not str(answer).strip():
        return failed(SAFE, "there is no answer yet: replace the ... with a command line, as a string.",
                      "docker rm -f $(docker ps -aq --filter ...)")
    if not isinstance(answer, str):
        return failed(SAFE, f"the answer should be a command line (a string), not {type(answer).__name__}.")
    cmd = " ".join(answer.replace("sudo ", "").split())
    m = re.fullmatch(r"docker (?:container )?rm (?P<rm>[^$]*)\$\((?P<inner>[^)]*)\)\s*", cmd)
    if not m:
        return failed(SAFE, "the command should remove (docker rm) the containers that an inner `docker ps` lists: "
                      "docker rm ... $(docker ps ...).", "docker rm -f $(docker ps -aq --filter ...)")
    rm_flags, inner = m.group("rm").split(), m.group("inner").strip()
    words = inner.split()
    if words[:2] not in (["docker", "ps"], ["docker", "container"]):
        return failed(SAFE, f"the inner command {inner!r} does not list containers.", "$(docker ps -aq ...)")
    short = "".join(w[1:] for w in words if re.fullmatch(r"-[a-zA-Z]+", w))
    if "q" not in short and "--quiet" not in words:
        return failed(SAFE, "without -q, docker ps prints a table, and docker rm would get its words as names.",
                      "-q prints only the ids")
    if "a" not in short and "--all" not in words:
        return failed(SAFE, "without -a, docker ps lists only running containers: the stopped ones would stay.",
                      "add -a")
    if not ("-f" in rm_flags or "--force" in rm_flags or any(re.fullmatch(r"-[a-z]*f[a-z]*", f) for f in rm_flags)):
        return failed(SAFE, "docker rm refuses to remove a running container unless forced.", "docker rm -f")
    if "--filter" not in inner and "-f " not in inner + " ":
        return failed(SAFE, "this removes EVERY container on the engine, other people's and other tools' too.",
                      "add a label filter: --filter label=org.dockerlab.owner=YOU")
    if not _OWN_LABEL.search(inner):
        kit = _ANY_KIT_LABEL.search(inner)
        if kit and kit.group("key") == "managed":
            return failed(SAFE, "label=org.dockerlab.managed=true selects every learner's kit containers, not only "
                          "yours: on a shared engine that is the very mistake this notebook is about.",
                          "filter on your own label: label=org.dockerlab.owner=YOU")
        if kit and kit.group("key") in ("owner", "session"):
            return failed(SAFE, f"label=org.dockerlab.{kit.group('key')} with no value matches every container that "
                          "has that label, everyone's.", f"give the value: label=org.dockerlab.{kit.group('key')}=YOU")
        return failed(SAFE, "the filter does not select the kit's label, so it may match containers the kit "
                      "did not make.", "filter on label=org.dockerlab.owner=YOU (or org.dockerlab.session=...)")
    return passed(SAFE, "Only containers carrying the kit's label are listed, so only they are removed.")


@exercise(PRUNE, "remove only the exited")
def check_prune(lab, stopped=("nb13-ex-1", "nb13-ex-2"), keep: str = "nb13-ex-keep") -> "Verdict":
    """The stopped containers are removed, the running one is kept (and still runs)."""
    from ..errors import ContainerNotFound

    left = []
    for name in stopped:
        try:
            lab.container(name)
            left.append(name)
        except ContainerNotFound:
            pass
    cleaned = getattr(lab, "cleaned", ())
    if all(n in cleaned for n in (*stopped, keep)) and not left:
        return failed(PRUNE, "the cleanup cell removed the exercise's containers.",
                      "run the exercise's setup cell again, then remove only the exited ones")
    try:
        k = lab.container(keep)
    except ContainerNotFound:
        return failed(PRUNE, f"{keep} is gone: it was running and should have been kept.",
                      "run the exercise's setup cell again, then remove only the exited ones")
    if k.state != "running":
        return failed(PRUNE, f"{keep} is {k.state}: it should still be running.",
                      f"lab.start({keep!r}), and remove only containers whose STATE is exited")
    if left:
        return failed(PRUNE, f"still there: {', '.join(left)}.",
                      "lab.ps(all=True, scope='session') shows their STATE; lab.remove(name) removes one")
    return passed(PRUNE, f"{', '.join(stopped)} removed, {keep} still running.")
