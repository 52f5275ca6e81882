"""An in-notebook shell for a running container: the notebook's answer to `docker run -it ... sh`."""
from __future__ import annotations

import threading
import uuid
from html import escape

import ipywidgets as W
import traitlets

from .. import twin
from ..a11y import focus_style
from ..errors import DockerLabError, InvalidReference
from ..results import ExecResult, Text
from .. import notices
from ._common import attempt, quiet
from .launcher import plain

TERMINAL_POINTER = (
    "<small>Each line runs as its own <code>docker exec NAME sh -c '...'</code>: <code>;</code>, pipes, "
    "<code>&amp;&amp;</code>, redirections and <code>cd</code> work (the directory is kept from one line to the next; "
    "variables are not). A command that never ends can be stopped with <b>Stop</b>; one that waits for input gets "
    "none. For a real interactive shell, open JupyterLab's Terminal (<b>File &rarr; New &rarr; Terminal</b>) and type "
    "<code>docker run -it --rm alpine sh</code> (or <code>docker exec -it NAME sh</code>). Alpine has <code>sh</code>, "
    "not <code>bash</code>.</small>")

_MARK = "__dockerlab_pwd__"


def shell_script(command: str, cwd: str, token: str) -> str:
    """What ``sh -c`` runs for one line: go to the kept directory, note our pid (for Stop), run
    the line, then print the directory it ended in (read back and removed from the output)."""
    go = f"cd {twin.q(cwd)} 2>/dev/null || echo '(that directory is gone)' >&2\n" if cwd else ""
    return (f"echo $$ > /tmp/.dockerlab-sh-{token} 2>/dev/null\n{go}{command}\n"
            f"__dl_rc=$?; rm -f /tmp/.dockerlab-sh-{token}; printf '\\n{_MARK}%s\\n' \"$PWD\"; exit $__dl_rc")


def stop_script(token: str) -> str:
    """Stop the line started with ``token``: its shell's children (found in /proc: small images have
    no pkill), then the shell. Waits a moment for the line to have started."""
    f = f"/tmp/.dockerlab-sh-{token}"
    return (f"for i in 1 2 3 4 5 6 7 8 9 10; do [ -s {f} ] && break; sleep 0.2; done; "
            f"p=$(cat {f} 2>/dev/null) || exit 3; "
            "for d in /proc/[0-9]*; do set -- $(cat $d/stat 2>/dev/null); "
            '[ "$4" = "$p" ] && kill -KILL "${d#/proc/}" 2>/dev/null; done; '
            f"kill -KILL $p 2>/dev/null; rm -f {f}; exit 0")


def split_output(out: str) -> tuple[str, str | None]:
    """(the line's own output, the directory it ended in, or None when the shell ended early).

    The directory is the marker's own line only: stderr arrives beside stdout, not in order, so
    the shell's "Killed" (a stopped line) can come after the marker; it is output, not a path."""
    head, sep, tail = out.rpartition(_MARK)
    if not sep:
        return out, None
    cwd, _, after = tail.partition("\n")
    head = head[:-1] if head.endswith("\n") else head
    return head + after, cwd.strip() or None


class Shell(W.VBox):
    """Type a command, press Enter (or Run): it runs in the container through ``sh -c`` (``lab.exec``).

    The working directory is kept between lines (``cd /tmp`` then ``ls``). From the box, a line
    runs in a thread, so the notebook stays free and **Stop** can end a line that never ends.
    ``run(line)`` from code waits for it, ``timeout`` seconds at most, then stops it.
    """

    container = traitlets.Unicode("")
    #: The commands run so far, oldest first.
    history = traitlets.List(traitlets.Unicode(), read_only=True)
    last_command = traitlets.Unicode("", read_only=True)
    #: The working directory the next line starts in ("" before the first line: the image's).
    cwd = traitlets.Unicode("", read_only=True)
    #: True while a line runs.
    busy = traitlets.Bool(False, read_only=True)
    max_entries = traitlets.Int(50)

    def __init__(self, lab, container: str = "", *, timeout: float = 30):
        super().__init__()
        self.lab = lab
        self._lab = quiet(lab)
        self.timeout = timeout
        notices.listen(self)  # the cleanup cell says when it removed the container this shell is in
        self.last = None  # the last ExecResult
        self.error: DockerLabError | None = None
        self._entries: list[str] = []  # HTML of each command and its output
        self._token = ""  # the running line's token (for Stop)
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._title = W.HTML()
        self._prompt = W.HTML("<code>$</code>")
        self._input = W.Text(placeholder="a command, e.g. ls / | head -3  (Enter runs it)", continuous_update=False,
                             layout=W.Layout(width="30em"))
        self._run = W.Button(description="Run", icon="terminal", layout=W.Layout(width="6em"))
        self._stop = W.Button(description="Stop", icon="stop", disabled=True, layout=W.Layout(width="6em"),
                              tooltip="stop the line that is running")
        self._clear = W.Button(description="Clear", icon="eraser", layout=W.Layout(width="6em"))
        # its label names the list for a screen reader (a bare <select> has no accessible name)
        self._recall = W.Dropdown(options=[("history", "")], value="", description="recall",
                                  style={"description_width": "initial"}, layout=W.Layout(width="15em"))
        self._screen = W.HTML()
        self._input.observe(self._on_submit, names="value")
        self._run.on_click(self._on_run)
        self._stop.on_click(self._on_stop)
        self._clear.on_click(self._on_clear)
        self._recall.observe(self._on_recall, names="value")
        self.observe(self._on_container, names="container")
        self.children = [self._title, W.HBox([self._prompt, self._input, self._run, self._stop, self._clear, self._recall],
                                             layout=W.Layout(flex_flow="row wrap")),
                         self._screen, W.HTML(TERMINAL_POINTER), focus_style()]
        self.add_class("dockerlab-widget")
        self.add_class("dockerlab-shell")
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
        self.set_trait("cwd", "")
        self._show_prompt()
        self._title.value = f"<b>shell in {who}</b> <small>(each line: <code>docker exec {who} sh -c '...'</code>)</small>"

    def _on_submit(self, change):
        if change["new"].strip():
            self.run(change["new"], wait=False)

    def _on_run(self, _button):
        if self._input.value.strip():
            self.run(self._input.value, wait=False)

    def _on_stop(self, _button):
        self.stop()

    def _on_clear(self, _button):
        self.clear()

    def _on_recall(self, change):
        if change["new"]:
            self._input.unobserve(self._on_submit, names="value")
            self._input.value = change["new"]
            self._input.observe(self._on_submit, names="value")
            self._recall.value = ""

    # --- public, testable ----------------------------------------------------------------------
    def run(self, command: str, *, wait: bool = True):
        """Run ``command`` in the container; show it and its output.

        ``wait=True`` (from code): return the ExecResult (None on error), after ``timeout``
        seconds at most (then the line is stopped, and the widget says so). ``wait=False``
        (the box and the Run button): start it in a thread and return None at once."""
        command = command.strip()
        self._input.unobserve(self._on_submit, names="value")
        self._input.value = ""
        self._input.observe(self._on_submit, names="value")
        if not command:
            return None
        if self.busy:
            self._add(f"<span style='color:#ffb74d'>(still running: {escape(self.history[-1])}; press Stop, "
                      f"or wait)</span>")
            return None
        self.set_trait("history", list(self.history) + [command])
        self._recall.options = [("history", "")] + [(c, c) for c in dict.fromkeys(reversed(self.history))]
        if command in ("clear", "exit"):
            self.clear()
            if command == "exit":
                self._add("<i>(there is no session to exit: each line was its own docker exec)</i>")
            return None
        self.error, self.last, self._stopped = None, None, False
        self.set_trait("last_command", f"docker exec {self.container} sh -c {twin.q(command)}")
        self._add(f"<span style='color:#82b1ff'>{escape(self._where())}$ {escape(command)}</span>")
        if not self.container:
            self._fail(InvalidReference("No container chosen for the shell",
                                        hint="for example Shell(lab, 'web'), with 'web' a running container"))
            return None
        self._token = uuid.uuid4().hex[:12]
        self._set_busy(True)
        self._thread = threading.Thread(target=self._exec, args=(command, self._token), daemon=True,
                                        name="dockerlab-shell")
        self._thread.start()
        if not wait:
            return None
        self._thread.join(self.timeout)
        if self._thread.is_alive():
            self._add(f"<span style='color:#ffb74d'>(still running after {self.timeout:g} s: stopped. "
                      "From the box, a line runs until you press Stop.)</span>")
            self.stop()
            self._thread.join(10)
        return self.last

    def _exec(self, command: str, token: str) -> None:
        try:
            res, err = attempt(None, self._lab.exec, self.container,
                               ["sh", "-c", shell_script(command, self.cwd, token)])
            if err is not None:
                self._fail(err)
                return
            out, cwd = split_output(res.output)
            if cwd:
                self.set_trait("cwd", cwd)
                self._show_prompt()
            self.last = ExecResult(Text(out), res.exit_code)
            text = out.rstrip("\n")
            if self._stopped:
                code = "\n<span style='color:#ffb74d'>(stopped)</span>"
            else:
                code = f"\n<span style='color:#ff8a80'>(exit code {res.exit_code})</span>" if res.exit_code else ""
            self._add((escape(text) if text else "") + code, new_line=bool(text) or bool(code))
        finally:
            self._set_busy(False)

    def stop(self) -> bool:
        """Stop the line that runs (its processes get SIGKILL). True if one was stopped."""
        if not self.busy or not self._token:
            return False
        self._stopped = True
        res, err = attempt(None, self._lab.exec, self.container, ["sh", "-c", stop_script(self._token)])
        if err is not None or (res is not None and res.exit_code):
            self._stopped = False
            self._add("<span style='color:#ff8a80'>(could not stop it"
                      + (f": {escape(getattr(err, 'message', str(err)))}" if err is not None else "") + ")</span>")
            return False
        return True

    def containers_removed(self, names: set, by: str) -> None:
        if self.container and self.container in names:
            self._add(f"<span style='color:#ffb74d'>({escape(self.container)} was removed by {escape(by)}: run the "
                      "cell that made it again to go on)</span>")

    def _fail(self, err) -> None:
        self.error = err
        self._add(f"<span style='color:#ff8a80'>{escape(getattr(err, 'message', str(err)))}</span>")

    def _set_busy(self, busy: bool) -> None:
        self.set_trait("busy", busy)
        self._stop.disabled = not busy
        self._run.disabled = busy

    def _where(self) -> str:
        return self.cwd + " " if self.cwd else ""

    def _show_prompt(self) -> None:
        self._prompt.value = f"<code>{escape(self._where())}$</code>"

    def clear(self) -> None:
        self._entries = []
        self._screen.value = ""

    def _add(self, entry: str, new_line: bool = True) -> None:
        if not new_line:
            return
        self._entries = (self._entries + [entry])[-self.max_entries:]
        # column-reverse keeps the scroll position at the bottom: the newest line stays in view
        # it scrolls (long lines sideways, many lines down): focusable and named, so a keyboard scrolls it too
        self._screen.value = ("<div tabindex='0' role='region' aria-label='what the shell printed' "
                              "style='display:flex; flex-direction:column-reverse; max-height:24em; overflow:auto; "
                              "background:#1e1e1e; margin:2px 0'><pre style='flex:none; background:#1e1e1e; color:#ddd; "
                              "padding:6px 8px; margin:0'>" + "\n".join(self._entries) + "</pre></div>")

    @property
    def shown(self) -> str:
        return plain(self._screen.value)

    def __repr__(self) -> str:
        return f"Shell(container={self.container!r})"
