"""The docker CLI's stats formulas (docker/cli ``cli/command/container/stats_helpers.go``),
as pure functions over the engine's stats JSON, for cgroup v1 and v2."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatsRow:
    """One container's numbers, as `docker stats` shows them (numbers, not strings)."""

    id: str
    name: str
    cpu_percent: float
    mem_usage: int  # bytes, cache excluded as the CLI does
    mem_limit: int
    mem_percent: float
    net_rx: int
    net_tx: int
    block_read: int
    block_write: int
    pids: int
    read: str = ""  # the engine's timestamp of the sample


def cpu_percent(sample: dict, pre: dict | None = None) -> float:
    """CPU %: container delta over system delta, times online CPUs, times 100.

    ``pre`` is an earlier sample's ``cpu_stats`` (a client-kept sample); by
    default the sample's own ``precpu_stats``. 0.0 unless both deltas are > 0.
    """
    cpu = sample.get("cpu_stats") or {}
    pre = pre if pre is not None else (sample.get("precpu_stats") or {})
    usage = (cpu.get("cpu_usage") or {}).get("total_usage", 0) or 0
    pre_usage = (pre.get("cpu_usage") or {}).get("total_usage", 0) or 0
    system = cpu.get("system_cpu_usage", 0) or 0
    pre_system = pre.get("system_cpu_usage", 0) or 0
    online = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or []) or 0
    return cpu_percent_of(usage, pre_usage, system, pre_system, online)


def memory_usage(sample: dict) -> int:
    """Usage minus the inactive file cache (``total_inactive_file`` on cgroup v1,
    ``inactive_file`` on v2), when that is smaller than the usage."""
    mem = sample.get("memory_stats") or {}
    usage = mem.get("usage", 0) or 0
    st = mem.get("stats") or {}
    if "total_inactive_file" in st:  # cgroup v1
        cache = st["total_inactive_file"]
    else:  # cgroup v2
        cache = st.get("inactive_file", 0)
    return without_cache(usage, cache or 0)


def without_cache(usage: int, cache: int) -> int:
    """The CLI's memory usage: the cgroup's usage less its inactive file cache, when that is smaller."""
    return usage - cache if cache < usage else usage


def cpu_percent_of(cpu_ns: int, pre_cpu_ns: int, system_ns: int, pre_system_ns: int, online: int) -> float:
    """The CLI's CPU % from the four counters: the container's CPU time delta over the system's,
    times the online CPUs, times 100 (0.0 unless both deltas are > 0)."""
    cpu_delta, system_delta = cpu_ns - pre_cpu_ns, system_ns - pre_system_ns
    if cpu_delta > 0 and system_delta > 0 and pre_system_ns > 0:
        return cpu_delta / system_delta * online * 100.0
    return 0.0


def memory_percent(sample: dict) -> float:
    limit = (sample.get("memory_stats") or {}).get("limit", 0) or 0
    return memory_usage(sample) / limit * 100.0 if limit else 0.0


def network_io(sample: dict) -> tuple[int, int]:
    rx = tx = 0
    for iface in (sample.get("networks") or {}).values():
        rx += iface.get("rx_bytes", 0) or 0
        tx += iface.get("tx_bytes", 0) or 0
    return rx, tx


def block_io(sample: dict) -> tuple[int, int]:
    read = write = 0
    for entry in ((sample.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []):
        op = (entry.get("op") or "").lower()
        if op == "read":
            read += entry.get("value", 0) or 0
        elif op == "write":
            write += entry.get("value", 0) or 0
    return read, write


def row(sample: dict, pre: dict | None = None) -> StatsRow:
    rx, tx = network_io(sample)
    br, bw = block_io(sample)
    return StatsRow(
        id=(sample.get("id") or "")[:12],
        name=(sample.get("name") or "").lstrip("/"),
        cpu_percent=cpu_percent(sample, pre),
        mem_usage=memory_usage(sample),
        mem_limit=(sample.get("memory_stats") or {}).get("limit", 0) or 0,
        mem_percent=memory_percent(sample),
        net_rx=rx,
        net_tx=tx,
        block_read=br,
        block_write=bw,
        pids=(sample.get("pids_stats") or {}).get("current", 0) or 0,
        read=sample.get("read") or "",
    )


#: The kernel's CFS period for ``--cpus`` (docker sets ``cpu.cfs_period_us`` / ``cpu.max`` to 100 ms).
CFS_PERIOD_S = 0.1


def quota_ceiling(cpus: float, seconds: float, period: float = CFS_PERIOD_S) -> float:
    """The most CPU % a window of ``seconds`` can read for a container limited to ``cpus``.

    The kernel gives ``cpus x period`` of CPU time per period. A window that does not start and
    end on a period's edge can hold one period's quota more than ``seconds`` worth, so
    a reading is at most ``cpus x 100 x (1 + period / seconds)``: 52.5 % for ``--cpus 0.5`` over
    2 s, 70 % over 0.25 s. Over a long time the average is at most ``cpus x 100``."""
    if not (cpus > 0 and seconds > 0 and period > 0):
        raise ValueError(f"cpus, seconds and period must be positive, not {cpus!r}, {seconds!r}, {period!r}")
    return cpus * 100 * (1 + period / seconds)
