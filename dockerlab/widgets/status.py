"""Small displays: the engine status banner and the `docker info` dashboard."""
from __future__ import annotations

from html import escape

import ipywidgets as W
import traitlets

from ..a11y import box, dot
from ..errors import DockerLabError
from ._common import attempt, error_html, quiet
from .launcher import plain


class EngineStatus(W.HBox):
    """One line: which engine answers, its version, how many containers run (or why none answers).

    ``EngineStatus()`` with no lab tries ``dockerlab.connect()`` itself, so a
    first notebook can show the friendly reason when there is no engine.
    """

    ok = traitlets.Bool(False, read_only=True)
    text = traitlets.Unicode("", read_only=True)

    def __init__(self, lab=None):
        super().__init__()
        self.lab = lab
        self.error: DockerLabError | None = None
        self._banner = W.HTML(layout=W.Layout(flex="1 1 auto"))
        self._refresh = W.Button(icon="refresh", tooltip="check again", layout=W.Layout(width="3.2em", flex="0 0 auto"))
        self._refresh.on_click(self._on_refresh)
        self.children = [self._banner, self._refresh]
        self.refresh()

    def _on_refresh(self, _button):
        self.refresh()

    def refresh(self) -> bool:
        """Ask the engine again (`docker info`); True when it answered."""
        self.error = None
        def ask():
            if self.lab is None:
                import dockerlab

                self.lab = dockerlab.connect(show_cli=False)
            return quiet(self.lab).info()

        info, err = attempt(None, ask)
        if err is not None:
            self.error = err
            self.set_trait("ok", False)
            self.set_trait("text", f"No engine: {getattr(err, 'message', err)}")
            self._banner.value = error_html(err)
            return False
        lab = self.lab
        running, total, images = info.get("ContainersRunning", 0), info.get("Containers", 0), info.get("Images", 0)
        text = (f"{lab.engine_name} {info.get('ServerVersion', lab.server_version)} (API {lab.api_version}) "
                f"at {lab.endpoint.url} via the {lab.endpoint.source}: {running} running of {total} containers, "
                f"{images} images")
        self.set_trait("ok", True)
        self.set_trait("text", text)
        self._banner.value = box("ok", dot("#2e7d32") + escape(text))
        return True

    @property
    def shown(self) -> str:
        return plain(self._banner.value)

    def __repr__(self) -> str:
        return "EngineStatus()"


class InfoDashboard(W.VBox):
    """`docker info`'s main facts as a small table, with Refresh."""

    def __init__(self, lab):
        super().__init__()
        self.lab = lab
        self._lab = quiet(lab)
        self.info = None
        self.error: DockerLabError | None = None
        self._refresh = W.Button(description="Refresh", icon="refresh", tooltip="docker info")
        self._table = W.HTML()
        self._refresh.on_click(self._on_refresh)
        self.children = [W.HBox([W.HTML("<b><code>$ docker info</code></b>"), self._refresh]), self._table]
        self.refresh()

    def _on_refresh(self, _button):
        self.refresh()

    def refresh(self):
        self.info, err = attempt(None, self._lab.info)
        if err is not None:
            self.error = err
            self._table.value = error_html(err)
            return None
        self.error = None
        rows = "".join(f"<tr><th style='text-align:left; padding-right:1em'>{escape(k.strip())}</th>"
                       f"<td style='text-align:left'>{escape(v)}</td></tr>" for k, v in self.info.summary())
        self._table.value = f"<table>{rows}</table>"
        return self.info

    def summary(self) -> dict:
        return dict((k.strip(), v) for k, v in (self.info.summary() if self.info else []))

    @property
    def shown(self) -> str:
        return plain(self._table.value.replace("</tr>", "\n").replace("</th>", ": "))

    def __repr__(self) -> str:
        return "InfoDashboard()"
