"""Checks for 04-info-and-pull: a learner's answer in, a Verdict out (never an exception)."""
from __future__ import annotations

from ..errors import DockerLabError
from ..refs import parse_image
from . import blank, compare_count, exercise, failed, no_answer, passed, predict, predicting

NOT_YET = "replace the ... with your answer, then run the cell again"

# each check's verdict names it by its key, as show_solution() and progress() do
PULL = "nb04.pull"
DEFAULT_TAG = "nb04.default-tag"
MIRROR = "nb04.mirror"


@exercise(PULL, "pull busybox")
def check_pull(answer, lab=None, *, image: str = "busybox"):
    """Exercise 1: ``answer = lab.pull("busybox")``; the engine now has busybox:latest."""
    ex = PULL
    if blank(answer):
        return no_answer(ex, "There is no answer yet.", NOT_YET)
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


@exercise(DEFAULT_TAG, "the default tag")
def check_default_tag(answer):
    """Exercise 2: which full reference does `docker pull ubuntu` fetch? ("ubuntu:latest")."""
    ex = DEFAULT_TAG
    if blank(answer):
        return no_answer(ex, "There is no answer yet.", NOT_YET)
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


_PORTS = {"http": 80, "https": 443}


def _endpoint(url: str):
    """``http://127.0.0.1:5000/`` -> ("http", "127.0.0.1", 5000, ""); a bare ``host:port`` has no scheme (None).
    None when it is not an address at all."""
    from urllib.parse import urlsplit

    u = url.strip()
    if not u or any(c.isspace() for c in u):
        return None
    has_scheme = "://" in u
    try:
        parts = urlsplit(u if has_scheme else "//" + u)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower() if has_scheme else None
    if not parts.hostname or (scheme is not None and scheme not in _PORTS):
        return None
    return scheme, parts.hostname.lower(), port or _PORTS.get(scheme or "", None), parts.path.rstrip("/")


def _same_mirror(answer: str, mirror: str) -> tuple[bool, str]:
    """Whether ``answer`` names ``mirror``: the same host and port, the same scheme when one is given."""
    a, m = _endpoint(answer), _endpoint(mirror)
    if a is None or m is None:
        return False, ""
    if a[3]:
        return False, f"{a[3]!r} is a path; a mirror is a registry's address, with no path"
    if a[1:3] == m[1:3] or (a[2] is None and a[1] == m[1] and a[0] is None):
        if a[0] is not None and a[0] != m[0]:
            return False, f"the mirror speaks {m[0]}, not {a[0]}: {a[0]}:// would not reach it"
        return a[2] is not None or m[2] in (None, 80, 443), "the mirror's port is part of its address"
    return False, ""


@exercise(MIRROR, "where images come from")
def check_mirror(answer, lab):
    """Exercise 3: which registry mirror does this engine use? Read it from lab.info()."""
    ex = MIRROR
    if blank(answer):
        return no_answer(ex, "There is no answer yet.", NOT_YET)
    mirrors = [m.rstrip("/") for m in ((lab.engine.info().get("RegistryConfig") or {}).get("Mirrors") or [])]
    if not mirrors:
        if answer is None or (isinstance(answer, str) and answer.strip().lower() in ("none", "no mirror")) or answer == []:
            return passed(ex, "This engine has no mirror: it pulls from Docker Hub directly.")
        return failed(ex, "This engine has no registry mirror.", 'the answer is None (or "none")')
    if not isinstance(answer, str):
        return failed(ex, f"Write the mirror's address as text, not a {type(answer).__name__}.",
                      'look at info["RegistryConfig"]["Mirrors"]')
    why = ""
    for m in mirrors:
        same, reason = _same_mirror(answer, m)
        if same:
            return passed(ex, f"This engine pulls through {m} before it asks Docker Hub.")
        why = why or reason
    if why:
        return failed(ex, f"{answer!r} is not a mirror of this engine: {why}.",
                      'copy the address from info["RegistryConfig"]["Mirrors"], scheme and port too')
    return failed(ex, f"{answer!r} is not a mirror of this engine.",
                  'look at the "Registry Mirrors" line of lab.info(), or info["RegistryConfig"]["Mirrors"]')


PREDICT_PULL = "nb04.predict-pull"

#: what the engine says about a layer it downloads (one it already has says "Already exists")
_FETCHED = ("Downloading", "Verifying Checksum", "Download complete", "Extracting", "Pull complete")


def compare_pull_layers(guess, downloaded: int):
    """A prediction of how many layers `docker pull docker.io/library/alpine:latest` downloads, on an engine
    that has alpine: right when it is the number the engine downloaded."""
    return compare_count(guess, downloaded, "layers", _why_pulled, _pull_hint)


def _why_pulled(downloaded: int) -> str:
    if downloaded == 0:
        return ("docker.io/library/alpine:latest is how Docker reads plain `alpine`: the image the engine already "
                "has. It compared the digest, said 'Image is up to date', and downloaded nothing.")
    return "The engine did not have alpine (any more), so it downloaded its layers."


def _pull_hint(said: int, downloaded: int) -> str:
    if downloaded == 0:
        return ("Docker fills in docker.io/library/ and :latest when you write plain `alpine`: is this another "
                "image, or the one you pulled above?")
    return (f"the engine did not have alpine any more (was it removed?), so it downloaded its {downloaded} "
            "layer(s); run the cell again: now the engine has it")


@predicting(PREDICT_PULL, "predict: a second pull")
def predict_pull_layers(lab, prediction, ref: str = "docker.io/library/alpine:latest"):
    """Predict, then run: how many layers will `docker pull docker.io/library/alpine:latest` download?"""

    def action():
        events = []
        lab.pull(ref, progress=events.append)
        return len({e.layer for e in events if e.layer and not e.starts and e.status.startswith(_FETCHED)})

    return predict(PREDICT_PULL, prediction, action, compare_pull_layers, owner=getattr(lab, "owner", None))
