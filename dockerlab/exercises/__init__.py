"""Self-checking exercises: a learner's answer in, a verdict with a reason out.

Each notebook's checks live in a module of their own (``nb04``, ``nb05`` ...),
built from :func:`check`. A check never raises on a wrong answer: it returns a
:class:`Verdict` whose text says why the answer is wrong and gives a hint.
Solutions live in ``dockerlab/exercises/solutions/`` (text files), not in the
lessons: ``show_solution("nb04.pull")`` prints one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Verdict:
    ok: bool
    exercise: str
    reason: str = ""
    hint: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"✅ {self.exercise}: correct." + (f" {self.reason}" if self.reason else "")
        text = f"❌ {self.exercise}: not yet. {self.reason}"
        if self.hint:
            text += f"\n   Hint: {self.hint}"
        return text

    def _repr_html_(self) -> str:
        from html import escape

        color = "#1a7f37" if self.ok else "#b35900"
        body = escape(repr(self)).replace("\n", "<br>")
        return f"<div style='border-left:4px solid {color};padding:4px 8px'>{body}</div>"


def passed(exercise: str, reason: str = "") -> Verdict:
    return Verdict(True, exercise, reason)


_SENTENCE_STARTS = ("there", "the", "that", "this", "plain", "without", "after", "still", "a", "an")


def failed(exercise: str, reason: str, hint: str = "") -> Verdict:
    """A wrong answer. The reason reads as a sentence: a plain first word gets its capital,
    a name or a command (``docker ps``, ``nb06-web``) keeps its case."""
    if reason.split(" ", 1)[0] in _SENTENCE_STARTS:
        reason = reason[:1].upper() + reason[1:]
    return Verdict(False, exercise, reason, hint)


SOLUTIONS = Path(__file__).with_name("solutions")


def show_solution(key: str) -> None:
    """Print the solution of an exercise, e.g. ``show_solution("nb04.pull")``."""
    path = SOLUTIONS / f"{key}.txt"
    if not path.exists():
        known = sorted(p.stem for p in SOLUTIONS.glob("*.txt"))
        print(f"No solution named {key!r}. Known: {', '.join(known) or 'none yet'}")
        return
    print(path.read_text().rstrip())
