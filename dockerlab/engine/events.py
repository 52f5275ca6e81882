"""The engine's events (``GET /events``, `docker events`), typed once, here, in the engine layer.

Docker 29 (API 1.52) sends only the current fields, ``Type``, ``Action``, ``Actor.ID``,
``Actor.Attributes``, ``time``, ``timeNano``: the old top-level ``status``, ``id`` and ``from``
are gone (moby/moby#50832). Engines up to 28 still send both. :meth:`Event.of` reads the current
fields first and the old ones only where the current are missing, so the sampler reads one shape.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    type: str = ""        # "container", "image", "network", "volume", ...
    action: str = ""      # "create", "start", "die", "destroy", "rename", "oom", "exec_start: sh", ...
    id: str = ""          # the object's id (a container's full id)
    attributes: dict = field(default_factory=dict)  # the container's labels, "name", "image", "exitCode", ...
    time_ns: int = 0

    @classmethod
    def of(cls, ev: dict) -> "Event":
        if not isinstance(ev, dict):
            return cls()
        actor = ev.get("Actor") or {}
        attrs = actor.get("Attributes") or {}
        if "image" not in attrs and ev.get("from"):  # an engine before API 1.22 named the image only here
            attrs = {**attrs, "image": ev["from"]}
        t = ev.get("timeNano") or int(ev.get("time") or 0) * 1_000_000_000
        return cls(type=str(ev.get("Type") or ("container" if ev.get("id") else "")),
                   action=str(ev.get("Action") or ev.get("status") or ""),
                   id=str(actor.get("ID") or ev.get("id") or ""), attributes=dict(attrs), time_ns=int(t))

    @property
    def name(self) -> str:
        return str(self.attributes.get("name") or "")
