"""The same classroom on ONE shared engine (where per-learner engines cannot run): every learner
runs the notebooks at the same time with nothing set beyond their name; names stay theirs."""
from __future__ import annotations

import os

import pytest

from .harness import Room, notebook_files, provision

pytestmark = [pytest.mark.classroom, pytest.mark.timeout(900)]
N = int(os.environ.get("DOCKERLAB_CLASSROOM_LEARNERS", "2"))
NOTEBOOKS = notebook_files(os.environ.get("DOCKERLAB_CLASSROOM_NOTEBOOKS", "04"))
SHARED = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
# a classroom of its own: DOCKERLAB_CLASSROOM_PREFIX (as conftest.py) + "s", else dlcshr
PREFIX = os.environ["DOCKERLAB_CLASSROOM_PREFIX"] + "s" if os.environ.get("DOCKERLAB_CLASSROOM_PREFIX") else "dlcshr"

if os.geteuid() != 0:
    pytest.skip("the classroom makes Linux accounts: needs root", allow_module_level=True)


@pytest.fixture(scope="module")
def room():
    provision()
    r = Room(learners=N, prefix=PREFIX, engines="shared", shared_host=SHARED)
    r.fresh()
    try:
        r.up()
        yield r
    finally:
        r.down()


def test_notebooks_at_the_same_time_on_one_shared_engine(room):
    for u in room.learners:
        env = room.server_env(u)
        assert env["DOCKER_HOST"] == SHARED and env["DOCKERLAB_QUALIFY_NAMES"] == "1"
    results = room.run_everyone(NOTEBOOKS)
    failed = {u: [(nb, tail) for nb, rc, _, tail in rs if rc] for u, rs in results.items()}
    assert not any(failed.values()), failed
    print(f"\n{N} learners ran {', '.join(NOTEBOOKS)} at once on one engine: "
          f"{ {u: round(sum(s for _, _, s, _ in rs)) for u, rs in results.items()} } s")


def test_same_name_each_their_own_and_the_twin_says_the_real_name(room):
    """All at once: each asks for nb05-web and gets their own; the twin prints the real name."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    code = ("import dockerlab, subprocess, time\nlab = dockerlab.connect()\n"
            "c = lab.run('alpine', 'sleep 120', name='nb05-web', detach=True)\n"
            "print('NAME', c.name, lab.container('nb05-web').name)\n"
            "print('MINE', sorted(lab.ps()['NAMES']))\n"
            f"for _ in range(60):\n"
            "    cli = subprocess.run(['docker', 'ps', '--format', '{{.Names}}'], capture_output=True, text=True).stdout.split()\n"
            f"    if sum(n.endswith('-nb05-web') for n in cli) >= {len(room.learners)}: break\n"
            "    time.sleep(0.5)\n"
            "print('CLI', cli)\ntime.sleep(3)\n")  # a process's exit reaps its containers: all wait for all
    with ThreadPoolExecutor(len(room.learners)) as pool:
        runs = dict(zip(room.learners, pool.map(lambda u: room.as_learner(u, ["python3", "-c", code]), room.learners)))
    for u, r in runs.items():
        assert r.returncode == 0, r.stderr
        out = r.stdout
        assert f"NAME {u}-nb05-web {u}-nb05-web" in out
        assert f"--name {u}-nb05-web" in out  # the CLI twin prints the real name
        assert f"MINE ['{u}-nb05-web']" in out  # the learner's own table: theirs only
        # the docker CLI on a shared engine shows everyone's: names and labels are not a security boundary
        cli = out.split("CLI ", 1)[1]
        assert all(f"{v}-nb05-web" in cli for v in room.learners), cli
