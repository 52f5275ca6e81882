"""A real classroom for the tests and the benchmark: `dockerlab classroom up` with N learner
accounts, servers spawned by the hub (REST API, the teacher's service token), learners' commands
run AS the learner WITH their server's environment (read from /proc/<server pid>/environ).

Needs root and `scripts/provision-classroom` (the tests call it). The classroom mirror is the
registry on 127.0.0.1:$DOCKERLAB_REGISTRY_PORT (default 5000), which provision-engine starts.
Everything started is stopped by pid and the accounts made are deleted (`classroom down
--remove-learners`), even when a test fails.
"""
from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("DOCKERLAB_CLASSROOM_VENV", "/opt/dockerlab/classroom-venv"))
MIRROR_PORT = int(os.environ.get("DOCKERLAB_REGISTRY_PORT", "5000"))


def provision() -> None:
    subprocess.run([str(ROOT / "scripts" / "provision-classroom")], check=True, stdout=subprocess.DEVNULL)


def free_port_block(n: int = 3) -> int:
    for base in range(18100, 19000, 10):
        ok = True
        for p in range(base, base + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free ports")


class Room:
    def __init__(self, *, learners: int, prefix: str, engines: str = "own", shared_host: str = "",
                 state: str | None = None, extra: tuple = ()):
        self.prefix, self.count, self.engines, self.shared_host = prefix, learners, engines, shared_host
        self.state = state or f"/run/dockerlab-classroom-test/{prefix}"
        self.port = free_port_block(5)
        self.learners = [f"{prefix}{i:02d}" for i in range(1, learners + 1)]
        self.teacher = f"{prefix}t"
        self.extra = tuple(extra)
        self.passwords: dict[str, str] = {}  # what `up` printed once
        self.out = ""

    def cli(self, *args, check=True, timeout=600) -> subprocess.CompletedProcess:
        env = {**os.environ, "PATH": f"{VENV}/bin:{os.environ.get('PATH', '/usr/bin:/bin')}"}
        return subprocess.run([str(VENV / "bin" / "dockerlab"), "classroom", "--state", self.state, *args],
                              capture_output=True, text=True, check=check, timeout=timeout, env=env)

    def up(self, spawn: bool = True, *more) -> float:
        args = ["up", "--learners", str(self.count), "--prefix", self.prefix, "--port", str(self.port),
                "--mirror-port", str(MIRROR_PORT), "--engines", self.engines, "--teacher", self.teacher,
                "--venv", str(VENV), *self.extra, *more]
        if self.shared_host:
            args += ["--shared-host", self.shared_host]
        t0 = time.monotonic()
        r = self.cli(*args, check=False)
        assert r.returncode == 0, r.stdout + r.stderr
        self.out = r.stdout + r.stderr
        if "passwords (shown this once" in r.stdout:  # "    NAME   PASSWORD" lines follow
            for line in r.stdout.split("passwords (shown this once", 1)[1].splitlines()[1:]:
                if not line.startswith("    "):
                    break
                name, pw = line.split()
                self.passwords[name] = pw
        if spawn:
            self.spawn(*self.learners)
        return time.monotonic() - t0

    @property
    def mirror_port(self) -> int:
        """The classroom's read-only mirror (what the learners' engines use), not the teacher's registry."""
        from dockerlab.classroom.settings import Settings

        return Settings.load(self.state).mirror_served_port

    @property
    def url(self) -> str:
        from dockerlab.classroom.settings import Settings

        return Settings.load(self.state).url

    def browser(self):
        """A signed-out web client of the hub (cookies kept; a self-signed certificate accepted)."""
        return Web(self.url)

    def spawn(self, *users) -> float:
        t0 = time.monotonic()
        r = self.cli("spawn", *users, check=False)
        assert r.returncode == 0, r.stdout + r.stderr + self.hub_log()
        return time.monotonic() - t0

    def halt(self, *users) -> None:
        self.cli("halt", *users)

    def down(self, *how) -> subprocess.CompletedProcess:
        """Everything stopped and the accounts deleted (default: their work not kept, as the
        tests' leftovers; the test of `down` itself asks for the archive)."""
        return self.cli("down", "--remove-learners", *(how or ("--discard-work",)), check=False)

    def fresh(self) -> None:
        """A classroom left by a killed run: stopped, its accounts and its state (the seeded
        mirror too) gone, so this run starts from what the teacher's registry holds now."""
        import shutil

        self.down()
        shutil.rmtree(self.state, ignore_errors=True)

    def hub_log(self, n: int = 4000) -> str:
        try:
            return Path(self.state, "hub.log").read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def room(self):
        from dockerlab.classroom.teacher import Classroom

        return Classroom(self.state)

    # --- acting as a learner -------------------------------------------------------------------
    @staticmethod
    def server_pid(user: str) -> int | None:
        uid = pwd.getpwnam(user).pw_uid
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                if d.stat().st_uid == uid and b"jupyterhub-singleuser" in (d / "cmdline").read_bytes():
                    return int(d.name)
            except OSError:
                continue
        return None

    @classmethod
    def server_env(cls, user: str) -> dict:
        pid = cls.server_pid(user)
        assert pid, f"{user}'s server is not running"
        raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        env = dict(kv.decode().split("=", 1) for kv in raw if b"=" in kv)
        return env

    def as_learner(self, user: str, argv: list[str], *, env: dict | None = None, timeout: float = 600,
                   input: str | None = None, cwd: str | None = None) -> subprocess.CompletedProcess:
        """Run ``argv`` as ``user`` with their server's environment (what their Terminal has)."""
        e = {**self.server_env(user), **(env or {})}
        pw = pwd.getpwnam(user)
        return subprocess.run(["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups", "--", *argv],
                              env=e, cwd=cwd or pw.pw_dir, capture_output=True, text=True, timeout=timeout, input=input)

    def popen_as_learner(self, user: str, argv: list[str], **kw) -> subprocess.Popen:
        e = {**self.server_env(user), "PYTHONUNBUFFERED": "1"}
        pw = pwd.getpwnam(user)
        return subprocess.Popen(["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups", "--", *argv],
                                env=e, cwd=pw.pw_dir, text=True, **kw)

    def run_notebooks(self, user: str, notebooks: list[str], timeout: float = 600) -> list[tuple[str, int, float, str]]:
        """Execute the learner's copies of ``notebooks`` in order, in a kernel of their server's
        Python, as them; (notebook, exit code, seconds, last error lines) for each."""
        out = []
        home = pwd.getpwnam(user).pw_dir
        for nb in notebooks:
            t0 = time.monotonic()
            r = self.as_learner(user, ["jupyter", "nbconvert", "--to", "notebook", "--execute",
                                       "--ExecutePreprocessor.timeout=300", "--output-dir", f"{home}/executed",
                                       f"{home}/notebooks/{nb}"], timeout=timeout, cwd=f"{home}/notebooks")
            tail = "\n".join(l for l in (r.stdout + r.stderr).splitlines() if l.strip())[-1500:]
            out.append((nb, r.returncode, time.monotonic() - t0, tail if r.returncode else ""))
        return out

    def run_everyone(self, notebooks: list[str], users=None) -> dict:
        users = users or self.learners
        with ThreadPoolExecutor(len(users)) as pool:
            return dict(zip(users, pool.map(lambda u: self.run_notebooks(u, notebooks), users)))


class Web:
    """A browser's part, with the standard library: cookies, the hub's _xsrf, no redirect followed
    unless asked, so a test sees each answer (a 302 to the login page is a refusal too)."""

    def __init__(self, base: str):
        import http.cookiejar
        import ssl
        import urllib.request

        self.base = base
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE  # the tests' own self-signed certificate
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        self._follow = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                   urllib.request.HTTPSHandler(context=ctx))
        self._stay = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                 urllib.request.HTTPSHandler(context=ctx), NoRedirect)

    def request(self, method: str, path: str, data: dict | None = None, *, follow: bool = False,
                headers: dict | None = None) -> tuple[int, str, str]:
        """(status, final URL, body)."""
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with (self._follow if follow else self._stay).open(req, timeout=120) as r:
                return r.status, r.geturl(), r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.geturl() if hasattr(e, "geturl") else path, e.read().decode(errors="replace")

    def xsrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "_xsrf"), "")

    def sign_in(self, user: str, password: str) -> int:
        """The login form, as a person fills it; the status of the answer (302: signed in)."""
        import re

        _, _, page = self.request("GET", "/hub/login")
        m = re.search(r'name="_xsrf" value="([^"]+)"', page)
        data = {"username": user, "password": password, **({"_xsrf": m.group(1)} if m else {})}
        return self.request("POST", "/hub/login?next=", data)[0]


def server_ready(room: Room, user: str) -> bool:
    """The hub says the user's server is ready (its REST API, the teacher's service token)."""
    u = room.room().users().get(user, {})
    return bool(((u.get("servers") or {}).get("") or {}).get("ready"))


def notebook_files(numbers: str) -> list[str]:
    nbs = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    want = [n.strip() for n in numbers.split(",") if n.strip()]
    return [nb for nb in nbs if nb[:2] in want]


if __name__ == "__main__":  # a classroom by hand: python tests/classroom/harness.py up|down PREFIX N
    cmd, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 2
    r = Room(learners=n, prefix=prefix)
    print(r.up() if cmd == "up" else r.down())
