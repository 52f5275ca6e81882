"""The exercise checks of notebooks 06-13, with right AND wrong answers.

No engine: the checks that look at the engine get a small stand-in lab whose
methods return the Engine API's own shapes (canned ``docker inspect`` JSON).
"""
from __future__ import annotations

import pandas as pd
import pytest

from dockerlab import errors as E
from dockerlab.exercises import SOLUTIONS, Verdict, nb06, nb07, nb08, nb09, nb13, show_solution
from dockerlab.lab import Container

from .checker_rows import Engine


def inspect_json(name, state="running", image="alpine", exit_code=0, nano_cpus=0, memory=0):
    return {"Id": "f" * 64, "Name": "/" + name,
            "Config": {"Image": image, "Labels": {"org.dockerlab.managed": "true"}},
            "State": {"Status": state, "ExitCode": exit_code, "OOMKilled": False},
            "HostConfig": {"NanoCpus": nano_cpus, "Memory": memory}}


class FakeEngine(Engine):
    """The tables' stand-in (checker_tables.Engine), given containers as a list of inspect JSON."""

    def __init__(self, containers=(), images=None):
        super().__init__(containers={d["Name"].lstrip("/"): d for d in containers}, images=images)
        self.untagged = []

    def remove_image(self, ref):
        self.inspect_image(ref)
        super().remove_image(ref)
        self.untagged.append(ref)


class FakeLab:
    """Just what the checks use: container() and engine."""

    def __init__(self, *containers, images=None):
        self.engine = FakeEngine(containers, images)

    def container(self, ref):
        return Container.from_inspect(self.engine.inspect_container(ref))

    def remove(self, name, force=False):  # the retry rule: a wrong try's container goes
        self.engine.inspect_container(name)
        self.engine.c.pop(name)


def ok(v):
    assert isinstance(v, Verdict) and v.ok, repr(v)
    return v


def bad(v, *words):
    assert isinstance(v, Verdict) and not v.ok, repr(v)
    text = repr(v).lower()
    for w in words:
        assert w.lower() in text, f"{w!r} not in {text!r}"
    assert "not yet" in text
    return v


# --- 06 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["docker ps -a", "docker ps --all", "$ sudo docker ps -a", "docker container ls -a",
                                    "docker ps -aq", "docker container ps -a", "docker container list --all",
                                    "docker ps -qa", "docker ps -a --no-trunc", "docker ps --all=true"])
def test_nb06_ps_all_right(answer):
    ok(nb06.check_ps_all(answer))


@pytest.mark.parametrize("answer,words", [
    ("docker ps - a", ["accepts no arguments", "-a"]),
    # -all and -al are read as -a -l (-l: the last container only), as pflag reads one-letter flags
    ("docker ps -all", ["-l", "last container"]),
    ("docker ps -al", ["-l", "last container"]),
    ("docker ps -a foo", ["accepts no arguments"]),
    ("docker ps -a -n 2", ["last 2"]),
    ("docker ps -a --filter status=exited", ["only some"]),
    ("docker ps -x", ["unknown shorthand flag: 'x' in -x"]),
    ("docker container rm -a", ["unknown shorthand flag: 'a' in -a"]),  # rm has no -a: the CLI stops first
    ("docker ps", ["only the running"]),
    ("docker images", ["does not list containers"]),
    ("ps -a", ["not a docker command"]),
    ("docker ps -q", ["without -a"]),
    (..., ["no answer yet"]),
    (42, ["string"]),
])
def test_nb06_ps_all_wrong(answer, words):
    bad(nb06.check_ps_all(answer), *words)


def test_nb06_stopped():
    ok(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "exited", exit_code=137)), "nb06-ex"))
    ok(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "exited", exit_code=143)), "nb06-ex"))
    ok(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "exited", image="alpine:latest", exit_code=137)), "nb06-ex"))
    # a `true` that merely exited was never stopped
    bad(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "exited", exit_code=0)), "nb06-ex"), "exited by itself")
    bad(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "exited", exit_code=1)), "nb06-ex"), "exit code 1")
    # busybox is not alpine
    busy = FakeLab(inspect_json("nb06-ex", "exited", image="busybox", exit_code=137))
    bad(nb06.check_stopped(busy, "nb06-ex"), "busybox", "alpine", "the check removed nb06-ex, so you can try again")
    assert "nb06-ex" not in busy.engine.c  # the name is free for the next try
    running = FakeLab(inspect_json("nb06-ex", "running"))
    nb06.check_stopped(running, "nb06-ex")
    assert "nb06-ex" in running.engine.c  # on its way to right: kept
    bad(nb06.check_stopped(FakeLab(), "nb06-ex"), "no container named")
    bad(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "running")), "nb06-ex"), "still running", "lab.stop")
    bad(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "paused")), "nb06-ex"), "paused", "unpause")
    bad(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "created")), "nb06-ex"), "never started")
    bad(nb06.check_stopped(FakeLab(inspect_json("nb06-ex", "exited", image="ubuntu")), "nb06-ex"), "alpine")


def test_nb06_states():
    ok(nb06.check_states(["created", "running", "paused", "running", "exited"]))
    ok(nb06.check_states(("Created", "RUNNING", "paused", "running", "exited")))
    bad(nb06.check_states(["created", "running", "paused", "running", "stopped"]), "exited")
    bad(nb06.check_states(["created", "running", "exited"]), "five")
    bad(nb06.check_states(["running", "running", "paused", "running", "exited"]), "after create")
    bad(nb06.check_states("created running paused running exited"), "list")
    bad(nb06.check_states(...), "no answer yet")


# --- 07 ------------------------------------------------------------------------------------------
def test_nb07_cpu_percent():
    ok(nb07.check_cpu_percent(50))
    ok(nb07.check_cpu_percent(50.2))
    bad(nb07.check_cpu_percent(25), "whole machine", "online_cpus")
    bad(nb07.check_cpu_percent(0.5), "percentage")
    bad(nb07.check_cpu_percent(0.25), "fraction")
    bad(nb07.check_cpu_percent(100), "not what the formula gives")
    bad(nb07.check_cpu_percent("50"), "number")
    bad(nb07.check_cpu_percent(True), "number")
    bad(nb07.check_cpu_percent(...), "no answer yet")


def test_nb07_limits():
    right = inspect_json("nb07-ex", nano_cpus=250_000_000, memory=32 * 2**20)
    ok(nb07.check_limits(FakeLab(right), "nb07-ex"))
    bad(nb07.check_limits(FakeLab(), "nb07-ex"), "no container named")
    bad(nb07.check_limits(FakeLab(inspect_json("nb07-ex", memory=32 * 2**20)), "nb07-ex"), "no CPU limit")
    bad(nb07.check_limits(FakeLab(inspect_json("nb07-ex", nano_cpus=500_000_000, memory=32 * 2**20)), "nb07-ex"),
        "0.5 CPUs")
    bad(nb07.check_limits(FakeLab(inspect_json("nb07-ex", nano_cpus=250_000_000, memory=512 * 2**20)), "nb07-ex"),
        "512 MiB", '"32m"')
    bad(nb07.check_limits(FakeLab(inspect_json("nb07-ex", nano_cpus=250_000_000)), "nb07-ex"), "no limit")
    bad(nb07.check_limits(FakeLab(inspect_json("nb07-ex", "exited", nano_cpus=250_000_000, memory=32 * 2**20)),
                          "nb07-ex"), "not running")


# --- 08 ------------------------------------------------------------------------------------------
IMAGES = pd.DataFrame({"REPOSITORY": ["alpine", "busybox", "hello-world", "ubuntu"], "TAG": ["latest"] * 4,
                       "SIZE (MB)": [1.98, 1.98, 1.98, 4.33]})


def test_nb08_largest():
    ok(nb08.check_largest("ubuntu", IMAGES))
    ok(nb08.check_largest("ubuntu:latest", IMAGES))
    bad(nb08.check_largest("alpine", IMAGES), "1.98 MB", "larger")
    bad(nb08.check_largest("debian", IMAGES), "no repository", "ubuntu")
    bad(nb08.check_largest(4.33, IMAGES), "repository name")
    bad(nb08.check_largest(..., IMAGES), "no answer yet")
    bad(nb08.check_largest("ubuntu", IMAGES.iloc[0:0]), "empty")
    # the truth comes from the table given, not from a fixed name
    ok(nb08.check_largest("alpine", IMAGES.assign(**{"SIZE (MB)": [7.8, 4.3, 0.01, 5.0]})))


def test_nb08_tag():
    busy = {"Id": "sha256:" + "b" * 64, "RepoTags": ["busybox:latest", "nb08-ex/busybox:v1"]}
    alp = {"Id": "sha256:" + "a" * 64, "RepoTags": ["alpine:latest", "nb08-ex/busybox:v1"]}
    ok(nb08.check_tag(FakeLab(images={"busybox:latest": busy, "nb08-ex/busybox:v1": busy})))
    bad(nb08.check_tag(FakeLab(images={"busybox:latest": busy})), "no image", "lab.tag")
    wrong = FakeLab(images={"busybox:latest": busy, "nb08-ex/busybox:v1": alp})
    bad(nb08.check_tag(wrong), "not the busybox image", "alpine:latest", "the check removed nb08-ex/busybox:v1")
    assert wrong.engine.untagged == ["nb08-ex/busybox:v1"]  # a wrong try leaves nothing behind
    typo = FakeLab(images={"busybox:latest": busy, "nb08-ex/busybox:v2": busy})
    bad(nb08.check_tag(typo), "no image 'nb08-ex/busybox:v1', but nb08-ex/busybox:v2", "exactly")
    assert typo.engine.untagged == ["nb08-ex/busybox:v2"]
    bad(nb08.check_tag(FakeLab(images={"nb08-ex/busybox:v1": alp})), "no 'busybox' image")


# --- 09 ------------------------------------------------------------------------------------------
TIMES = [0.30, 0.31, 0.32, 0.33, 0.34, 0.35, 0.36, 0.37, 0.38, 2.00]  # one slow run


def test_nb09_median():
    ok(nb09.check_median_ms(345, TIMES))
    ok(nb09.check_median_ms(346.5, TIMES))
    bad(nb09.check_median_ms(0.345, TIMES), "seconds", "1000")
    bad(nb09.check_median_ms(506, TIMES), "mean", "middle value")
    bad(nb09.check_median_ms(300, TIMES), "not the median")
    bad(nb09.check_median_ms("345", TIMES), "number")
    bad(nb09.check_median_ms(345, []), "no measured times")
    bad(nb09.check_median_ms(..., TIMES), "no answer yet")


def test_nb09_kernel():
    ok(nb09.check_kernel("6.1.0-13-amd64", engine_release="6.1.0-13-amd64"))
    ok(nb09.check_kernel("6.1.0-13-amd64\n", engine_release="6.1.0-13-amd64"))
    bad(nb09.check_kernel("ubuntu 24.04", engine_release="6.1.0-13-amd64"), "not a kernel release")
    bad(nb09.check_kernel("5.15.0-1", engine_release="6.1.0-13-amd64"), "not the release")
    bad(nb09.check_kernel(..., engine_release="6.1.0-13-amd64"), "no answer yet", "ubuntu")
    bad(nb09.check_kernel("6.1.0-13-amd64"), "needs the lab")


class InfoLab:
    """An engine elsewhere (Docker Desktop's VM, a remote host): its kernel is not the notebook's."""

    class engine:
        @staticmethod
        def info():
            return {"KernelVersion": "6.10.14-linuxkit"}


def test_nb09_kernel_is_the_engines_not_the_notebooks():
    import platform

    ok(nb09.check_kernel("6.10.14-linuxkit", InfoLab()))
    if platform.release() != "6.10.14-linuxkit":
        bad(nb09.check_kernel(platform.release(), InfoLab()), "not the release")


def test_nb09_kernel_question_hint_and_solution_agree():
    """Exercise 2 asks about ubuntu: its hint and its solution use ubuntu too."""
    from pathlib import Path

    assert "ubuntu" in nb09.check_kernel(..., InfoLab()).hint
    assert "'ubuntu'" in nb09.check_kernel("1.2.3", InfoLab()).hint
    sol = (SOLUTIONS / "nb09.kernel.txt").read_text()
    assert "ubuntu" in sol and "alpine" not in sol
    nb = Path(__file__).parents[2] / "notebooks" / "09-containers-vs-vms.ipynb"
    assert "a container from `ubuntu` report" in nb.read_text()


# --- 10 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    "docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner=alice)",
    "sudo docker rm -f $(docker ps -a -q --filter label=org.dockerlab.owner=alice)",
    "docker rm --force $(docker ps --all --quiet --filter label=org.dockerlab.session=abc123)",
    "docker rm -f $(docker ps -aq -f label=org.dockerlab.owner=bob)",
])
def test_nb13_safe_command_right(answer):
    ok(nb13.check_safe_command(answer))


@pytest.mark.parametrize("answer,words", [
    ("docker rm -f $(docker ps -aq)", ["every container"]),
    ("docker rm -f $(docker ps -q --filter label=org.dockerlab.owner=a)", ["-a"]),
    ("docker rm -f $(docker ps -a --filter label=org.dockerlab.owner=a)", ["-q"]),
    ("docker rm $(docker ps -aq --filter label=org.dockerlab.owner=a)", ["forced"]),
    ("docker rm -f $(docker ps -aq --filter label=team=a)", ["kit's owner label"]),
    # every learner's containers: the very mistake the exercise is about
    ("docker rm -f $(docker ps -aq --filter label=org.dockerlab.managed=true)", ["every learner", "owner=YOU"]),
    # a label with no value: every container that has an owner
    ("docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner)", ["no value", "owner=YOU"]),
    ("docker rm -f $(docker ps -aq --filter label=org.dockerlab.session)", ["no value"]),
    ("docker kill $(docker ps -q)", ["docker rm"]),
    (..., ["no answer yet"]),
])
def test_nb13_safe_command_wrong(answer, words):
    bad(nb13.check_safe_command(answer), *words)


def test_nb13_prune():
    keep = inspect_json("nb13-ex-keep", "running")
    ok(nb13.check_prune(FakeLab(keep)))
    untouched = bad(nb13.check_prune(FakeLab(keep, inspect_json("nb13-ex-1", "exited"),
                                             inspect_json("nb13-ex-2", "exited"))), "nb13-ex-1, nb13-ex-2")
    assert not untouched.tried  # as the setup cell left them: the placeholder, not a try
    bad(nb13.check_prune(FakeLab(keep, inspect_json("nb13-ex-2", "exited"))), "still there: nb13-ex-2")
    bad(nb13.check_prune(FakeLab()), "nb13-ex-keep is gone")
    cleaned = FakeLab()
    cleaned.cleaned = {"nb13-ex-1", "nb13-ex-2", "nb13-ex-keep"}  # the cleanup cell ran (Run All)
    bad(nb13.check_prune(cleaned), "the cleanup cell removed", "setup cell again")
    bad(nb13.check_prune(FakeLab(inspect_json("nb13-ex-keep", "exited"))), "should still be running")


# --- solutions --------------------------------------------------------------------------------------
KEYS = [nb06.PS_ALL, nb06.STOPPED, nb06.STATES, nb07.CPU, nb07.LIMITS, nb08.LARGEST, nb08.TAG,
        nb09.MEDIAN, nb09.KERNEL, nb09.PREDICT_USED, nb13.SAFE, nb13.PRUNE]


@pytest.mark.parametrize("key", KEYS)
def test_every_exercise_has_a_solution(key, capsys):
    assert (SOLUTIONS / f"{key}.txt").exists()
    show_solution(key)
    assert capsys.readouterr().out.strip()


def test_the_solutions_answers_pass():
    """The literal answers in the solution files are right (the ones that need no engine)."""
    import statistics  # noqa: F401  (the median solution uses it)

    assert nb06.check_ps_all("docker ps -a")
    assert nb06.check_states(["created", "running", "paused", "running", "exited"])
    assert nb07.check_cpu_percent(500_000_000 / 2_000_000_000 * 2 * 100)
    assert nb09.compare_used_mib(0.5, 0.45)[0] and "prediction = 0.5" in (SOLUTIONS / "nb09.predict-used.txt").read_text()
    assert nb13.check_safe_command("docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner=YOU)")
    assert "accepts no arguments" in (SOLUTIONS / "nb06.ps-all.txt").read_text()


def test_one_retry_rule_a_wrong_container_is_removed_and_the_verdict_says_so():
    wrong = FakeLab(inspect_json("nb07-ex", "running", nano_cpus=500_000_000, memory=32 * 2**20))
    v = nb07.check_limits(wrong, "nb07-ex")
    assert not v.ok and "The check removed nb07-ex, so you can try again with the same name" in repr(v)
    assert "nb07-ex" not in wrong.engine.c
    right = FakeLab(inspect_json("nb07-ex", "running", nano_cpus=250_000_000, memory=32 * 2**20))
    assert nb07.check_limits(right, "nb07-ex").ok and "nb07-ex" in right.engine.c  # a right one stays
