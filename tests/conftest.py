"""Shared fixtures. Engine tests use a real Docker Engine; each test's lab has
its own session label, and everything carrying it is reaped afterwards, even
when the test fails."""
from __future__ import annotations

import os
import uuid

import pytest
from tests.engine.raw import raw, remove_labelled

# The test process plays the teacher who starts the kernels: it may make labs for several
# learners (alice and bob on one engine). Set before dockerlab is imported, so it is in the
# start environment the kit trusts (dockerlab.guards.START_ENV); a test that checks the
# refusal removes it from START_ENV with the ``teacher`` fixture.
os.environ.setdefault("DOCKERLAB_ALLOW_OWNER_CHOICE", "1")

REQUIRE_ENGINE = os.environ.get("DOCKERLAB_REQUIRE_ENGINE") == "1"

# Exercise checks record the learner's progress; a test run (and the notebook kernels nbval starts,
# which inherit this environment) writes to a file of its own, never to ~/.dockerlab/progress.jsonl.
if not os.environ.get("DOCKERLAB_PROGRESS_FILE"):
    import tempfile

    os.environ["DOCKERLAB_PROGRESS_FILE"] = os.path.join(tempfile.mkdtemp(prefix="dockerlab-progress-"),
                                                         "progress.jsonl")


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    """A fresh, empty progress file for one test."""
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("DOCKERLAB_PROGRESS_FILE", str(path))
    return path


def _engine_or_fail():
    import dockerlab
    from dockerlab.errors import DockerLabError

    try:
        return dockerlab.connect(show_cli=False)
    except DockerLabError as e:
        if REQUIRE_ENGINE:
            pytest.fail(f"a Docker Engine is required here (DOCKERLAB_REQUIRE_ENGINE=1): {e}")
        pytest.skip(f"no Docker Engine: {e}")


@pytest.fixture(scope="session")
def engine_lab():
    """One lab for the whole run (for read-only looks at the engine)."""
    return _engine_or_fail()


def reap(engine, session: str) -> None:
    from dockerlab import labels

    remove_labelled(engine, f"{labels.SESSION}={session}")


@pytest.fixture
def teacher(monkeypatch):
    """``teacher(ALLOW_OTHERS="1", MAX_RUNNING="3")``: settings as a hub's start environment gives
    them (os.environ at run time is not trusted, so tests set the start environment the kit read)."""
    from dockerlab import guards

    def set_(**settings):
        for key, value in settings.items():
            if value is None:
                monkeypatch.delitem(guards.START_ENV, f"DOCKERLAB_{key}", raising=False)
            else:
                monkeypatch.setitem(guards.START_ENV, f"DOCKERLAB_{key}", value)

    return set_


@pytest.fixture
def lab(engine_lab, request):
    """A lab with a session of its own; all it created is removed after the test."""
    from dockerlab.lab import Lab

    session = "t" + uuid.uuid4().hex[:11]
    node = request.node.name[:40]
    # an owner of its own too, so "mine" scopes never reach other tests' containers
    the_lab = Lab(engine_lab.engine, lesson=f"test:{node}", session=session, owner=f"tester-{session}",
                  show_cli=True)
    yield the_lab
    reap(raw(engine_lab), session)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/engine" in str(item.fspath) or item.fspath.ext == ".ipynb":
            item.add_marker(pytest.mark.engine)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say which engine the engine tests ran against, so the CI log shows it."""
    ran = [r for k in ("passed", "failed") for r in terminalreporter.stats.get(k, [])
           if "engine" in getattr(r, "keywords", {})]
    if not ran:
        return
    try:
        import dockerlab

        lab = dockerlab.connect(show_cli=False)
        terminalreporter.write_line(f"dockerlab: {len(ran)} engine tests ran against {lab!r}")
    except Exception as e:  # pragma: no cover
        terminalreporter.write_line(f"dockerlab: engine tests ran; engine now unreachable: {e}")
