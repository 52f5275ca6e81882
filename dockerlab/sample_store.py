"""What the live stats sampler keeps: each container's samples, its status and the notes, under one lock.

The sampler's readers (a thread per stats stream, the kernel source's one thread, the event
follower) write here; the monitor's redraw and the learner's ``frame()`` / ``to_csv()`` read
from here. Samples are kept in a bounded buffer per container (``maxlen`` samples each), so a
sampler left running does not grow forever.
"""
from __future__ import annotations

import bisect
import itertools
import operator
import threading
import time
from collections import deque

COLUMNS = ["time", "name", "cpu %", "mem MiB", "mem %"]

#: What ``status`` says about a followed container.
RUNNING, STOPPED, REMOVED, MISSING = "running", "stopped", "removed", "not found"


class SampleStore:
    """Per container: its samples ``(epoch s, cpu %, mem MiB, mem %)``, oldest first, and its status;
    the notes (what happened, in words), in order."""

    def __init__(self, maxlen: int):
        self.maxlen = maxlen
        self.lock = threading.Lock()
        self._buffers: dict[str, deque] = {}  # name -> (t, cpu %, mem MiB, mem %)
        self._status: dict[str, str] = {}
        self._notes: list[tuple[float, str]] = []
        self.version = 0  # grows with every new sample or status change (the monitor redraws on change)
        self._shape = 0  # grows when a name or a status is new: the redraw's sorted view is made again
        self._view, self._view_at = ({}, []), -1

    # --- written by the readers --------------------------------------------------------------
    def line(self, name: str) -> None:
        """Make sure ``name`` has a buffer (its line shows from now on, before its first sample)."""
        with self.lock:
            if name not in self._buffers:
                self._buffers[name] = deque(maxlen=self.maxlen)
                self._shape += 1

    def point(self, name: str, t: float, cpu: float, mem: int, limit: int) -> None:
        """One sample: CPU %, memory in bytes and its limit (0: none known)."""
        with self.lock:
            buf = self._buffers.get(name)
            if buf is None:
                buf = self._buffers[name] = deque(maxlen=self.maxlen)
                self._shape += 1
            buf.append((t, cpu, mem / 2**20, mem / limit * 100.0 if limit else 0.0))
            self.version += 1

    def set_status(self, name: str, status: str, note: str | None = None) -> None:
        """``name``'s status now; ``note`` is kept when the status changed."""
        with self.lock:
            changed = self._status.get(name) != status
            self._status[name] = status
            self._shape += changed
            if changed and note:
                self._notes.append((time.time(), note))
            self.version += 1

    def note(self, text: str) -> None:
        with self.lock:
            self._notes.append((time.time(), text))
            self.version += 1

    def note_oom(self, name: str) -> None:
        """The engine sends an "oom" event per kill; one container's burst makes one note that counts."""
        text = f"{name} ran out of memory: the kernel killed a process at its --memory limit"
        with self.lock:
            last = self._notes[-1][1] if self._notes else ""
            if last == text or last.startswith(text + " ("):
                n = int(last[len(text) + 2:].split()[0]) + 1 if last != text else 2
                self._notes[-1] = (time.time(), f"{text} ({n} times)")
            else:
                self._notes.append((time.time(), text))
            self.version += 1

    # --- read by the monitor and the learner -----------------------------------------------------
    @property
    def status(self) -> dict:
        """name -> its status, sorted by name."""
        with self.lock:
            return self._sorted_status()

    @property
    def names(self) -> list[str]:
        """The containers seen so far, sorted."""
        with self.lock:
            return self._sorted_names()

    def _sorted_status(self) -> dict:  # under the lock
        return dict(sorted(self._status.items()))

    def _sorted_names(self) -> list[str]:  # under the lock
        return sorted(set(self._buffers) | set(self._status))

    @property
    def notes(self) -> list[str]:
        with self.lock:
            return [text for _, text in self._notes]

    def series(self, name: str, since: float | None = None) -> list[tuple]:
        """The samples kept for one container, oldest first; with ``since``, only those taken at or after it."""
        with self.lock:
            buf = self._buffers.get(name, ())
            return list(buf) if since is None else _since(buf, since)

    def snapshot(self, since: float, newer: dict | None = None) -> tuple[dict, dict, int]:
        """What a redraw needs, under one lock: the statuses (sorted by name), each container's
        samples taken at or after ``since`` (as :meth:`series`) and, for a name in ``newer``
        (name -> time), only those taken after that time: the ones a redraw has not seen yet;
        and how many notes there are."""
        newer, buffers = newer or {}, self._buffers
        with self.lock:
            if self._view_at != self._shape:  # names and statuses sorted once per change, not per redraw
                self._view, self._view_at = (self._sorted_status(), self._sorted_names()), self._shape
            statuses, names = self._view
            data = {name: _since(buffers.get(name, ()), since, newer.get(name)) for name in names}
            return dict(statuses), data, len(self._notes)

    def frame(self, since: float | None = None):
        """All kept samples as a DataFrame: time (UTC), name, cpu %, mem MiB, mem %."""
        import pandas as pd

        with self.lock:
            rows = [(t, name, cpu, mem, pct) for name, buf in self._buffers.items() for (t, cpu, mem, pct) in buf
                    if since is None or t >= since]
        df = pd.DataFrame(rows, columns=COLUMNS)
        df["time"] = pd.to_datetime(df["time"], unit="s", utc=True)
        df = df.sort_values(["time", "name"], kind="stable").reset_index(drop=True)
        df["cpu %"] = df["cpu %"].round(2)
        df["mem MiB"] = df["mem MiB"].round(2)
        df["mem %"] = df["mem %"].round(2)
        return df


_TIME = operator.itemgetter(0)  # a sample's time: (epoch s, cpu %, mem MiB, mem %)


def _since(buf, since: float, after: float | None = None) -> list:
    """The samples of ``buf`` (oldest first, so sorted by time) taken at or after ``since``, and
    after ``after`` if given. A few new ones are taken by index from the newest end (a deque's
    slice would walk from its oldest)."""
    n = len(buf)
    if after is not None and n and buf[max(0, n - 64)][0] <= after:  # a few new ones: walk back from the newest
        start = n
        while buf[start - 1][0] > after:
            start -= 1
        if start == n or buf[start][0] >= since:
            return [buf[i] for i in range(start, n)]
    start = bisect.bisect_left(buf, since, key=_TIME)
    if after is not None:
        start = max(start, bisect.bisect_right(buf, after, key=_TIME))
    return [buf[i] for i in range(start, n)] if n - start < 64 else list(itertools.islice(buf, start, None))
