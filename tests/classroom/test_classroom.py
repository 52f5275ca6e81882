"""A real classroom: JupyterHub, N learner accounts, a rootless engine each (tests/classroom/harness.py).

CI runs a small scenario (DOCKERLAB_CLASSROOM_LEARNERS=2, notebook 04); the room is shared with
test_classroom_hostile.py (conftest.py), which runs after these; the full one
(5 learners, notebooks 04-07) is the same file with DOCKERLAB_CLASSROOM_LEARNERS=5
DOCKERLAB_CLASSROOM_NOTEBOOKS=04,05,06,07. Needs root; marked ``classroom``.
"""
from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from .harness import notebook_files

pytestmark = [pytest.mark.classroom, pytest.mark.timeout(900)]
N = int(os.environ.get("DOCKERLAB_CLASSROOM_LEARNERS", "2"))
NOTEBOOKS = notebook_files(os.environ.get("DOCKERLAB_CLASSROOM_NOTEBOOKS", "04"))
PY = "python3"

if os.geteuid() != 0:
    pytest.skip("the classroom makes Linux accounts: needs root", allow_module_level=True)


def learner_py(room, user, code, **kw):
    return room.as_learner(user, [PY, "-c", code], **kw)


def test_every_learner_has_a_server_and_an_engine_of_their_own(room):
    st = room.room().status()
    assert list(st["SERVER"]) == ["ready"] * N and list(st["ENGINE"]) == ["up"] * N, st.to_string()
    sockets = set()
    for u in room.learners:
        env = room.server_env(u)
        assert env["DOCKERLAB_OWNER"] == u == env["JUPYTERHUB_USER"]
        sockets.add(env["DOCKER_HOST"])
        r = learner_py(room, u, "import dockerlab; lab = dockerlab.connect(show_cli=False); i = lab.engine.info(); "
                                "print(i['SecurityOptions'], i['RegistryConfig']['Mirrors'], lab.can('limits'))")
        assert r.returncode == 0, r.stderr
        assert "name=rootless" in r.stdout and f"http://10.0.2.2:{room.mirror_port}/" in r.stdout
        assert r.stdout.strip().endswith("False")  # cgroup v1 rootless: the kit does not claim limits
    assert len(sockets) == N


def test_notebooks_at_the_same_time_each_on_their_own_engine(room):
    results = room.run_everyone(NOTEBOOKS)
    failed = {u: [(nb, tail) for nb, rc, _, tail in rs if rc] for u, rs in results.items()}
    assert not any(failed.values()), failed
    secs = {u: round(sum(s for _, _, s, _ in rs)) for u, rs in results.items()}
    print(f"\n{N} learners ran {', '.join(NOTEBOOKS)} at once; seconds each: {secs}")


def test_each_learner_sees_only_theirs_and_cannot_open_another_socket(room):
    for u in room.learners:
        r = room.as_learner(u, ["docker", "run", "-d", "--name", f"mine-{u}", "alpine", "sleep", "300"])
        assert r.returncode == 0, r.stderr
    others = [room.server_env(u)["DOCKER_HOST"][len("unix://"):] for u in room.learners]
    for i, u in enumerate(room.learners):
        r = room.as_learner(u, ["docker", "ps", "-a", "--format", "{{.Names}}"])
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == [f"mine-{u}"], r.stdout
        targets = [p for j, p in enumerate(others) if j != i] + ["/var/run/docker.sock"]
        if os.environ.get("DOCKER_HOST", "").startswith("unix://"):
            targets.append(os.environ["DOCKER_HOST"][len("unix://"):])
        code = ("import socket, sys\nfor p in sys.argv[1:]:\n"
                "    s = socket.socket(socket.AF_UNIX)\n"
                "    try:\n        s.connect(p); print(p, 'OPEN')\n"
                "    except PermissionError: print(p, 'denied')\n"
                "    except OSError as e: print(p, 'error', e)\n")
        r = room.as_learner(u, [PY, "-c", code, *targets])
        verdicts = dict(line.rsplit(" ", 1) if "error" not in line else (line.split(" ")[0], "error")
                        for line in r.stdout.splitlines())
        assert all(v == "denied" for p, v in verdicts.items() if Path(p).exists() or "/run/user/" in p), r.stdout
        r = room.as_learner(u, ["docker", "-H", "unix:///var/run/docker.sock", "ps"])
        assert r.returncode != 0 and "permission denied" in r.stderr.lower(), r.stderr


def test_pulls_go_to_the_classroom_mirror_never_docker_hub(room):
    log = Path(room.state, "mirror", "registry.log")  # the classroom's read-only mirror's
    before = log.read_text(errors="replace").count("/v2/library/busybox/manifests/")
    # what each engine writes from here on (an engine's log goes on across its starts and earlier rooms)
    start = {u: Path(f"/run/dockerlab-classroom/{u}.log").stat().st_size for u in room.learners}
    for u in room.learners:
        room.as_learner(u, ["docker", "rmi", "-f", "busybox"])
        r = room.as_learner(u, ["docker", "pull", "busybox"])
        assert r.returncode == 0, r.stderr
    after = log.read_text(errors="replace").count("/v2/library/busybox/manifests/")
    assert after - before >= N  # every learner's pull reached the classroom mirror
    for u in room.learners:
        with open(f"/run/dockerlab-classroom/{u}.log", "rb") as f:
            f.seek(start[u])
            log = f.read().decode(errors="replace")
        assert "registry-1.docker.io" not in log and "docker.io/v2" not in log


def test_engine_killed_mid_lesson(room):
    """One learner's engine dies: they get EngineLost with a hint, the others go on; back, it works again."""
    from dockerlab.classroom.engines import LearnerEngine

    victim, other = room.learners[0], room.learners[1]
    code = ("import dockerlab, sys\nlab = dockerlab.connect(show_cli=False)\n"
            "lab.run('alpine', 'true', rm=True); print('ready', flush=True)\n"
            "for step in ('lost', 'back'):\n"
            "    sys.stdin.readline()\n"
            "    try:\n        lab.run('alpine', 'echo ok', rm=True); print(step, 'OK', flush=True)\n"
            "    except dockerlab.DockerLabError as e:\n"
            "        print(step, type(e).__name__, 'HINT' if e.hint else 'NOHINT', str(e).replace(chr(10), ' '), flush=True)\n")
    import subprocess

    p = room.popen_as_learner(victim, [PY, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        assert p.stdout.readline().strip() == "ready"
        eng = LearnerEngine.of(victim)
        for pid in eng.processes():  # the engine and everything in its budget: SIGKILL, as a crash
            os.kill(pid, signal.SIGKILL)
        time.sleep(1)
        r = room.as_learner(other, ["docker", "run", "--rm", "alpine", "echo", "still here"])
        assert r.stdout.strip() == "still here", r.stderr
        p.stdin.write("go\n"); p.stdin.flush()
        lost = p.stdout.readline()
        assert lost.startswith("lost EngineLost HINT") or lost.startswith("lost EngineUnavailable HINT"), lost
        eng.start(mirror_port=room.mirror_port)
        p.stdin.write("go\n"); p.stdin.flush()
        back = p.stdout.readline()
        assert back.strip() == "back OK", back
    finally:
        p.kill()
        p.wait()
        if not LearnerEngine.of(victim).answers():  # the next tests need it back, whatever happened here
            LearnerEngine.of(victim).start(mirror_port=room.mirror_port)


def test_fork_bomb_and_memory_hog_do_not_starve_the_others(room):
    """A fork bomb, then a memory hog, in one learner's container while another runs containers:
    the other's lab.run stays quick and the host's `true` too (the learner's cgroup bounds it), and
    the bomber's own engine keeps its reserve: it answers, and stops the bomb, while the bomb runs."""
    from dockerlab.classroom.engines import LearnerEngine

    bomber, other = room.learners[0], room.learners[-1]
    eng = LearnerEngine.of(bomber)
    assert eng.pids() is not None, "no containers budget: the classroom could not make cgroups here"
    pids_max = eng.pids()[1]

    def other_runs(n=5):
        code = ("import dockerlab, time\nlab = dockerlab.connect(show_cli=False)\nts=[]\n"
                f"for i in range({n}):\n    t=time.monotonic(); lab.run('alpine', 'true', rm=True); ts.append(time.monotonic()-t)\n"
                "print(max(ts))")
        r = learner_py(room, other, code)
        assert r.returncode == 0, r.stderr
        return float(r.stdout.strip().splitlines()[-1])

    def true_latency(n=20):
        import subprocess
        worst = 0.0
        for _ in range(n):
            t = time.monotonic(); subprocess.run(["true"]); worst = max(worst, time.monotonic() - t)
            time.sleep(0.05)
        return worst

    calm = other_runs()
    r = room.as_learner(bomber, ["docker", "run", "-d", "--name", "bomb", "alpine", "sh", "-c", "f(){ f|f& }; f; sleep 600"])
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + 30  # until the bomb fills the learner's containers budget
    while time.monotonic() < deadline and eng.pids()[0] < pids_max - 16:
        time.sleep(0.5)
    during, host = other_runs(), true_latency()
    cur = eng.pids()[0]
    engine_pids = eng.pids("engine")
    ps = room.as_learner(bomber, ["docker", "ps", "--format", "{{.Names}}"])  # the bomber's engine still answers
    print(f"\nfork bomb: {bomber}'s containers' pids {cur}/{pids_max}, the engine's {engine_pids[0]}; "
          f"{other}'s lab.run worst {during:.2f} s (calm {calm:.2f} s); host `true` worst {host * 1000:.0f} ms")
    assert cur >= pids_max - 16, "the bomb never filled its budget: is it in the containers' part?"
    assert ps.returncode == 0 and "bomb" in ps.stdout, ps.stderr
    assert during < max(5 * calm, 5.0) and host < 0.5
    gone = room.room().stop_containers(bomber)  # the teacher's stop, while the bomb still fills its budget
    assert "bomb" in gone
    r = room.as_learner(bomber, ["docker", "run", "-d", "--name", "hog", "alpine", "tail", "/dev/zero"])
    assert r.returncode == 0, r.stderr
    time.sleep(6)
    during, host = other_runs(), true_latency()
    mem = eng.memory_bytes()
    peak = _read_int(eng, "memory.max_usage_in_bytes")
    hits = _read_int(eng, "memory.failcnt")
    print(f"memory hog: {bomber}'s cgroup at {mem >> 20} MiB now, peak {peak >> 20} MiB, limit hit {hits} times; "
          f"{other}'s lab.run worst {during:.2f} s; "
          f"host `true` worst {host * 1000:.0f} ms")
    assert during < max(5 * calm, 5.0) and host < 0.5
    assert room.as_learner(bomber, ["docker", "version"]).returncode == 0  # the engine outlived both
    room.room().stop_containers(bomber)


def _read_int(eng, name):
    for cg in eng.cgroups("containers"):
        try:
            return int((cg / name).read_text())
        except (OSError, ValueError):
            continue
    return 0


def test_teacher_view(room):
    import json

    u = room.learners[0]
    r = room.as_learner(u, ["docker", "run", "-d", "--name", "shown", "alpine", "sh", "-c", "while :; do :; done"])
    assert r.returncode == 0, r.stderr
    # a learner's recorded checks, in the format of ~/.dockerlab/progress.jsonl (a stub writer, as the learner)
    recs = [{"lesson": "nb05", "exercise": "nb05.run", "ok": False, "time": "2026-12-01T00:00:00Z"},
            {"lesson": "nb05", "exercise": "nb05.run", "ok": True, "time": "2026-12-01T00:01:00Z"},
            {"lesson": "nb06", "exercise": "nb06.stopped", "ok": False, "time": "2026-12-01T00:02:00Z"}]
    code = ("import json, os, sys\nos.makedirs(os.path.expanduser('~/.dockerlab'), exist_ok=True)\n"
            "open(os.path.expanduser('~/.dockerlab/progress.jsonl'), 'a').write(sys.stdin.read())")
    assert learner_py(room, u, code, input="".join(json.dumps(x) + "\n" for x in recs)).returncode == 0
    cls = room.room()
    df = cls.containers()
    row = df[(df.LEARNER == u) & (df.NAME == "shown")]
    assert len(row) == 1 and row["CPU %"].iloc[0] > 5, df.to_string()
    res = cls.results()
    assert res.loc[u, "nb05.run"] == "✓ passed" and res.loc[u, "nb06.stopped"] == "✗ tried"
    out = room.cli("status").stdout
    assert "shown" in out and u in out and "nb05.run" in out
    from dockerlab.classroom.view import TeacherView

    view = TeacherView(cls)  # the same, as the teacher's widget shows it
    assert view.error is None, view.shown
    box = view.shown.split("[Containers]")[1].split("[Exercises]")[0]
    assert f"{u} shown alpine" in box, view.shown
    view.stop(u)
    assert "A second click stops and removes" in view.shown and "shown" in view.shown.rsplit("\n", 1)[1]
    out = room.cli("stop", u).stdout.strip()  # earlier tests of this room may have left that learner more
    assert out.startswith(f"{u}: removed ") and "shown" in out.split("removed ", 1)[1].replace(",", " ").split()
    view.refresh()
    assert f"{u} shown" not in view.shown and "Click again" not in view._stop.description


def test_a_stopped_server_takes_its_engine_and_containers_and_nobody_elses(room):
    from dockerlab.classroom.engines import LearnerEngine

    gone, stay = room.learners[-1], room.learners[0]
    for u in (gone, stay):
        assert room.as_learner(u, ["docker", "run", "-d", "alpine", "sleep", "600"]).returncode == 0
    eng = LearnerEngine.of(gone)
    assert eng.processes()
    room.halt(gone)
    deadline = time.monotonic() + 60
    while (eng.processes() or room.server_pid(gone)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not eng.processes() and not eng.answers() and room.server_pid(gone) is None
    r = room.as_learner(stay, ["docker", "ps", "-q"])
    assert r.returncode == 0 and r.stdout.strip(), r.stderr
    room.spawn(gone)  # back, for the tests after these (test_classroom_hostile.py)


def test_lesson_14s_app_runs_on_a_learners_rootless_engine(room):
    """Networks, Docker's DNS and Compose on a learner's own rootless engine (Debian's 20.10 in rootlesskit,
    slirp4netns): the lesson as the learner runs it, from the copy of it (and its app folder) in their home."""
    import json
    import pwd

    u = room.learners[-1]
    [(nb, rc, secs, tail)] = room.run_notebooks(u, ["14-containers-that-talk.ipynb"])
    assert rc == 0, tail
    done = json.loads(Path(pwd.getpwnam(u).pw_dir, "executed", nb).read_text())
    out = "\n".join(str(o.get("text", "")) + str((o.get("data") or {}).get("text/plain", ""))
                    for c in done["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert ":1" in out and "visits: 2" in out and "(counted on)" in out, out[-2000:]
    assert "$ docker compose -f nb14-app/compose.yaml up -d" in out
    print(f"\n{u} ran lesson 14 on their rootless engine in {secs:.0f} s")
