"""The kit's labels, like testcontainers' ``core/labels.py``.

Every container the kit creates goes through :func:`make_labels`; cleanup and
the tables find the kit's containers by these labels, never by name.
"""
from __future__ import annotations

import os
import socket
import uuid

NAMESPACE = "org.dockerlab"
MANAGED = f"{NAMESPACE}.managed"
SESSION = f"{NAMESPACE}.session"
OWNER = f"{NAMESPACE}.owner"
LESSON = f"{NAMESPACE}.lesson"
SESSION_PID = f"{NAMESPACE}.session.pid"
SESSION_HOST = f"{NAMESPACE}.session.host"
STANDIN = f"{NAMESPACE}.standin"
#: Compose's own labels on what it makes (lesson 14): the project, and the service of a container
COMPOSE_PROJECT = "com.docker.compose.project"
COMPOSE_SERVICE = "com.docker.compose.service"

#: One id per Python process: a kernel is a session.
SESSION_ID = uuid.uuid4().hex[:12]


def default_owner(env=None) -> str:
    """The learner: ``DOCKERLAB_OWNER``, JupyterHub's ``JUPYTERHUB_USER``, else the login name, read
    from the environment the process started with (``guards.START_ENV``): setting
    ``os.environ["DOCKERLAB_OWNER"]`` in a running kernel does not make you someone else."""
    if env is None:
        from .startenv import START_ENV as env
    for var in ("DOCKERLAB_OWNER", "JUPYTERHUB_USER"):
        if env.get(var):
            return env[var]
    import getpass  # here: it loads termios, which nothing else at import needs

    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (some containers): fall back to the uid
        return f"uid{os.getuid()}"


def make_labels(*, owner: str, session: str = SESSION_ID, lesson: str = "", extra: dict | None = None) -> dict:
    """The labels for one new container. User labels may not use the kit's namespace."""
    extra = dict(extra or {})
    reserved = sorted(k for k in extra if k.startswith(NAMESPACE + "."))
    if reserved:
        from .errors import InvalidReference

        raise InvalidReference(
            f"The label {reserved[0]!r} is in the kit's reserved namespace {NAMESPACE}",
            value=reserved[0],
            hint="use your own label names; the kit sets its own labels itself",
        )
    labels = {
        **extra,
        MANAGED: "true",
        SESSION: session,
        OWNER: owner,
        SESSION_PID: str(os.getpid()),
        SESSION_HOST: socket.gethostname(),
    }
    if lesson:
        labels[LESSON] = lesson
    return labels


def label_filter(*, owner: str | None = None, session: str | None = None) -> list[str]:
    """The engine's ``label=`` filters selecting the kit's containers."""
    filters = [f"{MANAGED}=true"]
    if owner is not None:
        filters.append(f"{OWNER}={owner}")
    if session is not None:
        filters.append(f"{SESSION}={session}")
    return filters


def is_managed(labels: dict | None) -> bool:
    return (labels or {}).get(MANAGED) == "true"

