"""The udocker backend's running containers: each detached run's supervisor (``supervisor.py``) in a
process group of its own, and start, stop, kill, pause (signals to that group), wait, logs, exec."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from ... import errors as E
from . import supervisor
from .common import LIVE, _Fail


class ProcessesMixin:
    """Part of :class:`~dockerlab.engine.udocker.UdockerEngine` (see the module's docstring)."""

    def start(self, ref: str, *, image: str = "") -> None:
        cfg = self._resolve(ref)
        status, _st = self._status(cfg)
        if status in LIVE:
            return  # docker start on a running container does nothing
        if not self._find_exec(cfg):
            from ..translate import executable_not_found

            raise executable_not_found(image or cfg["Image"], (cfg.get("Argv") or ["(no command)"])[0])
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
        p = subprocess.Popen([sys.executable, supervisor.__file__, str(d), "1" if cfg.get("OpenStdin") else "0",
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
