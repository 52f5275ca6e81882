"""The lessons' widgets in Notebook 7 (the `notebook` package: the classic look on JupyterLab's parts).

Same server as the JupyterLab tests (jupyter_server serves both /lab and /tree): /tree lists the
lessons; /notebooks/06-lifecycle.ipynb, Run > Run All Cells; the Launcher and the ContainerTable
render as ipywidgets, and Launch starts a container (checked in the engine). Screenshot:
artifacts/browser/nb7-launcher.png.
"""
from __future__ import annotations

import re
import time
import uuid

import pytest

from jlab import ARTIFACTS, Notebook, wait_until
from tests.engine.raw import raw

pytestmark = [pytest.mark.browser, pytest.mark.engine, pytest.mark.timeout(400)]

LESSON = "06-lifecycle.ipynb"


class Notebook7(Notebook):
    """The same learner's moves, in Notebook 7's page: one notebook per browser tab, no dock panel."""

    def open(self, timeout: float = 120) -> "Notebook7":
        pg = self.page
        pg.goto(self.server.url(f"notebooks/{self.name}"))
        self.sel = ".jp-NotebookPanel"
        self.panel = pg.locator(self.sel).first
        self.panel.locator(".jp-Cell").first.wait_for(timeout=timeout * 1000)
        # the kernel is up once the toolbar's execution indicator says idle (the page's text has the word
        # "idle" in it anyway: the lesson's own container is nb07-idle)
        pg.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=timeout * 1000)
        return self

    def kernel_idle(self) -> bool:
        """Notebook 7's toolbar may show no execution indicator: then the prompts alone tell."""
        ind = self.panel.locator(".jp-Notebook-ExecutionIndicator")
        return ind.count() == 0 or ind.first.get_attribute("data-status") == "idle"


_wait = wait_until


def notebook7s_own(error: str, stack: str) -> bool:
    """Notebook 7's known page error (jupyter/notebook#7862): its words, thrown from Notebook 7's own
    bundle's settings code, not from an extension's (ipywidgets' is under /lab/extensions/)."""
    frames = [ln.strip() for ln in stack.splitlines() if ln.strip().startswith("at ")]
    return ("reading 'schema'" in error and bool(frames) and "/static/notebook/notebook_core." in frames[0]
            and not any("/lab/extensions/" in ln for ln in frames))


def test_lesson_widgets_render_and_work_in_notebook_7(jupyter, page, engine_lab, owner):
    t0 = time.monotonic()
    page.goto(jupyter.url("tree"))
    listing = page.locator(".jp-DirListing-content")
    listing.wait_for(timeout=60_000)
    _wait("the lessons listed in /tree", lambda: LESSON in listing.inner_text(), timeout=60)
    page.screenshot(path=str(ARTIFACTS / "nb7-tree.png"))

    nb = Notebook7(page, jupyter, LESSON, ARTIFACTS).open()
    assert "/notebooks/" in page.url and page.locator("#jp-top-panel, .jp-NotebookPanel").count()
    t_run = time.monotonic()
    nb.menu("Run", "runmenu:run-all")
    try:  # the first prompt gets a number once the kernel runs the cells
        _wait("Run All to start", lambda: any(re.fullmatch(r"\[[\d*]+\]:", p) for p in nb.prompts()), timeout=20)
    except AssertionError:  # the kernel was not connected yet when the menu was clicked: as a person would, again
        nb.menu("Run", "runmenu:run-all")
    nb.wait_idle()
    print(f"Notebook 7: {LESSON} Run All took {time.monotonic() - t_run:.1f} s")

    launcher = nb.widget_output(has_button="Launch")
    table = nb.widget_output(has_button="Refresh")
    assert launcher.count() >= 1, "the Launcher did not render as a widget in Notebook 7"
    assert table.count() >= 1, "the ContainerTable did not render as a widget in Notebook 7"
    launcher = launcher.first
    name = "nb7-" + uuid.uuid4().hex[:8]
    box = launcher.locator(".widget-text").filter(has=page.locator("label", has_text=re.compile(r"^--name$")))
    box.locator("input").fill(name)
    _wait("the launcher's `docker run` line", lambda: f"--name {name}" in launcher.inner_text(), timeout=20)
    launcher.locator("button.jupyter-button", has_text="Launch").click()
    _wait(f"the launcher to report {name} started", lambda: f"Started {name}" in launcher.inner_text(), timeout=60)
    nb.shot("nb7-launcher", launcher)
    found = raw(engine_lab).containers(all=True, filters={"name": [f"^/{name}$"]})
    assert found and found[0]["State"] == "running" and found[0]["Labels"].get("org.dockerlab.owner") == owner
    # Notebook 7's page throws "Cannot read properties of undefined (reading 'schema')": Notebook 7's own, not
    # the kit's. Its stack is in Notebook 7's bundle (static/notebook/notebook_core.*.js, from
    # SettingRegistry.load -> pluginChanged -> the keyboard-shortcuts plugin reading
    # `registry.plugins[id].schema` of a plugin not loaded yet); it comes on /tree and on a notebook with one
    # cell `1+1`, no widget, no kit (seen with notebook 7.5/7.6); upstream: jupyter/notebook#7862 (open, "seems
    # like a race condition"). Excused only with that stack: the same words from a widget's code fail the test
    own = [e for e in page.console_log.errors if notebook7s_own(e, page.console_log.stacks.get(e, ""))]
    if own:
        print("Notebook 7's own page errors (jupyter/notebook#7862):", *own, sep="\n  ")
    errors = [e for e in page.console_log.errors if e not in own]
    assert not errors, "JavaScript errors in Notebook 7:\n  " + "\n  ".join(errors)
    print(f"Notebook 7 test: {time.monotonic() - t0:.1f} s")


def test_notebook7s_own_error_is_told_apart_by_its_stack():
    """Only the stack of Notebook 7's bundle excuses the words (no browser needed: stacks as Chromium gave them)."""
    err = "uncaught: Cannot read properties of undefined (reading 'schema')"
    theirs = ("TypeError: Cannot read properties of undefined (reading 'schema')\n"
              "    at http://127.0.0.1:1/static/notebook/notebook_core.c9a6d9df5de5df84.js?v=c9a6d9df5de5df84:501:207\n"
              "    at _.load (http://127.0.0.1:1/static/notebook/notebook_core.c9a6d9df5de5df84.js:483:8842)")
    widgets = ("TypeError: Cannot read properties of undefined (reading 'schema')\n"
               "    at http://127.0.0.1:1/lab/extensions/@jupyter-widgets/jupyterlab-manager/static/327.js:1:99")
    assert notebook7s_own(err, theirs)
    assert not notebook7s_own(err, widgets) and not notebook7s_own(err, "")
    assert not notebook7s_own("uncaught: Cannot read properties of undefined (reading 'model')", theirs)
