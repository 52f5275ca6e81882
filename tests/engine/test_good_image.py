"""Lesson 15 on a real engine: lab.build's build_args=, target= and secrets=, the layers a later `RUN rm`
leaves, a multi-stage image smaller than its build stage, USER. Every image made here is removed; tests
that need BuildKit skip, with the reason, where the kit builds with the classic builder."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import dockerlab
from dockerlab import errors as E
from dockerlab.lab import Lab
from tests.conftest import reap
from tests.engine.raw import raw

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """The learner's folder: the working folder when the lab connects (a folder secrets may come from)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def lab15(engine_lab, here, request):
    """A lab connected in ``here``, with a session and an owner of its own; its containers and the
    images named in ``lab15.made`` are removed afterwards."""
    session = "t" + uuid.uuid4().hex[:11]
    the_lab = Lab(engine_lab.engine, lesson=f"test:{request.node.name[:40]}", session=session,
                  owner=f"tester-{session}", show_cli=True)
    the_lab.made = []
    yield the_lab
    reap(raw(engine_lab), session)
    for ref in the_lab.made:
        try:
            engine_lab.engine.remove_image(ref, force=True)
        except E.DockerLabError:
            pass


def _tag(lab, name: str) -> str:
    tag = f"nb15-test/{name}-{uuid.uuid4().hex[:6]}:v1"
    lab.made.append(tag)
    return tag


def _buildkit(lab):
    if lab.builder != "buildkit":
        pytest.skip(f"build secrets need BuildKit; this kit builds with the {lab.builder or 'no'} builder here")


STAGES = """\
FROM alpine AS base
ARG WORD=default
RUN echo "$WORD" > /word.txt
FROM base AS extra
RUN echo "the last stage" > /last.txt
"""


def test_build_args_and_target_reach_the_builder(lab15, capsys):
    tag = _tag(lab15, "args")
    lab15.build(STAGES, tag=tag, build_args={"WORD": "bonjour"}, target="base")
    twin = [line for line in capsys.readouterr().out.splitlines() if line.startswith("$ docker build")][0]
    assert "--build-arg WORD=bonjour --target base " in twin
    assert lab15.run(tag, "cat /word.txt", rm=True).output == "bonjour\n"
    assert lab15.run(tag, "ls /last.txt", rm=True).exit_code != 0  # the stage after the target was not built
    history = " ".join(lab15.image_history(tag)["CREATED BY"])
    assert "WORD=bonjour" in history  # why a secret is never a build arg: docker history shows it


def test_a_secret_is_read_by_its_step_and_kept_out_of_every_layer(lab15, here, capsys):
    _buildkit(lab15)
    value = f"nb15-engine-secret-{uuid.uuid4().hex[:8]}"
    (here / "token.txt").write_text(value + "\n")
    tag = _tag(lab15, "secret")
    dockerfile = ("FROM alpine\nRUN --mount=type=secret,id=token wc -c < /run/secrets/token > /token-length"
                  " && cat /run/secrets/token\n")  # a step that echoes it: the kit masks what it prints
    res = lab15.build(dockerfile, tag=tag, secrets={"token": "token.txt"}, nocache=True)
    printed = capsys.readouterr().out
    assert "--secret id=token,src=token.txt" in printed and value not in printed and value not in res.output
    assert "****" in printed
    assert lab15.run(tag, "cat /token-length", rm=True).output.strip() == str(len(value) + 1)
    assert lab15.layers_holding(tag, value).empty
    assert value not in " ".join(r.get("CreatedBy") or "" for r in lab15.engine.history(tag))
    assert value not in capsys.readouterr().out


def test_a_copied_secret_stays_in_its_layer_after_a_later_rm(lab15, here):
    value = f"nb15-leak-{uuid.uuid4().hex[:8]}"
    (here / "Dockerfile").write_text("FROM alpine\nCOPY token.txt /tmp/token.txt\nRUN rm /tmp/token.txt\n")
    (here / "token.txt").write_text(value + "\n")
    tag = _tag(lab15, "leaky")
    lab15.build(str(here), tag=tag)
    assert lab15.run(tag, "cat /tmp/token.txt", rm=True).exit_code != 0  # the container does not see it
    layers = lab15.find_in_layers(tag, "/tmp/token.txt")
    written = layers[layers["FILE"] == "written"]
    assert len(written) == 1 and written["TEXT"].iloc[0] == value + "\n"
    assert layers["FILE"].tolist()[-1] == "deleted" and "COPY token.txt" in written["CREATED BY"].iloc[0]
    assert lab15.layers_holding(tag, value)["FILE"].tolist() == ["/tmp/token.txt"]


def test_the_lessons_multi_stage_image_is_smaller_than_its_build_stage(lab15):
    fat, small = _tag(lab15, "build-stage"), _tag(lab15, "final")
    lab15.build(str(NOTEBOOKS / "nb15-multistage"), tag=fat, target="build", quiet=True)
    lab15.build(str(NOTEBOOKS / "nb15-multistage"), tag=small, build_args={"VERSION": "2.0"}, quiet=True)
    sizes = {t: lab15.engine.inspect_image(t)["Size"] for t in (fat, small)}
    assert sizes[small] * 10 < sizes[fat], sizes
    assert "version 2.0" in lab15.run(small, rm=True).output
    assert "version 1.0" in lab15.run(fat, "/out/hello", rm=True).output


def test_the_lessons_user_image_does_not_run_as_root(lab15):
    tag = _tag(lab15, "user")
    lab15.build(str(NOTEBOOKS / "nb15-user"), tag=tag, quiet=True)
    assert lab15.engine.inspect_image(tag)["Config"]["User"] == "app"
    assert lab15.run(tag, "id -u", rm=True).output.strip() == "1000"


def test_a_secret_outside_the_learners_folders_is_refused_and_not_shown(lab15, tmp_path_factory, capsys):
    outside = tmp_path_factory.mktemp("not-mine") / "key.txt"
    value = f"nb15-outside-{uuid.uuid4().hex[:8]}"
    outside.write_text(value)
    for src in (str(outside), "/etc/hostname"):
        with pytest.raises((E.GuardRefused, E.NotAvailableOnEngine)) as ei:
            lab15.build("FROM alpine\n", tag=_tag(lab15, "refused"), secrets={"token": src})
        assert value not in str(ei.value) and "nothing was built" in str(ei.value).lower()
    assert value not in capsys.readouterr().out and not [t for t in lab15.made if lab15._has_image(t)]


def test_the_classic_builder_takes_build_args_and_target_and_refuses_secrets(engine_lab, here, monkeypatch, capsys):
    monkeypatch.setenv("DOCKERLAB_BUILDER", "classic")
    lab = dockerlab.connect(show_cli=True)
    lab.made = []
    try:
        assert lab.builder == "classic"
        tag = _tag(lab, "classic")
        (here / "token.txt").write_text("nb15-classic-secret\n")
        with pytest.raises(E.NotAvailableOnEngine) as ei:
            lab.build(STAGES, tag=tag, secrets={"token": "token.txt"})
        assert "BuildKit" in ei.value.what and "runtime variable" in ei.value.hint
        assert "$ docker build" not in capsys.readouterr().out  # refused before its twin
        lab.build(STAGES, tag=tag, build_args={"WORD": "hallo"}, target="base", quiet=True)
        assert lab.run(tag, "cat /word.txt", rm=True).output == "hallo\n"
    finally:
        for ref in lab.made:
            try:
                lab.engine.remove_image(ref, force=True)
            except E.DockerLabError:
                pass
        lab.close()
