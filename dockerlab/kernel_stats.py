"""The ``kernel`` stats source: containers' counters read from the kernel's files by this process.

A container's cgroup files, ``/proc/stat`` and ``/proc/<pid>/net/dev`` (:mod:`dockerlab.cgroups`),
read here when the engine runs on this machine: :class:`KernelSource` finds each container's
cgroup and reads a table (``lab.stats()``), or follows containers for the monitor's sampler
(:class:`Follow`, all of them read by one thread: :class:`_Ticker`); :func:`file_rows` lists
the files `docker stats` reads, for ``lab.stats_files()``. Which source answers is
:mod:`dockerlab.stats_sources`' choice.
"""
from __future__ import annotations

import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import cgroups
from . import stats as stats_mod

KERNEL = "kernel"
#: seconds between the two readings of a table's CPU counters (the CLI's table waits ~1 s per round)
DEFAULT_INTERVAL = 0.25
V1_THROTTLE = "blkio.throttle.io_service_bytes_recursive"

_FULL_ID = re.compile(r"[0-9a-f]{64}")


class KernelSource:
    """Reads containers' counters from the kernel's files; remembers where each container's cgroup is."""

    kind = KERNEL
    reason = "the engine runs on this machine and its containers' cgroup files are readable"

    def __init__(self, engine, *, proc: str = "/proc"):
        self.engine = engine
        self.proc = proc
        self._where: dict[str, cgroups.Cgroup] = {}  # container id -> its cgroup (checked before reuse)
        self._lock = threading.Lock()
        self.last_dirs = ""  # the cgroup directories of the last table, for the printed line
        self._ticker: _Ticker | None = None

    # --- finding a container's cgroup ---------------------------------------------------------
    def locate(self, cid: str) -> cgroups.Cgroup:
        """Where ``cid``'s counters are (raises :class:`cgroups.NotReadable` with the reason)."""
        cg = self._quick(cid)
        if cg is not None:
            return cg
        d = self.engine.inspect_container(cid)
        st = d.get("State") or {}
        cid = d.get("Id", cid)
        pid = st.get("Pid") or 0
        if not st.get("Running") or not pid:
            raise cgroups.NotReadable("the container is not running")
        try:
            cg = cgroups.locate(cid, pid, proc=self.proc)
        except cgroups.NotReadable as first:
            if os.path.exists(f"{self.proc}/{pid}"):  # the process is here but unreadable: try the usual places
                try:
                    cg = cgroups.known_paths(cid, pid, parent=(d.get("HostConfig") or {}).get("CgroupParent") or "")
                except cgroups.NotReadable:
                    raise first from None
            else:
                raise
        with self._lock:
            self._where[cid] = cg
        return cg

    def _quick(self, cid: str) -> cgroups.Cgroup | None:
        """Without asking the engine: where ``cid`` was found before, else the drivers' usual places
        (found there, a process listed in the cgroup stands in for the init PID)."""
        with self._lock:
            cg = self._where.get(cid)
        if cg is not None and self._still(cg):
            return cg
        if _FULL_ID.fullmatch(cid) and self.proc == "/proc":
            try:
                cg = cgroups.known_paths(cid)
            except cgroups.NotReadable:
                return None
            if cg.pid and self._still(cg):
                with self._lock:
                    self._where[cid] = cg
                return cg
        return None

    def forget(self) -> None:
        """Drop what is known of where containers' cgroups are (the next table finds them again)."""
        with self._lock:
            self._where.clear()

    def _still(self, cg: cgroups.Cgroup) -> bool:
        """The cgroup is (still) the container's: its process is alive and in it, and the files readable."""
        try:
            with open(f"{self.proc}/{cg.pid}/cgroup", "rb") as f:
                if cg.cid.encode() not in f.read():
                    return False
            with open(f"{self.proc}/{cg.pid}/net/dev", "rb") as f:
                f.read(1)
            return True
        except OSError:
            return False

    def _locate_all(self, ids: list[str]) -> tuple[dict, dict]:
        found, failed = {}, {}
        known = {cid: self._quick(cid) for cid in ids}
        found.update({cid: cg for cid, cg in known.items() if cg is not None})
        ids = [cid for cid, cg in known.items() if cg is None]  # these need the engine: an inspect each
        if not ids:
            return found, failed

        def one(cid):
            try:
                return cid, self.locate(cid), None
            except cgroups.NotReadable as e:
                return cid, None, e.reason
            except Exception as e:  # the engine's own errors: the caller's engine path says them
                return cid, None, str(e)

        if len(ids) == 1:
            got = [one(ids[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(len(ids), 16)) as pool:
                got = list(pool.map(one, ids))
        for cid, cg, why in got:
            if cg is not None:
                found[cid] = cg
            else:
                failed[cid] = why
        return found, failed

    # --- a table -------------------------------------------------------------------------------
    def rows(self, ids: list[str], names: dict | None = None, *, interval: float = DEFAULT_INTERVAL):
        """Rows for ``ids`` (CPU % over ``interval`` s), and {id: reason} for those not readable here."""
        found, failed = self._locate_all(ids)
        if not found:
            return [], failed
        system = cgroups.System(self.proc)
        online = system.online_cpus()
        readers = {cid: cgroups.Reader(cg, proc=self.proc) for cid, cg in found.items()}
        first, rows = {}, []
        try:
            t0 = time.monotonic()
            sys0 = system.cpu_ns()
            for cid, r in readers.items():
                try:
                    first[cid] = r.sample(sys0, online)
                except PermissionError as e:  # readable when located, not now: the engine answers for it
                    failed[cid] = f"{e.filename} is not readable by this user"
                except OSError:
                    pass  # it stopped just now: left out, as the engine path leaves it
            time.sleep(max(0.0, interval - (time.monotonic() - t0)))
            sys1 = system.cpu_ns()
            for cid, s0 in first.items():
                try:
                    s1 = readers[cid].sample(sys1, online)
                except OSError:
                    continue
                s1["name"] = (names or {}).get(cid) or cid[:12]
                rows.append(stats_mod.row(s1, pre=s0["cpu_stats"]))
        finally:
            for r in readers.values():
                r.close()
            system.close()
        self.last_dirs = describe(next(iter(found.values())))
        return rows, failed

    def line(self, interval: float | None = None) -> str:
        dirs = self.last_dirs or "/sys/fs/cgroup/..."
        return (f"(read from the kernel's cgroup files: {dirs}, /proc/stat and /proc/<pid>/net/dev; "
                f"CPU % over {interval if interval is not None else DEFAULT_INTERVAL:g} s)")

    # --- following containers (the monitor's sampler) ---------------------------------------------
    def follow(self, cid: str, on_point, on_end, *, interval: float = 1.0, stop=None) -> "Follow":
        """Read ``cid`` every ``interval`` s, all followed containers by one thread (``/proc/stat`` once a
        round): ``on_point(epoch seconds, CPU %, memory bytes, memory limit)`` each round from the second
        on (CPU % over the round, as the CLI computes it), ``on_end()`` once when the cgroup goes away
        (the container stopped). ``stop``: an Event that ends the subscription. Raises NotReadable
        when ``cid`` cannot be read here."""
        cg = self.locate(cid)
        return Follow(self.clock(interval), cg, on_point, on_end, stop)

    def clock(self, interval: float = 1.0) -> "_Ticker":
        """The one thread that reads every followed container each ``interval`` s; whatever else
        should happen once a round (the monitor's redraw) joins it with ``add_hook`` rather than
        waking a thread of its own (here a wake-up costs more than the reading it does)."""
        with self._lock:
            if self._ticker is None or not self._ticker.alive(interval):
                self._ticker = _Ticker(self.proc, interval)
            return self._ticker

    def __repr__(self) -> str:
        return f"<stats source kernel: {len(self._where)} containers located>"


class Follow:
    """One followed container; it looks like the thread it replaces (start, is_alive, join)."""

    def __init__(self, ticker: "_Ticker", cg: cgroups.Cgroup, on_point, on_end, stop=None):
        self.ticker, self.cg, self.on_point, self.on_end = ticker, cg, on_point, on_end
        self.stop = stop
        self.reader = None
        self.pre = (0, 0)  # the previous round's (container CPU ns, system CPU ns)
        self.t_pre = 0.0
        self.done = threading.Event()
        self.lock = threading.RLock()  # a read and a cancel from another thread never overlap

    def start(self) -> None:
        self.reader = cgroups.Reader(self.cg, proc=self.ticker.proc)
        try:
            self.pre = (self.reader.light()[0], self.ticker.system_ns())
        except (OSError, ValueError):
            self.reader.close()
            self.done.set()
            self.on_end()
            return
        self.t_pre = time.monotonic()
        self.ticker.add(self)

    def is_alive(self) -> bool:
        return self.reader is not None and not self.done.is_set()

    def join(self, timeout: float | None = None) -> None:
        if self.stop is not None and self.stop.is_set():
            self.cancel()
        self.done.wait(timeout)

    def cancel(self) -> None:
        self.ticker.remove(self)
        with self.lock:
            if self.reader is not None:
                self.reader.close()
            self.done.set()


class _Ticker:
    """One thread reading every followed container each ``interval`` seconds."""

    def __init__(self, proc: str, interval: float):
        self.proc, self.interval = proc, interval
        self.online = cgroups.System.online_cpus()
        self._subs: list[Follow] = []
        self._hooks: list = []  # called after each round, in this thread (it runs while there are any)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def alive(self, interval: float) -> bool:
        return self.interval == interval and (self._thread is None or self._thread.is_alive())

    def add(self, f: Follow) -> None:
        with self._lock:
            self._subs.append(f)
            self._running()

    def remove(self, f: Follow) -> None:
        with self._lock:
            if f in self._subs:
                self._subs.remove(f)

    def add_hook(self, fn) -> None:
        """Call ``fn()`` after every round (also with no container to read), until removed."""
        with self._lock:
            self._hooks.append(fn)
            self._running()

    def remove_hook(self, fn) -> None:
        with self._lock:
            if fn in self._hooks:
                self._hooks.remove(fn)

    def _running(self) -> None:  # under the lock
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="dockerlab-kernel-stats", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        tick = time.monotonic()
        while True:
            tick += self.interval
            time.sleep(max(0.0, tick - time.monotonic()))
            with self._lock:
                subs, hooks = list(self._subs), list(self._hooks)
                if not subs and not hooks:
                    self._thread = None
                    return
            if subs:
                self.round(subs)
            for fn in hooks:
                try:
                    fn()
                except Exception:  # a hook's own errors are its to show; the round goes on
                    pass

    def system_ns(self) -> int:
        """The system's CPU time for CPU %'s denominator: the time elapsed on each online CPU, from
        the clock. It is what the sum of ``/proc/stat``'s first line counts (user, system, idle,
        steal...: every state), at 10 ms resolution there and 1 ns here; the kernel builds all of
        /proc/stat (every interrupt's counter) on each read, which costs more than this whole
        round's other reads. ``lab.stats()``'s table reads /proc/stat, as the engine does."""
        return time.monotonic_ns() * self.online

    def round(self, subs: list) -> None:
        """One reading of every followed container."""
        system_ns = self.system_ns()
        now, mono, online = time.time(), time.monotonic(), self.online
        for f in subs:
            if f.stop is not None and f.stop.is_set():
                f.cancel()
                continue
            with f.lock:
                if f.done.is_set():
                    continue
                try:
                    cpu_ns, mem, limit = f.reader.light()
                except (OSError, ValueError, TypeError):  # its cgroup is gone: the container stopped
                    cpu_ns = None
                    f.cancel()
            if cpu_ns is None:
                f.on_end()
                continue
            if mono - f.t_pre < self.interval / 2:  # a round just after the first reading: too short
                continue
            try:
                f.on_point(now, stats_mod.cpu_percent_of(cpu_ns, f.pre[0], system_ns, f.pre[1], online), mem, limit)
            except Exception:  # a consumer's bug must not stop the others' lines
                pass
            f.pre, f.t_pre = (cpu_ns, system_ns), mono


def describe(cg: cgroups.Cgroup) -> str:
    """The cgroup directories, the id written ``<id>``: "/sys/fs/cgroup/{cpuacct,memory,pids,blkio}/docker/<id>"."""
    vals = [v.replace(cg.cid, "<id>") for v in cg.dirs.values() if v] if cg.cid else list(cg.dirs.values())
    if len(set(vals)) == 1:
        return vals[0]
    pre = os.path.commonprefix(vals)
    pre = pre[:pre.rfind("/") + 1]
    suf = os.path.commonprefix([v[::-1] for v in vals])[::-1]
    suf = suf[suf.find("/"):] if "/" in suf else ""
    mids = [v[len(pre):len(v) - len(suf)] for v in vals]
    if all(mids) and all("/" not in m for m in mids):
        return f"{pre}{{{','.join(mids)}}}{suf}"
    return ", ".join(vals)


def file_rows(cg: cgroups.Cgroup, proc: str) -> list[tuple[str, str, str]]:
    f, v1 = cg.files, cg.version == 1
    read = lambda p: cgroups._read(p).strip()  # noqa: E731
    line = read(f"{proc}/{cg.pid}/cgroup").splitlines()
    mine = next((x for x in line if (":memory:" in x if v1 else x.startswith("0::"))), line[0] if line else "")
    stat = read(f"{proc}/stat").splitlines()[0].split()
    rows = [(f"{proc}/{cg.pid}/cgroup", mine.split(":", 1)[1] if ":" in mine else mine,
             "where: the cgroup of its first process")]
    cpu = read(f["cpu"])
    rows.append((f["cpu"], cpu if v1 else f"usage_usec {cgroups.kv_value(cpu + chr(10), 'usage_usec')}",
                 "CPU %: CPU time used so far, in " + ("ns" if v1 else "µs")))
    rows.append((f"{proc}/stat", " ".join(stat[:8]), "CPU %: the machine's CPU time, in 1/100 s"))
    rows.append(("(online CPUs)", str(cgroups.System.online_cpus()), "CPU %: 100 % is one whole CPU"))
    key = "total_inactive_file" if v1 else "inactive_file"
    stat_text = read(f["memstat"]) + "\n"
    rows.append((f["mem"], read(f["mem"]), "MEM USAGE: memory charged, in bytes"))
    rows.append((f["memstat"], f"{key} {cgroups.kv_value(stat_text, key)}",
                 "MEM USAGE is usage minus this (idle cache)"))
    limit = read(f["limit"])
    no_limit = limit == "max" or int(limit) > cgroups.UNLIMITED
    rows.append((f["limit"], limit, "MEM LIMIT: none, so the machine's memory" if no_limit
                 else "MEM LIMIT (--memory), in bytes"))
    if f["pids"]:
        rows.append((f["pids"], read(f["pids"]), "PIDS: processes and threads now"))
    if f["blkio"]:
        r = cgroups.Reader(cg, proc=proc)
        try:
            br, bw = r._block_io()
            where = r._blkio or (f["blkio"] if not v1 else os.path.join(f["blkio"], V1_THROTTLE))
        finally:
            r.close()
        rows.append((where, f"read {br}, write {bw}", "BLOCK I/O: bytes read and written"))
    net = cgroups.parse_net_dev(read(f"{proc}/{cg.pid}/net/dev"))
    rows.append((f"{proc}/{cg.pid}/net/dev",
                 ", ".join(f"{i}: rx {d['rx_bytes']}, tx {d['tx_bytes']}" for i, d in sorted(net.items()))
                 or "lo only: no network", "NET I/O: bytes in and out (lo left out)"))
    return rows


def cgroup_root(cg: cgroups.Cgroup) -> str:
    """The directory every one of the container's cgroup directories is under ("/sys/fs/cgroup/")."""
    vals = [v for v in cg.dirs.values() if v]
    pre = os.path.commonprefix(vals)
    if cg.cid and cg.cid in pre:
        pre = pre[:pre.index(cg.cid)]
    if cg.version == 2 or len(vals) == 1:
        pre = os.path.dirname(os.path.dirname(vals[0])) if vals else ""
    return pre[:pre.rfind("/") + 1] if "/" in pre else ""
