"""Checks for 12-volumes: keeping a file in a volume, and what survives `docker rm`."""
from __future__ import annotations

from . import Verdict, blank, exercise, failed, no_answer, passed

KEPT = "nb12.kept"
SURVIVES = "nb12.survives"


@exercise(KEPT, "a file kept in a volume")
def check_kept(lab, volume: str = "nb12-ex", path: str = "/data/answer.txt", expected: str = "42") -> "Verdict":
    """The named volume ``volume`` exists, no container uses it, and it holds ``path`` with ``expected``."""
    from ..errors import DockerLabError, VolumeNotFound

    if not lab.can("volumes"):
        return failed(KEPT, "this engine has no named volumes (only folders can be mounted here).",
                      "try this exercise where a Docker Engine runs")
    try:
        lab.engine.inspect_volume(volume)
    except VolumeNotFound:
        return no_answer(KEPT, f"there is no volume {volume!r} yet.", f"lab.volume_create({volume!r})")
    users = [c for c in lab.engine.containers(all=True, filters={"volume": volume})]
    if users:
        names = ", ".join(sorted((c.get("Names") or ["?"])[0].lstrip("/") for c in users))
        return failed(KEPT, f"the container(s) {names} still use {volume}: remove them first, to show the file outlives them.",
                      "lab.remove(name)")
    try:
        res = _quiet_run(lab, path, volume)
    except DockerLabError as e:
        return failed(KEPT, f"reading {path} failed: {e.what}", "")
    if res.exit_code != 0:
        return failed(KEPT, f"{volume} has no {path.split('/')[-1]}.",
                      f"write it from a container that mounts the volume: volumes=['{volume}:/data']")
    if res.output.strip() != expected:
        return failed(KEPT, f"{path} holds {res.output.strip()!r}, not {expected!r}.", f"echo {expected} > {path}")
    return passed(KEPT, f"{path} in the volume {volume} holds {expected}, with no container left that wrote it.")


def _quiet_run(lab, path, volume):
    """Read the file through a new container, without printing its twin (a check is not a lesson step)."""
    show, lab.show_cli = lab.show_cli, False
    try:
        return lab.run("alpine", f"cat {path}", volumes=[f"{volume}:/data"], rm=True)
    finally:
        lab.show_cli = show


SURVIVORS = {"volume", "bind"}
KNOWN = {"layer", "volume", "bind"}


@exercise(SURVIVES, "what survives docker rm")
def check_survives(answer) -> "Verdict":
    """``answer``: the set of places whose data outlives `docker rm`, among "layer", "volume", "bind"."""
    if answer is None or blank(answer):
        return no_answer(SURVIVES, "there is no answer yet: replace the ... with a set of names.",
                      'for example {"layer"} (choose among "layer", "volume", "bind")')
    if isinstance(answer, str):
        answer = {answer}
    try:
        said = {str(a).strip().lower() for a in answer}
    except TypeError:
        return failed(SURVIVES, f"{answer!r} is not a set of names.", '{"volume"} is a set of one name')
    unknown = said - KNOWN
    if unknown:
        return failed(SURVIVES, f"{', '.join(sorted(unknown))} is not one of layer, volume, bind.",
                      'choose among "layer", "volume", "bind"')
    if said == SURVIVORS:
        return passed(SURVIVES, "A named volume and a bind-mounted folder live outside the container; its writable "
                                "layer goes with docker rm.")
    if "layer" in said:
        return failed(SURVIVES, "the writable layer is deleted by docker rm (section 1).",
                      "which places live outside the container?")
    return failed(SURVIVES, f"{', '.join(sorted(SURVIVORS - said)) or 'nothing you named'} survives docker rm too.",
                  "both kinds of mount live outside the container")
