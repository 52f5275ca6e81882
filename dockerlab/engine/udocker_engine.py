"""The daemonless backend: udocker (PyPI ``udocker``) running images with proot, as an ordinary user.

For hosts with no Docker daemon and no root (Binder, many JupyterHubs, locked-down
laptops). Same methods and the same Engine-API-shaped dicts as
:class:`~dockerlab.engine.docker_engine.DockerEngine`, so the Lab works unchanged.

What udocker gives: images (``udocker pull`` from a registry where the host is
online, ``udocker load`` of a ``docker save`` archive offline), containers as
directories, ``udocker run`` in the foreground. What this module adds, because
udocker has no daemon: detached runs (a small supervisor process per run, in a
process group of its own), stop/kill (signals to that process group), logs (a
file per container), exec (another ``udocker run`` in the same container
directory), stats (psutil over the processes under proot), labels and names
(kept in this backend's own metadata, beside udocker's repository).

What it cannot do, and says so (:class:`~dockerlab.errors.NotAvailableOnEngine`,
and ``features``/``limitations`` for code that wants to check first): resource
limits (no cgroups), a PID namespace (``ps`` inside shows the host's
processes), network isolation (containers share the host's network), events,
push and save. There is no daemon and so no REST API: ``rest_get`` computes the
JSON of the common GET paths from the same dicts, and the Lab says so.

State lives in ``UDOCKER_DIR`` (default ``~/.dockerlab/udocker``): udocker's own
``repos/``, ``layers/``, ``containers/``, and ``dockerlab/<id>/`` with
``config.json`` (name, image, command, labels), ``state.json`` (written by the
supervisor: pid, start, exit code) and ``log``.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import importlib.util
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

from .. import errors as E
from ..endpoints import Endpoint
from .progress import Progress

API_VERSION = "1.41"  # the Engine API whose shapes this backend returns
LIVE = ("running", "paused")  # states with processes

#: feature -> why this backend cannot offer it (the Lab's repr and the errors say it)
LIMITATIONS = {
    "limits": "udocker uses no cgroups, so memory, CPU and PID limits cannot be enforced",
    "pid-namespace": "proot gives no PID namespace: a container sees the host's processes and its "
                     "first process is not PID 1",
    "network-isolation": "containers share the host's network: there is no network namespace, and no "
                         "port publishing (-p)",
    "events": "there is no daemon to report events",
    "build": "udocker has no image builder (no `docker build`): images come from a registry or a "
             "`docker save` archive",
    "ports": "containers share the host's network: a server in a container listens on this machine's own "
             "ports, so there is nothing to publish (-p)",
    "push": "udocker cannot push images to a registry",
    "volumes": "udocker keeps no volumes of its own: a volume here is a bind mount of a folder (-v ./folder:/data)",
    "rest": "there is no daemon, so there is no Engine API (REST) to call: no socket, no curl; the backend "
            "computes only the answers of the common GET paths",
}

def _atomic_write(path, text: str) -> None:
    """Write ``path`` whole or not at all, through a temporary file with a name of its own (two
    writers, this engine and a run's supervisor, never share a temporary file)."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=os.fspath(path.parent), prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# The supervisor of one detached run: starts udocker in its own process group
# (the caller used start_new_session), sends its output to the log file, and
# records the pid, the start, and the exit code (128+signal when killed) in
# state.json. A Python handler (not SIG_IGN) for TERM/INT keeps it alive to
# record the exit code, while the child keeps the default behaviour.
_SUPERVISOR = r"""
import json, os, signal, subprocess, sys, time
d = sys.argv[1]; keep_stdin = sys.argv[2] == "1"; cmd = sys.argv[3:]
def write(state):
    import tempfile
    fd, tmp = tempfile.mkstemp(dir=d, prefix="state.json.", suffix=".tmp")  # a name of its own
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    os.replace(tmp, os.path.join(d, "state.json"))
signal.signal(signal.SIGTERM, lambda *a: None)
signal.signal(signal.SIGINT, lambda *a: None)
log = open(os.path.join(d, "log"), "ab", buffering=0)
if keep_stdin:
    r, w = os.pipe()          # stdin stays open (docker run -i): nothing ever writes to it
    stdin = r
else:
    stdin = subprocess.DEVNULL
try:
    p = subprocess.Popen(cmd, stdin=stdin, stdout=log, stderr=log)
except OSError as e:
    log.write(("dockerlab: could not start udocker: %s\n" % e).encode())
    write({"Pid": os.getpid(), "StartedAt": time.time(), "ExitCode": 127, "FinishedAt": time.time()})
    sys.exit(127)
state = {"Pid": os.getpid(), "ChildPid": p.pid, "StartedAt": time.time(), "ExitCode": None, "FinishedAt": None}
write(state)
rc = p.wait()
code = rc if rc >= 0 else 128 - rc
if code == 255:  # proot exits 255 when its process died of a signal; it logs which: report 128+signal
    try:
        with open(os.path.join(d, "log"), "rb") as f:
            f.seek(max(0, os.path.getsize(f.name) - 4096))
            tail = f.read().decode("utf-8", "replace")
        import re
        sigs = re.findall(r"proot info: pid \d+: terminated with signal (\d+)", tail)
        if sigs:
            code = 128 + int(sigs[-1])
    except OSError:
        pass
state.update(ExitCode=code, FinishedAt=time.time())
write(state)
"""

_ADJ = ("admiring", "bold", "brave", "busy", "calm", "clever", "eager", "gentle", "happy", "jolly", "keen",
        "kind", "lucid", "merry", "modest", "nifty", "quirky", "serene", "sharp", "tender", "vibrant", "zen")
_NOUN = ("babbage", "curie", "darwin", "einstein", "euler", "franklin", "galileo", "hopper", "hypatia",
         "khorana", "lovelace", "meitner", "noether", "pasteur", "ritchie", "shannon", "tesla", "turing")

PROOT_WRAPPER = """#!/bin/sh
# written by dockerlab: udocker passes "-k <release>" to proot; Debian's proot 5.1.0
# then fails directory listings ("ls: can't open '/': Invalid argument"). Drop it.
skip=0
for a in "$@"; do
  shift
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  if [ "$a" = "-k" ]; then skip=1; continue; fi
  set -- "$@" "$a"
done
exec {proot} "$@"
"""


def default_home() -> Path:
    return Path(os.environ.get("UDOCKER_DIR") or Path.home() / ".dockerlab" / "udocker")


def udocker_command() -> list[str] | None:
    """How to run udocker here: the module in this Python, else a ``udocker`` on PATH; None if neither."""
    if os.environ.get("DOCKERLAB_UDOCKER"):
        return [os.environ["DOCKERLAB_UDOCKER"]]
    if importlib.util.find_spec("udocker") is not None:
        return [sys.executable, "-m", "udocker.maincmd"]
    found = shutil.which("udocker")
    return [found] if found else None


def find_proot() -> str | None:
    exe = os.environ.get("UDOCKER_USE_PROOT_EXECUTABLE")
    if exe and os.access(exe, os.X_OK):
        return exe
    return shutil.which("proot")


def usable() -> tuple[bool, str]:
    """(True, "") when udocker and proot are both here; else (False, what is missing)."""
    missing = []
    if udocker_command() is None:
        missing.append("udocker (pip install udocker)")
    if find_proot() is None:
        missing.append("proot (apt-get install proot; on Binder: binder/apt.txt)")
    return (not missing), " and ".join(missing)


def _iso(epoch: float | None) -> str:
    if not epoch:
        return "0001-01-01T00:00:00Z"
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text: str) -> float:
    if not text:
        return 0.0
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?", text)
    if not m:
        return 0.0
    base = _dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=_dt.timezone.utc)
    return base.timestamp() + float(m.group(2) or 0)


def _split_image(ref: str) -> tuple[str, str]:
    """'alpine' -> ('alpine', 'latest'); 'docker.io/library/alpine:3' -> ('alpine', '3')."""
    ref = ref.strip()
    name, tag = ref, "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return name, tag


class _Fail(Exception):
    """A udocker failure in the shapes translate_error understands."""

    def __init__(self, explanation: str, status_code: int = 500):
        super().__init__(explanation)
        self.explanation = explanation
        self.status_code = status_code


class UdockerEngine:
    """udocker + proot as a dockerlab engine backend (no daemon, no root)."""

    kind = "udocker"
    features = frozenset({"detach", "stop", "logs", "exec", "stats", "pull", "restart", "kill", "load", "df",
                          "pause"})
    limitations = LIMITATIONS

    def __init__(self, home: str | os.PathLike | None = None, *, source: str = "DOCKERLAB_ENGINE=udocker setting",
                 registry: str | None = None, archive_dir: str | None = None):
        ok, missing = usable()
        if not ok:
            raise E.EngineUnavailable(
                f"The daemonless engine (udocker) cannot run here: {missing} is missing", reason="no-udocker",
                hint="pip install udocker and apt-get install proot (scripts/provision-udocker does both)")
        self.home = Path(home) if home else default_home()
        self.meta = self.home / "dockerlab"
        try:
            self.meta.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise E.EngineUnavailable(f"The udocker directory {self.home} cannot be created ({e.strerror})",
                                      reason="no-udocker", hint="set UDOCKER_DIR to a directory you can write") from e
        self.udocker = udocker_command()
        self.proot = self._proot_wrapper()
        self.registry = registry if registry is not None else os.environ.get("DOCKERLAB_UDOCKER_REGISTRY", "")
        self.archive_dir = Path(archive_dir or os.environ.get("DOCKERLAB_UDOCKER_IMAGES", "/var/lib/dockerlab/udocker/images"))
        self.endpoint = Endpoint(f"udocker://{self.home}", source)
        self.calls = deque(maxlen=500)  # (method, path, status): here ("udocker", "create ...", exit code)
        self._procs: dict[int, subprocess.Popen] = {}  # supervisors this process started (reaped on poll)
        self._version_cache: dict | None = None
        self.preloaded = self._preload()

    def _preload(self) -> list[str]:
        """A new, empty image store gets the offline stand-ins (as provision-engine pre-pulls them for
        Docker), when their archives are here. ``DOCKERLAB_UDOCKER_PRELOAD=0`` turns it off."""
        if os.environ.get("DOCKERLAB_UDOCKER_PRELOAD", "1").strip().lower() in ("0", "no", "false", "off"):
            return []
        marker = self.meta / ".preloaded"
        if marker.exists() or self._image_dirs() or not self.archive_dir.is_dir():
            return []
        loaded = []
        for tar in sorted(self.archive_dir.glob("*.tar")):
            if os.access(tar, os.R_OK):
                with contextlib.suppress(E.DockerLabError):
                    loaded += self.load(str(tar))
        with contextlib.suppress(OSError):
            marker.write_text("\n".join(loaded) + "\n")
        return loaded

    # --- plumbing -------------------------------------------------------------------
    @property
    def api_version(self) -> str:
        return API_VERSION

    @property
    def cannot(self) -> str:
        """One line for the Lab's repr: what this engine cannot do."""
        return "no daemon; no resource limits (no cgroups), no PID namespace, no network isolation, no events"

    def _proot_wrapper(self) -> str:
        """The proot to give udocker: UDOCKER_USE_PROOT_EXECUTABLE if set, else a wrapper that drops -k."""
        exe = os.environ.get("UDOCKER_USE_PROOT_EXECUTABLE")
        if exe and os.access(exe, os.X_OK):
            return exe
        real = shutil.which("proot")
        wrapper = self.home / "bin" / "proot-no-k"
        text = PROOT_WRAPPER.format(proot=real)
        if not wrapper.exists() or wrapper.read_text() != text:
            wrapper.parent.mkdir(parents=True, exist_ok=True)
            wrapper.write_text(text)
            wrapper.chmod(0o755)
        return str(wrapper)

    def _env(self) -> dict:
        env = dict(os.environ)
        env.update(UDOCKER_DIR=str(self.home), UDOCKER_USE_PROOT_EXECUTABLE=self.proot)
        env.setdefault("UDOCKER_TARBALL", "")  # the proot we give it is enough: never download the tools
        return env

    def _argv(self, *args: str) -> list[str]:
        root = ["--allow-root"] if os.getuid() == 0 else []  # udocker refuses root unless told
        return [*self.udocker, *root, *args]

    def _ud(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
        """Run one udocker command; record it; on failure raise _Fail with its words."""
        try:
            cp = subprocess.run(self._argv(*args), env=self._env(), capture_output=True, text=True,
                                timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            self.calls.append(("udocker", " ".join(args), -1))
            raise _Fail(f"udocker {args[0]} did not finish within {timeout:g} s") from e
        self.calls.append(("udocker", " ".join(args), cp.returncode))
        if check and cp.returncode != 0:
            raise _Fail((cp.stderr + cp.stdout).strip() or f"udocker {args[0]} failed with exit code {cp.returncode}")
        return cp

    def _call(self, action: str, thunk, *, image: str = "", container: str = ""):
        try:
            return thunk()
        except E.DockerLabError:
            raise
        except Exception as e:
            from .translate import translate_error

            known = ()
            if image:
                with contextlib.suppress(Exception):
                    known = [n for n, _t, _d in self._image_dirs()]
            raise translate_error(e, action=action, image=image, container=container,
                                  endpoint=self.endpoint.url, known_images=known) from e

    def _not_available(self, feature: str, what: str, hint: str = "") -> E.NotAvailableOnEngine:
        return E.NotAvailableOnEngine(
            f"{what} is not available on this engine, because {LIMITATIONS[feature]}", feature=feature,
            engine="udocker", state="dockerlab is using udocker (no Docker daemon answered, or DOCKERLAB_ENGINE=udocker)",
            hint=hint or "on a Docker Engine this works; 'dockerlab doctor' shows which engine is in use")

    # --- system ------------------------------------------------------------------------
    def ping(self) -> bool:
        return self.meta.is_dir()

    def version(self) -> dict:
        if self._version_cache is None:
            udv = "?"
            with contextlib.suppress(Exception):
                from importlib.metadata import version as _v

                udv = _v("udocker")
            prv = ""
            with contextlib.suppress(Exception):
                out = subprocess.run([shutil.which("proot") or self.proot, "--version"], capture_output=True,
                                     text=True, timeout=10).stdout
                m = re.search(r"v?(\d+\.\d+\.\d+)", out)
                prv = m.group(1) if m else ""
            self._version_cache = {
                "Platform": {"Name": "udocker (daemonless, proot)"},
                "Components": [{"Name": "udocker", "Version": udv}, {"Name": "proot", "Version": prv}],
                "Version": udv, "ApiVersion": API_VERSION, "MinAPIVersion": API_VERSION,
                "Os": "linux", "Arch": {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine()),
                "KernelVersion": platform.release(), "GoVersion": "", "GitCommit": "",
            }
        return dict(self._version_cache)

    def info(self) -> dict:
        import psutil

        cs = [self._summary(c) for c in self._configs()]
        running = sum(1 for c in cs if c["State"] == "running")
        paused = sum(1 for c in cs if c["State"] == "paused")
        os_name = "Linux"
        with contextlib.suppress(OSError):
            m = re.search(r'^PRETTY_NAME="?([^"\n]*)', Path("/etc/os-release").read_text(), re.M)
            os_name = m.group(1) if m else os_name
        v = self.version()
        return {
            "ID": "udocker", "Name": socket.gethostname(), "ServerVersion": v["Version"],
            "Containers": len(cs), "ContainersRunning": running, "ContainersPaused": paused,
            "ContainersStopped": len(cs) - running - paused, "Images": len({d for _n, _t, d in self._image_dirs()}),
            "Driver": "udocker (directories under UDOCKER_DIR, run with proot)",
            "CgroupDriver": "none", "CgroupVersion": "none (udocker uses no cgroups)",
            "OperatingSystem": f"{os_name} (udocker {v['Version']}, no daemon)", "OSType": "linux",
            "Architecture": platform.machine(), "KernelVersion": platform.release(),
            "NCPU": os.cpu_count() or 1, "MemTotal": psutil.virtual_memory().total,
            "DockerRootDir": str(self.home),
            "RegistryConfig": {"Mirrors": [self.registry] if self.registry else []},
            "SecurityOptions": [], "Runtimes": {"proot": {"path": self.proot}}, "DefaultRuntime": "proot",
            "Warnings": [f"WARNING: {why}" for why in LIMITATIONS.values()],
        }

    def df(self) -> dict:
        """`docker system df` from the files udocker keeps. udocker extracts the whole image into each
        container's directory, so a container's "writable layer" size is its whole file system."""
        def du(path: Path) -> int:
            total = 0
            for dirpath, _dirs, files in os.walk(path):
                for f in files:
                    with contextlib.suppress(OSError):
                        total += os.lstat(os.path.join(dirpath, f)).st_size
            return total

        cfgs = self._configs()
        images = self.images()
        for im in images:
            im["Containers"] = sum(1 for c in cfgs if c.get("ImageID") == im["Id"])
            im["SharedSize"] = 0
        layers = du(self.home / "layers") + sum(du(d) for _r, _t, d in self._image_dirs())
        containers = []
        for c in cfgs:
            summary = self._summary(c)
            summary["SizeRw"] = du(Path(c.get("Root", ""))) if c.get("Root") else 0
            containers.append(summary)
        return {"LayersSize": layers, "Images": images, "Containers": containers, "Volumes": [], "BuildCache": []}

    def events(self, *, since=None, until=None, filters=None, decode=True):
        raise self._not_available("events", "docker events")

    def events_stream(self, *, since=None, filters=None):
        raise self._not_available("events", "Following the engine's events")

    rest_note = ("(udocker has no daemon, so no socket answers that curl: dockerlab's udocker backend "
                 "computes the JSON a Docker Engine would return, in the same shape)")

    def rest_get(self, path: str, params: dict | None = None):
        """The Engine API's answer for the GET paths the lessons use, computed by this backend (no daemon)."""
        params = dict(params or {})
        p = re.sub(r"^/v\d+\.\d+", "", path.split("?")[0])
        truthy = lambda v: str(v).lower() in ("1", "true", "yes")  # noqa: E731
        if p == "/_ping":
            return "OK"
        if p == "/version":
            return self.version()
        if p == "/info":
            return self.info()
        if p == "/system/df":
            return self.df()
        if p == "/containers/json":
            flt = params.get("filters")
            flt = json.loads(flt) if isinstance(flt, str) else flt
            return self.containers(all=truthy(params.get("all", False)), filters=flt)
        if p == "/images/json":
            return self.images()
        m = re.fullmatch(r"/containers/([^/]+)/json", p)
        if m:
            return self.inspect_container(m.group(1))
        m = re.fullmatch(r"/containers/([^/]+)/stats", p)
        if m and not truthy(params.get("stream", True)) or (m and truthy(params.get("one-shot", False))):
            return self.stats(m.group(1), stream=False, one_shot=truthy(params.get("one-shot", False)))
        m = re.fullmatch(r"/images/(.+)/json", p)
        if m:
            return self.inspect_image(m.group(1))
        raise self._not_available("rest", f"GET {path} on the Engine API",
                                  hint="on udocker, lab.rest() answers /version, /info, /containers/json, "
                                       "/containers/<name>/json, /containers/<name>/stats?stream=false, "
                                       "/images/json, /images/<name>/json and /system/df")

    def close(self) -> None:
        for p in list(self._procs.values()):
            with contextlib.suppress(Exception):
                p.poll()

    # --- container metadata -------------------------------------------------------------
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
        from ..frames import human_duration

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
                         host_config: dict | None = None) -> str:
        hc = dict(host_config or {})
        asked = [k for k in ("mem_limit", "memswap_limit", "nano_cpus", "cpu_quota", "pids_limit", "cpus", "memory")
                 if hc.get(k)]
        if asked:
            raise self._not_available("limits", "Limiting a container's memory, CPUs or processes",
                                      hint="run without memory=/cpus=/pids= here; the limits lesson needs a Docker Engine")
        binds = list(hc.get("binds") or [])  # folders only: udocker mounts them (-v), named volumes it has not
        for b in binds:
            if not b.startswith("/"):
                raise self._not_available("volumes", f"The named volume {b.split(':')[0]}")
        for k in ("privileged", "network_mode", "pid_mode", "port_bindings"):
            if hc.get(k):
                feature = "network-isolation" if k in ("network_mode", "port_bindings") else "pid-namespace"
                raise self._not_available(feature, f"The option {k}")
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
                return UdockerEngine._exists_in_root(root, base + ("/" + rest if rest else ""), depth + 1)
            if part == "..":
                cur = cur.parent if cur != root else root
                continue
            if not nxt.exists():
                return False
            cur = nxt
        return cur.is_file() and os.access(cur, os.X_OK)

    def start(self, ref: str, *, image: str = "") -> None:
        cfg = self._resolve(ref)
        status, _st = self._status(cfg)
        if status in LIVE:
            return  # docker start on a running container does nothing
        if not self._find_exec(cfg):
            from .translate import translate_error

            prog = (cfg.get("Argv") or ["(no command)"])[0]
            fail = _Fail(f'exec: "{prog}": executable file not found in $PATH (udocker container {cfg["Name"]})', 400)
            raise translate_error(fail, action=f"start {cfg['Name']}", image=image or cfg["Image"],
                                  container=cfg["Name"]) from None
        d = self._dir(cfg["Id"])
        args = ["run", "--nobanner"]
        for e in cfg.get("Env") or []:
            args.append(f"--env={e}")
        if cfg.get("WorkingDir"):
            args.append(f"--workdir={cfg['WorkingDir']}")
        args += [f"--volume={b.rsplit(':', 1)[0] if b.count(':') == 2 else b}" for b in cfg.get("Binds") or []]
        args += ["--entrypoint=", cfg["UdockerId"]]  # argv below is already entrypoint + command
        args += cfg.get("Argv") or []
        with contextlib.suppress(FileNotFoundError):
            (d / "state.json").unlink()
        p = subprocess.Popen([sys.executable, "-c", _SUPERVISOR, str(d), "1" if cfg.get("OpenStdin") else "0",
                              *self._argv(*args)], env=self._env(), start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             cwd=str(self.home))
        self._procs[p.pid] = p
        self.calls.append(("udocker", " ".join(args), 0))
        deadline = time.time() + 15
        while time.time() < deadline:  # wait until the supervisor has written its state
            if self._state(cfg["Id"]):
                return
            if p.poll() is not None and not self._state(cfg["Id"]):
                raise E.EngineError(f"Could not start {cfg['Name']}: the supervisor exited with {p.returncode}",
                                    explanation="", state=f"see {d / 'log'}")
            time.sleep(0.01)
        raise E.EngineError(f"Could not start {cfg['Name']}: no state after 15 s", state=f"see {d / 'log'}")

    def _pgid_members(self, pgid: int) -> list:
        import psutil

        out = []
        for proc in psutil.process_iter(["pid", "status"]):
            try:
                if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.info["pid"]) == pgid:
                    out.append(proc)
            except (OSError, psutil.Error):
                continue
        return out

    def _signal_group(self, pgid: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)

    def _finish(self, cid: str, code: int) -> None:
        st = self._state(cid)
        if st.get("ExitCode") is None:
            st.update(ExitCode=code, FinishedAt=time.time())
            self._write_state(cid, st)

    def stop(self, ref: str, *, timeout: int = 10) -> None:
        cfg = self._resolve(ref)
        status, st = self._status(cfg)
        if status not in LIVE:
            return
        pgid = st["Pid"]
        if status == "paused":  # docker stop works on a paused container: let it see the signal
            self._signal_group(pgid, signal.SIGCONT)
        main = self._main_process(st)
        dies = main is not None and self._disposition(main, signal.SIGTERM) == "default"
        self._signal_main(st, signal.SIGTERM)  # like Docker: SIGTERM to the main process, SIGKILL later
        deadline = time.time() + max(timeout, 0)
        while time.time() < deadline:
            if not self._pgid_members_except(pgid):
                break
            if main is not None and not main.is_running():
                # the main process is gone: as when a PID namespace's PID 1 exits, the rest go too
                for proc in self._pgid_members_except(pgid):
                    if not self._is_proot(proc) and proc.pid != st.get("ChildPid"):
                        with contextlib.suppress(Exception):
                            proc.kill()
            time.sleep(0.05)
        forced = bool(self._pgid_members_except(pgid))
        if forced:  # still there after the timeout: SIGKILL, as docker stop does
            self._signal_group(pgid, signal.SIGKILL)
            self._wait_gone(pgid)
            self._finish(cfg["Id"], 137)
        self._wait_recorded(cfg["Id"], pgid)
        if dies and not forced:
            self._set_exit_code(cfg["Id"], 128 + signal.SIGTERM)

    @staticmethod
    def _disposition(proc, sig: int) -> str:
        """"caught", "ignored" or "default": what ``proc`` does with ``sig`` (/proc/<pid>/status)."""
        try:
            text = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            return "unknown"
        masks = dict(re.findall(r"^(SigIgn|SigCgt):\s*([0-9a-f]+)$", text, re.M))
        bit = 1 << (int(sig) - 1)
        if int(masks.get("SigCgt", "0"), 16) & bit:
            return "caught"
        if int(masks.get("SigIgn", "0"), 16) & bit:
            return "ignored"
        return "default"

    def _set_exit_code(self, cid: str, code: int) -> None:
        """The main process died of our signal (it had no handler): its exit code is 128+signal, as with Docker.

        proot reports the status of the last process that exited normally, not
        the main process's, so the backend records what it knows for sure."""
        st = self._state(cid)
        if st.get("ExitCode") is not None:
            st["ExitCode"] = code
            self._write_state(cid, st)

    def _main_process(self, st: dict):
        """The container's main process: the first process proot runs (Docker's PID 1)."""
        import psutil

        try:
            tree = psutil.Process(st["Pid"]).children(recursive=True)
        except (psutil.Error, KeyError):
            return None
        for p in tree:
            if self._is_proot(p):
                with contextlib.suppress(psutil.Error):
                    kids = sorted(p.children(), key=lambda c: c.create_time())
                    if kids:
                        return kids[0]
        return None

    def _signal_main(self, st: dict, sig: int) -> None:
        main = self._main_process(st)
        if main is None:  # not started yet, or already gone: the whole group but the supervisor
            for proc in self._pgid_members_except(st["Pid"]):
                with contextlib.suppress(Exception):
                    proc.send_signal(sig)
            return
        with contextlib.suppress(Exception):
            main.send_signal(sig)

    def _pgid_members_except(self, pgid: int) -> list:
        """The group's processes other than the supervisor (which waits on purpose)."""
        return [p for p in self._pgid_members(pgid) if p.pid != pgid]

    def _wait_gone(self, pgid: int, limit: float = 5) -> None:
        end = time.time() + limit
        while time.time() < end and self._pgid_members(pgid):
            time.sleep(0.02)
        self._alive(pgid)  # reaps our own supervisor

    def _wait_recorded(self, cid: str, pgid: int, limit: float = 5) -> None:
        end = time.time() + limit
        while time.time() < end:
            if self._state(cid).get("ExitCode") is not None:
                break
            if not self._alive(pgid):
                self._finish(cid, 137)
                break
            time.sleep(0.02)

    def pause(self, ref: str) -> None:
        """`docker pause`: SIGSTOP to the container's processes (Docker uses the cgroup freezer)."""
        cfg = self._resolve(ref)
        status, st = self._status(cfg)
        if status not in LIVE:
            raise E.ContainerStateError(f"Cannot pause {cfg['Name']}: it is {status}, not running",
                                        container=cfg["Name"], status=status)
        for proc in self._pgid_members_except(st["Pid"]):
            with contextlib.suppress(Exception):
                proc.suspend()
        st["Paused"] = True
        self._write_state(cfg["Id"], st)

    def unpause(self, ref: str) -> None:
        cfg = self._resolve(ref)
        status, st = self._status(cfg)
        if status != "paused":
            raise E.ContainerStateError(f"Cannot unpause {cfg['Name']}: it is {status}, not paused",
                                        container=cfg["Name"], status=status)
        for proc in self._pgid_members_except(st["Pid"]):
            with contextlib.suppress(Exception):
                proc.resume()
        st["Paused"] = False
        self._write_state(cfg["Id"], st)

    def restart(self, ref: str, *, timeout: int = 10) -> None:
        self.stop(ref, timeout=timeout)
        self.start(ref)

    def kill(self, ref: str, *, signal: str = "KILL") -> None:
        import signal as sigmod

        cfg = self._resolve(ref)
        status, st = self._status(cfg)
        if status not in LIVE:
            raise E.ContainerStateError(f"Cannot kill {cfg['Name']}: the container is not running",
                                        container=cfg["Name"], status=status,
                                        hint=f"start it first: lab.start({cfg['Name']!r})")
        name = str(signal).upper()
        sig = int(name) if name.isdigit() else getattr(sigmod, name if name.startswith("SIG") else "SIG" + name, None)
        if sig is None:
            raise E.InvalidReference(f"Unknown signal {signal!r}", value=str(signal), hint="for example 'TERM' or 'KILL'")
        pgid = st["Pid"]
        if sig == sigmod.SIGKILL:
            self._signal_group(pgid, sig)
            self._wait_gone(pgid)
            self._finish(cfg["Id"], 137)
        else:
            main = self._main_process(st)
            dies = main is not None and self._disposition(main, sig) == "default" and sig not in (
                sigmod.SIGCHLD, sigmod.SIGCONT, sigmod.SIGURG, sigmod.SIGWINCH)
            self._signal_main(st, sig)  # docker kill -s: to the container's main process
            if dies:
                with contextlib.suppress(Exception):
                    main.wait(timeout=5)
                for proc in self._pgid_members_except(pgid):  # the main process is gone: the rest go too
                    if not self._is_proot(proc) and proc.pid != st.get("ChildPid"):
                        with contextlib.suppress(Exception):
                            proc.kill()
                self._wait_recorded(cfg["Id"], pgid)
                self._set_exit_code(cfg["Id"], 128 + sig)

    def remove(self, ref: str, *, force: bool = False) -> None:
        cfg = self._resolve(ref)
        status, st = self._status(cfg)
        if status in LIVE:
            if not force:
                raise E.ContainerStateError(
                    f"Cannot remove {cfg['Name']}: the container is running", container=cfg["Name"], status="running",
                    hint="stop it first, or remove it with force=True (docker rm -f)")
            self._signal_group(st["Pid"], signal.SIGKILL)
            self._wait_gone(st["Pid"])
        with contextlib.suppress(_Fail):
            self._ud("rm", "-f", cfg["UdockerId"])
        shutil.rmtree(self._dir(cfg["Id"]), ignore_errors=True)

    def wait(self, ref: str, *, timeout: float | None = None) -> int:
        cfg = self._resolve(ref)
        end = time.time() + timeout if timeout else None
        delay = 0.01
        while True:
            status, st = self._status(cfg)
            if status not in LIVE:
                return int(st.get("ExitCode") if st.get("ExitCode") is not None else -1)
            if end and time.time() > end:
                raise E.OperationTimedOut(f"{cfg['Name']} did not finish within {timeout:g} s", seconds=timeout,
                                          container=cfg["Name"], state="it is still running",
                                          hint="run it with detach=True, then lab.logs() and lab.stop()")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.2)

    def logs(self, ref: str, *, tail="all", timestamps=False) -> str:
        cfg = self._resolve(ref)
        if timestamps:
            raise E.NotAvailableOnEngine("Log timestamps are not available on this engine, because udocker "
                                         "keeps each container's output as a plain file", feature="logs",
                                         engine="udocker")
        try:
            text = (self._dir(cfg["Id"]) / "log").read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""
        # proot's own notes ("proot info: pid 12: terminated with signal 15") are not the container's output
        text = "".join(ln for ln in text.splitlines(keepends=True) if not ln.startswith("proot info: "))
        if tail not in ("all", None):
            lines = text.splitlines(keepends=True)
            text = "".join(lines[-int(tail):]) if int(tail) > 0 else ""
        return text

    def exec(self, ref: str, cmd: list[str], *, tty: bool = False, workdir=None, environment=None) -> tuple[int, str]:
        cfg = self._resolve(ref)
        status, _ = self._status(cfg)
        if status != "running":
            raise E.ContainerStateError(f"Cannot exec in {cfg['Name']}: the container is not running",
                                        container=cfg["Name"], status=status,
                                        hint=f"start it first: lab.start({cfg['Name']!r})")
        args = ["run", "--nobanner"]
        for e in cfg.get("Env") or []:
            args.append(f"--env={e}")
        if isinstance(environment, dict):
            args += [f"--env={k}={v}" for k, v in environment.items()]
        if workdir or cfg.get("WorkingDir"):
            args.append(f"--workdir={workdir or cfg['WorkingDir']}")
        args += [f"--volume={b.rsplit(':', 1)[0] if b.count(':') == 2 else b}" for b in cfg.get("Binds") or []]
        args += ["--entrypoint=", cfg["UdockerId"], *cmd]  # exec runs cmd alone, as docker exec does
        try:
            cp = subprocess.run(self._argv(*args), env=self._env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        except subprocess.TimeoutExpired as e:
            raise E.EngineError(f"exec in {cfg['Name']} did not finish within 600 s") from e
        self.calls.append(("udocker", " ".join(args), cp.returncode))
        out = cp.stdout.decode("utf-8", "replace")
        if cp.returncode != 0 and "command not found or has no execute bit" in out:
            return 126 if cmd and "/" in cmd[0] else 127, f"OCI runtime exec failed: exec: \"{cmd[0]}\": executable file not found in $PATH\n"
        return cp.returncode, out

    # --- stats ----------------------------------------------------------------------------
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
    def _image_dirs(self) -> list[tuple[str, str, Path]]:
        """(repository, tag, directory) of each image udocker holds."""
        repos = self.home / "repos"
        out = []
        if not repos.is_dir():
            return out
        for tagfile in repos.rglob("TAG"):
            d = tagfile.parent
            rel, tag = d.parent.relative_to(repos).as_posix(), d.name
            with contextlib.suppress(OSError, ValueError):  # TAG holds ".../repos/<name>:<tag>"
                named = tagfile.read_text().strip().split("/repos/", 1)[1]
                rel, tag = named.rsplit(":", 1)
            out.append((rel, tag, d))
        return sorted(out)

    def _image_dict(self, repo: str, tag: str, d: Path, all_tags: list[str] | None = None) -> dict:
        size = 0
        manifest = {}
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads((d / "manifest").read_text())
        digest = (manifest.get("config") or {}).get("digest", "") if isinstance(manifest, dict) else ""
        if digest and (d / digest).exists():  # pulled (registry v2): the config blob is kept by its digest
            raw = (d / digest).read_bytes()
            for layer in manifest.get("layers") or []:
                with contextlib.suppress(OSError):
                    size += (d / layer.get("digest", "")).stat().st_size
        else:  # loaded from a `docker save` archive: container.json is the config
            raw = (d / "container.json").read_bytes() if (d / "container.json").exists() else b"{}"
            for layer in d.glob("*.layer"):
                with contextlib.suppress(OSError):
                    size += layer.stat().st_size
        conf = json.loads(raw or b"{}")
        created = conf.get("created", "")
        return {
            "Id": "sha256:" + hashlib.sha256(raw).hexdigest(),  # as Docker: the digest of the config
            "RepoTags": all_tags or [f"{repo}:{tag}"], "RepoDigests": [], "Created": int(_parse_iso(created)),
            "Size": size, "VirtualSize": size, "Labels": (conf.get("config") or {}).get("Labels") or {},
            "Config": conf.get("config") or {}, "Architecture": conf.get("architecture", ""), "Os": conf.get("os", "linux"),
            "ParentId": "", "SharedSize": -1, "Containers": -1,
        }

    def images(self, *, name: str | None = None, all: bool = False) -> list[dict]:
        by_id: dict[str, dict] = {}
        for repo, tag, d in self._image_dirs():
            if name and _split_image(name)[0] != repo:
                continue
            im = self._image_dict(repo, tag, d)
            if im["Id"] in by_id:
                by_id[im["Id"]]["RepoTags"].append(f"{repo}:{tag}")
            else:
                by_id[im["Id"]] = im
        for im in by_id.values():
            im.pop("Config", None)
            im.pop("Architecture", None)
            im.pop("Os", None)
        return list(by_id.values())

    def _find_image(self, ref: str):
        want_repo, want_tag = _split_image(ref)
        raw = ref.strip()
        raw_repo, raw_tag = (raw.rsplit(":", 1) if ":" in raw.rsplit("/", 1)[-1] else (raw, "latest"))
        wanted = [(raw_repo, raw_tag), (want_repo, want_tag), (f"library/{want_repo}", want_tag)]
        dirs = self._image_dirs()
        for key in wanted:  # the name as given first, then Docker Hub's short and long forms
            for repo, tag, d in dirs:
                if (repo, tag) == key:
                    return repo, tag, d
        short = ref.split(":", 1)[-1] if ref.startswith("sha256:") else ref
        if re.fullmatch(r"[0-9a-f]{6,64}", short):
            for repo, tag, d in dirs:
                if self._image_dict(repo, tag, d)["Id"].split(":")[1].startswith(short):
                    return repo, tag, d
        return None

    def inspect_image(self, ref: str) -> dict:
        hit = self._find_image(ref)
        if hit is None:
            from .translate import _image_not_found

            raise _image_not_found(ref, "inspect", "", [n for n, _t, _d in self._image_dirs()])
        return self._image_dict(*hit)

    def load(self, path: str) -> list[str]:
        """`docker load -i path` (``udocker load``): the image references it added."""
        if not os.access(path, os.R_OK):
            raise E.NotFound(f"Cannot load {path}: it does not exist or cannot be read",
                             hint="a `docker save` archive made on a machine with Docker")
        from . import archives

        copy = archives.legacy_copy(str(path)) if archives.needs_rewrite(str(path)) else None
        try:  # Docker 25+'s OCI layout, rewritten into the layout udocker loads
            cp = self._call(f"load {path}", lambda: self._ud("load", "-i", copy or str(path)))
        finally:
            if copy:
                os.unlink(copy)
        return [ln.strip() for ln in cp.stdout.splitlines() if re.fullmatch(r"[\w./-]+:[\w.-]+", ln.strip())]

    def _archive_for(self, repo: str, tag: str) -> Path | None:
        for cand in (self.archive_dir / f"{repo.replace('/', '_')}-{tag}.tar", self.archive_dir / f"{repo.replace('/', '_')}.tar"):
            if tag == "latest" or "-" in cand.stem:
                if cand.is_file() and os.access(cand, os.R_OK):
                    return cand
        return None

    def pull(self, repository: str, tag: str):
        """Progress events like the Engine's: ``udocker pull`` (from DOCKERLAB_UDOCKER_REGISTRY if set, else
        Docker Hub), or, with no registry reachable, ``udocker load`` of the offline archive."""
        return (Progress.of(ev) for ev in self._pull(repository, tag))

    def _pull(self, repository: str, tag: str):
        repo, _ = _split_image(f"{repository}:{tag}")
        ref = f"{repo}:{tag}"
        yield {"status": f"Pulling from {repo if '/' in repo else 'library/' + repo}", "id": tag}
        first, _, rest = repo.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            # a registry named in the reference: udocker wants it apart (--registry) and the path alone;
            # plain http for this machine's own registries, as Docker allows them without TLS
            local = first.split(":")[0] in ("localhost", "127.0.0.1", "::1") or first.startswith("127.")
            registry, path = ("http://" if local else "https://") + first, rest
        else:
            registry, path = self.registry, repo
        had_path = self._find_image(f"{path}:{tag}") is not None
        args = ["pull"] + ([f"--registry={registry}"] if registry else []) + [f"{path}:{tag}"]
        cp = self._ud(*args, check=False)
        out = (cp.stderr + "\n" + cp.stdout)
        if cp.returncode == 0 and path != repo and self._find_image(f"{path}:{tag}"):
            with contextlib.suppress(_Fail):  # keep it under the name asked for
                if not self._find_image(ref):
                    self._ud("tag", f"{path}:{tag}", ref)
                if not had_path:
                    self._ud("rmi", f"{path}:{tag}")
        if cp.returncode == 0 and self._find_image(ref):
            for layer in re.findall(r"downloading layer sha256:([0-9a-f]{12})", out):
                yield {"status": "Pull complete", "id": layer}
            yield {"status": f"Status: Downloaded newer image for {ref}"}
            return
        low = out.lower()
        offline = any(s in low for s in ("could not resolve host", "failed to connect", "connection refused",
                                         "network is unreachable", "timed out", "in download"))
        if offline:
            archive = self._archive_for(repo, tag)
            if archive is not None and not self._find_image(ref):
                self.load(str(archive))
                if self._find_image(ref):
                    yield {"status": f"Status: the registry cannot be reached from here; loaded {ref} from the "
                                     f"offline archive {archive} (udocker load)"}
                    return
            if self._find_image(ref):
                yield {"status": f"Status: the registry cannot be reached; using the local image {ref}"}
                return
            baked = self._classroom_copy(repo, tag)
            if baked is not None:  # the lessons' classroom registry (127.0.0.1:5000) has no Binder twin
                self._ud("tag", baked, ref)
                yield {"status": f"Status: no registry can be reached here; {ref} is the {baked} image already in "
                                 f"this environment (baked in at build time), tagged, not downloaded"}
                return
            where = re.search(r"resolve host: ([\w.-]+)", out)
            yield {"error": f"dial tcp: lookup {where.group(1) if where else 'the registry'}: no such host "
                            f"(udocker pull {ref})", "errorDetail": {"message": out.strip()}}
            return
        yield {"error": f"manifest unknown: {ref} not found (udocker: {out.strip().splitlines()[-1] if out.strip() else 'pull failed'})",
               "errorDetail": {"message": out.strip()}}

    def _classroom_copy(self, repo: str, tag: str) -> str | None:
        """For ``127.0.0.1:PORT/library/NAME`` (the kit's classroom registry, which the lessons pull from),
        the local ``NAME:tag`` if the store has it: on Binder no such registry exists, and the lesson
        images were baked in (``dockerlab bake``)."""
        m = re.fullmatch(r"(?:127\.0\.0\.1|localhost):\d+/library/([\w.-]+)", repo)
        if m is None:
            return None
        hit = self._find_image(f"{m.group(1)}:{tag}")
        return f"{hit[0]}:{hit[1]}" if hit else None

    def tag(self, image: str, repository: str, tag: str) -> None:
        """`docker tag` (``udocker tag``): one more name for an image."""
        hit = self._find_image(image)
        if hit is None:
            self.inspect_image(image)  # raises ImageNotFound
        repo, _ = _split_image(f"{repository}:{tag}")
        self._call(f"tag {image} as {repo}:{tag}", lambda: self._ud("tag", f"{hit[0]}:{hit[1]}", f"{repo}:{tag}"),
                   image=image)

    def push(self, repository: str, tag: str):
        raise E.NotAvailableOnEngine(
            f"Pushing {repository}:{tag} is not available on this engine, because udocker cannot push images",
            feature="push", engine="udocker", hint="push from a machine with a Docker Engine")

    def save_images(self, names: list[str], *, chunk_size: int = 1 << 20):
        raise E.NotAvailableOnEngine(
            "docker save is not available on this engine, because udocker cannot write image archives",
            feature="save", engine="udocker", hint="make the archive with `docker save` where Docker runs; "
                                                   "udocker can load it (lab.engine.load(path))")

    def load_images(self, data) -> list[Progress]:
        """`docker load` of an archive given as bytes or a file object (``udocker load``)."""
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".tar", dir=self.home) as f:
            if isinstance(data, (bytes, bytearray)):
                f.write(data)
            else:
                shutil.copyfileobj(data, f)
            f.flush()
            return [Progress(status=f"Loaded image: {r}", loaded=r) for r in self.load(f.name)]

    def remove_image(self, ref: str, *, force: bool = False) -> list:
        hit = self._find_image(ref)
        if hit is None:
            self.inspect_image(ref)  # raises ImageNotFound
        repo, tag, d = hit
        im = self._image_dict(repo, tag, d)
        users = [c["Name"] for c in self._configs() if c.get("ImageID") == im["Id"]]
        if users and not force:
            raise E.ContainerStateError(
                f"Cannot remove the image {ref}: it is used by the container(s) {', '.join(sorted(users))}",
                status="in use", hint="remove those containers first, or pass force=True")
        self._call(f"remove the image {ref}", lambda: self._ud("rmi", f"{repo}:{tag}"), image=ref)
        res = [{"Untagged": f"{repo}:{tag}"}]
        if not self._find_image(im["Id"]):
            res.append({"Deleted": im["Id"]})
        return res
