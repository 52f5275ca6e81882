"""The widgets against a real engine: set values, click buttons, then check both the engine's
state and what the widget shows. Containers carry the test's session label and are reaped."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import pytest

from dockerlab import errors as E
from tests.engine.waiting import unique_name, wait_until
from dockerlab.widgets import ContainerTable, EngineStatus, InfoDashboard, Launcher, Monitor, PullProgress, Shell
from dockerlab.widgets import monitor as monitor_mod

BUSY = "sh -c 'while :; do :; done'"



def _state(lab, name):
    try:
        return lab.engine.inspect_container(name)["State"]["Status"]
    except E.ContainerNotFound:
        return "gone"


# --- Launcher --------------------------------------------------------------------------------------------
def test_launcher_runs_foreground_and_detached_with_limits(lab, capsys):
    w = Launcher(lab, image="alpine", command="echo hello from the launcher", detach=False)
    assert "alpine" in w._image.options and "busybox" in w._image.options  # the local images are offered
    w._launch.click()
    assert w.error is None and w.result.exit_code == 0
    assert "hello from the launcher" in w.shown and "exited with code 0" in w.shown
    assert _state(lab, w.last_container) == "exited"

    name = unique_name("launch")
    w.command, w._name.value, w._mode.value = "sleep 300", name, True
    w.memory, w.cpus, w.pids = "64m", "0.5", "50"
    assert w.twin == (f"docker run -d --name {name} --memory 64m --memory-swap 64m --cpus 0.5 --pids-limit 50 "
                      "alpine sleep 300")
    w._launch.click()
    assert w.last_command == w.twin and w.last_container == name
    hc = lab.engine.inspect_container(name)["HostConfig"]
    assert (hc["Memory"], hc["NanoCpus"], hc["PidsLimit"]) == (64 * 2**20, 500_000_000, 50)
    assert _state(lab, name) == "running" and f"Started {name}" in w.shown
    assert "$ docker" not in capsys.readouterr().out  # the widget shows the line; nothing leaks to the cell


def test_launcher_errors_are_the_lab_messages(lab):
    w = Launcher(lab, image="alpine", command="/bin/bash", detach=True)
    assert w.launch() is None and isinstance(w.error, E.ExecutableNotFound)
    assert "alpine has no /bin/bash" in w.shown and "Traceback" not in w.shown
    name = unique_name("twice")
    w.command, w.name = "sleep 300", name
    assert w.launch() is not None
    assert w.launch() is None and isinstance(w.error, E.NameConflict) and name in w.shown
    slow = Launcher(lab, image="alpine", command="sleep 30", detach=False, timeout=1)
    assert slow.launch() is None and "did not finish within 1 seconds" in slow.shown
    assert "EngineLost" not in slow.shown  # the engine did not go away: the wait ran out
    w.image = "Alpine"  # refused before any engine call
    assert w._launch.disabled and "lowercase" in w.shown


def test_launcher_says_when_a_detached_container_exited_at_once(lab):
    # `run -d` reports the state the engine gives right after start: `true` has usually exited by
    # then, but on a loaded machine it may still be running. The widget must say what the engine
    # said, and the "already exited" case must happen on a real engine in a few tries.
    exited = 0
    for _ in range(5):
        name = unique_name("quick")
        w = Launcher(lab, image="alpine", command="true", name=name, detach=True)
        res = w.launch()
        assert res is not None
        said = w.shown.split("$ docker")[-1].split("\n", 1)[-1]
        if res.state == "exited":
            exited += 1
            assert "has already exited" in said and f"docker logs {name}" in said and "running" not in said
        else:
            assert res.state == "running" and f"from alpine: running" in said and "exited" not in said
        if exited:
            break
    assert exited, "in 5 runs of `true`, the engine never reported the container exited right after start"


# --- ContainerTable ------------------------------------------------------------------------------------------
def test_table_buttons_change_the_engine(lab, capsys):
    name = unique_name("tbl")
    lab.run("alpine", "sleep 300", name=name, detach=True)
    capsys.readouterr()
    t = ContainerTable(lab, scope="session", stop_timeout=1)
    assert t.names == [name] and name in t.shown and "Up" in t.shown

    t.button(name, "stop").click()
    assert _state(lab, name) == "exited" and t.last_command == f"docker stop -t 1 {name}"
    assert t.names == [] and f"$ docker stop -t 1 {name}" in t.shown  # `docker ps` hides it now
    t._toggle.value = True  # docker ps -a
    assert t.names == [name] and "Exited" in t.shown

    t.button(name, "start").click()
    assert _state(lab, name) == "running" and t.last_command == f"docker start {name}"
    t.button(name, "restart").click()
    assert _state(lab, name) == "running" and t.last_command == f"docker restart -t 1 {name}"
    t.button(name, "kill").click()
    assert _state(lab, name) == "exited" and "exit code 137" in t.shown
    t.button(name, "logs").click()
    assert t.last_command == f"docker logs {name}" and "(no output yet)" in t.shown
    t.button(name, "remove").click()
    assert _state(lab, name) == "gone" and t.names == [] and f"{name} removed" in t.shown
    assert capsys.readouterr().out == ""


def test_table_errors_and_auto_refresh(lab):
    t = ContainerTable(lab, scope="session", interval=0.5)
    assert t.act("stop", "wdg-no-such-container") is None
    assert "No such container" in t.shown or "wdg-no-such-container" in t.shown
    t.auto_refresh = True
    name = unique_name("auto")
    n = len(lab.history)
    lab.run("alpine", "sleep 300", name=name, detach=True)
    try:
        assert wait_until(lambda: name in t.names, 10)
    finally:
        t.auto_refresh = False
    plan = lab.plan_run("alpine", "sleep 300", name=name, detach=True)
    assert lab.history[n:] == [plan.full_twin]  # the lab's first run: the defaults shown; auto-refreshes stay out


# --- Monitor ---------------------------------------------------------------------------------------------------
def test_monitor_busy_idle_and_a_removed_container(lab, tmp_path):
    busy = lab.run("alpine", BUSY, name=unique_name("busy"), detach=True, cpus=0.5)
    idle = lab.run("alpine", "sleep 300", name=unique_name("idle"), detach=True)
    m = Monitor(lab, [busy.name, idle.name], window=30, interval=0.5)
    try:
        assert wait_until(lambda: len(m.line_data(busy.name)[1]) >= 2 and len(m.line_data(idle.name)[1]) >= 2, 15)
        fig = m.figure
        busy_cpu, idle_cpu = m.line_data(busy.name)[1].mean(), m.line_data(idle.name)[1].mean()
        # a shared, busy machine may give the loop little CPU: "higher" is what is checked, clearly
        assert busy_cpu > 2 and busy_cpu > 5 * idle_cpu, (busy_cpu, idle_cpu)
        lab.remove(idle.name, force=True)
        assert wait_until(lambda: m.statuses.get(idle.name) == "removed", 10), m.shown
        frames = m.frames_drawn
        assert wait_until(lambda: m.frames_drawn >= frames + 2, 6)  # it keeps drawing
        assert f"{idle.name}: removed" in m.shown and f"{idle.name} was removed" in m.shown
        legend = [t.get_text() for t in m.drawing.ax_cpu.get_legend().get_texts()]
        assert f"{idle.name} (removed)" in legend and busy.name in legend
        m._pause.value = True
        n = m.frames_drawn
        time.sleep(1.2)
        assert m.frames_drawn == n  # paused: the picture is frozen
        m.resume()
        df = m.samples
        assert set(df["name"]) == {busy.name, idle.name} and list(df.columns)[:3] == ["time", "name", "cpu %"]
        assert m.figure is fig  # lines updated, figure never rebuilt
        m.save(str(tmp_path / "monitor.png"))
        assert (tmp_path / "monitor.png").read_bytes().startswith(b"\x89PNG")
        assert m.export(str(tmp_path / "s.csv")) and "Wrote" in m.shown
    finally:
        assert Monitor.stop_all() >= 1  # what a cleanup cell can call after re-running cells
    assert m.sampler.active_streams == 0 and not m.running and m not in monitor_mod._LIVE_IN_THIS_PROCESS


# --- PullProgress -----------------------------------------------------------------------------------------------
@pytest.fixture
def fresh_image(engine_lab):
    """An image with two new layers of random bytes, made straight in the local mirror (so no engine
    has them, and a pull downloads real layers). Needs the provisioned registry."""
    from tests.engine.registry_push import push_random_image

    registry = f"127.0.0.1:{os.environ.get('DOCKERLAB_REGISTRY_PORT', '5000')}"
    try:
        ref = push_random_image(registry, "wdgtest/layers", uuid.uuid4().hex[:8])
    except OSError as e:
        pytest.fail(f"could not make a test image in the registry at {registry} (./kit provision starts it): {e}")
    yield ref
    subprocess.run(["docker", "rmi", "-f", ref], capture_output=True, timeout=60)


def test_pull_progress_draws_a_bar_per_layer(lab, fresh_image):
    p = PullProgress(lab, fresh_image)
    p._pull.click()
    assert p.error is None and p.last_command == f"docker pull {fresh_image}"
    assert len(p._bars.children) == 2 and set(p.layers.values()) == {"Pull complete"}
    assert all(bar.value == 1.0 and bar.bar_style == "success" for _, bar, _ in p._rows.values())
    statuses = [e.status for e in p.events]
    if lab.info().image_store == "classic":
        assert "Downloading" in statuses and "Extracting" in statuses
    else:  # containerd's store reports on a timer: a small layer may arrive between two reports
        assert statuses.count("Download complete") == 2
    assert "Downloaded newer image" in p.status and "Pull complete" in p.shown
    lab.engine.inspect_image(fresh_image)  # it is here now
    p.pull()  # again: nothing to download
    assert "Image is up to date" in p.status and len(p._bars.children) == 0


def test_pull_progress_errors(lab):
    p = PullProgress(lab, "wdg-no-such-image-xyz")
    assert p.pull() is None and "Hint" in p.shown and "Traceback" not in p.shown
    if lab.info().image_store == "classic":  # the mirror's "not found" falls through to Docker Hub: offline
        assert isinstance(p.error, E.RegistryError) and "cannot be reached" in p.shown
    else:  # containerd's resolver takes the mirror's answer
        assert isinstance(p.error, E.ImageNotFound) and "was not found" in p.shown
    assert p.pull("Alpine") is None and "lowercase" in p.shown


# --- Shell ---------------------------------------------------------------------------------------------------------
def test_shell_in_a_running_container(lab):
    name = unique_name("sh")
    lab.run("alpine", "sleep 300", name=name, detach=True)
    s = Shell(lab, name)
    s._input.value = "ls /"  # Enter: runs in a thread, the notebook stays free
    wait_until(lambda: not s.busy and "bin" in s.shown, timeout=20)
    assert s.last_command == f"docker exec {name} sh -c 'ls /'" and s.history == ["ls /"]
    # a shell: ; pipes && redirections, $VARIABLES, and cd kept from one line to the next
    assert s.run("cd /tmp").exit_code == 0 and s.cwd == "/tmp"
    assert s.run("echo one > f; cat f | tr a-z A-Z && pwd").output == "ONE\n/tmp\n"
    assert s.run("echo $HOME").output.strip() == "/root"
    assert "/tmp $ cd /tmp" not in s.shown and "/tmp $ echo $HOME" in s.shown
    assert s.run("sleep 3; echo slept").output.strip() == "slept"
    s.run("bash")
    assert "(exit code 126)" in s.shown or "(exit code 127)" in s.shown
    # a line that never ends: from the box it runs until Stop; from code it stops after `timeout`
    t0 = time.monotonic()
    s._input.value = "sleep 1000"
    assert s.busy and time.monotonic() - t0 < 5 and not s._stop.disabled
    assert s.run("ls") is None and "still running" in s.shown  # one line at a time
    s._stop.click()
    wait_until(lambda: not s.busy, timeout=20)
    assert "(stopped)" in s.shown and time.monotonic() - t0 < 25
    s.timeout = 2
    assert s.run("sleep 1000") is not None and "still running after 2 s: stopped" in s.shown
    assert s.run("echo fine").output == "fine\n"
    lab.kill(name)
    assert s.run("ls /") is None and "not running" in s.shown and isinstance(s.error, E.ContainerStateError)


# --- status displays --------------------------------------------------------------------------------------------------
def test_engine_status_and_info_dashboard(lab):
    st = EngineStatus(lab)
    assert st.ok and lab.server_version in st.text and lab.endpoint.url in st.text
    d = InfoDashboard(lab)
    assert d.summary()["Server Version"] == lab.server_version and "Storage Driver" in d.shown
    assert repr(st) == "EngineStatus()" and repr(d) == "InfoDashboard()"


def test_after_the_cleanup_cell_no_widget_says_up_for_a_removed_container(lab, capsys):
    from dockerlab.lab import Lab

    name = unique_name("gone")
    launcher = Launcher(lab, image="alpine", command="sleep 300", name=name)
    launcher._launch.click()
    table = ContainerTable(lab, scope="session")
    shell = Shell(lab, name)
    assert f"Started {name}" in launcher.shown and name in table.names
    # the lesson's "When you are done" cell: a lab of its own, the same owner and lesson
    Lab(lab.engine, owner=lab.owner, lesson=lab.lesson, session="cleanupcell", show_cli=False).cleanup("lesson")
    assert f"{name} was removed by lab.cleanup() (the cleanup cell): Launch again" in launcher.shown
    assert name not in table.names and "Up " not in table.shown and f"{name} was removed by lab.cleanup()" in table.shown
    assert f"{name} was removed by lab.cleanup()" in shell.shown
    with pytest.raises(E.ContainerNotFound) as e:
        lab.container(name)
    assert "was removed by lab.cleanup()" in e.value.state
    launcher.close(), table.close(), shell.close()
    capsys.readouterr()
