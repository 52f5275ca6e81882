"""Cleanup that survives a crashed kernel.

Every container the kit creates carries its session's kernel process id and
host name (``org.dockerlab.session.pid`` / ``.session.host``, see
:mod:`dockerlab.labels`). Two things remove what a session leaves behind:

- :func:`register_atexit`: when the kernel exits normally (shut down,
  restarted), its session's containers are removed;
- :func:`reap_stale`, run by ``dockerlab.connect()``: a kernel that crashed or
  was killed runs no ``atexit`` hook, so the next connect of the same learner
  removes the containers of that learner's sessions whose kernel process is
  gone (on this host: the process no longer exists, or its pid was reused by a
  process started after the container was created).

Never someone else's: only containers labelled with this learner's owner,
made on this host (a pid means nothing on another machine), and never the
current session's. ``DOCKERLAB_REAP=0`` turns both off.
"""
from __future__ import annotations

import atexit
import json
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import labels
from .errors import DockerLabError
from .results import row_name

#: (endpoint, owner, session) of each atexit hook armed. Per process on purpose: atexit hooks are
#: this process's, so a second connect() of the same session (a notebook's cells re-run) must not
#: arm a second one; a forked child inherits the set, and its hooks skip themselves (_at_exit).
_ATEXIT_ARMED_IN_THIS_PROCESS: set = set()
_lock = threading.Lock()


@dataclass
class Reaped:
    """What a reap removed: container names, by the gone session they belonged to."""

    removed: list = field(default_factory=list)
    sessions: dict = field(default_factory=dict)  # session -> pid
    failed: list = field(default_factory=list)  # (name, reason)

    def __bool__(self) -> bool:
        return bool(self.removed)

    def __repr__(self) -> str:
        if not self.removed:
            return "Nothing left by a gone kernel."
        gone = ", ".join(f"{s} (pid {p})" for s, p in sorted(self.sessions.items()))
        return f"Removed {len(self.removed)} container(s) left by kernels that are gone ({gone}): " + ", ".join(self.removed)


def enabled() -> bool:
    return os.environ.get("DOCKERLAB_REAP", "1").strip().lower() not in ("0", "false", "no", "off")


def process_gone(pid: int, created: float | None = None) -> bool:
    """True when no process ``pid`` runs here, or it started after ``created`` (a reused pid)."""
    import psutil

    if pid <= 0:
        return False  # not a pid we can judge: leave it
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return True
        if created is not None and proc.create_time() > created + 1.0:
            return True  # the pid was reused by a younger process
        return False
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False  # cannot tell (access denied): assume alive


def stale_containers(engine, owner: str, *, current_session: str, host: str | None = None) -> list[dict]:
    """The learner's kit containers whose session's kernel process is gone (list entries of the engine)."""
    host = host or socket.gethostname()
    found = []
    for c in engine.containers(all=True, filters={"label": labels.label_filter(owner=owner)}):
        lab = c.get("Labels") or {}
        if lab.get(labels.OWNER) != owner or lab.get(labels.MANAGED) != "true":
            continue  # belt and braces: the filter already says so
        if lab.get(labels.SESSION) == current_session or lab.get(labels.SESSION_HOST) != host:
            continue
        try:
            pid = int(lab.get(labels.SESSION_PID, ""))
        except ValueError:
            continue  # no pid label: not ours to judge
        if pid == os.getpid():
            continue
        if process_gone(pid, c.get("Created")):
            found.append(c)
    return found


def reap_stale(engine, owner: str, *, current_session: str, host: str | None = None) -> Reaped:
    """Remove the containers :func:`stale_containers` finds; errors are reported, not raised."""
    report = Reaped()
    if not enabled():
        return report
    try:
        stale = stale_containers(engine, owner, current_session=current_session, host=host)
    except DockerLabError as e:
        report.failed.append(("*", e.what))
        return report
    for c in stale:
        lab = c.get("Labels") or {}
        name = row_name(c)
        try:
            engine.remove(c["Id"], force=True)
            report.removed.append(name)
            report.sessions[lab.get(labels.SESSION, "?")] = lab.get(labels.SESSION_PID, "?")
        except DockerLabError as e:
            if "No such container" not in e.what:  # gone meanwhile: fine
                report.failed.append((name, e.what))
    return report


def reap_session(engine, owner: str, session: str, *, note: bool = False) -> list[str]:
    """Remove this session's containers (what the atexit hook does, with ``note=True``: the names go to
    :func:`exits_file`, by lesson, for the next kernel of that lesson to say what went)."""
    removed, by_lesson = [], {}
    flt = {"label": labels.label_filter(owner=owner, session=session)}
    for c in engine.containers(all=True, filters=flt):
        try:
            engine.remove(c["Id"], force=True)
            removed.append(row_name(c))
            by_lesson.setdefault((c.get("Labels") or {}).get(labels.LESSON, ""), []).append(row_name(c))
        except DockerLabError:
            pass
    if note and by_lesson:
        _note_exit(owner, by_lesson)
    return removed


def exits_file() -> Path:
    """Where a kernel's exit notes what it removed (beside the learner's progress file)."""
    from . import tracking

    return tracking.path().parent / "kernel-exits.json"


def _note_exit(owner: str, by_lesson: dict) -> None:
    try:
        path = exits_file()
        data = json.loads(path.read_text()) if path.exists() else {}
        for lesson, names in by_lesson.items():
            data[f"{owner}/{lesson}"] = sorted(set(data.get(f"{owner}/{lesson}", [])) | set(names))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True))
    except (OSError, ValueError):  # at exit: nothing to do about a file that cannot be written
        pass


def removed_at_last_exit(owner: str, lesson: str) -> list[str]:
    """What the last kernel of this lesson removed when it stopped (a restart, a shut-down), said once:
    the note is dropped as it is read."""
    if not lesson:
        return []
    try:
        path = exits_file()
        data = json.loads(path.read_text())
        names = data.pop(f"{owner}/{lesson}", [])
        if names:
            path.write_text(json.dumps(data, indent=1, sort_keys=True))
        return list(names)
    except (OSError, ValueError):
        return []


def register_atexit(engine, owner: str, session: str) -> bool:
    """Remove this session's containers when the process exits normally (once per engine/owner/session)."""
    key = (engine.endpoint.url, owner, session)
    with _lock:
        if key in _ATEXIT_ARMED_IN_THIS_PROCESS or not enabled():
            return False
        _ATEXIT_ARMED_IN_THIS_PROCESS.add(key)
    me = os.getpid()

    def _at_exit():
        if os.getpid() != me or not enabled():  # a forked child: not its session to end
            return
        try:
            reap_session(engine, owner, session, note=True)
        except Exception:  # the engine may be gone at exit: nothing to do, nothing to print
            pass

    atexit.register(_at_exit)
    return True


def on_connect(lab) -> Reaped:
    """What ``dockerlab.connect()`` runs: reap gone kernels' containers, then arm the atexit hook."""
    # the kit's own housekeeping, on the learner's own containers only (selected by their owner label),
    # through the lab's gate (lab.engine, which prints no CLI twin at connect and at exit)
    report = reap_stale(lab.engine, lab.owner, current_session=lab.session)
    register_atexit(lab.engine, lab.owner, lab.session)
    gone = removed_at_last_exit(lab.owner, lab.lesson)
    if gone:
        lab.note(f"(when this notebook's last kernel stopped (a restart, or a shut-down) it removed what it had "
                  f"made: {', '.join(gone)}; run the cells that made them again to go on)")
    return report
