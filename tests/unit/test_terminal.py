"""The "in a terminal" boxes: every box is captured, shown in a lesson, and the lessons show no other."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import dockerlab
from dockerlab import terminal_boxes as T

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def used_keys() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            for key in re.findall(r"terminal\(\"([\w-]+)\"\)", "".join(cell["source"])):
                used.setdefault(key, []).append(nb.name)
    return used


def test_every_box_is_captured_and_every_capture_is_a_box():
    data = T.load()
    assert set(data["boxes"]) == set(T.BY_KEY)
    for key, d in data["boxes"].items():
        assert d["command"] == T.BY_KEY[key].command, f"{key}: run scripts/capture-cli"
    assert data["cli"]


def test_every_box_is_in_a_lesson_and_each_lesson_of_04_to_13_has_one():
    used = used_keys()
    assert set(used) == set(T.BY_KEY), f"unused: {set(T.BY_KEY) - set(used)}, unknown: {set(used) - set(T.BY_KEY)}"
    lessons = {name[:2] for names in used.values() for name in names}
    assert {"04", "05", "06", "07", "08", "13"} <= lessons


def test_a_box_shows_how_to_open_the_terminal_and_what_the_cli_printed():
    box = dockerlab.terminal("06-ps-typo")
    text = repr(box)
    assert text.startswith("In a terminal (File > New > Terminal in JupyterLab)")
    assert "$ docker ps - a\n" in text and "accepts no arguments" in text
    assert "exit code 1" in box._repr_html_()


def test_an_unknown_box_says_which_exist():
    with pytest.raises(dockerlab.DockerLabError) as err:
        dockerlab.terminal("99-nope")
    assert "06-ps-typo" in str(err.value)


@pytest.mark.parametrize("a,b", [
    ("9ff4d84c2bcd   alpine  \"sleep 600\"   2 seconds ago   Exited (137) Less than a second ago   nb06-term",
     "0123456789ab   alpine    \"sleep 600\"   About a minute ago   Exited (137) 3 seconds ago   nb06-term"),
    ("Digest: sha256:" + "9" * 64, "Digest: sha256:" + "a" * 64),
    ("[http://127.0.0.1:5105/]", "[http://127.0.0.1:5000/]"),
])
def test_sanitize_hides_ids_times_and_ports(a, b):
    assert T.sanitize(a) == T.sanitize(b)


def test_sanitize_keeps_what_matters():
    assert T.sanitize("Exited (137) 2 seconds ago") != T.sanitize("Exited (0) 2 seconds ago")
    assert T.sanitize("580KiB / 23.54GiB", numbers=True) == T.sanitize("1.2MiB / 7GiB", numbers=True)
    assert T.sanitize("580KiB / 23.54GiB", numbers=True) != T.sanitize("580KiB / 23.54GiB / x", numbers=True)


def test_a_run_leaves_out_the_no_forwarding_warning_of_this_machines_policy():
    box = T.Box("t", f"echo '{T.NO_FORWARDING}'; echo 'hello from alpine'; echo 'WARNING: something else' >&2; exit 3")
    code, out = T.run(box)
    assert code == 3
    assert out == "hello from alpine\nWARNING: something else\n"  # only that exact line goes
