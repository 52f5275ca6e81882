"""Checks for 11-publish-a-port: publishing a port yourself, and reading the PORTS column."""
from __future__ import annotations

from . import Verdict, blank, exercise, failed, no_answer, passed

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
        return failed(PUBLISH, f"{name} publishes no port for its port 80.",
                      f"remove it (lab.remove({name!r}, force=True)) and run it again with ports='{host_port}:80'")
    if ports[0].host_port != host_port:
        return failed(PUBLISH, f"{name}'s port 80 is published on {ports[0].address}, not on port {host_port}.",
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
    except ContainerNotFound:
        return failed(WHICH_PORT, f"there is no container {name!r}.", "run the cells of section 5 first")
    ports = [p for p in published(d) if p.container_port == 80]
    if not ports:
        return failed(WHICH_PORT, f"{name} publishes no port.", "run the cells of section 5 first")
    if int(answer) == ports[0].host_port:
        return passed(WHICH_PORT, f"{ports[0].address} -> 80/tcp: the host port comes first in '-p HOST:CONTAINER'.")
    if int(answer) == 80:
        return failed(WHICH_PORT, "80 is the port inside the container.", "the host side is left of the '->'")
    return failed(WHICH_PORT, f"nothing of {name} answers on port {int(answer)}.", "read the PORTS column again")
