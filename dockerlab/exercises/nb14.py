"""Checks for 14-containers-that-talk: names on networks, and what `docker compose down` leaves."""
from __future__ import annotations

import re

from .. import labels
from . import Verdict, blank, discard, exercise, failed, gone, needs, no_answer, passed, predict, predicting

THIRD = "nb14.third"
DOWN = "nb14.down-keeps-data"
PREDICT_BRIDGE = "nb14.predict-bridge"

#: what the store answers to INCR (redis-cli prints the number, nc the protocol's ":N")
_COUNT = re.compile(r"^\s*(?:\(integer\)\s*)?:?(\d+)\s*$", re.M)


@exercise(THIRD, "a third container reaches the store by name")
def check_third(lab, name: str = "nb14-third", network: str = "nb14-app_default", store: str = "store") -> Verdict:
    """The container ``name`` ran on ``network``, reached ``store`` by its name, and printed the count."""
    from ..errors import ContainerNotFound

    if not lab.can("networks"):
        return failed(THIRD, "this engine has no networks of its own (udocker shares the host's).",
                      "read the cell, and try it where a Docker Engine runs")
    try:
        c = lab.engine.inspect_container(name)
    except ContainerNotFound:
        return no_answer(THIRD, f"there is no container {name!r} yet.",
                         f"lab.run('busybox', ..., name={name!r}, network={network!r})")
    nets = sorted((c.get("NetworkSettings") or {}).get("Networks") or {})
    if network not in nets:
        return discard(lab, THIRD, name, f"{name} was on {', '.join(nets) or 'no network'}, not on {network}.",
                       f"run it with network={network!r}")
    state = c.get("State") or {}
    if state.get("Running"):
        return failed(THIRD, f"{name} is still running.", "give it a command that asks the store once and ends")
    with lab.quietly(record=False):  # a check is not a lesson step: no twin
        out = lab.logs(name)
    if state.get("ExitCode") != 0 or not _COUNT.search(str(out)):
        words = str(out).strip().splitlines()[-1:] or ["nothing"]
        return discard(lab, THIRD, name, f"{name} did not get a count from {store} (it printed: {words[0][:120]}).",
                       f"ask the store by its name: printf 'INCR visits\\r\\n' | nc -w 2 {store} 6379")
    n = _COUNT.search(str(out)).group(1)
    return passed(THIRD, f"{name} joined {network}, found {store} by name through Docker's DNS, and the store "
                         f"counted {n}: any container on the network reaches it, not only the app's own.")


@exercise(DOWN, "compose down leaves no container, and keeps the data")
def check_down(lab, project: str = "nb14-app", volume: str = "nb14-app_counts") -> Verdict:
    """After `docker compose down` (without ``-v``): no container of ``project`` is left, its network is
    gone, and its volume ``volume`` (the count) is still there."""
    from ..errors import NetworkNotFound, VolumeNotFound

    if not lab.can("compose"):
        return failed(DOWN, "this engine cannot run Compose.", "read the cells, and try it where Docker runs")
    left = lab.engine.containers(all=True, filters={"label": [f"{labels.COMPOSE_PROJECT}={project}"]})
    if left:
        names = ", ".join(sorted((c.get("Names") or ["?"])[0].lstrip("/") for c in left))
        return failed(DOWN, f"the project's containers are still there: {names}.", "app.down()")
    try:
        lab.engine.inspect_network(f"{project}_default")
        return failed(DOWN, f"the network {project}_default is still there.", "app.down() removes it with the containers")
    except NetworkNotFound:
        pass
    try:
        lab.engine.inspect_volume(volume)
    except VolumeNotFound:
        return failed(DOWN, f"the volume {volume} is gone, and the count with it: that was down -v.",
                      "app.up(), visit the page, then app.down() without volumes=True")
    return passed(DOWN, f"down removed the containers and the network; {volume} keeps the count, so the next "
                        "up goes on counting where it stopped.")


YES = {"yes", "y", "true", "found", "it finds it", "resolves", "it resolves"}
NO = {"no", "n", "false", "not found", "bad address", "it does not", "does not resolve"}


def compare_bridge(guess, found: bool):
    """A prediction of whether, on the default bridge, one container finds another by its name."""
    if isinstance(guess, bool):
        said = guess
    elif isinstance(guess, str) and " ".join(guess.strip().lower().split()) in YES | NO:
        said = " ".join(guess.strip().lower().split()) in YES
    else:
        return False, 'predict "yes" (the name resolves) or "no"'
    if said == found:
        return True, ("" if found else "On the default bridge Docker's DNS does not answer containers' names "
                                       "(only a user-defined network has it): 'bad address'.")
    return False, ("it printed 'bad address': the default bridge has no DNS for containers' names" if not found
                   else "the name resolved: look at what the cell printed")


@predicting(PREDICT_BRIDGE, "predict: does a name resolve on the default bridge")
def predict_bridge(lab, prediction, store: str = "nb14-lonely"):
    """Predict, then run: a store on the default bridge, and a container that pings it by its name."""
    def action():
        needs(lab, "networks", "Containers on the default bridge network")
        gone(lab.remove, store, force=True)
        try:
            lab.run("redis", name=store, detach=True)
            res = lab.run("busybox", f"ping -c 1 -W 1 {store}", rm=True)
            print(res.output.rstrip())
        finally:
            gone(lab.remove, store, force=True)
        return res.exit_code == 0

    return predict(PREDICT_BRIDGE, prediction, action, compare_bridge, owner=getattr(lab, "owner", None))


__all__ = ["check_third", "check_down", "predict_bridge", "compare_bridge", "blank"]
