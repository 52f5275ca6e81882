"""Driving JupyterLab 4 as a learner does: open a notebook, use the menus, read what is shown.

Only the DOM a person sees is used (menus, prompts, buttons, the status bar),
no private JupyterLab API. Selectors are JupyterLab 4 / ipywidgets 8 classes.
"""
from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Screenshots and logs of the browser tests (gitignored).
ARTIFACTS = Path(os.environ.get("DOCKERLAB_ARTIFACTS", ROOT / "artifacts")) / "browser"

ERROR_PATTERNS = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b.*Traceback", re.M)


class CellError(AssertionError):
    pass


def wait_until(what: str, check, timeout: float = 60, every: float = 0.3):
    """``check()``'s first true value, polled every ``every`` s; an AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


class Notebook:
    """One open notebook tab in the page."""

    def __init__(self, page, server, name: str, artifacts: Path):
        self.page = page
        self.server = server
        self.name = name
        self.artifacts = artifacts
        self.path = Path(server.root_dir) / name
        self.shots: list[Path] = []

    # --- opening and running -------------------------------------------------------
    def open(self, timeout: float = 120) -> "Notebook":
        """Open the notebook in a workspace of its own (no tabs left over from another test)."""
        pg = self.page
        workspace = "t" + uuid.uuid4().hex[:10]
        pg.goto(self.server.url(f"lab/workspaces/{workspace}/tree/{self.name}"))
        tab = pg.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current", has_text=self.name)
        tab.wait_for(timeout=timeout * 1000)
        # the notebook panel is the element whose id the current tab names
        self.sel = f"[id='{tab.get_attribute('data-id')}']"
        self.panel = pg.locator(self.sel)
        self.panel.locator(".jp-Cell").first.wait_for(timeout=timeout * 1000)
        # the kernel is up once the notebook's toolbar says so. Chromium fails the page's requests with
        # ERR_NETWORK_CHANGED when an interface comes or goes (the classroom tests, beside these, add
        # bridges): the toolbar then never comes; the page is loaded once more, as a person would
        indicator = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
        try:
            self.panel.locator(indicator).wait_for(timeout=timeout * 1000 / 2)
        except Exception:
            log = getattr(pg, "console_log", None)
            if log is None or not log.network_changed:
                raise  # not the network's doing: the test fails on it
            # what the changed network broke is not the kit's: its "Failed to fetch" goes, the reload's count
            log.errors = [e for e in log.errors if "Failed to fetch" not in e]
            pg.reload()
            tab.wait_for(timeout=timeout * 1000)
            self.sel = f"[id='{tab.get_attribute('data-id')}']"
            self.panel = pg.locator(self.sel)
            self.panel.locator(indicator).wait_for(timeout=timeout * 1000)
        pg.wait_for_function(
            "() => /Idle/.test(Array.from(document.querySelectorAll('.jp-StatusBar-Item'))"
            ".map(e => e.textContent).join(' '))", timeout=timeout * 1000)
        return self

    def hide_file_browser(self) -> None:
        """Collapse the left sidebar (View > Appearance > Show Left Sidebar, Ctrl+B) if it is open."""
        if self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").count():
            self.page.keyboard.press("Control+b")
            self.page.wait_for_selector(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current", state="detached",
                                        timeout=10_000)

    def run_from(self, index: int, timeout: float = 240) -> None:
        """Run the cell at ``index`` and every cell below it (Run > Run Selected Cell and All Below)."""
        self.select_cell(index)
        last = self.panel.locator(".jp-Cell").count() - 1
        # JupyterLab disables "... and All Below" on the last cell: run that one alone
        self.menu("Run", "notebook:run-cell" if index >= last else "notebook:run-all-below")
        self.wait_idle(timeout)

    def menu(self, menu: str, command: str) -> None:
        """Click a menu bar entry, then one of its items (by JupyterLab command id)."""
        pg = self.page
        pg.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).first.click()
        pg.locator(f".lm-Menu-item[data-command='{command}']").first.click()

    def prompts(self) -> list[str]:
        return self.panel.evaluate(
            "p => Array.from(p.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')).map(e => e.textContent.trim())")

    def run_all(self, timeout: float = 240) -> float:
        """Run > Run All Cells, then wait until the kernel is done; returns the seconds it took."""
        t0 = time.monotonic()
        self.menu("Run", "runmenu:run-all")
        self.wait_idle(timeout)
        return time.monotonic() - t0

    def wait_idle(self, timeout: float = 240, settle: float = 1.5) -> None:
        """Wait until no cell is queued or running ([*]) and the kernel is idle, for ``settle`` s."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            prompts = self.prompts()
            idle = self.kernel_idle()
            ran = any(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
            if idle and ran and not any(p == "[*]:" for p in prompts):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle:
                    return
            else:
                quiet_since = None
            time.sleep(0.25)
        raise AssertionError(f"{self.name}: cells still running after {timeout:.0f} s; prompts: {self.prompts()}")

    def kernel_idle(self) -> bool:
        """The notebook's toolbar says its kernel is idle."""
        return self.panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0

    def kernel_state(self) -> str:
        """The kernel's state as the toolbar shows it (idle, busy, ...)."""
        ind = self.panel.locator(".jp-Notebook-ExecutionIndicator").first
        return ind.get_attribute("data-status") or "?"

    def select_cell(self, index: int) -> None:
        """Click a cell's prompt area (command mode), as a learner selects a cell."""
        cell = self.cell(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").first.click()

    def cell(self, index: int):
        return self.panel.locator(f".jp-Cell[data-windowed-list-index='{index}']")

    def save(self) -> dict:
        """File > Save Notebook; returns the saved notebook as JSON."""
        before = self.path.stat().st_mtime_ns
        self.menu("File", "docmanager:save")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.path.stat().st_mtime_ns != before:
                try:  # the server may still be writing it
                    return json.loads(self.path.read_text())
                except ValueError:
                    pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name}: File > Save did not write the notebook within 30 s")

    # --- what the learner sees -----------------------------------------------------------
    def shot(self, name: str, locator=None) -> Path:
        """A screenshot (of the page, or of one element) saved to the artifacts."""
        path = self.artifacts / f"{name}.png"
        if locator is not None:
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path))
        self.shots.append(path)
        return path

    def widget_output(self, *, has_button: str):
        """The cell output whose ipywidgets view holds a button with this text (as rendered, not a repr)."""
        pg = self.page
        return self.panel.locator(".jp-OutputArea-output").filter(
            has=pg.locator(".jupyter-widgets button.jupyter-button", has_text=re.compile(rf"^\s*{re.escape(has_button)}\s*$")))

    def errors(self, saved: dict) -> list[str]:
        """Error outputs of the cells not tagged raises-exception: in the saved file and on screen."""
        found = []
        tagged = set()
        for i, cell in enumerate(saved.get("cells", [])):
            if "raises-exception" in (cell.get("metadata", {}).get("tags") or []):
                tagged.add(i)
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
                elif out.get("output_type") == "stream" and out.get("name") == "stderr" \
                        and ERROR_PATTERNS.search("".join(out.get("text", ""))):
                    found.append(f"cell {i}: a traceback on stderr: {''.join(out['text'])[:300]}")
        # on screen: tracebacks and the lab's friendly error boxes inside widgets (not saved in the file)
        shown = self.panel.evaluate("""p => Array.from(p.querySelectorAll('.jp-Cell')).map(c => [
                  Number(c.getAttribute('data-windowed-list-index')),
                  Array.from(c.querySelectorAll('.dockerlab-error')).map(e => e.innerText),
                  Array.from(c.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]'))
                       .map(e => e.innerText)])""")
        for index, boxes, stderr in shown:
            if index in tagged:
                continue
            found += [f"cell {index}: error box shown: {b[:300]}" for b in boxes]
            found += [f"cell {index}: traceback shown: {s[:300]}" for s in stderr if ERROR_PATTERNS.search(s)]
        return sorted(set(found))

    def log_console_entries(self) -> str:
        """Outputs that belong to no cell (e.g. a widget callback's traceback) go to the log console;
        the status bar shows its counter only when there are entries. Returns their text ('' if none)."""
        item = self.page.locator(".jp-LogConsoleStatusItem:not(.lm-mod-hidden)")
        if item.count() == 0:
            return ""
        title = item.locator("[title]").first.get_attribute("title") or "log entries"
        item.first.click()
        try:
            self.page.wait_for_selector(".jp-LogConsolePanel", timeout=10_000)
            time.sleep(0.5)
            self.shot(f"{Path(self.name).stem}-log-console")
            text = self.page.locator(".jp-LogConsolePanel").first.inner_text()
        except Exception:
            text = ""
        return f"{title}\n{text}".strip()
