"""The structure the code has, checked from the code: one door to the engine, imports that point one
way, modules small enough to read in one sitting (issue 25)."""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import dockerlab

ROOT = Path(dockerlab.__file__).parent
MODULES = sorted(p for p in ROOT.rglob("*.py"))
#: Who may make an engine backend, and why; everyone else gets one through a gate.
MAKERS = {
    "connect.py": "connect() finds the engine and hands it to the learner's gate at once",
    "classroom/teacher.py": "the teacher's view wraps each learner's engine in Gate.for_teacher at once",
    "bake.py": "Binder's image build fills udocker's store before any learner exists",
    "mirror.py": "`dockerlab mirror`, the teacher's command run as root, seeds the classroom mirror",
}
#: Modules allowed over 500 lines: data tables.
LONG = {}


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def _code(p: Path) -> str:
    """The module's code without its docstrings and comments (a docstring may name anything)."""
    tree = ast.parse(p.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(getattr(node.body[0], "value", None), ast.Constant):
            node.body[0] = ast.Pass()
    return ast.unparse(tree)


def test_every_module_imports():
    for info in pkgutil.walk_packages(dockerlab.__path__, "dockerlab."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)


@pytest.mark.parametrize("path", [p for p in MODULES if not _rel(p).startswith("engine/") and _rel(p) != "gate.py"],
                         ids=_rel)
def test_no_code_outside_the_gate_holds_a_raw_engine(path):
    code = _code(path)
    reached = re.findall(r"\._engine\b|_Gate__engine|\._raw\b(?!\w)", code)
    if _rel(path) == "guarded.py":  # the view keeps its gate, and only its gate
        assert "_gate" in code and not reached
    assert not reached, f"{_rel(path)} reaches past the gate: {sorted(set(reached))}"
    makes = re.findall(r"\b(DockerEngine|UdockerEngine)\(|\bfind_engine\(", code)
    if makes:
        assert _rel(path) in MAKERS, f"{_rel(path)} makes an engine backend of its own ({makes[0]})"


def _imports(path: Path) -> set[str]:
    """The dockerlab modules ``path`` imports (at any depth, TYPE_CHECKING blocks left out)."""
    tree = ast.parse(path.read_text())
    parts = ["dockerlab", *path.relative_to(ROOT).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts = parts[:-1]
        pkg = parts
    else:
        pkg = parts[:-1]
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            base = pkg[:len(pkg) - (node.level - 1)] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else [])) if node.level else (node.module or "")
            if not mod.startswith("dockerlab"):
                continue
            for alias in node.names:
                full = f"{mod}.{alias.name}"
                out.add(full if _exists(full) else mod)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("dockerlab"))
    me = ".".join(parts)
    return {m for m in out if m != me}


def _exists(mod: str) -> bool:
    rel = Path(*mod.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()


def _name(path: Path) -> str:
    parts = ["dockerlab", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_cycles():
    graph = {_name(p): _imports(p) for p in MODULES}
    # a package's __init__ that re-exports its parts is not a cycle with them: count a module's
    # arrow to its own package only when the package is not its parent
    for mod, deps in graph.items():
        graph[mod] = {d for d in deps if not mod.startswith(d + ".")}
    index, low, stack, on, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert cycles == []


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_each_module_reads_in_one_sitting(path):
    lines = len(path.read_text().splitlines())
    assert lines <= LONG.get(_rel(path), 500), f"{_rel(path)} has {lines} lines"
