"""Lesson 12 of the lab API: volumes (`docker volume ...`, `docker run -v`).

A mixin that :class:`dockerlab.lab.Lab` inherits. A ``-v`` value names either a
**named volume** (``nb12-data:/data``: the engine keeps it in its own folder, and
it outlives every container) or a **bind mount** of a folder on this machine
(``./nb12-files:/data``, ``/home/me/x:/data``: the container sees the folder itself).
Named volumes the kit creates carry its labels, like its containers.
"""
from __future__ import annotations

import re

from .. import errors as E
from ..mounts import Mount, invalid_volume, parse_mounts  # noqa: F401  (the one -v grammar)
from .base import LabBase

_VOLUME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


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


class VolumesMixin(LabBase):
    """`docker volume create/ls/inspect/rm`, and named volumes for `run -v` (see :class:`dockerlab.lab.Lab`)."""

    def volume_create(self, name: str) -> Volume:
        """`docker volume create NAME`: an empty volume the engine keeps until `docker volume rm`."""
        self._need("volumes", "A named volume (docker volume create)", state="nothing was done",
                   hint="use a folder of yours instead: lab.run(..., volumes=['./my-folder:/data'])")
        if not isinstance(name, str) or not _VOLUME_NAME.match(name):
            raise invalid_volume(name, "a volume name is letters, digits, '_', '.' and '-'")
        self._twin(f"docker volume create {name}")
        self._gate.create_volume(name, session=self.session, lesson=self.lesson)
        return Volume(self._gate.inspect_volume(name))

    def volumes(self, *, scope: str = "mine"):
        """`docker volume ls`: the volumes as a DataFrame, sorted by name (``scope`` as in :meth:`ps`)."""
        self._need("volumes", "Listing volumes (docker volume ls)", state="nothing was done")
        cli = self._twin(" ".join(w for w in ("docker volume ls", self._scope_twin(scope) if scope != "mine" else "") if w))
        df = volumes_frame(self._gate.volumes(filters=self._filters(scope) or None))
        df.attrs["cli"] = cli
        return df

    def volume_inspect(self, name: str) -> Volume:
        """`docker volume inspect NAME`: where the engine keeps it (Mountpoint), its labels."""
        self._need("volumes", "Inspecting a volume (docker volume inspect)", state="nothing was done")
        self._twin(f"docker volume inspect {name}")
        return Volume(self._gate.inspect_volume(name))

    def volume_remove(self, name: str, *, force: bool = False, confirm: bool = False) -> str:
        """`docker volume rm NAME`: delete a volume and its data (refused while a container uses it)."""
        self._need("volumes", "Removing a volume (docker volume rm)", state="nothing was done")
        self._gate.remove_volume(name, force=force, confirm=confirm,  # yours, or confirmed: the gate decides
                                 on_allowed=lambda: self._twin(f"docker volume rm {'-f ' if force else ''}{name}"))
        return name

    def _ensure_volumes(self, mounts: list[Mount]) -> None:
        """Create the named volumes that do not exist yet, with the kit's labels (the CLI would create
        them silently, unlabelled)."""
        for m in mounts:
            if m.kind != "volume":
                continue
            try:
                self._gate.inspect_volume(m.source)
            except E.VolumeNotFound:
                self._gate.create_volume(m.source, session=self.session, lesson=self.lesson)

    def remove_my_volumes(self, *, scope: str = "session") -> list[str]:
        """Remove the kit's volumes of this session (or all of yours: ``scope="mine"``) that no container uses."""
        removed = []
        for v in sorted(self._gate.volumes(filters=self._filters(scope)), key=lambda v: v.get("Name", "")):
            try:
                self._gate.remove_volume(v["Name"])
                removed.append(v["Name"])
            except (E.VolumeInUse, E.VolumeNotFound):
                continue
        return removed
