"""Checks for 11-publish-a-port: publishing a port yourself, and reading the PORTS column."""
from __future__ import annotations

from . import Verdict, blank, discard, exercise, failed, gone, needs, no_answer, passed, predict, predicting

PUBLISH = "nb11.publish"
WHICH_PORT = "nb11.which-port"


@exercise(PUBLISH, "publish a port")
def check_publish(lab, name: str = "nb11-ex", host_port: int = 8090) -> "Verdict":
    """A running container ``name`` publishes its port 80 on 127.0.0.1:``host_port``, and the page answers."""
    from ..errors import ContainerNotFound, DockerLabError
    from ..ports import published

    if not lab.can("ports"):
        return failed(PUBLISH, "this engine cannot publish ports (containers use the host's own ports here).",
                      "try this exercise where a Docker Engine runs")
    try:
        d = lab.engine.inspect_container(name)
    except ContainerNotFound:
        return no_answer(PUBLISH, f"there is no container {name!r} yet.",
                      f"lab.run('nginx', name={name!r}, detach=True, ports='{host_port}:80')")
    if (d.get("State") or {}).get("Status") != "running":
        return failed(PUBLISH, f"{name} is not running.", f"start it: lab.start({name!r})")
    ports = [p for p in published(d) if p.container_port == 80]
    if not ports:
        return discard(lab, PUBLISH, name, f"{name} publishes no port for its port 80.",
                       f"run it again with ports='{host_port}:80'")
    if ports[0].host_port != host_port:
        return discard(lab, PUBLISH, name, f"{name}'s port 80 is published on {ports[0].address}, not on port {host_port}.",
                       f"HOST:CONTAINER: ports='{host_port}:80'")
    try:
        import urllib.request

        page = urllib.request.urlopen(ports[0].url, timeout=5).read().decode("utf-8", "replace")
    except (OSError, DockerLabError) as e:
        return failed(PUBLISH, f"nothing answered at {ports[0].url} ({e}).", "is the server in the container running?")
    title = page.split("<title>")[1].split("</title>")[0] if "<title>" in page else page[:40]
    return passed(PUBLISH, f"{ports[0].url} answers: {title!r}.")


@exercise(WHICH_PORT, "which host port")
def check_which_port(answer, lab, name: str = "nb11-web2") -> "Verdict":
    """``answer`` is the host port on which ``name``'s port 80 answers."""
    from ..errors import ContainerNotFound
    from ..ports import published

    if answer is None or blank(answer):
        return no_answer(WHICH_PORT, "there is no answer yet: replace the ... with a port number.",
                      "look at the PORTS column of lab.ps(), or lab.port(name)")
    if isinstance(answer, bool) or not isinstance(answer, (int, str)) or not str(answer).strip().isdigit():
        return failed(WHICH_PORT, f"{answer!r} is not a port number.", "for example 8080")
    try:
        d = lab.engine.inspect_container(name)
    except ContainerNotFound as e:
        if "was removed by" in e.state:  # the cleanup cell took it (Run All): not the learner's answer's fault
            return no_answer(WHICH_PORT, f"{e.state}, so its port cannot be checked.", "run the cells of section 5 "
                             "again, then this one")
        return failed(WHICH_PORT, f"there is no container {name!r}.", "run the cells of section 5 first")
    ports = [p for p in published(d) if p.container_port == 80]
    if not ports:
        return failed(WHICH_PORT, f"{name} publishes no port.", "run the cells of section 5 first")
    if int(answer) == ports[0].host_port:
        return passed(WHICH_PORT, f"{ports[0].address} -> 80/tcp: the host port comes first in '-p HOST:CONTAINER'.")
    if int(answer) == 80:
        return failed(WHICH_PORT, "80 is the port inside the container.", "the host side is left of the '->'")
    return failed(WHICH_PORT, f"nothing of {name} answers on port {int(answer)}.", "read the PORTS column again")


PREDICT_NO_PORT = "nb11.predict-no-port"

#: what a learner may write for "on no host port" (0 too: no port is numbered 0)
NO_PORT = {"none", "no port", "no ports", "nothing", "no", "not published", "no host port", "nowhere", "0"}


def _host_port(guess):
    """A predicted host port: a number from 1 to 65535 (or its digits), "none" for no port; None if neither."""
    if isinstance(guess, bool):
        return None
    if isinstance(guess, float) and guess.is_integer():
        guess = int(guess)
    if isinstance(guess, int):
        return "none" if guess == 0 else guess if 0 < guess <= 65535 else None
    if isinstance(guess, str):
        text = " ".join(guess.strip().lower().split())
        if text in NO_PORT:
            return "none"
        if text.isdigit() and 0 < int(text) <= 65535:
            return int(text)
    return None


def compare_no_port(guess, host_port):
    """A prediction of the host port on which nginx, run with no -p, answers: "none" (or a port number).
    ``host_port`` is what `docker port` said: a number, or "none"."""
    said = _host_port(guess)
    if said is None:
        return False, 'predict a host port number (such as 8080), or "none"'
    if said == host_port:
        if host_port == "none":
            return True, ("Without -p the engine publishes no port: `docker port` prints nothing. The server listens "
                          "on port 80 inside the container's own network, where nothing on the host's ports leads. "
                          "(`docker ps` shows `80/tcp` under PORTS, with no `->`: the port the image says it uses.)")
        return True, f"The engine published it on host port {host_port}."
    if host_port != "none":
        return False, f"the engine published it on host port {host_port}"
    if said == 80:
        return False, "80 is the server's port inside the container: which option connects a host port to it?"
    return False, (f"a host port such as {said} leads to a container only when -p (ports=...) publishes it there: "
                   "was nb11-guess started with one?")


@predicting(PREDICT_NO_PORT, "predict: a server with no -p")
def predict_no_port(lab, prediction, name: str = "nb11-guess"):
    """Predict, then run: `docker run -d --name nb11-guess nginx`, with no -p: on which host port does it answer?"""

    def action():
        needs(lab, "ports", "Publishing a port (docker run -p)")
        gone(lab.remove, name, force=True)
        lab.run("nginx", name=name, detach=True)
        try:
            ports = [p for p in lab.port(name) if p.container_port == 80]
            return ports[0].host_port if ports else "none"
        finally:
            lab.remove(name, force=True)

    return predict(PREDICT_NO_PORT, prediction, action, compare_no_port, owner=getattr(lab, "owner", None))
