"""Widget error paths in a real IPython kernel (nbclient), against the real engine.

Outside a kernel an exception raised inside ``with output_widget:`` propagates, so
plain pytest cannot see what a learner sees. In a kernel, ipywidgets' ``Output``
shows it as a traceback and swallows it, and a button callback that raises prints a
traceback under the cell. Here each widget's error path is driven by a generated
notebook executed in a kernel; every cell prints what the widget shows (its
``shown`` text) as a ``REPORT`` line, and the whole executed notebook (cell outputs
and the stored widget state, where Output widgets keep what they captured) must
hold no traceback.
"""
from __future__ import annotations

import json
import os
import uuid

import nbformat
import pytest
from nbclient import NotebookClient
from tests.engine.raw import raw

pytestmark = [pytest.mark.engine, pytest.mark.timeout(300)]

SETUP = """\
import json, os
import ipywidgets as W
import dockerlab
from dockerlab.lab import Lab
from dockerlab.widgets import ContainerTable, EngineStatus, Launcher, Monitor, PullProgress, Shell
from dockerlab.doctor_widget import DoctorWidget
from dockerlab.errors import DockerLabError
lab = Lab(dockerlab.connect(show_cli=False).engine, lesson="kernel-test", session=SESSION, owner=OWNER)
def report(key, widget, **more):
    print("REPORT " + json.dumps({"key": key, "shown": widget.shown,
          "error": type(getattr(widget, "error", None)).__name__, **more}))
"""

CELLS = {
    "launcher-twice": """\
w = Launcher(lab, image="alpine", command="sleep 300", name=PREFIX + "-l")
w._launch.click()
w._launch.click()
report("launcher-twice", w, boxes=w._result.value.count("border-left:4px solid #d9534f"))
""",
    "launcher-memory": """\
w.name, w.memory = PREFIX + "-m", "100g"
w._launch.click()
report("launcher-memory", w, boxes=w._result.value.count("border-left:4px solid #d9534f"))
""",
    "launcher-foreground": """\
fg = Launcher(lab, image="alpine", command="sleep 30", detach=False, timeout=2)
res = fg.launch()
report("launcher-foreground", fg, result=repr(res))
""",
    "table-after-cleanup": """\
lab.run("alpine", "sleep 300", name=PREFIX + "-t", detach=True)
table = ContainerTable(lab, all=True, scope="session", stop_timeout=1)
lab.cleanup()
res = table.act("stop", PREFIX + "-t")
report("table-after-cleanup", table, result=repr(res), names=list(table.names))
""",
    "table-stale-row": """\
c = lab.run("alpine", "sleep 300", name=PREFIX + "-s", detach=True)
table.refresh()
lab.engine.remove(c.id, force=True)   # removed outside the table (as from a Terminal)
table.button(PREFIX + "-s", "stop").click()
report("table-stale-row", table, names=list(table.names))
""",
    "table-widgets": """\
lab.run("alpine", "sleep 300", name=PREFIX + "-w", detach=True)
table.refresh()
before = len(W.Widget.widgets)
for i in range(5):
    lab.stop(PREFIX + "-w", timeout=0) if i % 2 == 0 else lab.start(PREFIX + "-w")
    table.refresh()
report("table-widgets", table, grew=len(W.Widget.widgets) - before)
""",
    "shell": """\
sh = Shell(lab, PREFIX + "-nothing")
sh.run("ls /")
report("shell", sh)
ghost = Shell(lab, PREFIX + "-t")   # its container went with lab.cleanup() above
ghost._input.value = "ls /"         # Enter: the line runs in a thread
ghost._thread.join(30)
report("shell-after-cleanup", ghost)
""",
    "pull": """\
pp = PullProgress(lab, "127.0.0.1:1/library/alpine")
pp._pull.click()
report("pull", pp)
""",
    "engine-status": """\
saved = os.environ.get("DOCKER_HOST")
os.environ["DOCKER_HOST"] = "unix:///nonexistent/dockerlab-test.sock"
try:
    st = EngineStatus()
finally:
    if saved is None:
        os.environ.pop("DOCKER_HOST", None)
    else:
        os.environ["DOCKER_HOST"] = saved
report("engine-status", st)
""",
    "doctor": """\
def broken(**kw):
    raise DockerLabError("The checks could not start", state="nothing was checked", hint="try again")
doc = DoctorWidget(checks=broken)
doc._run.click()
report("doctor", doc, status=doc.status, text=doc._status.value)
""",
    "teacher": """\
import pathlib
from dockerlab.classroom import settings as classroom_settings
from dockerlab.classroom.view import TeacherView
classroom_settings.DEFAULT_STATE = pathlib.Path("/nonexistent") / PREFIX   # no classroom here
tv = TeacherView()
tv._refresh.click()
tv._stop.click()            # no learner chosen
report("teacher", tv)
""",
    "monitor": """\
mon = Monitor(lab, [PREFIX + "-ghost"], window=10)
mon.pause()
title = mon.drawing.title.get_text()
mon.stop()
report("monitor", mon, title=title)
""",
}


def _run(engine_lab, tmp_path):
    session = "k" + uuid.uuid4().hex[:11]
    prefix = "kt-" + uuid.uuid4().hex[:6]
    nb = nbformat.v4.new_notebook()
    head = f"SESSION, OWNER, PREFIX = {session!r}, {'tester-' + session!r}, {prefix!r}\n"
    nb.cells = [nbformat.v4.new_code_cell(head + SETUP)] + [nbformat.v4.new_code_cell(src) for src in CELLS.values()]
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True, store_widget_state=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    finally:
        from tests.conftest import reap

        reap(raw(engine_lab), session)
    reports = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines():
                if line.startswith("REPORT "):
                    r = json.loads(line[len("REPORT "):])
                    reports[r["key"]] = r
    return nb, reports, prefix


@pytest.fixture(scope="module")
def executed(engine_lab, tmp_path_factory):
    return _run(engine_lab, tmp_path_factory.mktemp("kernel"))


def test_no_traceback_anywhere(executed):
    nb, reports, _ = executed
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(nb.cells) for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"cells raised in the kernel: {errors}"
    text = json.dumps(nb)
    assert "Traceback" not in text, "a traceback reached a cell's output or a widget's Output area: " + \
        text[max(0, text.find("Traceback") - 300):text.find("Traceback") + 500]
    wanted = set(CELLS) | {"shell-after-cleanup"}
    assert set(reports) == wanted, f"cells that did not report: {sorted(wanted - set(reports))}"


def test_launcher_messages(executed):
    _, r, prefix = executed
    twice = r["launcher-twice"]
    assert twice["error"] == "NameConflict" and f"{prefix}-l" in twice["shown"] and "running…" not in twice["shown"]
    assert twice["boxes"] == 1
    mem = r["launcher-memory"]
    assert mem["error"] == "GuardRefused" and "Refusing" in mem["shown"] and mem["boxes"] == 1
    assert "NameConflict" not in mem["shown"]  # the previous error was replaced, not piled up
    fg = r["launcher-foreground"]
    assert fg["error"] == "OperationTimedOut" and "did not finish within 2 seconds" in fg["shown"]
    assert fg["result"] == "None" and "running…" not in fg["shown"]


def test_table_messages(executed):
    _, r, prefix = executed
    cleaned = r["table-after-cleanup"]
    assert cleaned["result"] == "None"
    # the cleanup cell told the table (dockerlab.notices): its row went at once, and a click on the name says why
    assert f"{prefix}-t was removed by lab.cleanup() (the cleanup cell)" in cleaned["shown"]
    assert "run the cell that made it again" in cleaned["shown"]
    assert f"{prefix}-t" not in cleaned["names"]
    stale = r["table-stale-row"]
    assert f"{prefix}-s is gone (removed outside this table); the table was refreshed" in stale["shown"]
    assert f"{prefix}-s" not in stale["names"]
    assert r["table-widgets"]["grew"] <= 0, f"refresh left {r['table-widgets']['grew']} widgets open"


def test_other_widgets_messages(executed):
    _, r, prefix = executed
    assert r["shell"]["error"] == "ContainerNotFound" and f"{prefix}-nothing" in r["shell"]["shown"]
    ghost = r["shell-after-cleanup"]
    assert ghost["error"] == "ContainerNotFound" and "was removed by lab.cleanup()" in ghost["shown"]
    assert "run the cell that made it again" in ghost["shown"]
    assert r["pull"]["error"] not in ("NoneType",) and "127.0.0.1:1" in r["pull"]["shown"]
    assert r["engine-status"]["error"] != "NoneType" and "No " in r["engine-status"]["shown"] or \
        "engine" in r["engine-status"]["shown"].lower()
    doc = r["doctor"]
    assert doc["status"] == "error" and "The checks could not start" in doc["text"]
    teacher = r["teacher"]
    assert teacher["error"] == "ClassroomError" and "No classroom is set up" in teacher["shown"]
    assert "No learner is chosen" in teacher["shown"]
    mon = r["monitor"]
    assert "live" not in mon["title"] and "paused" in mon["title"]
