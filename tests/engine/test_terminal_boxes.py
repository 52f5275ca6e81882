"""Every "in a terminal" box: the docker CLI, run again on this engine, still prints what the box shows."""
from __future__ import annotations

import shutil

import pytest

from dockerlab import terminal_boxes as T

pytestmark = pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI on PATH")


@pytest.mark.parametrize("box", T.BOXES, ids=lambda b: b.key)
def test_the_cli_still_prints_what_the_box_shows(box, engine_lab):
    stored = T.load()["boxes"][box.key]
    assert stored["command"] == box.command, "the box changed since the capture: run scripts/capture-cli"
    code, out = T.run(box)
    assert code == stored["exit_code"], out
    assert T.sanitize(out, numbers=box.numbers) == T.sanitize(stored["output"], numbers=box.numbers), (
        f"docker CLI {T.cli_version()} (captured with {T.load().get('cli')}) now prints:\n{out}")
