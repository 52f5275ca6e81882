"""Lesson 15's lab API without an engine: lab.build's --build-arg, --target and --secret (twins, checks,
refusals, a secret's text never printed), and reading layers from `docker save` archives (both layouts)."""
from __future__ import annotations

import gzip
import io
import json
import os
import tarfile

import pytest

from dockerlab import buildopts, errors as E
from dockerlab.engine import archives, contract
from dockerlab.lab import Lab

from .fake_engine import BuildingFakeEngine

SECRET = "nb15-unit-secret-value-42"
DOCKERFILE = "FROM alpine\nRUN --mount=type=secret,id=token true\n"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A learner's folder (the working folder at connect time: a folder a secret may come from)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "token.txt").write_text(SECRET + "\n")
    return tmp_path


def lab_of(engine):
    return Lab(engine, show_cli=True)


def test_the_building_fake_keeps_the_contract():
    assert contract.problems(BuildingFakeEngine) == []
    assert {"build_args", "target", "secrets"} <= set(contract._BOUND_PARAMS["build"])


def test_build_args_target_and_secret_are_sent_and_said(here, capsys):
    eng = BuildingFakeEngine()
    lab = lab_of(eng)
    res = lab.build(DOCKERFILE, tag="nb15/x:v1", build_args={"GREETING": "Bonjour", "N": 3}, target="build",
                    secrets={"token": "token.txt"})
    out = capsys.readouterr().out
    twin = [line for line in out.splitlines() if line.startswith("$ docker build")][0]
    assert twin.startswith("$ docker build --build-arg GREETING=Bonjour --build-arg N=3 --target build "
                           "--secret id=token,src=token.txt --label ")
    sent = eng.builds[-1]
    assert sent["build_args"] == {"GREETING": "Bonjour", "N": "3"} and sent["target"] == "build"
    assert sent["secrets"] == {"token": str(here / "token.txt")}  # the real path; BuildKit reads the file
    assert SECRET not in out and res.id.startswith("sha256:")


def test_nothing_printed_holds_the_secret_even_a_run_that_echoes_it(here, capsys):
    eng = BuildingFakeEngine(output=f"#5 [2/2] RUN cat /run/secrets/token\n#5 0.1 {SECRET}\n#5 DONE 0.1s\n")
    res = lab_of(eng).build(DOCKERFILE, tag="nb15/x:v1", secrets={"token": "token.txt"})
    out = capsys.readouterr().out
    assert SECRET not in out and SECRET not in res.output and "#5 0.1 ****" in out


def test_a_failed_build_says_no_secret_either(here, capsys):
    from dockerlab.engine.progress import Progress, raising
    from dockerlab.engine.translate import build_failed

    class Failing(BuildingFakeEngine):
        def build(self, **kw):
            super().build(**kw)
            return raising(iter([Progress(stream=f"#5 0.1 {SECRET}\n"), Progress(error=f"process did not "
                                 f"complete successfully: exit code: 1 ({SECRET})")]),
                           lambda msg, downloading, output: build_failed("nb15/x:v1", msg, output))

    with pytest.raises(E.BuildFailed) as ei:
        lab_of(Failing()).build(DOCKERFILE, tag="nb15/x:v1", secrets={"token": "token.txt"})
    assert SECRET not in str(ei.value) and SECRET not in ei.value.output and SECRET not in capsys.readouterr().out


def test_secrets_on_the_classic_builder_are_refused_before_anything(here, capsys):
    eng = BuildingFakeEngine(builder="classic")
    with pytest.raises(E.NotAvailableOnEngine) as ei:
        lab_of(eng).build(DOCKERFILE, tag="nb15/x:v1", secrets={"token": "token.txt"})
    err = ei.value
    assert err.feature == "build-secrets" and "BuildKit" in err.what and "runtime variable" in err.hint
    assert "nothing was built" in str(err).lower() and eng.builds == [] and capsys.readouterr().out == ""
    lab_of(eng).build("FROM alpine\nARG N\n", tag="nb15/x:v1", build_args={"N": "1"}, target="base")  # these work
    assert eng.builds[-1]["build_args"] == {"N": "1"} and eng.builds[-1]["target"] == "base"


@pytest.mark.parametrize("kw, err", [
    ({"build_args": {"1X": "a"}}, E.InvalidReference), ({"build_args": {"A-B": "a"}}, E.InvalidReference),
    ({"build_args": ["A=1"]}, E.InvalidReference), ({"build_args": {"A": None}}, E.InvalidReference),
    ({"build_args": {"A": True}}, E.InvalidReference), ({"build_args": {"A": "x\x00"}}, E.InvalidReference),
    ({"target": "has space"}, E.InvalidReference), ({"target": ""}, E.InvalidReference),
    ({"target": 3}, E.InvalidReference),
    ({"secrets": ["token.txt"]}, E.InvalidReference), ({"secrets": {"bad id": "token.txt"}}, E.InvalidReference),
    ({"secrets": {"token": ""}}, E.InvalidReference), ({"secrets": {"token": "a,b.txt"}}, E.InvalidReference),
    ({"secrets": {"token": "missing.txt"}}, E.InvalidReference),
    ({"secrets": {"token": "/etc/hostname"}}, E.GuardRefused), ({"secrets": {"token": "."}}, E.GuardRefused),
])
def test_bad_options_are_refused_with_a_hint_and_nothing_built(here, capsys, kw, err):
    eng = BuildingFakeEngine()
    with pytest.raises(err) as ei:
        lab_of(eng).build(DOCKERFILE, tag="nb15/x:v1", **kw)
    assert ei.value.hint and eng.builds == [] and capsys.readouterr().out == ""


def test_a_secret_outside_the_learners_folders_is_refused_even_through_a_link(here, tmp_path_factory, capsys):
    outside = tmp_path_factory.mktemp("elsewhere") / "key.txt"
    outside.write_text(SECRET)
    os.symlink(outside, here / "link.txt")
    eng = BuildingFakeEngine()
    for src in (str(outside), "link.txt"):
        with pytest.raises(E.GuardRefused) as ei:
            lab_of(eng).build(DOCKERFILE, tag="nb15/x:v1", secrets={"token": src})
        assert ei.value.guard == "bind_roots" and "outside the folders" in ei.value.what
        assert SECRET not in str(ei.value)
    os.link(here / "token.txt", here / "hard.txt")
    with pytest.raises(E.GuardRefused, match="hard link"):
        lab_of(eng).build(DOCKERFILE, tag="nb15/x:v1", secrets={"token": "hard.txt"})
    assert eng.builds == [] and SECRET not in capsys.readouterr().out


def test_the_masker_hides_the_value_and_its_lines(tmp_path):
    f = tmp_path / "s"
    f.write_text("first-line\nsecond-line\nab\n")
    mask = buildopts.masker([str(f), str(tmp_path / "gone")])
    assert mask("x first-line y second-line ab") == "x **** y **** ab"


# --- layers, from docker save archives of both layouts ----------------------------------------------
def _tar(files: dict, gz: bool = False) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue()) if gz else buf.getvalue()


def _archive(path, layers: list[dict], oci: bool, gz: bool = False):
    history = [{"created_by": "ADD rootfs / # buildkit"}, {"created_by": "CMD [\"sh\"]", "empty_layer": True},
               {"created_by": "COPY token.txt /tmp/token.txt # buildkit"},
               {"created_by": "RUN /bin/sh -c rm /tmp/token.txt # buildkit"}]
    config = json.dumps({"history": history}).encode()
    files, names = {}, []
    for i, layer in enumerate(layers):
        name = f"blobs/sha256/{i:064x}" if oci else f"{i:064x}/layer.tar"
        files[name] = _tar(layer, gz)
        names.append(name)
    files["cfg.json"] = config
    files["manifest.json"] = json.dumps([{"Config": "cfg.json", "RepoTags": ["nb15/leaky:latest"],
                                          "Layers": names}]).encode()
    if oci:
        files["oci-layout"] = b'{"imageLayoutVersion":"1.0.0"}'
    path.write_bytes(_tar(files))
    return str(path)


LAYERS = [{"bin/sh": b"#!", "tmp/": b""}, {"tmp/token.txt": SECRET.encode() + b"\n"}, {"tmp/.wh.token.txt": b""}]


@pytest.mark.parametrize("oci,gz", [(True, False), (False, False), (True, True)])
def test_a_file_removed_by_a_later_layer_is_still_in_the_one_that_wrote_it(tmp_path, oci, gz):
    path = _archive(tmp_path / "a.tar", LAYERS, oci, gz)
    rows = archives.find_in_layers(path, "/tmp/token.txt")
    assert [(r["layer"], r["state"]) for r in rows] == [(1, ""), (2, "written"), (3, "deleted")]
    assert rows[1]["text"] == SECRET + "\n" and rows[1]["created_by"].startswith("COPY token.txt")
    assert rows[2]["created_by"].startswith("RUN /bin/sh -c rm")
    assert archives.layers_holding(path, SECRET.encode(), chunk=7) == [(2, rows[1]["created_by"], "tmp/token.txt")]
    assert archives.layers_holding(path, b"not there at all") == []


def test_an_opaque_or_removed_folder_deletes_the_file_too(tmp_path):
    for whiteout in ("tmp/.wh..wh..opq", ".wh.tmp"):
        path = _archive(tmp_path / "b.tar", [LAYERS[0], LAYERS[1], {whiteout: b""}], oci=True)
        assert archives.find_in_layers(path, "tmp/token.txt")[2]["state"] == "deleted"


def test_lab_find_in_layers_frames_and_says_its_twin(tmp_path, capsys):
    path = _archive(tmp_path / "c.tar", LAYERS, oci=True)

    class Saving(BuildingFakeEngine):
        def save_images(self, names, *, chunk_size=1 << 20):
            return iter([open(path, "rb").read()])

    lab = lab_of(Saving())
    df = lab.find_in_layers("alpine", "/tmp/token.txt")
    assert list(df.columns) == ["LAYER", "CREATED BY", "FILE", "TEXT"]
    assert df["FILE"].tolist() == ["", "written", "deleted"]
    assert df["CREATED BY"][2] == "RUN rm /tmp/token.txt # buildkit"
    out = capsys.readouterr().out
    assert "$ docker save -o image.tar alpine" in out
    hits = lab.layers_holding("alpine", SECRET)
    assert hits.to_dict("records") == [{"LAYER": 2, "CREATED BY": "COPY token.txt /tmp/token.txt # buildkit",
                                        "FILE": "/tmp/token.txt"}]
    assert SECRET not in capsys.readouterr().out
    with pytest.raises(E.InvalidReference):
        lab.layers_holding("alpine", "ab")


def test_image_inspect_says_its_twin_and_gives_the_engines_document(capsys):
    lab = lab_of(BuildingFakeEngine())
    assert lab.image_inspect("alpine")["Id"].startswith("sha256:")
    assert "$ docker image inspect alpine" in capsys.readouterr().out
    with pytest.raises(E.ImageNotFound):
        lab.image_inspect("nb15/none")
    with pytest.raises(E.InvalidReference):
        lab.image_inspect("Not A Name")


def test_hostile_values_give_a_result_or_a_hinted_error(here, tmp_path_factory):
    """The sweep of tests/hostile.py over lesson 15's methods and options (the fake engine builds)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import hostile

    path = _archive(tmp_path_factory.mktemp("arch") / "c.tar", LAYERS, oci=True)

    class Saving(BuildingFakeEngine):
        def save_images(self, names, *, chunk_size=1 << 20):
            return iter([open(path, "rb").read()])

    lab = Lab(Saving(), show_cli=False)
    base = {"build": ((DOCKERFILE,), {"tag": "nb15/x:v1", "build_args": {"A": "1"}, "target": "base",
                                      "secrets": {"token": "token.txt"}}),
            "find_in_layers": (("alpine", "/tmp/token.txt"), {}), "layers_holding": (("alpine", SECRET), {}),
            "image_inspect": (("alpine",), {})}
    bad = []
    for method, (args, kwargs) in base.items():
        getattr(lab, method)(*args, **kwargs)  # the call works as it stands
        slots = [(i, None) for i in range(len(args))] + [(None, k) for k in kwargs]
        for (i, k), (label, value) in ((s, v) for s in slots for v in hostile.HOSTILE.items()):
            a, kw = list(args), dict(kwargs)
            if k is None:
                a[i] = value
            else:
                kw[k] = value
            try:
                getattr(lab, method)(*a, **kw)
            except E.DockerLabError as e:
                if not e.hint:
                    bad.append((method, i, k, label, f"no hint: {e}"))
            except Exception as e:  # noqa: BLE001 - what the sweep counts
                bad.append((method, i, k, label, f"{type(e).__name__}: {e}"[:200]))
    assert not bad, bad[:10]


def test_an_archive_the_kit_cannot_read_is_the_engines_error():
    lab = Lab(BuildingFakeEngine(), show_cli=False)  # the fake's save gives bytes that are no tar
    with pytest.raises(E.EngineError) as ei:
        lab.find_in_layers("alpine", "/etc/motd")
    assert ei.value.hint and "docker save" in ei.value.what
