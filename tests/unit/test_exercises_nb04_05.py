"""The checks of notebooks 04 and 05, with right AND wrong answers (a small fake engine, no Docker)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from dockerlab import errors as E
from dockerlab.exercises import SOLUTIONS, Verdict, nb04, nb05, show_solution


class FakeEngine:
    def __init__(self, images=None, containers=None, mirrors=("http://127.0.0.1:5000/",)):
        self.images = images or {}
        self.containers = containers or {}
        self.mirrors = list(mirrors)

    def inspect_image(self, ref):
        if ref not in self.images:
            raise E.ImageNotFound(f"No such image: {ref}", image=ref)
        return {"Id": self.images[ref]}

    def inspect_container(self, ref):
        if ref not in self.containers:
            raise E.ContainerNotFound(f"No such container: {ref}", container=ref)
        return self.containers[ref]

    def info(self):
        return {"RegistryConfig": {"Mirrors": self.mirrors}}


def fake_lab(**kw):
    engine = FakeEngine(**kw)

    def remove(name, force=False):
        engine.removed = getattr(engine, "removed", []) + [name]

    return SimpleNamespace(engine=engine, remove=remove)


def image(ref, id_="sha256:1"):
    return SimpleNamespace(ref=ref, id=id_, size=1)


def ok(v):
    assert isinstance(v, Verdict) and v.ok, repr(v)
    assert repr(v).startswith("✓")


def bad(v, *words):
    assert isinstance(v, Verdict) and not v.ok, repr(v)
    text = repr(v)
    assert text.startswith("✗") and v.reason and v.hint, text
    for w in words:
        assert w in text, f"{w!r} not in {text!r}"
    return v


# --- nb04 -----------------------------------------------------------------------------
def test_pull_right():
    lab = fake_lab(images={"busybox:latest": "sha256:1"})
    ok(nb04.check_pull(image("busybox:latest"), lab))
    ok(nb04.check_pull(image("busybox:latest")))  # without a lab: the shape only


@pytest.mark.parametrize("answer,words", [
    (..., ["no answer yet"]),
    ("busybox", ["str"]),
    (None, ["NoneType"]),
    (image("alpine:latest"), ["alpine"]),
    (image("busybox:1.36"), ["'1.36'", "default tag"]),
])
def test_pull_wrong(answer, words):
    bad(nb04.check_pull(answer, fake_lab(images={"busybox:latest": "sha256:1"})), *words)


def test_pull_but_image_gone_or_changed():
    bad(nb04.check_pull(image("busybox:latest"), fake_lab()), "has no busybox:latest")
    bad(nb04.check_pull(image("busybox:latest", "sha256:old"), fake_lab(images={"busybox:latest": "sha256:new"})),
        "changed")


@pytest.mark.parametrize("answer", ["ubuntu:latest", "docker.io/library/ubuntu:latest", " ubuntu:latest "])
def test_default_tag_right(answer):
    ok(nb04.check_default_tag(answer))


@pytest.mark.parametrize("answer,words", [
    (..., ["no answer"]), ("ubuntu", ["no tag"]), ("ubuntu:24.04", ["'24.04'"]), ("alpine:latest", ["not ubuntu"]),
    ("Ubuntu:latest", ["not a valid"]), (42, ["int"]),
])
def test_default_tag_wrong(answer, words):
    bad(nb04.check_default_tag(answer), *words)


def test_mirror():
    lab = fake_lab()
    ok(nb04.check_mirror("http://127.0.0.1:5000/", lab))
    ok(nb04.check_mirror("http://127.0.0.1:5000", lab))
    ok(nb04.check_mirror("127.0.0.1:5000", lab))          # the bare address, as `docker info` users write it
    ok(nb04.check_mirror(" 127.0.0.1:5000/ ", lab))
    bad(nb04.check_mirror("127.0.0.1:5001", lab), "not a mirror")
    bad(nb04.check_mirror("127.0.0.1", lab), "not a mirror")
    bad(nb04.check_mirror("https://registry-1.docker.io", lab), "not a mirror")
    bad(nb04.check_mirror(["http://127.0.0.1:5000/"], lab), "list")
    bad(nb04.check_mirror(..., lab), "no answer")
    ok(nb04.check_mirror(None, fake_lab(mirrors=())))
    bad(nb04.check_mirror("http://127.0.0.1:5000/", fake_lab(mirrors=())), "no registry mirror")


# --- nb05 -----------------------------------------------------------------------------
def test_alpine_shell():
    ok(nb05.check_alpine_shell("/bin/sh"))
    ok(nb05.check_alpine_shell("/bin/ash"))               # alpine has it: BusyBox's ash, the same as /bin/sh
    bad(nb05.check_alpine_shell("ash"), "path")
    bad(nb05.check_alpine_shell("/bin/bash"), "alpine has no bash")
    bad(nb05.check_alpine_shell("sh"), "path")
    bad(nb05.check_alpine_shell("/usr/bin/zsh"), "/usr/bin/zsh")
    bad(nb05.check_alpine_shell(...), "no answer")
    bad(nb05.check_alpine_shell(None), "NoneType")


@pytest.mark.parametrize("answer", [
    "docker run --name our_container -it ubuntu /bin/bash",
    "sudo docker run --name our_container -it ubuntu /bin/bash",
    "docker run -it --name our_container ubuntu /bin/bash",
    "docker run -i -t --name=our_container ubuntu:latest /bin/bash",
])
def test_fixed_command_right(answer):
    ok(nb05.check_fixed_command(answer))


@pytest.mark.parametrize("answer,words", [
    ("docker run \u2013-name our_container -it ubuntu /bin/bash", ["U+2013", "--name"]),
    ("docker run --name other -it ubuntu /bin/bash", ["'other'"]),
    ("docker run -it ubuntu /bin/bash", ["no --name"]),
    ("docker run --name our_container ubuntu /bin/bash", ["-it"]),
    ("docker run --name our_container -it alpine /bin/bash", ["alpine"]),
    ("docker run --name our_container -it ubuntu /bin/sh", ["/bin/sh"]),
    ("docker run --name our_container -it", ["requires at least 1 argument"]),  # the CLI's words
    ("run --name our_container -it ubuntu /bin/bash", ["start with docker"]),
    ("docker run --name 'our_container -it ubuntu /bin/bash", ["quote"]),
    (..., ["no answer"]),
])
def test_fixed_command_wrong(answer, words):
    bad(nb05.check_fixed_command(answer), *words)


def container(image="ubuntu", cmd=("/bin/bash",), stdin=True, tty=True, status="running"):
    return {"Config": {"Image": image, "Cmd": list(cmd), "OpenStdin": stdin, "Tty": tty}, "State": {"Status": status}}


def test_named_shell_right():
    ok(nb05.check_named_shell(fake_lab(containers={"nb05-mine": container()}), "nb05-mine"))


@pytest.mark.parametrize("c,words", [
    (None, ["no container named"]),
    (container(image="alpine"), ["alpine"]),
    (container(cmd=("sleep", "9")), ["sleep 9"]),
    (container(stdin=False, tty=False), ["without -it"]),
    (container(status="exited"), ["exited"]),
])
def test_named_shell_wrong(c, words):
    lab = fake_lab(containers={"nb05-mine": c} if c else {})
    v = bad(nb05.check_named_shell(lab, "nb05-mine"), *words)
    # a wrong container is removed by the check, so the right answer can reuse the name
    wrong_kind = c is not None and c["State"]["Status"] == "running"
    assert getattr(lab.engine, "removed", []) == (["nb05-mine"] if wrong_kind else [])
    assert ("The check removed nb05-mine" in repr(v)) == wrong_kind


def test_checks_never_raise_on_junk():
    for junk in (object(), 3.5, b"bytes", ["x"], {"a": 1}, "", "   "):
        for v in (nb04.check_pull(junk), nb04.check_default_tag(junk), nb05.check_alpine_shell(junk),
                  nb05.check_fixed_command(junk)):
            assert isinstance(v, Verdict) and not v.ok


def test_solutions_exist_and_pass(capsys):
    """Each exercise has a solution file, and the pure ones' answers pass their checks."""
    names = sorted(p.stem for p in SOLUTIONS.glob("nb0[45].*.txt"))
    assert names == ["nb04.default-tag", "nb04.mirror", "nb04.predict-pull", "nb04.pull", "nb05.alpine-shell",
                     "nb05.fix-dash", "nb05.named-shell", "nb05.terminal-detach", "nb05.terminal-exit"]
    for key, check in [("nb04.default-tag", nb04.check_default_tag), ("nb05.alpine-shell", nb05.check_alpine_shell),
                       ("nb05.fix-dash", nb05.check_fixed_command)]:
        show_solution(key)
        text = capsys.readouterr().out
        line = next(l for l in text.splitlines() if l.startswith("answer = "))
        ok(check(eval(line.split("=", 1)[1])))
