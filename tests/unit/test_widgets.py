"""Widget state logic without an engine: each widget is built on a small fake lab and driven
like a learner would (set values, click buttons); the asserts read what the widget shows."""
from __future__ import annotations

import contextlib
import types

import threading
import time

import ipywidgets as W
import pandas as pd
import pytest
import traitlets

from dockerlab import errors as E
from dockerlab import frames
from dockerlab.lab import Container, ExecResult, RunResult, Text
from dockerlab.sampler import REMOVED, RUNNING, STOPPED, Sampler
from dockerlab.widgets import (ContainerTable, EngineStatus, InfoDashboard, Launcher, Monitor, PullProgress,
                               Shell)


class FakeLab:
    """Just enough of the Lab API for the widgets; records calls, never touches an engine."""

    def __init__(self, *, fail: Exception | None = None):
        self.show_cli = True  # the widgets must not print even so
        self.history: list[str] = []
        self.calls: list[tuple] = []
        self.fail = fail
        self.owner, self.session = "learner", "s1"
        self.containers = {"web": "running", "old": "exited"}
        self.engine = FakeEngine()

    def _twin(self, cmd):
        if self._record:
            self.history.append(cmd)
        if self.show_cli and not self._quiet:
            print("$ " + cmd)

    _quiet, _record = False, True

    @contextlib.contextmanager
    def quietly(self, *, record=True):  # as the Lab's: this thread's calls print nothing
        self._quiet, self._record = True, record
        try:
            yield
        finally:
            self._quiet, self._record = False, True

    @property
    def default_limits(self):
        from dockerlab import guards

        return guards.apply()

    def plan_run(self, image, command=None, **kw):  # the Lab's parse of run's arguments, enough of it
        from dockerlab import guards, ports, refs, twin

        refs.parse_image(image)
        cmd = refs.split_command(command)
        if kw.get("name"):
            refs.check_name(kw["name"])
        asked = guards.Limits(memory=refs.parse_memory(kw.get("memory")),
                              cpus=refs.parse_cpus(kw["cpus"]) if kw.get("cpus") else None,
                              pids=refs.parse_pids(kw["pids"]) if kw.get("pids") else None)
        guards.apply(memory=asked.memory, cpus=asked.cpus, pids=asked.pids)  # the teacher's maximums
        line = twin.run_twin(image=image, command=cmd or [], name=kw.get("name"), detach=kw.get("detach"),
                             limits=asked, extra=[f"-p {p.cli()}" for p in ports.parse_ports(kw.get("ports"))])
        return types.SimpleNamespace(twin=line)  # as the Lab's: the defaults left out, asked limits shown

    def images(self):
        self._twin("docker images")
        return pd.DataFrame({"REPOSITORY": ["alpine", "ubuntu", "<none>"], "TAG": ["latest", "24.04", "<none>"]})

    def run(self, image, command=None, **kw):
        self._twin(self.plan_run(image, command, **kw).twin)
        self.calls.append(("run", image, command, kw))
        if self.fail:
            raise self.fail
        c = Container(id="f" * 64, name=kw.get("name") or "brave_turing", image=image, state="running")
        if kw.get("detach"):
            return c
        return RunResult(Text("hello\n"), 0, Container(c.id, c.name, image, "exited", exit_code=0))

    def ps(self, all=False, scope="mine"):
        self._twin("docker ps -a" if all else "docker ps")
        rows = [{"Id": f"{n:0<64}", "Names": ["/" + n], "Image": "alpine", "Command": "sleep 300", "Created": 0,
                 "Status": "Up 1 second" if st == "running" else "Exited (0) 1 second ago", "State": st}
                for n, st in self.containers.items() if all or st == "running"]
        df = frames.ps_frame(rows)
        df.attrs["cli"] = self.history[-1]
        return df

    def _act(self, action, name, state):
        self._twin(f"docker {action} {name}")
        self.calls.append((action, name))
        if name not in self.containers:
            raise E.ContainerNotFound(f"No such container: {name}", container=name, hint="see docker ps -a")
        self.containers[name] = state
        return Container(id="a" * 64, name=name, image="alpine", state=state, exit_code=137 if state == "exited" else None)

    def stop(self, name, timeout=10, confirm=False):
        return self._act("stop" if timeout == 10 else f"stop -t {timeout}", name, "exited")

    def start(self, name, confirm=False):
        return self._act("start", name, "running")

    def restart(self, name, timeout=10, confirm=False):
        return self._act("restart", name, "running")

    def kill(self, name, confirm=False):
        return self._act("kill", name, "exited")

    def remove(self, name, force=False, confirm=False):
        self._act("rm -f" if force else "rm", name, "gone")
        del self.containers[name]
        return name

    def logs(self, name, tail=None):
        self._twin(f"docker logs {name}")
        return Text("line 1\nline 2\n")

    def exec(self, name, command, confirm=False):
        self._twin(f"docker exec {name} {command}")
        if self.containers.get(name) != "running":
            raise E.ContainerStateError(f"Cannot exec in {name}: it is exited, not running", container=name,
                                        status="exited", hint=f"start it first: lab.start({name!r})")
        if isinstance(command, list):  # the shell widget: ["sh", "-c", its script]; the line is its 2nd line
            line = command[2].split("\n")[1]
            ok = line == "ls /"
            return ExecResult(Text(("bin\netc\n" if ok else "") + "\n__dockerlab_pwd__/\n"), 0 if ok else 127)
        return ExecResult(Text("bin\netc\n" if command == "ls /" else ""), 0 if command == "ls /" else 127)

    def pull(self, ref, progress=None, quiet=False):
        self._twin(f"docker pull {ref}")
        from dockerlab.engine.progress import Progress

        for ev in PULL_EVENTS:  # the Engine API's messages, typed as every engine types them
            progress(Progress.of(ev))
        return object()

    def info(self):
        from dockerlab.lab import Info

        self._twin("docker info")
        if self.fail:
            raise self.fail
        return Info({"ServerVersion": "20.10.24", "Containers": 2, "ContainersRunning": 1, "Images": 4, "NCPU": 2})

    engine_name, server_version, api_version = "Docker Engine", "20.10.24", "1.41"

    class endpoint:
        url, source = "unix:///var/run/docker.sock", "default socket"


class FakeEngine:
    """Canned stats streams for the sampler: name -> list of samples (then the stream ends)."""

    def __init__(self, streams=None, states=None):
        self.streams = streams or {}
        self.states = states or {}
        self.opened: list[str] = []

    def events_stream(self, since=None, filters=None):
        return _Quiet()  # like the engine's: no events, open until closed

    def ping(self):
        return True

    def inspect_container(self, ref):
        if ref not in self.states:
            raise E.ContainerNotFound(f"No such container: {ref}", container=ref)
        return {"Id": ref, "Name": "/" + ref, "State": {"Status": self.states[ref], "ExitCode": 0}}

    def containers(self, all=False, filters=None):
        return [{"Id": n, "Names": ["/" + n]} for n, st in self.states.items() if st == "running"]

    def stats(self, cid, stream=True):
        self.opened.append(cid)
        samples = self.streams.get(cid, [])

        def gen():
            for s in samples:
                if isinstance(s, Exception):
                    raise s
                if callable(s):  # a side effect on the engine's state (the container stops)
                    s()
                    continue
                yield s
        return gen()


class _Quiet:
    """An events stream with nothing to say: it blocks until closed, as the engine's does."""

    def __init__(self):
        self.closed = threading.Event()

    def __iter__(self):
        return self

    def __next__(self):
        self.closed.wait()
        raise StopIteration

    def close(self):
        self.closed.set()


def sample(total, system, mem, t):
    return {"read": f"2026-01-01T00:00:{t:02d}.5Z", "name": "/x", "id": "x",
            "cpu_stats": {"cpu_usage": {"total_usage": total}, "system_cpu_usage": system, "online_cpus": 2},
            "memory_stats": {"usage": mem, "limit": 100 * 2**20, "stats": {"total_inactive_file": 0}}}


EMPTY = {"read": "0001-01-01T00:00:00Z", "cpu_stats": {}, "memory_stats": {}}

PULL_EVENTS = [
    {"status": "Pulling from library/alpine", "id": "latest"},
    {"status": "Pulling fs layer", "id": "aaa111"},
    {"status": "Already exists", "id": "bbb222"},
    {"status": "Downloading", "id": "aaa111", "progressDetail": {"current": 500, "total": 1000}},
    {"status": "Digest: sha256:" + "0" * 64},
]


# --- Launcher --------------------------------------------------------------------------------
def test_launcher_twin_follows_every_field(capsys):
    lab = FakeLab()
    w = Launcher(lab, image="alpine", command="echo hello", detach=False)
    # what a learner would type: the teacher's default limits are left out (the lab says them once)
    assert w.twin == "docker run alpine echo hello"
    assert [f.placeholder for f in (w._memory, w._cpus, w._pids)] == ["default 512m", "default 1", "default 256"]
    w._name.value = "web-1"  # as if typed in the box
    assert w.name == "web-1" and w.twin == "docker run --name web-1 alpine echo hello"
    w._mode.value = True
    w.memory, w.cpus, w.pids = "64m", "0.5", "50"
    assert w.twin == ("docker run -d --name web-1 --memory 64m --memory-swap 64m --cpus 0.5 --pids-limit 50 "
                      "alpine echo hello")
    assert "$ docker run -d --name web-1" in w.shown
    w.command = "sh -c 'echo a b'"
    assert w.twin.endswith("alpine sh -c 'echo a b'")
    assert capsys.readouterr().out == ""  # nothing printed to the cell


def test_launcher_offers_local_images():
    w = Launcher(FakeLab())
    assert w._image.options == ("alpine", "ubuntu:24.04")


@pytest.mark.parametrize("field,value,words", [
    ("image", "Alpine", "lowercase"),
    ("name", "\u2013-name", "en dash"),
    ("memory", "lots", "Invalid memory limit"),
    ("cpus", "-1", "positive"),
    ("pids", "many", "pids limit"),
    ("command", "echo 'open", "quote"),
])
def test_launcher_shows_why_a_value_cannot_run(field, value, words):
    lab = FakeLab()
    w = Launcher(lab)
    setattr(w, field, value)
    assert w.twin == "" and words in w.problem
    assert w._launch.disabled and words in w.shown
    assert w.launch() is None and lab.calls == []  # nothing reached the lab
    assert isinstance(w.error, E.InvalidReference) and "Traceback" not in w.shown


def test_launcher_strips_and_type_checks_its_traits():
    w = Launcher(FakeLab())
    w.image = "  ubuntu  "
    assert w.image == "ubuntu" and w._image.value.strip() == "ubuntu"
    with pytest.raises(traitlets.TraitError):
        w.memory = 64


def test_launcher_launch_detached_and_foreground(capsys):
    lab = FakeLab()
    w = Launcher(lab, image="alpine", command="sleep 300", name="web")
    c = w._launch.click() or w.result
    assert isinstance(c, Container) and c.name == "web" and w.last_container == "web"
    assert w.last_command == "docker run -d --name web alpine sleep 300"
    assert "Started web" in w.shown
    w.detach, w.name, w.command = False, "", "echo hello"
    res = w.launch()
    assert res.output == "hello\n" and "hello" in w.shown and "exited with code 0" in w.shown
    assert capsys.readouterr().out == ""


def test_launcher_shows_the_lab_error_not_a_traceback():
    err = E.ImageNotFound("Unable to find image 'alpin:latest'", image="alpin", state="no such image locally",
                          hint="did you mean 'alpine'?")
    w = Launcher(FakeLab(fail=err), image="alpin")
    assert w.launch() is None and w.error is err
    assert "Unable to find image" in w.shown and "Hint: did you mean 'alpine'?" in w.shown
    assert "Traceback" not in w.shown and w.last_command.startswith("docker run")


def test_launcher_repr_is_stable():
    assert repr(Launcher(FakeLab(), image="ubuntu")) == "Launcher(image='ubuntu')"


# --- ContainerTable ------------------------------------------------------------------------------
def test_table_lists_and_toggles_ps_a():
    lab = FakeLab()
    t = ContainerTable(lab)
    assert t.names == ["web"] and "docker ps" in t.shown
    t._toggle.value = True  # the "docker ps -a" button
    assert t.all and t.names == ["old", "web"]
    assert lab.history[-1] == "docker ps -a"
    assert t.button("web", "start").disabled and not t.button("web", "stop").disabled
    assert t.button("old", "stop").disabled and not t.button("old", "start").disabled


def test_table_buttons_run_and_show_their_command(capsys):
    lab = FakeLab()
    t = ContainerTable(lab, all=True, stop_timeout=1)
    t.button("web", "stop").click()
    assert ("stop -t 1", "web") in lab.calls and t.last_command == "docker stop -t 1 web"
    assert "$ docker stop -t 1 web" in t.shown and "web is exited" in t.shown
    t.button("web", "logs").click()
    assert t.last_command == "docker logs web" and "line 2" in t.shown
    t.button("old", "remove").click()
    assert t.last_command == "docker rm -f old" and "old" not in t.names
    assert capsys.readouterr().out == ""


def test_table_columns_keep_their_width_under_their_header():
    """Each column's cells have its header's width and never grow nor shrink with their row (flex none):
    a column stays put as rows are built again (a status that changed, a longer name)."""
    lab = FakeLab()
    t = ContainerTable(lab, all=True)
    head, *rows = [r for r in t._grid.children if isinstance(r, W.HBox)]
    for row in rows:
        for h, cell in zip(head.children[:6], row.children[:6]):
            assert (cell.layout.width, cell.layout.flex) == (h.layout.width, "0 0 auto"), (h.value, cell.value)
    assert len({r.children[1].layout.width for r in rows}) == 1


def test_every_kit_widget_carries_the_kits_css_and_its_class():
    """The reflow rules (rows that wrap at 200 % zoom) and the focus ring reach every widget of the kit's."""
    from dockerlab.a11y import KIT_CSS

    lab = FakeLab()
    for w, cls in ((Launcher(lab), "dockerlab-launcher"), (ContainerTable(lab), "dockerlab-table"),
                   (PullProgress(lab), "dockerlab-pull"), (Shell(lab, "web"), "dockerlab-shell"),
                   (_filled_monitor(), "dockerlab-monitor")):
        assert {"dockerlab-widget", cls} <= set(w._dom_classes), (cls, w._dom_classes)
        assert any(isinstance(c, W.HTML) and KIT_CSS in c.value for c in w.children), cls


def test_table_shows_errors_kindly():
    lab = FakeLab()
    t = ContainerTable(lab)
    assert t.act("stop", "ghost") is None
    assert "No such container: ghost" in t.shown and "Traceback" not in t.shown  # never listed: the lab's message
    with pytest.raises(KeyError, match="not in the table"):
        t.button("ghost", "stop")
    with pytest.raises(traitlets.TraitError):
        t.scope = "everything"
    with pytest.raises(traitlets.TraitError):
        t.interval = 0.01


def test_table_auto_refresh_keeps_lab_history_clean():
    lab = FakeLab()
    t = ContainerTable(lab, interval=0.5)
    n = len(lab.history)
    lab.containers["new"] = "running"
    t._auto.value = True
    deadline = time.time() + 5
    while "new" not in t.names and time.time() < deadline:
        time.sleep(0.1)
    t.auto_refresh = False
    assert "new" in t.names and not t._auto_thread
    assert len(lab.history) == n  # background refreshes are not the learner's commands


# --- PullProgress --------------------------------------------------------------------------------
def test_pull_progress_one_bar_per_layer():
    lab = FakeLab()
    p = PullProgress(lab, "alpine")
    p._pull.click()
    assert p.last_command == "docker pull alpine"
    assert set(p.layers) == {"aaa111", "bbb222"}
    bars = {row[0].value: row[1] for row in p._rows.values()}
    assert len(p._bars.children) == 2
    assert p._rows["bbb222"][1].value == 1.0 and p._rows["aaa111"][1].value == 0.5
    assert "Downloading 500B/1kB" in p.shown and "Pulling from library/alpine" in p.shown
    assert bars


# --- Shell ----------------------------------------------------------------------------------------
def test_shell_runs_commands_and_keeps_history(capsys):
    lab = FakeLab()
    s = Shell(lab, "web")
    s._input.value = "ls /"  # Enter in the box
    assert s._input.value == "" and s.history == ["ls /"]
    s._thread.join(5)
    assert "$ ls /" in s.shown and "etc" in s.shown and s.last_command == "docker exec web sh -c 'ls /'"
    assert s.cwd == "/" and "__dockerlab" not in s.shown
    s.run("bash")
    assert "(exit code 127)" in s.shown
    assert [o[1] for o in s._recall.options] == ["", "bash", "ls /"]
    s.run("clear")
    assert s.shown == ""
    assert capsys.readouterr().out == ""


def test_shell_errors_are_friendly():
    s = Shell(FakeLab(), "old")
    assert s.run("ls /") is None and "not running" in s.shown and "Hint: start it first" in s.shown
    assert isinstance(s.error, E.ContainerStateError)
    s2 = Shell(FakeLab())
    s2.run("ls")
    assert "No container chosen" in s2.shown
    assert repr(s2) == "Shell(container='')"


# --- status displays ----------------------------------------------------------------------------------
def test_engine_status_and_info():
    lab = FakeLab()
    st = EngineStatus(lab)
    assert st.ok and "Docker Engine 20.10.24" in st.text and "1 running of 2" in st.text
    bad = EngineStatus(FakeLab(fail=E.EngineLost("The engine stopped answering", hint="run ./kit provision")))
    assert not bad.ok and "stopped answering" in bad.shown and "./kit provision" in bad.shown
    d = InfoDashboard(lab)
    assert d.summary()["Server Version"] == "20.10.24" and "CPUs: 2" in d.shown


# --- Sampler on canned streams -------------------------------------------------------------------------
def _wait(pred, timeout=3.0):
    end = time.time() + timeout
    while not pred() and time.time() < end:
        time.sleep(0.02)
    return pred()


def test_sampler_cpu_from_consecutive_samples_and_stop():
    eng = FakeEngine(
        streams={"busy": [sample(0, 1_000, 2**20, 1), sample(500, 2_000, 2**20, 2), sample(1500, 3_000, 2**21, 3),
                          lambda: eng.states.update(busy="exited"), EMPTY],
                 "idle": [sample(0, 1_000, 2**20, 1), sample(0, 2_000, 2**20, 2),
                          E.ContainerNotFound("No such container: idle", container="idle")]},
        states={"busy": "running", "idle": "running"})
    lab = FakeLab()
    lab.engine = eng
    s = Sampler(lab, ["busy", "idle", "nope"]).start()
    assert _wait(lambda: s.status == {"busy": STOPPED, "idle": REMOVED, "nope": "not found"})
    df = s.frame()
    assert list(df.columns) == ["time", "name", "cpu %", "mem MiB", "mem %"]
    busy = df[df["name"] == "busy"]["cpu %"].tolist()
    assert busy == [100.0, 200.0]  # (500/1000)*2 CPUs*100, then (1000/1000)*2*100: first sample only primes
    assert df[df["name"] == "idle"]["cpu %"].tolist() == [0.0]
    assert df[df["name"] == "busy"]["mem MiB"].tolist() == [1.0, 2.0]
    assert "idle was removed" in " ".join(s.notes) and "no container named 'nope'" in " ".join(s.notes)
    csv = s.to_csv()
    assert csv.splitlines()[0] == "time,name,cpu %,mem MiB,mem %" and len(csv.splitlines()) == 4
    s.stop()
    assert s.active_streams == 0


def test_sampler_notes_a_burst_of_oom_events_once_with_a_count():
    class Events(_Quiet):
        def __init__(self, events):
            super().__init__()
            self.events = list(events)

        def __next__(self):
            if self.events:
                return self.events.pop(0)
            return super().__next__()

    def ev(action, **attrs):
        return {"Action": action, "Actor": {"ID": "oomid", "Attributes": {"name": "oom", **attrs}}}

    eng = FakeEngine(states={"oom": "running"})
    eng.events_stream = lambda since=None, filters=None: Events(
        [ev("oom"), ev("oom"), ev("oom"), ev("die", exitCode="137"), ev("oom")])
    lab = FakeLab()
    lab.engine = eng
    s = Sampler(lab, ["oom"]).start()
    text = "oom ran out of memory: the kernel killed a process at its --memory limit"
    assert _wait(lambda: len(s.notes) >= 3)
    s.stop()
    assert s.notes[-3:] == [f"{text} (3 times)", "oom stopped (exit code 137): waiting for it to start again", text]


def test_a_bug_in_following_the_events_is_said_not_swallowed(caplog):
    class Broken(_Quiet):
        def __next__(self):
            raise KeyError("Actor")  # not an engine's error: a bug, the follower must not die silently

    eng = FakeEngine(states={"c": "exited"})
    eng.events_stream = lambda since=None, filters=None: Broken()
    lab = FakeLab()
    lab.engine = eng
    with caplog.at_level("ERROR", logger="dockerlab.sampler"):
        s = Sampler(lab, ["c"]).start()
        assert _wait(lambda: any("following the engine's events failed" in n for n in s.notes))
        time.sleep(1.2)  # it starts again (twice by now), and says it once
        s.stop()
    said = [n for n in s.notes if "events failed" in n]
    assert said == ["following the engine's events failed (KeyError: 'Actor'): starting again"]
    assert "event follower failed" in caplog.text and s.active_streams == 0


def test_sampler_bounded_buffer_and_bad_args():
    eng = FakeEngine(streams={"c": [sample(i * 10, i * 100, 2**20, i % 60) for i in range(1, 30)]},
                     states={"c": "running"})
    lab = FakeLab()
    lab.engine = eng
    s = Sampler(lab, "c", maxlen=5).start()
    assert _wait(lambda: s.status.get("c") == STOPPED or len(s.series("c")) == 5 and s.active_streams == 0)
    assert len(s.series("c")) == 5 and eng.opened == ["c"]  # one stream, never re-opened
    s.stop()
    with pytest.raises(E.InvalidReference):
        Sampler(lab, [3])
    with pytest.raises(E.InvalidReference):
        Sampler(lab, scope="engine")


# --- Monitor on hand-filled samples ---------------------------------------------------------------------
def _filled_monitor(**kw):
    lab = FakeLab()
    lab.engine = FakeEngine()
    m = Monitor(lab, ["busy", "idle"], autostart=False, **kw)
    now, s, limit = time.time(), m.sampler, 500 * 2**20
    s.store.set_status("busy", RUNNING)  # as the sampler's readers report them: (t, cpu %, memory bytes, limit)
    s.store.set_status("idle", REMOVED)
    for i in range(20):
        s.store.point("busy", now - 20 + i, 90.0, 5 * 2**20, limit)  # 5 MiB, 1 % of the limit
    for i in range(10):
        s.store.point("idle", now - 20 + i, 0.5, 2**20, limit)
    return m


def test_monitor_updates_line_data_without_rebuilding_the_figure(tmp_path):
    m = _filled_monitor(window=30)
    fig, ax = m.figure, m.drawing.ax_cpu
    assert m.update()
    x, y = m.line_data("busy")
    assert len(x) == 20 and y.max() == 90.0 and -21 < x.min() < x.max() <= 0
    assert m.line_data("idle", "mem")[1].tolist() == [1.0] * 10
    full, background = m.full_draws, m._image.value
    m.update()
    assert m.full_draws == full and m.figure is fig and m.drawing.ax_cpu is ax  # lines only, same figure
    assert m._image.value is background  # the axes' picture is not re-encoded on a routine tick
    svg = m._overlay.value  # the lines, drawn by the browser over that picture
    assert svg.count("<polyline") == 4 and svg.count('stroke-dasharray="2 3"') == 2  # idle ended: dotted
    assert svg.count("<path") == 2 and svg.count("clip-path=") == 2  # its crosses; lines clipped to the axes
    assert f'id="{m.drawing.svg_id}-0"' in svg and _filled_monitor().drawing.svg_id != m.drawing.svg_id  # ids unique in the page
    busy_cpu = svg.split("<polyline")[1]
    ys = [float(v) for v in busy_cpu.split('points="')[1].split('"')[0].split()[1::2]]
    x0, y0, w, h, _, (ya, yb) = m.drawing.boxes[0]
    assert all(abs(y - (y0 + h - (90.0 - ya) * h / (yb - ya))) < 0.06 for y in ys)  # 90 % on the CPU axis
    assert m.png().startswith(b"\x89PNG")
    assert m.statuses == {"busy": "running", "idle": "removed"} and "idle: removed" in m.shown
    legend = [t.get_text() for t in m.drawing.ax_cpu.get_legend().get_texts()]
    assert legend == ["busy", "idle (removed)"]
    path = m.export(str(tmp_path / "s.csv"))
    assert path and (tmp_path / "s.csv").read_text().count("\n") == 31 and "Wrote 30 samples" in m.shown


def test_monitor_pause_window_and_validation():
    m = _filled_monitor()
    m._pause.value = True  # the Pause button
    assert m.paused and m._pause.description == "Resume"
    n = m.frames_drawn
    assert m.update() is False and m.frames_drawn == n
    m.resume()
    assert not m.paused and m.frames_drawn == n + 1
    m._window.value = 120
    assert m.window == 120 and m.drawing.ax_cpu.get_xlim() == (-120.0, 0.0)
    m.pause()  # the title says so at once
    assert m.drawing.title.get_text().startswith("docker stats, paused") and m._window.min < 60
    m.resume()
    m._stopped_at = time.time()  # stopped after 20 s of samples: the axis spans them, not the whole window
    m.update(force=True)
    lo, hi = m.drawing.ax_cpu.get_xlim()
    assert hi == 0 and lo in (-20.0, -30.0) and f"stopped: last {-lo:.0f} s" in m.drawing.title.get_text()
    m._stopped_at = None
    m.update(force=True)
    with pytest.raises(traitlets.TraitError):
        m.window = 5
    assert repr(m) == "Monitor(containers=['busy', 'idle'], window=120)"
    assert m.export("/nonexistent-dir/x.csv") == "" and "Could not write" in m.shown


def test_a_longer_window_shows_the_older_samples_again():
    lab = FakeLab()
    lab.engine = FakeEngine()
    m = Monitor(lab, ["busy"], autostart=False, window=60)
    now, s = time.time(), m.sampler
    s.store.set_status("busy", RUNNING)
    for i in range(100):  # 100 s of samples, once a second
        s.store.point("busy", now - 99 + i, float(i % 9), 2**20, 2**29)
    m.update(force=True)
    assert 60 <= len(m.line_data("busy")[0]) <= 63  # the window and its 2 s margin
    m._window.value = 120  # the slider
    x, _ = m.line_data("busy")
    assert len(x) == 100 and x.min() < -98 and m._overlay.value.count("<polyline") == 2
    m._window.value = 30
    assert len(m.line_data("busy")[0]) <= 33


def test_widgets_are_real_ipywidgets():
    lab = FakeLab()
    for w in (Launcher(lab), ContainerTable(lab), PullProgress(lab), Shell(lab, "web"), EngineStatus(lab),
              InfoDashboard(lab), _filled_monitor()):
        assert isinstance(w, W.Box) and w.model_id and w.get_state()["children"]


def test_monitor_png_encoder_round_trips():
    import io

    import numpy as np
    from PIL import Image

    from dockerlab.pngenc import png_rgba

    a = np.random.default_rng(1).integers(0, 256, (9, 13, 4), dtype=np.uint8)
    im = Image.open(io.BytesIO(png_rgba(a.tobytes(), 13, 9)))
    assert im.size == (13, 9) and im.mode == "RGBA" and (np.asarray(im) == a).all()



def test_a_stopped_monitor_offers_no_pause_until_started_again():
    m = _filled_monitor()
    m.start()
    assert not m._pause.disabled and m._pause.description == "Pause"
    m.stop()
    assert m._pause.disabled and m._pause.description == "Stopped"
    m.start()
    assert not m._pause.disabled and m._pause.description == "Pause"
    m.stop()


# --- ports in the launcher and the table (lesson 11) ------------------------------------------
def test_launcher_publishes_ports_on_loopback():
    lab = FakeLab()
    w = Launcher(lab, image="nginx")
    w._ports.value = "8080:80"  # as if typed
    assert w.twin == "docker run -d -p 127.0.0.1:8080:80 nginx"
    assert w.args()["ports"] == ["8080:80"]
    w.launch()
    assert lab.calls[-1][3]["ports"] == ["8080:80"]
    w.ports = "80:http"
    assert w.twin == "" and "Invalid port" in w.problem and w._launch.disabled


def test_table_ports_cell_links_through_jupyterlab_proxy(monkeypatch):
    from dockerlab.widgets.table import ports_html

    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    monkeypatch.delenv("DOCKERLAB_JUPYTER_PREFIX", raising=False)
    html = ports_html("127.0.0.1:8080->80/tcp, 127.0.0.1:5353->53/udp")
    assert "href='/proxy/8080/'" in html and "open 8080" in html and "5353/" not in html
    assert "href" not in ports_html("127.0.0.1:8080->80/tcp", running=False)
    assert ports_html("") == "" and "href" not in ports_html("80/tcp")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ana/")
    assert "href='/user/ana/proxy/8080/'" in ports_html("127.0.0.1:8080->80/tcp")


# --- the shared helpers ---------------------------------------------------------------------------
def test_attempt_never_raises_and_keeps_the_kits_message():
    from dockerlab.widgets._common import attempt, close_all

    assert attempt(None, lambda: 42) == (42, None)
    res, err = attempt(None, lambda: (_ for _ in ()).throw(E.NameConflict("The name 'x' is in use", name="x")))
    assert res is None and isinstance(err, E.NameConflict)

    def interrupted():
        raise E.Interrupted("Stopped waiting for x (Kernel > Interrupt)", container="x",
                            state="the container x is still running", hint="lab.stop('x')")

    _, err = attempt(None, interrupted)  # the lab's own words win over the generic "Interrupted"
    assert isinstance(err, E.Interrupted) and "lab.stop('x')" in err.message
    _, err = attempt(None, lambda: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert isinstance(err, E.DockerLabError) and err.what == "Interrupted"
    _, err = attempt(None, lambda: {}["bug"])  # a bug is shown as one line, too
    assert isinstance(err, KeyError)

    before = len(W.Widget.widgets)
    box = W.HBox([W.HTML("a", layout=W.Layout(width="3em")), W.Button(description="b")])
    assert len(W.Widget.widgets) > before
    close_all([box])
    assert len(W.Widget.widgets) == before  # children, layouts and styles too


def test_shell_script_keeps_the_directory_and_strips_its_bookkeeping():
    from dockerlab.widgets.shell import shell_script, split_output

    script = shell_script("cd /tmp && ls | head -1", "/var/lib", "tok")
    assert script.splitlines()[1] == "cd /var/lib 2>/dev/null || echo '(that directory is gone)' >&2"
    assert script.splitlines()[2] == "cd /tmp && ls | head -1"
    assert split_output("a\nb\n\n__dockerlab_pwd__/tmp\n") == ("a\nb\n", "/tmp")
    assert split_output("no marker: the line ran exit") == ("no marker: the line ran exit", None)
    # a stopped line: the shell's "Killed" (stderr) arrived after the marker (stdout); seen under load,
    # when it made the next line `cd '/tmp\nKilled'` and print "(that directory is gone)"
    assert split_output("\n__dockerlab_pwd__/tmp\nKilled\n") == ("Killed\n", "/tmp")
    assert split_output("a\n\n__dockerlab_pwd__/tmp\nKilled\n") == ("a\nKilled\n", "/tmp")


def test_table_auto_refresh_closes_the_rows_it_replaces():
    lab = FakeLab()
    t = ContainerTable(lab, all=True, interval=0.5)
    before = len(W.Widget.widgets)
    t.auto_refresh = True  # the background thread rebuilds the rows when `docker ps -a` changes
    try:
        for i in range(4):
            lab.containers["web"] = "exited" if i % 2 == 0 else "running"
            want = "Exited" if i % 2 == 0 else "Up"
            deadline = time.time() + 5
            while want not in t.shown.split("web  alpine")[1] and time.time() < deadline:
                time.sleep(0.1)
            assert want in t.shown.split("web  alpine")[1]
    finally:
        t.auto_refresh = False
    assert len(W.Widget.widgets) <= before, "auto-refresh left the replaced rows' widgets open"
    n = len(W.Widget.widgets)
    t.refresh()  # nothing changed: the rows stay (no rebuild, no new widgets)
    assert len(W.Widget.widgets) == n


def test_widgets_say_when_the_cleanup_cell_removed_their_containers(capsys):
    from dockerlab import notices

    lab = FakeLab()  # its containers: web (running), old (exited)
    launcher = Launcher(lab, image="alpine", command="sleep 300", name="web")
    launcher._launch.click()
    table = ContainerTable(lab, all=True)
    shell = Shell(lab, "web")
    assert "web" in table.names and "Started web" in launcher.shown
    del lab.containers["web"]  # what the cleanup cell's own lab did on the engine
    notices.removed(["web", "someone-else"], by="the cleanup cell (lab.cleanup())")
    assert "web was removed by the cleanup cell (lab.cleanup()): Launch again" in launcher.shown
    assert "web" not in table.names and "web was removed by the cleanup cell" in table.shown
    assert "web was removed by the cleanup cell" in shell.shown
    notices.removed(["nothing-of-theirs"], by="x")  # others' news changes nothing
    assert launcher.shown.count("was removed") == 1 and "nothing-of-theirs" not in table.shown
    launcher.close(), table.close(), shell.close()
    capsys.readouterr()


def test_a_broken_listener_does_not_break_the_cleanup(caplog):
    from dockerlab import notices

    class Broken:
        def containers_removed(self, names, by):
            raise RuntimeError("boom")

    b = Broken()
    notices.listen(b)
    with caplog.at_level("ERROR", logger="dockerlab.notices"):
        notices.removed(["x"], by="lab.cleanup()")
    assert "could not take the news" in caplog.text


def test_a_newer_monitor_of_the_same_containers_replaces_the_running_one():
    lab = FakeLab()
    lab.engine = FakeEngine(states={"busy": "running"})
    first = Monitor(lab, ["busy"], window=10)
    other = Monitor(lab, ["idle"], window=10)  # other containers: stays
    assert first.running and other.running
    again = Monitor(lab, ["busy"], window=10)  # the cell run again, or the notebook in another tab
    try:
        assert again.running and not first.running and other.running
        assert "Stopped: a newer monitor of the same containers started" in first.shown
        assert "was running (an earlier run of this cell, or this notebook in another tab) and was stopped" in again.shown
    finally:
        Monitor.stop_all()


# --- lesson 14: the table groups a Compose project, the Launcher offers the learner's networks -----------
def test_table_groups_a_compose_projects_containers_under_its_name():
    lab = FakeLab()
    lab.containers = {"a-lone": "running", "nb14-app-web-1": "running", "nb14-app-store-1": "running", "z": "running"}
    plain = lab.ps

    def ps(all=False, scope="mine"):
        df = plain(all=all, scope=scope)
        df.attrs["projects"] = {"nb14-app-web-1": "nb14-app", "nb14-app-store-1": "nb14-app"}
        return df

    lab.ps = ps
    t = ContainerTable(lab)
    shown = t.shown
    assert shown.count("Compose project") == 1 and "docker compose -p nb14-app ps" in shown
    order = [n for n in ("a-lone", "z", "Compose project", "nb14-app-store-1", "nb14-app-web-1")]
    assert [shown.index(n) for n in order] == sorted(shown.index(n) for n in order)


def test_ps_frame_knows_each_containers_compose_project():
    rows = [{"Id": "1" * 64, "Names": ["/nb14-app-web-1"], "Labels": {"com.docker.compose.project": "nb14-app"}},
            {"Id": "2" * 64, "Names": ["/solo"], "Labels": {}}]
    assert frames.ps_frame(rows).attrs["projects"] == {"nb14-app-web-1": "nb14-app"}


def test_launcher_offers_the_learners_networks_where_the_engine_has_them():
    lab = FakeLab()
    lab.can = lambda feature: feature == "networks"
    lab.networks = lambda scope="engine": pd.DataFrame({"NAME": ["nb14-net"]})
    w = Launcher(lab, image="busybox", network="nb14-net")
    assert [v for _, v in w._network.options] == ["", "nb14-net"] and w._network in w.children
    assert w.args()["network"] == "nb14-net"
    w._network.value = ""
    assert "network" not in w.args()
    bare = Launcher(FakeLab())
    assert bare._network not in bare.children  # an engine without networks: no choice shown
