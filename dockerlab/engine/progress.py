"""The engine's progress messages for pull, push, load and build, typed once, here, in the engine layer.

The Engine API streams JSON objects (``{"status": "Downloading", "id": "9824c27679d3",
"progressDetail": {"current": 1, "total": 2}}``, ``{"error": ..., "errorDetail": ...}``,
``{"stream": "Loaded image: alpine:latest\\n"}``, a build's ``{"stream": "Step 1/2 : FROM
alpine\\n"}`` and ``{"aux": {"ID": "sha256:..."}}``). Every engine turns each into a
:class:`Progress` before it leaves the engine layer, so the Lab, the mirror and the
``PullProgress`` widget read fields, never the wire format.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: a layer's last words: it is here (pull) or there (push)
LAYER_DONE = ("Pull complete", "Already exists", "Download complete", "Pushed", "Layer already exists",
              "Mounted from")
_DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})", re.I)


@dataclass(frozen=True)
class Progress:
    """One progress message: what the engine said, about which layer, how far."""

    status: str = ""   # the engine's words: "Pulling from library/alpine", "Downloading", "Status: ..."
    layer: str = ""    # the id it is about: a layer, or the tag for "Pulling from"
    current: int = 0   # bytes done, while downloading, extracting or pushing
    total: int = 0
    error: str = ""    # the engine's message, when the pull, push, load or build failed
    loaded: str = ""   # docker load: the image it loaded ("alpine:latest", or an id)
    stream: str = ""   # docker build: its output as the engine sent it, in pieces of lines
    image_id: str = ""  # docker build: the image it made ("sha256:...", the last message's aux)

    @classmethod
    def of(cls, ev: dict) -> "Progress":
        """Read one message of the Engine API's stream (an unknown shape becomes its text)."""
        if not isinstance(ev, dict):
            return cls(status=str(ev))
        error = ev.get("error") or (ev.get("errorDetail") or {}).get("message", "")
        detail = ev.get("progressDetail") or {}
        stream = str(ev.get("stream") or "")
        loaded = ""
        if stream.startswith(("Loaded image:", "Loaded image ID:")):
            loaded = stream.split(":", 1)[1].strip()
        aux = ev.get("aux")
        return cls(status=str(ev.get("status") or stream.strip()), layer=str(ev.get("id") or ""),
                   current=int(detail.get("current") or 0), total=int(detail.get("total") or 0),
                   error=str(error or ""), loaded=loaded, stream=stream,
                   image_id=str(aux.get("ID") or "") if isinstance(aux, dict) else "")

    @property
    def failed(self) -> bool:
        return bool(self.error)

    @property
    def starts(self) -> bool:
        """"Pulling from library/alpine" (``layer`` is the tag)."""
        return self.status.startswith("Pulling from")

    @property
    def summary(self) -> bool:
        """A line about the whole image: "Digest: ...", "Status: ...", a push's "latest: digest: ..."."""
        return self.status.startswith(("Digest:", "Status:")) or "digest:" in self.status

    @property
    def layer_done(self) -> bool:
        return bool(self.layer) and self.status.startswith(LAYER_DONE)

    @property
    def digest(self) -> str:
        m = _DIGEST.search(self.status)
        return m.group(1) if m else ""


def raising(events, error):
    """Each of ``events`` (typed :class:`Progress`), the failed one too; after it, the kit's error,
    ``error(message, downloading=..., output=...)``: the engine raises its own typed errors, once, and a
    reader (the lab, the pull widget) sees every message first. ``downloading``: a layer's download had
    started and not finished; ``output``: the ``stream`` text so far (a build's log)."""
    downloading: set = set()
    output: list[str] = []
    for ev in events:
        if ev.status == "Downloading":
            downloading.add(ev.layer)
        elif ev.layer_done:
            downloading.discard(ev.layer)
        if ev.stream:
            output.append(ev.stream)
        yield ev
        if ev.failed:
            raise error(ev.error, downloading=bool(downloading), output="".join(output))
