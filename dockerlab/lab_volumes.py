"""Lesson 12 of the lab API: volumes (`docker volume ...`, `docker run -v`).

A mixin that :class:`dockerlab.lab.Lab` inherits. A ``-v`` value names either a
**named volume** (``nb12-data:/data``: the engine keeps it in its own folder, and
it outlives every container) or a **bind mount** of a folder on this machine
(``./nb12-files:/data``, ``/home/me/x:/data``: the container sees the folder itself).
Named volumes the kit creates carry its labels, like its containers.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from . import errors as E
from . import labels

_VOLUME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


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


def _bad(value, why: str) -> E.InvalidReference:
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
            if not isinstance(spec, dict) or not isinstance(spec.get("bind"), str):
                raise _bad(volumes, "a dict must look like {'/host/path': {'bind': '/in/container', 'mode': 'ro'}}")
            items.append(f"{src}:{spec['bind']}:{spec.get('mode', 'rw')}")
        volumes = items
    if isinstance(volumes, str):
        volumes = [volumes]
    if not isinstance(volumes, (list, tuple)):
        raise _bad(volumes, f"a {type(volumes).__name__} is not a list of volumes")
    out = []
    for v in volumes:
        if not isinstance(v, str) or not v.strip():
            raise _bad(v, "it is empty" if isinstance(v, str) else "it is not a string")
        parts = v.strip().split(":")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise _bad(v, "it needs a source and a path in the container, separated by ':'")
        src, dst = parts[0], parts[1]
        mode = parts[2] if len(parts) == 3 else "rw"
        if mode not in ("rw", "ro"):
            raise _bad(v, f"the mode {mode!r} is not 'ro' or 'rw'")
        if not dst.startswith("/"):
            raise _bad(v, f"the path in the container ({dst!r}) must start with '/'")
        if "/" in src or src.startswith((".", "~")):
            path = os.path.expanduser(src)
            path = os.path.normpath(path if os.path.isabs(path) else os.path.join(cwd or os.getcwd(), path))
            out.append(Mount("bind", path, dst, mode, written=src))
        else:
            if not _VOLUME_NAME.match(src):
                raise _bad(v, f"{src!r} is not a valid volume name (letters, digits, '_', '.', '-')")
            out.append(Mount("volume", src, dst, mode, written=src))
    return out


def volumes_frame(vols: list[dict]):
    """`docker volume ls` as a DataFrame (DRIVER, VOLUME NAME), sorted by name."""
    import pandas as pd

    rows = [{"DRIVER": v.get("Driver", ""), "VOLUME NAME": v.get("Name", "")} for v in vols]
    df = pd.DataFrame(rows, columns=["DRIVER", "VOLUME NAME"])
    return df.sort_values("VOLUME NAME", ignore_index=True)


class Volume(dict):
    """`docker volume inspect NAME`: the engine's dict, with a short stable repr."""

    @property
    def name(self) -> str:
        return self.get("Name", "")

    @property
    def mountpoint(self) -> str:
        return self.get("Mountpoint", "")

    def __repr__(self) -> str:
        return f"Volume(name={self.name!r}, driver={self.get('Driver', '')!r})"


class VolumesMixin:
    """`docker volume create/ls/inspect/rm`, and named volumes for `run -v` (see :class:`dockerlab.lab.Lab`)."""

    def _volume_labels(self) -> dict:
        return labels.make_labels(owner=self.owner, session=self.session, lesson=self.lesson)

    def volume_create(self, name: str) -> Volume:
        """`docker volume create NAME`: an empty volume the engine keeps until `docker volume rm`."""
        self._need_feature("volumes", "A named volume (docker volume create)",
                   hint="use a folder of yours instead: lab.run(..., volumes=['./my-folder:/data'])")
        if not isinstance(name, str) or not _VOLUME_NAME.match(name):
            raise _bad(name, "a volume name is letters, digits, '_', '.' and '-'")
        self._twin(f"docker volume create {name}")
        self._engine.create_volume(name, labels=self._volume_labels())
        return Volume(self._engine.inspect_volume(name))

    def volumes(self, *, scope: str = "mine"):
        """`docker volume ls`: the volumes as a DataFrame, sorted by name (``scope`` as in :meth:`ps`)."""
        self._need_feature("volumes", "Listing volumes (docker volume ls)")
        self._twin(" ".join(w for w in ("docker volume ls", self._scope_twin(scope) if scope != "mine" else "") if w))
        df = volumes_frame(self._engine.volumes(filters=self._filters(scope) or None))
        df.attrs["cli"] = self.history[-1]
        return df

    def volume_inspect(self, name: str) -> Volume:
        """`docker volume inspect NAME`: where the engine keeps it (Mountpoint), its labels."""
        self._need_feature("volumes", "Inspecting a volume (docker volume inspect)")
        self._twin(f"docker volume inspect {name}")
        return Volume(self._engine.inspect_volume(name))

    def volume_remove(self, name: str, *, force: bool = False, confirm: bool = False) -> str:
        """`docker volume rm NAME`: delete a volume and its data (refused while a container uses it)."""
        self._need_feature("volumes", "Removing a volume (docker volume rm)")
        vol = self._engine.inspect_volume(name)
        lab = vol.get("Labels") or {}
        mine = labels.is_managed(lab) and lab.get(labels.OWNER) == self.owner
        if not mine and not (confirm and (not labels.is_managed(lab) or os.environ.get("DOCKERLAB_ALLOW_OTHERS") == "1")):
            whose = f"it belongs to {lab.get(labels.OWNER)!r}" if labels.is_managed(lab) else "dockerlab did not create it"
            raise E.NotOwned(f"Refusing to remove the volume {name}: {whose}", container=name,
                             owner=lab.get(labels.OWNER, ""), state="its data is untouched",
                             hint="only your own volumes are removed without confirm=True")
        self._twin(f"docker volume rm {'-f ' if force else ''}{name}")
        self._engine.remove_volume(name, force=force)
        return name

    def _mounts(self, volumes) -> list[Mount]:
        """The ``volumes=`` of run: parsed; named volumes need an engine with volumes."""
        mounts = parse_mounts(volumes)
        if any(m.kind == "volume" for m in mounts) and not self.can("volumes"):
            why = getattr(self._engine, "limitations", {}).get("volumes", "this engine has no named volumes")
            raise E.NotAvailableOnEngine(f"Named volumes are not available on this engine, because {why}",
                                         feature="volumes", engine=self._engine.kind, state="nothing was started",
                                         hint="mount a folder of yours instead: volumes=['./my-folder:/data']")
        return mounts

    def _ensure_volumes(self, mounts: list[Mount]) -> None:
        """Create the named volumes that do not exist yet, with the kit's labels (the CLI would create
        them silently, unlabelled)."""
        for m in mounts:
            if m.kind != "volume":
                continue
            try:
                self._engine.inspect_volume(m.source)
            except E.VolumeNotFound:
                self._engine.create_volume(m.source, labels=self._volume_labels())

    def remove_my_volumes(self, *, scope: str = "session") -> list[str]:
        """Remove the kit's volumes of this session (or all of yours: ``scope="mine"``) that no container uses."""
        removed = []
        for v in sorted(self._engine.volumes(filters=self._filters(scope)), key=lambda v: v.get("Name", "")):
            try:
                self._engine.remove_volume(v["Name"])
                removed.append(v["Name"])
            except (E.VolumeInUse, E.VolumeNotFound):
                continue
        return removed
