"""What every check shares: the :class:`Ctx` it reads and writes, and the :func:`check` declaration.

A check is a function ``ctx -> Check`` declared with what it needs::

    @check("Engine version", group="Engine", needs=("engine",))
    def _check_versions(ctx): ...

- ``needs``: facts that must be there; when one is missing (its provider failed or
  was skipped) the runner does not call the check and reports it as skipped,
  "not checked: <why>", the why being the provider's.
- ``uses``: facts read when they are there; the check runs after their provider
  either way (``Docker Desktop`` says something else when no engine answered).
- ``provides``: ``{fact: why}``, the facts a check puts in the ``Ctx`` when it
  passes or warns, and the why its dependents show when it does not.
- ``option``: ``(ctx attribute, text)``: when the option is off the check is
  skipped with that text, before its needs are looked at (``--no-smoke``).
- ``unmet``: the skip text when a need is missing (``{why}`` is filled in).

The runner (:mod:`dockerlab.doctor.runner`) orders the checks by these
declarations; nothing depends on the order of the functions in the files.
"""
from __future__ import annotations

import os
import pwd
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

DISCOVERY_VARS = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
                  "XDG_RUNTIME_DIR", "HOME", "PATH")


@dataclass(frozen=True)
class CheckSpec:
    """One declared check: its name and group (as the report shows them), its function and its facts."""

    name: str
    group: str
    run: Callable
    needs: tuple = ()
    uses: tuple = ()
    provides: dict = field(default_factory=dict)  # fact -> why dependents are skipped when it is missing
    option: tuple | None = None  # (ctx attribute, skip text when it is false)
    unmet: str = "not checked: {why}"
    unmet_data: dict = field(default_factory=dict)


#: Every check declared with :func:`check`, in the order the modules declare them.
DECLARED: list[CheckSpec] = []


def check(name: str, *, group: str, needs=(), uses=(), provides=None, option=None,
          unmet: str = "not checked: {why}", unmet_data=None):
    """Declare a check (see the module's docstring); the function itself is returned unchanged."""

    def declare(fn):
        DECLARED.append(CheckSpec(name, group, fn, tuple(needs), tuple(uses), dict(provides or {}),
                                  tuple(option) if option else None, unmet, dict(unmet_data or {})))
        return fn

    return declare


class Ctx:
    """What the checks share: inputs, and facts found on the way."""

    def __init__(self, env, os_release, proc_version, container_markers, timeout, *, smoke: bool = True,
                 smoke_image: str | None = None, online: bool = True, for_others: bool = False):
        self.env = dict(os.environ if env is None else env)
        self.injected_env = env is not None
        self.os_release_path = str(os_release)
        self.proc_version = proc_version
        self.container_markers = container_markers
        self.timeout = timeout
        self.smoke = smoke
        self.smoke_image = smoke_image
        self.online = online
        self.for_others = for_others  # checks for whoever sets up this machine for other users
        self.os = {}
        self.lab = None  # the fact "engine": lab, info, version, endpoint
        self.info = {}
        self.endpoint = None
        self.attempts = []  # the fact "endpoints"
        self.wsl = ""
        self.version = {}
        self.cli_version = ""


def discovery_env(ctx) -> dict | None:
    """The environment engine discovery reads: the one injected into the doctor, else the process's
    (passed to :func:`dockerlab.endpoints.candidates` and ``connect(env=...)``; os.environ is never swapped)."""
    return ctx.env if ctx.injected_env else None


def read(path) -> str | None:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return None


def whoami() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"
