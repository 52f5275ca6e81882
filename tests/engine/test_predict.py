"""The predict-then-run questions of 05-09 on a real engine: the engine's answer is the truth."""
from __future__ import annotations

from dockerlab.exercises import nb05, nb06, nb07, nb08, nb09


def test_nb05_sh_without_it_exits(lab, progress_file):
    assert nb05.predict_state(lab, "exited").ok
    assert not nb05.predict_state(lab, "running").ok
    assert lab.container("nb05-guess").state == "exited"


def test_nb06_stop_gives_137(lab, progress_file):
    v = nb06.predict_stop_code(lab, 137)
    assert v.ok, repr(v)
    assert "the engine: 137" in repr(nb06.predict_stop_code(lab, 143))


def test_nb07_cpu_under_a_quarter(lab, progress_file):
    if not lab.can("limits"):
        return
    v = nb07.predict_cpu(lab, 25)
    assert v.ok, repr(v)
    assert not nb07.predict_cpu(lab, 100).ok


def test_nb08_a_tag_costs_no_disk(lab, progress_file):
    v = nb08.predict_tag_mb(lab, 0)
    assert v.ok, repr(v)
    assert "the engine: 0.0" in repr(v)
    assert len(progress_file.read_text().splitlines()) == 1


def test_nb09_a_1g_limit_is_not_what_a_sleep_uses(lab, progress_file):
    if lab.can("limits"):  # a sleep uses well under the 1024 MiB it may; the container is gone afterwards
        assert nb09.predict_used_mib(lab, 0.5).ok and not nb09.predict_used_mib(lab, 1024).ok
        assert "nb09-guess" not in lab.ps(all=True)["NAMES"].tolist()
