"""Self-checking exercises: a learner's answer in, a verdict with a reason out.

Each notebook's checks live in a module of their own (``nb04``, ``nb05`` ...),
built from :func:`check`. A check never raises on a wrong answer: it returns a
:class:`Verdict` whose text says why the answer is wrong and gives a hint.
Solutions live in ``dockerlab/exercises/solutions/`` (text files), not in the
lessons: ``show_solution("nb04.pull")`` prints one.

Every check is declared with :func:`exercise`, which records its outcome in the learner's
progress file (:mod:`dockerlab.tracking`). :func:`predict` asks for a prediction first, then
does the action on the engine and compares.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import tracking


#: The verdict's sign, beside its words ("correct", "not yet"): plain symbols that DejaVu fonts have
#: (an emoji needs an emoji font, and its colour was the only other sign).
PASS, FAIL = "✓", "✗"


@dataclass
class Verdict:
    ok: bool
    exercise: str
    reason: str = ""
    hint: str = ""
    tried: bool = True  # False: there was no answer yet (the placeholder), so it is not recorded as a try

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"{PASS} {self.exercise}: correct." + (f" {self.reason}" if self.reason else "")
        text = f"{FAIL} {self.exercise}: not yet. {self.reason}"
        if self.hint:
            text += f"\n   Hint: {self.hint}"
        return text

    def _repr_html_(self) -> str:
        """A box; `code` spans become <code>. JupyterLab typesets $...$ in HTML output as LaTeX, and a
        command line like ``docker rm $(docker ps -q -f label=...=$USER)`` has two: the box is marked for
        MathJax to skip (mathjax_ignore, tex2jax_ignore), every ``$`` is an entity, and code is in <code>."""
        from html import escape

        color = "#1a7f37" if self.ok else "#b35900"  # the border only: the text keeps the theme's colour
        parts = repr(self).split("`")
        body = "".join(f"<code>{escape(p)}</code>" if i % 2 else escape(p) for i, p in enumerate(parts))
        if len(parts) % 2 == 0:  # an odd backtick: keep it as text
            body = escape(repr(self))
        body = body.replace("$", "&#36;").replace("\n", "<br>")
        return (f"<div class='dockerlab-verdict mathjax_ignore tex2jax_ignore' "
                f"style='border-left:4px solid {color};padding:4px 8px'>{body}</div>")


def passed(exercise: str, reason: str = "") -> Verdict:
    return Verdict(True, exercise, reason)


_SENTENCE_STARTS = ("there", "the", "that", "this", "plain", "without", "after", "still", "a", "an", "it", "its")


def failed(exercise: str, reason: str, hint: str = "") -> Verdict:
    """A wrong answer. The reason reads as a sentence: a plain first word gets its capital,
    a name or a command (``docker ps``, ``nb06-web``) keeps its case."""
    if reason.split(" ", 1)[0] in _SENTENCE_STARTS:
        reason = reason[:1].upper() + reason[1:]
    return Verdict(False, exercise, reason, hint)


def discard(lab, exercise: str, name: str, reason: str, hint: str) -> Verdict:
    """A wrong try that cannot become right where it stands (a container made with the wrong image,
    limits or ports): the check removes the learner's own container ``name``, so the next try can
    use the same name, and says so. The one retry rule of every exercise that makes a container."""
    from ..errors import DockerLabError

    try:
        lab.remove(name, force=True)
    except DockerLabError:
        return failed(exercise, reason, f"remove it (lab.remove({name!r}, force=True)) and {hint}")
    return failed(exercise, reason + f" (The check removed {name}, so you can try again with the same name.)", hint)


def discard_image(lab, exercise: str, ref: str, image: dict, reason: str, hint: str) -> Verdict:
    """The retry rule of :func:`discard`, for an image: a wrong one (``image``, its inspect) is removed when it
    is the learner's own, so the next build of ``ref`` starts afresh, and the verdict says so."""
    from .. import labels
    from ..errors import DockerLabError

    mine = ((image.get("Config") or {}).get("Labels") or {}).get(labels.OWNER) == getattr(lab, "owner", None)
    if mine:
        try:
            lab.remove_image(ref, force=True)
            return failed(exercise, reason + f" (The check removed {ref}, so you can build it again.)", hint)
        except DockerLabError:
            pass
    return failed(exercise, reason, f"build it again ({ref}), and {hint}")


def no_answer(exercise: str, reason: str, hint: str = "") -> Verdict:
    """The placeholder (``...``, an empty string): not yet an answer, so not recorded as a try."""
    v = failed(exercise, reason, hint)
    v.tried = False
    return v


def blank(answer) -> bool:
    """``...``, or a string of nothing but spaces: the cell's placeholder, not an answer."""
    return answer is Ellipsis or (isinstance(answer, str) and not answer.strip())


SOLUTIONS = Path(__file__).with_name("solutions")


def show_solution(key: str) -> None:
    """Print the solution of an exercise, e.g. ``show_solution("nb04.pull")``."""
    path = SOLUTIONS / f"{key}.txt"
    if not path.exists():
        known = sorted(p.stem for p in SOLUTIONS.glob("*.txt"))
        print(f"No solution named {key!r}. Known: {', '.join(known) or 'none yet'}")
        return
    print(path.read_text().rstrip())


def _owner(args, kwargs) -> str | None:
    for a in list(args) + list(kwargs.values()):
        owner = getattr(a, "owner", None)
        if isinstance(owner, str) and owner:
            return owner
    return None


def register(key: str, title: str = "") -> tuple[str, str]:
    """Make ``"nb06.ps-all"`` known to :func:`dockerlab.progress` (as ``("nb06", "ps-all")``)."""
    lesson, name = key.split(".", 1)
    tracking.EXERCISES[(lesson, name)] = title or name
    return lesson, name


def exercise(key: str, title: str = ""):
    """Declare a check: its verdicts are recorded in the progress file (not a bare ``...``)."""
    lesson, name = register(key, title)

    def wrap(check):
        @functools.wraps(check)
        def checked(*args, **kwargs):
            verdict = check(*args, **kwargs)
            answers = [a for a in args if not hasattr(a, "engine")][:1] or [kwargs.get("answer")]
            if isinstance(verdict, Verdict) and verdict.tried and not blank(answers[0]):
                tracking.record(lesson, name, verdict.ok, owner=_owner(args, kwargs))
            return verdict

        checked.key = key
        return checked

    return wrap


def load_exercises() -> dict[tuple[str, str], str]:
    """Import every module of this package (each declares its checks): all of them, found, not listed.
    Returns every exercise of the series, (lesson, exercise) -> title."""
    import importlib
    import pkgutil

    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    return tracking.EXERCISES


def progress(*, owner: str | None = None, file: str | os.PathLike | None = None) -> tracking.Progress:
    """Which lessons and exercises are done (``dockerlab.progress()``): one row per exercise of the series.

    ``done``: the check said ✅ at least once; ``tries``: how many times it ran with an answer;
    ``last``: when it last ran. ``owner`` keeps one learner's records (a shared file).
    """
    return tracking.progress_of(load_exercises(), owner=owner, file=file)


def predicting(key: str, title: str = ""):
    """Declare a predict-then-run question (its verdicts are recorded by :func:`predict`)."""
    register(key, title)

    def wrap(fn):
        fn.key = key
        return fn

    return wrap


#: words a learner may write for a small count ("none", "nothing" and "no" are 0)
_COUNT_WORDS = {"zero": 0, "none": 0, "nothing": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def as_count(answer) -> int | None:
    """A prediction of how many (0, 1, 2 ...) as a learner writes it: a number (``2``, ``2.0``), digits as
    text (``"2"``) or a word (``"two"``, ``"none"``), with or without its unit (``"2 layers"``, ``"no steps"``).
    None when it is no count: True/False, a negative or broken number (-1, 1.5, nan), other text."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str):
        text = re.sub(r"\s+(?:layers?|steps?)$", "", answer.strip().lower())
        if text.isdigit():
            return int(text)
        return _COUNT_WORDS.get(text)
    if isinstance(answer, int):
        return answer if answer >= 0 else None
    if isinstance(answer, float) and answer.is_integer() and answer >= 0:
        return int(answer)
    return None


def compare_count(guess, observed: int, unit: str, why, hint):
    """The compare of a "how many" question, ``(ok, reason)``: right when the predicted count (:func:`as_count`)
    is the engine's. ``why(observed)`` says why the engine's number is what it is; ``hint(count, observed)``
    is the hint for a wrong count."""
    n = as_count(guess)
    if n is None:
        return False, f"predict a number of {unit}: 0, 1, 2 ..."
    if n == observed:
        return True, why(observed)
    return False, hint(n, observed)


def gone(remove, *args, **kwargs) -> None:
    """``remove(*args)``, where what it removes may already be gone: what a question's earlier (or
    interrupted) run left behind, cleared before it starts again, or after it."""
    from ..errors import DockerLabError

    try:
        remove(*args, **kwargs)
    except DockerLabError:
        pass


def needs(lab, feature: str, what: str) -> None:
    """Raise the engine's "not available" before a question starts anything it could not finish
    (udocker on Binder has no published ports, no named volumes, no builder)."""
    if not lab.can(feature):
        from ..errors import not_available

        engine = getattr(lab, "engine", None)
        raise not_available(feature, what, engine=getattr(engine, "kind", ""),
                            why=(getattr(engine, "limitations", None) or {}).get(feature, ""),
                            state="nothing was started", hint="this question needs a Docker Engine")


def predict(key: str, prediction, action, compare, *, owner: str | None = None,
            ask: str = "write your prediction in place of the ..., then run the cell") -> Verdict:
    """Predict, then run: nothing happens on the engine until there is a prediction.

    ``action()`` does the Docker step and returns what the engine did (an exit code, a state,
    a number); ``compare(prediction, observed)`` returns ``(ok, reason)``. The verdict says
    what you predicted and what the engine did; it is recorded like any check.
    """
    from ..errors import DockerLabError

    lesson, name = key.split(".", 1)
    if prediction is None or blank(prediction):
        return no_answer(key, "there is no prediction yet, so nothing was run.", ask)
    try:
        observed = action()
    except DockerLabError as e:
        return failed(key, f"the engine could not do the step: {e.what}.", getattr(e, "hint", "") or "run the cell again")
    good, reason = compare(prediction, observed)
    tracking.record(lesson, name, good, owner=owner)
    if good:
        return passed(key, f"You predicted {prediction!r}; the engine: {observed!r}. {reason}".rstrip())
    return failed(key, f"You predicted {prediction!r}; the engine: {observed!r}.", reason)


def measure_in_container(lab, name: str, command, measure, *, cannot: str, **options):
    """The action of a predict question about a limit: ``docker run -d --name NAME OPTIONS alpine COMMAND``,
    then ``measure(name)``, and the container is removed whatever happens. A leftover ``name`` is replaced.
    On an engine without cgroups (udocker, Binder) nothing starts: it cannot limit ``cannot``."""
    from ..errors import DockerLabError, NotAvailableOnEngine

    if not lab.can("limits"):
        raise NotAvailableOnEngine(f"This engine cannot limit {cannot} (no cgroups)", feature="limits",
                                   engine=getattr(lab.engine, "kind", ""), state="nothing was started",
                                   hint="this question needs a Docker Engine")
    try:
        lab.remove(name, force=True)
    except DockerLabError:
        pass
    lab.run("alpine", command, name=name, detach=True, **options)
    try:
        return measure(name)
    finally:
        lab.remove(name, force=True)
