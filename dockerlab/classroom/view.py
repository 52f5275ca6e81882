"""The teacher's view as a widget: the classroom's tables, and a stop button for a learner.

In a notebook of the teacher's own server (signed in as the classroom's teacher: it asks the
teacher's gate, teacher_service.py), or as root where ``dockerlab classroom up`` ran::

    from dockerlab.classroom.view import TeacherView
    TeacherView()          # or TeacherView(Classroom(state="/srv/class"))

Three tabs, read by Refresh: **Learners** (connected, server, engine, memory, exercises
passed), **Containers** (each learner's running containers, CPU % and memory) and
**Exercises** (✓ passed, ✗ tried, per learner and exercise). Below the tabs: a learner
and **Stop their containers**, which asks for a second click naming what it will remove.
Every call goes through :mod:`dockerlab.classroom.teacher` (the ``Classroom``), inside
``attempt`` (an error is the kit's message in the view, never a traceback, in a kernel too).
"""
from __future__ import annotations

from html import escape

import ipywidgets as W

from ..errors import DockerLabError
from ..widgets._common import attempt, error_html, ok_html
from ..widgets.launcher import plain

TABS = (("Learners", "status"), ("Containers", "containers"), ("Exercises", "results"))
EMPTY = {"status": "no learners yet", "containers": "no learner runs a container now",
         "results": "no exercise has been checked yet (each self-check a learner runs is recorded)"}
CHOOSE = ("choose a learner", "")  # the list's first entry: nothing is chosen until the teacher does
_CSS = ("<style>.dl-teacher table{border-collapse:collapse}.dl-teacher th,.dl-teacher td{padding:2px 12px;"
        "text-align:left;border-bottom:1px solid var(--jp-border-color2,#ddd)}</style>")


def table_html(df, *, index: bool = False, empty: str = "nothing yet") -> str:
    """A frame as a small HTML table (escaped), or a line saying it is empty."""
    if df is None or len(df) == 0 or len(df.columns) == 0:
        return f"<i>{escape(empty)}</i>"
    return ("<div class='dl-teacher' style='max-height:24em; overflow:auto'>"
            + df.to_html(index=index, escape=True, border=0) + "</div>")


class TeacherView(W.VBox):
    """The classroom at a glance for the teacher, with Refresh and a confirmed stop."""

    def __init__(self, room=None):
        super().__init__()
        self.room = room
        self.frames: dict = {}
        self.error = None
        self._armed: tuple[str, list[str]] | None = None  # (learner, names) a second click stops
        self._title = W.HTML()
        self._refresh = W.Button(description="Refresh", icon="refresh", tooltip="ask the hub and the engines again")
        self._refresh.on_click(lambda _b: self.refresh())
        self._panes = {key: W.HTML() for _, key in TABS}
        self._tabs = W.Tab(children=[self._panes[key] for _, key in TABS], titles=[t for t, _ in TABS])
        self._learner = W.Dropdown(description="Learner", options=[CHOOSE], value="")
        self._learner.observe(lambda _c: self._disarm(), names="value")
        self._stop = W.Button(description="Stop their containers", button_style="danger", icon="stop",
                              layout=W.Layout(width="auto"))
        self._stop.on_click(lambda _b: self.stop(self._learner.value))
        self._msg = W.HTML()
        self.children = [W.HTML(_CSS), W.HBox([self._title, self._refresh]), self._tabs,
                         W.HBox([self._learner, self._stop]), self._msg]
        self.refresh()

    # --- reading ---------------------------------------------------------------------------
    def _classroom(self):
        if self.room is None:
            import os

            if os.environ.get("DOCKERLAB_TEACHER_URL"):  # in the teacher's own server: through the gate
                from .teacher_service import RemoteClassroom

                self.room = RemoteClassroom()
            else:  # as root on the hub's machine
                from .teacher import Classroom

                self.room = Classroom()
        return self.room

    def refresh(self) -> bool:
        """Read the three tables again; True when all three answered."""
        self._disarm()
        room, err = attempt(None, self._classroom)
        if err is not None:
            return self._failed(err, "no classroom")
        learners = list(room.settings.learners)
        self._title.value = (f"<b>Classroom</b>: {len(learners)} learners, "
                             f"{'an engine each' if room.settings.engines == 'own' else 'one shared engine'}, "
                             f"at {escape(room.settings.url)}")
        options = [CHOOSE, *((u, u) for u in learners)]  # (label, value) pairs, all of them
        if list(self._learner.options) != options:
            chosen = self._learner.value
            self._learner.options = options
            self._learner.value = chosen if chosen in learners else ""
        self.error = None
        for _, key in TABS:
            df, err = attempt(None, getattr(room, key))
            self.frames[key] = df
            self._panes[key].value = (error_html(err) if err is not None
                                      else table_html(df, index=key == "results", empty=EMPTY[key]))
            self.error = self.error or err
        return self.error is None

    def _failed(self, err, title: str) -> bool:
        self.error = err
        self._title.value = f"<b>Classroom</b>: {escape(title)}"
        for key, pane in self._panes.items():
            pane.value = error_html(err) if key == "status" else ""
        return False

    # --- the stop button ----------------------------------------------------------------------
    def _disarm(self) -> None:
        self._armed = None
        self._stop.description = "Stop their containers"

    def stop(self, learner: str | None) -> list[str] | None:
        """First call: say what would be stopped and arm the button; second call for the same
        learner: stop and remove those containers. Returns the names removed (or None)."""
        if not learner:
            self._msg.value = error_html(DockerLabError("No learner is chosen", state="nothing was stopped",
                                                        hint="choose one in the Learner list"))
            return None
        room, err = attempt(None, self._classroom)
        if err is not None:
            self._msg.value = error_html(err)
            return None
        if self._armed is None or self._armed[0] != learner:
            df, err = attempt(None, room.containers)
            if err is not None:
                self._msg.value = error_html(err)
                return None
            names = sorted(df[df["LEARNER"] == learner]["NAME"]) if len(df) else []
            if not names:
                self._msg.value = ok_html(f"{learner} runs no containers: nothing to stop")
                return None
            self._armed = (learner, names)
            self._stop.description = f"Click again: stop {len(names)} of {learner}'s"
            self._msg.value = ok_html(f"A second click stops and removes {learner}'s: {', '.join(names)}")
            return None
        self._disarm()
        gone, err = attempt(None, room.stop_containers, learner)
        if err is not None:
            self._msg.value = error_html(err)
            return None
        self._msg.value = ok_html(f"{learner}: removed {', '.join(gone) or 'nothing (already gone)'}")
        self.refresh()
        return gone

    # --- for tests and reprs ----------------------------------------------------------------------
    @property
    def shown(self) -> str:
        """What the teacher sees, as plain text (title, each tab, the message)."""
        parts = [plain(self._title.value)]
        parts += [f"[{title}] " + " ".join(plain(self._panes[key].value).split()) for title, key in TABS]
        return "\n".join(parts + [plain(self._msg.value)])

    def __repr__(self) -> str:
        n = len(self.room.settings.learners) if self.room is not None else 0
        return f"TeacherView(learners={n})"
