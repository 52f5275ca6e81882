"""The exercise checks of lessons 10-12, with right AND wrong answers (no engine)."""
from __future__ import annotations

import pytest

from dockerlab import errors as E
from dockerlab.exercises import SOLUTIONS, nb10, nb11, nb12
from dockerlab.lab.build import BuildResult

OUTPUT = """Step 1/4 : FROM alpine
 ---> 1
Step 2/4 : RUN echo "built with dockerlab" > /etc/motd
 ---> Using cache
 ---> 2
Step 3/4 : COPY hello.sh /usr/local/bin/hello
 ---> 3
Step 4/4 : RUN chmod +x /usr/local/bin/hello
 ---> Running in 4
"""


def test_first_rebuilt_step():
    changed = BuildResult("nb10/hello:v2", "sha256:x", OUTPUT)
    assert nb10.check_first_rebuilt("COPY hello.sh /usr/local/bin/hello", changed)
    assert nb10.check_first_rebuilt("COPY  hello.sh   /usr/local/bin/hello", changed)  # spacing does not matter
    wrong = nb10.check_first_rebuilt("RUN chmod +x /usr/local/bin/hello", changed)
    assert not wrong and "not the first" in wrong.reason
    assert "not a step" in nb10.check_first_rebuilt("COPY x /y", changed).reason
    assert not nb10.check_first_rebuilt(..., changed) and not nb10.check_first_rebuilt(3, changed)
    assert not nb10.check_first_rebuilt("FROM alpine", None)


class _Lab:
    def __init__(self, features, inspect=None, containers=()):
        self.features, self._inspect, self._containers = features, inspect or {}, list(containers)
        self.owner, self.show_cli = "ana", False
        self.engine = self

    def can(self, f):
        return f in self.features

    def inspect_container(self, ref):
        if ref not in self._inspect:
            raise E.ContainerNotFound(f"No such container: {ref}", container=ref)
        return self._inspect[ref]

    def inspect_volume(self, name):
        raise E.VolumeNotFound(f"No such volume: {name}", volume=name)

    def remove(self, name, force=False):  # the retry rule: a wrong try's container goes
        self.inspect_container(name)
        del self._inspect[name]


def _web(host_port):
    return {"State": {"Status": "running"},
            "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(host_port)}]}}}


def test_which_port():
    lab = _Lab({"ports"}, {"nb11-web2": _web(8081)})
    assert nb11.check_which_port(8081, lab) and nb11.check_which_port("8081", lab)
    assert "inside the container" in nb11.check_which_port(80, lab).reason
    assert not nb11.check_which_port(8080, lab) and not nb11.check_which_port(..., lab)
    assert not nb11.check_which_port(True, lab)


def test_publish_checks_the_mapping_without_an_engine_call_when_wrong():
    assert "cannot publish" in nb11.check_publish(_Lab(set())).reason
    assert "no container" in nb11.check_publish(_Lab({"ports"})).reason
    wrong = nb11.check_publish(_Lab({"ports"}, {"nb11-ex": _web(8080)}), "nb11-ex", 8090)
    assert not wrong and "not on port 8090" in wrong.reason


def test_survives_and_kept():
    assert nb12.check_survives({"volume", "bind"}) and nb12.check_survives(["Bind", "volume"])
    assert "deleted by docker rm" in nb12.check_survives({"layer", "volume", "bind"}).reason
    assert "bind survives" in nb12.check_survives({"volume"}).reason
    assert not nb12.check_survives({"disk"}) and not nb12.check_survives(...)
    assert "no named volumes" in nb12.check_kept(_Lab(set())).reason
    assert "no volume 'nb12-ex'" in nb12.check_kept(_Lab({"volumes"})).reason


def test_build_check_on_an_engine_without_a_builder():
    assert "cannot build" in nb10.check_build(_Lab(set())).reason


@pytest.mark.parametrize("key", ["nb10.first-rebuilt", "nb10.build", "nb10.predict-cache", "nb11.publish",
                                 "nb11.which-port", "nb11.predict-no-port", "nb12.kept", "nb12.survives",
                                 "nb12.predict-kept"])
def test_every_exercise_has_a_solution(key):
    assert (SOLUTIONS / f"{key}.txt").is_file()


def test_the_predict_question_shows_the_dockerfile_it_builds():
    """Exercise 3's text shows the Dockerfile nb10.predict_rebuilt builds, and the CMD it changes to."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[2] / "notebooks" / "10-build-an-image.ipynb").read_text())
    text = next("".join(c["source"]) for c in nb["cells"] if c.get("id") == "predict-then-run")
    assert nb10.GUESS_DOCKERFILE.format(cmd=nb10.GUESS_CMDS[0]) in text
    assert f"CMD {nb10.GUESS_CMDS[1]}" in text
