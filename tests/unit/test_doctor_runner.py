"""The doctor's runner: checks declare what they need, use and provide; the runner orders, runs and skips by it.
Pure logic, with tiny fake checks (and the real declarations, which must form a valid graph)."""
from __future__ import annotations

import types

import pytest

from dockerlab.doctor import runner
from dockerlab.doctor.checks.base import CheckSpec
from dockerlab.doctor.report import Check

GROUPS = ("A", "B")


def fake(name, group="A", status="pass", calls=None, **declared):
    """A check that records its call and answers ``status``."""

    def fn(ctx):
        if calls is not None:
            calls.append(name)
        return Check(name, status, f"{name} ran", group=group)

    return CheckSpec(name, group, fn, **declared)


def test_the_real_checks_form_a_valid_graph():
    """Every need and use has exactly one provider, no fact is provided twice, there is no cycle."""
    provider = runner.providers(runner.CHECKS)
    assert set(provider) == {"endpoints", "engine"}
    assert provider["engine"].name == "Engine reachable" and provider["endpoints"].name == "Engine endpoint"
    for spec in runner.CHECKS:
        assert spec.group in runner.GROUPS
        for fact in (*spec.needs, *spec.uses):
            assert fact in provider, f"{spec.name} needs {fact!r}"
    order = [s.name for s in runner.run_order(runner.CHECKS, provider)]
    for spec in runner.CHECKS:
        for fact in (*spec.needs, *spec.uses):
            assert order.index(provider[fact].name) < order.index(spec.name)


def test_the_report_shows_todays_order():
    """The display order is the one users have always seen, whatever order the checks run in."""
    assert [s.name for s in runner.display_order(runner.CHECKS)] == [
        "Operating system", "Architecture", "WSL", "Docker Desktop", "Inside a container", "Binder / JupyterHub",
        "docker CLI", "Docker SDK", "Python for learners",
        "Engine endpoint", "Engine reachable", "Engine version", "Rootless", "Cgroups", "Storage driver",
        "Socket permissions", "Smoke test", "Registry mirror", "Docker Hub"]


def test_a_check_runs_after_its_provider_even_when_shown_before_it():
    calls = []
    specs = [fake("uses it", "A", calls=calls, uses=("x",)), fake("early", "A", calls=calls),
             fake("provider", "B", calls=calls, provides={"x": "no x"})]
    results = runner.run(specs, object(), GROUPS)
    assert calls == ["early", "provider", "uses it"]
    assert [c.name for c in results] == ["uses it", "early", "provider"]  # shown as declared, by group


def test_a_missing_need_skips_the_check_without_calling_it():
    calls = []
    specs = [fake("provider", status="fail", calls=calls, provides={"x": "no x answered"}),
             fake("needs x", calls=calls, needs=("x",)), fake("uses x", calls=calls, uses=("x",))]
    results = {c.name: c for c in runner.run(specs, object(), GROUPS)}
    assert calls == ["provider", "uses x"]
    skipped = results["needs x"]
    assert (skipped.status, skipped.evidence, skipped.group, skipped.data) == ("skip", "not checked: no x answered",
                                                                                "A", {})
    assert results["uses x"].status == "pass"


def test_a_warning_provides_and_a_skip_propagates():
    """warn still provides the fact; a provider skipped for want of its own need provides nothing either."""
    calls = []
    specs = [fake("root", status="warn", calls=calls, provides={"r": "no root"}),
             fake("mid", status="fail", calls=calls, needs=("r",), provides={"m": "mid failed"}),
             fake("leaf", calls=calls, needs=("m",), provides={"l": "no leaf"},
                  unmet="not tried: {why}", unmet_data={"reason": "because"}),
             fake("last", calls=calls, needs=("l",))]
    results = {c.name: c for c in runner.run(specs, object(), GROUPS)}
    assert calls == ["root", "mid"]
    assert (results["leaf"].evidence, results["leaf"].data) == ("not tried: mid failed", {"reason": "because"})
    assert results["last"].evidence == "not checked: no leaf"


def test_an_option_that_is_off_skips_first():
    """``--no-smoke`` wins over a missing engine: the option is looked at before the needs."""
    calls = []
    specs = [fake("provider", status="fail", provides={"x": "no x"}),
             fake("optional", calls=calls, needs=("x",), option=("wanted", "not run (--not-wanted)"))]
    off = {c.name: c for c in runner.run(specs, types.SimpleNamespace(wanted=False), GROUPS)}
    on = {c.name: c for c in runner.run(specs, types.SimpleNamespace(wanted=True), GROUPS)}
    assert off["optional"].evidence == "not run (--not-wanted)"
    assert on["optional"].evidence == "not checked: no x"
    assert calls == []


@pytest.mark.parametrize("specs, message", [
    ([fake("a", needs=("x",))], "'a' needs 'x', which no check provides"),
    ([fake("a", uses=("x",))], "'a' needs 'x', which no check provides"),
    ([fake("a", provides={"x": ""}), fake("b", provides={"x": ""})], "'x' is provided by a and b"),
    ([fake("a", needs=("y",), provides={"x": ""}), fake("b", needs=("x",), provides={"y": ""})], "cycle: a, b"),
    ([fake("a", needs=("x",), provides={"x": ""})], "needs a fact it provides itself"),
    ([fake("a"), fake("a")], "two checks share a name: a"),
    ([fake("a", group="C")], "unknown group 'C'"),
])
def test_a_bad_declaration_is_caught(specs, message):
    with pytest.raises(runner.CheckGraphError, match=message.replace("(", r"\(")):
        runner.run(specs, object(), GROUPS)


def test_without_an_engine_every_engine_check_is_skipped_by_the_runner():
    """The real checks with a DOCKER_HOST that is not an address (so no socket is touched): the connection is
    skipped as before, what needs the engine is skipped with its provider's reason, and the results carry
    their declared names and groups, in the report's order."""
    report = runner.run_checks(env={"DOCKER_HOST": "htp://nowhere", "PATH": "/usr/bin:/bin"}, online=False,
                               smoke=False, timeout=0.5)
    shown = runner.display_order(runner.CHECKS)
    assert [(c.name, c.group) for c in report.checks] == [(s.name, s.group) for s in shown]
    reach = report["Engine reachable"]
    assert report["Engine endpoint"].status == "fail"
    assert (reach.status, reach.evidence, reach.data) == ("skip", "not tried: the endpoint is not valid (see above)",
                                                          {"reason": "bad-address"})
    assert report["Smoke test"].evidence == "not run (--no-smoke)"  # the option is looked at first
    needs_engine = [s.name for s in shown if "engine" in s.needs]
    assert needs_engine == ["Engine version", "Rootless", "Cgroups", "Storage driver", "Smoke test",
                            "Registry mirror", "Docker Hub"]
    for name in needs_engine:
        if name != "Smoke test":
            assert (report[name].status, report[name].evidence) == ("skip", "not checked: no engine answered")
