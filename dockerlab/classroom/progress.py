"""Learners' exercise results, as the exercises record them: ``~/.dockerlab/progress.jsonl``,
one JSON object a line, one line per check: ``{"lesson": "nb05", "exercise": "nb05.run",
"ok": true, "time": "2026-12-01T00:10:00Z"}``. The teacher (root) reads every learner's file."""
from __future__ import annotations

import json
from pathlib import Path

PROGRESS = Path(".dockerlab") / "progress.jsonl"


def read(home: str | Path) -> list[dict]:
    """Every record in a learner's file, oldest first; a torn or foreign line is skipped."""
    path = Path(home) / PROGRESS
    out = []
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and rec.get("exercise"):
            out.append(rec)
    return out


def key(rec: dict) -> str:
    """``nb06.ps-all``: the lesson and the exercise (a record whose exercise already names its lesson keeps it)."""
    ex, lesson = str(rec.get("exercise", "")), str(rec.get("lesson", "") or "")
    return ex if not lesson or ex.startswith(lesson + ".") else f"{lesson}.{ex}"


def summary(records: list[dict]) -> dict[str, bool]:
    """Per exercise (``lesson.exercise``): passed at least once (True) or tried and never passed (False)."""
    got: dict[str, bool] = {}
    for rec in records:
        ex = key(rec)
        got[ex] = got.get(ex, False) or bool(rec.get("ok"))
    return dict(sorted(got.items()))


def every_exercise() -> list[str]:
    """Every check the kit declares (``nb04.pull`` ... ``nb13.prune``), in the series' order."""
    from ..exercises import load_exercises

    return [f"{lesson}.{ex}" for lesson, ex in load_exercises()]
