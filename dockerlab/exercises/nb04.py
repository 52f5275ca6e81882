"""Checks for 04-info-and-pull: a learner's answer in, a Verdict out (never an exception)."""
from __future__ import annotations

from ..errors import DockerLabError
from ..refs import parse_image
from . import exercise, failed, passed

NOT_YET = "replace the ... with your answer, then run the cell again"


@exercise("nb04.pull", "pull busybox")
def check_pull(answer, lab=None, *, image: str = "busybox"):
    """Exercise 1: ``answer = lab.pull("busybox")``; the engine now has busybox:latest."""
    ex = "Exercise 1 (pull busybox)"
    if answer is ...:
        return failed(ex, "There is no answer yet.", NOT_YET)
    ref = getattr(answer, "ref", None)
    if ref is None:
        return failed(ex, f"`answer` is a {type(answer).__name__}, not what lab.pull(...) returns.",
                      f'write answer = lab.pull("{image}")')
    want = parse_image(image)
    try:
        got = parse_image(ref)
    except DockerLabError:
        return failed(ex, f"{ref!r} is not an image reference.", f'write answer = lab.pull("{image}")')
    if (got.registry, got.repository) != (want.registry, want.repository):
        return failed(ex, f"You pulled {got}, not {want.repository}.", f'pull "{image}" itself')
    if got.tag != "latest":
        return failed(ex, f"You pulled the tag {got.tag!r}; the exercise asks for the default tag.",
                      f'leave the tag out: lab.pull("{image}") means {image}:latest')
    if lab is not None:
        try:
            have = lab.engine.inspect_image(str(got))
        except DockerLabError:
            return failed(ex, f"The engine has no {got} now (was it removed after the pull?).",
                          "run the pull cell again")
        if have.get("Id") != getattr(answer, "id", have.get("Id")):
            return failed(ex, f"{got} on the engine is not the image you pulled (it changed since).",
                          "run the pull cell again")
    return passed(ex, f"The engine has {got}.")


@exercise("nb04.default-tag", "the default tag")
def check_default_tag(answer):
    """Exercise 2: which full reference does `docker pull ubuntu` fetch? ("ubuntu:latest")."""
    ex = "Exercise 2 (the default tag)"
    if answer is ...:
        return failed(ex, "There is no answer yet.", NOT_YET)
    if not isinstance(answer, str):
        return failed(ex, f"Write the reference as text (a string), not a {type(answer).__name__}.",
                      'for example "alpine:3.20"')
    try:
        ref = parse_image(answer)
    except DockerLabError as e:
        return failed(ex, f"{answer!r} is not a valid image reference: {e.what}.", 'for example "alpine:3.20"')
    if (ref.registry, ref.repository) != ("", "ubuntu"):
        return failed(ex, f"{answer!r} names the image {ref.name!r}, not ubuntu.", "the command pulls ubuntu")
    if not ref.tag_given:
        return failed(ex, f"{answer!r} has no tag: that is what you typed, not what Docker fetches.",
                      "which tag does Docker add when you give none? (see the section on tags)")
    if ref.tag != "latest":
        return failed(ex, f"{ref.tag!r} is a real tag, but Docker does not choose it for you.",
                      "the default tag is the one named like 'the newest'")
    return passed(ex, "With no tag, Docker pulls the tag 'latest' (a name, not a promise of the newest version).")


def _host_port(url: str) -> str:
    """``http://127.0.0.1:5000/`` and ``127.0.0.1:5000`` name the same registry (http is the mirror's scheme here)."""
    u = url.strip().lower()
    u = u.split("://", 1)[1] if "://" in u else u
    return u.rstrip("/")


@exercise("nb04.mirror", "where images come from")
def check_mirror(answer, lab):
    """Exercise 3: which registry mirror does this engine use? Read it from lab.info()."""
    ex = "Exercise 3 (where images come from)"
    if answer is ...:
        return failed(ex, "There is no answer yet.", NOT_YET)
    mirrors = [m.rstrip("/") for m in ((lab.engine.info().get("RegistryConfig") or {}).get("Mirrors") or [])]
    if not mirrors:
        if answer in (None, "", "none", []):
            return passed(ex, "This engine has no mirror: it pulls from Docker Hub directly.")
        return failed(ex, "This engine has no registry mirror.", 'the answer is None (or "none")')
    if not isinstance(answer, str):
        return failed(ex, f"Write the mirror's address as text, not a {type(answer).__name__}.",
                      'look at info["RegistryConfig"]["Mirrors"]')
    if _host_port(answer) in {_host_port(m) for m in mirrors}:
        return passed(ex, f"This engine pulls through {mirrors[0]} before it asks Docker Hub.")
    return failed(ex, f"{answer!r} is not a mirror of this engine.",
                  'look at the "Registry Mirrors" line of lab.info(), or info["RegistryConfig"]["Mirrors"]')
