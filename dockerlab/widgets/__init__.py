"""Widgets for the lessons (ipywidgets 8, JupyterLab 4): buttons for what the tutorial types.

Usage (each widget takes the lab from ``dockerlab.connect()``; show it by making it the
last expression of a cell; widgets never display themselves)::

    import dockerlab
    from dockerlab.widgets import Launcher, ContainerTable, Monitor, PullProgress, Shell, EngineStatus, InfoDashboard
    lab = dockerlab.connect(lesson="06")

    EngineStatus(lab)         # one line: engine, version, endpoint, running containers (EngineStatus() connects itself)
    InfoDashboard(lab)        # `docker info`'s main facts as a table, with Refresh

    Launcher(lab, image="alpine", command="echo hello", detach=False, timeout=60)
        # the form for `docker run`. .twin is the live `docker run ...` line ("" and .problem set while a
        # value is invalid); .launch() does what the Launch button does; then .result (RunResult or
        # Container), .error (DockerLabError or None), .last_command, .last_container, .shown (plain text)
    ContainerTable(lab, all=False, scope="mine", stop_timeout=10, auto_refresh=False, interval=2.0)
        # `docker ps` / `docker ps -a`; .refresh(); .act("stop", "web") or .button("web", "stop").click()
        # (actions: start stop restart kill remove logs); .names; .last_command; .frame (the DataFrame)
    Monitor(lab, ["busy", "idle"], window=60, interval=1.0)     # or Monitor(lab, scope="session")
        # CPU % and memory, live (~1 Hz); .pause() / .resume(); .window = 120; .samples (DataFrame:
        # time, name, cpu %, mem MiB, mem %); .to_csv(path) / .export(path); .statuses
        # ({"idle": "removed"}); .save("monitor.png"); .stop() closes the engine streams (do it in cleanup;
        # Monitor.stop_all() also stops monitors left running by cells run twice)
    PullProgress(lab, "alpine")   # `docker pull` with one bar per layer; .pull() == the Pull button; .status
    Shell(lab, "web", timeout=30) # lines in a running container, each `docker exec web sh -c '...'`: ; | && > and cd
        # work (.cwd is kept); .run("ls /") waits (at most timeout s); Enter / Run run in a thread, Stop ends it

The sampler behind the monitor is usable alone: ``dockerlab.sampler.Sampler(lab, ["web"]).start()``.

Every widget calls only the lab API (and the sampler), through one helper
(``_common.attempt``) that catches inside the widget's ``with output:`` block (in a real
kernel an exception escaping it is shown as a traceback and swallowed); each shows the
``docker ...`` command a button ran and, when it fails, the lab's friendly error text
(what happened, the state, a hint), replacing the last one, never a traceback. A table
row whose container is gone says whether cleanup removed it or something outside did. Widgets do not print to the cell even when
``lab.show_cli`` is on: they show the CLI line themselves, from ``lab.history``
(background refreshes do not add to it). Text reprs are stable for nbval, e.g.
``Launcher(image='alpine')``, ``Monitor(containers=['busy', 'idle'], window=60)``;
a live monitor's picture changes, so tag its cell ``nbval-ignore-output`` if needed
(its text/plain repr does not change).
"""
from .launcher import Launcher
from .monitor import Monitor
from .pull import PullProgress
from .shell import Shell
from .status import EngineStatus, InfoDashboard
from .table import ContainerTable

__all__ = ["Launcher", "ContainerTable", "Monitor", "PullProgress", "Shell", "EngineStatus", "InfoDashboard"]
