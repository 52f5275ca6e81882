"""The supervisor of one detached udocker run, a program of its own.

The supervisor of one detached run: starts udocker in its own process group
(the caller used start_new_session), sends its output to the log file, and
records the pid, the start, and the exit code (128+signal when killed) in
state.json. A Python handler (not SIG_IGN) for TERM/INT keeps it alive to
record the exit code, while the child keeps the default behaviour.

Run as ``python -m dockerlab.engine.udocker.supervisor DIR KEEP_STDIN CMD...`` (the engine starts
it in a new session, so it leads a process group of its own). It imports nothing of the kit: it
must start fast and outlive the kernel that started it.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time


def write(d: str, state: dict) -> None:
    """state.json, whole or not at all (a temporary file with a name of its own)."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=d, prefix="state.json.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    os.replace(tmp, os.path.join(d, "state.json"))


def main(argv: list[str]) -> int:
    d, keep_stdin, cmd = argv[0], argv[1] == "1", argv[2:]
    signal.signal(signal.SIGTERM, lambda *a: None)
    signal.signal(signal.SIGINT, lambda *a: None)
    log = open(os.path.join(d, "log"), "ab", buffering=0)
    if keep_stdin:
        r, _w = os.pipe()  # stdin stays open (docker run -i): nothing ever writes to it
        stdin = r
    else:
        stdin = subprocess.DEVNULL
    try:
        p = subprocess.Popen(cmd, stdin=stdin, stdout=log, stderr=log)
    except OSError as e:
        log.write(("dockerlab: could not start udocker: %s\n" % e).encode())
        write(d, {"Pid": os.getpid(), "StartedAt": time.time(), "ExitCode": 127, "FinishedAt": time.time()})
        return 127
    state = {"Pid": os.getpid(), "ChildPid": p.pid, "StartedAt": time.time(), "ExitCode": None, "FinishedAt": None}
    write(d, state)
    rc = p.wait()
    code = rc if rc >= 0 else 128 - rc
    if code == 255:  # proot exits 255 when its process died of a signal; it logs which: report 128+signal
        try:
            with open(os.path.join(d, "log"), "rb") as f:
                f.seek(max(0, os.path.getsize(f.name) - 4096))
                tail = f.read().decode("utf-8", "replace")
            sigs = re.findall(r"proot info: pid \d+: terminated with signal (\d+)", tail)
            if sigs:
                code = 128 + int(sigs[-1])
        except OSError:
            pass
    state.update(ExitCode=code, FinishedAt=time.time())
    write(d, state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
