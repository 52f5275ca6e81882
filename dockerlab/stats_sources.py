"""Where ``lab.stats()`` and the monitor get their numbers, and which source answered.

Three sources, chosen per engine (and per container: one that cannot be read falls back):

* ``kernel``: the container's cgroup files, ``/proc/stat`` and ``/proc/<pid>/net/dev``
  (:mod:`dockerlab.cgroups`), read by this process when the engine runs on this machine and
  its files are readable here. What the engine's collector reads, without waiting for it:
  a first table in :data:`DEFAULT_INTERVAL` seconds, CPU % over that interval.
* ``engine``: the Engine API's stats (``GET /containers/<id>/stats``): a remote engine (tcp://,
  ssh://), Docker Desktop's or podman's VM, a rootless engine on cgroup v1 (no cgroup of its
  own per container), files this user may not read. CPU % over the engine's one-second rounds.
* ``psutil``: udocker (no daemon, no cgroups): the backend sums its processes with psutil.

The kernel's files are read by :mod:`dockerlab.kernel_stats`; this module chooses the source.
The CLI's formulas (:mod:`dockerlab.stats`) apply to every source: the kernel's counters are
put in the Engine API's JSON shape. ``DOCKERLAB_STATS_SOURCE=engine`` (or ``kernel``) forces one.
"""
from __future__ import annotations

import os
import threading
import weakref

from . import cgroups
from .kernel_stats import DEFAULT_INTERVAL, KERNEL, KernelSource, cgroup_root, file_rows

ENGINE, PSUTIL = "engine", "psutil"

#: engine -> its KernelSource. Per process on purpose: the kernel's files are read by this process
#: (its /proc), and one source per engine is what lets every reader in it share the cgroups found
#: and the one thread that reads them each second (the monitors' samplers, lab.stats()), whichever
#: Lab or Sampler asks. Weak: an engine no longer used takes its source (and that thread) with it.
_KERNEL_SOURCES_IN_THIS_PROCESS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_sources_lock = threading.Lock()


def choose(engine, wanted: str | None = None):
    """The source for ``engine``: a :class:`KernelSource` when its files may be here, else an
    :class:`EngineSource` (``psutil`` on udocker), each with ``reason`` in words. One per engine
    (the kernel source keeps where each container's cgroup is)."""
    wanted = (wanted or os.environ.get("DOCKERLAB_STATS_SOURCE") or "auto").lower()
    if wanted not in ("auto", KERNEL, ENGINE):
        from .errors import InvalidReference

        raise InvalidReference(f"Unknown stats source {wanted!r}", value=wanted,
                               hint="'auto' (the kernel's files when they are here), 'kernel' or 'engine'")
    if getattr(engine, "kind", "") == "udocker":
        return EngineSource(PSUTIL, "udocker has no cgroups: psutil sums each container's processes")
    if wanted == ENGINE:
        return EngineSource(ENGINE, "asked for the Engine API")
    why = local_reason(engine)
    if why:
        return EngineSource(ENGINE, why)
    with _sources_lock:
        try:
            src = _KERNEL_SOURCES_IN_THIS_PROCESS.get(engine)
        except TypeError:  # not weak-referenceable (a test double)
            src = None
        if src is None:
            src = KernelSource(engine)
            try:
                _KERNEL_SOURCES_IN_THIS_PROCESS[engine] = src
            except TypeError:
                pass
    return src


def local_reason(engine) -> str:
    """Why the kernel's files cannot be this engine's, or "" when they may be (a local unix socket)."""
    ep = getattr(engine, "endpoint", None)
    url = getattr(ep, "url", "") or ""
    if not url.startswith("unix://"):
        return f"the engine is reached at {url or 'an unknown address'}: its containers' cgroup files are on that machine"
    if not os.path.exists("/proc/self/mountinfo"):
        return "this system has no /proc (the engine runs in a VM)"
    return ""


class EngineSource:
    """The Engine API (or udocker's psutil): the caller's own sampling, nothing read here."""

    def __init__(self, kind: str, reason: str):
        self.kind, self.reason = kind, reason

    def line(self, interval: float | None = None) -> str:
        if self.kind == PSUTIL:
            return "(measured with psutil over each container's processes: udocker has no cgroups; CPU % over 1 s)"
        return ("(read from the Engine API, GET /containers/<id>/stats; CPU % over the engine's one-second rounds: "
                f"{self.reason})")

    def __repr__(self) -> str:
        return f"<stats source {self.kind}: {self.reason}>"


def engine_reasons(failed: dict) -> str:
    """One short reason for the containers read through the engine instead (each id written ``<id>``, as the
    kernel's line writes it: the same reason for two containers is said once)."""
    reasons = sorted({str(why).replace(cid, "<id>") for cid, why in failed.items()})
    return reasons[0] if len(reasons) == 1 else "; ".join(reasons[:2])


def table(engine, ids: list[str], names: dict, engine_rows, *, source: str | None = None,
          interval: float | None = None) -> tuple[list, str, str]:
    """A stats table's rows for ``ids``: from the kernel where it can, else ``engine_rows(ids)``.
    Returns (rows, the source's name, the line that says where the numbers were read)."""
    src = choose(engine, source)
    interval = DEFAULT_INTERVAL if interval is None else float(interval)
    if not ids:
        return [], src.kind, ""
    if not isinstance(src, KernelSource):
        return engine_rows(ids), src.kind, src.line()
    rows, failed = src.rows(ids, names, interval=interval)
    if not failed:
        return rows, KERNEL, src.line(interval)
    if (source or os.environ.get("DOCKERLAB_STATS_SOURCE") or "").lower() == KERNEL:
        from .errors import NotAvailableOnEngine

        raise NotAvailableOnEngine(f"Cannot read {len(failed)} container(s)' counters from the kernel's files",
                                   feature="kernel stats", state=engine_reasons(failed),
                                   hint="lab.stats() without source='kernel' reads them through the Engine API")
    rows += engine_rows(list(failed))
    reason = engine_reasons(failed)
    if len(failed) == len(ids):
        return rows, ENGINE, EngineSource(ENGINE, reason).line()
    return rows, f"{KERNEL}+{ENGINE}", src.line(interval) + f"; {len(failed)} through the Engine API: {reason}"


def files_frame(engine, cid: str):
    """The files `docker stats` gets ``cid``'s numbers from, each read now: FILE, VALUE, MEANING
    (cgroup files relative to ``attrs["root"]``, the id written ``<id>``; ``attrs["id"]``, ``attrs["pid"]``).
    Empty, with ``attrs["reason"]``, when they cannot be read here (a remote engine, a VM, udocker)."""
    import pandas as pd

    from .errors import NotAvailableOnEngine

    src = choose(engine)
    try:
        if not isinstance(src, KernelSource):
            raise cgroups.NotReadable(src.reason)
        cg = src.locate(cid)
        rows = file_rows(cg, src.proc)
    except cgroups.NotReadable as e:  # not an error: a lesson run on Docker Desktop or udocker goes on
        df = pd.DataFrame(columns=["FILE", "VALUE", "MEANING"])
        df.attrs.update(id=cid, pid=0, version=0, root="", reason=e.reason)
        return df
    except OSError as e:
        raise NotAvailableOnEngine("The container's cgroup files went away while being read", feature="kernel stats",
                                   state=str(e), hint="it stopped: start it again, then ask once more") from None
    base = cgroup_root(cg)
    short = lambda p: (p[len(base):] if base and p.startswith(base) else p).replace(cg.cid, "<id>")  # noqa: E731
    df = pd.DataFrame([(short(p), v.replace(cg.cid, "<id>"), m) for p, v, m in rows],
                      columns=["FILE", "VALUE", "MEANING"])
    df.attrs.update(root=base)
    df.attrs.update(id=cg.cid, pid=cg.pid, version=cg.version)
    return df
