"""The doctor's own error, below every other module of the doctor (each may raise it)."""
from __future__ import annotations

from ..errors import DockerLabError


class DoctorInputError(DockerLabError, ValueError):
    """The doctor was given something it cannot read (an os-release that is not one, ...)."""
