"""Teacher's guards on what the kit launches (limits by default).

Settings come from environment variables (a teacher can set them for a
JupyterHub): ``DOCKERLAB_MAX_MEMORY``, ``DOCKERLAB_MAX_CPUS``,
``DOCKERLAB_MAX_PIDS``. With none set, launches are unlimited, as with the CLI.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from . import refs


@dataclass(frozen=True)
class Limits:
    memory: int | None = None
    cpus: float | None = None
    pids: int | None = None


def apply(*, memory=None, cpus=None, pids=None) -> Limits:
    """The limits a launch gets: what was asked, capped by the teacher's maxima."""
    max_mem = refs.parse_memory(os.environ["DOCKERLAB_MAX_MEMORY"]) if os.environ.get("DOCKERLAB_MAX_MEMORY") else None
    max_cpus = refs.parse_cpus(os.environ["DOCKERLAB_MAX_CPUS"]) if os.environ.get("DOCKERLAB_MAX_CPUS") else None
    max_pids = refs.parse_pids(os.environ["DOCKERLAB_MAX_PIDS"]) if os.environ.get("DOCKERLAB_MAX_PIDS") else None

    def cap(value, maximum):
        if maximum is None:
            return value
        return maximum if value is None or value > maximum else value

    return Limits(cap(memory, max_mem), cap(cpus, max_cpus), cap(pids, max_pids))
