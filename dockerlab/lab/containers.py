"""Lessons 05-06 of the lab API: one container's life (`docker inspect`, `start`, `stop`,
`restart`, `kill`, `pause`, `unpause`, `rm`, `logs`, `exec`).

Each call has the gate resolve the container for its action first (:meth:`dockerlab.gate.Gate.look`
to read, :meth:`~dockerlab.gate.Gate.owned` to change), prints its twin with the container's
real name, then asks the engine through the gate.
"""
from __future__ import annotations

from .. import args as A
from .. import errors as E
from .. import refs, twin
from ..results import Container, ExecResult, Text
from .base import LabBase

_BUSY = ("running", "paused", "restarting")


class ContainersMixin(LabBase):
    """One container at a time (see :class:`dockerlab.lab.Lab`)."""

    def container(self, ref: str, *, confirm: bool = False) -> Container:
        """The container named (or with the id) ``ref``, as it is now (`docker inspect`)."""
        return self._gate.look(ref, "inspect", confirm).container

    def _now(self, t) -> Container:
        return self._gate.refresh(t).container

    def start(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker start ref`: start a stopped container again (same command, same name)."""
        t = self._gate.owned(ref, "start", confirm)
        self._twin(f"docker start {t.name}")
        if t.container.state in _BUSY:
            self._gate.on(t, "start")
        else:
            with self._gate.slot():  # max_running holds for create + start too
                self._gate.on(t, "start")
        return self._now(t)

    def stop(self, ref: str, *, timeout: int = 10, confirm: bool = False) -> Container:
        """`docker stop ref`: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        timeout = A.whole(timeout, "timeout", maximum=3600, allow_none=False)
        t = self._gate.owned(ref, "stop", confirm)
        self._twin(f"docker stop {t.name}" if timeout == 10 else f"docker stop -t {timeout} {t.name}")
        self._gate.on(t, "stop", timeout=timeout)
        return self._now(t)

    def restart(self, ref: str, *, timeout: int = 10, confirm: bool = False) -> Container:
        """`docker restart ref`."""
        timeout = A.whole(timeout, "timeout", maximum=3600, allow_none=False)
        t = self._gate.owned(ref, "restart", confirm)
        self._twin(f"docker restart {t.name}" if timeout == 10 else f"docker restart -t {timeout} {t.name}")
        if t.container.state in _BUSY:
            self._gate.on(t, "restart", timeout=timeout)
        else:
            with self._gate.slot():
                self._gate.on(t, "restart", timeout=timeout)
        return self._now(t)

    def kill(self, ref: str, *, signal: str = "KILL", confirm: bool = False) -> Container:
        """`docker kill ref`: send a signal (SIGKILL by default) to the main process."""
        signal = A.signal(signal)
        t = self._gate.owned(ref, "kill", confirm)
        self._twin(f"docker kill {t.name}" if signal == "KILL" else f"docker kill -s {signal} {t.name}")
        self._gate.on(t, "kill", signal=signal)
        return self._now(t)

    def pause(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker pause ref`: freeze every process of the container (state: paused)."""
        t = self._gate.owned(ref, "pause", confirm)
        self._need("pause", "docker pause")
        self._twin(f"docker pause {t.name}")
        self._gate.on(t, "pause")
        return self._now(t)

    def unpause(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker unpause ref`: let a paused container's processes run again."""
        t = self._gate.owned(ref, "unpause", confirm)
        self._need("pause", "docker unpause")
        self._twin(f"docker unpause {t.name}")
        self._gate.on(t, "unpause")
        return self._now(t)

    def remove(self, ref: str, *, force: bool = False, confirm: bool = False) -> str:
        """`docker rm ref` (``force=True``: `docker rm -f`, which kills it first)."""
        force = A.flag(force, "force")
        t = self._gate.owned(ref, "remove", confirm)
        self._twin(f"docker rm {'-f ' if force else ''}{t.name}")
        self._gate.on(t, "remove", force=force)
        return t.name

    def logs(self, ref: str, *, tail: int | None = None, confirm: bool = False) -> Text:
        """`docker logs ref`: what the container printed (``tail``: the last lines only)."""
        tail = A.whole(tail, "tail")
        t = self._gate.look(ref, "read the logs of", confirm)
        self._twin(f"docker logs {'--tail %d ' % tail if tail else ''}{t.name}")
        return Text(self._gate.on(t, "logs", tail=tail if tail else "all"))

    def wait_for_log(self, ref: str, text: str, *, timeout: float = 30, confirm: bool = False) -> str:
        """`docker logs -f ref | grep -m 1 TEXT`: wait until a detached server says it is ready (its first
        line holding ``text``) and return that line; OperationTimedOut after ``timeout`` seconds."""
        import time

        timeout = A.seconds(timeout)
        t = self._gate.look(ref, "read the logs of", confirm)
        self._twin(f"docker logs -f {t.name} | grep -m 1 {twin.q(text)}")
        end = time.monotonic() + timeout
        while True:
            hits = [ln for ln in str(self._gate.on(t, "logs", tail="all")).splitlines() if text in ln]
            if hits:
                return hits[0]
            if time.monotonic() > end:
                raise E.OperationTimedOut(f"{t.name} did not print {text!r} within {timeout:g} seconds", seconds=timeout,
                                          state=f"{t.name} goes on", hint=f"lab.logs({t.name!r}) shows what it printed")
            time.sleep(0.1)

    def exec(self, ref: str, command, *, confirm: bool = False) -> ExecResult:
        """`docker exec ref command`: run another process inside a running container."""
        argv = A.command_size(refs.split_command(command))
        if not argv:
            raise E.InvalidReference("exec needs a command", hint="for example lab.exec('web', 'ps')")
        t = self._gate.owned(ref, "exec in", confirm)
        self._twin(f"docker exec {t.name} " + " ".join(twin.q(a) for a in argv))
        if t.container.state != "running":
            raise E.ContainerStateError(f"Cannot exec in {t.name}: it is {t.container.state}, not running",
                                        container=t.name, status=t.container.state,
                                        hint=f"start it first: lab.start({t.name!r})")
        code, out = self._gate.on(t, "exec", argv)
        return ExecResult(Text(out), code)
