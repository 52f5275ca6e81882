"""In Jupyter, a DockerLabError reads as its message (what, state, hint), not a traceback
through the kit's internals; other errors keep IPython's traceback; %tb still shows the full one.
Runs a real kernel (no Docker engine needed: the engine address is a socket that does not exist)."""
from __future__ import annotations

import re

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _run(*sources):
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nbclient.NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    return nb.cells


def _text(cell) -> str:
    parts = []
    for o in cell.outputs:
        parts += o.get("traceback", []) + [o.get("text", "")]
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(parts))


def test_errors_read_as_messages_in_a_kernel():
    cells = _run(
        "import os\nos.environ['DOCKER_HOST'] = 'unix:///nonexistent-dockerlab.sock'\nimport dockerlab\n"
        "lab = dockerlab.connect()",
        "from dockerlab import refs\nrefs.parse_image('\u2013-name')",
        "%tb",
        "1/0",
    )
    no_engine, bad_ref, tb, other = cells
    err = [o for o in no_engine.outputs if o.get("output_type") == "error"]
    assert err and err[0]["ename"] == "EngineUnavailable", no_engine.outputs
    text = _text(no_engine)
    assert "Hint:" in text and "nonexistent-dockerlab.sock" in text
    assert "Traceback" not in text and "connect.py" not in text  # no kit internals
    text = _text(bad_ref)
    assert text.startswith("InvalidReference: invalid reference format") and "en dash" in text
    assert "refs.py" not in text
    assert "refs.py" in _text(tb)  # the full traceback is one %tb away
    assert "Traceback" in _text(other) and "ZeroDivisionError" in _text(other)  # others untouched
