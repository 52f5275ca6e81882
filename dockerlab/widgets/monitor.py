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

This module is the widget: its controls, its threads, when to draw. The drawing itself
(the figure, the SVG, the PNG) is :mod:`dockerlab.widgets.monitor_draw`.
"""
from __future__ import annotations

import threading
import uuid
import time
from html import escape

import ipywidgets as W
import numpy as np
import traitlets

from ..errors import DockerLabError
from ..sampler import REMOVED, RUNNING, STOPPED, Sampler
from ..a11y import Announcer, dot, focus_style, live_region_html, table_html
from ._common import attempt, error_html, note_html, ok_html
from .lines import Track
from .monitor_draw import Drawing, cpu_ceiling, describe, latest, nice_ceiling, numbers

#: The monitors of this process whose redraw thread runs. Per process on purpose: a kernel is one
#: process, and a re-run cell makes a new Monitor while the old one keeps drawing from its thread,
#: out of the learner's reach; only this set can still find it (``Monitor.stop_all()`` stops
#: every one of them). A monitor leaves it when stopped.
_LIVE_IN_THIS_PROCESS: set = set()

class _Picture(W.Image):
    """An Image whose title (its ``tooltip``) is the picture's text alternative. ipywidgets 8.1's front end
    reads the widget's ``description`` when it sets the title, and an Image has none (the view breaks):
    an empty one is synced with it."""

    description = traitlets.Unicode("").tag(sync=True)


class Monitor(W.VBox):
    """CPU % and memory of chosen containers, plotted live (about once a second).

    ``containers``: names to follow (``None``: every running container of
    ``scope`` and those that start later). ``window``: seconds shown.
    Pause/Resume freezes the picture; the sampler keeps collecting, so
    ``samples`` (a DataFrame) and ``to_csv()`` have everything.
    """

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
        # what it follows: a newer monitor of the same (a re-run cell, the notebook in another tab) replaces it
        self._watching = (getattr(lab, "owner", ""), getattr(lab, "lesson", ""), scope,
                          tuple(sorted(containers)) if containers is not None else None)
        self._draw_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        self._clock = None  # the kernel source's reading thread, when it drives the redraws
        self._tracks: dict[str, Track] = {}  # name -> its samples in the window, kept as they arrive
        self._drawn = None  # the last tick's (now, statuses), not yet given to matplotlib's lines
        self._layout_key = None
        self._shown = window  # the seconds the x axis spans now (the window; less once stopped)
        self._stopped_at = None
        self.frames_drawn = 0
        self._pause = W.ToggleButton(description="Pause", icon="pause", value=False,
                                     tooltip="freeze the picture (sampling goes on)")
        # a number box, not a slider: its label names it (ipywidgets' slider handle has no accessible name)
        self._window = W.BoundedIntText(description="window (s)", min=10, max=600, step=10, value=window,
                                        continuous_update=False, style={"description_width": "6em"},
                                        layout=W.Layout(width="13em"))
        self._export = W.Button(description="Export CSV", icon="download")
        self._csv_path = W.Text(value="monitor-samples.csv", layout=W.Layout(width="16em"))
        w = int(round(size[0] * dpi))
        cell = dict(grid_area="plot", width=f"{w}px", max_width="100%", margin="0")
        self._image = _Picture(format="png", layout=W.Layout(height="auto", **cell))
        self._overlay = W.HTML(layout=W.Layout(height="auto", **cell))
        self._plot = W.GridBox([self._image, self._overlay],
                               layout=W.Layout(grid_template_areas='"plot"', grid_template_columns="minmax(0, 1fr)",
                                                width=f"{w}px", max_width="100%"))
        self._status = W.HTML()
        self._message = W.HTML()
        # for screen readers: the picture in words, every few seconds (a polite live region), and its numbers
        self.announcer = Announcer(every=5.0)
        self._live = W.HTML()
        self._numbers = W.HTML()
        self.described = ""  # the alt text now
        self._pause.observe(self._on_pause_button, names="value")
        self._window.observe(self._on_window_slider, names="value")
        self._export.on_click(self._on_export)
        self.observe(self._on_paused, names="paused")
        self.observe(self._on_window, names="window")
        self.observe(self._on_running, names="running")
        self.children = [W.HBox([self._pause, self._window]), self._plot, self._status, self._numbers,
                         W.HBox([self._export, self._csv_path]), self._message, self._live, focus_style()]
        self.add_class("dockerlab-widget")
        self.add_class("dockerlab-monitor")
        # clip-path ids must be unique in the page, which may show monitors of several kernels
        self.drawing = Drawing(size, dpi, f"dlmon-{uuid.uuid4().hex[:10]}")
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
        older = [m for m in list(_LIVE_IN_THIS_PROCESS) if m is not self and m._watching == self._watching]
        for m in older:
            m.stop()
            m._message.value = note_html("Stopped: a newer monitor of the same containers started (this cell "
                                         "run again, or this notebook open in another tab). One at a time.")
        if older:
            self._message.value = note_html("A monitor of the same containers was running (an earlier run of this "
                                            "cell, or this notebook in another tab) and was stopped: one at a time.")
        _LIVE_IN_THIS_PROCESS.add(self)
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
        live = list(_LIVE_IN_THIS_PROCESS)
        for m in live:
            m.stop()
        return len(live)

    def stop(self) -> None:
        """Stop the redraws and close the engine streams (the samples stay)."""
        self._stop.set()
        _LIVE_IN_THIS_PROCESS.discard(self)
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
        return self.drawing.line_data(name, what)

    def png(self) -> bytes:
        """The picture shown now (axes and lines), rendered by matplotlib as PNG bytes."""
        with self._draw_lock:
            self._apply_lines()
            return self.drawing.png()

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
            drawing = self.drawing
            cpu_top = drawing.sticky("cpu", cpu_ceiling(max([tr.peak(0) for tr in shown] + [0.0])))
            mem_top = drawing.sticky("mem", nice_ceiling(max([tr.peak(1) for tr in shown] + [0.0]) * 1.15, 1.0))
            labels = tuple((n, statuses.get(n, "")) for n in names)
            key = (labels, self._shown, cpu_top, mem_top, self.running, self.paused)
            if force or key != self._layout_key or drawing.bg is None:
                state = "paused" if self.paused else ("live" if self.running else "stopped")
                self._image.value = drawing.relayout(names, statuses, cpu_top, mem_top, self._shown, state)
                self._layout_key = key
            self._drawn = (now, statuses)  # matplotlib's lines get it only when asked (png, line_data)
            svg = drawing.svg(names, statuses, tracks, now)
            if svg != self._overlay.value:
                self._overlay.value = svg
            self.frames_drawn += 1
            if statuses != self.statuses:
                self.set_trait("statuses", dict(statuses))
            self._show_status(statuses, notes)
            self._describe(names, statuses, tracks, state_changed=force or key != getattr(self, "_said_key", None))
            self._said_key = key
            return True

    def _describe(self, names, statuses, tracks, *, state_changed: bool) -> None:
        """The alt text (the picture's title), the numbers' table and the live region's words: at the
        announcer's pace (every few seconds), or at once when the layout changed (a status, the window)."""
        state = "paused" if self.paused else ("live" if self.running else "stopped")
        text = describe({n: statuses.get(n, "") for n in names}, latest(tracks, names), self._shown, state)
        if state_changed:
            self.announcer.said, self.announcer._at = "", None  # say it now
        said = self.announcer.offer(text)
        if said is None and self.described:
            return
        self.described = text
        self._image.tooltip = text
        columns, rows = numbers(statuses, tracks, names)
        self._numbers.value = ("<details><summary>The numbers in the plot, as a table</summary>"
                               + table_html(columns, rows, caption=f"Monitor, {state}, last {self._shown:g} s")
                               + "</details>")
        if said is not None:
            self._live.value = live_region_html(said)

    # --- drawing (monitor_draw.Drawing draws) ---------------------------------------------------
    @property
    def figure(self):
        """The matplotlib figure of the axes (the lines are drawn on it by png())."""
        return self.drawing.figure

    @property
    def full_draws(self) -> int:
        """How many times the axes were drawn again (a routine tick draws only the lines)."""
        return self.drawing.full_draws

    def _apply_lines(self) -> None:
        """Give matplotlib's lines the data the SVG shows (for png() and line_data(); a tick does not)."""
        drawn, self._drawn = self._drawn, None
        if drawn is not None:
            self.drawing.set_lines(self._tracks, *drawn)

    def _show_status(self, statuses, notes: int):
        key = (tuple(statuses.items()), notes)
        if key == getattr(self, "_status_key", None):
            return
        self._status_key = key
        colors = {RUNNING: "#2e7d32", STOPPED: "#e65100", REMOVED: "#b71c1c"}
        # the colour is a dot beside the words (the theme's text colour: readable on light and dark)
        parts = [f"<span>{dot(colors.get(st, '#777'))}{escape(n)}: {escape(st)}</span>"
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
