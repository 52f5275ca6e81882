"""What one part of the kit tells the widgets showing containers: that some were removed.

A lesson's "When you are done" cell makes a lab of its own and removes the lesson's containers;
the widgets above it (a Launcher that started one, a table listing them, a Shell in one) were made
with another lab. :func:`removed` tells every live widget of this process which names went and why;
each says so in its own place (never "Up" for a container that is gone). Widgets are held weakly:
a widget that is closed or dropped stops listening.
"""
from __future__ import annotations

import logging
import weakref

log = logging.getLogger(__name__)

#: Who a lab's cleanup is, in what the widgets and later looks say.
BY_CLEANUP = "lab.cleanup() (the cleanup cell)"

#: The widgets that listen, in this process (a kernel): each has ``containers_removed(names, by)``.
_LISTENERS_IN_THIS_PROCESS: "weakref.WeakSet" = weakref.WeakSet()
#: name -> who removed it, for the names removed in this process (a later look at one says why it is gone)
_REMOVED_IN_THIS_PROCESS: dict[str, str] = {}


def listen(widget) -> None:
    """``widget.containers_removed(names: set[str], by: str)`` is called after each :func:`removed`."""
    _LISTENERS_IN_THIS_PROCESS.add(widget)


def removed(names, *, by: str) -> None:
    """``names`` (containers' names) were removed, ``by`` whom (``"lab.cleanup()"``)."""
    gone = {str(n) for n in names}
    if not gone:
        return
    _REMOVED_IN_THIS_PROCESS.update(dict.fromkeys(gone, by))
    for w in list(_LISTENERS_IN_THIS_PROCESS):
        try:
            w.containers_removed(gone, by)
        except Exception:  # a widget's trouble must not break the cleanup that told it
            log.exception("a widget could not take the news that %s were removed", sorted(gone))


def removed_by(name: str) -> str:
    """Who removed the container ``name`` in this process ("" if nobody here did)."""
    return _REMOVED_IN_THIS_PROCESS.get(str(name), "")


def made_again(name: str) -> None:
    """``name`` exists again (a cell made it anew): an old removal no longer explains its absence."""
    _REMOVED_IN_THIS_PROCESS.pop(str(name), None)
