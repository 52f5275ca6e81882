"""A container's counters, read from the kernel's own files: what the engine's stats collector reads.

`docker stats` shows numbers the kernel keeps for each container's cgroup. When the kit runs
beside a local engine, it can read them itself, at once, instead of waiting for the engine's
one-second collector:

========================  ===============================================  ==========================================
docker stats column       cgroup v1                                        cgroup v2
========================  ===============================================  ==========================================
CPU %                     ``cpuacct/<cg>/cpuacct.usage`` (ns)              ``<cg>/cpu.stat`` usage_usec
  ... over                ``/proc/stat`` first line (the whole machine's CPU time, in 1/CLK_TCK s), online CPUs
MEM USAGE                 ``memory.usage_in_bytes`` - total_inactive_file  ``memory.current`` - inactive_file
  (of ``memory.stat``)
MEM LIMIT                 ``memory.limit_in_bytes`` (no limit: the         ``memory.max`` ("max": the machine's
                          machine's memory)                                memory)
PIDS                      ``pids/<cg>/pids.current``                       ``<cg>/pids.current``
BLOCK I/O                 ``blkio/<cg>/blkio.*io_service_bytes*``          ``<cg>/io.stat`` rbytes, wbytes
NET I/O                   ``/proc/<init pid>/net/dev`` (every interface but lo): the container's network namespace
========================  ===============================================  ==========================================

The container's cgroup is found from its init process: ``/proc/<pid>/cgroup`` names it for
every cgroup driver (cgroupfs: ``/docker/<id>``, systemd: ``/system.slice/docker-<id>.scope``,
rootless: under the user's slice), and ``/proc/self/mountinfo`` says where each hierarchy is
mounted. A path that does not name the container's id is not the container's own cgroup (a
rootless engine on cgroup v1 makes none; a PID from another machine's or namespace's view):
:class:`NotReadable` then, and the caller asks the engine. :func:`known_paths` is the fallback
when ``/proc/<pid>`` is not readable.

A sample is built in the Engine API's stats JSON shape, so the CLI's formulas
(:mod:`dockerlab.stats`) apply to it unchanged. Pure parsing functions take text; the readers
take a root directory, so unit tests run on canned file trees.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from .stats import without_cache

#: v1 controllers the stats need, and where each counter lives
V1_CONTROLLERS = ("cpuacct", "memory", "pids", "blkio")
#: block I/O files on cgroup v1, in libcontainer's order: the first with entries wins
V1_BLKIO_FILES = ("blkio.bfq.io_service_bytes_recursive", "blkio.io_service_bytes_recursive",
                  "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes")
UNLIMITED = 1 << 62  # above this a v1 memory limit means "none"


class NotReadable(Exception):
    """The container's counters cannot be read here; ``reason`` says why, in words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- pure parsing -----------------------------------------------------------------------------
def parse_proc_cgroup(text: str) -> tuple[int, dict]:
    """``/proc/<pid>/cgroup`` -> (version, {controller: path}).

    v1 lines are ``4:memory:/docker/<id>`` (``cpu,cpuacct`` when co-mounted); v2 has one line
    ``0::/path``. A hybrid host (v1 controllers plus an empty v2 tree) counts as v1: the
    counters live in the v1 hierarchies. v2's path is under the key ``""``."""
    v1, v2 = {}, None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, ctrls, path = parts
        if ctrls == "":
            v2 = path
        else:
            for c in ctrls.split(","):
                if not c.startswith("name="):
                    v1[c] = path
    if any(c in v1 for c in V1_CONTROLLERS):
        return 1, v1
    if v2 is not None:
        return 2, {"": v2}
    return 0, {}


def parse_mountinfo(text: str) -> tuple[dict, str | None]:
    """``/proc/self/mountinfo`` -> ({v1 controller: (mount point, root)}, v2 mount point or None).

    A later line mounted on the same point hides the earlier ones (a tmpfs over ``/sys/fs/cgroup``, as a
    sandbox or a container mounts it): only the last mount at each point counts."""
    last = {}
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        f, r = left.split(), right.split()
        if len(f) < 5 or len(r) < 3:
            continue
        point = _unescape(f[4])
        last.pop(point, None)  # re-inserted: the dict keeps the mounts in the order they are seen
        last[point] = (f[3], r[0], r[2])
    v1, v2 = {}, None
    for point, (root, fstype, opts) in last.items():
        if fstype == "cgroup2" and v2 is None:
            v2 = point
        elif fstype == "cgroup":
            for o in opts.split(","):
                if o in V1_CONTROLLERS or o in ("cpu",):
                    v1.setdefault(o, (point, root))
    return v1, v2


def _unescape(path: str) -> str:
    return path.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def parse_kv(text: str) -> dict:
    """``memory.stat``, ``cpu.stat``: "key value" lines -> {key: int}."""
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(" ")
        try:
            out[k] = int(v)
        except ValueError:
            continue
    return out


def kv_value(text: str, key: str) -> int | None:
    """One key of a "key value" file, without splitting the whole of it (the monitor reads often)."""
    if text.startswith(key + " "):
        start = 0
    else:
        i = text.find("\n" + key + " ")
        if i < 0:
            return None
        start = i + 1
    end = text.find("\n", start)
    try:
        return int(text[start + len(key) + 1:end if end >= 0 else None])
    except ValueError:
        return None


def parse_blkio(text: str) -> tuple[int, int] | None:
    """A v1 ``blkio.*io_service_bytes*`` file -> (read, write) bytes; None when it has no entries
    (only a "Total" line: libcontainer then tries the next file)."""
    read = write = 0
    entries = 0
    for line in text.splitlines():
        f = line.split()
        if len(f) != 3:
            continue
        entries += 1
        op = f[1].lower()
        if op == "read":
            read += int(f[2])
        elif op == "write":
            write += int(f[2])
    return (read, write) if entries else None


def parse_io_stat(text: str) -> tuple[int, int]:
    """v2 ``io.stat``: "8:0 rbytes=.. wbytes=.. rios=.." lines -> (read, write) bytes."""
    read = write = 0
    for line in text.splitlines():
        for item in line.split()[1:]:
            k, _, v = item.partition("=")
            if k == "rbytes":
                read += int(v)
            elif k == "wbytes":
                write += int(v)
    return read, write


def parse_net_dev(text: str) -> dict:
    """``/proc/<pid>/net/dev`` -> {interface: {rx_bytes, rx_packets, ..., tx_bytes, ...}}, lo left out
    (the engine counts the container's own interfaces, not its loopback)."""
    names = ["rx_bytes", "rx_packets", "rx_errors", "rx_dropped", None, None, None, None,
             "tx_bytes", "tx_packets", "tx_errors", "tx_dropped"]
    out = {}
    for line in text.splitlines()[2:]:
        iface, sep, rest = line.partition(":")
        iface = iface.strip()
        if not sep or iface == "lo":
            continue
        vals = rest.split()
        out[iface] = {k: int(v) for k, v in zip(names, vals) if k}
    return out


def parse_proc_stat_cpu(text: str, clk_tck: int = 100) -> int:
    """The machine's CPU time in ns from ``/proc/stat``'s ``cpu`` line, as the engine computes it:
    the first seven fields (user nice system idle iowait irq softirq), in 1/CLK_TCK s."""
    line = text[:text.find("\n")] if "\n" in text else text
    f = line.split()
    if not f or f[0] != "cpu":
        raise ValueError("no cpu line in /proc/stat")
    ticks = sum(int(x) for x in f[1:8])
    return ticks * 1_000_000_000 // clk_tck


def mem_total(meminfo: str) -> int:
    """``/proc/meminfo``'s MemTotal in bytes (the engine's limit for a container without one)."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


# --- where a container's cgroup is -----------------------------------------------------------
@dataclass
class Cgroup:
    """Where one container's counters are: ``dirs`` maps a counter group ("cpu", "memory",
    "pids", "blkio") to its directory; ``pid`` is the init process (its net/dev)."""

    version: int
    dirs: dict
    pid: int
    found: str  # how: "/proc/<pid>/cgroup" or "known path"
    cid: str = ""
    files: dict = field(default_factory=dict)

    def __post_init__(self):
        d = self.dirs
        if self.version == 1:
            self.files = {"cpu": os.path.join(d["cpuacct"], "cpuacct.usage"),
                          "mem": os.path.join(d["memory"], "memory.usage_in_bytes"),
                          "memstat": os.path.join(d["memory"], "memory.stat"),
                          "limit": os.path.join(d["memory"], "memory.limit_in_bytes"),
                          "pids": os.path.join(d["pids"], "pids.current") if d.get("pids") else "",
                          "blkio": d.get("blkio", "")}
        else:
            g = d[""]
            self.files = {"cpu": os.path.join(g, "cpu.stat"), "mem": os.path.join(g, "memory.current"),
                          "memstat": os.path.join(g, "memory.stat"), "limit": os.path.join(g, "memory.max"),
                          "pids": os.path.join(g, "pids.current"), "blkio": os.path.join(g, "io.stat")}


def _read(path: str) -> str:
    with open(path, "rb", buffering=0) as f:
        return f.read(1 << 16).decode()


def locate(cid: str, pid: int, *, proc: str = "/proc") -> Cgroup:
    """The container's cgroup, from its init process's ``/proc/<pid>/cgroup`` and this process's
    mount table. Raises :class:`NotReadable` (with the reason) when that is not the container's."""
    if not pid:
        raise NotReadable("the container has no process (not running)")
    try:
        text = _read(f"{proc}/{pid}/cgroup")
        mounts = _read(f"{proc}/self/mountinfo")
    except PermissionError:
        raise NotReadable(f"{proc}/{pid}/cgroup is not readable by this user") from None
    except OSError:
        raise NotReadable(f"no process {pid} on this machine (the engine runs elsewhere: a VM or a remote host)") \
            from None
    version, paths = parse_proc_cgroup(text)
    if not version:
        raise NotReadable(f"{proc}/{pid}/cgroup names no cgroup")
    if not all(cid in paths[c] for c in (("cpuacct", "memory") if version == 1 else ("",)) if c in paths):
        raise NotReadable(f"process {pid} is not in a cgroup of the container's own (the engine makes none, "
                          "as a rootless engine on cgroup v1, or the process is not the container's)")
    v1m, v2m = parse_mountinfo(mounts)
    if version == 1:
        dirs = {}
        for c in V1_CONTROLLERS:
            ctrl_path = paths.get(c)
            mount = v1m.get(c)
            if ctrl_path is None or mount is None:
                if c in ("pids", "blkio"):
                    continue  # optional: counted as 0, as the engine does without the controller
                raise NotReadable(f"the {c} cgroup hierarchy is not mounted here")
            dirs[c] = _join(mount[0], mount[1], ctrl_path)
    else:
        if v2m is None:
            raise NotReadable("the cgroup v2 hierarchy is not mounted here")
        dirs = {"": _join(v2m, "/", paths[""])}
    return readable(Cgroup(version, dirs, pid, f"{proc}/{pid}/cgroup", cid), proc=proc)


def readable(cg: Cgroup, *, proc: str = "/proc") -> Cgroup:
    """``cg`` when the files a sample needs can be read by this process, else :class:`NotReadable` saying
    which cannot: a column must never be silently 0, nor a row silently missing (the engine answers instead)."""
    for what in (cg.files["cpu"], cg.files["mem"], cg.files["memstat"], cg.files["limit"], cg.files["pids"],
                 f"{proc}/{cg.pid}/net/dev" if cg.pid else ""):
        if not what:
            continue
        try:
            _read(what)
        except PermissionError:
            raise NotReadable(f"{what} is not readable by this user") from None
        except OSError:
            raise NotReadable(f"{what} cannot be read here (this process sees another cgroup tree)") from None
    return cg


def _join(mount: str, root: str, path: str) -> str:
    """A cgroup path as seen from the mount: strip the mount's root (a cgroup namespace)."""
    if root not in ("/", "") and path.startswith(root):
        path = path[len(root):]
    return os.path.join(mount, path.lstrip("/"))


def known_paths(cid: str, pid: int = 0, *, sysfs: str = "/sys/fs/cgroup", parent: str = "") -> Cgroup:
    """The drivers' usual places (cgroupfs ``docker/<id>``, systemd ``system.slice/docker-<id>.scope``,
    or the engine's ``--cgroup-parent``). Without ``pid``, a process of the cgroup (``cgroup.procs``)
    stands in for it: they all share the container's network namespace."""
    rels = [f"{parent.strip('/')}/{cid}" if parent else f"docker/{cid}", f"system.slice/docker-{cid}.scope"]
    for rel in rels:
        v1 = {c: os.path.join(sysfs, c, rel) for c in V1_CONTROLLERS}
        if os.path.isfile(os.path.join(v1["cpuacct"], "cpuacct.usage")):
            v1 = {c: d for c, d in v1.items() if os.path.isdir(d)}
            if "memory" in v1:
                return readable(Cgroup(1, v1, pid or _first_pid(v1["memory"]), "known path", cid))
        v2 = os.path.join(sysfs, rel)
        if os.path.isfile(os.path.join(v2, "cpu.stat")):
            return readable(Cgroup(2, {"": v2}, pid or _first_pid(v2), "known path", cid))
    raise NotReadable(f"no cgroup directory for {cid[:12]} under {sysfs}")


def _first_pid(directory: str) -> int:
    """The first process listed in a cgroup (0 when none can be read)."""
    try:
        head = _read(os.path.join(directory, "cgroup.procs")).split(None, 1)
        return int(head[0]) if head else 0
    except (OSError, ValueError):
        return 0


LIMIT_EVERY = 10  # light samples between two readings of the memory limit (it changes only by `docker update`)
IDLE_MEMORY_EVERY = 5  # light samples between two readings of a sleeping container's memory


# --- reading ---------------------------------------------------------------------------------
class Reader:
    """Reads one container's counters; keeps the small files open and re-reads them from offset 0
    (the kernel regenerates them on each read), which costs a few microseconds a file."""

    def __init__(self, cg: Cgroup, *, proc: str = "/proc", meminfo_total: int | None = None):
        self.cg = cg
        self.proc = proc
        self._fds: dict[str, int] = {}
        self._machine_mem = meminfo_total
        self._blkio = None if cg.version == 1 else cg.files["blkio"]
        self._limit: int | None = None  # the memory limit, re-read every LIMIT_EVERY light samples
        self._light = 0
        self._cpu_ns, self._idle, self._mem = -1, 0, None  # light(): an idle container's memory, kept

    def _pread(self, key: str, path: str, size: int = 8192) -> str:
        fd = self._fds.get(key)
        if fd is None:
            fd = self._fds[key] = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        return os.pread(fd, size, 0).decode()

    def close(self) -> None:
        for fd in self._fds.values():
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds.clear()

    def machine_memory(self) -> int:
        if self._machine_mem is None:
            self._machine_mem = mem_total(_read(f"{self.proc}/meminfo"))
        return self._machine_mem

    def sample(self, system_ns: int, online: int, *, now: float | None = None) -> dict:
        """One sample in the Engine API's stats shape (``lab.stats()``'s table). Raises OSError when
        the cgroup is gone (the container stopped: the kernel removed its files)."""
        f, v1 = self.cg.files, self.cg.version == 1
        cpu_text = self._pread("cpu", f["cpu"])
        cpu_ns = int(cpu_text) if v1 else (kv_value(cpu_text, "usage_usec") or 0) * 1000
        usage = int(self._pread("mem", f["mem"]))
        stat = self._pread("memstat", f["memstat"], 1 << 14)
        limit = self._memory_limit(True)
        key = "total_inactive_file" if v1 else "inactive_file"
        mem_stats = {key: kv_value(stat, key) or 0}
        pids = int(self._pread("pids", f["pids"])) if f["pids"] else 0
        br, bw = self._block_io()
        networks = {}
        if self.cg.pid:
            try:
                networks = parse_net_dev(self._pread("net", f"{self.proc}/{self.cg.pid}/net/dev", 1 << 14))
            except OSError:
                networks = {}
        return {
            "read": _rfc3339(now if now is not None else time.time()),
            "id": self.cg.cid,
            "pids_stats": {"current": pids},
            "cpu_stats": {"cpu_usage": {"total_usage": cpu_ns}, "system_cpu_usage": system_ns, "online_cpus": online},
            "memory_stats": {"usage": usage, "limit": limit, "stats": mem_stats},
            "blkio_stats": {"io_service_bytes_recursive": [{"op": "read", "value": br}, {"op": "write", "value": bw}]},
            "networks": networks,
        }

    def light(self) -> tuple[int, int, int]:
        """What the monitor plots once a second, read the cheapest way (no dict, few files):
        ``(CPU time ns, memory usage as the CLI counts it, memory limit)``. The limit is re-read
        every :data:`LIMIT_EVERY` calls (`docker update` shows within that many seconds); the memory
        of a container that used no CPU time since the last call (asleep: it allocated nothing) is
        re-read every :data:`IDLE_MEMORY_EVERY` calls, and every call once it runs. Raises OSError
        when the cgroup is gone, as :meth:`sample` does (its CPU file is read every time)."""
        f, v1 = self.cg.files, self.cg.version == 1
        cpu_text = self._pread("cpu", f["cpu"])
        cpu_ns = int(cpu_text) if v1 else kv_value(cpu_text, "usage_usec") * 1000  # no number: gone (TypeError)
        self._idle = self._idle + 1 if cpu_ns == self._cpu_ns else 0
        self._cpu_ns = cpu_ns
        if self._mem is None or self._idle % IDLE_MEMORY_EVERY == 0:
            usage = int(self._pread("mem", f["mem"]))
            stat = self._pread("memstat", f["memstat"], 1 << 14)
            self._mem = without_cache(usage, kv_value(stat, "total_inactive_file" if v1 else "inactive_file") or 0)
        return cpu_ns, self._mem, self._memory_limit(False)

    def _memory_limit(self, fresh: bool) -> int:
        self._light = 0 if fresh else self._light + 1
        if self._limit is None or fresh or self._light >= LIMIT_EVERY:
            self._light = 0
            raw = self._pread("limit", self.cg.files["limit"]).strip()
            limit = UNLIMITED if raw == "max" else int(raw)
            machine = self.machine_memory()
            self._limit = machine if machine and limit > machine else limit
        return self._limit

    def _block_io(self) -> tuple[int, int]:
        f = self.cg.files
        if not f["blkio"]:
            return 0, 0
        if self.cg.version == 2:
            try:
                return parse_io_stat(self._pread("blkio", f["blkio"], 1 << 14))
            except FileNotFoundError:  # the io controller is not enabled for this cgroup
                return 0, 0
        if self._blkio is None:  # v1: the first file with entries (libcontainer's order); 0 while none has any
            for name in V1_BLKIO_FILES:
                path = os.path.join(f["blkio"], name)
                try:
                    got = parse_blkio(_read(path))
                except OSError:
                    continue
                if got is not None:
                    self._blkio = path
                    return got
            return 0, 0
        return parse_blkio(self._pread("blkio", self._blkio, 1 << 14)) or (0, 0)


class System:
    """The machine's CPU time (``/proc/stat``) and online CPUs, as the engine reads them."""

    def __init__(self, proc: str = "/proc"):
        self.proc = proc
        self.clk_tck = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._fd = None

    def cpu_ns(self) -> int:
        if self._fd is None:
            self._fd = os.open(f"{self.proc}/stat", os.O_RDONLY | os.O_CLOEXEC)
        return parse_proc_stat_cpu(os.pread(self._fd, 512, 0).decode(errors="replace"), self.clk_tck)

    @staticmethod
    def online_cpus() -> int:
        try:
            return os.sysconf("SC_NPROCESSORS_ONLN")
        except (ValueError, OSError, AttributeError):
            return os.cpu_count() or 1

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _rfc3339(t: float) -> str:
    sec = int(t)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{int((t - sec) * 1e9):09d}Z"
