"""What learners really do with a lesson, in a real kernel, against the real engine:

- run the "When you are done" (cleanup) cell first, then Run All, then Run All again;
- interrupt a cell in the middle (Kernel > Interrupt: SIGINT to the kernel), then Run All again;
- run down to a middle cell, restart the kernel, then run only the cleanup cell.

Each step ends with no error the notebook did not mean (only cells tagged raises-exception
may show one; the interrupted cell may say it was interrupted), and at the end none of the
learner's containers is left (checked by the owner label). Each notebook runs with an owner
of its own (DOCKERLAB_OWNER), so nothing here touches anyone else's containers.

CI runs five lessons (LEARNER_NOTEBOOKS); DOCKERLAB_LEARNER_ALL=1
runs every lesson (about four Run Alls each; about 6 min, 07 and 09 being the slowest).
"""
from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from dockerlab import labels
from tests.engine.raw import raw, remove_labelled

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# fixed names, a Shell, a Launcher, a table, cleanup; a network and a Compose project; builds with secrets
LEARNER_NOTEBOOKS = ["05-run", "06-lifecycle", "13-cleanup", "14-containers-that-talk", "15-a-good-image"]
ALL = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
CHOSEN = ALL if os.environ.get("DOCKERLAB_LEARNER_ALL") == "1" else [n for n in LEARNER_NOTEBOOKS if n in ALL]


class Learner:
    """One kernel on a copy of a lesson; cells run one by one, as Shift+Enter runs them."""

    def __init__(self, name: str, owner: str, workdir: Path):
        self.nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        for folder in NOTEBOOKS.glob(f"nb{name[:2]}-*/"):  # the lesson's build contexts and apps, beside it
            if not (workdir / folder.name).exists():
                shutil.copytree(folder, workdir / folder.name, symlinks=True)
        for c in self.nb.cells:
            if c.cell_type == "code":
                c.outputs = []
        self.code = [i for i, c in enumerate(self.nb.cells) if c.cell_type == "code"]
        self.owner = owner
        self.client = NotebookClient(self.nb, timeout=180, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(workdir)}})
        self._ctx = None

    def __enter__(self):
        self._ctx = self.client.setup_kernel(env={**os.environ, "DOCKERLAB_OWNER": self.owner})
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)

    def run(self, index: int, *, interrupt_after: float | None = None) -> list[tuple[str, str]]:
        """Run one cell (a code cell's index); the errors it showed as (ename, evalue)."""
        cell = self.nb.cells[index]
        cell.outputs = []
        timer = None
        if interrupt_after is not None:
            # what Kernel > Interrupt does to a Python kernel: SIGINT to its process
            timer = threading.Timer(interrupt_after, os.kill, (self.client.km.provisioner.pid, signal.SIGINT))
            timer.start()
        try:
            self.client.execute_cell(cell, index)
        finally:
            if timer:
                timer.cancel()
        return [(o.get("ename"), o.get("evalue")) for o in cell.outputs if o.get("output_type") == "error"]

    def unexpected(self, index: int, errors) -> list[str]:
        cell = self.nb.cells[index]
        if "raises-exception" in cell.metadata.get("tags", []):
            return []
        return [f"cell {index}: {e}: {v}" for e, v in errors]

    def run_all(self, upto: int | None = None) -> list[str]:
        problems = []
        for i in self.code:
            if upto is not None and i >= upto:
                break
            problems += self.unexpected(i, self.run(i))
        return problems

    @property
    def cleanup_cell(self) -> int:
        return self.code[-1]

    @property
    def middle(self) -> int:
        """A code cell in the middle that talks to the engine for a while (so an interrupt lands in it)."""
        later = self.code[len(self.code) // 2:]
        slow = [i for i in later if any(k in self.nb.cells[i].source for k in ("lab.run(", "lab.stop(", "sleep("))
                and "raises-exception" not in self.nb.cells[i].metadata.get("tags", [])]
        return (slow or later)[0]


def _left(engine, owner: str) -> list[str]:
    """The learner's containers left, and their networks and volumes (a Compose project makes both)."""
    mine = {"label": [f"{labels.OWNER}={owner}"]}
    found = sorted((c.get("Names") or ["?"])[0].lstrip("/") for c in engine.containers(all=True, filters=mine))
    if "networks" in engine.features:
        found += sorted("network " + n["Name"] for n in engine.networks(filters=mine))
    if "volumes" in engine.features:
        found += sorted("volume " + v["Name"] for v in engine.volumes(filters=mine))
    return found


def _reap(engine, owner: str) -> None:
    remove_labelled(engine, f"{labels.OWNER}={owner}")


@pytest.mark.parametrize("name", CHOSEN)
def test_a_lesson_survives_what_learners_do(name, engine_lab, tmp_path):
    owner = "learner-" + uuid.uuid4().hex[:8]
    engine = raw(engine_lab)
    t0 = time.monotonic()
    try:
        with Learner(name, owner, tmp_path) as me:
            # the cleanup cell first, on a fresh kernel where nothing ran
            assert me.unexpected(me.cleanup_cell, me.run(me.cleanup_cell)) == []
            # Run All, twice in a row
            for round_ in ("first", "second"):
                problems = me.run_all()
                assert not problems, f"{name}: Run All ({round_}) showed errors:\n  " + "\n  ".join(problems)
                assert _left(engine, owner) == [], f"{name}: Run All ({round_}) left containers"
            # down to a middle cell, interrupted while it runs; then Run All again
            assert me.run_all(upto=me.middle) == []
            errors = me.run(me.middle, interrupt_after=0.15)
            odd = [e for e in me.unexpected(me.middle, errors) if "Interrupt" not in e]
            assert not odd, f"{name}: the interrupted cell showed {odd}"
            print(f"{name}: cell {me.middle} interrupted: {errors or 'it ended before the signal'}")
            problems = me.run_all()
            assert not problems, f"{name}: Run All after an interrupt showed errors:\n  " + "\n  ".join(problems)
            assert _left(engine, owner) == []
            # down to a middle cell again, then the kernel restarts (its state is gone, its containers stay)
            assert me.run_all(upto=me.middle + 1) == []
        with Learner(name, owner, tmp_path) as fresh:
            assert fresh.unexpected(fresh.cleanup_cell, fresh.run(fresh.cleanup_cell)) == []
            assert _left(engine, owner) == [], f"{name}: the cleanup cell after a restart left containers"
        print(f"{name}: learner scenarios took {time.monotonic() - t0:.1f} s")
    finally:
        _reap(engine, owner)
