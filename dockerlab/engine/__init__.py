"""The engine layer: the only code that talks to an engine (the docker SDK, or udocker).

Like docker-py's ``docker/api``: dicts in, dicts out, in the Docker Engine API's
shapes, so everything above works the same whatever engine answers. Errors are
translated here, once, into :mod:`dockerlab.errors` (``raise ... from e``).
"""
from .translate import translate_error

__all__ = ["translate_error"]
