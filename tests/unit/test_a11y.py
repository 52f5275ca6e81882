"""What the kit draws says itself in words too: alt text, the numbers as a table, a throttled live
region, verdicts with a plain sign and a word, boxes that keep the theme's text colour."""
from __future__ import annotations

import base64
import re

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dockerlab import a11y, diagrams, plots  # noqa: E402
from dockerlab.exercises import failed, passed  # noqa: E402
from dockerlab.terminal_boxes import Terminal  # noqa: E402
from dockerlab.widgets._common import error_html, ok_html, warn_html  # noqa: E402
from dockerlab.widgets.monitor_draw import describe, numbers  # noqa: E402


def _cells(html: str) -> list[list[str]]:
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)]


def test_figure_html_has_alt_text_and_the_numbers_as_a_table():
    html = a11y.figure_html(b"\x89PNG", "Bar chart: two bars. a 1 MB; b 2 MB", (["name", "MB"], [["a", 1.0], ["b", 2.5]]))
    assert "alt='Bar chart: two bars. a 1 MB; b 2 MB'" in html
    assert "data:image/png;base64," + base64.b64encode(b"\x89PNG").decode() in html
    assert "<details><summary>" in html and "<caption>Bar chart: two bars</caption>" in html
    assert _cells(html) == [["name", "MB"], ["a", "1"], ["b", "2.5"]]
    assert "alt='it&#x27;s &lt;b&gt;'" in a11y.figure_html(b"", "it's <b>")  # quoted, never markup


def test_each_lesson_plot_carries_alt_text_and_its_table():
    t0 = pd.Timestamp("2026-01-01")
    samples = pd.DataFrame({"time": [t0, t0 + pd.Timedelta(seconds=1)] * 2, "name": ["a", "a", "b", "b"],
                            "cpu %": [99.0, 100.0, 50.0, 49.0]})
    fig = plots.cpu_over_time(samples, cap=50, show=False)
    assert fig.alt.startswith("Line chart: CPU %") and "a: mean 99.5 %, peak 100 %" in fig.alt and "--cpus 0.5" in fig.alt
    assert fig.table[1] == [["a", 2, 99.5, 100.0, 100.0], ["b", 2, 49.5, 50.0, 49.0]]
    images = pd.DataFrame({"REPOSITORY": ["alpine", "ubuntu"], "TAG": ["latest"] * 2, "SIZE (MB)": [1.98, 4.33]})
    fig = plots.image_sizes(images, show=False)
    assert "alpine:latest 1.98 MB; ubuntu:latest 4.33 MB" in fig.alt and fig.table[1][1] == ["ubuntu:latest", 4.33]
    fig = plots.run_times([0.2, 0.3, 0.25], show=False)
    assert "median, 250 ms" in fig.alt and fig.table == (["run", "ms"], [[1, 200.0], [2, 300.0], [3, 250.0]])
    mem = pd.DataFrame({"NAME": ["nb09-a", "nb09-b"], "MEM USAGE (MiB)": [0.3, 0.4]})
    fig = plots.idle_memory(mem, show=False)
    assert "0.7 MiB in all" in fig.alt and fig.table[1] == [["nb09-a", 0.3], ["nb09-b", 0.4]]
    fig = plots.start_vs_vms(214, process_ms=1.5, show=False)
    assert "214 ms" in fig.alt and ["classic VM (a few s to a few min)", "3000-180000", "our reading"] in fig.table[1]
    fig = plots.memory_vs_vms(0.5, 3.5, limit_mib=512, show=False)
    assert "Allotted" in fig.alt and "512" in fig.alt and "Used" in fig.alt and len(fig.table[1]) == 6
    layers = pd.DataFrame({"NAME": ["a"], "WRITABLE LAYER (MB)": [1.0], "IMAGE + LAYER (MB)": [3.0]})
    assert plots.container_layers(layers, show=False).table[1] == [["a", 2.0, 1.0]]


def test_a_shown_plot_is_html_with_its_alt_and_no_second_pyplot_figure(monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    plt.close("all")
    assert plots.run_times([0.1, 0.2]) is None
    (fig,) = shown
    bundle = fig._repr_mimebundle_()
    assert bundle["text/plain"] == fig.alt and "<img" in bundle["text/html"] and f"alt='{fig.alt}'" in bundle["text/html"]
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert plt.get_fignums() == []  # closed: the inline backend does not show it again, without alt


def test_diagrams_say_what_they_draw():
    fig = diagrams.architecture(["alpine"], [("web", "alpine")], mirror="127.0.0.1:5000")
    assert "dockerd" in fig.alt and "web from alpine" in fig.alt and "mirror at 127.0.0.1:5000" in fig.alt
    html = fig._repr_html_()
    assert "<img" in html and "alt='Diagram:" in html and "<table>" in html
    fig = diagrams.image_and_containers("alpine", [("a", "running"), "b"])
    assert "2 containers" in fig.alt and "a (running), b" in fig.alt and fig.table[1] == [["a", "running", "alpine"],
                                                                                        ["b", "", "alpine"]]


def test_the_announcer_speaks_every_few_seconds_not_every_tick():
    now = [100.0]
    a = a11y.Announcer(every=5.0, clock=lambda: now[0])
    assert a.offer("busy 90 %") == "busy 90 %"  # the first text at once
    said = []
    for _ in range(12):  # a tick a second, the numbers changing each time
        now[0] += 1
        said.append(a.offer(f"busy {now[0]} %"))
    assert [s for s in said if s] == ["busy 105.0 %", "busy 110.0 %"]  # every 5 s, not 12 times
    now[0] += 10
    assert a.offer("busy 110.0 %") is None  # the same words again: nothing new to say
    html = a11y.live_region_html("a <b>")
    assert "role='status'" in html and "aria-live='polite'" in html and "a &lt;b&gt;" in html


def test_monitor_words_and_numbers():
    text = describe({"busy": "running", "idle": "removed"}, {"busy": (98.04, 0.5)}, 60, "live")
    assert text.startswith("Resource monitor, live:") and "last 60 s" in text
    assert "busy (running): 98.0 % CPU, 0.5 MiB" in text and "idle (removed): no sample yet" in text
    assert describe({}, {}, 30, "stopped").endswith("No container followed yet.")

    class T:
        def __init__(self, samples):
            self.samples = samples

    cols, rows = numbers({"busy": "running"}, {"busy": T([(0, 10.0, 1.0, 0), (1, 30.0, 2.0, 0)])}, ["busy", "x"])
    assert cols[:3] == ["container", "status", "samples"]
    assert rows == [["busy", "running", 2, 30.0, 30.0, 20.0, 2.0, 2.0], ["x", "", 0, "", "", "", "", ""]]


def test_verdicts_say_it_in_words_and_a_plain_sign():
    ok, no = passed("nb05.run", "Well done."), failed("nb05.run", "the container is missing.", "run it")
    assert repr(ok) == "✓ nb05.run: correct. Well done."
    assert repr(no).startswith("✗ nb05.run: not yet. The container is missing.")
    for v in (ok, no):
        assert not re.search("[\U0001F300-\U0001FAFF\u2705\u274c]", repr(v) + v._repr_html_())  # no emoji
        assert "color:" not in v._repr_html_().split("style='")[1].split("'")[0].replace("border-left", "")


@pytest.mark.parametrize("html", [error_html(RuntimeError("x")), ok_html("fine"), warn_html("gone")])
def test_boxes_keep_the_themes_text_colour_over_a_tint(html):
    style = html.split("style='")[1].split("'")[0]
    assert "color:var(--jp-content-font-color1" in style.replace(" ", "")
    assert re.search(r"background:\s*rgba\(", style)  # a tint over the theme's background, light or dark


def test_a_terminal_box_that_scrolls_can_take_the_keyboard():
    html = Terminal("06-ps-typo", "docker ps - a", "x" * 300, 1, "28.5")._repr_html_()
    pre = html.split("<pre")[1].split(">")[0]
    assert "tabindex='0'" in pre and "role='region'" in pre and "aria-label='06-ps-typo:" in pre
    assert "#b35900" not in html and "(exit code 1)" in html


def _luminance(hex_color: str) -> float:
    """WCAG's relative luminance of ``#rrggbb``."""
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_monitors_lines_stand_out_on_its_panel():
    """WCAG 1.4.11: a line one must see to read the plot has 3:1 against the picture's background
    (matplotlib's own orange, pink, cyan and olive have 2.0-2.9 on white)."""
    from dockerlab.widgets import monitor_draw

    weak = {c: round(contrast(c, monitor_draw.PANEL), 2) for c in monitor_draw._COLORS
            if contrast(c, monitor_draw.PANEL) < 3}
    assert not weak, weak
    assert contrast(monitor_draw.INK, monitor_draw.PANEL) >= 7


def test_the_monitors_picture_is_a_light_panel_whatever_style_the_kernel_uses():
    """In JupyterLab Dark the picture stays an opaque light card with dark text, also when the learner's
    kernel turned on a dark matplotlib style (white text on a transparent figure would vanish there)."""
    import io

    import numpy as np
    from matplotlib import pyplot as plt
    from PIL import Image

    from dockerlab.widgets.monitor_draw import Drawing

    with plt.style.context("dark_background"):
        d = Drawing((7.5, 4.4), 80, "t")
        png = d.relayout(["a"], {"a": "running"}, 100, 10, 60, "live")
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)
    corners = [px[0, 0], px[0, -1], px[-1, 0], px[-1, -1]]
    assert all(list(c) == [255, 255, 255, 255] for c in corners), corners
    assert (px[..., 3] == 255).all(), "the picture has see-through pixels"
    darkest = px[..., :3].sum(axis=2).min()
    assert darkest < 60, f"no dark text on the panel (darkest pixel sum {darkest})"
