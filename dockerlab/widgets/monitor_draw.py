"""The monitor's picture: the axes as a matplotlib figure (a PNG), the lines as an SVG laid over it.

The axes, ticks, grid and legend are a plain matplotlib ``Figure`` on the Agg canvas, drawn
(:meth:`Drawing.relayout`) only when they change; the lines are an SVG (:meth:`Drawing.svg`)
made from the lines' data each tick, which the browser draws over that picture.
:meth:`Drawing.png` renders lines and axes together with matplotlib (blitting the lines on the
kept background). The widget (:mod:`dockerlab.widgets.monitor`) decides when to draw what.
"""
from __future__ import annotations

import numpy as np

from ..pngenc import png_rgba
from ..sample_store import REMOVED, RUNNING, STOPPED
from .lines import scale

#: The picture is a light panel in every JupyterLab theme (in Dark too: an opaque white card, black text),
#: whatever matplotlib style the learner's kernel uses; its lines have at least 3:1 contrast on it (WCAG
#: 1.4.11, graphics): matplotlib's tab10, with its orange, pink, cyan and olive darkened to reach 3:1.
PANEL = "#ffffff"
INK = "#000000"
_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#c05a00", "#9467bd", "#8c564b", "#c2187f", "#0e7f8a",
           "#6f6f00", "#6b6b6b"]
#: matplotlib settings the picture is drawn with (the learner's rcParams, a dark style, do not reach it).
PANEL_RC = {"figure.facecolor": PANEL, "axes.facecolor": PANEL, "savefig.facecolor": PANEL,
            "figure.edgecolor": PANEL, "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK,
            "xtick.color": INK, "ytick.color": INK, "xtick.labelcolor": INK, "ytick.labelcolor": INK,
            "grid.color": "#b0b0b0", "legend.labelcolor": INK, "legend.facecolor": PANEL,
            "axes.titlecolor": INK}
# CPU % axis: at least 100 (one core, as `docker stats` counts), so busy and idle compare at a glance
# and the axis (a full redraw) changes only when a container uses more than one core
_CPU_STEPS = [100, 200, 300, 400, 600, 800, 1200, 1600, 3200, 6400]
_LW = 1.8  # line width, points
_DASHES = {"-": "", ":": "2 3", "--": "6 4"}  # matplotlib's line styles as SVG dash arrays (px)


def nice_ceiling(value: float, floor: float) -> float:
    """A round upper limit above ``value`` (1-2-5 steps), at least ``floor``."""
    if value <= floor:
        return floor
    mag = 10 ** np.floor(np.log10(value))
    for m in (1, 2, 5, 10):
        if m * mag >= value:
            return float(m * mag)
    return float(10 * mag)


def cpu_ceiling(value: float) -> float:
    for step in _CPU_STEPS:
        if value * 1.1 <= step:
            return float(step)
    return float(nice_ceiling(value * 1.1, 100))


class Drawing:
    """One monitor's figure (CPU % above, memory below, the legend at the right) and its SVG lines.

    ``svg_id``: the prefix of the SVG's clip-path ids (unique in the page, which may show
    monitors of several kernels).
    """

    def __init__(self, size, dpi: int, svg_id: str):
        import matplotlib

        with matplotlib.rc_context(PANEL_RC):
            self._init(size, dpi, svg_id)

    def _init(self, size, dpi: int, svg_id: str):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.svg_id = svg_id
        self.figure = Figure(figsize=size, dpi=dpi, layout=None)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax_cpu, self.ax_mem = self.figure.subplots(2, 1, sharex=True)
        self.figure.subplots_adjust(left=0.1, right=0.72, top=0.92, bottom=0.12, hspace=0.12)
        self.ax_cpu.set_ylabel("CPU % (100 = 1 core)")
        self.ax_mem.set_ylabel("memory (MiB)")
        self.ax_mem.set_xlabel("seconds (0 = now)")
        for ax in (self.ax_cpu, self.ax_mem):
            ax.grid(True, alpha=0.3)
        self.title = self.figure.suptitle("docker stats, live", fontsize=11)
        self.lines: dict[str, tuple] = {}  # name -> its (CPU, memory) matplotlib lines
        self.bg = None  # the background (axes, ticks, legend) kept for blitting
        self.boxes: list = []  # each axis' plot area in the picture's pixels and its data limits
        self.full_draws = 0
        self._tops: dict[str, float] = {}  # each axis' top, as sticky() keeps it
        self._svg_layout = None  # the SVG's parts that change only with the layout (_make_svg_layout)

    def sticky(self, which: str, wanted: float) -> float:
        """An axis grows at once but shrinks only when the data would fill less than a third of it,
        so a line wobbling around a step does not make the axis jump (and the figure redraw) each second."""
        top = self._tops.get(which)
        if top is None or wanted > top or wanted < top / 3:
            self._tops[which] = top = wanted
        return top

    def relayout(self, names, statuses, cpu_top, mem_top, shown, state: str) -> bytes:
        """Full draw: limits, legend, title; keep the result as the blitting background. Returns
        the background as PNG (axes, ticks and legend; the lines go over it as SVG)."""
        import matplotlib

        with matplotlib.rc_context(PANEL_RC):
            return self._relayout(names, statuses, cpu_top, mem_top, shown, state)

    def _relayout(self, names, statuses, cpu_top, mem_top, shown, state: str) -> bytes:
        from matplotlib.lines import Line2D

        for name in names:
            if name not in self.lines:
                color = _COLORS[len(self.lines) % len(_COLORS)]
                c, = self.ax_cpu.plot([], [], color=color, lw=_LW, animated=True)
                m, = self.ax_mem.plot([], [], color=color, lw=_LW, animated=True)
                self.lines[name] = (c, m)
        handles = []
        for name in names:
            c, m = self.lines[name]
            st = statuses.get(name, "")
            style = "-" if st == RUNNING else (":" if st in (STOPPED, REMOVED) else "--")
            for line in (c, m):
                line.set_linestyle(style)
            label = name if st == RUNNING else f"{name} ({st or 'waiting'})"
            handles.append(Line2D([], [], color=c.get_color(), lw=_LW, linestyle=style, label=label))
        leg = self.ax_cpu.get_legend()
        if leg is not None:
            leg.remove()
        if handles:
            self.ax_cpu.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9,
                               frameon=False, title="container", title_fontsize=9)
        self.ax_cpu.set_ylim(0, cpu_top)
        self.ax_mem.set_ylim(0, mem_top)
        self.ax_cpu.set_xlim(-shown, 0)
        self.title.set_text(f"docker stats, {state}: last {shown} s" + ("" if names else " (no container to show yet)"))
        self.canvas.draw()
        self._svg_layout = None  # scales, clip paths, line styles: formatted again at the next tick
        self.bg = self.canvas.copy_from_bbox(self.figure.bbox)
        background = self.encode()
        height = self.figure.bbox.height
        # each axis' plot area in the picture's pixels (SVG's y grows downwards) and its data limits
        self.boxes = []
        for ax in (self.ax_cpu, self.ax_mem):
            b = ax.get_window_extent()
            self.boxes.append((b.x0, height - b.y1, b.width, b.height, ax.get_xlim(), ax.get_ylim()))
        self.full_draws += 1
        return background

    def set_lines(self, tracks: dict, now: float, statuses: dict) -> None:
        """Give matplotlib's lines the data the SVG shows (for png() and line_data(); a tick does not)."""
        for name, tr in tracks.items():
            arr = np.array(tr.samples, dtype=float).reshape(-1, 4)
            x, cpu, mem = arr[:, 0] - now, arr[:, 1], arr[:, 2]
            ended = statuses.get(name) in (STOPPED, REMOVED) and len(x) > 0
            for line, y in zip(self.lines[name], (cpu, mem)):
                line.set_data(x, y)
                if ended or line.get_marker() not in ("", "None", None):  # a cross where an ended line ends
                    line.set_marker("X" if ended else "")
                    line.set_markevery([len(x) - 1] if ended else None)

    def line_data(self, name: str, what: str = "cpu"):
        """The (seconds relative to now, values) matplotlib's line holds for one container."""
        line = self.lines.get(name)
        if line is None:
            return np.array([]), np.array([])
        artist = line[0] if what == "cpu" else line[1]
        x, y = artist.get_data()
        return np.asarray(x), np.asarray(y)

    def png(self) -> bytes:
        """Lines and axes, blitted on the kept background, as PNG bytes ("" before the first layout)."""
        if self.bg is None:
            return b""
        self.canvas.restore_region(self.bg)
        for c, m in self.lines.values():
            self.ax_cpu.draw_artist(c)
            self.ax_mem.draw_artist(m)
        return self.encode()

    def encode(self) -> bytes:
        w, h = self.canvas.get_width_height()
        return png_rgba(self.canvas.buffer_rgba(), w, h)

    def svg(self, names: list, statuses: dict, tracks: dict, now: float) -> str:
        """The lines over the picture: one polyline per container and axis, clipped to the axis,
        in the style the legend shows (solid running, dotted ended, dashed waiting), a cross
        where an ended line ends. The lines' points are placed from the layout's origin and slid
        left together (one ``translate`` per axis); what changes only with the layout is
        formatted once per layout, and each line's points as its samples arrive (lines.py)."""
        head, axes, styles, origin, cross = self._svg_layout or self._make_svg_layout(now)
        parts = [head]
        for i, clip, sc in axes:
            dx = (origin - now) * sc[1]  # how far the lines have slid since the layout
            parts.append(clip)
            parts.append(f'<g transform="translate({dx:.1f} 0)">')
            ended = []
            for name in names:
                tr = tracks[name]
                style = styles.get((name, i))
                if style is None or not tr.samples:
                    continue
                parts.append(f'<polyline points="{tr.points(i, sc)}"{style}/>')
                if statuses.get(name) in (STOPPED, REMOVED):
                    t, v = tr.samples[-1][0], tr.samples[-1][1 + i]
                    ended.append(cross(sc[0] + t * sc[1] + dx, sc[2] - v * sc[3], style))
            parts.append("</g>")
            parts.extend(ended)  # outside the sliding group: placed where the last sample is now
            parts.append("</g>")
        parts.append("</svg>")
        return "".join(parts)

    def _make_svg_layout(self, origin: float):
        """The SVG's parts that change only with the layout: its head and clip paths, each axis'
        scale (from the layout's origin: now), each line's colour and dashes (from matplotlib's
        lines, as the legend shows them)."""
        w, h = self.canvas.get_width_height()
        px = self.figure.dpi / 72.0  # points to pixels
        sid = self.svg_id
        clips, axes = [], []
        r, sw = 3.0 * px, 2.2 * px

        def cross(cx, cy, style):  # where an ended line ends: solid, whatever the line's dashes
            return (f'<path d="M{cx - r:.1f},{cy - r:.1f}L{cx + r:.1f},{cy + r:.1f}M{cx - r:.1f},{cy + r:.1f}'
                    f'L{cx + r:.1f},{cy - r:.1f}"{style.split(" stroke-dasharray")[0]} stroke-width="{sw:.1f}"/>')

        for i, (x0, y0, bw, bh, (xa, xb), (ya, yb)) in enumerate(self.boxes):
            clips.append(f'<clipPath id="{sid}-{i}"><rect x="{x0:.1f}" y="{y0:.1f}" width="{bw:.1f}" '
                         f'height="{bh:.1f}"/></clipPath>')
            kx, ky = bw / (xb - xa), bh / (yb - ya)
            axes.append((i, f'<g clip-path="url(#{sid}-{i})">', scale(x0, y0, bh, xa, ya, kx, ky, origin)))
        styles = {}
        for name, pair in self.lines.items():
            for i, line in enumerate(pair):
                dash = _DASHES.get(line.get_linestyle(), "")
                styles[(name, i)] = f' stroke="{line.get_color()}"' + (f' stroke-dasharray="{dash}"' if dash else "")
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
                f'aria-hidden="true" focusable="false" '  # the picture's alt text (the Image's title) says it all
                f'style="display:block;width:100%;height:auto;pointer-events:none" fill="none" '
                f'stroke-width="{_LW * px:.1f}" stroke-linejoin="round" stroke-linecap="butt">'
                f'<defs>{"".join(clips)}</defs>')
        self._svg_layout = (head, axes, styles, origin, cross)
        return self._svg_layout


def latest(tracks, names) -> dict:
    """Each shown container's newest sample: name -> (cpu %, mem MiB); names without samples left out."""
    return {n: (tracks[n].samples[-1][1], tracks[n].samples[-1][2]) for n in names
            if n in tracks and tracks[n].samples}


def describe(statuses: dict, values: dict, window: float, state: str) -> str:
    """The picture in words (its alt text, and what the live region says): what it plots, over how
    long, and each container's status and newest CPU % and memory."""
    head = (f"Resource monitor, {state}: CPU % (100 = one core, top) and memory in MiB (bottom) "
            f"of each container over the last {window:g} s.")
    if not statuses:
        return head + " No container followed yet."
    parts = []
    for name, status in statuses.items():
        if name in values:
            cpu, mem = values[name]
            parts.append(f"{name} ({status}): {cpu:.1f} % CPU, {mem:.1f} MiB")
        else:
            parts.append(f"{name} ({status}): no sample yet")
    return head + " Now: " + "; ".join(parts) + "."


def numbers(statuses: dict, tracks, names) -> tuple[list, list]:
    """The numbers behind the picture, as (columns, rows): per container its status, newest, highest
    and mean CPU % and memory over the window (a table a screen reader reads)."""
    columns = ["container", "status", "samples", "CPU % now", "CPU % peak", "CPU % mean", "MiB now", "MiB peak"]
    rows = []
    for name in names:
        tr = tracks.get(name)
        got = list(tr.samples) if tr is not None else []
        if not got:
            rows.append([name, statuses.get(name, ""), 0, "", "", "", "", ""])
            continue
        cpu = [s[1] for s in got]
        mem = [s[2] for s in got]
        rows.append([name, statuses.get(name, ""), len(got), round(cpu[-1], 1), round(max(cpu), 1),
                     round(sum(cpu) / len(cpu), 1), round(mem[-1], 1), round(max(mem), 1)])
    return columns, rows
