"""jupyterhub-idle-culler as the classroom's hub service, its pid written to the state folder.

A hub stopped hard (as `classroom up` restarts it, keeping the servers) leaves its services
running. A culler left over from an earlier hub goes on culling with the timeout it was started
with (seen in CI: "Culling server ... inactive for 00:00:24" after the teacher had set 3600 s
again), so a new hub's start and `down` stop it by this pid, as they stop the teacher's gate."""
from __future__ import annotations

import os
import sys
from pathlib import Path

PIDFILE = "idle-culler.pid"


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    state = argv.pop(0)
    Path(state, PIDFILE).write_text(str(os.getpid()))
    from jupyterhub_idle_culler import main as cull

    sys.argv = ["jupyterhub-idle-culler", *argv]
    cull()


if __name__ == "__main__":
    main()
