"""Accessibility of what the kit draws, in JupyterLab, checked with axe-core (WCAG 2.0-2.2 A and AA).

1. Lessons that together show every widget and output kind (04 PullProgress; 05 the Shell, terminal
   boxes, error boxes; 06 Launcher and ContainerTable; 07 the Monitor and a plot; 09 plots, verdicts),
   Run All as a learner, then axe on the kit's outputs only (``.jp-OutputArea-output``): any
   violation fails, each printed with its rule, impact and the offending HTML.
2. The same outputs of 06 and 07 in "JupyterLab Dark": axe's color-contrast rule; the Monitor's picture
   read from its pixels (an opaque light panel, ink of 7:1, lines of 3:1 on it); screenshots of the
   Monitor, the table and an error box (artifacts/browser/dark-*.png).
3. 200 % zoom (1280 px as 640 CSS px): no kit widget, error box or terminal box of 04-07 scrolls
   sideways, and what scrolls inside is focusable and named (measured in the same run as 1, so no
   lesson runs twice; test_kit_outputs_fit_at_200_percent_zoom asserts; zoom-*.png).
4. Keyboard only: Tab to the Launcher's Launch button (a visible focus ring), Enter starts the
   container; Tab to its row's Stop button in the table, Enter stops it; the table's columns stay where
   they were (left and width of each cell, under its header) as the row changes, and no row scrolls alone.
5. Kernel > Restart Kernel on a small notebook of the test's own: the dead kernel's Launcher, table and
   Monitor each say that their kernel stopped and the cell must run again (dead-kernel-widgets.png).

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
                problems += dark_picture_problems(monitor)
                nb.shot("dark-plot", nb.panel.locator(".jp-OutputArea-output:has(img)").last)
        finally:
            set_theme(page, "JupyterLab Light")
    if lesson in ZOOM_KINDS:  # the same outputs at 200 % zoom, for test_kit_outputs_fit_at_200_percent_zoom
        ZOOMED[lesson] = zoomed(nb, page)
    print(f"{lesson}: {time.monotonic() - t0:.1f} s")
    assert not problems, f"{lesson}: axe-core found violations in the kit's outputs:\n" + "\n".join(problems)


#: The kit's outputs, by the class the kit gives them; an error the kit raised in a cell (05's
#: raises-exception cells) is JupyterLab's error output, with the kit's one-line message.
KIT = {"pull": ".dockerlab-pull", "shell": ".dockerlab-shell", "terminal": ".dockerlab-terminal",
       "launcher": ".dockerlab-launcher", "table": ".dockerlab-table", "error": ".dockerlab-error",
       "monitor": ".dockerlab-monitor",
       "error-output": ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"}
#: What each lesson shows of the kit's (each must be there, and fit).
ZOOM_KINDS = {"04-info-and-pull.ipynb": ["pull"],
              "05-run.ipynb": ["shell", "terminal", "error-output"],
              "06-lifecycle.ipynb": ["launcher", "table", "error"],
              "07-stats.ipynb": ["monitor"]}
#: 1280 x 900 at 200 % zoom is 640 x 450 CSS px: what JupyterLab lays out for a learner who zooms in
ZOOM_VIEWPORT = {"width": 640, "height": 450}
#: lesson -> what zoomed() measured, kept by the axe test (which ran the lesson already) for the zoom test
ZOOMED: dict[str, dict] = {}
_MEASURE = """kinds => {
    const found = [];
    for (const [kind, sel] of kinds) {
        for (const el of document.querySelectorAll(sel)) {
            const out = el.closest('.jp-OutputArea-output');
            if (!el.offsetParent || !out) continue;  // not shown, or not an output
            // what scrolls sideways inside it must be reachable by keyboard (focusable) and named
            const unnamed = Array.from(el.querySelectorAll('*')).filter(d =>
                d.scrollWidth > d.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(d).overflowX)
                && !(d.tabIndex >= 0 && (d.getAttribute('aria-label') || d.getAttribute('aria-labelledby'))))
                .map(d => d.outerHTML.slice(0, 160));
            found.push({kind, text: el.innerText.slice(0, 80).replace(/\\s+/g, ' '),
                        scroll: el.scrollWidth, client: el.clientWidth,
                        right: Math.round(el.getBoundingClientRect().right),
                        out_scroll: out.scrollWidth, out_client: out.clientWidth,
                        out_right: Math.round(out.getBoundingClientRect().right), unnamed});
        }
    }
    return found;
}"""


def zoomed(nb: Notebook, page) -> dict:
    """The lesson's kit outputs at 200 % zoom (a 640 CSS px wide viewport): each one's own box and its
    output area's (scrollWidth, clientWidth), and the scrolling parts inside that have no name;
    a screenshot of each kind (artifacts/browser/zoom-<lesson>-<kind>.png). The viewport is put back after."""
    before, t0 = page.viewport_size, time.monotonic()
    if nb.name.startswith("06"):  # rows in the table: the container _error_box() started, listed
        table = nb.widget_output(has_button="Refresh").filter(has=page.locator("button", has_text="docker ps -a")).first
        table.locator("button.jupyter-button", has_text="Refresh").click()
        _wait("a row in the table", lambda: table.locator("button[title^='docker stop']").count() > 0, timeout=30)
    kinds = [(k, KIT[k]) for k in ZOOM_KINDS[nb.name]]
    page.set_viewport_size(ZOOM_VIEWPORT)
    try:
        time.sleep(1.0)  # JupyterLab lays the panels out again on resize
        found = page.evaluate(_MEASURE, kinds)
        # the pictures: as wide (640 CSS px), taller, so that a whole widget is in view
        page.set_viewport_size({"width": ZOOM_VIEWPORT["width"], "height": 1200})
        time.sleep(0.5)
        for kind, sel in kinds:
            el = nb.panel.locator(sel).first
            if el.count():
                nb.shot(f"zoom-{Path(nb.name).stem}-{kind}", el)
        return {"found": found}
    finally:
        page.set_viewport_size(before)
        print(f"{nb.name}: at 200 % zoom, measured in {time.monotonic() - t0:.1f} s")


def overflowing(found: list[dict]) -> list[str]:
    """What zoomed() measured that scrolls sideways (or hides a scroll region with no name)."""
    bad = []
    for f in found:
        where = f"{f['kind']} ({f['text']!r})"
        if f["scroll"] > f["client"] + 1:
            bad.append(f"{where}: its box scrolls sideways (scrollWidth {f['scroll']} > clientWidth {f['client']})")
        if f["out_scroll"] > f["out_client"] + 1 or f["right"] > f["out_right"] + 1:
            bad.append(f"{where}: it overflows its output area (scrollWidth {f['out_scroll']} > {f['out_client']}, "
                       f"right edge {f['right']} > {f['out_right']})")
        bad += [f"{where}: scrolls inside without a name or focus: {u}" for u in f["unnamed"]]
    return bad


@pytest.mark.parametrize("lesson", list(ZOOM_KINDS))
def test_kit_outputs_fit_at_200_percent_zoom(jupyter, page, lesson):
    """At 200 % zoom (1280 px shown as 640 CSS px) no kit widget, error box or terminal box scrolls
    sideways; what must scroll (a terminal's long lines) does it in a focusable region with a name.
    Measured by the axe test of the same lesson (it ran the lesson); run alone, it runs the lesson."""
    if lesson not in ZOOMED:
        nb = _open_and_run(page, jupyter, lesson)
        if lesson.startswith("06"):
            _error_box(nb, page)
        ZOOMED[lesson] = zoomed(nb, page)
    found = ZOOMED[lesson]["found"]
    kinds = {f["kind"] for f in found}
    missing = [k for k in ZOOM_KINDS[lesson] if k not in kinds]
    assert not missing, f"{lesson}: not shown, so not measured: {missing}"
    for f in found:
        print(f"{lesson}: {f['kind']}: scrollWidth {f['scroll']} clientWidth {f['client']} "
              f"(output area {f['out_scroll']}/{f['out_client']})")
    bad = overflowing(found)
    assert not bad, f"{lesson} at 200 % zoom:\n  " + "\n  ".join(bad)


def _luminance(rgb) -> float:
    """WCAG's relative luminance of an (r, g, b) of 0-255."""
    lin = [(c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def dark_picture_problems(monitor) -> list[str]:
    """The Monitor's picture in JupyterLab Dark, read from its pixels (axe does not look into images): an
    opaque panel (no see-through pixel, so the dark page does not show through the figure), text on it
    of 7:1 or more (the darkest pixels against the panel), and each line of the SVG over it of 3:1."""
    got = monitor.evaluate("""out => {
        const img = out.querySelector('.dockerlab-monitor img');
        const c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let clear = 0, darkest = [255, 255, 255], low = 765;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] < 255) clear++;
            const s = d[i] + d[i + 1] + d[i + 2];
            if (s < low) { low = s; darkest = [d[i], d[i + 1], d[i + 2]]; }
        }
        const strokes = Array.from(out.querySelectorAll('.dockerlab-monitor svg polyline'))
            .map(p => getComputedStyle(p).stroke.match(/\\d+/g).slice(0, 3).map(Number));
        return {size: [c.width, c.height], corner: Array.from(d.slice(0, 4)), clear, darkest, strokes};
    }""")
    print(f"dark Monitor picture: {got['size']} corner {got['corner']}, see-through pixels {got['clear']}, "
          f"darkest {got['darkest']}, lines {got['strokes']}")
    bad = []
    if got["clear"] or got["corner"][3] != 255:
        bad.append(f"the Monitor's picture lets the dark page through ({got['clear']} see-through pixels)")
    text = _contrast(got["darkest"], got["corner"])
    if text < 7:
        bad.append(f"the Monitor's picture: its darkest ink has {text:.1f}:1 on its background {got['corner'][:3]}")
    for rgb in got["strokes"]:
        if _contrast(rgb, got["corner"]) < 3:
            bad.append(f"the Monitor's line {rgb} has {_contrast(rgb, got['corner']):.1f}:1 on the picture (3:1 needed)")
    if not got["strokes"]:
        bad.append("the Monitor shows no line to check")
    return ["in JupyterLab Dark, the Monitor's picture:\n  " + "\n  ".join(bad)] if bad else []


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
    running_cols = columns(table, name)
    # the row's Stop button: its text (accessible name) "stop", its tooltip the command
    stop = _tab_to(page, f"el => el.matches('button') && el.title === 'docker stop {name}'")
    assert stop["text"].strip() == "stop", stop
    nb.shot("kbd-stop-focused", table)
    assert _ring(stop), stop
    page.keyboard.press("Enter")
    _wait(f"{name} stopped in the engine",
          lambda: raw(engine_lab).containers(all=True, filters={"name": [f"^/{name}$"]})[0]["State"] == "exited",
          timeout=60)
    # the rows were built again (its STATUS says Exited now): the columns did not move
    _wait(f"{name}'s row to say Exited", lambda: "Exited" in row.inner_text(), timeout=30)
    stopped_cols = columns(table, name)
    print(f"columns (left, width) running {running_cols}, stopped {stopped_cols}")
    assert stopped_cols == running_cols, f"the table's columns moved as its rows changed: {running_cols} -> {stopped_cols}"
    print(f"keyboard test: {time.monotonic() - t0:.1f} s")


def columns(table, name: str) -> dict:
    """The table's columns as drawn: each header cell's and ``name``'s row's cells' (left, width) in px.
    Asserts that each header stands above its cells (the same left and width), and that no row scrolls
    on its own (each row was an ipywidgets box, ``overflow: auto``: a row scrolled sideways moved its
    cells away from the header's)."""
    got = table.evaluate("""(t, name) => {
        const rows = Array.from(t.querySelectorAll('.widget-hbox'));
        const head = rows.find(r => /CONTAINER ID/.test(r.innerText));
        const row = rows.find(r => Array.from(r.querySelectorAll('b')).some(b => b.innerText.trim() === name));
        const cells = r => Array.from(r.children).slice(0, 6).map(c => {
            const b = c.getBoundingClientRect(); return [Math.round(b.left), Math.round(b.width)]; });
        return {head: cells(head), row: cells(row),
                scrolling: rows.filter(r => r.scrollWidth > r.clientWidth + 1).map(r => r.innerText.slice(0, 60))};
    }""", name)
    assert got["head"] == got["row"], f"the header is not above its columns: header {got['head']}, {name} {got['row']}"
    assert not got.pop("scrolling"), f"rows of the table scroll sideways on their own: {got}"
    return got


DEAD = "dead-kernel.ipynb"
_AFTER = """el => ({disconnected: el.classList.contains('jupyter-widgets-disconnected'),
                    says: getComputedStyle(el, '::after').content})"""


def test_widgets_of_a_restarted_kernel_say_so(jupyter, page):
    """Kernel > Restart Kernel: the widgets of the kernel that stopped keep their last picture ("live", a
    "running..." line), with ipywidgets' broken-link icon only; each of the kit's says in words that its kernel
    has stopped and the cell must run again (the kit's stylesheet, which the page keeps: the kernel is gone)."""
    import nbformat

    from dockerlab.a11y import DEAD_KERNEL_TEXT

    t0 = time.monotonic()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import dockerlab\nfrom dockerlab.widgets import ContainerTable, Launcher, Monitor\n"
        "lab = dockerlab.connect(lesson='browser-dead-kernel', show_cli=False)"),
        nbformat.v4.new_code_cell("Launcher(lab)"), nbformat.v4.new_code_cell("ContainerTable(lab)"),
        nbformat.v4.new_code_cell("monitor = Monitor(lab, [], window=30)\nmonitor")]
    nbformat.write(nb, Path(jupyter.root_dir) / DEAD)
    book = Notebook(page, jupyter, DEAD, ARTIFACTS).open()
    book.hide_file_browser()
    book.run_all(timeout=120)
    views = book.panel.locator(".jp-OutputArea-output > .dockerlab-widget")
    _wait("the three widgets", lambda: views.count() == 3, timeout=30)
    live = [v.evaluate(_AFTER) for v in views.all()]
    assert not any(s["disconnected"] for s in live) and all(DEAD_KERNEL_TEXT not in s["says"] for s in live), live
    book.menu("Kernel", "kernelmenu:restart")
    page.locator(".jp-Dialog button.jp-mod-accept").click()  # "Restart"
    _wait("the old views marked disconnected",
          lambda: all(v.evaluate(_AFTER)["disconnected"] for v in views.all()), timeout=60)
    dead = [v.evaluate(_AFTER) for v in views.all()]
    book.shot("dead-kernel-widgets", book.panel.locator(".jp-OutputArea-output:has(.dockerlab-monitor)").first)
    print(f"after the restart: {dead}")
    assert all(DEAD_KERNEL_TEXT in s["says"] for s in dead), dead
    # the new kernel up before the test ends: a server stopped mid-restart fails its own shutdown
    # (jupyter_client's shutdown_all: InvalidStateError on the restarting kernel) and waits out its 20 s
    _wait("the restarted kernel", lambda: "Kernel restarted:" in jupyter.log_path.read_text() and book.kernel_idle(),
          timeout=60)
    print(f"dead-kernel test: {time.monotonic() - t0:.1f} s")
