"""The oldest Python the kit declares (3.10) has no tomllib: the guards file must still be read.

On 3.10 itself (`./kit test` runs the unit tests on every Python it finds, see the README) the
first test takes the real path; on 3.11+ it hides tomllib, as 3.10 would, and checks that the
kit falls back to tomli, the dependency pyproject.toml declares for python_version < '3.11'.
"""
from __future__ import annotations

import importlib
import sys

import pytest

from dockerlab import guards

TEXT = 'default_memory = "256m"\nmax_running = 3\n'


def _policy(tmp_path):
    path = tmp_path / "guards.toml"
    path.write_text(TEXT)
    return guards.load(env={}, files=[path])


def test_guards_file_is_read_on_this_python(tmp_path):
    p = _policy(tmp_path)
    assert (p.default_memory, p.max_running) == (256 * 1024**2, 3)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="3.10 has no tomllib to hide: the test above is the real one")
def test_guards_file_is_read_without_tomllib(tmp_path, monkeypatch):
    real = importlib.import_module("tomllib")
    used = []

    class Tomli:  # stands for the tomli package (same API as tomllib, which began as tomli)
        TOMLDecodeError = real.TOMLDecodeError

        @staticmethod
        def load(fh):
            used.append("tomli")
            return real.load(fh)

    monkeypatch.setitem(sys.modules, "tomllib", None)  # `import tomllib` now fails, as on 3.10
    monkeypatch.setitem(sys.modules, "tomli", Tomli)
    with pytest.raises(ModuleNotFoundError):
        import tomllib  # noqa: F401
    p = _policy(tmp_path)
    assert (p.default_memory, p.max_running) == (256 * 1024**2, 3)
    assert used == ["tomli"]


def test_a_tomli_dependency_is_declared_for_3_10():
    text = open(guards.__file__.replace("dockerlab/guards.py", "pyproject.toml")).read()
    assert "tomli>=1.1; python_version < '3.11'" in text
    assert 'requires-python = ">=3.10"' in text
