"""What every part of the Lab stands on: its gate, its CLI twin, and who it is.

The Lab's API areas (:mod:`.images`, :mod:`.run`, :mod:`.containers`, :mod:`.tables`,
:mod:`.cleanup`, :mod:`.rest`, :mod:`.build`, :mod:`.web`, :mod:`.volumes`) are mixins of
:class:`LabBase`, as docker-py cuts its ``APIClient``; each reaches the engine only through
``self._gate`` (:class:`dockerlab.gate.Gate`), and prints only through :meth:`LabBase._twin` and
:meth:`LabBase._say`.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import re
import sys
import threading
import time

from .. import args as A
from .. import errors as E
from .. import labels
from ..gate import Gate
from ..results import Info

#: Where this thread's lab calls print (None: standard output; False: nowhere). A widget's
#: callback says ``with lab.quietly():`` and shows the command itself; the Lab is never copied.
_OUTPUT: contextvars.ContextVar = contextvars.ContextVar("dockerlab_output", default=None)
#: Whether this thread's lab calls add their twins to ``lab.history`` (a widget's auto-refresh does not,
#: so it never pushes the learner's own commands out of it).
_RECORD: contextvars.ContextVar = contextvars.ContextVar("dockerlab_record", default=True)


class LabBase:
    """The lab's state: the gate (owner, policy, engine), the lesson and session, the twin's history."""

    _gate: Gate

    def __init__(self, engine, *, lesson: str = "", owner: str | None = None, show_cli: bool = True,
                 session: str | None = None, out=None):
        if not isinstance(lesson, str) or len(lesson) > 200 or "\x00" in lesson:
            raise E.InvalidReference(f"lesson= is a short text, not {lesson!r}"[:120], value=repr(lesson)[:80],
                                     hint="for example lesson='05-run'")
        if session is not None and (not isinstance(session, str) or not session.isalnum() or len(session) > 64):
            raise E.InvalidReference(f"session= is a short word of letters and digits, not {session!r}"[:120],
                                     value=repr(session)[:80], hint="leave it out: each kernel gets its own")
        gate = engine if isinstance(engine, Gate) and owner is None else Gate(engine, owner=owner)
        self._gate = gate
        self.lesson = lesson
        self.session = session or labels.SESSION_ID
        self.show_cli = A.flag(show_cli, "show_cli")
        self.history: list[str] = []  # every CLI twin this lab ran, in order
        # names lab.cleanup() removed, shared by this learner's labs in this kernel (a cleanup cell may connect
        # anew): a widget or an error then says "removed by cleanup" instead of only "no such container"
        self.cleaned: set[str] = gate.cleaned
        self._made: set[str] = set()  # names this lab created (a conflict with one of them is a real conflict)
        self._born = time.time()  # only a container made before this moment can be a leftover
        self._out = out
        self._version = gate.version()
        self._lock = threading.Lock()
        self._cwd = os.getcwd()  # the working folder at connect time: a default bind-mount root
        self._said_labels = False
        self._said_no_limits = False
        self._said_default_limits = False  # the first twin with the teacher's default limits shows them
        self._ncpu_cache: int | None | bool = False  # False: not asked yet
        self.closed = False

    @property
    def owner(self) -> str:
        """Whose containers these are (read-only: set once, by the gate, when the lab is made)."""
        return self._gate.owner

    @property
    def engine(self):
        """The engine, as this learner may reach it: every container it names resolved by the gate."""
        return self._gate.view()

    def close(self) -> None:
        """Close the connection to the engine (the containers stay; the session's go at exit)."""
        if not self.closed:
            self.closed = True
            self._gate.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False

    # --- who we are ------------------------------------------------------------
    def can(self, feature: str) -> bool:
        """Whether the engine can do ``feature`` ("limits", "stats", "exec", "events", "pause", ...):
        udocker (Binder) cannot limit resources, for one. The engine's ``features`` are the truth."""
        from ..engine.contract import FEATURES

        return feature in FEATURES and self._gate.can(feature)  # a name no engine has: no

    @property
    def engine_name(self) -> str:
        comps = [c.get("Name", "") for c in self._version.get("Components") or []]
        if any("podman" in c.lower() for c in comps):
            return "Podman"
        return {"docker": "Docker Engine"}.get(self._gate.kind, self._gate.kind)

    @property
    def server_version(self) -> str:
        return self._version.get("Version", "?")

    @property
    def api_version(self) -> str:
        return self._gate.api_version

    @property
    def endpoint(self):
        return self._gate.endpoint

    def __repr__(self) -> str:
        cannot = self._gate.cannot  # a daemonless engine says what it cannot do
        return (f"<dockerlab.Lab: {self.engine_name} {self.server_version} (API {self.api_version}) "
                f"at {self.endpoint.url} via the {self.endpoint.source}" + (f"; {cannot}" if cannot else "") + ">")

    def _need(self, feature: str, what: str | None = None, *, hint: str = "", state: str = "") -> None:
        """Raise the engine's NotAvailableOnEngine unless it has ``feature``."""
        self._gate.need(feature, what or f"{feature}", hint=hint, state=state)

    # --- the CLI twin, and where it prints --------------------------------------------
    def quietly(self, *, record: bool = True):
        """``with lab.quietly():`` the lab's calls in this thread print nothing (their twins still go
        to ``lab.history``, unless ``record=False``): what a widget's callback uses, showing the
        command itself."""
        return _speaking_to(False, record)

    def _target(self):
        here = _OUTPUT.get()
        if here is False or not self.show_cli:
            return None
        return here or self._out or sys.stdout

    def _twin(self, cmd: str) -> str:
        if _RECORD.get():
            with self._lock:
                self.history.append(cmd)
        out = self._target()
        if out is not None:
            print("$ " + cmd, file=out)
        return cmd

    def _say(self, text: str) -> None:
        out = self._target()
        if out is not None:
            print(text, file=out)

    def _tell(self, text: str) -> None:
        """Said even with ``show_cli=False`` (a container the kit removed for you), unless quietly."""
        here = _OUTPUT.get()
        if here is not False:
            print(text, file=here or self._out or sys.stdout)

    def note(self, text: str) -> None:
        """A line of the kit's own about what happened around the learner's calls (the reaper's, at
        connect), said as :meth:`_tell` says it."""
        self._tell(text)

    # --- docker info / version ----------------------------------------------------
    def info(self) -> Info:
        """`docker info`: the engine's facts."""
        self._twin("docker info")
        return Info(self._gate.info())

    def version(self) -> dict:
        """`docker version`: the server's versions (the client here is dockerlab)."""
        self._twin("docker version")
        return dict(self._gate.version())

    def _ncpu(self) -> int | None:
        if self._ncpu_cache is False:
            try:
                self._ncpu_cache = int(self._gate.info().get("NCPU") or 0) or None
            except E.DockerLabError:
                self._ncpu_cache = None
        return self._ncpu_cache

    def api_calls(self):
        """A context manager that records the Engine API requests made inside it."""
        return _ApiTrace(self._gate)


@contextlib.contextmanager
def _speaking_to(target, record: bool = True):
    token, kept = _OUTPUT.set(target), _RECORD.set(record)
    try:
        yield
    finally:
        _OUTPUT.reset(token)
        _RECORD.reset(kept)


class _ApiTrace:
    def __init__(self, gate):
        self._log, self._lock = gate.api_trace()
        self.calls: list[tuple[str, str, int]] = []

    def __enter__(self):
        with self._lock:  # the engine's response hook appends from other threads
            self._log.clear()
        return self

    def __exit__(self, *exc):
        with self._lock:
            self.calls = list(self._log)
        return False

    def frame(self):
        import pandas as pd

        rows = [{"METHOD": m, "PATH": _strip_version(p), "STATUS": s} for m, p, s in self.calls]
        return pd.DataFrame(rows, columns=["METHOD", "PATH", "STATUS"])


def _strip_version(path: str) -> str:
    path = re.sub(r"^/v\d+\.\d+", "", path)
    return re.sub(r"[0-9a-f]{64}", "<id>", path)
