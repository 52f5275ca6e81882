"""Accessibility of what the kit draws, in JupyterLab, checked with axe-core (WCAG 2.0-2.2 A and AA).

1. Lessons that together show every widget and output kind (04 PullProgress; 05 the Shell, terminal
   boxes, error boxes; 06 Launcher and ContainerTable; 07 the Monitor and a plot; 09 plots, verdicts),
   Run All as a learner, then axe on the kit's outputs only (``.jp-OutputArea-output``): any
   violation fails, each printed with its rule, impact and the offending HTML.
2. The same outputs of 06 and 07 in "JupyterLab Dark": axe's color-contrast rule; screenshots of the
   Monitor, the table and an error box (artifacts/browser/dark-*.png).
3. Keyboard only: Tab to the Launcher's Launch button (a visible focus ring), Enter starts the
   container; Tab to its row's Stop button in the table, Enter stops it.

axe-core comes from npm (pinned, scripts/provision-browser): /opt/dockerlab/axe (DOCKERLAB_AXE_DIR).
Counts per lesson: artifacts/browser/axe-<lesson>.json.
"""
from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

import pytest

from conftest import _missing
from jlab import ARTIFACTS, Notebook, wait_until
from tests.engine.raw import raw

pytestmark = [pytest.mark.browser, pytest.mark.engine, pytest.mark.timeout(400)]

AXE = Path(os.environ.get("DOCKERLAB_AXE_DIR", "/opt/dockerlab/axe")) / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
LESSONS = ["04-info-and-pull.ipynb", "05-run.ipynb", "06-lifecycle.ipynb", "07-stats.ipynb",
           "09-containers-vs-vms.ipynb"]
DARK = ("06-lifecycle.ipynb", "07-stats.ipynb")  # the table, an error box, the Monitor and a plot
#: The kit's outputs, and nothing of JupyterLab's chrome around them.
CONTEXT = {"include": [".jp-OutputArea-output"],
           # JupyterLab's own output prompt/toolbar live outside .jp-OutputArea-output; nothing inside
           # it that JupyterLab owns trips a rule at present, so nothing is excluded here
           "exclude": []}


@pytest.fixture(scope="module")
def axe_js() -> Path:
    if not AXE.is_file():
        _missing(f"no axe-core at {AXE}")
    return AXE


_wait = wait_until


def axe(page, axe_js: Path, *, rules: list[str] | None = None) -> list[dict]:
    """axe.run on the kit's outputs: the violations (rule id, impact, help, the nodes' HTML)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    options = {"runOnly": {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG},
               "resultTypes": ["violations"]}
    return page.evaluate("""async ([context, options]) => {
        const r = await axe.run(context, options);
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => {
                const el = document.querySelector(n.target.join(' '));
                const out = el && el.closest('.jp-OutputArea-output');
                return {html: n.html.slice(0, 400), target: n.target.join(' '), summary: n.failureSummary,
                        output: out ? out.innerText.slice(0, 200) : ''};
            })}));
    }""", [CONTEXT, options])


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)")
        for n in v["nodes"][:8]:
            lines.append(f"    {n['target']}\n      {n['html']}\n      in the output: {n['output']!r}")
    return "\n".join(lines)


def counts(violations: list[dict]) -> dict:
    return {v["id"]: len(v["nodes"]) for v in violations}


def _record(lesson: str, key: str, violations: list[dict]) -> None:
    path = ARTIFACTS / f"axe-{Path(lesson).stem}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = {"total": sum(len(v["nodes"]) for v in violations), "by_rule": counts(violations),
                 "violations": violations}
    path.write_text(json.dumps(data, indent=1))


def set_theme(page, theme: str) -> None:
    """Settings > Theme > <theme>, as a learner picks it; waits for the page to wear it."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Settings$")).first.click()
    page.locator(".lm-Menu-item", has_text=re.compile(r"^Theme$")).first.hover()
    page.locator(".lm-Menu-item[data-command='apputils:change-theme']", has_text=theme).first.click()
    light = "true" if "Light" in theme else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'"
                           f" && document.body.dataset.jpThemeName === {json.dumps(theme)}", timeout=30_000)
    time.sleep(1.0)  # the theme's stylesheet applied


def _open_and_run(page, jupyter, lesson: str) -> Notebook:
    nb = Notebook(page, jupyter, lesson, ARTIFACTS).open()
    nb.hide_file_browser()
    took = nb.run_all(timeout=300)
    print(f"{lesson}: Run All took {took:.1f} s")
    return nb


def _error_box(nb: Notebook, page):
    """A kit error box in a widget: Launch again with the name the lesson's launcher already used."""
    launcher = nb.widget_output(has_button="Launch").first
    launch = launcher.locator("button.jupyter-button", has_text="Launch")
    launch.click()  # the lesson's cleanup removed its container: this one starts, the next click conflicts
    _wait("the launcher's answer", lambda: re.search(r"NameConflict|Started", launcher.inner_text()), timeout=60)
    if "NameConflict" not in launcher.inner_text():
        launch.click()
        _wait("the launcher's NameConflict box", lambda: "NameConflict" in launcher.inner_text(), timeout=60)
    return launcher.locator(".dockerlab-error").first


@pytest.mark.parametrize("lesson", LESSONS)
def test_axe_finds_no_violation_in_the_kits_outputs(jupyter, page, axe_js, lesson):
    t0 = time.monotonic()
    nb = _open_and_run(page, jupyter, lesson)
    if lesson.startswith("06"):
        _error_box(nb, page)  # an error box in a widget, for axe too
    found = axe(page, axe_js)
    _record(lesson, "light", found)
    print(f"{lesson}: axe (WCAG A/AA) {counts(found) or 'no violations'}")
    problems = [report(found)] if found else []
    if lesson in DARK:
        set_theme(page, "JupyterLab Dark")
        try:
            dark = axe(page, axe_js, rules=["color-contrast"])
            _record(lesson, "dark", dark)
            print(f"{lesson}: axe color-contrast in JupyterLab Dark {counts(dark) or 'no violations'}")
            if dark:
                problems.append("in JupyterLab Dark:\n" + report(dark))
            if lesson.startswith("06"):
                nb.shot("dark-table", nb.widget_output(has_button="Refresh").filter(
                    has=page.locator("button", has_text="docker ps -a")).first)
                nb.shot("dark-error-box", nb.widget_output(has_button="Launch").first)
            else:
                monitor = nb.widget_output(has_button="Export CSV").first
                nb.shot("dark-monitor", monitor)
                nb.shot("dark-plot", nb.panel.locator(".jp-OutputArea-output:has(img)").last)
        finally:
            set_theme(page, "JupyterLab Light")
    print(f"{lesson}: {time.monotonic() - t0:.1f} s")
    assert not problems, f"{lesson}: axe-core found violations in the kit's outputs:\n" + "\n".join(problems)


def _tab_to(page, predicate_js: str, *, limit: int = 120, shift: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element satisfies ``predicate_js`` (el => bool)."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate_js})(el); }}"):
            return page.evaluate("""() => { const el = document.activeElement, s = getComputedStyle(el);
                return {text: el.innerText, label: el.getAttribute('aria-label'),
                        outline: s.outlineStyle === 'none' ? 'none' : s.outlineWidth + ' ' + s.outlineStyle,
                        shadow: s.boxShadow}; }""")
    raise AssertionError(f"{limit} Tabs did not reach the element ({predicate_js})")


def _ring(focused: dict) -> bool:
    """A focus ring one sees on any button colour: an outline of 2 px or more (ipywidgets' own is a 1 px
    outline in the brand blue, lost on the blue Launch button, and a faint shadow)."""
    return focused["outline"] != "none" and float(focused["outline"].split("px")[0]) >= 2


def test_keyboard_only_launch_and_stop(jupyter, page, engine_lab, owner):
    t0 = time.monotonic()
    nb = _open_and_run(page, jupyter, "06-lifecycle.ipynb")
    launcher = nb.widget_output(has_button="Launch").first
    table = nb.widget_output(has_button="Refresh").filter(has=page.locator("button", has_text="docker ps -a")).first
    name = "kbd-" + uuid.uuid4().hex[:8]
    # the name field, typed into (clicked once to get there, as into any text box), then only keys
    box = launcher.locator(".widget-text").filter(has=page.locator("label", has_text=re.compile(r"^--name$")))
    box.locator("input").click()
    page.keyboard.press("Control+a")
    page.keyboard.type(name)
    focused = _tab_to(page, "el => el.matches('button.jupyter-button') && /Launch/.test(el.innerText)")
    nb.shot("kbd-launch-focused", launcher)
    print(f"Launch focused: outline {focused['outline']!r}, box-shadow {focused['shadow']!r}")
    assert _ring(focused), f"the focused Launch button shows no focus ring: {focused}"
    page.keyboard.press("Enter")
    _wait(f"the launcher to report {name} started", lambda: f"Started {name}" in launcher.inner_text(), timeout=60)
    found = raw(engine_lab).containers(all=True, filters={"name": [f"^/{name}$"]})
    assert found and found[0]["State"] == "running", found
    assert found[0]["Labels"].get("org.dockerlab.owner") == owner

    # the table, by keyboard: Tab to Refresh, Enter; then Tab to the new row's Stop button, Enter
    refresh = _tab_to(page, "el => el.matches('button.jupyter-button') && /Refresh/.test(el.innerText)")
    assert _ring(refresh), refresh
    page.keyboard.press("Enter")
    row = table.locator(".widget-hbox").filter(has=page.locator("b", has_text=re.compile(rf"^{name}$")))
    _wait(f"{name} listed in the table", lambda: row.count() == 1, timeout=60)
    # the row's Stop button: its text (accessible name) "stop", its tooltip the command
    stop = _tab_to(page, f"el => el.matches('button') && el.title === 'docker stop {name}'")
    assert stop["text"].strip() == "stop", stop
    nb.shot("kbd-stop-focused", table)
    assert _ring(stop), stop
    page.keyboard.press("Enter")
    _wait(f"{name} stopped in the engine",
          lambda: raw(engine_lab).containers(all=True, filters={"name": [f"^/{name}$"]})[0]["State"] == "exited",
          timeout=60)
    print(f"keyboard test: {time.monotonic() - t0:.1f} s")
