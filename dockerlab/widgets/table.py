"""The container table: `docker ps` / `docker ps -a` with a button per action and container."""
from __future__ import annotations

import threading
from html import escape

import ipywidgets as W
import traitlets

from .. import notices
from ..a11y import focus_style
from ._common import (attempt, background, clear, cli_html, close_all, error_html, gone_message, is_gone,
                      new_history, note_html, ok_html, pre_html, quiet, warn_html)
from .launcher import plain

ACTIONS = ("start", "stop", "restart", "kill", "remove", "logs")
_ICONS = {"start": "play", "stop": "stop", "restart": "refresh", "kill": "bolt", "remove": "trash", "logs": "file-text-o"}
_RUNNING = ("running", "paused", "restarting")
_WIDTHS = ("9em", "12em", "8em", "15em", "12em", "13em")
_HEAD = ("CONTAINER ID", "NAMES", "IMAGE", "COMMAND", "STATUS", "PORTS")


def _column(i: int, **more) -> W.Layout:
    """Column ``i``'s cell: its width, never grown nor squeezed by its row (``flex: none``), so a column keeps
    its width as rows come and go and its header stays above it; a row too wide for the lab wraps
    (the kit's CSS), whole cells at a time, the same way in every row."""
    return W.Layout(width=_WIDTHS[i], flex="0 0 auto", **more)


def ports_html(ports: str, *, running: bool = True) -> str:
    """The PORTS cell: `docker ps`'s text, and for each published TCP port of a running container an
    "open" link through JupyterLab's /proxy/<host port>/ (jupyter-server-proxy)."""
    import re

    from ..lab.web import jupyter_prefix

    if not ports:
        return ""
    links = []
    if running:
        prefix = jupyter_prefix().rstrip("/")
        for host_port in dict.fromkeys(re.findall(r":(\d+)->\d+/tcp", ports)):
            links.append(f"<a href='{escape(prefix)}/proxy/{host_port}/' target='_blank' rel='noopener' "
                         f"title='open port {host_port} through JupyterLab'>open {host_port}</a>")
    return f"<small><code>{escape(ports)}</code></small>" + (" " + " ".join(links) if links else "")


class ContainerTable(W.VBox):
    """Your containers as `docker ps` lists them, with start/stop/restart/kill/remove/logs buttons.

    Every button shows the command it ran (``lab.history``), then the table
    refreshes. ``all`` toggles `docker ps -a`; ``auto_refresh`` refreshes every
    ``interval`` seconds from a background thread.
    """

    all = traitlets.Bool(False)
    scope = traitlets.Unicode("mine")
    auto_refresh = traitlets.Bool(False)
    interval = traitlets.Float(2.0)
    stop_timeout = traitlets.Int(10)
    #: The command the last button ran.
    last_command = traitlets.Unicode("", read_only=True)
    #: The names listed now, in table order.
    names = traitlets.List(traitlets.Unicode(), read_only=True)

    def __init__(self, lab, *, all: bool = False, scope: str = "mine", auto_refresh: bool = False,
                 interval: float = 2.0, stop_timeout: int = 10):
        super().__init__()
        self.lab = lab
        self._lab = quiet(lab)
        notices.listen(self)  # rows the cleanup cell removed leave the table, with a word why
        self._bg = background(lab)  # auto-refresh's `docker ps` stays out of lab.history
        self.frame = None  # the last `docker ps` DataFrame
        self._refresh_lock = threading.Lock()
        self._stop_auto = threading.Event()
        self._auto_thread = None
        self._rows: dict[str, dict] = {}
        self._shown_key = None  # what the rows show now (no rebuild when `docker ps` did not change)
        self._toggle = W.ToggleButtons(options=[("docker ps", False), ("docker ps -a", True)], value=all,
                                       tooltips=["running containers", "all containers, stopped ones too"])
        self._refresh = W.Button(description="Refresh", icon="refresh")
        self._auto = W.Checkbox(description="auto-refresh", value=False, indent=False, layout=W.Layout(width="9em"))
        self._cmd = W.HTML()
        self._grid = W.VBox()
        self._detail = W.HTML()
        self._out = W.Output()
        self._toggle.observe(self._on_toggle, names="value")
        self._refresh.on_click(self._on_refresh)
        self._auto.observe(self._on_auto, names="value")
        self.children = [W.HBox([self._toggle, self._refresh, self._auto]), self._grid, self._cmd, self._detail, self._out,
                         focus_style()]
        self.add_class("dockerlab-widget")
        self.add_class("dockerlab-table")
        self.scope, self.interval, self.stop_timeout = scope, interval, stop_timeout
        self.all = all
        self.observe(self._on_all, names="all")
        self.observe(self._on_auto_trait, names="auto_refresh")
        self.refresh()
        self.auto_refresh = auto_refresh

    # --- validation ----------------------------------------------------------------------
    @traitlets.validate("scope")
    def _valid_scope(self, proposal):
        if proposal["value"] not in ("session", "lesson", "mine", "kit", "engine"):
            raise traitlets.TraitError(f"scope must be 'session', 'lesson', 'mine', 'kit' or 'engine', not {proposal['value']!r}")
        return proposal["value"]

    @traitlets.validate("interval")
    def _valid_interval(self, proposal):
        if not proposal["value"] >= 0.5:
            raise traitlets.TraitError(f"interval must be at least 0.5 seconds, not {proposal['value']!r}")
        return proposal["value"]

    @traitlets.validate("stop_timeout")
    def _valid_timeout(self, proposal):
        if proposal["value"] < 0:
            raise traitlets.TraitError("stop_timeout is a number of seconds, 0 or more")
        return proposal["value"]

    # --- callbacks: only delegate ---------------------------------------------------------------
    def _on_toggle(self, change):
        self.all = bool(change["new"])

    def _on_all(self, change):
        self._toggle.value = self.all
        self.refresh()

    def _on_refresh(self, _button):
        self.refresh()

    def _on_auto(self, change):
        self.auto_refresh = bool(change["new"])

    def _on_auto_trait(self, change):
        self._auto.value = self.auto_refresh
        if self.auto_refresh:
            self.start_auto_refresh()
        else:
            self.stop_auto_refresh()

    def _on_action(self, button):
        action, name = button._dockerlab_action
        self.act(action, name)

    # --- public, testable --------------------------------------------------------------------------
    def refresh(self, *, _lab=None):
        """Run `docker ps` (or `docker ps -a`) and rebuild the rows; returns the DataFrame (None on error).

        The widgets of the rows it replaces are closed (they leave ``ipywidgets.Widget.widgets``);
        when nothing changed since the last look, the rows stay as they are."""
        with self._refresh_lock:
            df, err = attempt(None, (_lab or self._lab).ps, all=self.all, scope=self.scope)
            if err is not None:
                self._replace_rows([W.HTML(error_html(err))], None)
                return None
            self.frame = df
            key = (self.all, df.attrs.get("cli"), tuple(map(tuple, df[list(_HEAD) + ["STATE"]].astype(str).values))
                   if not df.empty else ())
            if key == self._shown_key:
                return df
            header = W.HTML("<b><code>" + escape(df.attrs.get("cli", "docker ps")) + "</code></b>"
                            f" &nbsp; {len(df)} container{'s' if len(df) != 1 else ''}")
            rows, self._rows = [header], {}
            if df.empty:
                rows.append(W.HTML("<i>No containers here" + ("" if self.all else " running (try docker ps -a)") + ".</i>"))
            else:
                rows.append(W.HBox([W.HTML(f"<small><b>{h}</b></small>", layout=_column(i)) for i, h in enumerate(_HEAD)]
                                   + [W.HTML("<small><b>ACTIONS</b></small>")]))
            projects = df.attrs.get("projects") or {}
            group = None  # a Compose project's containers together, under a line that names it
            for _, r in sorted(df.iterrows(), key=lambda ir: (projects.get(ir[1]["NAMES"], ""), ir[0])):
                project = projects.get(r["NAMES"], "")
                if project and project != group:
                    rows.append(W.HTML(f"<small>Compose project <b>{escape(project)}</b> "
                                       f"(<code>docker compose -p {escape(project)} ps</code>)</small>"))
                group = project
                rows.append(self._row(r))
            self._replace_rows(rows, key)
            self.set_trait("names", list(df["NAMES"]))
            return df

    def containers_removed(self, names: set, by: str) -> None:
        """Containers this table lists were removed elsewhere (the cleanup cell): list again, say why."""
        gone = sorted(set(self.names) & names)
        if gone:
            self.refresh(_lab=self._bg)
            self._detail.value = note_html(f"{', '.join(gone)} {'was' if len(gone) == 1 else 'were'} removed by {by}.")

    def _replace_rows(self, rows, key) -> None:
        old = list(self._grid.children)
        self._grid.children = rows
        self._shown_key = key
        close_all(old)

    def _row(self, r) -> W.HBox:
        name, state = r["NAMES"], r["STATE"]
        cmd = r["COMMAND"]
        cells = [W.HTML(f"<code>{escape(r['CONTAINER ID'])}</code>", layout=_column(0)),
                 W.HTML(f"<b>{escape(name)}</b>", layout=_column(1)),
                 W.HTML(escape(r["IMAGE"]), layout=_column(2)),
                 W.HTML(f"<code title='{escape(cmd)}' style='white-space:nowrap'>{escape(cmd if len(cmd) <= 22 else cmd[:21] + '…')}</code>",
                        layout=_column(3, overflow="hidden")),
                 W.HTML(escape(r["STATUS"]), layout=_column(4)),
                 W.HTML(ports_html(r.get("PORTS", ""), running=state in _RUNNING), layout=_column(5))]
        buttons = {}
        for action in ACTIONS:
            # the visible word is the button's accessible name; the tooltip (title) the command it runs
            b = W.Button(description=action, icon=_ICONS[action],
                         tooltip=f"docker {'rm' if action == 'remove' else action} {name}",
                         layout=W.Layout(width="auto", flex="0 0 auto", padding="0 6px"))  # never squeezed to "s…"
            running = state in _RUNNING
            b.disabled = (action == "start" and running) or (action in ("stop", "restart", "kill") and not running)
            b._dockerlab_action = (action, name)
            b.on_click(self._on_action)
            buttons[action] = b
        self._rows[name] = buttons
        return W.HBox(cells + list(buttons.values()))

    def button(self, name: str, action: str) -> W.Button:
        """The button of one row (``table.button('web', 'stop').click()``)."""
        if action not in ACTIONS:
            raise KeyError(f"no {action!r} button; the actions are {', '.join(ACTIONS)}")
        if name not in self._rows:
            raise KeyError(f"{name!r} is not in the table now (listed: {', '.join(self.names) or 'none'})")
        return self._rows[name][action]

    def act(self, action: str, name: str):
        """Do ``action`` on the container ``name`` through the lab; show the command and the result.

        Never raises: the lab's error is shown as its message (replacing the last one); a row
        whose container is gone (removed by cleanup, or from outside) says so, and the table refreshes."""
        start = len(getattr(self.lab, "history", []))
        clear(self._out)
        if action not in ACTIONS:
            raise KeyError(f"no {action!r} action; the actions are {', '.join(ACTIONS)}")
        if action == "stop":
            res, err = attempt(self._out, self._lab.stop, name, timeout=self.stop_timeout)
        elif action == "restart":
            res, err = attempt(self._out, self._lab.restart, name, timeout=self.stop_timeout)
        elif action == "remove":
            res, err = attempt(self._out, self._lab.remove, name, force=True)
        else:
            res, err = attempt(self._out, getattr(self._lab, action), name)
        self.set_trait("last_command", new_history(self.lab, start))
        self._cmd.value = cli_html(self.last_command)
        if err is not None:
            self._detail.value = error_html(err)
            if is_gone(err) and name in self._rows:  # a row that was listed: its container went away
                self._detail.value = warn_html(gone_message(name, self.lab))
            self.refresh()
            return None
        if action == "logs":
            self._detail.value = f"<b>logs of {escape(name)}</b>" + pre_html(str(res) or "(no output yet)")
        elif action == "remove":
            self._detail.value = ok_html(f"{res} removed")
        else:
            self._detail.value = ok_html(f"{res.name} is {res.state}" + (
                f" (exit code {res.exit_code})" if res.state == "exited" and res.exit_code is not None else ""))
        self.refresh()
        return res

    def start_auto_refresh(self) -> None:
        if self._auto_thread is not None and self._auto_thread.is_alive():
            return
        self._stop_auto.clear()
        self._auto_thread = threading.Thread(target=self._auto_loop, name="dockerlab-table", daemon=True)
        self._auto_thread.start()

    def stop_auto_refresh(self) -> None:
        self._stop_auto.set()
        if self._auto_thread is not None:
            self._auto_thread.join(timeout=5)
        self._auto_thread = None

    def _auto_loop(self) -> None:
        while not self._stop_auto.wait(self.interval):
            try:
                self.refresh(_lab=self._bg)  # its twin is not recorded: lab.history stays the learner's
            except Exception:  # a widget must not die in a thread; the next refresh tries again
                pass

    def close(self):
        self.stop_auto_refresh()
        super().close()

    @property
    def shown(self) -> str:
        """The table, the last command and its result, as plain text."""
        lines = []
        for row in self._grid.children:
            if isinstance(row, W.HBox):
                lines.append("  ".join(plain(c.value) for c in row.children if isinstance(c, W.HTML)))
            else:
                lines.append(plain(row.value))
        return "\n".join(lines + [plain(self._cmd.value), plain(self._detail.value)])

    def __repr__(self) -> str:
        return f"ContainerTable(all={self.all}, scope={self.scope!r})"
