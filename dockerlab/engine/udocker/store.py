"""The udocker backend's containers as records: each one's ``config.json`` and ``state.json`` under
``UDOCKER_DIR/dockerlab/<id>/``, the listing and the inspect documents made from them, and `create`."""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import time
from pathlib import Path

from ... import errors as E
from .common import LIVE, _ADJ, _NOUN, _atomic_write, _iso, _split_image


class StoreMixin:
    """Part of :class:`~dockerlab.engine.udocker.UdockerEngine` (see the module's docstring)."""

    def _configs(self) -> list[dict]:
        out = []
        for cfg in sorted(self.meta.glob("*/config.json")):
            with contextlib.suppress(OSError, ValueError):
                out.append(json.loads(cfg.read_text()))
        return out

    def _dir(self, cid: str) -> Path:
        return self.meta / cid

    def _resolve(self, ref: str) -> dict:
        """A container's config by full id, name, or unique id prefix (as docker does)."""
        ref = (ref or "").lstrip("/")
        if ref and re.fullmatch(r"[0-9a-f]{64}", ref) and (self._dir(ref) / "config.json").exists():
            return json.loads((self._dir(ref) / "config.json").read_text())
        cfgs = self._configs()
        for c in cfgs:
            if c["Name"] == ref:
                return c
        hits = [c for c in cfgs if ref and c["Id"].startswith(ref)]
        if len(hits) == 1:
            return hits[0]
        raise E.ContainerNotFound(f"No such container: {ref}", container=ref,
                                  state="it may have been removed, or the name is misspelt",
                                  hint="list them with lab.ps(all=True) (docker ps -a)")

    def _write_config(self, cfg: dict) -> None:
        d = self._dir(cfg["Id"])
        d.mkdir(parents=True, exist_ok=True)
        _atomic_write(d / "config.json", json.dumps(cfg, indent=1))

    def _state(self, cid: str) -> dict:
        try:
            return json.loads((self._dir(cid) / "state.json").read_text())
        except (OSError, ValueError):
            return {}

    def _write_state(self, cid: str, state: dict) -> None:
        _atomic_write(self._dir(cid) / "state.json", json.dumps(state))

    def _alive(self, pid: int | None, started: float | None = None) -> bool:
        """Is this supervisor still running (not a zombie, not a recycled pid)?"""
        if not pid:
            return False
        p = self._procs.get(pid)
        if p is not None:
            if p.poll() is not None:
                self._procs.pop(pid, None)
                return False
            return True
        import psutil

        try:
            proc = psutil.Process(pid)
            if proc.status() == psutil.STATUS_ZOMBIE:
                return False
            return not started or proc.create_time() <= started + 5
        except psutil.Error:
            return False

    def _status(self, cfg: dict) -> tuple[str, dict]:
        """(created | running | exited, state) of a container, fixing a state left by a vanished supervisor."""
        st = self._state(cfg["Id"])
        if not st:
            return "created", st
        if st.get("ExitCode") is not None:
            return "exited", st
        if self._alive(st.get("Pid"), st.get("StartedAt")):
            return ("paused" if st.get("Paused") else "running"), st
        # the supervisor died without recording (killed with SIGKILL, or the machine restarted)
        st.update(ExitCode=137, FinishedAt=time.time())
        with contextlib.suppress(OSError):
            self._write_state(cfg["Id"], st)
        return "exited", st

    def _summary(self, cfg: dict) -> dict:
        """One entry of GET /containers/json."""
        from ...frames import human_duration

        status, st = self._status(cfg)
        now = time.time()
        if status in LIVE:
            text = f"Up {human_duration(now - st['StartedAt'])}" + (" (Paused)" if status == "paused" else "")
        elif status == "exited":
            text = f"Exited ({st['ExitCode']}) {human_duration(now - (st.get('FinishedAt') or now))} ago"
        else:
            text = "Created"
        return {
            "Id": cfg["Id"], "Names": ["/" + cfg["Name"]], "Image": cfg["Image"], "ImageID": cfg["ImageID"],
            "Command": " ".join(cfg.get("Argv") or []), "Created": int(cfg["Created"]), "State": status,
            "Status": text, "Ports": [], "Labels": dict(cfg.get("Labels") or {}), "Mounts": [],
            "HostConfig": {"NetworkMode": "host"}, "NetworkSettings": {"Networks": {}},
        }

    # --- containers ------------------------------------------------------------------------
    def containers(self, *, all: bool = False, filters: dict | None = None) -> list[dict]:
        out = [self._summary(c) for c in self._configs()]
        if not all:
            out = [c for c in out if c["State"] in LIVE]
        for key, values in (filters or {}).items():
            values = [values] if isinstance(values, str) else list(values)
            for v in values:
                out = [c for c in out if self._matches(c, key, v)]
        return out

    @staticmethod
    def _matches(c: dict, key: str, value: str) -> bool:
        if key == "label":
            k, eq, v = value.partition("=")
            return k in c["Labels"] and (not eq or c["Labels"][k] == v)
        if key == "name":
            return any(re.search(value, n.lstrip("/")) for n in c["Names"])
        if key == "id":
            return c["Id"].startswith(value)
        if key == "status":
            return c["State"] == value
        if key == "ancestor":
            return c["Image"] == value or c["ImageID"].endswith(value)
        raise E.InvalidReference(f"The filter {key!r} is not supported by the udocker backend", value=key,
                                 hint="use label=, name=, id=, status= or ancestor=")

    def inspect_container(self, ref: str) -> dict:
        cfg = self._resolve(ref)
        status, st = self._status(cfg)
        argv = cfg.get("Argv") or []
        return {
            "Id": cfg["Id"], "Name": "/" + cfg["Name"], "Created": _iso(cfg["Created"]),
            "Path": argv[0] if argv else "", "Args": argv[1:], "Image": cfg["ImageID"], "Driver": "udocker",
            "Platform": "linux",
            "State": {"Status": status, "Running": status in LIVE, "Paused": status == "paused", "Restarting": False,
                      "OOMKilled": False, "Dead": False, "Pid": st.get("ChildPid", 0) if status in LIVE else 0,
                      "ExitCode": st.get("ExitCode") if st.get("ExitCode") is not None else 0, "Error": "",
                      "StartedAt": _iso(st.get("StartedAt")), "FinishedAt": _iso(st.get("FinishedAt"))},
            "Config": {"Image": cfg["Image"], "Cmd": cfg.get("Cmd"), "Entrypoint": cfg.get("Entrypoint"),
                       "Env": cfg.get("Env") or [], "Labels": dict(cfg.get("Labels") or {}), "Tty": cfg.get("Tty", False),
                       "OpenStdin": cfg.get("OpenStdin", False), "WorkingDir": cfg.get("WorkingDir", ""),
                       "Hostname": socket.gethostname()},
            "HostConfig": {"Memory": 0, "NanoCpus": 0, "PidsLimit": None, "NetworkMode": "host", "AutoRemove": False},
            "NetworkSettings": {"Networks": {}, "Ports": {}},
            "LogPath": str(self._dir(cfg["Id"]) / "log"),
            "Udocker": {"ContainerId": cfg.get("UdockerId", ""), "Root": cfg.get("Root", "")},
        }

    def create_container(self, *, image: str, command=None, name=None, labels=None, tty=False,
                         stdin_open=False, environment=None, entrypoint=None, working_dir=None,
                         host_config: dict | None = None, ports=None) -> str:
        """``ports`` (the ports to expose) mean nothing here: containers share the host's network."""
        hc = dict(host_config or {})
        asked = [k for k in ("mem_limit", "memswap_limit", "nano_cpus", "cpu_quota", "pids_limit", "cpus", "memory")
                 if hc.get(k)]
        if asked:
            raise self.not_available("limits", "Limiting a container's memory, CPUs or processes",
                                      hint="run without memory=/cpus=/pids= here; the limits lesson needs a Docker Engine")
        binds = list(hc.get("binds") or [])  # folders only: udocker mounts them (-v), named volumes it has not
        for b in binds:
            if not b.startswith("/"):
                raise self.not_available("volumes", f"The named volume {b.split(':')[0]}")
        for k in ("privileged", "network_mode", "pid_mode", "port_bindings"):
            if hc.get(k):
                feature = "network-isolation" if k in ("network_mode", "port_bindings") else "pid-namespace"
                raise self.not_available(feature, f"The option {k}")
        img_name, tag = _split_image(image)
        img = self.inspect_image(f"{img_name}:{tag}")  # ImageNotFound if it is not here
        if name is None:
            taken = {c["Name"] for c in self._configs()}
            for _ in range(100):
                name = f"{secrets.choice(_ADJ)}_{secrets.choice(_NOUN)}"
                if name not in taken:
                    break
        name = name.lstrip("/")
        for c in self._configs():
            if c["Name"] == name:
                raise E.NameConflict(
                    f"The name {name!r} is already in use by container {c['Id'][:12]}", name=name,
                    existing_id=c["Id"][:12], state="names are unique on an engine, even for stopped containers",
                    hint=f"remove the old one (lab.remove({name!r})), or choose another name")
        conf = img.get("Config") or {}
        cmd = [command] if isinstance(command, str) else list(command or [])
        ep = [entrypoint] if isinstance(entrypoint, str) else list(entrypoint or conf.get("Entrypoint") or [])
        argv = ep + (cmd or list(conf.get("Cmd") or []))
        env = list(conf.get("Env") or [])
        if isinstance(environment, dict):
            env += [f"{k}={v}" for k, v in environment.items()]
        elif environment:
            env += list(environment)
        cid = secrets.token_hex(32)
        cp = self._call(f"create a container from {image}",
                        lambda: self._ud("create", f"--name=dl-{cid[:12]}", f"{img_name}:{tag}"),
                        image=image, container=name)
        ud_id = cp.stdout.strip().splitlines()[-1] if cp.stdout.strip() else f"dl-{cid[:12]}"
        cfg = {"Id": cid, "Name": name, "Image": image, "ImageID": img["Id"], "Created": time.time(),
               "Cmd": cmd or conf.get("Cmd"), "Entrypoint": ep or None, "Argv": argv, "Env": env,
               "Labels": dict(labels or {}), "Tty": bool(tty), "OpenStdin": bool(stdin_open), "Binds": binds,
               "WorkingDir": working_dir or conf.get("WorkingDir") or "", "UdockerId": ud_id,
               "Root": str(self.home / "containers" / ud_id / "ROOT")}
        self._write_config(cfg)
        return cid

    def _find_exec(self, cfg: dict) -> bool:
        """Does the command's program exist in the container's file system (like runc's exec check)?"""
        argv = cfg.get("Argv") or []
        if not argv:
            return False
        root = Path(cfg["Root"])
        prog = argv[0]
        if "/" in prog:
            cands = [prog if prog.startswith("/") else (cfg.get("WorkingDir") or "/") + "/" + prog]
        else:
            path = next((e.split("=", 1)[1] for e in cfg.get("Env") or [] if e.startswith("PATH=")),
                        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            cands = [f"{d}/{prog}" for d in path.split(":") if d]
        return any(self._exists_in_root(root, c) for c in cands)

    @staticmethod
    def _exists_in_root(root: Path, path: str, depth: int = 0) -> bool:
        """Follow symlinks inside ``root`` (absolute links point into the image, not the host)."""
        if depth > 20:
            return False
        cur = root
        parts = [p for p in path.split("/") if p and p != "."]
        for i, part in enumerate(parts):
            nxt = cur / part
            if nxt.is_symlink():
                target = os.readlink(nxt)
                rest = "/".join(parts[i + 1:])
                base = target if target.startswith("/") else str(cur.relative_to(root)) + "/" + target
                return StoreMixin._exists_in_root(root, base + ("/" + rest if rest else ""), depth + 1)
            if part == "..":
                cur = cur.parent if cur != root else root
                continue
            if not nxt.exists():
                return False
            cur = nxt
        return cur.is_file() and os.access(cur, os.X_OK)
