"""``dockerlab.connect()``: find an engine, ping it, return a :class:`~dockerlab.lab.Lab`."""
from __future__ import annotations

from . import endpoints as ep_mod
from .errors import DockerLabError, EnginePermissionDenied, EngineUnavailable


def _raise_unavailable(attempts, explicit: bool):
    lines = [f"  - {a.endpoint.url} ({a.endpoint.source}): {a.detail}" for a in attempts]
    reasons = {a.reason for a in attempts}
    if explicit:
        src = attempts[0].endpoint.source
        state = (f"{src} chose this engine, so, like the docker CLI, dockerlab tried only it:\n" + "\n".join(lines))
    else:
        state = "dockerlab tried, in the docker CLI's order:\n" + "\n".join(lines)
    hints = [a.hint for a in attempts if a.hint]
    if explicit and attempts[0].endpoint.source == "DOCKER_HOST":
        hints.append("or unset DOCKER_HOST to use the default socket")
    elif explicit:
        hints.append("or 'docker context use default' to use the default socket")
    if reasons == {"no-socket"}:
        hints = ["no Docker daemon is running here. Start Docker Desktop, or 'sudo systemctl start docker'; "
                 "in this kit's repository './kit start' provisions one (Debian/Ubuntu, as root); "
                 "'dockerlab doctor' explains what it finds"]
    hint = "; ".join(dict.fromkeys(h for h in hints if h))
    cls = EnginePermissionDenied if "permission-denied" in reasons else EngineUnavailable
    main = next((a for a in attempts if a.reason == "permission-denied"), attempts[0])
    raise cls("No Docker engine answered" if not explicit else f"The Docker engine at {main.endpoint.url} did not answer",
              attempts=[(a.endpoint.url, a.endpoint.source, a.detail) for a in attempts],
              reason=main.reason, state=state, hint=hint)


def find_engine(timeout: float = 3.0):
    """Probe the candidates in order; return (engine backend, attempts) for the first that answers."""
    from .engine.docker_engine import DockerEngine

    cands = ep_mod.candidates()  # raises BadDockerHost for a malformed DOCKER_HOST or context
    explicit = len(cands) == 1 and cands[0].source != "default socket"
    attempts = []
    for cand in cands:
        a = ep_mod.probe(cand, timeout=timeout)
        if a.reason == "ok":
            try:
                return DockerEngine(cand), attempts + [a]
            except DockerLabError as e:
                a = ep_mod.Attempt(cand, "error", f"it accepted a connection but did not answer as a Docker engine ({e.what})")
        attempts.append(a)
    _raise_unavailable(attempts, explicit)


def connect(*, lesson: str = "", owner: str | None = None, show_cli: bool = True, session: str | None = None,
            timeout: float = 3.0):
    """Connect to the engine the docker CLI would use, and return the lab.

    ``lesson`` labels what this notebook creates; ``owner`` defaults to the
    learner (``DOCKERLAB_OWNER``, ``JUPYTERHUB_USER``, else the login name);
    ``show_cli`` prints each call's ``docker ...`` twin.
    """
    from .lab import Lab

    engine, attempts = find_engine(timeout=timeout)
    return Lab(engine, lesson=lesson, owner=owner, show_cli=show_cli, session=session)
