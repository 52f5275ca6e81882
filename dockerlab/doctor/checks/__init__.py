"""The doctor's checks, one module a group. Importing this package declares them all
(:data:`dockerlab.doctor.checks.base.DECLARED`); :mod:`dockerlab.doctor.runner` orders and runs them."""
from __future__ import annotations

from . import client, engine, permissions, registry, smoke, system  # noqa: F401  (each declares its checks)
from .base import DECLARED, CheckSpec, Ctx, check

__all__ = ["DECLARED", "CheckSpec", "Ctx", "check"]
