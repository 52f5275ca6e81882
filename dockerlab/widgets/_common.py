"""Helpers shared by the widgets: a quiet view of the lab, friendly error boxes, the CLI line."""
from __future__ import annotations

import contextlib
from html import escape

from ..a11y import box
from ..errors import ContainerNotFound, DockerLabError


def quiet(lab):
    """The same lab, speaking to no one: each of its methods called through this runs inside
    ``lab.quietly()``, so it prints no CLI twin (the twin still goes to the shared ``lab.history``,
    and the widget shows it itself). Not a copy: one lab, one state (its labels said once, its
    CPU count, its gate)."""
    if not getattr(lab, "show_cli", False) or not hasattr(lab, "quietly"):
        return lab
    return _Quiet(lab)


class _Quiet:
    __slots__ = ("_lab", "_record")

    def __init__(self, lab, record: bool = True):
        object.__setattr__(self, "_lab", lab)
        object.__setattr__(self, "_record", record)

    def __getattr__(self, name):
        value = getattr(self._lab, name)
        if not callable(value) or name.startswith("__"):
            return value
        lab = self._lab

        record = self._record

        def call(*args, **kwargs):
            with lab.quietly(record=record):
                return value(*args, **kwargs)

        return call

    def __setattr__(self, name, value):
        setattr(self._lab, name, value)

    def __repr__(self) -> str:
        return repr(self._lab)


def cli_html(cmd: str) -> str:
    """The command a widget ran, shown as a terminal line."""
    if not cmd:
        return ""
    return ("<code style='white-space:pre-wrap; background:var(--jp-layout-color2, #eee); padding:2px 6px; "
            f"border-radius:3px'>$ {escape(cmd)}</code>")


def error_html(err: Exception) -> str:
    """A DockerLabError as its friendly box (what happened, state, hint); never a traceback."""
    if isinstance(err, DockerLabError):
        body = err._repr_html_()
    else:  # should not happen: the lab translates everything; still no traceback
        body = f"<b>{escape(type(err).__name__)}</b>: {escape(str(err))}"
    return box("error", body, extra="white-space:normal")


def ok_html(text: str) -> str:
    return box("ok", escape(text))


def warn_html(text: str) -> str:
    return box("warn", "&#9888; " + escape(text))


def note_html(text: str) -> str:
    """A plain notice (not an error, not a success): what changed since the widget last showed it."""
    return ("<div style='border-left:4px solid #6e7781; padding:4px 8px; margin-top:2px'>"
            f"{escape(text)}</div>")


def pre_html(text: str) -> str:
    return ("<pre style='margin:2px 0; max-height:20em; overflow:auto; background:var(--jp-layout-color2, #f5f5f5); "
            f"padding:4px 6px'>{escape(text)}</pre>")


def new_history(lab, start: int) -> str:
    """The first CLI twin the lab recorded since ``len(lab.history)`` was ``start``."""
    hist = getattr(lab, "history", [])
    return hist[start] if len(hist) > start else ""


def background(lab):
    """A quiet view with a history of its own: for calls a thread makes on its own
    (auto-refresh), which should not push the learner's commands out of ``lab.history``."""
    return _Quiet(lab, record=False) if hasattr(lab, "quietly") else lab


def attempt(out, call, *args, **kwargs):
    """Call the lab for a widget: ``(result, None)``, or ``(None, error)``; never raises.

    The call runs inside ``with out:`` (an ``Output`` widget, or None) so that anything it
    prints lands in the widget, and the error is caught INSIDE that block: in a real kernel,
    ``Output.__exit__`` shows an exception as a traceback and swallows it, so an ``except``
    placed after the ``with`` never runs. Errors that are not the kit's (a bug) are returned
    too, and shown as one line, never as a traceback. Ctrl-C / Kernel > Interrupt still stops
    the call: KeyboardInterrupt becomes an error "interrupted" for the widget to show.
    """
    result = error = None
    with (out if out is not None else contextlib.nullcontext()):
        try:
            result = call(*args, **kwargs)
        except Exception as e:  # DockerLabError (the lab's Interrupted too), or a bug: a message, never a traceback
            error = e
        except KeyboardInterrupt:
            error = DockerLabError("Interrupted", state="the kernel was interrupted while the widget waited",
                                   hint="the container may still run: the table (docker ps) shows it")
    return result, error


def clear(out) -> None:
    """Empty an Output widget (in a kernel; outside one, clear_output would print escape codes)."""
    from IPython.core.interactiveshell import InteractiveShell

    if InteractiveShell.initialized():
        out.clear_output()


def gone_message(name: str, lab) -> str:
    """Why a container a widget still lists is not there any more."""
    if name in getattr(lab, "cleaned", ()):
        return f"{name} is gone (removed by cleanup; run the cell that made it again)"
    return f"{name} is gone (removed outside this table); the table was refreshed"


def is_gone(err) -> bool:
    return isinstance(err, ContainerNotFound)


def close_all(widgets) -> None:
    """Close widgets a view replaces, and their children, so that they leave the kernel's
    widget registry (``ipywidgets.Widget.widgets``) and the front end."""
    for w in widgets:
        for child in getattr(w, "children", ()):
            close_all([child])
        for part in (getattr(w, "layout", None), getattr(w, "style", None)):  # widgets of their own too
            if part is not None:
                part.close()
        w.close()
