"""The udocker backend's `docker stats`: psutil over the processes under a container's proot (no cgroups)."""
from __future__ import annotations

import contextlib
import time

from .common import LIVE, _iso


class StatsMixin:
    """Part of :class:`~dockerlab.engine.udocker.UdockerEngine` (see the module's docstring)."""

    def _container_procs(self, st: dict) -> list:
        """The processes under proot for this run (the container's own processes)."""
        import psutil

        try:
            sup = psutil.Process(st["Pid"])
            tree = sup.children(recursive=True)
        except (psutil.Error, KeyError):
            return []
        prootp = [p for p in tree if self._is_proot(p)]
        if not prootp:
            return []
        out = []
        for p in prootp:
            with contextlib.suppress(psutil.Error):
                out += [c for c in p.children(recursive=True) if not self._is_proot(c)]
        return out

    @staticmethod
    def _is_proot(p) -> bool:
        with contextlib.suppress(Exception):
            return p.name().startswith("proot")
        return False

    def _sample(self, cfg: dict, pre: dict | None) -> dict:
        import psutil

        status, st = self._status(cfg)
        procs = self._container_procs(st) if status in LIVE else []
        cpu_ns = rss = rd = wr = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                with p.oneshot():
                    t = p.cpu_times()
                    cpu_ns += int((t.user + t.system) * 1e9)
                    rss += p.memory_info().rss
                    with contextlib.suppress(psutil.Error, AttributeError):
                        io = p.io_counters()
                        rd += io.read_bytes
                        wr += io.write_bytes
        system_ns = int(sum(psutil.cpu_times()) * 1e9)
        ncpu = psutil.cpu_count() or 1
        return {
            "read": _iso(time.time()), "preread": (pre or {}).get("read", _iso(None)),
            "id": cfg["Id"], "name": "/" + cfg["Name"],
            "pids_stats": {"current": len(procs)},
            "cpu_stats": {"cpu_usage": {"total_usage": cpu_ns}, "system_cpu_usage": system_ns, "online_cpus": ncpu},
            "precpu_stats": (pre or {}).get("cpu_stats") or {"cpu_usage": {"total_usage": 0}, "system_cpu_usage": 0,
                                                             "online_cpus": ncpu},
            "memory_stats": {"usage": rss, "limit": psutil.virtual_memory().total, "stats": {}} if status in LIVE else {},
            "blkio_stats": {"io_service_bytes_recursive": [{"op": "read", "value": rd}, {"op": "write", "value": wr}]},
            "networks": {},
        }

    def stats(self, ref: str, *, stream: bool = False, one_shot: bool | None = None):
        cfg = self._resolve(ref)
        if not stream:
            if one_shot:
                return self._sample(cfg, None)
            first = self._sample(cfg, None)
            time.sleep(1.0)
            return self._sample(cfg, first)
        return self._stream_stats(cfg)

    def _stream_stats(self, cfg: dict):
        pre = None
        while True:
            try:
                sample = self._sample(cfg, pre)
            except FileNotFoundError:
                return
            yield sample
            pre = sample
            time.sleep(1.0)

    # --- images ---------------------------------------------------------------------------
