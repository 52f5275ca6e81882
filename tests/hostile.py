"""The hostile-input sweep (issue 15): every public Lab method, one argument at a time replaced
by a malformed or hostile value. The oracle: each call ends in a valid result or a
DockerLabError with a non-empty hint, is never "the engine said" for a client-side fault, and
leaves no container behind when it fails. Used by tests/unit (fake engine, every value) and
tests/engine (the real engine, fewer values)."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from dockerlab import labels
from dockerlab.errors import DockerLabError

BIG = "x" * 70000

HOSTILE = {
    "None": None, "empty": "", "slash": "/", "slashes": "//", "space": " ", "nul": "a\x00b", "big": BIG,
    "zero": 0, "minus": -1, "huge": 1e10, "nan": math.nan, "inf": math.inf, "str10": "10", "true": True,
    "list": ["x"], "dict": {"a": 1}, "bytes": b"x", "tuple": ("a",), "envlist": ["A=1"], "hexdigit": "a",
}
#: Fewer for the real engine (each call costs an engine round trip).
HOSTILE_REAL = ["None", "empty", "slash", "slashes", "nul", "big", "minus", "nan", "inf", "str10", "list", "dict",
                "envlist", "hexdigit"]

TARGET = "sweep-target"

#: method -> (positional args, keyword args) of a call that works; each argument is then replaced.
BASE = {
    "info": ((), {}), "version": ((), {}), "images": ((), {}), "system_df": ((), {}), "prune_images": ((), {"quiet": True}),
    "pull": (("alpine",), {"progress": None, "quiet": True}),
    "remove_image": (("nosuch-sweep:1",), {"force": False}),
    "tag": (("alpine", "sweep/tagged:1"), {}),
    "run": (("alpine", "echo hi"), {"name": None, "detach": False, "interactive": False, "tty": False, "rm": True,
                                   "memory": None, "cpus": None, "pids": None, "env": None, "labels_": None,
                                   "timeout": 30, "privileged": False, "network": None, "pid": None,
                                   "volumes": None}),
    "create": (("alpine", "echo hi"), {"name": None}),
    "container": ((TARGET,), {"confirm": False}),
    "start": ((TARGET,), {"confirm": False}),
    "stop": ((TARGET,), {"timeout": 1, "confirm": False}),
    "restart": ((TARGET,), {"timeout": 1, "confirm": False}),
    "kill": ((TARGET,), {"signal": "KILL", "confirm": False}),
    "pause": ((TARGET,), {"confirm": False}),
    "unpause": ((TARGET,), {"confirm": False}),
    "remove": ((TARGET,), {"force": True, "confirm": False}),
    "logs": ((TARGET,), {"tail": None, "confirm": False}),
    "exec": ((TARGET, "echo hi"), {"confirm": False}),
    "ps": ((), {"all": False, "scope": "mine"}),
    "stats": ((), {"containers": None, "scope": "mine"}),
    "cleanup": ((), {"scope": "session", "confirm": False, "images": False}),
    "rest": (("/version",), {}),
}
#: Options the kit does not offer: each must be a DockerLabError with a hint, not a TypeError.
UNKNOWN_RUN_OPTIONS = ["cap_add", "devices", "security_opt", "userns_mode", "ipc_mode", "volumes_from", "user"]


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    bad: list = field(default_factory=list)  # (call, what went wrong)

    def line(self) -> str:
        c = self.counts
        return (f"calls {c['calls']}: ok {c['ok']}, DockerLabError with hint {c['hinted']}, "
                f"DockerLabError without hint {c['unhinted']}, client fault called 'the engine said' "
                f"{c['misattributed']}, other exceptions {c['other']}, leaks {c['leaks']}")


def _cases(values: list[str]):
    for method, (args, kwargs) in BASE.items():
        for i in range(len(args)):
            for v in values:
                a = list(args)
                a[i] = HOSTILE[v]
                yield method, f"{method}(arg{i}={v})", tuple(a), dict(kwargs)
        for k in kwargs:
            for v in values:
                yield method, f"{method}({k}={v})", args, {**kwargs, k: HOSTILE[v]}
    for opt in UNKNOWN_RUN_OPTIONS:
        yield "run", f"run({opt}=...)", ("alpine", "true"), {opt: ["x"]}


def _client_fault(e: BaseException) -> bool:
    cause = e.__cause__
    while cause is not None:
        if isinstance(cause, (TypeError, ValueError, AttributeError, KeyError)) and not isinstance(cause, DockerLabError):
            return True
        cause = cause.__cause__
    return False


def own_ids(raw_engine, owner: str) -> set[str]:
    return {c["Id"] for c in raw_engine.containers(all=True, filters={"label": labels.label_filter(owner=owner)})}


def sweep(lab, raw_engine, *, values=None, reset=None) -> Report:
    """Run every case. ``reset()`` puts the target container back (running) before each case."""
    values = list(HOSTILE) if values is None else values
    rep = Report()
    for method, label, args, kwargs in _cases(values):
        if reset is not None:
            reset()
        before = own_ids(raw_engine, lab.owner)
        rep.counts["calls"] += 1
        failed = True
        try:
            getattr(lab, method)(*args, **kwargs)
            rep.counts["ok"] += 1
            failed = False
        except DockerLabError as e:
            if e.hint:
                rep.counts["hinted"] += 1
            else:
                rep.counts["unhinted"] += 1
                rep.bad.append((label, f"no hint: {type(e).__name__}: {e}"[:300]))
            if "engine said" in str(e) and _client_fault(e):
                rep.counts["misattributed"] += 1
                rep.bad.append((label, f"client fault as engine's: {e}"[:300]))
        except Exception as e:  # noqa: BLE001 - what the sweep counts
            rep.counts["other"] += 1
            rep.bad.append((label, f"{type(e).__name__}: {e}"[:300]))
        after = own_ids(raw_engine, lab.owner)
        new = after - before
        if failed and new:
            rep.counts["leaks"] += 1
            rep.bad.append((label, f"left {len(new)} container(s) behind"))
        for cid in new:
            try:
                raw_engine.remove(cid, force=True)
            except DockerLabError:
                pass
    return rep
