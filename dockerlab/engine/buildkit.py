"""``docker build`` with BuildKit, as Docker 23 and later build: through the docker CLI's buildx.

The Engine API's ``/build`` (what docker-py's ``build()`` calls) is the classic builder; BuildKit
speaks gRPC over a session that only buildx implements. So where the docker CLI here has the
buildx plugin, :class:`~dockerlab.engine.docker_engine.DockerEngine` builds by running
``docker buildx build --progress=plain`` against its own endpoint, and turns each line the CLI
prints into a :class:`~dockerlab.engine.progress.Progress` (``stream``), the image it made into
``image_id`` (from ``--iidfile``) and a failure into ``error``: the same messages the classic
builder's stream gives, so the Lab reads one shape whichever builder ran.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from .progress import Progress

#: which endpoints the CLI can be pointed at with DOCKER_HOST alone (TLS needs files on disk)
_PLAIN_SCHEMES = ("unix://", "ssh://", "npipe://")


def _cli_env(url: str) -> dict | None:
    """The environment that points the docker CLI at ``url``, or None where it cannot be
    pointed there without the TLS files the kit does not have."""
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_CONTEXT",)}
    if url.startswith(_PLAIN_SCHEMES) or (url.startswith("tcp://") and not env.get("DOCKER_TLS_VERIFY")):
        env["DOCKER_HOST"] = url
        return env
    if env.get("DOCKER_HOST") == url:  # TLS: the CLI has the same environment as the kit
        return env
    return None


def plugin_answers(url: str, plugin: str) -> bool:
    """Does this machine's docker CLI have ``plugin`` (buildx, compose), and can it reach ``url``?"""
    docker = shutil.which("docker")
    env = _cli_env(url)
    if not docker or env is None:
        return False
    try:
        r = subprocess.run([docker, plugin, "version"], env=env, capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0


def available(url: str) -> bool:
    """Does this machine's docker CLI have buildx, and can it reach ``url``?"""
    return plugin_answers(url, "buildx")


def build(url: str, *, tag: str, path: str | None = None, dockerfile_text: str | None = None,
          labels: dict | None = None, nocache: bool = False, pull: bool = False, build_args: dict | None = None,
          target: str | None = None, secrets: dict | None = None):
    """Yield :class:`Progress` for each line of ``docker buildx build --progress=plain``. ``secrets``:
    ``{id: path of the file}`` (``--secret id=ID,src=PATH``: BuildKit reads the file; it is never an argument)."""
    docker = shutil.which("docker") or "docker"
    where = tempfile.mkdtemp(prefix="dockerlab-build-")
    iidfile = os.path.join(where, "iid")  # buildx writes it once the image is made
    args = [docker, "buildx", "build", "--progress=plain", "--iidfile", iidfile, "-t", tag]
    for k, v in (labels or {}).items():
        args += ["--label", f"{k}={v}"]
    if nocache:
        args.append("--no-cache")
    if pull:
        args.append("--pull")
    for k, v in (build_args or {}).items():
        args += ["--build-arg", f"{k}={v}"]
    if target:
        args += ["--target", target]
    for sid, src in (secrets or {}).items():
        args += ["--secret", f"id={sid},src={src}"]
    args.append(path if path is not None else "-")
    proc = subprocess.Popen(args, env=_cli_env(url), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    errors: list[str] = []
    try:
        if dockerfile_text is not None:
            proc.stdin.write(dockerfile_text)
        proc.stdin.close()
        for line in proc.stdout:
            if line.startswith("ERROR: "):
                errors.append(line[len("ERROR: "):].strip())
            yield Progress(stream=line if line.endswith("\n") else line + "\n")
        rc = proc.wait()
        if rc != 0:
            msg = errors[-1] if errors else f"docker buildx build exited {rc}"
            yield Progress(error=msg.removeprefix("failed to build: "))
            return
        with open(iidfile) as f:
            image_id = f.read().strip()
        yield Progress(image_id=image_id)
    finally:
        if proc.poll() is None:  # interrupted: the build stops with the cell
            proc.kill()
            proc.wait()
        shutil.rmtree(where, ignore_errors=True)
