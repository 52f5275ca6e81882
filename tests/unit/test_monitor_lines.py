"""The monitor's lines kept as samples arrive (dockerlab.widgets.lines): each tick's top and
points must be what a redraw over the whole window would give, with a flat stretch drawn
by its two ends."""
import random

from dockerlab.widgets.lines import SLACK, Track, scale


def _naive_points(samples, axis, sc):
    """Every sample's point, as a redraw over the window formats it, less the points inside a
    flat stretch (on the segment between its ends: the same picture)."""
    pts = [("%.1f" % (sc[0] + s[0] * sc[1]), "%.1f" % (sc[2] - s[1 + axis] * sc[3])) for s in samples]
    keep = [p for k, p in enumerate(pts) if not (0 < k < len(pts) - 1 and pts[k - 1][1] == p[1] == pts[k + 1][1])]
    return " ".join(f"{x} {y}" for x, y in keep)


def _same_picture(got, samples, axis, sc, edge):
    """``got`` is the naive points, but its first run may start further left, at most SLACK
    seconds before the window's edge, at the height of the first point kept: a segment the
    axis' clip cuts where the window starts."""
    def pairs(text):
        v = text.split()
        return [(float(x), y) for x, y in zip(v[::2], v[1::2])]

    gp, wp = pairs(got), pairs(_naive_points(samples, axis, sc))
    if gp == wp:
        return True
    lo = float("%.1f" % (sc[0] + (edge - SLACK) * sc[1])) - 0.1
    head_ok = bool(wp) and lo <= gp[0][0] < wp[0][0] and gp[0][1] == wp[0][1]
    return head_ok and (gp[1:] == wp[1:] if len(gp) == len(wp) else gp[1:] == wp)


def test_a_track_gives_what_a_whole_window_redraw_gives():
    rnd = random.Random(7)
    for trial in range(40):
        tr, window, t = Track(), rnd.choice([5, 10, 60]), 1_800_000_000.0
        sc = scale(50.0, 20.0, 200.0, -window, 0.0, 7.3, 1.9, t)
        for tick in range(150):
            new = []
            for _ in range(rnd.choice([0, 1, 1, 1, 2, 3])):
                t += rnd.choice([0.5, 1.0, 1.0, 1.02])
                new.append((t, rnd.choice([0.0, 0.0, 0.0, 12.5, 90.0]), rnd.choice([3.0, 3.0, 3.0, 4.25]), 0.1))
            if rnd.random() < 0.1:
                new = new + new[:1]  # a sample seen again is not kept twice
            tr.add(new)
            tr.expire(t - window)
            if rnd.random() < 0.05:  # a new layout: the points are formatted again
                sc = scale(50.0, 20.0, 200.0, -window, 0.0, 7.3, rnd.choice([1.9, 2.5]), t)
            kept = list(tr.samples)
            assert all(s[0] >= t - window for s in kept) and [s[0] for s in kept] == sorted({s[0] for s in kept})
            for axis in (0, 1):
                assert tr.peak(axis) == max([s[1 + axis] for s in kept] + [0.0]), (trial, tick)
                assert _same_picture(tr.points(axis, sc), kept, axis, sc, t - window), (trial, tick, axis)


def test_an_idle_line_is_two_points_and_a_busy_one_every_point():
    t0 = 1_800_000_000.0
    sc = scale(0.0, 0.0, 100.0, -60.0, 0.0, 1.0, 1.0, t0)
    idle, busy = Track(), Track()
    for i in range(60):
        idle.add([(t0 + i, 0.0, 2.0, 0.1)])
        busy.add([(t0 + i, float(i % 7), 2.0, 0.1)])
    assert len(idle.points(0, sc).split()) == 4 and len(idle.points(1, sc).split()) == 4
    assert len(busy.points(0, sc).split()) == 120 and busy.peak(0) == 6.0
    assert idle.last == t0 + 59 and Track().last is None and Track().peak(1) == 0.0


def test_a_long_flat_run_starts_again_within_the_slack():
    t0, window = 1_800_000_000.0, 60
    sc = scale(0.0, 0.0, 100.0, -window, 0.0, 1.0, 1.0, t0)
    idle = Track()
    for i in range(300):
        t = t0 + i
        idle.add([(t, 0.0, 2.0, 0.1)])
        idle.expire(t - window - 2)
        first_x = float(idle.points(0, sc).split()[0])
        assert sc[0] + (t - window - 2 - SLACK) * sc[1] - 0.1 <= first_x <= sc[0] + idle.samples[0][0] * sc[1] + 0.1


def test_the_sampler_gives_a_redraw_only_what_it_has_not_seen():
    from collections import deque

    from dockerlab.sample_store import _since

    buf = deque((float(t), 0.0, 1.0, 0.1) for t in range(200))
    times = lambda got: [s[0] for s in got]  # noqa: E731
    assert times(_since(buf, 150.0)) == [float(t) for t in range(150, 200)]  # the window
    assert times(_since(buf, 150.0, 197.0)) == [198.0, 199.0]  # a few new: from the newest end
    assert _since(buf, 150.0, 199.0) == [] and _since(deque(), 0.0, 5.0) == []  # none new
    assert times(_since(buf, 150.0, 20.0)) == [float(t) for t in range(150, 200)]  # seen long ago: the window
    assert times(_since(buf, 150.0, 160.5)) == [float(t) for t in range(161, 200)]
    assert times(_since(buf, 198.5, 100.0)) == [199.0]  # new, but before the window's edge: not given
    assert times(_since(buf, 195.0, 190.0)) == [195.0, 196.0, 197.0, 198.0, 199.0]
