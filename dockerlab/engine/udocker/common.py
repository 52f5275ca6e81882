"""What the udocker backend's parts share: where udocker and proot are, the few facts of the
backend (its API version, what it cannot do), file and time helpers, and the failure its
commands raise."""
from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path


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
    "networks": "containers share the host's network (there is no network namespace), so there are no networks "
                "to create: read lesson 14 and try it where Docker runs (Docker Desktop, or the class's hub)",
    "compose": "Compose talks to a Docker Engine's API, and udocker has no daemon: read lesson 14's compose.yaml "
               "and run it where Docker runs",
    "build": "udocker has no image builder (no `docker build`): images come from a registry or a "
             "`docker save` archive",
    "ports": "containers share the host's network: a server in a container listens on this machine's own "
             "ports, so there is nothing to publish (-p)",
    "push": "udocker cannot push images to a registry",
    "save": "udocker cannot write image archives: make one with `docker save` where Docker runs, and "
            "lab.engine.load_images(open(path, 'rb')) loads it here",
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


