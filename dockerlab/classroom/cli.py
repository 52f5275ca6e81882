"""``dockerlab classroom``: a real JupyterHub for N learners on this machine, an engine each.

    sudo dockerlab classroom up --learners 5 [--engines own|shared] [--port 8000] [--mirror-port 5000]
                                [--ip ADDRESS [--tls-cert PEM --tls-key PEM | --insecure-http]]
                                [--teacher NAME] [--cull-idle SECONDS] [--new-password NAME]
    sudo dockerlab classroom status          who is connected, engines, containers, results
    sudo dockerlab classroom stop LEARNER    stop and remove a learner's containers
    sudo dockerlab classroom spawn|halt LEARNER...   start / stop learners' servers (as the hub would)
    sudo dockerlab classroom down [--remove-learners [--archive DIR | --discard-work]]

Install first (Debian, npm and PyPI packages): ``sudo scripts/provision-classroom``.
The teacher's registry must answer on 127.0.0.1:<mirror-port> (``dockerlab mirror start``): ``up``
copies the lesson images from it into the classroom's read-only mirror (classmirror.py).
Each person gets a password of their own, printed once (signin.py).
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
from . import accounts, signin, tls
from .classmirror import ClassMirror
from .engines import ClassroomError, LearnerEngine, _alive
from .settings import Settings, DEFAULT_STATE, DEFAULT_VENV
from .teacher_service import PIDFILE
from .culler import PIDFILE as CULLER_PIDFILE

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
    up.add_argument("--teacher", default="teacher", help="the teacher's account, a hub admin (default teacher)")
    up.add_argument("--engines", choices=("own", "shared"), default="own",
                    help="own: a rootless engine per learner (default); shared: one engine for all")
    up.add_argument("--shared-host", default=os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"),
                    help="the shared engine (with --engines shared; default $DOCKER_HOST)")
    up.add_argument("--ip", default="127.0.0.1", help="where learners sign in (default 127.0.0.1; another "
                    "address of this machine for learners on their own laptops: HTTPS then)")
    up.add_argument("--port", type=int, default=8000, help="where learners sign in (default 8000; +1 to +4 are used too)")
    up.add_argument("--tls-cert", default="", help="the hub's certificate (PEM); default on a non-loopback "
                    "address: a self-signed one, its fingerprint printed")
    up.add_argument("--tls-key", default="", help="its private key (PEM)")
    up.add_argument("--self-signed", action="store_true", help="HTTPS with a self-signed certificate on loopback too")
    up.add_argument("--insecure-http", action="store_true",
                    help="plain HTTP even on a non-loopback address (passwords cross the network in clear)")
    up.add_argument("--mirror-port", type=int, default=int(os.environ.get("DOCKERLAB_REGISTRY_PORT", "5000")),
                    help="the teacher's registry the classroom mirror is seeded from (default %(default)s)")
    up.add_argument("--reseed", action="store_true", help="copy the lesson images into the classroom mirror again")
    up.add_argument("--cull-idle", type=int, default=None, metavar="SECONDS",
                    help="stop a server (and its engine) idle this long; 0: never (default 3600)")
    up.add_argument("--new-password", action="append", default=[], metavar="NAME",
                    help="give this person a new password (a new card); again for more")
    up.add_argument("--venv", default=str(DEFAULT_VENV))
    up.add_argument("--spawn", action="store_true", help="start every learner's server now")
    sub.add_parser("status", help="who is connected, their engines, containers and exercise results")
    stop = sub.add_parser("stop", help="stop and remove a learner's containers")
    stop.add_argument("learner")
    for name in ("spawn", "halt"):
        sp = sub.add_parser(name, help=f"{'start' if name == 'spawn' else 'stop'} learners' servers")
        sp.add_argument("learners", nargs="*", help="default: every learner")
    down = sub.add_parser("down", help="stop the hub, every learner's server and engine")
    down.add_argument("--remove-learners", action="store_true",
                      help="also delete the accounts it made, after packing each one's work into --archive")
    keep = down.add_mutually_exclusive_group()
    keep.add_argument("--archive", default="", help="where the work goes (default STATE/archives)")
    keep.add_argument("--discard-work", action="store_true", help="delete the accounts without keeping their work")
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
    names = [n.strip() for n in a.names.split(",") if n.strip()] if a.names else accounts.learner_names(a.learners, a.prefix)
    if a.teacher in names:
        raise ClassroomError(f"The teacher's name {a.teacher!r} is also a learner's", state="nothing was started",
                             hint="choose another: --teacher NAME")
    try:  # keep the token (and the culling, unless told) of a classroom that was up before
        old = Settings.load(a.state)
    except ClassroomError:
        old = None
    s = Settings(state=a.state, venv=str(venv), learners=names, engines=a.engines, shared_host=a.shared_host,
                 mirror_port=a.mirror_port, ip=a.ip, port=a.port, teacher=a.teacher,
                 cull_idle=a.cull_idle if a.cull_idle is not None else (old.cull_idle if old else 3600))
    s.token = old.token if old else ""
    Path(s.state).mkdir(parents=True, exist_ok=True)
    os.chmod(s.state, 0o700)
    s.tls_cert, s.tls_key, s.fingerprint = tls.choose(state=s.state, ip=a.ip, cert=a.tls_cert, key=a.tls_key,
                                                      self_sign=a.self_signed, insecure_http=a.insecure_http,
                                                      warn=lambda m: print(m, file=sys.stderr))
    mirror = ClassMirror(s.state, s.mirror_served_port)
    if not mirror.pid() and (a.reseed or not mirror.seeded()) and not _mirror_answers(a.mirror_port):
        raise ClassroomError(f"No registry answers on 127.0.0.1:{a.mirror_port} to seed the classroom mirror from",
                             state="nothing was started",
                             hint=f"start it: dockerlab mirror start --port {a.mirror_port} (learners never pull from Docker Hub)")
    s.save()
    held = mirror.open(a.mirror_port, reseed=a.reseed)
    groups = ()
    if a.engines == "shared":
        g = _socket_group(a.shared_host)
        groups = (g,) if g and g != "root" else ()
    notebooks = venv / "share" / "dockerlab" / "notebooks"
    made = [n for n in s.accounts if accounts.ensure(n, notebooks, groups=groups)]
    # an account made now gets a password made now: never one a card of an earlier class still shows
    new = signin.ensure_passwords(s.state, s.accounts, renew=tuple(a.new_password) + tuple(made))
    st = Path(s.state)
    (st / "jupyterhub_config.py").write_text(CONFIG.format(state=str(st)))
    from dataclasses import asdict

    changed = old is not None and asdict(old) != asdict(s)
    if old is not None and (old.ip, old.port, old.tls_cert, old.tls_key) != (s.ip, s.port, s.tls_cert, s.tls_key):
        stop_hub(s)  # where learners sign in changed: the proxy too (the new hub gives it the routes)
        _stop_pidfile(st / "proxy.pid")
    if _hub_pid(s) is None:
        start_hub(s)
    elif new or changed:  # the hub reads its settings at its start: restart it (the servers go on)
        restart_hub(s)
    cards = signin.write_cards(s.state, s.url, new, fingerprint=s.fingerprint, teacher=s.teacher)
    print(f"Classroom up at {s.url} ({len(names)} learners, {'an engine each' if a.engines == 'own' else 'one shared engine: ' + s.shared_host})")
    if s.fingerprint:
        print(f"  HTTPS, certificate SHA-256 {s.fingerprint}")
    print(f"  learners: {', '.join(names)}" + (f" (accounts made now: {len(made)})" if made else ""))
    print(f"  teacher:  {s.teacher} (a hub admin: {s.url}/hub/admin); sudo dockerlab classroom status")
    if new:
        print("  passwords (shown this once; the cards: " + str(cards) + "):")
        for n, pw in sorted(new.items()):
            print(f"    {n:<16} {pw}")
    print(f"  mirror:   127.0.0.1:{s.mirror_served_port}, read-only: {', '.join(sorted(held))}"
          + (f" (10.0.2.2:{s.mirror_served_port} inside each learner's engine)" if a.engines == "own" else ""))
    print(f"  idle servers stop after {s.cull_idle} s" if s.cull_idle else "  idle servers are never stopped")
    print(f"  the hub's log: {st / 'hub.log'}")
    if a.spawn:
        spawn_all(s, names)
    return 0


def start_hub(s: Settings, wait: float = 90) -> int:
    """Start the hub (it finds the proxy and the servers a previous hub left running)."""
    from .teacher import Classroom

    st = Path(s.state)
    _stop_pidfile(st / PIDFILE)  # a gate a hub stopped hard left running: its port is the new one's
    _stop_pidfile(st / CULLER_PIDFILE)  # and its culler, which would go on with the old timeout
    log = open(st / "hub.log", "ab")
    proc = subprocess.Popen([f"{s.venv}/bin/jupyterhub", "-f", str(st / "jupyterhub_config.py")], cwd=st,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "PATH": f"{s.venv}/bin:{os.environ.get('PATH', '/usr/bin:/bin')}"})
    (st / "hub.pid").write_text(str(proc.pid))
    room = Classroom(settings=s)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ClassroomError("The hub exited at start", state=f"its log: {st / 'hub.log'}",
                                 hint="read the log's last lines")
        try:
            room.api("GET", "/", timeout=2)
            if _proxy_routes_the_hub(s):  # the proxy has its /hub route: learners can sign in
                return proc.pid
        except OSError:
            pass
        time.sleep(0.3)
    raise ClassroomError(f"The hub did not answer within {wait:.0f} s", state=f"its log: {st / 'hub.log'}")


def _proxy_routes_the_hub(s: Settings) -> bool:
    """Where learners sign in answers the hub's API (the proxy has the hub's route)."""
    import ssl

    ctx = None
    if s.tls_cert:  # our own proxy on our own address, asked only whether it answers (a teacher's
        ctx = ssl.create_default_context()  # certificate may name a host, not this address)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    try:
        with urllib.request.urlopen(f"{s.url}/hub/api/", timeout=3, context=ctx) as r:
            return r.status == 200
    except (OSError, ValueError, ssl.SSLError):
        return False


def stop_hub(s: Settings) -> None:
    """Stop the hub only: the proxy, the servers and their engines go on (cleanup_servers=False)."""
    hub = _hub_pid(s)
    if hub:
        os.kill(hub, signal.SIGTERM)
        _wait_gone(hub, 20)
    (Path(s.state) / "hub.pid").unlink(missing_ok=True)


def restart_hub(s: Settings) -> int:
    stop_hub(s)
    return start_hub(s)


def _hub_pid(s: Settings) -> int | None:
    try:
        pid = int((Path(s.state) / "hub.pid").read_text())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None  # a zombie (nobody reaped the hub we started) is gone


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
    if a.remove_learners and not a.discard_work:  # the work first: nothing is deleted unless it is kept
        folder = Path(a.archive or st / "archives")
        kept = {}
        for n in s.accounts:
            try:
                path = accounts.archive(n, folder)
            except OSError as e:
                raise ClassroomError(f"Could not keep {n}'s work in {folder}: {e.strerror or e}",
                                     state="nothing was stopped or deleted",
                                     hint="free some space or give another folder: --archive DIR "
                                          "(or --discard-work to delete the accounts without it)") from None
            if path:
                kept[n] = path
        print(f"work kept ({len(kept)} archives of ~/notebooks and ~/.dockerlab) in {folder}")
    hub = _hub_pid(s)
    if hub:
        from .teacher import Classroom

        room = Classroom(settings=s)
        for n in s.accounts:  # the hub stops their servers, and its post_stop_hook their engines
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
            if not any((users.get(n, {}).get("servers") or {}) for n in s.accounts):
                break
            time.sleep(0.5)
        stop_hub(s)
    _stop_pidfile(st / "proxy.pid")
    _stop_pidfile(st / PIDFILE)
    _stop_pidfile(st / CULLER_PIDFILE)
    ClassMirror(s.state, s.mirror_served_port).stop()
    for n in s.accounts:  # whatever is left (a hub killed hard): engines, then servers, by pid
        if accounts.exists(n):
            LearnerEngine.of(n).stop()
            LearnerEngine.of(n).remove_cgroups()
            accounts.stop_processes(n)
    for f in ("hub.pid", "proxy.pid"):
        (st / f).unlink(missing_ok=True)
    if a.remove_learners:
        gone = [n for n in s.accounts if accounts.remove(n)]
        signin.forget(s.state, s.accounts)  # their passwords go with them: a card kept opens nothing
        print(f"removed accounts: {', '.join(gone) or 'none'}")
    print("Classroom down.")
    return 0


def _stop_pidfile(path: Path) -> None:
    try:
        pid = int(path.read_text())
    except (OSError, ValueError):
        return
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        _wait_gone(pid, 10)
    path.unlink(missing_ok=True)


def _wait_gone(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
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
