"""The daemonless backend: udocker (PyPI ``udocker``) running images with proot, as an ordinary user.

For hosts with no Docker daemon and no root (Binder, many JupyterHubs, locked-down
laptops). Same methods and the same Engine-API-shaped dicts as
:class:`~dockerlab.engine.docker_engine.DockerEngine`, so the Lab works unchanged.

What udocker gives: images (``udocker pull`` from a registry where the host is
online, ``udocker load`` of a ``docker save`` archive offline), containers as
directories, ``udocker run`` in the foreground. What this module adds, because
udocker has no daemon: detached runs (a small supervisor process per run, in a
process group of its own), stop/kill (signals to that process group), logs (a
file per container), exec (another ``udocker run`` in the same container
directory), stats (psutil over the processes under proot), labels and names
(kept in this backend's own metadata, beside udocker's repository).

What it cannot do, and says so (:class:`~dockerlab.errors.NotAvailableOnEngine`,
and ``features``/``limitations`` for code that wants to check first): resource
limits (no cgroups), a PID namespace (``ps`` inside shows the host's
processes), network isolation (containers share the host's network), events,
push and save. There is no daemon and so no REST API: ``rest_get`` computes the
JSON of the common GET paths from the same dicts, and the Lab says so.

State lives in ``UDOCKER_DIR`` (default ``~/.dockerlab/udocker``): udocker's own
``repos/``, ``layers/``, ``containers/``, and ``dockerlab/<id>/`` with
``config.json`` (name, image, command, labels), ``state.json`` (written by the
supervisor: pid, start, exit code) and ``log``.

The package, cut by job: :mod:`.common` (what the parts share), :mod:`.store` (the containers'
records), :mod:`.supervisor` (the program that runs one detached container), :mod:`.processes`
(start, stop, signals, wait, logs, exec), :mod:`.stats` (psutil), :mod:`.images` (pull, load,
tags), :mod:`.rest` (the GET paths computed), :mod:`.engine` (the engine itself).
"""
from __future__ import annotations

from .common import API_VERSION, LIMITATIONS, default_home, find_proot, udocker_command, usable  # noqa: F401
from .engine import UdockerEngine  # noqa: F401
