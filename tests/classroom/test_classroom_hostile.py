"""The classroom tried as a hostile learner, on the real hub and engines (the room of conftest.py):
another's sign-in, server, home, engine log; writing to or deleting from the mirror; pushing over
another's image; then a hub restart mid-lesson, idle culling, HTTPS on a non-loopback address of a
bridge with no port, of the test's own, and a `down` that keeps the work. Each asserts the refusal or
the survival. Needs root; marked ``classroom``."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from .harness import Room, server_ready

pytestmark = [pytest.mark.classroom, pytest.mark.timeout(900)]
PY = "python3"

if os.geteuid() != 0:
    pytest.skip("the classroom makes Linux accounts: needs root", allow_module_level=True)


def learner_http(room, user, method, url):
    """An HTTP request from the learner's own Terminal (their uid, the host's loopback): the status."""
    code = ("import sys, urllib.request, urllib.error\n"
            "req = urllib.request.Request(sys.argv[2], method=sys.argv[1], data=b'' if sys.argv[1] != 'GET' else None)\n"
            "try:\n    print(urllib.request.urlopen(req, timeout=10).status)\n"
            "except urllib.error.HTTPError as e:\n    print(e.code)\n")
    r = room.as_learner(user, [PY, "-c", code, method, url])
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip())


def test_each_signs_in_with_their_own_password_and_reaches_only_their_own(room):
    a, b = room.learners[0], room.learners[1]
    assert set(room.passwords) == {*room.learners, room.teacher}
    assert len(set(room.passwords.values())) == len(room.passwords)  # each their own
    web = room.browser()
    assert web.sign_in(b, room.passwords[a]) == 403  # a's password does not open b's account
    assert web.sign_in(b, "") == 403 and web.sign_in("nobody", room.passwords[a]) == 403
    assert web.sign_in(a, room.passwords[a]) == 302
    status, _, page = web.request("GET", f"/user/{a}/lab", follow=True)
    assert status == 200 and "JupyterLab" in page, status  # their own JupyterLab
    status, where, page = web.request("GET", f"/user/{b}/lab", follow=True)
    assert status == 403 and "JupyterLab" not in page, (status, where)  # b's server refuses a
    assert web.request("GET", f"/hub/api/users/{b}", headers={"X-XSRFToken": web.xsrf()})[0] in (403, 404)
    assert web.request("GET", "/hub/admin")[0] == 403  # a learner is not an admin
    page = web.request("GET", "/hub/signup")
    assert page[0] == 404, page[0]  # nobody signs up: the accounts are the teacher's


def test_homes_and_engine_logs_are_private(room):
    a, b = room.learners[0], room.learners[1]
    home_b = Path(f"/home/{b}")
    assert oct(home_b.stat().st_mode & 0o777) == "0o700"
    r = room.as_learner(a, ["ls", str(home_b / "notebooks")])
    assert r.returncode != 0 and "Permission denied" in r.stderr, r.stdout + r.stderr
    r = room.as_learner(a, ["cat", f"/run/dockerlab-classroom/{b}.log"])
    assert r.returncode != 0 and "Permission denied" in r.stderr
    r = room.as_learner(b, ["head", "-c", "100", f"/run/dockerlab-classroom/{b}.log"])
    assert r.returncode == 0 and r.stdout, r.stderr  # their own log, readable by them


def test_the_mirror_refuses_every_write_and_holds_only_what_was_seeded(room):
    from dockerlab.classroom.settings import Settings

    s = Settings.load(room.state)
    mirror = f"http://127.0.0.1:{s.mirror_served_port}"
    seeded = json.loads(Path(room.state, "mirror", "seeded.json").read_text())
    u = room.learners[0]
    assert learner_http(room, u, "GET", f"{mirror}/v2/") == 200
    assert learner_http(room, u, "POST", f"{mirror}/v2/library/alpine/blobs/uploads/") == 405
    digest = seeded["library/alpine:latest"]
    assert learner_http(room, u, "DELETE", f"{mirror}/v2/library/alpine/manifests/{digest}") == 405
    for ref in ("127.0.0.1:5000/library/alpine:latest", "127.0.0.1:5000/library/alpine:evil"):  # through their engine
        assert room.as_learner(u, ["docker", "pull", "busybox"]).returncode == 0
        assert room.as_learner(u, ["docker", "tag", "busybox", ref]).returncode == 0
        r = room.as_learner(u, ["docker", "push", ref])
        assert r.returncode != 0 and "405" in r.stderr + r.stdout, r.stdout + r.stderr
    with __import__("urllib.request").request.urlopen(f"{mirror}/v2/_catalog", timeout=10) as resp:
        catalog = json.load(resp)["repositories"]
    assert sorted(catalog) == sorted({k.split(":")[0] for k in seeded}), catalog  # no leftovers, no pushes
    with __import__("urllib.request").request.urlopen(f"{mirror}/v2/library/alpine/tags/list", timeout=10) as resp:
        assert json.load(resp)["tags"] == ["latest"]


def test_a_push_goes_to_the_learners_own_registry_and_changes_nobody_elses(room):
    """Lesson 10's way: `docker run -d -p 5000 registry`, tag, push; the same name for both learners,
    different images: each pulls back their own."""
    pushed = {}
    for u, image in zip(room.learners[:2], ("alpine", "busybox")):
        room.as_learner(u, ["docker", "rm", "-f", "nb10-registry"])
        assert room.as_learner(u, ["docker", "pull", image]).returncode == 0
        r = room.as_learner(u, ["docker", "run", "-d", "--name", "nb10-registry", "-p", "127.0.0.1::5000", "registry"])
        assert r.returncode == 0, r.stderr
        port = room.as_learner(u, ["docker", "port", "nb10-registry", "5000"]).stdout.split()[0].rsplit(":", 1)[1]
        ref = f"127.0.0.1:{port}/nb10/hello:v2"
        assert room.as_learner(u, ["docker", "tag", image, ref]).returncode == 0
        for _ in range(30):  # it answers within a second of its start
            r = room.as_learner(u, ["docker", "push", ref])
            if r.returncode == 0:
                break
            time.sleep(0.3)
        assert r.returncode == 0, r.stderr
        pushed[u] = (ref, room.as_learner(u, ["docker", "image", "inspect", "-f", "{{.Id}}", image]).stdout.strip())
    for u, (ref, want) in pushed.items():
        room.as_learner(u, ["docker", "rmi", ref])
        assert room.as_learner(u, ["docker", "pull", ref]).returncode == 0
        got = room.as_learner(u, ["docker", "image", "inspect", "-f", "{{.Id}}", ref]).stdout.strip()
        assert got == want, (u, got, want)
    assert len({want for _, want in pushed.values()}) == 2
    for u in pushed:
        room.as_learner(u, ["docker", "rm", "-f", "nb10-registry"])


def test_the_teacher_is_a_hub_admin_and_stops_a_learners_server_from_the_admin_api(room):
    from dockerlab.classroom.engines import LearnerEngine

    u = room.learners[-1]
    assert room.as_learner(u, ["docker", "run", "-d", "--name", "kept-running", "alpine", "sleep", "600"]).returncode == 0
    web = room.browser()
    assert web.sign_in(room.teacher, room.passwords[room.teacher]) == 302
    assert web.request("GET", "/hub/admin", follow=True)[0] == 200
    users = json.loads(web.request("GET", "/hub/api/users", headers={"X-XSRFToken": web.xsrf()})[2])
    assert {x["name"] for x in users} >= set(room.learners)
    status = web.request("DELETE", f"/hub/api/users/{u}/server", headers={"X-XSRFToken": web.xsrf()})[0]
    assert status in (202, 204), status
    eng = LearnerEngine.of(u)
    deadline = time.monotonic() + 60
    while (eng.processes() or room.server_pid(u)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not eng.processes() and room.server_pid(u) is None  # the server, its engine, its containers
    assert Path(f"/home/{u}/notebooks").is_dir()  # the work stays
    room.spawn(u)


def test_the_teacher_sees_the_room_from_their_own_server_and_no_learner_can(room):
    """TeacherView in the teacher's own server (not root): the gate answers their token alone."""
    u, other = room.learners[0], room.learners[-1]
    assert room.as_learner(u, ["docker", "run", "-d", "--name", "seen-by-teacher", "alpine", "sleep", "600"]).returncode == 0
    room.spawn(room.teacher)
    code = ("from dockerlab.classroom.view import TeacherView\nv = TeacherView()\nprint(type(v.room).__name__)\n"
            "print(v.shown)\nv.stop(%r)\ngone = v.stop(%r)\nprint('GONE', gone)\n" % (u, u))
    r = room.as_learner(room.teacher, [PY, "-c", code])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("RemoteClassroom")  # through the gate, as the teacher's own uid (never root)
    assert Path(f"/proc/{room.server_pid(room.teacher)}").stat().st_uid == __import__("pwd").getpwnam(room.teacher).pw_uid != 0
    assert f"{u} seen-by-teacher alpine" in " ".join(r.stdout.split()), r.stdout
    assert "GONE [" in r.stdout and "'seen-by-teacher'" in r.stdout.split("GONE ", 1)[1], r.stdout
    assert "seen-by-teacher" not in room.as_learner(u, ["docker", "ps", "-a"]).stdout
    url = room.server_env(room.teacher)["DOCKERLAB_TEACHER_URL"]
    ask = ("import os, sys, urllib.request, urllib.error\n"
           "req = urllib.request.Request(sys.argv[1], method='POST', data=b'', headers="
           "{'Authorization': 'token ' + os.environ.get('JUPYTERHUB_API_TOKEN', '')})\n"
           "try:\n    print(urllib.request.urlopen(req, timeout=20).status)\n"
           "except urllib.error.HTTPError as e:\n    print(e.code)\n")
    r = room.as_learner(other, [PY, "-c", ask, f"{url}/stop/{u}"])  # a learner, with their own server's token
    assert r.stdout.strip() == "403", r.stdout + r.stderr
    r = room.as_learner(other, [PY, "-c", ask, f"{url}/stop/{u}"], env={"JUPYTERHUB_API_TOKEN": "forged"})
    assert r.stdout.strip() == "403", r.stdout + r.stderr
    room.halt(room.teacher)


def test_a_hub_restart_mid_lesson_keeps_servers_engines_and_containers(room):
    from dockerlab.classroom.engines import LearnerEngine

    u = room.learners[0]
    assert room.as_learner(u, ["docker", "run", "-d", "--name", "mid-lesson", "alpine", "sleep", "600"]).returncode == 0
    server, engine = room.server_pid(u), LearnerEngine.of(u).pid()
    hub = int(Path(room.state, "hub.pid").read_text())
    os.kill(hub, 15)  # as a config change or a crash would stop it
    deadline = time.monotonic() + 30
    while Path(f"/proc/{hub}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    assert room.server_pid(u) == server and LearnerEngine.of(u).pid() == engine
    r = room.as_learner(u, ["docker", "ps", "--format", "{{.Names}}"])
    assert "mid-lesson" in r.stdout.split(), r.stdout + r.stderr  # the lesson goes on without the hub
    t0 = time.monotonic()
    room.up(False)  # the hub again (the proxy kept running, with the routes)
    back = time.monotonic() - t0
    web = room.browser()
    assert web.sign_in(u, room.passwords[u]) == 302
    assert web.request("GET", f"/user/{u}/lab", follow=True)[0] == 200
    assert room.server_pid(u) == server and server_ready(room, u)
    print(f"\nhub restarted in {back:.1f} s; {u}'s server (pid {server}), engine and container kept")
    room.as_learner(u, ["docker", "rm", "-f", "mid-lesson"])


def test_idle_culling_stops_the_server_and_its_engine_and_keeps_the_work(room):
    from dockerlab.classroom.engines import LearnerEngine

    u = room.learners[0]
    assert room.as_learner(u, ["docker", "run", "-d", "--name", "idle", "alpine", "sleep", "600"]).returncode == 0
    room.up(False, "--cull-idle", "20")  # the teacher changes the default (3600 s): the hub restarts
    deadline = time.monotonic() + 120
    while room.server_pid(u) and time.monotonic() < deadline:
        time.sleep(1)
    assert room.server_pid(u) is None, "the idle culler did not stop the server within 120 s"
    deadline = time.monotonic() + 30
    while LearnerEngine.of(u).processes() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not LearnerEngine.of(u).processes()
    assert any(Path(f"/home/{u}/notebooks").glob("*.ipynb"))
    assert "idle-culler" in Path(room.state, "hub.log").read_text(errors="replace")
    room.up(False, "--cull-idle", "3600")
    room.spawn(*room.learners)


def test_https_on_a_non_loopback_address_and_plain_http_refused():
    """An interface of the test's own with a private address (10.254.24.1): a bridge with no port
    (this kernel has no dummy driver), forwarding off; the address is this machine's, nothing leaves."""
    import socket
    import ssl

    dev, ip = "dltls24", "10.254.24.1"
    subprocess.run(["ip", "link", "del", dev], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "link", "add", dev, "type", "bridge"], check=True)
    subprocess.run(["sysctl", "-qw", f"net.ipv4.conf.{dev}.forwarding=0"], check=True)
    r = Room(learners=1, prefix=os.environ.get("DOCKERLAB_CLASSROOM_PREFIX", "dlcown") + "x", extra=("--ip", ip))
    try:
        subprocess.run(["ip", "addr", "add", f"{ip}/32", "dev", dev], check=True)
        subprocess.run(["ip", "link", "set", dev, "up"], check=True)
        r.fresh()
        refused = r.cli("up", "--learners", "1", "--prefix", r.prefix, "--port", str(r.port), "--ip", ip,
                        "--insecure-http", "--teacher", r.teacher, "--mirror-port", "1", check=False)
        assert "WARNING" in refused.stderr and "in clear" in refused.stderr, refused.stderr
        r.up(False)
        assert r.url == f"https://{ip}:{r.port}"
        fp = next(line for line in r.out.splitlines() if "SHA-256" in line).split()[-1]
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        with socket.create_connection((ip, r.port), timeout=10) as raw, ctx.wrap_socket(raw) as tls:
            der = tls.getpeercert(binary_form=True)
        import hashlib

        assert ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()) == fp  # the printed fingerprint
        web = r.browser()
        assert web.sign_in(r.learners[0], r.passwords[r.learners[0]]) == 302
        with socket.create_connection((ip, r.port), timeout=10) as s:  # plain HTTP to the HTTPS port
            s.sendall(f"GET /hub/login HTTP/1.1\r\nHost: {ip}\r\n\r\n".encode())
            s.settimeout(10)
            try:
                answer = s.recv(200)
            except (ConnectionResetError, socket.timeout):
                answer = b""
        assert not answer.startswith(b"HTTP/1.1 200") and b"_xsrf" not in answer, answer
    finally:
        r.down()
        subprocess.run(["ip", "link", "del", dev], stderr=subprocess.DEVNULL)


def test_down_keeps_every_learners_work_before_deleting_the_accounts(room):
    import tarfile

    u = room.learners[0]
    if room.server_pid(u) is None:  # the culling test's short timeout may have stopped it once more
        room.spawn(u)
    code = "import pathlib; pathlib.Path('~/notebooks/MY-WORK.txt').expanduser().write_text('mine')"
    assert room.as_learner(u, [PY, "-c", code]).returncode == 0
    folder = Path(room.state, "kept")
    out = room.down("--archive", str(folder))
    assert out.returncode == 0, out.stderr
    assert "work kept" in out.stdout and str(folder) in out.stdout
    archives = sorted(folder.glob(f"{u}-*.tar.gz"))
    assert archives and oct(folder.stat().st_mode & 0o777) == "0o700"
    with tarfile.open(archives[-1]) as tar:
        names = tar.getnames()
        assert f"{u}/notebooks/MY-WORK.txt" in names
        assert tar.extractfile(f"{u}/notebooks/MY-WORK.txt").read() == b"mine"
    assert not Path(f"/home/{u}").exists()
    # the next class, with the same names: new passwords; a card kept from this one opens nothing
    old = dict(room.passwords)
    room.up(False)
    assert set(room.passwords) >= {u, room.teacher} and room.passwords[u] != old[u], room.out
    assert room.browser().sign_in(u, old[u]) != 302
    assert room.browser().sign_in(u, room.passwords[u]) == 302
