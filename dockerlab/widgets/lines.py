"""The monitor's lines, kept as the samples arrive, so that a redraw does not go over the window.

A :class:`Track` is one container's samples in the monitor's window, oldest first, and for each
axis (0: CPU %, 1: memory MiB) what the 1 Hz redraw needs from them:

- **the window's highest value**, in a monotonic queue: a new sample drops the lower values
  before it, and the oldest leaves with its sample, so the axis' top is read, not searched;
- **its SVG points, as runs**: samples in a row at the same height (as formatted) make one
  horizontal segment, drawn by its two ends. The points between lie on that segment, so the
  picture is the same, but an idle container's 60 points are 2, and a tick formats only the
  newest sample (a run's end moves to it). Fewer points is also less for the browser to get
  each second. A run the window's edge cuts may start up to :data:`SLACK` seconds before the
  window, where the axis' clip hides it.

A point's x is its sample's time from the layout's fixed ``origin``, so its text never changes
while the layout holds; the monitor slides the whole line left (a ``translate``) as time passes.
A new layout (the axes' limits, the window) is a new ``scale``, and the runs are formatted again.
"""
from __future__ import annotations

from collections import deque

_NEVER = float("-inf")
#: A run that the window's edge cuts keeps its first point until that point is this many seconds
#: outside the window: the axis' clip hides the part outside, and the run is not formatted again
#: each tick (an idle line's one run would be, as its oldest sample leaves every second). After a
#: gap in the samples, the flat run may then show from the axis' left edge to its first sample
#: kept: the value it had there.
SLACK = 30.0


def scale(x0: float, y0: float, height: float, xa: float, ya: float, kx: float, ky: float,
          origin: float) -> tuple[float, float, float, float]:
    """A layout's mapping of (time, value) to the SVG's pixels, as ``x = X + t * kx``, ``y = Y - v * ky``:
    the axis' box starts at ``(x0, y0)``, is ``height`` high and shows ``xa`` seconds from ``origin``
    and ``ya`` upwards at its left and bottom edges, ``kx`` and ``ky`` pixels per second and per unit."""
    return x0 - (origin + xa) * kx, kx, y0 + height + ya * ky, ky


class Track:
    """One container's samples in the window ``(epoch s, cpu %, mem MiB, mem %)``, oldest first."""

    __slots__ = ("samples", "_peaks", "_runs", "_scales")

    def __init__(self):
        self.samples: deque = deque()
        self._peaks = (deque(), deque())  # per axis: (time, value), values falling; the top is [0]
        self._runs: list = [None, None]  # per axis: deque of runs formatted for _scales[axis]
        self._scales: list = [None, None]

    @property
    def last(self) -> float | None:
        """The newest sample's time (None before the first)."""
        return self.samples[-1][0] if self.samples else None

    def add(self, new) -> None:
        """Keep the samples of ``new`` (oldest first) taken after the newest one kept."""
        samples, peaks, runs = self.samples, self._peaks, self._runs
        last = samples[-1][0] if samples else _NEVER
        for s in new:
            t = s[0]
            if t <= last:
                continue
            last = t
            samples.append(s)
            for axis in (0, 1):
                v, q = s[1 + axis], peaks[axis]
                while q and q[-1][1] <= v:
                    q.pop()
                q.append((t, v))
                if runs[axis] is not None:
                    _extend(runs[axis], self._scales[axis], t, v)

    def expire(self, first: float) -> None:
        """Forget the samples taken before ``first``: they have left the window."""
        samples = self.samples
        if not samples or samples[0][0] >= first:
            return
        while samples and samples[0][0] < first:
            samples.popleft()
        for q in self._peaks:
            while q and q[0][0] < first:
                q.popleft()
        for axis, runs in enumerate(self._runs):
            if runs is None:
                continue
            while runs and runs[0][1] < first:
                runs.popleft()
            if runs and runs[0][0] < first - SLACK:  # a run the window's edge cuts: it starts at the first sample kept
                run, sc = runs[0], self._scales[axis]
                run[0] = samples[0][0]
                run[3] = f"{_x(sc, run[0])} {run[2]}"
                _retext(run, sc)

    def peak(self, axis: int) -> float:
        """The highest value on ``axis`` in the window (0.0 with no sample)."""
        q = self._peaks[axis]
        return q[0][1] if q else 0.0

    def points(self, axis: int, sc: tuple) -> str:
        """The SVG polyline's points on ``axis`` for the layout ``sc`` (:func:`scale`)."""
        runs = self._runs[axis]
        if self._scales[axis] is not sc:  # a new layout: every run formatted again
            runs = self._runs[axis] = deque()
            self._scales[axis] = sc
            for s in self.samples:
                _extend(runs, sc, s[0], s[1 + axis])
        return " ".join([r[4] for r in runs])


def _x(sc: tuple, t: float) -> str:
    return "%.1f" % (sc[0] + t * sc[1])


def _retext(run: list, sc: tuple) -> None:
    """A run's text from its first point's and its ends: one point, or the segment's two."""
    run[4] = run[3] if run[1] == run[0] else f"{run[3]} {_x(sc, run[1])} {run[2]}"


def _extend(runs: deque, sc: tuple, t: float, v: float) -> None:
    """Add the point (t, v): the last run's new end if it is at the same height, else a new run.
    A run is ``[first time, last time, y text, first point's text, its text]``."""
    y = "%.1f" % (sc[2] - v * sc[3])
    if runs and runs[-1][2] == y:
        run = runs[-1]
        run[1] = t
        _retext(run, sc)
    else:
        text = f"{_x(sc, t)} {y}"
        runs.append([t, t, y, text, text])
