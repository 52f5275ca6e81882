"""A self-paced learner's progress: every exercise check, one JSON line each.

The file is ``~/.dockerlab/progress.jsonl`` (``DOCKERLAB_PROGRESS_FILE`` overrides it), one record
per check, with exactly these keys (a teacher's view reads the same file)::

    {"lesson": "nb06", "exercise": "ps-all", "ok": true, "time": "2026-12-01T01:02:03+00:00", "owner": "alice"}

:func:`progress_of` reads it back against the exercises declared: which lessons and exercises are
done, with links to their notebooks (``dockerlab.progress()``, :func:`dockerlab.exercises.progress`,
declares them all first). This module knows no exercise module: they register here (the arrow
points from :mod:`dockerlab.exercises` to this file, never back). Recording never fails a check:
a file that cannot be written is skipped silently (the verdict is what the learner needs).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from html import escape
from pathlib import Path

from . import labels
from .a11y import VISUALLY_HIDDEN

KEYS = ("lesson", "exercise", "ok", "time", "owner")

#: Every exercise declared so far, in the order of the series: (lesson, exercise) -> title.
#: Filled by :func:`dockerlab.exercises.exercise` as the exercise modules are imported
#: (:func:`dockerlab.exercises.load_exercises` imports them all).
EXERCISES: dict[tuple[str, str], str] = {}

#: The notebook of each lesson, for the links (a lesson not listed is found by its number).
NOTEBOOKS = {"nb04": "04-info-and-pull.ipynb", "nb05": "05-run.ipynb", "nb06": "06-lifecycle.ipynb",
             "nb07": "07-stats.ipynb", "nb08": "08-images.ipynb", "nb09": "09-containers-vs-vms.ipynb",
             "nb10": "10-build-an-image.ipynb", "nb11": "11-publish-a-port.ipynb", "nb12": "12-volumes.ipynb",
             "nb13": "13-cleanup.ipynb", "nb15": "15-a-good-image.ipynb"}


def path() -> Path:
    """Where this learner's progress is kept."""
    env = os.environ.get("DOCKERLAB_PROGRESS_FILE")
    return Path(env).expanduser() if env else Path.home() / ".dockerlab" / "progress.jsonl"


def record(lesson: str, exercise: str, ok: bool, *, owner: str | None = None, when: dt.datetime | None = None) -> dict:
    """Append one check's outcome; returns the record (also when the file could not be written)."""
    rec = {"lesson": lesson, "exercise": exercise, "ok": bool(ok),
           "time": (when or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
           "owner": owner or labels.default_owner()}
    p = path()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with p.open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
    except OSError:
        pass
    return rec


def load(file: str | os.PathLike | None = None) -> list[dict]:
    """The records, in file order; a line that is not a complete record is skipped."""
    p = Path(file) if file else path()
    out = []
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and all(k in rec for k in KEYS):
            out.append(rec)
    return out


def notebook_of(lesson: str, folder: str | os.PathLike = ".") -> str:
    """``nb06`` -> ``06-lifecycle.ipynb`` (the notebook next to the caller, else the kit's list)."""
    if lesson in NOTEBOOKS:
        return NOTEBOOKS[lesson]
    hits = sorted(Path(folder).glob(f"{lesson[2:]}-*.ipynb"))
    return hits[0].name if hits else ""


def _mark(r) -> str:
    """A plain sign (DejaVu fonts have it; no emoji font needed): ✓ done, ✗ tried, · not tried."""
    return "✓" if r.done else ("✗" if r.tries else "·")


def _word(r) -> str:
    return "done" if r.done else ("tried, not yet right" if r.tries else "not tried")


class Progress:
    """What :func:`progress_of` returns: ``.frame`` (pandas), an HTML table with links in a notebook."""

    def __init__(self, frame):
        self.frame = frame

    @property
    def done(self) -> int:
        return int(self.frame["done"].sum())

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        lines = [f"Progress: {self.done} of {len(self)} exercises done ({path()})"]
        width = max([14] + [len(str(e)) for e in self.frame["exercise"]])  # one column, however long a name
        for r in self.frame.itertuples():
            mark = _mark(r)
            lines.append(f"  {mark} {r.lesson} {r.exercise:<{width}} tries {r.tries}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        for lesson, group in self.frame.groupby("lesson", sort=False):
            nb = group["notebook"].iloc[0]
            link = f"<a href='{escape(nb)}'>{escape(nb)}</a>" if nb else escape(lesson)
            cells = " ".join(
                f"<span title='{escape(r.title)}: {r.tries} tries'>{_mark(r)}"
                f"<span style='{VISUALLY_HIDDEN}'> {_word(r)}:</span> {escape(r.exercise)}</span>"
                for r in group.itertuples())
            n = int(group["done"].sum())
            rows.append(f"<tr><td>{link}</td><td>{n}/{len(group)}</td><td style='text-align:left'>{cells}</td></tr>")
        return (f"<p>{self.done} of {len(self)} exercises done "
                "(✓ done, ✗ tried, not yet right, · not tried).</p>"
                "<table><tr><th>notebook</th><th>done</th><th>exercises</th></tr>" + "".join(rows) + "</table>")


def progress_of(exercises: dict, *, owner: str | None = None, file: str | os.PathLike | None = None) -> Progress:
    """Which lessons and exercises are done: one row per exercise of ``exercises`` ((lesson, exercise) ->
    title, as :data:`EXERCISES`), and one for each other exercise the records name.

    ``done``: the check said ✓ (correct) at least once; ``tries``: how many times it ran with an answer;
    ``last``: when it last ran. ``owner`` keeps one learner's records (a shared file).
    """
    import pandas as pd

    recs = [r for r in load(file) if owner is None or r["owner"] == owner]
    keys = list(exercises)
    keys += sorted({(r["lesson"], r["exercise"]) for r in recs} - set(keys))
    keys.sort(key=lambda k: k[0])  # stable: the series' order within a lesson
    rows = []
    for lesson, ex in keys:
        mine = [r for r in recs if (r["lesson"], r["exercise"]) == (lesson, ex)]
        rows.append({"lesson": lesson, "exercise": ex, "title": exercises.get((lesson, ex), ex),
                     "done": any(r["ok"] for r in mine), "tries": len(mine),
                     "last": max((r["time"] for r in mine), default=""), "notebook": notebook_of(lesson)})
    return Progress(pd.DataFrame(rows, columns=["lesson", "exercise", "title", "done", "tries", "last", "notebook"]))
