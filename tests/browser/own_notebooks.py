"""Small notebooks of the test's own that use the real widgets (Launcher, ContainerTable, Monitor).

Used instead of the lessons when DOCKERLAB_BROWSER_OWN_NOTEBOOKS=1: to work on
the harness while a lesson is being rewritten, or to tell a broken lesson from a
broken widget. They have the lessons' file names and the same shape (imports,
connect, widgets, cleanup at the end), so the test drives them the same way.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import nbformat


def _nb(cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbformat.v4.new_code_cell(c)
                for c in cells]
    return nb


def write(dst: Path) -> list[str]:
    tag = uuid.uuid4().hex[:6]
    lifecycle = _nb([
        "md:# Browser test: lifecycle widgets",
        "import dockerlab\nfrom dockerlab.widgets import Launcher, ContainerTable",
        "lab = dockerlab.connect(lesson='browser-06')",
        "md:Launch a container:",
        "launcher = Launcher(lab)\nlauncher",
        "md:Your containers:",
        "table = ContainerTable(lab, stop_timeout=1)\ntable",
        "lab.cleanup()",
    ])
    busy = f"brw07-busy-{tag}"
    stats = _nb([
        "md:# Browser test: the monitor",
        "import dockerlab\nfrom dockerlab.widgets import Monitor",
        "lab = dockerlab.connect(lesson='browser-07')",
        f"lab.run('alpine', ['sh', '-c', 'while :; do :; done'], name={busy!r}, detach=True)",
        f"monitor = Monitor(lab, [{busy!r}], window=30)\nmonitor",
        "monitor.stop()\nlab.cleanup()",
    ])
    nbformat.write(lifecycle, dst / "06-lifecycle.ipynb")
    nbformat.write(stats, dst / "07-stats.ipynb")
    return ["06-lifecycle.ipynb", "07-stats.ipynb"]
