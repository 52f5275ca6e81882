"""The hostile-input sweep of issue 15 on the fake engine: every public Lab method, each argument
in turn replaced by one of 20 malformed or hostile values (about 1,200 calls), plus
hypothesis-made values for the arguments a learner types. Oracle: each call gives a valid result
or a DockerLabError with a hint, never "the engine said" for a client-side fault, and a failed
call leaves no container behind. The counts are printed (-s); the real engine's smaller sweep
is tests/engine/test_hostile_sweep.py."""
from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerlab import errors as E
from dockerlab.lab import Lab

from .fake_engine import FakeEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import hostile  # noqa: E402


def _setup():
    eng = FakeEngine()
    lab = Lab(eng, owner="sweeper", session="sw1", show_cli=False)

    def reset():
        try:
            c = eng.inspect_container(hostile.TARGET)
            if c["State"]["Status"] != "running":
                eng.remove(c["Id"], force=True)
                raise E.ContainerNotFound("gone")
        except E.ContainerNotFound:
            lab.run("alpine", "sleep 300", name=hostile.TARGET, detach=True)

    return eng, lab, reset


def test_every_method_every_hostile_value():
    eng, lab, reset = _setup()
    rep = hostile.sweep(lab, eng, reset=reset)
    print("\nhostile sweep (fake engine): " + rep.line())
    assert rep.counts["calls"] > 1100
    assert not rep.bad, "\n".join(f"{c}: {w}" for c, w in rep.bad[:20])


values = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
                   st.binary(max_size=8), st.lists(st.text(max_size=5), max_size=3),
                   st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
METHOD_ARGS = sorted({(m, k) for m, (a, kw) in hostile.BASE.items() for k in list(kw) + [i for i in range(len(a))]},
                     key=str)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.sampled_from(METHOD_ARGS), values)
def test_hypothesis_values_give_a_result_or_a_hinted_error(method_arg, value):
    eng, lab, reset = _setup()
    method, key = method_arg
    args, kwargs = hostile.BASE[method]
    args, kwargs = list(args), dict(kwargs)
    if isinstance(key, int):
        args[key] = value
    else:
        kwargs[key] = value
    reset()
    before = hostile.own_ids(eng, lab.owner)
    try:
        getattr(lab, method)(*args, **kwargs)
    except E.DockerLabError as e:
        assert e.hint, f"{method}({key}={value!r}): {type(e).__name__} without a hint: {e}"
        assert not ("engine said" in str(e) and hostile._client_fault(e)), str(e)
        assert not (hostile.own_ids(eng, lab.owner) - before), f"{method}({key}={value!r}) left a container"
