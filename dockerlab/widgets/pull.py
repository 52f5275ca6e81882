"""`docker pull` with one progress bar per layer, like the CLI draws them."""
from __future__ import annotations

from html import escape

import ipywidgets as W
import traitlets

from ..a11y import focus_style
from ..errors import DockerLabError
from ._common import attempt, cli_html, error_html, new_history, ok_html, quiet
from .launcher import plain

_DONE = ("Pull complete", "Already exists", "Download complete")


def _size(n) -> str:
    n = float(n or 0)
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.3g}{unit}" if unit != "B" else f"{int(n)}B"
        n /= 1000
    return f"{n}"


class PullProgress(W.VBox):
    """Pull an image and watch each layer download and extract (the engine's own progress events)."""

    ref = traitlets.Unicode("alpine")
    #: The last summary line ("Status: Image is up to date for alpine:latest") or the error.
    status = traitlets.Unicode("", read_only=True)
    #: layer id -> its last status ("Downloading", "Pull complete", "Already exists"...)
    layers = traitlets.Dict(read_only=True)
    last_command = traitlets.Unicode("", read_only=True)

    def __init__(self, lab, ref: str = "alpine"):
        super().__init__()
        self.lab = lab
        self._lab = quiet(lab)
        self.image = None
        self.error: DockerLabError | None = None
        self.events: list[dict] = []
        self._ref = W.Text(description="image", value=ref, style={"description_width": "4em"})
        self._pull = W.Button(description="Pull", icon="download", button_style="primary", tooltip="docker pull")
        self._cmd = W.HTML()
        self._head = W.HTML()
        self._bars = W.VBox()
        self._status = W.HTML()
        self._rows: dict[str, tuple] = {}
        self._ref.observe(self._on_ref, names="value")
        self._pull.on_click(self._on_pull)
        self.observe(self._on_ref_trait, names="ref")
        self.children = [W.HBox([self._ref, self._pull]), self._cmd, self._head, self._bars, self._status, focus_style()]
        self.add_class("dockerlab-widget")
        self.add_class("dockerlab-pull")
        self.ref = ref

    @traitlets.validate("ref")
    def _valid_ref(self, proposal):
        if not isinstance(proposal["value"], str):
            raise traitlets.TraitError("ref is an image reference (text), for example 'alpine'")
        return proposal["value"].strip()

    def _on_ref(self, change):
        self.ref = change["new"]

    def _on_ref_trait(self, change):
        if self._ref.value.strip() != self.ref:
            self._ref.value = self.ref

    def _on_pull(self, _button):
        self.pull()

    def reset(self) -> None:
        self._rows = {}
        self.events = []
        self._bars.children = []
        self._head.value = self._status.value = self._cmd.value = ""
        self.set_trait("layers", {})
        self.set_trait("status", "")

    def pull(self, ref: str | None = None):
        """`docker pull`: show each progress event as it comes; return the Image (None on error)."""
        if ref is not None:
            self.ref = ref
        self.reset()
        self.image, self.error = None, None
        start = len(getattr(self.lab, "history", []))
        self._pull.disabled = True
        self._status.value = "<i>pulling&hellip;</i>"
        try:
            self.image, err = attempt(None, self._lab.pull, self.ref, progress=self.on_event)
        finally:
            self._pull.disabled = False
            self.set_trait("last_command", new_history(self.lab, start))
            self._cmd.value = cli_html(self.last_command)
            self._status.value = ""
        if err is not None:
            self.error = err
            self.set_trait("status", getattr(err, "message", str(err)))
            self._status.value = error_html(err)
            return None
        if not self.status:
            self.set_trait("status", f"Pulled {self.ref}")
        self._status.value = ok_html(self.status)
        return self.image

    def on_event(self, ev) -> None:
        """Show one progress message of the engine (a :class:`~dockerlab.engine.progress.Progress`:
        what `docker pull` draws)."""
        self.events.append(ev)
        status, lid = ev.status, ev.layer
        if ev.failed:
            return  # the lab raises the friendly error next
        if ev.starts:
            self._head.value = f"<code>{escape(lid)}: {escape(status)}</code>"
            return
        if status.startswith("Status:"):  # shown in the summary box below
            self.set_trait("status", status)
            return
        if status.startswith("Digest:"):
            self._head.value += f"<br><code>{escape(status)}</code>"
            return
        if not lid:
            return
        row = self._rows.get(lid)
        if row is None:
            label = W.HTML(f"<code>{escape(lid[:12])}</code>", layout=W.Layout(width="9em"))
            bar = W.FloatProgress(value=0.0, min=0.0, max=1.0, layout=W.Layout(width="18em"))
            text = W.HTML(layout=W.Layout(width="24em"))
            row = self._rows[lid] = (label, bar, text)
            self._bars.children = list(self._bars.children) + [W.HBox(list(row))]
        _, bar, text = row
        cur, total = ev.current, ev.total
        if status in ("Downloading", "Extracting") and total:
            bar.value = min(1.0, float(cur or 0) / float(total))
            bar.bar_style = "info" if status == "Extracting" else ""
            text.value = f"{escape(status)} {_size(cur)}/{_size(total)}"
        elif status in _DONE:
            bar.value = 1.0
            bar.bar_style = "success" if status != "Download complete" else "info"
            text.value = escape(status)
        else:
            text.value = escape(status)
        layers = dict(self.layers)
        layers[lid] = status
        self.set_trait("layers", layers)

    @property
    def shown(self) -> str:
        lines = [plain(self._cmd.value), plain(self._head.value.replace("<br>", "\n"))]
        for label, bar, text in self._rows.values():
            lines.append(f"{plain(label.value)} [{'#' * int(bar.value * 20):<20}] {plain(text.value)}")
        return "\n".join(lines + [plain(self._status.value)])

    def __repr__(self) -> str:
        return f"PullProgress(ref={self.ref!r})"
