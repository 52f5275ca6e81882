"""``docker compose``: the Compose v2 plugin of this machine's docker CLI, run against one engine.

Compose is a client program: it reads a ``compose.yaml`` and makes the networks, volumes and
containers through the Engine API. The kit does not reimplement it; :class:`~dockerlab.engine.
docker_engine.DockerEngine` runs the plugin itself against its own endpoint (``DOCKER_HOST``, as
:mod:`.buildkit` runs buildx), and the gate decides beforehand what the project may ask for
(:func:`dockerlab.policy.check_compose`, on the model ``docker compose config`` gives).
"""
from __future__ import annotations

import shutil
import subprocess

from .. import errors as E
from .buildkit import _cli_env, plugin_answers


def available(url: str) -> bool:
    """Does this machine's docker CLI have the Compose v2 plugin, and can it reach ``url``?"""
    return plugin_answers(url, "compose")


def run(url: str, args: list[str], *, files: list[str], project: str, cwd: str, timeout: float = 300) -> str:
    """``docker compose --project-directory CWD -p PROJECT -f FILE... ARGS``: what it printed
    (stdout, then stderr, where Compose writes its progress). A failure raises ComposeFailed with
    Compose's own last words."""
    docker = shutil.which("docker") or "docker"
    cmd = [docker, "compose", "--ansi", "never", "--progress", "plain", "--project-directory", cwd, "-p", project]
    for f in files:
        cmd += ["-f", f]
    cmd += list(args)
    try:
        r = subprocess.run(cmd, env=_cli_env(url), capture_output=True, text=True, timeout=timeout, cwd=cwd,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise E.OperationTimedOut(f"docker compose {args[0] if args else ''} did not finish within {timeout:g} s",
                                  seconds=timeout, state="what it made so far is still there",
                                  hint="look at app.ps() and app.logs(); app.down() removes the project") from None
    except OSError as e:
        raise E.NotAvailableOnEngine(f"docker compose could not be run: {e}", feature="compose",
                                     hint="install Docker's Compose v2 plugin (Debian: docker-compose)") from None
    out = (r.stdout or "") + (r.stderr or "")
    if r.returncode != 0:
        last = [ln.strip() for ln in out.splitlines() if ln.strip()]
        words = last[-1] if last else f"exit code {r.returncode}"
        raise E.ComposeFailed(f"docker compose {args[0] if args else ''} failed: {words}".replace("  ", " "),
                              output=out, state="Compose stopped there; what it had made is still there",
                              hint="read Compose's words above; app.ps() shows what runs, app.down() removes it")
    return out
