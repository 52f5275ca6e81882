"""The provisioning script and the offline stand-in images it makes."""
import os
import subprocess
from pathlib import Path

import pytest
from tests.engine.raw import raw

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.geteuid() != 0, reason="provisioning runs as root")
def test_a_second_provisioning_run_reuses_everything():
    res = subprocess.run([str(ROOT / "scripts/provision-engine")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "reusing the engine that answers" in out
    assert "stand-ins built" not in out  # already in the registry
    assert "ready: alpine ubuntu hello-world busybox" in out


@pytest.mark.parametrize("image", ["alpine", "ubuntu", "hello-world", "busybox", "nginx"])
def test_stand_ins_say_what_they_are(engine_lab, image):
    inspected = raw(engine_lab).inspect_image(image)
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
    mirrors = (raw(engine_lab).info().get("RegistryConfig") or {}).get("Mirrors") or []
    if not any("127.0.0.1" in m for m in mirrors):
        pytest.skip("this engine does not use the kit's offline mirror")
    events = list(raw(engine_lab).pull("alpine", "latest"))
    assert any(e.status.startswith("Status:") for e in events)


def _provision():
    res = subprocess.run([str(ROOT / "scripts/provision-engine")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def _standin_of(image: str) -> str:
    return subprocess.run(["docker", "image", "inspect", "-f", '{{index .Config.Labels "org.dockerlab.standin.of"}}',
                           image], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.skipif(os.geteuid() != 0, reason="provisioning runs as root")
def test_an_engine_image_that_is_not_the_recipes_build_is_replaced(engine_lab):
    """Provisioning is a function of the repository: a lesson image left by an earlier run (here:
    `alpine` pointing at another image, as an older recipe's build would) is replaced."""
    subprocess.run(["docker", "tag", "busybox:latest", "alpine:latest"], check=True)
    assert _standin_of("alpine") == "busybox"
    out = _provision()
    assert "the engine's lesson images now match the recipe: alpine" in out
    assert _standin_of("alpine") == "alpine"


@pytest.mark.skipif(os.geteuid() != 0, reason="provisioning runs as root")
def test_a_registry_image_that_is_not_the_recipes_build_is_rebuilt(engine_lab):
    """The registry's copy is checked too: a stale stand-in there (another recipe's label) is rebuilt,
    checked and pushed again, and the engine then holds that new build."""
    mirrors = (engine_lab.engine.info().get("RegistryConfig") or {}).get("Mirrors") or []
    if not any("127.0.0.1:5000" in m for m in mirrors):
        pytest.skip("this engine does not use the kit's registry on 127.0.0.1:5000")
    stale = "127.0.0.1:5000/library/hello-world:latest"
    subprocess.run(["docker", "tag", "busybox:latest", stale], check=True)
    subprocess.run(["docker", "push", "-q", stale], check=True, capture_output=True)
    subprocess.run(["docker", "rmi", stale], check=True, capture_output=True)
    try:
        out = _provision()
        assert "stand-ins built, checked and pushed: hello-world" in out
        assert _standin_of("hello-world") == "hello-world"
        assert "stand-ins built" not in _provision()  # and it stays built
    finally:  # the stale push left a digest-only name on busybox's image: the lessons' image lists must not show it
        digests = subprocess.run(["docker", "image", "inspect", "-f", '{{join .RepoDigests "\\n"}}', "busybox"],
                                 capture_output=True, text=True).stdout.split()
        for ref in digests:
            if ref.startswith("127.0.0.1:5000/library/hello-world@"):
                subprocess.run(["docker", "rmi", ref], capture_output=True)


def test_stand_ins_carry_their_recipe_and_an_honest_os_release(lab):
    for image in ("alpine", "ubuntu", "busybox"):
        labels = lab.engine.inspect_image(image)["Config"]["Labels"] or {}
        if labels.get("org.dockerlab.standin") != "true":
            continue
        assert len(labels.get("org.dockerlab.standin.recipe", "")) == 16
        out = lab.run(image, "cat /etc/os-release", rm=True).output
        assert f"ID={image}\n" in out and "dockerlab stand-in" in out
