"""The udocker backend's REST API: there is no daemon, so the answers of the common GET paths are
computed from the same dicts the backend's methods return."""
from __future__ import annotations

import json
import re



class RestMixin:
    """Part of :class:`~dockerlab.engine.udocker.UdockerEngine` (see the module's docstring)."""

    def rest_get(self, path: str, params: dict | None = None):
        """The Engine API's answer for the GET paths the lessons use, computed by this backend (no daemon)."""
        params = dict(params or {})
        p = re.sub(r"^/v\d+\.\d+", "", path.split("?")[0])
        truthy = lambda v: str(v).lower() in ("1", "true", "yes")  # noqa: E731
        if p == "/_ping":
            return "OK"
        if p == "/version":
            return self.version()
        if p == "/info":
            return self.info()
        if p == "/system/df":
            return self.df()
        if p == "/containers/json":
            flt = params.get("filters")
            flt = json.loads(flt) if isinstance(flt, str) else flt
            return self.containers(all=truthy(params.get("all", False)), filters=flt)
        if p == "/images/json":
            return self.images()
        m = re.fullmatch(r"/containers/([^/]+)/json", p)
        if m:
            return self.inspect_container(m.group(1))
        m = re.fullmatch(r"/containers/([^/]+)/stats", p)
        if m and not truthy(params.get("stream", True)) or (m and truthy(params.get("one-shot", False))):
            return self.stats(m.group(1), stream=False, one_shot=truthy(params.get("one-shot", False)))
        m = re.fullmatch(r"/images/(.+)/json", p)
        if m:
            return self.inspect_image(m.group(1))
        raise self.not_available("rest", f"GET {path} on the Engine API",
                                  hint="on udocker, lab.rest() answers /version, /info, /containers/json, "
                                       "/containers/<name>/json, /containers/<name>/stats?stream=false, "
                                       "/images/json, /images/<name>/json and /system/df")
