"""The hostile-input sweep of issue 15 on the real engine (fewer values than the unit sweep on the
fake engine: each call is an engine round trip). Oracle: a valid result or a DockerLabError with
a hint, never "the engine said" for a client-side fault, no container left by a failed call, and
no hang: a 70,000-character command is refused before the engine sees it."""
from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

from dockerlab import errors as E
from dockerlab.lab import Lab
from tests.engine.raw import raw as raw_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import hostile  # noqa: E402

VALUES = ["None", "slash", "slashes", "nul", "big", "minus", "nan", "str10", "list", "envlist"]


def test_hostile_sweep_on_the_real_engine(engine_lab, monkeypatch):
    from dockerlab.engine.docker_engine import DockerEngine

    raw = DockerEngine(engine_lab.endpoint)  # a connection of its own: its ~800 calls stay in its own log
    tag = uuid.uuid4().hex[:6]
    target = f"sweep-target-{tag}"
    monkeypatch.setattr(hostile, "TARGET", target)
    base = {m: ((target,) + a[1:], k) if a and a[0] == "sweep-target" else (a, k) for m, (a, k) in hostile.BASE.items()}
    monkeypatch.setattr(hostile, "BASE", base)
    lab = Lab(raw, owner=f"sweeper-{tag}", session=f"sw{tag}", show_cli=False)

    def reset():
        try:
            c = raw.inspect_container(target)
            if c["State"]["Status"] != "running":
                raw.remove(c["Id"], force=True)
                raise E.ContainerNotFound("gone")
        except E.ContainerNotFound:
            lab.run("alpine", "sleep 300", name=target, detach=True)

    t0 = time.monotonic()
    try:
        rep = hostile.sweep(lab, raw, values=VALUES, reset=reset)
    finally:
        for c in raw.containers(all=True, filters={"label": [f"org.dockerlab.owner={lab.owner}"]}):
            raw.remove(c["Id"], force=True)
        raw.close()
    print(f"\nhostile sweep (real engine, {time.monotonic() - t0:.0f} s): " + rep.line())
    assert rep.counts["calls"] > 500
    assert not rep.bad, "\n".join(f"{c}: {w}" for c, w in rep.bad[:20])


def test_connect_with_hostile_arguments(teacher):
    import dockerlab

    teacher(ALLOW_OWNER_CHOICE=None)  # a learner's kernel: the hub allowed no other owner
    cases = [{"owner": ["x"]}, {"owner": "someone-else"}, {"owner": ""}, {"owner": "a\x00b"}, {"lesson": 5},
             {"lesson": "x" * 500}, {"show_cli": "yes"}, {"session": "../x"}] + \
        [{"timeout": v} for v in (0, -1, float("nan"), float("inf"), "10", 1e10, None)]
    for kw in cases:
        try:
            lab = dockerlab.connect(**kw)
        except E.DockerLabError as e:
            assert e.hint, (kw, str(e))
            continue
        lab.close()
        raise AssertionError(f"connect({kw!r}) was accepted")
