"""Predict-then-run questions, and the progress file every check writes (no engine: fake actions)."""
from __future__ import annotations

import json

import pytest

from dockerlab import tracking
from dockerlab.exercises import Verdict, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12, nb13, predict, progress


def test_nothing_runs_before_a_prediction(progress_file):
    ran = []
    v = predict("nb06.predict-stop", ..., lambda: ran.append(1), lambda g, o: (True, ""))
    assert not v.ok and "no prediction yet" in repr(v).lower() and ran == []
    assert not progress_file.exists()  # no prediction, no record


def test_a_prediction_is_compared_with_what_the_engine_did(progress_file):
    v = predict("nb06.predict-stop", 137, lambda: 137, lambda g, o: (g == o, "because"), owner="ann")
    assert v.ok and "You predicted 137; the engine: 137" in repr(v)
    v = predict("nb06.predict-stop", 0, lambda: 137, lambda g, o: (g == o, "think again"), owner="ann")
    assert not v.ok and "the engine: 137" in repr(v) and v.hint == "think again"
    recs = [json.loads(line) for line in progress_file.read_text().splitlines()]
    assert [(r["lesson"], r["exercise"], r["ok"], r["owner"]) for r in recs] == [
        ("nb06", "predict-stop", True, "ann"), ("nb06", "predict-stop", False, "ann")]


def test_an_engine_error_is_a_verdict_not_a_traceback(progress_file):
    from dockerlab import errors as E

    def boom():
        raise E.ImageNotFound("No such image: alpine", image="alpine")

    v = predict("nb05.predict-state", "exited", boom, lambda g, o: (True, ""))
    assert isinstance(v, Verdict) and not v.ok and "could not do the step" in repr(v)


@pytest.mark.parametrize("guess,measured,right", [
    (25, 24.8, True), (25, 12.0, True),     # the cap, on a busy machine that gave less
    (13, 12.0, True),                      # what the engine measured
    (12.5, 25.1, False),                   # a share of the whole (2-CPU) machine
    (100, 24.9, False), (50, 25.0, False), ("25", 25.0, False), (True, 25.0, False),
])
def test_nb07_cpu_prediction(guess, measured, right):
    assert nb07.compare_cpu(guess, measured)[0] is right


def test_nb08_tag_prediction():
    assert nb08.compare_tag_mb(0, 0.0)[0]
    assert not nb08.compare_tag_mb(2, 0.0)[0]
    assert not nb08.compare_tag_mb("0", 0.0)[0]


# --- the progress file ---------------------------------------------------------------------------
def test_every_check_records_one_line_with_exactly_the_shared_keys(progress_file):
    nb06.check_ps_all("docker ps -a")
    nb06.check_ps_all("docker ps -all")
    nb13.check_safe_command("docker rm -f $(docker ps -aq --filter label=org.dockerlab.managed=true)")
    nb06.check_ps_all(...)  # no answer yet: not an attempt, not recorded
    recs = [json.loads(line) for line in progress_file.read_text().splitlines()]
    assert [tuple(r) for r in recs] == [("lesson", "exercise", "ok", "time", "owner")] * 3
    assert [(r["lesson"], r["exercise"], r["ok"]) for r in recs] == [
        ("nb06", "ps-all", True), ("nb06", "ps-all", False), ("nb13", "safe-command", False)]
    assert recs[0]["time"].endswith("+00:00") and recs[0]["owner"]


def test_the_owner_is_the_labs(progress_file):
    class Lab:
        owner = "bob"

        class engine:
            @staticmethod
            def info():
                return {"RegistryConfig": {"Mirrors": ["http://127.0.0.1:5000/"]}}

    nb04.check_mirror("127.0.0.1:5000", Lab())
    (rec,) = tracking.load()
    assert (rec["lesson"], rec["exercise"], rec["ok"], rec["owner"]) == ("nb04", "mirror", True, "bob")


def test_progress_shows_done_tried_and_not_tried_with_links(progress_file):
    nb05.check_alpine_shell("/bin/bash")
    nb05.check_alpine_shell("/bin/ash")
    nb06.check_ps_all("docker ps")
    with progress_file.open("a") as f:
        f.write("not json\n{\"lesson\": \"nb99\"}\n")  # a broken line is skipped, not fatal
    p = progress()
    df = p.frame.set_index(["lesson", "exercise"])
    assert df.loc[("nb05", "alpine-shell"), "done"] and df.loc[("nb05", "alpine-shell"), "tries"] == 2
    assert not df.loc[("nb06", "ps-all"), "done"] and df.loc[("nb06", "ps-all"), "tries"] == 1
    assert df.loc[("nb13", "prune"), "tries"] == 0
    assert {"nb04", "nb05", "nb06", "nb07", "nb08", "nb09", "nb13"} <= set(p.frame["lesson"])
    assert p.done == 1
    html = p._repr_html_()
    assert "href='05-run.ipynb'" in html and "href='13-cleanup.ipynb'" in html and "1 of" in html
    assert "✓ nb05 alpine-shell" in repr(p)


def test_progress_without_a_file_is_all_not_tried(progress_file):
    import dockerlab

    p = dockerlab.progress()
    assert p.done == 0 and len(p) >= 20 and (p.frame["tries"] == 0).all()


def test_an_unwritable_progress_file_never_breaks_a_check(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("DOCKERLAB_PROGRESS_FILE", str(tmp_path / "file" / "progress.jsonl"))
    assert nb06.check_ps_all("docker ps -a").ok


def test_the_default_path_is_in_the_home(monkeypatch, tmp_path):
    monkeypatch.delenv("DOCKERLAB_PROGRESS_FILE")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert tracking.path() == tmp_path / ".dockerlab" / "progress.jsonl"


def test_nb07_prediction_on_an_engine_without_limits_starts_nothing(progress_file):
    class NoLimits:
        owner = "ann"
        engine = type("E", (), {"kind": "udocker"})()
        ran: list = []

        def can(self, feature):
            return False

        def run(self, *a, **kw):
            self.ran.append(a)

    lab = NoLimits()
    v = nb07.predict_cpu(lab, 25)
    assert not v.ok and "cannot limit CPU" in repr(v) and lab.ran == []


class LimitedLab:
    """An engine with cgroups: runs record what they asked for, stats say what the container uses."""
    owner = "ann"
    engine = type("E", (), {"kind": "docker"})()

    def __init__(self, used_mib=0.45, limits=True):
        self.used_mib, self.limits, self.calls = used_mib, limits, []

    def can(self, feature):
        return self.limits

    def run(self, image, command, **kw):
        self.calls.append(("run", image, command, kw))

    def stats(self, name):
        import pandas as pd

        self.calls.append(("stats", name))
        return pd.DataFrame({"NAME": [name], "MEM USAGE (MiB)": [self.used_mib], "MEM LIMIT (MiB)": [1024.0]})

    def remove(self, name, force=False):
        self.calls.append(("remove", name))


def test_nb09_prediction_runs_a_1g_sleep_measures_it_and_removes_it(progress_file):
    lab = LimitedLab()
    v = nb09.predict_used_mib(lab, 0.5)
    assert v.ok and "the engine: 0.45" in repr(v) and "ceiling" in repr(v)
    assert lab.calls == [("remove", "nb09-guess"), ("run", "alpine", "sleep 600",
                                                    {"name": "nb09-guess", "detach": True, "memory": "1g"}),
                         ("stats", "nb09-guess"), ("remove", "nb09-guess")]
    wrong = nb09.predict_used_mib(LimitedLab(), 1024)
    assert not wrong.ok and "size of a limit, not of a use" in wrong.hint
    (first, second) = tracking.load()
    assert (first["exercise"], first["ok"], second["ok"]) == ("predict-used", True, False)


def test_nb09_prediction_before_a_guess_or_without_limits_starts_nothing(progress_file):
    lab = LimitedLab()
    assert not nb09.predict_used_mib(lab, ...).ok and lab.calls == []
    lab = LimitedLab(limits=False)
    v = nb09.predict_used_mib(lab, 0.5)
    assert not v.ok and "cannot limit memory" in repr(v) and lab.calls == []


def test_nb09_prediction_reasons():
    assert "never negative" in nb09.compare_used_mib(-1, 0.45)[1]
    assert "less" in nb09.compare_used_mib(10, 0.45)[1]
    assert "more" in nb09.compare_used_mib(1, 10.0)[1]
    assert "size of a limit" in nb09.compare_used_mib(128, 0.45, limit_mib=256)[1]
    assert "predict a number" in nb09.compare_used_mib("0.5", 0.45)[1]


# --- the questions of lessons 04, 10, 11 and 12, on a stand-in lab -------------------------------------
class GuessLab:
    """What the questions call, recorded; ``fail`` names a call that raises, as an engine that cannot."""

    owner = "ann"

    def __init__(self, *, can=("build", "ports", "volumes"), fail="", output="", rebuilt=(), published=(),
                 pull_events=()):
        self.features, self.fail, self.calls = set(can), fail, []
        self.output, self.rebuilt, self.published = output, list(rebuilt), list(published)
        self.pull_events = pull_events
        self.engine = type("E", (), {"kind": "docker", "limitations": {}})()

    def can(self, feature):
        return feature in self.features

    def quietly(self, record=True):
        import contextlib

        return contextlib.nullcontext()

    def __getattr__(self, call):
        from types import SimpleNamespace

        from dockerlab import errors as E

        def do(*args, **kwargs):
            self.calls.append((call, args[0] if args else None))
            if call == self.fail:
                raise E.DockerLabError(f"{call} failed")
            if call == "pull":
                for ev in self.pull_events:
                    kwargs["progress"](ev)
            return {"build": SimpleNamespace(rebuilt=self.rebuilt), "port": self.published,
                    "run": SimpleNamespace(output=self.output)}.get(call)

        return do


def test_nb04_counts_the_layers_the_pull_downloaded(progress_file):
    from dockerlab.engine.progress import Progress

    up_to_date = [Progress("Pulling from library/alpine", "latest"), Progress("Status: Image is up to date")]
    assert nb04.predict_pull_layers(GuessLab(pull_events=up_to_date), 0).ok
    fresh = [Progress("Pulling from library/alpine", "latest"), Progress("Pulling fs layer", "a1"),
             Progress("Downloading", "a1", 1, 2), Progress("Pull complete", "a1"), Progress("Already exists", "b2")]
    v = nb04.predict_pull_layers(GuessLab(pull_events=fresh), 0)
    assert not v.ok and "the engine: 1" in repr(v) and "did not have alpine" in v.hint


def test_nb10_builds_twice_and_removes_both_images_even_when_a_build_fails(progress_file):
    lab = GuessLab()
    v = nb10.predict_rebuilt(lab, 0)
    assert v.ok and "CMD makes no layer" in repr(v)
    builds = [a for c, a in lab.calls if c == "build"]
    assert len(builds) == 2 and builds[0].replace(nb10.GUESS_CMDS[0], nb10.GUESS_CMDS[1]) == builds[1]
    assert [a for c, a in lab.calls if c == "remove_image"][-2:] == ["nb10-guess/cmd:v1", "nb10-guess/cmd:v2"]
    broken = GuessLab(fail="build")
    v = nb10.predict_rebuilt(broken, 0)
    assert not v.ok and "could not do the step" in repr(v)
    assert [a for c, a in broken.calls if c == "remove_image"][-2:] == ["nb10-guess/cmd:v1", "nb10-guess/cmd:v2"]


def test_nb11_runs_with_no_port_and_removes_the_container(progress_file):
    lab = GuessLab()
    v = nb11.predict_no_port(lab, "none")
    assert v.ok and "the engine: 'none'" in repr(v)
    assert ("run", "nginx") in lab.calls and lab.calls[-1] == ("remove", "nb11-guess")
    broken = GuessLab(fail="port")
    assert not nb11.predict_no_port(broken, "none").ok and broken.calls[-1] == ("remove", "nb11-guess")


def test_nb12_reads_which_file_the_new_container_found_and_leaves_nothing(progress_file, capsys):
    lab = GuessLab(output="ls: /notes.txt: No such file or directory\n/data/notes.txt\n")
    v = nb12.predict_kept(lab, {"volume"})
    assert v.ok and "the engine: 'volume'" in repr(v) and "/data/notes.txt" in capsys.readouterr().out
    assert lab.calls[-2:] == [("remove", "nb12-guess"), ("volume_remove", "nb12-guess")]
    both = nb12.predict_kept(GuessLab(output="/data/notes.txt\n/notes.txt\n"), "volume")
    assert not both.ok and "the engine: 'both'" in repr(both)
    broken = GuessLab(fail="run")
    assert not nb12.predict_kept(broken, "volume").ok
    assert broken.calls[-2:] == [("remove", "nb12-guess"), ("volume_remove", "nb12-guess")]


@pytest.mark.parametrize("question,feature,prediction", [
    (nb10.predict_rebuilt, "build", 0), (nb11.predict_no_port, "ports", "none"),
    (nb12.predict_kept, "volumes", "volume")])
def test_a_question_the_engine_cannot_do_starts_nothing(progress_file, question, feature, prediction):
    lab = GuessLab(can={"build", "ports", "volumes"} - {feature})
    v = question(lab, prediction)
    assert not v.ok and "could not do the step" in repr(v) and "not available" in repr(v)
    assert lab.calls == []


@pytest.mark.parametrize("question", [nb04.predict_pull_layers, nb10.predict_rebuilt, nb11.predict_no_port,
                                      nb12.predict_kept])
def test_the_placeholder_runs_nothing(progress_file, question):
    lab = GuessLab()
    v = question(lab, ...)
    assert not v.ok and not v.tried and lab.calls == [] and not progress_file.exists()


@pytest.mark.parametrize("key,compare,observed", [
    ("nb04.predict-pull", nb04.compare_pull_layers, 0), ("nb10.predict-cache", nb10.compare_rebuilt, 0),
    ("nb11.predict-no-port", nb11.compare_no_port, "none"), ("nb12.predict-kept", nb12.compare_kept, "volume")])
def test_the_solutions_prediction_is_what_this_engine_does(key, compare, observed):
    from dockerlab.exercises import SOLUTIONS

    first = (SOLUTIONS / f"{key}.txt").read_text().splitlines()[0]
    assert first.startswith("prediction = ") and compare(eval(first.split("=", 1)[1]), observed)[0]


def test_nb13_predict_rm_on_a_lab_refused_then_removed_with_force(progress_file, capsys):
    from dockerlab.lab import Lab

    from .fake_engine import FakeEngine

    eng = FakeEngine()
    lab = Lab(eng, owner="ann", session="s13", lesson="13-cleanup")
    assert not nb13.predict_rm(lab, ...).tried and eng.containers(all=True) == []  # nothing before a prediction
    v = nb13.predict_rm(lab, "refused")
    assert v.ok and "409" in repr(v) and "docker rm -f" in repr(v)
    w = nb13.predict_rm(lab, "removed")
    assert not w.ok and "-f is how you insist" in repr(w)
    assert eng.containers(all=True) == []  # the question removed what it made, both times
    out = capsys.readouterr().out
    assert "$ docker rm nb13-guess" in out and "$ docker rm -f nb13-guess" in out
