"""Widgets for the lessons (ipywidgets 8, JupyterLab 4): buttons for what the tutorial types.

Usage (each widget takes the lab from ``dockerlab.connect()``; show it by making it
the last expression of a cell, never inside a function)::

    from dockerlab.widgets import Launcher, ContainerTable, Monitor, PullProgress, Shell, EngineStatus, InfoDashboard
    lab = dockerlab.connect(lesson="06")

    EngineStatus(lab)                      # one-line banner: engine, version, running containers
    InfoDashboard(lab)                     # `docker info`'s main facts as a table, with Refresh
    Launcher(lab, image="alpine", command="echo hello", detach=False)
        # form for `docker run`; .twin is the live `docker run ...` line; .launch() == the Launch button;
        # .result (RunResult or Container), .error (DockerLabError or None), .last_command, .shown (text)
    ContainerTable(lab, all=True, stop_timeout=1)
        # `docker ps` / `docker ps -a`; .refresh(); .act("stop", "web") == the row's stop button;
        # .button("web", "stop").click(); .last_command; .auto_refresh = True refreshes every .interval s
    Monitor(lab, ["busy", "idle"], window=60)
        # CPU % and memory live, ~1 Hz; .pause()/.resume(); .samples (DataFrame: time, name, cpu %,
        # mem MiB, mem %); .to_csv(path); .statuses ({"idle": "removed"}); .save("/tmp/m.png"); .stop()
    PullProgress(lab, "alpine")            # `docker pull` with one bar per layer; .pull() == the button
    Shell(lab, "web")                      # run commands in a running container (docker exec); .run("ls /")

Every widget calls only the lab API (and :mod:`dockerlab.sampler`); each shows the
``docker ...`` command a button ran, and the lab's friendly error text when it
fails, never a traceback. Widgets do not print: the lab's CLI twin is shown in the
widget. Their text repr is stable (for nbval), e.g. ``Launcher(image='alpine')``.
"""
from .launcher import Launcher
from .monitor import Monitor
from .pull import PullProgress
from .shell import Shell
from .status import EngineStatus, InfoDashboard
from .table import ContainerTable

__all__ = ["Launcher", "ContainerTable", "Monitor", "PullProgress", "Shell", "EngineStatus", "InfoDashboard"]
