"""The registry of checks and :func:`run_checks`: checks run in an order their declared facts allow.

Each check says what it needs, uses and provides (:func:`dockerlab.doctor.checks.base.check`).
From that the runner builds a graph (a check comes after the provider of every fact it needs or
uses), runs the checks in a topological order (among those ready, the one shown first), and
skips a check whose need is missing without calling it. The report shows the checks by
:data:`GROUPS`, in the order each group declares them, whatever order they ran in.
"""
from __future__ import annotations

import contextlib
import heapq
import time

from ..errors import DockerLabError
from .checks import DECLARED, Ctx
from .install import install_commands
from .report import Check, Report

#: The report's sections, in the order it shows them.
GROUPS = ("System", "Client", "Engine", "Permissions", "Smoke test", "Registry")

#: A check provides its facts when it ends with one of these; fail or skip means they are missing.
PROVIDING = ("pass", "warn")

#: Every check the doctor runs, as declared by the modules of :mod:`dockerlab.doctor.checks`.
CHECKS = tuple(DECLARED)


class CheckGraphError(Exception):
    """The checks' declarations do not fit together (a bug in dockerlab, found by the unit tests)."""


def providers(specs, groups=GROUPS) -> dict:
    """fact -> the one check that provides it; raises :class:`CheckGraphError` on a missing, doubled or cyclic fact."""
    specs = list(specs)
    names = [s.name for s in specs]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise CheckGraphError(f"two checks share a name: {', '.join(doubled)}")
    by_fact: dict = {}
    for s in specs:
        for fact in s.provides:
            by_fact.setdefault(fact, []).append(s.name)
    problems = [f"{fact!r} is provided by {' and '.join(who)}" for fact, who in by_fact.items() if len(who) > 1]
    problems += [f"{s.name!r} needs {fact!r}, which no check provides"
                 for s in specs for fact in (*s.needs, *s.uses) if fact not in by_fact]
    if problems:
        raise CheckGraphError("; ".join(problems))
    by_name = {s.name: s for s in specs}
    out = {fact: by_name[who[0]] for fact, who in by_fact.items()}
    run_order(specs, out, groups)  # raises on a cycle
    return out


def display_order(specs, groups=GROUPS) -> list:
    """The checks as the report shows them: by group, then in the order they were declared."""
    specs = list(specs)
    unknown = sorted({s.group for s in specs} - set(groups))
    if unknown:
        raise CheckGraphError(f"unknown group {', '.join(map(repr, unknown))}; the groups are {', '.join(groups)}")
    return [s for _, _, s in sorted((groups.index(s.group), i, s) for i, s in enumerate(specs))]


def run_order(specs, provider: dict, groups=GROUPS) -> list:
    """A topological order of the checks (each after the providers of its needs and uses); among the checks
    that are ready, the one shown first goes first. Raises :class:`CheckGraphError` on a cycle."""
    shown = display_order(specs, groups)
    rank = {s.name: i for i, s in enumerate(shown)}
    after = {s.name: {provider[f].name for f in (*s.needs, *s.uses)} - {s.name} for s in shown}
    if any(provider[f].name == s.name for s in shown for f in (*s.needs, *s.uses)):
        raise CheckGraphError("a check needs a fact it provides itself")
    ready = [(rank[s.name], s.name) for s in shown if not after[s.name]]
    heapq.heapify(ready)
    order, done = [], set()
    while ready:
        _, name = heapq.heappop(ready)
        order.append(shown[rank[name]])
        done.add(name)
        for s in shown:
            if s.name not in done and name in after[s.name] and after[s.name] <= done:
                heapq.heappush(ready, (rank[s.name], s.name))
    if len(order) != len(shown):
        stuck = sorted(set(rank) - done, key=rank.get)
        raise CheckGraphError(f"the checks' needs form a cycle: {', '.join(stuck)}")
    return order


def run(specs, ctx, groups=GROUPS) -> list:
    """Run the checks on ``ctx`` in a topological order; return their results in display order."""
    specs = list(specs)
    missing: dict = {}  # fact -> why it is missing
    results = {}
    for spec in run_order(specs, providers(specs, groups), groups):
        result = results[spec.name] = _run_one(spec, ctx, missing)
        if result.status not in PROVIDING:
            for fact, why in spec.provides.items():
                missing[fact] = why
    return [results[s.name] for s in display_order(specs, groups)]


def _run_one(spec, ctx, missing: dict) -> Check:
    if spec.option and not getattr(ctx, spec.option[0]):
        return Check(spec.name, "skip", spec.option[1], group=spec.group)
    unmet = [fact for fact in spec.needs if fact in missing]
    if unmet:
        return Check(spec.name, "skip", spec.unmet.format(why=missing[unmet[0]]), group=spec.group,
                     data=dict(spec.unmet_data))
    return spec.run(ctx)


def run_checks(*, env: dict | None = None, os_release="/etc/os-release", proc_version="/proc/version",
               container_markers=("/.dockerenv", "/run/.containerenv"), smoke: bool = True,
               smoke_image: str | None = None, online: bool = True, timeout: float = 3.0,
               for_others: bool = False) -> Report:
    """Run every check and return the :class:`Report`.

    ``env`` replaces the environment the checks look at (DOCKER_HOST,
    DOCKER_CONTEXT, DOCKER_CONFIG, HOME, PATH, BINDER_*, ...); None means this
    process's. ``os_release`` and ``proc_version`` are the files to read.
    ``smoke`` runs a tiny container (``hello-world``, else ``alpine true``) and
    removes it; ``online=False`` skips Docker Hub. ``for_others`` adds the checks for whoever
    sets this machine up for other users (``dockerlab doctor`` as root: whether they can run its
    Python); a learner's own report leaves them out.
    """
    t0 = time.monotonic()
    ctx = Ctx(env, os_release, proc_version, tuple(container_markers), timeout, smoke=smoke,
              smoke_image=smoke_image, online=online, for_others=for_others)
    try:
        checks = run(CHECKS, ctx)
    finally:
        if ctx.lab is not None:
            with contextlib.suppress(Exception):
                ctx.lab.engine.close()
    install = None
    with contextlib.suppress(DockerLabError, OSError):
        install = install_commands(ctx.os if ctx.os else None, wsl=bool(ctx.wsl))
    return Report(checks, install=install, seconds=time.monotonic() - t0)
