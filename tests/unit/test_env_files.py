"""environment.yml, binder/ and pyproject.toml must name the same dependencies.

Binder reads only binder/ (environment.yml, apt.txt, postBuild, start); conda
users read the top environment.yml; pip reads pyproject.toml. A dependency
added to one and forgotten in another breaks one of the three installs, so
this test compares them by name and lower bound.
"""
from __future__ import annotations

import os
import re
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"docker-py": "docker"}
_SPEC = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)\s*(.*)$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    out = {}
    for dep in data["project"]["dependencies"]:
        m = _SPEC.match(dep.split(";")[0].strip())
        out[_norm(m.group(1))] = m.group(2).replace(" ", "")
    return out


def parse_environment(path: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """(conda dependencies by PyPI name -> version spec, the pip: list, channels) of an environment.yml.

    A small parser for the subset these files use (no YAML library needed):
    top-level keys, "  - item" lists, and a nested "  - pip:" list.
    """
    deps, pip, channels = {}, [], []
    section, in_pip = None, False
    for raw in path.read_text().splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if not line.startswith(" "):
            section, in_pip = line.split(":")[0], False
            continue
        item = line.strip()
        if not item.startswith("- "):
            raise AssertionError(f"{path.name}: unexpected line {raw!r}")
        value = item[2:].strip()
        indent = len(line) - len(line.lstrip())
        if section == "channels":
            channels.append(value)
        elif section == "dependencies":
            if value == "pip:":
                in_pip = True
                continue
            if in_pip and indent > 2:
                pip.append(value)
                continue
            in_pip = False
            m = _SPEC.match(value)
            assert m, f"{path.name}: cannot read the dependency {value!r}"
            deps[_norm(CONDA_TO_PYPI.get(m.group(1), m.group(1)))] = m.group(2).replace(" ", "")
    return deps, pip, channels


def _kit_deps(deps: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in deps.items() if k not in ("python", "pip")}


@pytest.mark.parametrize("path", ["environment.yml", "binder/environment.yml"])
def test_environment_names_the_same_dependencies_as_pyproject(path):
    deps, _pip, channels = parse_environment(ROOT / path)
    assert channels == ["conda-forge"], f"{path} should use conda-forge only"
    assert _kit_deps(deps) == parse_pyproject(), (
        f"{path} and pyproject.toml disagree (names or lower bounds); "
        f"only in {path}: {sorted(set(_kit_deps(deps)) - set(parse_pyproject()))}, "
        f"only in pyproject.toml: {sorted(set(parse_pyproject()) - set(_kit_deps(deps)))}")
    assert "pip" in deps, f"{path} needs pip (the kit and udocker are pip-installed)"


def test_python_versions_agree():
    want = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"].replace(" ", "")
    for path in ("environment.yml", "binder/environment.yml"):
        deps, _, _ = parse_environment(ROOT / path)
        assert deps.get("python") == want, f"{path}: python{deps.get('python')} but pyproject says {want}"


def test_top_environment_installs_the_kit_itself():
    _deps, pip, _ = parse_environment(ROOT / "environment.yml")
    assert "-e ." in pip


def test_binder_installs_the_kit_and_udocker_and_proot():
    post = (ROOT / "binder/postBuild").read_text()
    assert re.search(r"pip install (--no-deps )?-e \.", post), "postBuild must install the kit (pip install -e .)"
    assert re.search(r"pip install .*udocker", post), "postBuild must install udocker"
    apt = (ROOT / "binder/apt.txt").read_text().split()
    assert "proot" in apt
    for name in ("postBuild", "start"):
        assert os.access(ROOT / "binder" / name, os.X_OK), f"binder/{name} must be executable"
        assert (ROOT / "binder" / name).read_text().startswith("#!/bin/bash")


def test_binder_start_sets_what_the_kit_needs():
    start = (ROOT / "binder/start").read_text()
    for var in ("DOCKERLAB_ENGINE=udocker", "UDOCKER_DIR=", "UDOCKER_USE_PROOT_EXECUTABLE=", 'UDOCKER_TARBALL=""'):
        assert f"export {var}" in start, f"binder/start must export {var}"
    assert start.rstrip().endswith('exec "$@"'), "binder/start must end by running the command it is given"


def test_the_parser_notices_a_missing_dependency(tmp_path):
    """The check can fail: a file lacking one of pyproject's dependencies is reported."""
    text = (ROOT / "binder/environment.yml").read_text().replace("  - psutil>=5.9\n", "")
    (tmp_path / "environment.yml").write_text(text)
    deps, _, _ = parse_environment(tmp_path / "environment.yml")
    assert _kit_deps(deps) != parse_pyproject()
    assert set(parse_pyproject()) - set(_kit_deps(deps)) == {"psutil"}
