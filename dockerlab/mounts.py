"""The one grammar of ``-v`` (``volumes=``): what `docker run -v` takes, parsed once.

A value names either a **named volume** (``nb12-data:/data``: the engine keeps it in its own
folder, and it outlives every container) or a **bind mount** of a folder on this machine
(``./nb12-files:/data``, ``/home/me/x:/data``, ``~/x:/data``: the container sees the folder
itself). As the docker CLI decides: a source with a ``/`` or starting with ``.`` or ``~`` is a
path, made absolute against the notebook's folder; anything else is a volume name. Whether a
bind may be made is :func:`dockerlab.policy.check_launch`'s decision, on these parsed mounts.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from . import errors as E

_VOLUME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
MAX_MOUNTS = 32


@dataclass(frozen=True)
class Mount:
    """One ``-v``: ``kind`` is "volume" or "bind"; ``source`` a volume name or an absolute path."""

    kind: str
    source: str
    target: str
    mode: str = "rw"
    written: str = ""  # the source as the learner wrote it (for the twin)

    @property
    def bind(self) -> str:
        """The ``binds`` entry for the engine (``source:target:mode``)."""
        return f"{self.source}:{self.target}:{self.mode}"

    def cli(self) -> str:
        src = self.written or self.source
        if self.kind == "bind" and not os.path.isabs(src) and not src.startswith("~"):
            # the CLI of Docker 20.10 wants an absolute path: "$PWD" makes the twin runnable here
            src = '"$PWD"/' + re.sub(r"^\./", "", src)
        return f"-v {src}:{self.target}" + (":ro" if self.mode == "ro" else "")


def invalid_volume(value, why: str) -> E.InvalidReference:
    return E.InvalidReference(f"Invalid volume {value!r}: {why}", value=repr(value),
                              hint="write 'VOLUME-NAME:/path/in/container' (a named volume) or "
                                   "'./folder:/path/in/container' (a folder of yours), optionally ':ro'")


def parse_mounts(volumes, cwd: str | None = None) -> list[Mount]:
    """``-v`` values (a string or a list of them) -> :class:`Mount` s. A source with no ``/`` is a
    named volume; one with a ``/`` (``./data``, ``data/x``, ``/srv/x``, ``~/x``) is a folder on this
    machine, made absolute against ``cwd`` (the notebook's folder)."""
    if volumes is None:
        return []
    if isinstance(volumes, dict):  # docker-py's {'/host': {'bind': '/ctr', 'mode': 'ro'}}
        items = []
        for src, spec in volumes.items():
            if (not isinstance(src, str) or not isinstance(spec, dict) or not isinstance(spec.get("bind"), str)
                    or ":" in src or ":" in spec["bind"]):  # '/:/x' in a key would smuggle in '/'
                raise invalid_volume(volumes, "a dict must look like {'/host/path': {'bind': '/in/container', 'mode': 'ro'}}")
            items.append(f"{src}:{spec['bind']}:{spec.get('mode', 'rw')}")
        volumes = items
    if isinstance(volumes, str):
        volumes = [volumes]
    if not isinstance(volumes, (list, tuple)):
        raise invalid_volume(volumes, f"a {type(volumes).__name__} is not a list of volumes")
    if len(volumes) > MAX_MOUNTS:
        raise E.InvalidReference(f"{len(volumes)} mounts in one run; the kit sends at most {MAX_MOUNTS}",
                                 value=f"{len(volumes)} mounts", hint="mount a parent folder, or fewer volumes")
    out = []
    for v in volumes:
        if not isinstance(v, str) or not v.strip():
            raise invalid_volume(v, "it is empty" if isinstance(v, str) else "it is not a string")
        parts = v.strip().split(":")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise invalid_volume(v, "it needs a source and a path in the container, separated by ':'")
        src, dst = parts[0], parts[1]
        mode = parts[2] if len(parts) == 3 else "rw"
        if mode not in ("rw", "ro"):
            raise invalid_volume(v, f"the mode {mode!r} is not 'ro' or 'rw'")
        if not dst.startswith("/"):
            raise invalid_volume(v, f"the path in the container ({dst!r}) must start with '/'")
        if dst == "/" or "\x00" in v:
            raise invalid_volume(v, "the path in the container cannot be '/' itself" if dst == "/" else "it holds a NUL byte")
        if "/" in src or src.startswith((".", "~")):
            path = os.path.expanduser(src)
            path = os.path.normpath(path if os.path.isabs(path) else os.path.join(cwd or os.getcwd(), path))
            out.append(Mount("bind", path, dst, mode, written=src))
        else:
            if not _VOLUME_NAME.match(src):
                raise invalid_volume(v, f"{src!r} is not a valid volume name (letters, digits, '_', '.', '-')")
            out.append(Mount("volume", src, dst, mode, written=src))
    return out
