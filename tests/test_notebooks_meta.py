"""The anatomy of every lesson notebook (STYLE.md section 5, numpy-tutorials).

No engine needed: these read the committed .ipynb files. Each rule is a small
function returning a list of problems, so the rules themselves are tested on
broken synthetic notebooks below (a rule that cannot fail proves nothing).
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SERIES = ["01-start-here.ipynb", "02-architecture.ipynb", "03-installation.ipynb", "04-info-and-pull.ipynb",
          "05-run.ipynb", "06-lifecycle.ipynb", "07-stats.ipynb", "08-images.ipynb",
          "09-containers-vs-vms.ipynb", "10-build-an-image.ipynb", "11-publish-a-port.ipynb", "12-volumes.ipynb",
          "13-cleanup.ipynb", "14-containers-that-talk.ipynb", "15-a-good-image.ipynb"]
NAME_RE = re.compile(r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
INTRO = {"do": r"what you(?:'|’| wi)ll do", "learn": r"what you(?:'|’| wi)ll learn", "need": r"what you(?:'|’| wi)ll need"}
EXERCISE_TAG = "exercise"


def src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def tags(cell) -> set:
    return set((cell.get("metadata") or {}).get("tags") or [])


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def parse(cell):
    """The cell's Python AST; IPython magics and shell escapes are blanked first."""
    lines = [("" if l.lstrip().startswith(("%", "!")) else l) for l in src(cell).splitlines()]
    return ast.parse("\n".join(lines))


# --- the rules: each returns a list of problems ---------------------------------------
def check_name(path: Path) -> list[str]:
    return [] if NAME_RE.match(path.name) else [f"file name {path.name!r} is not NN-short-name.ipynb"]


def check_intro(nb) -> list[str]:
    """It opens (markdown before the first code cell) with what you'll do / learn / need."""
    head = []
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            break
        head.append(src(c).lower())
    text = "\n".join(head)
    if not head or not text.lstrip().startswith("#"):
        return ["the notebook does not open with a markdown title"]
    return [f"the opening does not say 'What you'll {k}'" for k, rx in INTRO.items() if not re.search(rx, text)]


def check_imports(nb) -> list[str]:
    """One imports cell up front: the first code cell imports, no other cell does."""
    cells = code_cells(nb)
    if not cells:
        return ["no code cells"]
    problems = []
    first = parse(cells[0])
    if not any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(first)):
        problems.append("the first code cell does not import anything")
    for i, c in enumerate(cells[1:], start=2):
        if i == len(cells) and ".cleanup(" in src(c):
            continue  # the "When you are done" cell imports and connects on its own: it works after a restart
        if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(parse(c))):
            problems.append(f"code cell {i} imports (imports belong in the first code cell): {src(c)[:60]!r}")
    return problems


def check_no_defs(nb) -> list[str]:
    """No def/class in a lesson, except in cells tagged 'exercise'."""
    problems = []
    for i, c in enumerate(code_cells(nb), start=1):
        if EXERCISE_TAG in tags(c):
            continue
        for n in ast.walk(parse(c)):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                problems.append(f"code cell {i} defines {n.name!r} (only exercise cells may)")
    return problems


def check_ending(nb) -> list[str]:
    """A summary section, and the last code cell cleans up (lab.cleanup())."""
    problems = []
    heads = [l for c in nb["cells"] if c["cell_type"] == "markdown" for l in src(c).splitlines() if l.startswith("#")]
    if not any("summary" in h.lower() for h in heads):
        problems.append("no '## Summary' section")
    cells = code_cells(nb)
    if not cells or ".cleanup(" not in src(cells[-1]):
        problems.append("the last code cell is not a cleanup cell (lab.cleanup())")
    return problems


def check_errors_tagged(nb) -> list[str]:
    """Error outputs only where tagged raises-exception, and every such tag really raises."""
    problems = []
    for i, c in enumerate(code_cells(nb), start=1):
        has_error = any(o.get("output_type") == "error" for o in c.get("outputs", []))
        tagged = "raises-exception" in tags(c)
        if has_error and not tagged:
            problems.append(f"code cell {i} has an error output but no raises-exception tag")
        if tagged and not has_error:
            problems.append(f"code cell {i} is tagged raises-exception but its committed output has no error")
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr" and "Traceback" in "".join(o.get("text", "")):
                problems.append(f"code cell {i} printed a traceback on stderr")
    return problems


def check_executed(nb) -> list[str]:
    """Committed executed, top to bottom in one run: counts 1, 2, 3 ... and some outputs."""
    cells = [c for c in code_cells(nb) if src(c).strip()]
    counts = [c.get("execution_count") for c in cells]
    if any(n is None for n in counts):
        return [f"{sum(n is None for n in counts)} code cells were not executed"]
    if counts != list(range(1, len(counts) + 1)):
        return [f"execution counts {counts} are not 1..{len(counts)}: run it top to bottom in a fresh kernel"]
    if not any(c.get("outputs") for c in cells):
        return ["no cell has an output"]
    return []


def check_links(nb) -> list[str]:
    """Links to other notebooks point at files that exist."""
    problems = []
    for c in nb["cells"]:
        if c["cell_type"] != "markdown":
            continue
        for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", src(c)):
            if not (NOTEBOOKS / target).exists():
                problems.append(f"link to {target} which does not exist")
    return problems


def check_container_names(nb, number: str) -> list[str]:
    """Fixed container names carry the notebook's number (nb05-web), so notebooks never collide."""
    problems = []
    for i, c in enumerate(code_cells(nb), start=1):
        for n in ast.walk(parse(c)):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "run":
                for kw in n.keywords:
                    if kw.arg == "name" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str) \
                            and not kw.value.value.startswith(f"nb{number}"):
                        problems.append(f"code cell {i} names a container {kw.value.value!r}, not nb{number}-...")
    return problems


RULES = [check_intro, check_imports, check_no_defs, check_ending, check_errors_tagged, check_executed]


def all_problems(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    return (check_name(path) + [p for rule in RULES for p in rule(nb)]
            + check_container_names(nb, path.name[:2]))


# --- the tests over the committed notebooks ---------------------------------------------
def notebook_paths():
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("."))


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_anatomy(path):
    problems = all_problems(path)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_the_series_is_complete():
    missing = [n for n in SERIES if not (NOTEBOOKS / n).exists()]
    assert not missing, f"notebooks of the series not written yet: {missing}"


def test_links_between_notebooks_resolve():
    problems = [f"{p.name}: {m}" for p in notebook_paths() for m in check_links(json.loads(p.read_text()))]
    assert not problems, "\n".join(problems)


def test_sanitize_file_is_small_and_well_formed():
    """nbval drops a regex: whose replace: is not on the very next line (STYLE.md section 7)."""
    lines = (NOTEBOOKS / "sanitize.cfg").read_text().splitlines()
    rules = [i for i, l in enumerate(lines) if l.startswith("regex:")]
    assert 0 < len(rules) <= 12, f"{len(rules)} sanitize rules: keep the file small"
    for i in rules:
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        assert nxt.startswith("replace:") and nxt[len("replace:"):].strip(), f"line {i + 1}: regex without replace"
        re.compile(lines[i][len("regex:"):].strip())


# --- the rules catch what they should (synthetic notebooks) -----------------------------
def _nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text, n=None, outputs=(), tags_=()):
    return {"cell_type": "code", "metadata": {"tags": list(tags_)}, "source": text, "execution_count": n,
            "outputs": list(outputs)}


GOOD = _nb(_md("# T\n## What you'll do\n## What you'll learn\n## What you'll need"),
           _code("import dockerlab\nlab = dockerlab.connect()", 1, [{"output_type": "stream", "name": "stdout", "text": "x"}]),
           _code("def answer():\n    return 1", 2, tags_=["exercise"]),
           _md("## Summary\n..."), _code("lab.cleanup()", 3))


def test_rules_accept_a_good_notebook():
    assert [p for rule in RULES for p in rule(GOOD)] == []


@pytest.mark.parametrize("rule,bad", [
    (check_intro, _nb(_md("# T\n## What you'll do"), _code("import x", 1))),
    (check_imports, _nb(_code("x = 1", 1), _code("import os", 2))),
    (check_no_defs, _nb(_code("import x", 1), _code("def f():\n    pass", 2))),
    (check_ending, _nb(_md("## Summary"), _code("import x", 1))),
    (check_errors_tagged, _nb(_code("1/0", 1, [{"output_type": "error", "ename": "ZeroDivisionError"}]))),
    (check_errors_tagged, _nb(_code("1", 1, tags_=["raises-exception"]))),
    (check_executed, _nb(_code("import x", None))),
    (check_executed, _nb(_code("import x", 2, [{"output_type": "stream"}]), _code("y", 1))),
])
def test_rules_catch_a_broken_notebook(rule, bad):
    assert rule(bad), f"{rule.__name__} let a broken notebook pass"


def test_container_name_rule():
    nb = _nb(_code('lab.run("alpine", "true", name="nb05-web")\nlab.run("alpine", name=other)', 1))
    assert check_container_names(nb, "05") == []
    assert check_container_names(nb, "06") and "nb06" in check_container_names(nb, "06")[0]


def test_name_rule():
    assert check_name(Path("05-run.ipynb")) == []
    assert check_name(Path("Untitled.ipynb")) and check_name(Path("5-run.ipynb"))
