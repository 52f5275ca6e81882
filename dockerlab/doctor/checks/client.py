"""The Client checks: the docker CLI, the Docker SDK for Python, a Python the learners can run."""
from __future__ import annotations

import os
import platform
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from ..report import Check
from .base import Ctx, check, whoami


@check("docker CLI", group="Client")
def _check_cli(ctx: Ctx) -> Check:
    path = shutil.which("docker", path=ctx.env.get("PATH", ""))
    if not path:
        return Check("docker CLI", "warn", "no 'docker' on PATH", group="Client", data={"path": None},
                     fix="the kit itself does not need it, but the lessons show each step's `$ docker ...` command "
                         "to try in a terminal; install the docker-ce-cli package (dockerlab doctor --install)")
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=ctx.timeout + 5,
                             env=ctx.env)
        text = (out.stdout or out.stderr).strip()
    except (OSError, subprocess.SubprocessError) as e:
        return Check("docker CLI", "warn", f"{path} could not be run: {e}", group="Client", data={"path": path},
                     fix="reinstall the docker CLI")
    m = re.search(r"version ([0-9][^\s,]*)", text)
    version = m.group(1) if m else ""
    ctx.cli_version = version
    data = {"path": path, "version": version, "output": text}
    if not version:
        return Check("docker CLI", "warn", f"{path}: {text or 'no output'}", group="Client", data=data,
                     fix="this does not look like the docker CLI")
    major = int(version.split(".")[0]) if version.split(".")[0].isdigit() else 0
    if major and major < 20:
        return Check("docker CLI", "warn", f"{path}, version {version}", group="Client", data=data,
                     fix="this CLI is very old; install the current docker-ce-cli")
    return Check("docker CLI", "pass", f"{path}, version {version}", group="Client", data=data)


@check("Docker SDK", group="Client")
def _check_sdk(ctx: Ctx) -> Check:
    try:
        import docker
    except ImportError as e:
        return Check("Docker SDK", "fail", f"the Python package 'docker' cannot be imported ({e})", group="Client",
                     data={"version": None}, fix=f"{sys.executable} -m pip install 'docker>=7.1,<8' (or ./kit env)")
    version = getattr(docker, "__version__", "?")
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]] + [0, 0]
    data = {"version": version, "python": platform.python_version(), "executable": sys.executable}
    ev = f"docker {version} (Python {platform.python_version()}, {sys.executable})"
    if tuple(parts[:2]) < (7, 1):
        return Check("Docker SDK", "fail", ev, group="Client", data=data,
                     fix=f"the kit needs docker>=7.1,<8: {sys.executable} -m pip install -U 'docker>=7.1,<8'")
    return Check("Docker SDK", "pass", ev, group="Client", data=data)


def blocked_for_others(path: str) -> str:
    """The first directory (or the file) on ``path``'s real path that other users may not enter or run ("" if none)."""
    real = Path(os.path.realpath(path))
    for p in [*reversed(real.parents), real]:
        try:
            mode = p.stat().st_mode
        except OSError:
            return str(p)
        if not mode & stat.S_IXOTH:
            return f"{p} (mode {stat.filemode(mode)})"
    return ""


@check("Python for learners", group="Client",
       option=("for_others", "not checked: a check for whoever sets this machine up for others (--for-others)"))
def _check_learner_python(ctx: Ctx) -> Check:
    name = "Python for learners"
    exe = sys.executable
    if os.getuid() != 0:
        return Check(name, "pass", f"{exe}: you are running it as {whoami()}", group="Client", data={"python": exe})
    block = blocked_for_others(exe)
    data = {"python": exe, "real": os.path.realpath(exe), "blocked_by": block}
    if not block:
        return Check(name, "pass", f"{exe} can be run by other users too", group="Client", data=data)
    return Check(name, "warn", f"{exe} is {os.path.realpath(exe)}; other users cannot run it: {block}",
                 group="Client", data=data,
                 fix="you are root, so this is fine for you; learners who log in as themselves need a Python they can "
                     "run (in this repository './kit env' makes /opt/dockerlab/learner-venv), or 'chmod o+x' on that directory")
