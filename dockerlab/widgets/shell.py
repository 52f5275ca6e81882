"""An in-notebook shell for a running container: the notebook's answer to `docker run -it ... sh`."""
from __future__ import annotations

from html import escape

import ipywidgets as W
import traitlets

from ..errors import DockerLabError
from ._common import cli_html, new_history, quiet
from .launcher import plain

TERMINAL_POINTER = (
    "<small>Each command runs as its own <code>docker exec</code> (so <code>cd</code> and variables do not carry over, "
    "and a command that waits for input would wait forever). For a real interactive shell, open JupyterLab's "
    "Terminal (<b>File &rarr; New &rarr; Terminal</b>) and type <code>docker run -it --rm alpine sh</code> "
    "(or <code>docker exec -it NAME sh</code>). Alpine has <code>sh</code>, not <code>bash</code>.</small>")


class Shell(W.VBox):
    """Type a command, press Enter (or Run): it runs in the container with ``lab.exec``."""

    container = traitlets.Unicode("")
    #: The commands run so far, oldest first.
    history = traitlets.List(traitlets.Unicode(), read_only=True)
    last_command = traitlets.Unicode("", read_only=True)
    max_entries = traitlets.Int(50)

    def __init__(self, lab, container: str = ""):
        super().__init__()
        self.lab = lab
        self._lab = quiet(lab)
        self.last = None  # the last ExecResult
        self.error: DockerLabError | None = None
        self._entries: list[str] = []  # HTML of each command and its output
        self._title = W.HTML()
        self._input = W.Text(placeholder="a command, e.g. ls /  (Enter runs it)", continuous_update=False,
                             layout=W.Layout(width="32em"))
        self._run = W.Button(description="Run", icon="terminal")
        self._clear = W.Button(description="Clear", icon="eraser")
        self._recall = W.Dropdown(options=[("history", "")], value="", layout=W.Layout(width="14em"))
        self._screen = W.HTML()
        self._input.observe(self._on_submit, names="value")
        self._run.on_click(self._on_run)
        self._clear.on_click(self._on_clear)
        self._recall.observe(self._on_recall, names="value")
        self.observe(self._on_container, names="container")
        self.children = [self._title, W.HBox([W.HTML("<code>$</code>"), self._input, self._run, self._clear, self._recall]),
                         self._screen, W.HTML(TERMINAL_POINTER)]
        self.container = container
        self._on_container(None)

    @traitlets.validate("container")
    def _valid_container(self, proposal):
        if not isinstance(proposal["value"], str):
            raise traitlets.TraitError("container is a container's name (text)")
        return proposal["value"].strip()

    @traitlets.validate("max_entries")
    def _valid_max(self, proposal):
        if proposal["value"] < 1:
            raise traitlets.TraitError("max_entries must be at least 1")
        return proposal["value"]

    # --- callbacks: only delegate -------------------------------------------------------
    def _on_container(self, change):
        who = escape(self.container) if self.container else "(no container chosen)"
        self._title.value = f"<b>shell in {who}</b> <small>(each command: <code>docker exec {who} ...</code>)</small>"

    def _on_submit(self, change):
        if change["new"].strip():
            self.run(change["new"])

    def _on_run(self, _button):
        if self._input.value.strip():
            self.run(self._input.value)

    def _on_clear(self, _button):
        self.clear()

    def _on_recall(self, change):
        if change["new"]:
            self._input.unobserve(self._on_submit, names="value")
            self._input.value = change["new"]
            self._input.observe(self._on_submit, names="value")
            self._recall.value = ""

    # --- public, testable ----------------------------------------------------------------------
    def run(self, command: str):
        """Run ``command`` in the container; show it and its output; return the ExecResult (None on error)."""
        command = command.strip()
        self._input.unobserve(self._on_submit, names="value")
        self._input.value = ""
        self._input.observe(self._on_submit, names="value")
        if not command:
            return None
        self.set_trait("history", list(self.history) + [command])
        self._recall.options = [("history", "")] + [(c, c) for c in dict.fromkeys(reversed(self.history))]
        if command in ("clear", "exit"):
            self.clear()
            if command == "exit":
                self._add("<i>(there is no session to exit: each command was its own docker exec)</i>")
            return None
        start = len(getattr(self.lab, "history", []))
        self.error = None
        try:
            if not self.container:
                from ..errors import InvalidReference

                raise InvalidReference("No container chosen for the shell",
                                       hint="for example Shell(lab, 'web'), with 'web' a running container")
            res = self._lab.exec(self.container, command)
        except DockerLabError as e:
            self.error = e
            self.set_trait("last_command", new_history(self.lab, start))
            self._add(f"<span style='color:#82b1ff'>$ {escape(command)}</span>\n"
                      f"<span style='color:#ff8a80'>{escape(e.message)}</span>")
            return None
        self.set_trait("last_command", new_history(self.lab, start))
        self.last = res
        out = res.output.rstrip("\n")
        code = f"\n<span style='color:#ff8a80'>(exit code {res.exit_code})</span>" if res.exit_code else ""
        self._add(f"<span style='color:#82b1ff'>$ {escape(command)}</span>" + (f"\n{escape(out)}" if out else "") + code)
        return res

    def clear(self) -> None:
        self._entries = []
        self._screen.value = ""

    def _add(self, entry: str) -> None:
        self._entries = (self._entries + [entry])[-self.max_entries:]
        self._screen.value = ("<pre style='background:#1e1e1e; color:#ddd; padding:6px 8px; max-height:24em; "
                              "overflow:auto; margin:2px 0'>" + "\n".join(self._entries) + "</pre>")

    @property
    def shown(self) -> str:
        return plain(self._screen.value)

    def __repr__(self) -> str:
        return f"Shell(container={self.container!r})"
