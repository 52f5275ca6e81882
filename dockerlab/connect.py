"""``dockerlab.connect()``: find an engine, ping it, return a :class:`~dockerlab.lab.Lab`."""
from __future__ import annotations

import os
import weakref

from . import endpoints as ep_mod
from . import errors as E
from .errors import DockerLabError, EnginePermissionDenied, EngineUnavailable


def _raise_unavailable(attempts, explicit: bool):
    lines = [f"  - {a.endpoint.url} ({a.endpoint.source}): {a.detail}" for a in attempts]
    reasons = {a.reason for a in attempts}
    if explicit:
        src = attempts[0].endpoint.source
        state = (f"{src} chose this engine, so, like the docker CLI, dockerlab tried only it:\n" + "\n".join(lines))
    else:
        state = "dockerlab tried, in the docker CLI's order:\n" + "\n".join(lines)
    if reasons == {"no-socket"} and not explicit:
        hints = ["no Docker daemon is running here. Start Docker Desktop, or 'sudo systemctl start docker'; "
                 "in this kit's repository './kit start' provisions one (Debian/Ubuntu, as root); "
                 "'dockerlab doctor' explains what it finds"]
    else:
        hints = [a.hint for a in attempts if a.hint and a.reason != "no-socket"]
        if "permission-denied" not in reasons and any(a.reason == "no-socket" for a in attempts):
            hints.append(attempts[0].hint if explicit else "is the Docker daemon running?")
    if explicit and attempts[0].endpoint.source == "DOCKER_HOST":
        hints.append("or unset DOCKER_HOST to use the default socket")
    elif explicit:
        hints.append("or 'docker context use default' to use the default socket")
    hint = "; ".join(dict.fromkeys(h for h in hints if h))
    cls = EnginePermissionDenied if "permission-denied" in reasons else EngineUnavailable
    main = next((a for a in attempts if a.reason == "permission-denied"), attempts[0])
    raise cls("No Docker engine answered" if not explicit else f"The Docker engine at {main.endpoint.url} did not answer",
              attempts=[(a.endpoint.url, a.endpoint.source, a.detail) for a in attempts],
              reason=main.reason, state=state, hint=hint)


def find_engine(timeout: float = 3.0, env=None):
    """Probe the candidates in order; return (engine backend, attempts) for the first that answers.
    ``env``: the environment to read (DOCKER_HOST, contexts...; default os.environ)."""
    from .engine.docker_engine import DockerEngine

    env = os.environ if env is None else env
    choice = env.get("DOCKERLAB_ENGINE", "").strip().lower()  # "udocker", "docker", or auto
    if choice == "udocker":
        from .engine.udocker import UdockerEngine

        return UdockerEngine(source="DOCKERLAB_ENGINE=udocker setting"), []
    cands = ep_mod.candidates(env)  # raises BadDockerHost for a malformed DOCKER_HOST or context
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
    if choice != "docker" and not explicit and all(a.reason == "no-socket" for a in attempts):
        fallback = _udocker_fallback()  # no Docker daemon at all here (Binder, a JupyterHub): daemonless
        if fallback is not None:
            return fallback, attempts
    _raise_unavailable(attempts, explicit)


def _udocker_fallback():
    """The udocker backend when it is installed (udocker + proot), else None."""
    from .engine import udocker

    if not udocker.usable()[0]:
        return None
    try:
        return udocker.UdockerEngine(source="daemonless fallback (no Docker daemon runs here)")
    except DockerLabError:
        return None


def connect(*, lesson: str = "", owner: str | None = None, show_cli: bool = True, session: str | None = None,
            timeout: float = 3.0, env=None):
    """Connect to the engine the docker CLI would use, and return the lab.

    ``lesson`` labels what this notebook creates; ``owner`` defaults to the
    learner (``DOCKERLAB_OWNER``, ``JUPYTERHUB_USER``, else the login name);
    ``show_cli`` prints each call's ``docker ...`` twin. ``env``: the environment engine
    discovery reads (DOCKER_HOST, DOCKER_CONTEXT...; default ``os.environ``): it chooses the
    engine, never the teacher's settings (those come from :mod:`dockerlab.guards`).
    """
    from . import args
    from .lab import Lab

    show_errors_briefly()  # first, so that "no engine" below also reads as a message, not a traceback
    timeout = args.seconds(timeout, allow_none=False, minimum=0.01)
    if env is not None and not hasattr(env, "get"):
        raise E.InvalidReference(f"env= is a mapping like os.environ, not {type(env).__name__}",
                                 value=repr(env)[:80], hint="leave it out to use this process's environment")
    engine, attempts = find_engine(timeout=timeout, env=env)
    try:  # owner= is the policy's to allow (dockerlab.policy.check_owner); bad arguments close the engine
        lab = Lab(engine, lesson=lesson, owner=owner, show_cli=show_cli, session=session)
    except BaseException:
        engine.close()
        raise
    from . import reaper  # containers of this learner's crashed kernels go; this session's go at exit

    lab.reaped = reaper.on_connect(lab)
    _LABS_IN_THIS_PROCESS.add(lab)
    return lab


#: The labs connect() made in this process (a kernel): an interrupt says what they left running.
_LABS_IN_THIS_PROCESS: "weakref.WeakSet" = weakref.WeakSet()


def still_running() -> list[str]:
    """The running containers of this kernel's labs (their sessions), for a word after an interrupt;
    [] when the engine does not answer at once."""
    names = []
    for lab in list(_LABS_IN_THIS_PROCESS):
        if getattr(lab, "closed", False):
            continue
        try:
            with lab.quietly(record=False):
                df = lab.ps(scope="session")
            names += [n for n in df["NAMES"] if n not in names]
        except BaseException:  # noqa: BLE001 (a second Ctrl-C, an engine gone: say nothing rather than fail)
            continue
    return sorted(names)


def interrupted_lines() -> list[str]:
    """What a cell interrupted outside the kit's own waits shows: that it stopped, and what still runs."""
    lines = ["KeyboardInterrupt: the cell stopped (Kernel > Interrupt)."]
    running = still_running()
    if running:
        lines.append(f"  Still running from this notebook: {', '.join(running)}; lab.ps() lists them, "
                     "lab.stop(name) stops one, the cleanup cell removes them.")
    lines.append("  Run the cell again to go on.")
    return lines


def show_errors_briefly() -> bool:
    """In IPython/Jupyter, show a DockerLabError as its message (what, state, hint),
    not a Python traceback through the kit's internals. ``%tb`` still shows the
    full traceback. Returns whether a handler was installed."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    if ip is None:
        return False

    def _brief(shell, etype, value, tb, tb_offset=None):
        import sys

        sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
        if not isinstance(value, DockerLabError):  # Ctrl-C in a cell, outside the kit's own waits
            lines = interrupted_lines() + ["  (%tb shows the Python traceback)"]
            shell._showtraceback(etype, value, ["\n".join(lines)])
            return
        lines = [f"{etype.__name__}: {value.what.rstrip('.')}."]
        if value.state:
            lines.append(f"  {value.state.rstrip('.')}.")
        if value.hint:
            lines.append(f"  Hint: {value.hint.rstrip('.')}.")
        lines.append("  (dockerlab's own error: %tb shows the Python traceback)")
        shell._showtraceback(etype, value, ["\n".join(lines)])  # an error output, as Jupyter expects

    ip.set_custom_exc((DockerLabError, KeyboardInterrupt), _brief)
    return True
