"""The live resource monitor: CPU % and memory of containers over time (a plotted `docker stats`).

The axes, ticks, grid and legend are a plain matplotlib ``Figure`` on the Agg
canvas, drawn as a PNG into an ``ipywidgets.Image`` only when they change (a line
is added, a status changes, the time window changes or a line outgrows its axis).
The lines themselves are an SVG laid over that picture (an ``ipywidgets.HTML`` in
the same grid cell), rebuilt about once a second from the lines' data: the
browser draws them, so a tick costs the kernel a few hundred microseconds of
string formatting instead of rasterising and PNG-encoding the whole figure.
Both work in stock JupyterLab 4 (ipywidgets' own front end; no ipympl, no extra
extension). ``png()`` and ``save()`` render lines and axes together with matplotlib.
"""
from __future__ import annotations

import struct
import threading
import uuid
import time
import zlib
from html import escape

import ipywidgets as W
import numpy as np
import traitlets

from ..errors import DockerLabError
from ..sampler import REMOVED, RUNNING, STOPPED, Sampler
from ._common import attempt, error_html, ok_html
from .lines import Track, scale

_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f"]
# CPU % axis: at least 100 (one core, as `docker stats` counts), so busy and idle compare at a glance
# and the axis (a full redraw) changes only when a container uses more than one core
_CPU_STEPS = [100, 200, 300, 400, 600, 800, 1200, 1600, 3200, 6400]
_LW = 1.8  # line width, points
_DASHES = {"-": "", ":": "2 3", "--": "6 4"}  # matplotlib's line styles as SVG dash arrays (px)


def _nice_ceiling(value: float, floor: float) -> float:
    """A round upper limit above ``value`` (1-2-5 steps), at least ``floor``."""
    if value <= floor:
        return floor
    mag = 10 ** np.floor(np.log10(value))
    for m in (1, 2, 5, 10):
        if m * mag >= value:
            return float(m * mag)
    return float(10 * mag)


def _cpu_ceiling(value: float) -> float:
    for step in _CPU_STEPS:
        if value * 1.1 <= step:
            return float(step)
    return float(_nice_ceiling(value * 1.1, 100))


def _png_rgba(rgba, width: int, height: int) -> bytes:
    """A PNG of the canvas' RGBA buffer: rows unfiltered, zlib level 1.

    About three times cheaper than PIL's encoder (which tries a filter per row)
    on a plot that is mostly white; the monitor encodes one picture a second.
    """
    a = np.frombuffer(rgba, dtype=np.uint8).reshape(height, width * 4)
    raw = np.empty((height, width * 4 + 1), dtype=np.uint8)
    raw[:, 0] = 0  # each row starts with its filter type: 0, none
    raw[:, 1:] = a

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))


class Monitor(W.VBox):
    """CPU % and memory of chosen containers, plotted live (about once a second).

    ``containers``: names to follow (``None``: every running container of
    ``scope`` and those that start later). ``window``: seconds shown.
    Pause/Resume freezes the picture; the sampler keeps collecting, so
    ``samples`` (a DataFrame) and ``to_csv()`` have everything.
    """

    #: Monitors whose redraw thread runs (a re-run cell makes a new one; the old keeps running
    #: until stopped: ``Monitor.stop_all()`` stops every one of them).
    _live: set = set()

    window = traitlets.Int(60)
    paused = traitlets.Bool(False)
    interval = traitlets.Float(1.0)
    running = traitlets.Bool(False, read_only=True)
    #: The latest line per container, e.g. {"busy": "running", "idle": "removed"}.
    statuses = traitlets.Dict(read_only=True)

    def __init__(self, lab, containers=None, *, window: int = 60, scope: str = "mine", interval: float = 1.0,
                 autostart: bool = True, size=(7.5, 4.4), dpi: int = 80, maxlen: int = 3600):
        super().__init__()
        self.lab = lab
        self.sampler = Sampler(lab, containers, scope=scope, maxlen=maxlen)
        self._draw_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        self._clock = None  # the kernel source's reading thread, when it drives the redraws
        self._svg_layout = None  # the SVG's parts that change only with the layout (_make_svg_layout)
        self._tracks: dict[str, Track] = {}  # name -> its samples in the window, kept as they arrive
        self._drawn = None  # the last tick's (now, statuses), not yet given to matplotlib's lines
        self._bg = None  # the background (axes, ticks, legend) kept for blitting
        self._layout_key = None
        self._lines: dict[str, tuple] = {}
        self._shown = window  # the seconds the x axis spans now (the window; less once stopped)
        self._stopped_at = None
        self.frames_drawn = 0
        self.full_draws = 0
        self._pause = W.ToggleButton(description="Pause", icon="pause", value=False,
                                     tooltip="freeze the picture (sampling goes on)")
        self._window = W.IntSlider(description="window (s)", min=10, max=600, step=10, value=window,
                                   continuous_update=False, style={"description_width": "6em"})
        self._export = W.Button(description="Export CSV", icon="download")
        self._csv_path = W.Text(value="monitor-samples.csv", layout=W.Layout(width="16em"))
        w, h = int(round(size[0] * dpi)), int(round(size[1] * dpi))
        cell = dict(grid_area="plot", width=f"{w}px", max_width="100%", margin="0")
        self._image = W.Image(format="png", layout=W.Layout(height="auto", **cell))
        self._overlay = W.HTML(layout=W.Layout(height="auto", **cell))
        self._plot = W.GridBox([self._image, self._overlay],
                               layout=W.Layout(grid_template_areas='"plot"', width=f"{w}px", max_width="100%"))
        # clip-path ids must be unique in the page, which may show monitors of several kernels
        self._svg_id = f"dlmon-{uuid.uuid4().hex[:10]}"
        self._status = W.HTML()
        self._message = W.HTML()
        self._pause.observe(self._on_pause_button, names="value")
        self._window.observe(self._on_window_slider, names="value")
        self._export.on_click(self._on_export)
        self.observe(self._on_paused, names="paused")
        self.observe(self._on_window, names="window")
        self.observe(self._on_running, names="running")
        self.children = [W.HBox([self._pause, self._window]), self._plot, self._status,
                         W.HBox([self._export, self._csv_path]), self._message]
        self._make_figure(size, dpi)
        self.window, self.interval = window, interval
        if autostart:
            self.start()
        else:
            self.update(force=True)

    # --- validation ---------------------------------------------------------------------
    @traitlets.validate("window")
    def _valid_window(self, proposal):
        v = proposal["value"]
        if not 10 <= v <= 3600:
            raise traitlets.TraitError(f"window is the seconds shown, from 10 to 3600, not {v!r}")
        return v

    @traitlets.observe("interval")
    def _on_interval(self, change):
        if self._clock is not None:  # redraw at the new pace: a reading thread of that interval
            self._clock.remove_hook(self._tick)
            self._clock = self._kernel_clock()
            self._clock.add_hook(self._tick)

    @traitlets.validate("interval")
    def _valid_interval(self, proposal):
        v = proposal["value"]
        if not 0.2 <= v <= 60:
            raise traitlets.TraitError(f"interval is the seconds between redraws, from 0.2 to 60, not {v!r}")
        return v

    # --- callbacks: only delegate ---------------------------------------------------------------
    def _on_pause_button(self, change):
        self.paused = bool(change["new"])

    def _on_paused(self, change):
        self._pause.value = self.paused
        self._pause.description = "Resume" if self.paused else "Pause"
        self._pause.icon = "play" if self.paused else "pause"
        self.update(force=True)  # the title says "paused" (or "live" again) at once

    def _on_running(self, change):
        # a stopped monitor has nothing to pause: the button says so until start()
        self._pause.disabled = not self.running
        if not self.running:
            self._pause.description, self._pause.icon = "Stopped", "stop"
        else:
            self._on_paused({"new": self.paused})

    def _on_window_slider(self, change):
        self.window = int(change["new"])

    def _on_window(self, change):
        if self._window.min <= self.window <= self._window.max:
            self._window.value = self.window
        self._tracks = {}  # a longer window needs older samples: taken again from the sampler
        self.update(force=True)

    def _on_export(self, _button):
        self.export()

    # --- public, testable --------------------------------------------------------------------------
    def start(self) -> "Monitor":
        """Start sampling and the ~1 Hz redraw."""
        if self.running:
            return self
        _, err = attempt(None, self.sampler.start)
        if err is not None:
            self._message.value = error_html(err)
            return self
        self._stop.clear()
        self._stopped_at = None
        self.set_trait("running", True)
        self.update(force=True)
        self._clock = self._kernel_clock()
        if self._clock is not None:  # redraw right after the sampler's reading, in its thread
            self._clock.add_hook(self._tick)
        else:
            self._thread = threading.Thread(target=self._loop, name="dockerlab-monitor", daemon=True)
            self._thread.start()
        Monitor._live.add(self)
        return self

    def _kernel_clock(self):
        """The kernel source's reading thread, when the sampler reads the kernel's files at this
        monitor's interval: one wake-up a second for reading and drawing, not two."""
        from .. import stats_sources

        source = self.sampler.source
        if getattr(source, "kind", "") != stats_sources.KERNEL or not hasattr(source, "clock"):
            return None
        return source.clock(self.interval)

    @classmethod
    def stop_all(cls) -> int:
        """Stop every running monitor of this kernel (their streams close); returns how many."""
        live = list(cls._live)
        for m in live:
            m.stop()
        return len(live)

    def stop(self) -> None:
        """Stop the redraws and close the engine streams (the samples stay)."""
        self._stop.set()
        Monitor._live.discard(self)
        clock, self._clock = self._clock, None
        if clock is not None:
            clock.remove_hook(self._tick)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None
        self.sampler.stop()
        if self.running:
            self._stopped_at = time.time()
        self.set_trait("running", False)
        try:
            self.update(force=True)  # the title says "stopped"
        except Exception:  # the interpreter may be shutting down (close() from __del__)
            pass

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def close(self):
        self.stop()
        super().close()

    @property
    def samples(self):
        """Every sample kept: time (UTC), name, cpu %, mem MiB, mem % (a pandas DataFrame)."""
        return self.sampler.frame()

    def to_csv(self, path=None) -> str:
        return self.sampler.to_csv(path)

    def export(self, path: str | None = None) -> str:
        """Write the samples as CSV (to the path in the box by default); says where."""
        path = path or self._csv_path.value.strip() or "monitor-samples.csv"
        try:
            self.sampler.to_csv(path)
        except OSError as e:
            self._message.value = error_html(DockerLabError(
                f"Could not write {path}", state=str(e), hint="choose a path in a folder you can write to"))
            return ""
        n = len(self.samples)
        self._message.value = ok_html(f"Wrote {n} samples to {path} (columns: time, name, cpu %, mem MiB, mem %)")
        return path

    def line_data(self, name: str, what: str = "cpu"):
        """The (seconds relative to now, values) the plot shows for one container."""
        with self._draw_lock:
            self._apply_lines()
        line = self._lines.get(name)
        if line is None:
            return np.array([]), np.array([])
        artist = line[0] if what == "cpu" else line[1]
        x, y = artist.get_data()
        return np.asarray(x), np.asarray(y)

    def png(self) -> bytes:
        """The picture shown now (axes and lines), rendered by matplotlib as PNG bytes."""
        with self._draw_lock:
            if self._bg is None:
                return b""
            self._blit()
            return self._encode()

    def save(self, path: str) -> str:
        """Draw now and write the picture to ``path`` (PNG)."""
        self.update(force=True)
        with open(path, "wb") as f:
            f.write(self.png())
        return path

    def update(self, force: bool = False) -> bool:
        """One redraw: new line data from the sampler; the figure is not rebuilt. True if drawn."""
        if self.paused and not force:
            return False
        with self._draw_lock:
            # a stopped monitor keeps the moment it stopped as "now" (a later redraw does not slide it)
            now = time.time() if self.running or self._stopped_at is None else self._stopped_at
            # each line's samples, (epoch s, cpu %, mem MiB, mem %), as the sampler keeps them: a tick takes
            # only the new ones and makes no arrays (numpy costs more than it saves on 60 points; png() and
            # line_data() make them); each line keeps its window's top and its formatted points (lines.py)
            tracks, edge = self._tracks, now - self.window - 2
            statuses, new, notes = self.sampler.snapshot(edge, {n: tr.last for n, tr in tracks.items()})
            names = list(new)
            for name, samples in new.items():
                tr = tracks.get(name)
                if tr is None:
                    tr = tracks[name] = Track()
                tr.add(samples)
                tr.expire(edge)
            shown = [tracks[n] for n in names if tracks[n].samples]
            # stopped: show the time it ran (10 s steps), not its seconds squeezed at the end of the window
            first = min([tr.samples[0][0] - now for tr in shown] + [0.0])
            self._shown = (self.window if self.running or self._stopped_at is None
                           else int(min(self.window, max(10, 10 * np.ceil(-first / 10)))))
            cpu_top = self._sticky("cpu", _cpu_ceiling(max([tr.peak(0) for tr in shown] + [0.0])))
            mem_top = self._sticky("mem", _nice_ceiling(max([tr.peak(1) for tr in shown] + [0.0]) * 1.15, 1.0))
            labels = tuple((n, statuses.get(n, "")) for n in names)
            key = (labels, self._shown, cpu_top, mem_top, self.running, self.paused)
            if force or key != self._layout_key or self._bg is None:
                self._relayout(names, statuses, cpu_top, mem_top)
                self._layout_key = key
            self._drawn = (now, statuses)  # matplotlib's lines get it only when asked (png, line_data)
            self._now = now
            svg = self._svg(names, statuses)
            if svg != self._overlay.value:
                self._overlay.value = svg
            self.frames_drawn += 1
            if statuses != self.statuses:
                self.set_trait("statuses", dict(statuses))
            self._show_status(statuses, notes)
            return True

    # --- drawing -------------------------------------------------------------------------------------
    def _sticky(self, which: str, wanted: float) -> float:
        """An axis grows at once but shrinks only when the data would fill less than a third of it,
        so a line wobbling around a step does not make the axis jump (and the figure redraw) each second."""
        tops = self.__dict__.setdefault("_tops", {})
        top = tops.get(which)
        if top is None or wanted > top or wanted < top / 3:
            tops[which] = top = wanted
        return top

    def _make_figure(self, size, dpi):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=size, dpi=dpi, layout=None)
        self._canvas = FigureCanvasAgg(self.figure)
        self._ax_cpu, self._ax_mem = self.figure.subplots(2, 1, sharex=True)
        self.figure.subplots_adjust(left=0.1, right=0.72, top=0.92, bottom=0.12, hspace=0.12)
        self._ax_cpu.set_ylabel("CPU % (100 = 1 core)")
        self._ax_mem.set_ylabel("memory (MiB)")
        self._ax_mem.set_xlabel("seconds (0 = now)")
        for ax in (self._ax_cpu, self._ax_mem):
            ax.grid(True, alpha=0.3)
        self._title = self.figure.suptitle("docker stats, live", fontsize=11)

    def _relayout(self, names, statuses, cpu_top, mem_top):
        """Full draw: limits, legend, title; keep the result as the blitting background."""
        from matplotlib.lines import Line2D

        for i, name in enumerate(names):
            if name not in self._lines:
                color = _COLORS[len(self._lines) % len(_COLORS)]
                c, = self._ax_cpu.plot([], [], color=color, lw=_LW, animated=True)
                m, = self._ax_mem.plot([], [], color=color, lw=_LW, animated=True)
                self._lines[name] = (c, m)
        handles = []
        for name in names:
            c, m = self._lines[name]
            st = statuses.get(name, "")
            style = "-" if st == RUNNING else (":" if st in (STOPPED, REMOVED) else "--")
            for line in (c, m):
                line.set_linestyle(style)
            label = name if st == RUNNING else f"{name} ({st or 'waiting'})"
            handles.append(Line2D([], [], color=c.get_color(), lw=_LW, linestyle=style, label=label))
        leg = self._ax_cpu.get_legend()
        if leg is not None:
            leg.remove()
        if handles:
            self._ax_cpu.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9,
                                frameon=False, title="container", title_fontsize=9)
        self._ax_cpu.set_ylim(0, cpu_top)
        self._ax_mem.set_ylim(0, mem_top)
        self._ax_cpu.set_xlim(-self._shown, 0)
        state = "paused" if self.paused else ("live" if self.running else "stopped")
        self._title.set_text(f"docker stats, {state}: last {self._shown} s"
                             + ("" if names else " (no container to show yet)"))
        self._canvas.draw()
        self._svg_layout = None  # scales, clip paths, line styles: formatted again at the next tick
        self._bg = self._canvas.copy_from_bbox(self.figure.bbox)
        self._image.value = self._encode()  # axes, ticks and legend; the lines go over it as SVG
        height = self.figure.bbox.height
        # each axis' plot area in the picture's pixels (SVG's y grows downwards) and its data limits
        self._boxes = []
        for ax in (self._ax_cpu, self._ax_mem):
            b = ax.get_window_extent()
            self._boxes.append((b.x0, height - b.y1, b.width, b.height, ax.get_xlim(), ax.get_ylim()))
        self.full_draws += 1

    def _apply_lines(self) -> None:
        """Give matplotlib's lines the data the SVG shows (for png() and line_data(); a tick does not)."""
        drawn, self._drawn = self._drawn, None
        if drawn is None:
            return
        now, statuses = drawn
        for name, tr in self._tracks.items():
            arr = np.array(tr.samples, dtype=float).reshape(-1, 4)
            x, cpu, mem = arr[:, 0] - now, arr[:, 1], arr[:, 2]
            ended = statuses.get(name) in (STOPPED, REMOVED) and len(x) > 0
            for line, y in zip(self._lines[name], (cpu, mem)):
                line.set_data(x, y)
                if ended or line.get_marker() not in ("", "None", None):  # a cross where an ended line ends
                    line.set_marker("X" if ended else "")
                    line.set_markevery([len(x) - 1] if ended else None)

    def _blit(self):
        self._apply_lines()
        self._canvas.restore_region(self._bg)
        for c, m in self._lines.values():
            self._ax_cpu.draw_artist(c)
            self._ax_mem.draw_artist(m)

    def _svg(self, names: list, statuses: dict) -> str:
        """The lines over the picture: one polyline per container and axis, clipped to the axis,
        in the style the legend shows (solid running, dotted ended, dashed waiting), a cross
        where an ended line ends. The lines' points are placed from the layout's origin and slid
        left together (one ``translate`` per axis); what changes only with the layout is
        formatted once per layout, and each line's points as its samples arrive (lines.py)."""
        head, axes, styles, origin, cross = self._svg_layout or self._make_svg_layout()
        now, tracks, parts = self._now, self._tracks, [head]
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

    def _make_svg_layout(self):
        """The SVG's parts that change only with the layout: its head and clip paths, each axis'
        scale (from the layout's origin: now), each line's colour and dashes (from matplotlib's
        lines, as the legend shows them)."""
        w, h = self._canvas.get_width_height()
        px = self.figure.dpi / 72.0  # points to pixels
        sid, origin = self._svg_id, self._now
        clips, axes = [], []
        r, sw = 3.0 * px, 2.2 * px

        def cross(cx, cy, style):  # where an ended line ends: solid, whatever the line's dashes
            return (f'<path d="M{cx - r:.1f},{cy - r:.1f}L{cx + r:.1f},{cy + r:.1f}M{cx - r:.1f},{cy + r:.1f}'
                    f'L{cx + r:.1f},{cy - r:.1f}"{style.split(" stroke-dasharray")[0]} stroke-width="{sw:.1f}"/>')

        for i, (x0, y0, bw, bh, (xa, xb), (ya, yb)) in enumerate(self._boxes):
            clips.append(f'<clipPath id="{sid}-{i}"><rect x="{x0:.1f}" y="{y0:.1f}" width="{bw:.1f}" '
                         f'height="{bh:.1f}"/></clipPath>')
            kx, ky = bw / (xb - xa), bh / (yb - ya)
            axes.append((i, f'<g clip-path="url(#{sid}-{i})">', scale(x0, y0, bh, xa, ya, kx, ky, origin)))
        styles = {}
        for name, pair in self._lines.items():
            for i, line in enumerate(pair):
                dash = _DASHES.get(line.get_linestyle(), "")
                styles[(name, i)] = f' stroke="{line.get_color()}"' + (f' stroke-dasharray="{dash}"' if dash else "")
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
                f'style="display:block;width:100%;height:auto;pointer-events:none" fill="none" '
                f'stroke-width="{_LW * px:.1f}" stroke-linejoin="round" stroke-linecap="butt">'
                f'<defs>{"".join(clips)}</defs>')
        self._svg_layout = (head, axes, styles, origin, cross)
        return self._svg_layout

    def _encode(self) -> bytes:
        w, h = self._canvas.get_width_height()
        return _png_rgba(self._canvas.buffer_rgba(), w, h)

    def _show_status(self, statuses, notes: int):
        key = (tuple(statuses.items()), notes)
        if key == getattr(self, "_status_key", None):
            return
        self._status_key = key
        colors = {RUNNING: "#2e7d32", STOPPED: "#e65100", REMOVED: "#b71c1c"}
        parts = [f"<span style='color:{colors.get(st, '#555')}'>&#9679; {escape(n)}: {escape(st)}</span>"
                 for n, st in statuses.items()]
        notes = self.sampler.notes[-4:]
        html = " &nbsp; ".join(parts) or "<i>no container followed yet</i>"
        if notes:
            html += "<br><small>" + "<br>".join(escape(n) for n in notes) + "</small>"
        if html != self._status.value:
            self._status.value = html

    def _loop(self):
        while not self._stop.wait(self.interval):
            self._tick()

    def _tick(self) -> None:
        """One redraw from a thread (the monitor's own, or the kernel source's after its reading)."""
        if self.paused or self._stop.is_set():
            return
        try:
            self.update()
        except Exception as e:  # never die silently in a thread: say it in the widget
            self._message.value = error_html(e)

    @property
    def shown(self) -> str:
        from .launcher import plain

        return plain(self._status.value.replace("<br>", "\n")) + "\n" + plain(self._message.value)

    def __repr__(self) -> str:
        if self.sampler.chosen is None:
            return f"Monitor(scope={self.sampler.scope!r}, window={self.window})"
        return f"Monitor(containers={self.sampler.chosen!r}, window={self.window})"
