"""The live stats sampler behind the monitor widget (like a `docker stats` that keeps a history).

One long-lived stats stream per container: the engine sends a sample about
once a second on each stream, and CPU % comes from two consecutive samples
(:func:`dockerlab.stats.row` with the previous sample's ``cpu_stats``), exactly
as the docker CLI computes it. Each stream is read by a thread of its own.
An event follower (the engine's events API) opens a stream when a followed
container starts and notes when one stops or is removed: nothing polls, and
no stream is re-opened on a timer.

    s = Sampler(lab, ["busy", "idle"]).start()
    ...
    s.frame()          # time, name, cpu %, mem MiB, mem % (a pandas DataFrame)
    s.to_csv("stats.csv")
    s.status           # {"busy": "running", "idle": "removed"}
    s.stop()

Samples are kept in a bounded buffer per container (``maxlen`` samples each,
an hour at 1 Hz by default), so a sampler left running does not grow forever:
:mod:`dockerlab.sample_store` keeps them, with the statuses and the notes.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from . import errors as E
from . import labels as labels_mod
from . import stats as stats_mod
from . import stats_sources
from .engine.events import Event
from .results import row_name
from .sample_store import COLUMNS, MISSING, REMOVED, RUNNING, STOPPED, SampleStore  # noqa: F401 (COLUMNS: as before)

log = logging.getLogger(__name__)


def _parse_read(stamp: str) -> float | None:
    """The engine's sample time (RFC 3339 with nanoseconds) as epoch seconds."""
    if not stamp or stamp.startswith("0001-"):
        return None
    try:
        s = stamp.rstrip("Z")
        if "." in s:
            head, frac = s.split(".", 1)
            s = f"{head}.{frac[:6]}"
        return datetime.fromisoformat(s + "+00:00").timestamp()
    except ValueError:
        return None


def _is_empty(sample: dict) -> bool:
    """A stopped container's stream goes on with empty samples (read 0001-01-01)."""
    return (sample.get("read") or "").startswith("0001-") or not sample.get("memory_stats")


class Sampler:
    """Follows containers' resource use with one stats stream each.

    ``containers``: names (or ids) to follow; ``None`` follows every running
    container of ``scope`` ("session": this lab's, "mine": the learner's) and
    those that start later. ``maxlen``: samples kept per container.
    """

    def __init__(self, lab, containers=None, *, scope: str = "mine", maxlen: int = 3600):
        if scope not in ("session", "mine"):
            raise E.InvalidReference(f"Unknown scope {scope!r} for the sampler", value=str(scope),
                                     hint="'session' (this notebook's containers) or 'mine' (all yours)")
        if isinstance(containers, str):
            containers = [containers]
        if containers is not None and not all(isinstance(c, str) and c for c in containers):
            raise E.InvalidReference("Containers to follow are given by name", value=repr(containers),
                                     hint="for example Sampler(lab, ['web', 'worker'])")
        if not isinstance(maxlen, int) or maxlen < 2:
            raise E.InvalidReference(f"maxlen must be a whole number of samples (at least 2), not {maxlen!r}",
                                     value=repr(maxlen))
        self.lab = lab
        self.engine = lab.engine
        self.chosen = list(dict.fromkeys(containers)) if containers is not None else None
        self.scope = scope
        self.maxlen = maxlen
        self._lock = threading.Lock()  # the streams and the event follower (the samples: the store's own)
        self.store = SampleStore(maxlen)  # the samples, the statuses and the notes
        self._names: dict[str, str] = {}  # container id -> name
        self._streams: dict[str, threading.Thread] = {}  # id -> thread reading its stats stream
        self._open_streams: dict[str, object] = {}  # id -> its stats stream, while open (stop() closes them)
        self._stop = threading.Event()
        self._events = None
        self._events_thread: threading.Thread | None = None
        self._failures_said: set[str] = set()  # the follower's failures, each said once however often it restarts
        self.started = False
        self.source = stats_sources.choose(self.engine)  # the kernel's files, the Engine API, or psutil
        self.sources: dict[str, str] = {}  # name -> the source its samples come from

    # --- public -------------------------------------------------------------
    def start(self) -> "Sampler":
        """Open the event follower, then a stats stream per running followed container."""
        if self.started:
            return self
        self.started = True
        self._stop.clear()
        self._open_events()
        if self._events is not None:
            self._events_thread = threading.Thread(target=self._follow_events, name="dockerlab-events", daemon=True)
            self._events_thread.start()
        self._open_running()
        return self

    def _open_events(self) -> None:
        """Follow the engine's container events from now on (a start opens a stream)."""
        flt = {"type": ["container"], "event": ["start", "die", "oom", "destroy", "rename"]}
        if self.chosen is not None:
            flt["container"] = list(self.chosen)
        else:
            flt["label"] = self._label_filter()
        since = int(time.time())
        try:
            events = self.engine.events_stream(since=since, filters=flt)  # the contract: closable
        except E.DockerLabError as e:
            self.store.note(f"cannot follow the engine's events ({e.what}); containers started later are not picked up")
            self._events = None
            return
        with self._lock:  # a stop() meanwhile: this stream is not kept open behind its back
            if not self._stop.is_set():
                self._events = events
                return
        _close(events)

    def _open_running(self) -> None:
        """A stats stream for each followed container that runs now."""
        if self.chosen is not None:
            for ref in self.chosen:
                try:
                    d = self.engine.inspect_container(ref)
                except E.ContainerNotFound:
                    self.store.set_status(ref, MISSING, f"no container named {ref!r}: nothing to sample")
                    continue
                except (E.NotOwned, E.InvalidReference) as e:  # the policy: not one of yours
                    self.store.set_status(ref, MISSING, f"{ref}: nothing to sample ({e.what})")
                    continue
                name = (d.get("Name") or ref).lstrip("/")
                self._names[d["Id"]] = name
                if (d.get("State") or {}).get("Status") == "running":
                    self._open(d["Id"], name)
                else:
                    self.store.set_status(name, STOPPED, f"{name} is not running: its line starts when it starts")
        else:
            for c in self.engine.containers(filters={"label": self._label_filter()}):
                name = row_name(c)
                self._names[c["Id"]] = name
                self._open(c["Id"], name)

    def stop(self, timeout: float = 3.0) -> None:
        """Close the event follower; each stats thread ends at its next sample (within a second)."""
        self._stop.set()
        with self._lock:
            opened = [self._events] + list(self._open_streams.values())
            self._events = None
        for stream in opened:  # every stream it opened: a blocked read ends at once
            _close(stream)
        deadline = time.time() + timeout
        threads = list(self._streams.values()) + ([self._events_thread] if self._events_thread else [])
        for t in threads:
            if getattr(t, "ident", 0) is None:  # made by _open, not started yet: it sees the stop when it starts
                continue
            t.join(max(0.0, deadline - time.time()))
        self.started = False

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def status(self) -> dict:
        """name -> "running", "stopped", "removed" or "not found"."""
        return self.store.status

    @property
    def names(self) -> list[str]:
        """The containers seen so far, sorted (each has a line in the monitor)."""
        return self.store.names

    @property
    def notes(self) -> list[str]:
        """What happened, in order, in words: "busy stopped", "idle was removed"."""
        return self.store.notes

    @property
    def version(self) -> int:
        """Grows with every new sample or status change."""
        return self.store.version

    @property
    def active_streams(self) -> int:
        return sum(1 for t in list(self._streams.values()) if t.is_alive())

    def series(self, name: str, since: float | None = None) -> list[tuple]:
        """The samples kept for one container: (epoch seconds, cpu %, mem MiB, mem %), oldest first;
        with ``since``, only those taken at or after it (read from the newest end: cheap for a plot window)."""
        return self.store.series(name, since)

    def snapshot(self, since: float, newer: dict | None = None) -> tuple[dict, dict, int]:
        """What a redraw needs, under one lock (:meth:`SampleStore.snapshot`)."""
        return self.store.snapshot(since, newer)

    def frame(self, since: float | None = None):
        """All kept samples as a DataFrame: time (UTC), name, cpu %, mem MiB, mem %."""
        return self.store.frame(since)

    def to_csv(self, path=None) -> str:
        """The samples as CSV text; written to ``path`` too when one is given."""
        text = self.frame().to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    def __repr__(self) -> str:
        what = ", ".join(self.chosen) if self.chosen is not None else f"scope={self.scope!r}"
        return f"<Sampler {what}: {'running' if self.started else 'stopped'}>"

    # --- internals -------------------------------------------------------------
    def _label_filter(self) -> list[str]:
        if self.scope == "session":
            return labels_mod.label_filter(owner=self.lab.owner, session=self.lab.session)
        return labels_mod.label_filter(owner=self.lab.owner)

    def _open(self, cid: str, name: str) -> None:
        """Start the thread reading ``cid``'s stats stream, unless one is already reading it."""
        with self._lock:
            if self._stop.is_set():
                return
            t = self._streams.get(cid)
            # restarted within a second of stopping: the old stream reads on, and it runs again
            fresh = t is None or not t.is_alive()
            if fresh:
                self.store.line(name)
                t = self._reader(cid, name)
                self._streams[cid] = t
            if fresh:  # started under the lock: stop() joins only threads that run
                t.start()
        self.store.set_status(name, RUNNING)

    def _read_stats(self, cid: str, name: str) -> None:
        stream = None
        ended = "end"
        prev = None
        try:
            stream = self.engine.stats(cid, stream=True)
            with self._lock:
                if self._stop.is_set():
                    return
                self._open_streams[cid] = stream
            for sample in stream:
                if self._stop.is_set():
                    ended = "stop"
                    break
                if _is_empty(sample):
                    ended = "stopped"
                    break
                cpu_stats = sample.get("cpu_stats") or {}
                if prev is not None:  # CPU % needs two samples of this stream
                    self._add(name, sample, prev)
                prev = cpu_stats
        except E.ContainerNotFound:
            ended = "removed"
        except E.EngineUnavailable:
            return  # the engine went away: the event follower says so once, and reopens the streams
        except E.DockerLabError as e:
            ended = "error"
            if not self._stop.is_set():
                self.store.note(f"{name}: stats stopped ({e.what})")
        finally:
            with self._lock:
                if self._open_streams.get(cid) is stream:
                    del self._open_streams[cid]
            _close(stream)
        if ended == "stop" or self._stop.is_set():
            return
        self._settle(cid, name, ended, had_samples=prev is not None)

    def _reader(self, cid: str, name: str):
        """What reads ``cid``'s samples, once a second: the kernel's files when they are here (one
        thread reads every followed container), else a thread on the engine's stats stream."""
        if self.source.kind == stats_sources.KERNEL:
            try:
                point = self.store.point
                sub = self.source.follow(cid, lambda t, cpu, mem, limit: point(name, t, cpu, mem, limit),
                                         lambda: self._kernel_ended(cid, name), stop=self._stop)
                self.sources[name] = stats_sources.KERNEL
                return sub
            except (stats_sources.cgroups.NotReadable, OSError):
                pass
        self.sources[name] = stats_sources.PSUTIL if self.source.kind == stats_sources.PSUTIL else stats_sources.ENGINE
        return threading.Thread(target=self._read_stats, args=(cid, name), name=f"dockerlab-stats-{name}", daemon=True)

    def _add(self, name: str, sample: dict, pre: dict, t: float | None = None) -> None:
        """One point of a line: CPU % against the previous sample's ``cpu_stats``, memory as the CLI counts it."""
        cpu = stats_mod.cpu_percent(sample, pre)
        t = t or _parse_read(sample.get("read", "")) or time.time()
        mem = stats_mod.memory_usage(sample)
        self.store.point(name, t, cpu, mem, (sample.get("memory_stats") or {}).get("limit") or 0)

    def _kernel_ended(self, cid: str, name: str) -> None:
        """The container's cgroup went away (it stopped): find out, off the reading thread."""
        if not self._stop.is_set():
            threading.Thread(target=self._settle, args=(cid, name, "end"), daemon=True).start()

    def _settle(self, cid: str, name: str, ended: str, had_samples: bool = True) -> None:
        """A stream ended on its own: find out whether the container stopped or went away."""
        if ended == "removed":
            self.store.set_status(name, REMOVED, f"{name} was removed: its line ends here")
            return
        try:
            d = self.engine.inspect_container(cid)
        except E.ContainerNotFound:
            self.store.set_status(name, REMOVED, f"{name} was removed: its line ends here")
            return
        except E.DockerLabError:
            return
        st = d.get("State") or {}
        if st.get("Status") == "running" and had_samples:  # restarted between the empty sample and now
            self._open(cid, name)
        elif st.get("Status") != "running":
            self.store.set_status(name, STOPPED, f"{name} stopped (exit code {st.get('ExitCode')}): waiting for it to start again")

    def _follow_events(self) -> None:
        """Read events until stopped; when the stream ends by itself the engine went away: wait for
        it, say so once, and pick up again when it is back."""
        while not self._stop.is_set():
            self._read_events()
            if self._stop.is_set() or not self._wait_for_engine():
                return

    def _wait_for_engine(self) -> bool:
        try:
            self.engine.ping()
            lost = False  # the stream ended but the engine answers (a restarted stream): just go on
        except E.DockerLabError:
            lost = True
            self.store.note("the engine stopped answering: the lines pause and go on when it is back")
        while lost and not self._stop.wait(1.0):
            try:
                self.engine.ping()
                lost = False
            except E.DockerLabError:
                continue
            self.store.note("the engine answers again: sampling goes on")
        if self._stop.wait(0.5):  # a pause, so a stream that keeps breaking is not reopened in a tight loop
            return False
        self._open_events()
        try:
            self._open_running()
        except E.DockerLabError:
            pass
        return self._events is not None

    def _still_running(self, cid: str) -> bool:
        try:
            return ((self.engine.inspect_container(cid).get("State") or {}).get("Status")) == "running"
        except E.DockerLabError:
            return False

    def _read_events(self) -> None:
        """Follow the events until the stream ends: closed by stop(), or broken (the engine went away)."""
        events = self._events
        if events is None:  # stop() took it meanwhile
            return
        try:
            for raw in events:  # a closed stream ends (ClosableStream: StopIteration)
                if self._stop.is_set():
                    break
                ev = Event.of(raw)  # Docker 29's fields first (no top-level status/id/from there)
                action, cid, attrs = ev.action, ev.id, ev.attributes
                name = ev.name or self._names.get(cid) or cid[:12]
                if action == "rename":
                    old = (attrs.get("oldName") or "").lstrip("/")
                    self._names[cid] = name
                    self.store.note(f"{old or cid[:12]} was renamed {name}")
                    continue
                if self.chosen is not None and name not in self.chosen and cid not in self.chosen \
                        and self._names.get(cid) not in self.chosen:
                    continue
                self._names[cid] = name
                if action == "start":
                    if not self._still_running(cid):  # `since` is whole seconds: a start of this second's
                        continue  # head (a `docker run true` just before) comes after the container ended
                    if self.status.get(name) in (STOPPED, MISSING):
                        self.store.note(f"{name} started")
                    self._open(cid, name)
                elif action == "oom":
                    self.store.note_oom(name)
                elif action == "die":
                    code = attrs.get("exitCode", "?")
                    self.store.set_status(name, STOPPED, f"{name} stopped (exit code {code}): waiting for it to start again")
                elif action == "destroy":
                    self.store.set_status(name, REMOVED, f"{name} was removed: its line ends here")
        except E.DockerLabError as e:  # the stream broke: the engine went away (_follow_events waits for it)
            log.debug("the events stream ended: %s", e)
        except Exception as e:  # not an engine's answer: a bug of ours, or a stream closed under a read
            if self._stop.is_set():
                return
            log.exception("the sampler's event follower failed")
            text = f"following the engine's events failed ({type(e).__name__}: {e}): starting again"
            with self._lock:  # said once, not again each time it starts again (other notes may come between)
                first = text not in self._failures_said
                self._failures_said.add(text)
            if first:
                self.store.note(text)


def _close(stream) -> None:
    """Close an engine stream, whatever it is (a closable stream, a generator) and whoever reads it."""
    close = getattr(stream, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # a generator being read by another thread cannot be closed from here
            pass
