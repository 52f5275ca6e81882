"""The udocker backend as one engine: its parts (:mod:`.store`, :mod:`.processes`, :mod:`.stats`,
:mod:`.images`, :mod:`.rest`) on the engine contract, and what is its own: where udocker and proot
run, the commands it sends, and the ``version``/``info``/``df`` a daemon would give."""
from __future__ import annotations

import contextlib
import os
import platform
import re
import shutil
import socket
import subprocess
from collections import deque
from pathlib import Path

from ... import errors as E
from ...endpoints import Endpoint
from ..contract import Engine
from .common import API_VERSION, LIMITATIONS, PROOT_WRAPPER, _Fail, default_home, udocker_command, usable
from .images import ImagesMixin
from .processes import ProcessesMixin
from .rest import RestMixin
from .stats import StatsMixin
from .store import StoreMixin


class UdockerEngine(StoreMixin, ProcessesMixin, StatsMixin, ImagesMixin, RestMixin, Engine):
    """udocker + proot as a dockerlab engine backend (no daemon, no root)."""

    kind = "udocker"
    FEATURES = frozenset({"detach", "stop", "logs", "exec", "stats", "pull", "restart", "kill", "load", "df",
                          "pause"})
    LIMITATIONS = LIMITATIONS
    rest_note = ("(udocker has no daemon, so no socket answers that curl: dockerlab's udocker backend "
                 "computes the JSON a Docker Engine would return, in the same shape)")

    def _translate(self, exc, *, action: str, image: str = "", container: str = ""):
        """udocker's own failures (:class:`.common._Fail`, an OS error) in the kit's words."""
        from ..translate import translate_error

        known = ()
        if image:
            with contextlib.suppress(Exception):
                known = [n for n, _t, _d in self._image_dirs()]
        return translate_error(exc, action=action, image=image, container=container,
                               endpoint=self.endpoint.url, known_images=known)

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
                    loaded += self._load_archive(str(tar))
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

    def close(self) -> None:
        for p in list(self._procs.values()):
            with contextlib.suppress(Exception):
                p.poll()

    # --- container metadata -------------------------------------------------------------
