"""The REST API under it all: ``lab.rest(path)`` and its curl twin."""
from __future__ import annotations

from .base import LabBase


class RestMixin(LabBase):
    """GET an Engine API path through the gate (see :class:`dockerlab.lab.Lab`)."""

    def rest(self, path: str, **params):
        """GET an Engine API path (``/version``, ``/info``, ``/containers/json``) and return its JSON.

        Shows the curl command that does the same against the engine's socket. It answers the
        engine-wide paths that show no one's containers, and your own containers' paths
        (:func:`dockerlab.policy.check_rest`); listings hold only what you may see.
        """
        return self._gate.rest_get(path, params, on_resolved=self._twin_curl)

    def _twin_curl(self, path: str, params: dict) -> None:
        from urllib.parse import urlencode

        url = f"http://localhost/v{self.api_version}{path}" + (f"?{urlencode(params)}" if params else "")
        if self.endpoint.scheme == "unix":
            cmd = f"curl --unix-socket {self.endpoint.path} {url}"
        else:
            cmd = f"curl {url}"
        self._twin(cmd)
        note = self._gate.rest_note  # udocker: no daemon answers; the backend computes it
        if note:
            self._say(note)
