"""A second, disposable Docker Engine for fault tests, so the shared one is never stopped.

It has its own socket (/run/dockerlab-fault/docker.sock), data root (a small
tmpfs, so "disk full" is real), exec root and pidfile; no bridge, no iptables;
live-restore on (its containers outlive a daemon restart, as on a server with
that setting); one download attempt (a cut pull fails at once instead of after
~50 s of retries); and the classroom mirror on 127.0.0.1:5055 as its only
registry mirror.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path("/run/dockerlab-fault")
CURRENT_ROOT = Path(os.environ.get("DOCKERLAB_ROOTS", "/var/lib/dockerlab/roots")) / "current"
DOCKERD_FROM_ROOT = Path(__file__).resolve().parents[2] / "scripts" / "dockerd-from-root"
MIRROR_PORT = 5055


class SecondEngine:
    def __init__(self, root: Path = ROOT, *, size: str = "80m", mirror: str = f"http://127.0.0.1:{MIRROR_PORT}"):
        self.root = Path(root)
        self.size = size
        self.mirror = mirror
        self.data = self.root / "data"
        self.exec_root = self.root / "exec"
        self.pidfile = self.root / "dockerd.pid"
        self.log = self.root / "dockerd.log"
        self.sock = self.root / "docker.sock"
        self.namespace = self.root / "ns" / "mnt"  # the current engine's mount namespace, kept across restarts
        self.url = f"unix://{self.sock}"

    # --- lifecycle ------------------------------------------------------------------
    def setup(self) -> None:
        if os.geteuid() != 0 or not (shutil.which("dockerd") or CURRENT_ROOT.is_dir()):
            raise RuntimeError("a second dockerd needs root and dockerd")
        self._kill_leftover()
        self.root.mkdir(parents=True, exist_ok=True)
        self.exec_root.mkdir(exist_ok=True)
        self.data.mkdir(exist_ok=True)
        # a new, empty data root each time: images an earlier run left there must not change this run's
        # results (the tmpfs outlives a run; its dockerd was stopped just above)
        if subprocess.run(["mountpoint", "-q", str(self.data)]).returncode == 0:
            subprocess.run(["umount", "-l", str(self.data)], check=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", str(self.data)], check=True)
        self.start()

    def start(self, timeout: float = 60) -> None:
        # --ip-forward=false: a dockerd without it turns the machine's ip_forward on, and the kernel then
        # copies that to every interface, the kit's bridge too (see RECIPES, provision-engine)
        args = ["--host", self.url, "--data-root", str(self.data), "--exec-root", str(self.exec_root),
                "--pidfile", str(self.pidfile), "--bridge", "none", "--iptables=false", "--ip-masq=false",
                "--ip-forward=false", "--live-restore", "--max-download-attempts", "1", "--registry-mirror", self.mirror]
        cmd = ["dockerd", *args]
        if CURRENT_ROOT.is_dir() and os.environ.get("DOCKERLAB_ENGINE", "current") == "current":
            # the engine learners have (provision-engine's current root), as the shared engine is
            # its namespace kept: with live-restore, the engine must come back where its containers run
            cmd = [str(DOCKERD_FROM_ROOT), "--namespace", str(self.namespace), str(CURRENT_ROOT.resolve()), *args]
        with open(self.log, "ab") as log:
            subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.2)
        raise RuntimeError(f"the second dockerd did not answer within {timeout} s; see {self.log}")

    def ensure_up(self) -> None:
        """Start it again if a test stopped it and failed before starting it."""
        if self.pid() is None or not self.answers():
            if self.pid() is not None:
                self.stop()
            self.start()

    def answers(self) -> bool:
        return subprocess.run(["docker", "-H", self.url, "version", "--format", "{{.Server.Version}}"],
                              capture_output=True, timeout=20).returncode == 0

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def stop(self, timeout: float = 30) -> None:
        """Stop this dockerd (SIGTERM, as `systemctl stop docker`), and wait until it is gone."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            try:
                os.waitpid(pid, os.WNOHANG)
            except OSError:
                pass
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)

    def cli(self, *args, check=True, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(["docker", "-H", self.url, *args], capture_output=True, text=True, check=check, **kw)

    def teardown(self) -> None:
        try:
            self.ensure_up()  # live-restore: containers outlive a stopped daemon, so remove them through it
        except (RuntimeError, OSError):
            pass
        if self.pid() is not None:
            ids = self.cli("ps", "-aq", check=False).stdout.split()
            if ids:
                self.cli("rm", "-f", *ids, check=False)
            self.stop()
        self._kill_leftover()
        self._kill_shims()
        subprocess.run(["umount", "-l", str(self.data)], capture_output=True)
        for kept in (self.namespace, self.namespace.parent):  # dockerd-from-root --namespace's mounts
            subprocess.run(["umount", "-l", str(kept)], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_leftover(self) -> None:
        """A dockerd left by an earlier, crashed run on this very socket (never the shared one)."""
        pid = self.pid()
        if pid is not None:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                return
            if str(self.sock).encode() in b" ".join(cmdline):
                self.stop()

    def _kill_shims(self) -> None:
        """Last resort: containers of this daemon still running after it stopped (their shims name our exec root)."""
        import psutil

        mark = f"{self.exec_root}/containerd/containerd.sock"
        for proc in psutil.process_iter(["cmdline"]):
            if mark in " ".join(proc.info.get("cmdline") or []):
                try:
                    for child in proc.children(recursive=True):
                        child.kill()
                    proc.kill()
                except psutil.Error:
                    pass

    # --- the kit on it -------------------------------------------------------------------
    def lab(self, **kw):
        from dockerlab.endpoints import Endpoint
        from dockerlab.engine.docker_engine import DockerEngine
        from dockerlab.lab import Lab

        kw.setdefault("show_cli", False)
        return Lab(DockerEngine(Endpoint(self.url, "second engine (tests)"), timeout=30), **kw)
