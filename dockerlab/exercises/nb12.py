"""Checks for 12-volumes: keeping a file in a volume, and what survives `docker rm`."""
from __future__ import annotations

from . import Verdict, blank, exercise, failed, gone, needs, no_answer, passed, predict, predicting

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


PREDICT_KEPT = "nb12.predict-kept"
IN_VOLUME, IN_LAYER = "/data/notes.txt", "/notes.txt"

#: what a learner may write for each answer: the place, or the file's path
_PLACES = {**dict.fromkeys(("volume", "the volume", "named volume", "the named volume", IN_VOLUME, "/data", "/data/"),
                          "volume"),
           **dict.fromkeys(("layer", "the layer", "writable layer", "the writable layer", IN_LAYER), "layer"),
           "both": "both", "neither": "neither", "none": "neither", "nothing": "neither"}


def _place(guess):
    """"volume", "layer", "both" or "neither", from a word, a path, or a set of them; None if none of these."""
    if isinstance(guess, str):
        return _PLACES.get(" ".join(guess.strip().lower().split()))
    if isinstance(guess, (set, frozenset, list, tuple)):
        said = {_place(g) if isinstance(g, str) else None for g in guess}
        if not said <= {"volume", "layer"}:
            return None
        return {frozenset(): "neither", frozenset({"volume"}): "volume", frozenset({"layer"}): "layer"}.get(
            frozenset(said), "both")
    return None


def compare_kept(guess, found: str):
    """A prediction of which of the two files a new container finds after `docker rm`: "volume" (the file in
    the named volume), "layer" (the one in the removed container's layer), "both" or "neither"."""
    said = _place(guess)
    if said is None:
        return False, 'predict one of "volume", "layer", "both", "neither"'
    if said == found:
        if found == "volume":
            return True, (f"{IN_VOLUME} is in the volume, which lives outside the container: the new container "
                          f"mounts it and finds the file. {IN_LAYER} was in nb12-guess's writable layer, and docker rm "
                          "deleted the layer with the container.")
        return True, ""
    if found != "volume":
        return False, f"the new container found {found}: look at what the cell printed"
    if said in ("both", "layer"):
        return False, f"{IN_LAYER} was in the container's writable layer: what does docker rm do to that layer?"
    return False, "the volume is not part of the container: does docker rm delete it?"


@predicting(PREDICT_KEPT, "predict: which file outlives docker rm")
def predict_kept(lab, prediction, name: str = "nb12-guess", volume: str = "nb12-guess"):
    """Predict, then run: a container writes one file into a named volume and one into its own layer, and
    is removed; which of the two does a new container, with the same volume, find?"""
    mount = [f"{volume}:/data"]

    def action():
        needs(lab, "volumes", "A named volume (docker volume create)")
        gone(lab.remove, name, force=True)
        gone(lab.volume_remove, volume)
        try:
            write = f"echo kept > {IN_VOLUME}; echo kept > {IN_LAYER}"
            lab.run("alpine", ["sh", "-c", write], name=name, volumes=mount)
            lab.remove(name)
            # 2>&1: ls's complaint and its list in one stream, so in the same order every time
            seen = lab.run("alpine", ["sh", "-c", f"ls {IN_VOLUME} {IN_LAYER} 2>&1"], rm=True, volumes=mount).output
            print(seen.rstrip())
        finally:
            gone(lab.remove, name, force=True)
            gone(lab.volume_remove, volume)
        files = {line.strip() for line in seen.splitlines()}
        return {(True, True): "both", (True, False): "volume", (False, True): "layer",
                (False, False): "neither"}[(IN_VOLUME in files, IN_LAYER in files)]

    return predict(PREDICT_KEPT, prediction, action, compare_kept, owner=getattr(lab, "owner", None))
