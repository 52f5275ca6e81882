"""Lifecycles owned (issue 15): Sampler.stop() closes every stream it opened, at once, even one
blocked in a read; a stopped sampler opens nothing more; the udocker state files are written
whole, through temporary files of their own."""
from __future__ import annotations

import json
import threading
import time

from dockerlab.lab import Lab
from dockerlab.sampler import Sampler

from .fake_engine import FakeEngine


class _Blocking:
    """A stats stream that blocks in next() until closed (as a socket read does)."""

    def __init__(self, first):
        self.first = [first, first]
        self.closed = threading.Event()

    def __iter__(self):
        return self

    def __next__(self):
        if self.first:
            return self.first.pop()
        self.closed.wait()
        raise StopIteration

    def close(self):
        self.closed.set()


class _Engine(FakeEngine):
    def __init__(self):
        super().__init__()
        self.opened = []

    def stats(self, ref, *, stream=False, one_shot=None):
        sample = super().stats(ref)
        if not stream:
            return sample
        s = _Blocking(sample)
        self.opened.append(s)
        return s


def test_stop_closes_every_stream_it_opened_at_once():
    eng = _Engine()
    lab = Lab(eng, owner="life", session="life1", show_cli=False)
    for n in ("one", "two"):
        lab.run("alpine", "sleep 30", name=f"lc-{n}", detach=True)
    s = Sampler(lab, ["lc-one", "lc-two"]).start()
    deadline = time.time() + 3
    while len(eng.opened) < 2 and time.time() < deadline:
        time.sleep(0.01)
    assert len(eng.opened) == 2 and s.active_streams == 2
    t0 = time.monotonic()
    s.stop(timeout=3)
    assert time.monotonic() - t0 < 1.0  # not the join timeout: the reads ended because their streams closed
    assert all(st.closed.is_set() for st in eng.opened) and s.active_streams == 0
    s._open_events()  # what the engine-back path does: after stop, nothing new is kept open
    assert s._events is None


def test_udocker_state_is_written_whole_by_concurrent_writers(tmp_path):
    from dockerlab.engine.udocker.common import _atomic_write

    path = tmp_path / "state.json"

    def writer(i):
        for j in range(50):
            _atomic_write(path, json.dumps({"writer": i, "n": j, "pad": "x" * 2000}))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert json.loads(path.read_text())["n"] == 49
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left
