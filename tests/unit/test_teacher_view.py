"""The teacher's widget on a stand-in classroom (pure logic: what it shows, the two-click stop,
errors as the kit's messages). The real hub and engines: tests/classroom/test_classroom.py."""
from types import SimpleNamespace

import pandas as pd

from dockerlab import errors as E
from dockerlab.classroom.view import TeacherView


class _Room:
    def __init__(self, hub_up=True):
        self.settings = SimpleNamespace(learners=["ann", "bob"], engines="own", url="http://127.0.0.1:8000")
        self.hub_up, self.stopped = hub_up, []
        self.running = {"ann": ["web", "db"], "bob": []}

    def status(self):
        if not self.hub_up:
            raise E.DockerLabError("The classroom's hub does not answer", hint="start it: sudo dockerlab classroom up")
        return pd.DataFrame([{"LEARNER": u, "SERVER": "ready", "PASSED": 1} for u in self.settings.learners])

    def containers(self):
        rows = [{"LEARNER": u, "NAME": n, "CPU %": 1.0, "MEM": "1MiB"} for u, ns in self.running.items() for n in ns]
        return pd.DataFrame(rows, columns=["LEARNER", "NAME", "CPU %", "MEM"])

    def results(self):
        return pd.DataFrame({"nb05.run": ["✓ passed", "✗ tried"]}, index=pd.Index(["ann", "bob"], name="LEARNER"))

    def stop_containers(self, user):
        self.stopped.append(user)
        gone, self.running[user] = self.running[user], []
        return sorted(gone)


def test_it_shows_the_three_tables_and_the_learners():
    v = TeacherView(_Room())
    text = v.shown
    assert "2 learners, an engine each" in text
    assert "[Containers] LEARNER NAME" in text and "web" in text and "db" in text
    assert "nb05.run" in text and "✓ passed" in text and v.error is None
    assert [value for _, value in v._learner.options] == ["", "ann", "bob"] and v._learner.value == ""
    assert repr(v) == "TeacherView(learners=2)"


def test_stop_takes_a_second_click_that_names_what_goes():
    room = _Room()
    v = TeacherView(room)
    v._learner.value = "ann"
    v._stop.click()
    assert room.stopped == [] and "A second click stops and removes ann's: db, web" in v.shown
    assert v._stop.description.startswith("Click again")
    v._learner.value = "bob"  # another learner chosen: the first click no longer counts
    assert v._stop.description == "Stop their containers"
    v._learner.value = "ann"
    v._stop.click()
    v._stop.click()
    assert room.stopped == ["ann"] and "ann: removed db, web" in v.shown and "web" not in v.shown.split("[Exercises]")[0]


def test_empty_tables_say_what_is_missing():
    room = _Room()
    room.running = {"ann": [], "bob": []}
    room.results = lambda: pd.DataFrame(index=pd.Index(["ann", "bob"], name="LEARNER"))  # nobody checked yet
    text = TeacherView(room).shown
    assert "[Containers] no learner runs a container now" in text
    assert "[Exercises] no exercise has been checked yet" in text


def test_a_learner_with_nothing_running_is_told_so_and_nothing_is_called():
    room = _Room()
    v = TeacherView(room)
    assert v.stop("bob") is None and room.stopped == [] and "bob runs no containers" in v.shown


def test_a_hub_that_does_not_answer_is_a_message_in_its_tab_and_the_rest_still_shows():
    v = TeacherView(_Room(hub_up=False))
    assert isinstance(v.error, E.DockerLabError)
    text = v.shown
    learners = text.split("[Learners]")[1].split("[Containers]")[0]
    assert "The classroom's hub does not answer" in learners and "classroom up" in learners
    assert "Traceback" not in text
    assert "web" in text  # the engines' table answered on its own


def test_no_classroom_here_is_one_friendly_message(monkeypatch, tmp_path):
    from dockerlab.classroom import settings

    monkeypatch.setattr(settings, "DEFAULT_STATE", tmp_path)
    v = TeacherView()
    assert "No classroom is set up" in v.shown and "dockerlab classroom up" in v.shown
    assert repr(v) == "TeacherView(learners=0)"
