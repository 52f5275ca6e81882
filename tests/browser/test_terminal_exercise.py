"""Lesson 05's exercise 5 as a learner does it, in JupyterLab's Terminal (File > New > Terminal).

The tutorial's `docker run -it --name our_container ubuntu /bin/bash`, typed key by key; `exit`; the
notebook's first check; `docker start -ai our_container`, Ctrl-P Ctrl-Q; the second check. Each check
asks the engine, and the engine's own state is read here too. A check run too early says what is
missing (the second one after `exit`). Screenshots: artifacts/browser/05-terminal-*.png.
"""
from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import serving
from jlab import ARTIFACTS, Notebook

pytestmark = [pytest.mark.browser, pytest.mark.engine, pytest.mark.timeout(400)]

RUN = "05-run.ipynb"
NAME = "our_container"


@pytest.fixture(scope="module")
def jupyter(need_browser, engine_lab, notebooks_copy, owner, tmp_path_factory):
    with serving(notebooks_copy, tmp_path_factory.mktemp("jupyter"), owner, terminals=True) as server:
        yield server


def _docker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60)


def _state(engine_lab) -> dict:
    return engine_lab.engine.inspect_container(NAME)["State"]


def _until(what, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(0.3)
    return what()


def test_the_tutorials_shell_in_the_terminal_checked_from_the_engine(jupyter, page, engine_lab):
    _docker("rm", "-f", NAME)
    cells = json.loads((Path(jupyter.root_dir) / RUN).read_text())["cells"]
    src = ["".join(c["source"]) for c in cells]
    first = next(i for i, s in enumerate(src) if s.strip() == "nb05.check_terminal_exit(lab)")
    second = next(i for i, s in enumerate(src) if s.strip() == "nb05.check_terminal_detach(lab)")
    connect = next(i for i, s in enumerate(src) if "dockerlab.connect(" in s)
    nb = Notebook(page, jupyter, RUN, ARTIFACTS).open()
    for i in range(connect + 1):  # the imports and the lab, as a learner runs them (Shift+Enter)
        nb.select_cell(i)
        page.keyboard.press("Shift+Enter")
    nb.wait_idle()

    def check(index: int) -> str:
        nb.select_cell(index)
        page.keyboard.press("Shift+Enter")
        nb.wait_idle()
        return nb.cell(index).locator(".jp-OutputArea").inner_text()

    try:
        # File > New > Terminal: a tab beside the notebook, in the lessons' folder
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^File$")).first.click()
        page.locator(".lm-Menu-item", has_text=re.compile(r"^New$")).first.hover()
        page.locator(".lm-Menu-item[data-command='terminal:create-new']").first.click()
        term = page.locator(".jp-Terminal").first
        term.wait_for()
        page.locator(".jp-Terminal .xterm-helper-textarea").first.wait_for(state="attached")
        time.sleep(1.5)

        def to(tab: str):
            page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=tab).first.click()
            if tab.startswith("Terminal"):
                term.click()

        def type_line(text: str):
            page.keyboard.type(text)
            page.keyboard.press("Enter")

        to("Terminal")
        type_line(f"docker run -it --name {NAME} ubuntu /bin/bash")
        assert _until(lambda: _docker("inspect", "-f", "{{.State.Status}}", NAME).stdout.strip() == "running"), \
            "the Terminal's docker run -it did not start the container"
        type_line("exit")
        assert _until(lambda: _state(engine_lab)["Status"] == "exited")
        nb.shot("05-terminal-1-exit")
        to(RUN)
        too_early = check(second)  # detach before coming back: says what happened, not "correct"
        assert "is exited" in too_early and "correct" not in too_early, too_early
        out = check(first)
        assert "nb05.terminal-exit: correct" in out and f"{NAME} exited (code 0)" in out, out

        to("Terminal")
        type_line(f"docker start -ai {NAME}")
        time.sleep(2)
        page.keyboard.press("Enter")
        time.sleep(1)
        page.keyboard.press("Control+p")
        page.keyboard.press("Control+q")
        time.sleep(2)
        st = _state(engine_lab)
        assert st["Status"] == "running" and not st["FinishedAt"].startswith("0001-"), st  # detached, not ended
        nb.shot("05-terminal-2-detach")
        to(RUN)
        out = check(second)
        assert "nb05.terminal-detach: correct" in out, out
        again = check(first)  # step 1's check now sees a running container
        assert "still running" in again, again
        nb.shot("05-terminal-3-checks", nb.cell(second))
        assert not page.console_log.errors, page.console_log.errors
    finally:
        _docker("rm", "-f", NAME)
