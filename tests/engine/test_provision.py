"""The provisioning script and the offline stand-in images it makes."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.geteuid() != 0, reason="provisioning runs as root")
def test_a_second_provisioning_run_reuses_everything():
    res = subprocess.run([str(ROOT / "scripts/provision-engine")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "reusing the engine that answers" in out
    assert "stand-ins built" not in out  # already in the registry
    assert "ready: alpine ubuntu hello-world busybox" in out


@pytest.mark.parametrize("image", ["alpine", "ubuntu", "hello-world", "busybox"])
def test_stand_ins_say_what_they_are(engine_lab, image):
    inspected = engine_lab._engine.inspect_image(image)
    lbl = inspected["Config"]["Labels"] or {}
    if lbl.get("org.dockerlab.standin") != "true":
        pytest.skip(f"{image} is the real image here (online engine)")
    assert lbl["org.dockerlab.standin.of"] == image


def test_stand_ins_behave_like_the_real_images_where_lessons_look(lab):
    assert lab.run("alpine", "ls /bin/sh").exit_code == 0
    assert lab.run("alpine", "ls /bin/bash").exit_code != 0  # like real alpine: no bash
    assert lab.run("ubuntu", ["/bin/bash", "-c", "echo ok"]).output == "ok\n"
    assert "Hello from Docker!" in lab.run("hello-world").output


def test_plain_pull_goes_through_the_offline_mirror(engine_lab):
    mirrors = (engine_lab._engine.info().get("RegistryConfig") or {}).get("Mirrors") or []
    if not any("127.0.0.1" in m for m in mirrors):
        pytest.skip("this engine does not use the kit's offline mirror")
    events = list(engine_lab._engine.pull("alpine", "latest"))
    assert any("Status:" in e.get("status", "") for e in events)
