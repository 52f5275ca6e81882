"""Every check is declared, counted and honest: found by reading the modules, not from a list."""
from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest

from dockerlab import exercises, tracking
from dockerlab.classroom import progress as room_progress
from dockerlab.exercises import Verdict, failed, nb04, nb05, nb06, nb08, nb13

VERDICT_MAKERS = {"failed", "passed", "no_answer", "predict", "Verdict"}
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: A verdict's name written in words ("Exercise 1 (...)"), not as its key.
re_exercise_literal = re.compile(r"""(?:\bex\s*=\s*|(?:failed|passed|no_answer|discard|Verdict)\((?:[^,()]*,\s*)?)["']Exercise""")


def _returns_a_verdict(fn: ast.FunctionDef) -> bool:
    """A module-level function with a ``return failed(...)``/``passed(...)``/``predict(...)`` of its own
    (nested helpers, like a predict's ``compare``, are part of their function)."""
    todo = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            f = node.value.func
            if getattr(f, "id", getattr(f, "attr", "")) in VERDICT_MAKERS:
                return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def _verdict_functions():
    for mod in pkgutil.iter_modules(exercises.__path__):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"dockerlab.exercises.{mod.name}")
        tree = ast.parse(Path(module.__file__).read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and _returns_a_verdict(node):
                yield module, node.name


FUNCTIONS = list(_verdict_functions())


def test_the_scan_finds_the_checks():
    names = {f"{m.__name__.rsplit('.', 1)[1]}.{n}" for m, n in FUNCTIONS}
    assert {"nb10.check_build", "nb11.check_publish", "nb12.check_survives", "nb07.predict_cpu"} <= names
    assert len(FUNCTIONS) >= 27


@pytest.mark.parametrize("module,name", FUNCTIONS, ids=[f"{m.__name__}.{n}" for m, n in FUNCTIONS])
def test_every_function_that_returns_a_verdict_is_registered(module, name):
    fn = getattr(module, name)
    key = getattr(fn, "key", None)
    assert key, f"{module.__name__}.{name} returns a Verdict but is not declared with @exercise or @predicting"
    lesson, ex = key.split(".", 1)
    assert (lesson, ex) in tracking.EXERCISES and lesson == module.__name__.rsplit(".", 1)[1]


def test_progress_counts_every_declared_check_and_every_lesson(progress_file):
    keys = {f"{m.__name__.rsplit('.', 1)[1]}.{n}" for m, n in FUNCTIONS}
    table = exercises.progress().frame
    assert len(table) == len(FUNCTIONS) == len(keys)
    assert {"nb10", "nb11", "nb12"} <= set(table["lesson"])
    assert table["lesson"].tolist() == sorted(table["lesson"].tolist())
    for lesson in set(table["lesson"]):
        nb = tracking.notebook_of(lesson)
        assert nb and (NOTEBOOKS / nb).exists(), lesson


def test_the_teachers_results_have_a_column_for_every_check():
    assert room_progress.every_exercise() == [f"{a}.{b}" for a, b in exercises.load_exercises()]
    assert len(room_progress.every_exercise()) == len(FUNCTIONS)
    recs = [{"lesson": "nb06", "exercise": "ps-all", "ok": True}, {"lesson": "nb13", "exercise": "prune", "ok": False}]
    assert room_progress.summary(recs) == {"nb06.ps-all": True, "nb13.prune": False}


@pytest.mark.parametrize("placeholder", [..., "", "   "])
@pytest.mark.parametrize("check", [nb05.check_fixed_command, nb06.check_ps_all, nb13.check_safe_command,
                                   nb05.check_alpine_shell, nb04.check_default_tag, nb06.check_states])
def test_the_placeholder_is_not_a_try(progress_file, check, placeholder):
    v = check(placeholder)
    assert not v.ok and not v.tried
    assert not progress_file.exists() or progress_file.read_text() == ""
    assert "✗" in repr(v) and "not yet" in repr(v)


def test_a_real_wrong_answer_is_a_try(progress_file):
    nb06.check_ps_all("docker ps")
    nb13.check_safe_command("docker rm -f $(docker ps -aq)")
    recs = [json.loads(line) for line in progress_file.read_text().splitlines()]
    assert [(r["exercise"], r["ok"]) for r in recs] == [("ps-all", False), ("safe-command", False)]


def test_a_verdict_with_dollars_is_safe_in_jupyterlab():
    # JupyterLab typesets $...$ in HTML output; this message has three dollars
    v = failed("nb13.safe-command", "it runs `docker rm $(docker ps -aq)` for $USER", "see `$(...)`")
    html = v._repr_html_()
    assert "$" not in html and html.count("&#36;") == 3
    assert "mathjax_ignore" in html and "tex2jax_ignore" in html
    assert "<code>docker rm &#36;(docker ps -aq)</code>" in html
    assert "<code>" not in failed("x", "an odd ` backtick")._repr_html_()


def test_the_right_safe_command_is_never_told_it_removes_every_container():
    v = nb13.check_safe_command("docker rm -f $(docker ps -aqf label=org.dockerlab.owner=me)")
    assert v.ok and "EVERY" not in repr(v)


def test_largest_judges_the_tag_against_the_table():
    import pandas as pd

    images = pd.DataFrame({"REPOSITORY": ["ubuntu", "alpine"], "TAG": ["latest", "latest"], "SIZE (MB)": [78.1, 7.8]})
    assert nb08.check_largest("ubuntu:latest", images).ok
    v = nb08.check_largest("ubuntu:24.04", images)
    assert not v.ok and "no ubuntu:24.04" in v.reason


def test_verdict_is_a_verdict():
    assert isinstance(nb06.check_ps_all("docker ps -a"), Verdict)


def test_a_state_check_run_before_the_learner_did_anything_is_not_a_try(progress_file):
    # 13's stored progress showed five "tries 1" that Run All made on the placeholder cells
    from dockerlab.exercises import nb07, nb10, nb11, nb12

    from .checker_rows import Engine, Lab, container

    empty = Lab(Engine())
    for v in (nb05.check_named_shell(empty), nb06.check_stopped(empty), nb07.check_limits(empty),
              nb08.check_tag(empty), nb10.check_build(empty), nb11.check_publish(empty), nb12.check_kept(empty)):
        assert not v.ok and not v.tried, repr(v)
    setup = Lab(Engine(containers={"nb13-ex-1": container("nb13-ex-1", "exited"),
                                   "nb13-ex-2": container("nb13-ex-2", "exited"),
                                   "nb13-ex-keep": container("nb13-ex-keep")}))
    assert not nb13.check_prune(setup).tried
    assert not progress_file.exists() or progress_file.read_text() == ""
    nb06.check_stopped(Lab(Engine(containers={"nb06-ex": container("nb06-ex")})))  # running: a real try
    assert progress_file.read_text().count("\n") == 1


def _call_with_no_answer(fn):
    """The check called with the cell's placeholder (``...``) for its answer: first with no lab (a check
    that needs none says "no answer yet"), then with a stand-in lab (a check that looks at the engine)."""
    import inspect
    from unittest import mock

    names = [p.name for p in inspect.signature(fn).parameters.values()
             if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    tries = ([... if i == 0 else None for i in range(len(names))],
             [mock.MagicMock(name="lab") if n == "lab" else ... for n in names])
    for args in tries:
        try:
            return fn(*args)
        except Exception:  # noqa: BLE001 - a stand-in lab's numbers are mocks: the next try, or none
            continue
    return None


@pytest.mark.parametrize("module,name", FUNCTIONS, ids=[f"{m.__name__}.{n}" for m, n in FUNCTIONS])
def test_every_verdict_names_its_exercise_by_its_key(module, name, progress_file):
    """One convention in every lesson: a verdict says ``✗ nb06.ps-all: not yet ...``, the key that
    show_solution() and progress() take (lessons 04-05 said "Exercise 1 (pull busybox)")."""
    fn = getattr(module, name)
    source = Path(module.__file__).read_text()
    assert not re_exercise_literal.search(source), \
        f"{module.__name__} names a verdict in words: {re_exercise_literal.search(source).group(0)!r}"
    verdict = _call_with_no_answer(fn)
    if verdict is None:  # a check a stand-in lab cannot drive (numbers from the engine): the source check above
        pytest.skip(f"{name} needs a real engine to answer at all")
    assert verdict.exercise == fn.key, (name, verdict.exercise)
    assert repr(verdict).split(":", 1)[0] in (f"✓ {fn.key}", f"✗ {fn.key}")
