"""``dockerlab classroom``: a real JupyterHub for N learners on this machine, an engine each.

    sudo dockerlab classroom up --learners 5 [--engines own|shared] [--port 8000] [--mirror-port 5000]
    sudo dockerlab classroom status          who is connected, engines, containers, results
    sudo dockerlab classroom stop LEARNER    stop and remove a learner's containers
    sudo dockerlab classroom spawn|halt LEARNER...   start / stop learners' servers (as the hub would)
    sudo dockerlab classroom down [--remove-learners]

Install first (Debian, npm and PyPI packages): ``sudo scripts/provision-classroom``.
The classroom mirror must answer on 127.0.0.1:<mirror-port> (``dockerlab mirror start``).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ..errors import DockerLabError
from . import accounts
from .engines import ClassroomError, LearnerEngine
from .settings import Settings, DEFAULT_STATE, DEFAULT_VENV

CONFIG = '''# written by `dockerlab classroom up`; all the settings are in classroom.json beside it
from dockerlab.classroom.hub import configure
configure(c, {state!r})
'''


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dockerlab classroom", description=__doc__.split("\n\n")[0])
    p.add_argument("--state", default=str(DEFAULT_STATE), help="the classroom's folder (default %(default)s)")
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="make the learners' accounts and start the hub")
    who = up.add_mutually_exclusive_group()
    who.add_argument("--learners", type=int, default=5, help="how many learners (default 5)")
    who.add_argument("--names", help="comma-separated learner names instead of learner01..N")
    up.add_argument("--prefix", default="learner", help="names are PREFIX01, PREFIX02, ... (default learner)")
    up.add_argument("--engines", choices=("own", "shared"), default="own",
                    help="own: a rootless engine per learner (default); shared: one engine for all")
    up.add_argument("--shared-host", default=os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"),
                    help="the shared engine (with --engines shared; default $DOCKER_HOST)")
    up.add_argument("--port", type=int, default=8000, help="where learners log in (default 8000; +1, +2 are used too)")
    up.add_argument("--mirror-port", type=int, default=int(os.environ.get("DOCKERLAB_REGISTRY_PORT", "5000")))
    up.add_argument("--password", default="", help="the learners' shared password (default: a random one)")
    up.add_argument("--venv", default=str(DEFAULT_VENV))
    up.add_argument("--spawn", action="store_true", help="start every learner's server now")
    sub.add_parser("status", help="who is connected, their engines, containers and exercise results")
    stop = sub.add_parser("stop", help="stop and remove a learner's containers")
    stop.add_argument("learner")
    for name in ("spawn", "halt"):
        sp = sub.add_parser(name, help=f"{'start' if name == 'spawn' else 'stop'} learners' servers")
        sp.add_argument("learners", nargs="*", help="default: every learner")
    down = sub.add_parser("down", help="stop the hub, every learner's server and engine")
    down.add_argument("--remove-learners", action="store_true", help="also delete the accounts it made")
    return p


def _mirror_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=3) as r:
            return r.status == 200
    except OSError:
        return False


def _socket_group(host: str) -> str | None:
    import grp

    if not host.startswith("unix://"):
        return None
    try:
        return grp.getgrgid(os.stat(host[len("unix://"):]).st_gid).gr_name
    except (OSError, KeyError):
        return None


def up(a) -> int:
    if os.geteuid() != 0:
        raise ClassroomError("The classroom needs root", state="nothing was started",
                             hint="sudo dockerlab classroom up (it makes Linux accounts and starts their engines)")
    venv = Path(a.venv)
    if not (venv / "bin" / "jupyterhub").exists():
        raise ClassroomError(f"No JupyterHub in {venv}", state="nothing was started",
                             hint="install it first: sudo scripts/provision-classroom")
    if not _mirror_answers(a.mirror_port):
        raise ClassroomError(f"No classroom mirror answers on 127.0.0.1:{a.mirror_port}", state="nothing was started",
                             hint=f"start it: dockerlab mirror start --port {a.mirror_port} (learners never pull from Docker Hub)")
    names = [n.strip() for n in a.names.split(",") if n.strip()] if a.names else accounts.learner_names(a.learners, a.prefix)
    s = Settings(state=a.state, venv=str(venv), learners=names, engines=a.engines, shared_host=a.shared_host,
                 mirror_port=a.mirror_port, port=a.port, password=a.password)
    try:  # keep the token and password of a classroom that was up before
        old = Settings.load(a.state)
        s.token, s.password = old.token, a.password or old.password
    except ClassroomError:
        pass
    s.save()
    groups = ()
    if a.engines == "shared":
        g = _socket_group(a.shared_host)
        groups = (g,) if g and g != "root" else ()
    notebooks = venv / "share" / "dockerlab" / "notebooks"
    made = [n for n in names if accounts.ensure(n, notebooks, groups=groups)]
    st = Path(s.state)
    (st / "jupyterhub_config.py").write_text(CONFIG.format(state=str(st)))
    hub = _hub_pid(s)
    if hub is None:
        log = open(st / "hub.log", "ab")
        proc = subprocess.Popen([str(venv / "bin" / "jupyterhub"), "-f", str(st / "jupyterhub_config.py")], cwd=st,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PATH": f"{venv}/bin:{os.environ.get('PATH', '/usr/bin:/bin')}"})
        (st / "hub.pid").write_text(str(proc.pid))
        from .teacher import Classroom

        room = Classroom(settings=s)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ClassroomError("The hub exited at start", state=f"its log: {st / 'hub.log'}",
                                     hint="read the log's last lines")
            try:
                room.api("GET", "/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise ClassroomError("The hub did not answer within 90 s", state=f"its log: {st / 'hub.log'}")
    print(f"Classroom up at {s.url} ({len(names)} learners, {'an engine each' if a.engines == 'own' else 'one shared engine: ' + s.shared_host})")
    print(f"  learners: {', '.join(names)}" + (f" (accounts made now: {len(made)})" if made else ""))
    print(f"  password: {s.password}")
    print(f"  mirror:   127.0.0.1:{s.mirror_port}" + (f" (10.0.2.2:{s.mirror_port} inside each learner's engine)" if a.engines == "own" else ""))
    print(f"  teacher:  sudo dockerlab classroom status; the hub's log: {st / 'hub.log'}")
    if a.spawn:
        spawn_all(s, names)
    return 0


def _hub_pid(s: Settings) -> int | None:
    try:
        pid = int((Path(s.state) / "hub.pid").read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def spawn_all(s: Settings, names, wait: float = 300) -> None:
    from .teacher import Classroom

    room = Classroom(settings=s)
    for n in names:
        room.spawn(n)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        users = room.users()
        ready = [n for n in names if ((users.get(n, {}).get("servers") or {}).get("", {}) or {}).get("ready")]
        if len(ready) == len(names):
            print(f"  servers ready: {', '.join(names)}")
            return
        time.sleep(0.5)
    raise ClassroomError("Not every learner's server started", state=f"ready: {ready}", hint="see the hub's log")


def down(a) -> int:
    s = Settings.load(a.state)
    st = Path(s.state)
    hub = _hub_pid(s)
    if hub:
        from .teacher import Classroom

        room = Classroom(settings=s)
        for n in s.learners:  # the hub stops their servers, and its post_stop_hook their engines
            try:
                room.stop_server(n)
            except OSError:
                pass
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                users = room.users()
            except DockerLabError:
                break
            if not any((users.get(n, {}).get("servers") or {}) for n in s.learners):
                break
            time.sleep(0.5)
        os.kill(hub, signal.SIGTERM)
        _wait_gone(hub, 20)
    for name in ("proxy.pid",):
        try:
            pid = int((st / name).read_text())
            os.kill(pid, signal.SIGTERM)
            _wait_gone(pid, 10)
        except (OSError, ValueError):
            pass
    for n in s.learners:  # whatever is left (a hub killed hard): engines, then servers, by pid
        if accounts.exists(n):
            LearnerEngine.of(n).stop()
            LearnerEngine.of(n).remove_cgroups()
    for f in ("hub.pid", "proxy.pid"):
        (st / f).unlink(missing_ok=True)
    if a.remove_learners:
        gone = [n for n in s.learners if accounts.remove(n)]
        print(f"removed accounts: {', '.join(gone) or 'none'}")
    print("Classroom down.")
    return 0


def _wait_gone(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def status(a) -> int:
    from .teacher import Classroom

    room = Classroom(a.state)
    print(f"Classroom at {room.settings.url}: {'an engine per learner' if room.settings.engines == 'own' else 'one shared engine'}")
    print(room.status().to_string(index=False))
    df = room.containers()
    print("\nRunning containers:" + ("" if len(df) else " none"))
    if len(df):
        print(df.to_string(index=False))
    res = room.results()
    print("\nExercise results:" + ("" if res.shape[1] else " none recorded yet"))
    if res.shape[1]:
        print(res.to_string())
    return 0


def main(argv=None) -> int:
    a = parser().parse_args(argv)
    try:
        if a.cmd == "up":
            return up(a)
        if a.cmd == "down":
            return down(a)
        if a.cmd == "status":
            return status(a)
        s = Settings.load(a.state)
        from .teacher import Classroom

        room = Classroom(settings=s)
        if a.cmd == "stop":
            gone = room.stop_containers(a.learner)
            print(f"{a.learner}: removed {', '.join(gone) or 'nothing'}")
        elif a.cmd == "spawn":
            spawn_all(s, a.learners or s.learners)
        elif a.cmd == "halt":
            for n in a.learners or s.learners:
                room.stop_server(n)
        return 0
    except DockerLabError as e:
        print(f"dockerlab classroom: {e}", file=sys.stderr)
        return 1
