"""Learners' container names on a shared engine, qualified as Compose qualifies its own.

On one engine shared by a class, every learner's notebook asks for ``nb05-web``; names are
unique on an engine, so all but the first would meet a ``NameConflict``. Compose solves the
same problem by prefixing each container with its project (``myproj-web-1``). Here the
prefix is the learner: ``nb05-web`` becomes ``alice-nb05-web``. The CLI twin prints the real
name (``docker run --name alice-nb05-web``), the tables show it, and a learner who asks for
``nb05-web`` gets their own.

When it is on:

- ``DOCKERLAB_QUALIFY_NAMES=1`` / ``0``: on / off, whatever the engine;
- otherwise on for a hub user (``JUPYTERHUB_USER`` set) on an engine that is not rootless
  (a shared engine); off for a learner on a laptop, or on an engine of their own (a rootless
  engine per learner), so the notebooks' stored outputs keep their plain names.

The gate (:meth:`dockerlab.gate.Gate.new_name`) applies it. These are names, not a security boundary: on a shared engine anyone who reaches the socket
can see and remove every container. An engine per learner is the boundary.
"""
from __future__ import annotations

import os
import re

from . import errors as E

_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]+")


def prefix(owner: str) -> str:
    """The learner's prefix, made of the characters a container name may use."""
    clean = _UNSAFE.sub("-", owner).strip("-._") or "learner"
    return clean + "-"


def qualify(name: str, owner: str) -> str:
    """``nb05-web`` -> ``alice-nb05-web`` (a name that already carries the prefix is left as it is)."""
    p = prefix(owner)
    return name if name.startswith(p) else p + name


def unqualify(name: str, owner: str) -> str:
    """``alice-nb05-web`` -> ``nb05-web``; another learner's or a plain name is returned as it is."""
    p = prefix(owner)
    return name[len(p):] if name.startswith(p) and len(name) > len(p) else name


def decide(env=None, engine_info=None) -> bool:
    """Whether names are qualified (see the module's docstring). ``engine_info``: a callable
    returning ``docker info`` (asked only when the decision needs it)."""
    env = os.environ if env is None else env
    forced = env.get("DOCKERLAB_QUALIFY_NAMES", "").strip().lower()
    if forced in ("1", "true", "yes", "on"):
        return True
    if forced in ("0", "false", "no", "off"):
        return False
    if not env.get("JUPYTERHUB_USER"):
        return False
    try:
        info = engine_info() if engine_info else {}
    except E.DockerLabError:
        return True
    return not is_rootless(info)


def is_rootless(info: dict) -> bool:
    return any("rootless" in str(o) for o in (info or {}).get("SecurityOptions") or [])
