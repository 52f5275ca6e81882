"""A learner opens the page a container publishes, in the browser, through JupyterLab.

Open notebooks/11-publish-a-port.ipynb in JupyterLab (headless Chromium), run it down to the
`lab.browse(...)` cell: the frame in that cell's output loads `/proxy/8080/` (jupyter-server-proxy,
relative to JupyterLab's own address) and shows the page served by the nginx container. Then the
same address in a tab of its own. No error output in the cells run, no JavaScript error.
Screenshots: artifacts/browser/11-*.png (and DOCKERLAB_SHOTS, if set, gets copies).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from jlab import ARTIFACTS, Notebook
from tests.engine.raw import raw

pytestmark = [pytest.mark.browser, pytest.mark.engine, pytest.mark.timeout(400)]

PORTS = "11-publish-a-port.ipynb"


def _copy_shot(path: Path) -> None:
    dest = os.environ.get("DOCKERLAB_SHOTS")
    if dest:
        Path(dest).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(dest) / path.name)


def _run_to_browse(page, jupyter, name: str, timeout: float):
    """Open lesson ``name`` and run it down to its `lab.browse(...)` cell, that one included:
    (the notebook, its cells as on disk, the index of that cell)."""
    cells = json.loads((Path(jupyter.root_dir) / name).read_text())["cells"]
    browse = next(i for i, c in enumerate(cells) if "lab.browse(" in "".join(c["source"]))
    nb = Notebook(page, jupyter, name, ARTIFACTS).open()
    nb.hide_file_browser()
    nb.select_cell(browse + 1)
    nb.menu("Run", "notebook:run-all-above")  # everything up to and including lab.browse(...)
    nb.wait_idle(timeout)
    return nb, cells, browse


def _seen_errors(nb, page, saved, upto: int) -> list[str]:
    """The error outputs of the cells run (down to ``upto``) and the page's JavaScript errors."""
    return [p for p in nb.errors(saved) if int(p.split(":")[0].split()[1]) <= upto] + page.console_log.errors


def test_published_page_opens_through_jupyterlab_proxy(jupyter, page, engine_lab):
    if not engine_lab.can("ports"):
        pytest.skip("this engine cannot publish ports")
    nb, _, browse = _run_to_browse(page, jupyter, PORTS, 180)

    # the frame in the output of lab.browse: JupyterLab's proxy passes it on to 127.0.0.1:8080
    out = nb.cell(browse).locator(".jp-OutputArea-output")
    frame_el = out.locator("iframe")
    frame_el.wait_for(timeout=30_000)
    assert frame_el.get_attribute("src") == "/proxy/8080/"
    link = out.locator("a", has_text="Open the page through JupyterLab")
    assert link.count() == 1 and link.get_attribute("href") == "/proxy/8080/"
    frame = frame_el.content_frame
    frame.locator("h1", has_text="Welcome to nginx!").wait_for(timeout=30_000)
    _copy_shot(nb.shot("11-page-in-the-notebook", nb.cell(browse)))

    # the link's address in a tab of its own, as a click would open it
    tab = page.context.new_page()
    try:
        tab.goto(jupyter.base + "/proxy/8080/")
        assert "Welcome to nginx!" in tab.locator("h1").inner_text()
        assert "dockerlab offline stand-in" in tab.content() or "nginx" in tab.title().lower()
        shot = ARTIFACTS / "11-page-through-the-proxy.png"
        tab.screenshot(path=str(shot))
        _copy_shot(shot)
    finally:
        tab.close()

    saved = nb.save()
    ran = {i for i, c in enumerate(saved["cells"]) if c.get("cell_type") == "code" and c.get("execution_count")}
    assert browse in ran
    problems = _seen_errors(nb, page, saved, browse)
    assert not problems, "errors a learner would see:\n  " + "\n  ".join(problems)
    # the lesson's own cleanup cell (the last one): the servers go
    last = max(i for i, c in enumerate(saved["cells"]) if c.get("cell_type") == "code")
    nb.select_cell(last)
    nb.menu("Run", "notebook:run-cell")
    nb.wait_idle(60)
    assert not raw(engine_lab).containers(all=True, filters={"name": ["^/nb11-web$"]})


TALK = "14-containers-that-talk.ipynb"


def test_the_counting_page_of_a_compose_app_opens_through_jupyterlab_and_counts(jupyter, page, engine_lab):
    """Lesson 14's app (a page and its store, started with Compose) in the browser, through JupyterLab's
    proxy: the frame shows the count the store keeps, a reload counts one more, a tab of its own too."""
    import re

    if not engine_lab.can("compose"):
        pytest.skip("this engine cannot run Compose")
    nb, cells, browse = _run_to_browse(page, jupyter, TALK, 240)
    try:
        out = nb.cell(browse).locator(".jp-OutputArea-output")
        frame_el = out.locator("iframe")
        frame_el.wait_for(timeout=30_000)
        src = frame_el.get_attribute("src")
        assert re.fullmatch(r"/proxy/\d+/", src), src
        frame = frame_el.content_frame
        frame.locator("h1", has_text="Visit counter").wait_for(timeout=30_000)
        first = int(frame.locator("#count").inner_text())
        assert first >= 3  # the two visits from Python before it, then the frame's own
        _copy_shot(nb.shot("14-counter-in-the-notebook", nb.cell(browse)))
        table = next(i for i, c in enumerate(cells) if "".join(c["source"]).strip() == "ContainerTable(lab)")
        grouped = nb.cell(table).locator(".dockerlab-table")
        grouped.wait_for(timeout=30_000)
        assert "Compose project nb14-app" in grouped.inner_text()
        _copy_shot(nb.shot("14-table-groups-the-project", nb.cell(table)))
        tab = page.context.new_page()
        try:
            tab.goto(jupyter.base + src)
            assert int(tab.locator("#count").inner_text()) == first + 1
            tab.reload()
            assert int(tab.locator("#count").inner_text()) == first + 2
            shot = ARTIFACTS / "14-counter-through-the-proxy.png"
            tab.screenshot(path=str(shot))
            _copy_shot(shot)
        finally:
            tab.close()
        saved = nb.save()
        problems = _seen_errors(nb, page, saved, browse)
        assert not problems, "errors a learner would see:\n  " + "\n  ".join(problems)
    finally:
        last = max(i for i, c in enumerate(cells) if c.get("cell_type") == "code")
        nb.select_cell(last)
        nb.menu("Run", "notebook:run-cell")
        nb.wait_idle(90)
    left = raw(engine_lab).containers(all=True, filters={"label": ["com.docker.compose.project=nb14-app"]})
    assert left == [], [c["Names"] for c in left]
