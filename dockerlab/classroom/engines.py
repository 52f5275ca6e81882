"""One rootless Docker Engine per learner, started and stopped by root (the hub's hooks).

Each learner's engine is Debian's ``dockerd`` inside ``rootlesskit`` (user, mount and
network namespaces, slirp4netns), run as the learner, its socket in the learner's
``/run/user/UID`` (mode 700: no other learner, and no learner on the host's socket).

Two things differ from ``dockerd-rootless.sh`` (RECIPES.md, "A rootless engine per learner"):

- rootlesskit runs without ``--disable-host-loopback``, so the engine reaches the classroom
  mirror on the host's 127.0.0.1 as ``10.0.2.2`` (slirp4netns's host address, which exists only
  inside the learner's namespace); it is its ``--registry-mirror``, never Docker Hub;
- before rootlesskit starts, root puts it in a cgroup of its own (cgroup v1 or v2, made by
  root): ``<learner>/engine`` for the engine, ``<learner>/containers`` for what its containers
  run, under ``<learner>``, the learner's whole budget (``pids``, ``memory``, ``cpu``). A
  rootless engine on cgroup v1 cannot limit a container (``docker info``: Cgroup Driver none),
  so the engine's OCI runtime is :data:`RUNTIME_SCRIPT`, which moves itself into
  ``containers`` (the one cgroup root lets the learner write) before it execs runc: a
  container's processes fill the containers budget, and the engine keeps a reserve above it
  (:attr:`Limits.engine_pids`). A fork bomb or a memory hog in one learner's container starves
  neither the other learners nor that learner's own engine.
"""
from __future__ import annotations

import http.client
import os
import pwd
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import DockerLabError

ROOTLESS_SCRIPT = "/usr/share/docker.io/contrib/dockerd-rootless.sh"
CGROUP_ROOT = Path(os.environ.get("DOCKERLAB_CGROUP_ROOT", "/sys/fs/cgroup"))
CGROUP_PARENT = "dockerlab-classroom"
#: slirp4netns's address of the host, seen from inside a learner's network namespace
HOST_FROM_ENGINE = "10.0.2.2"
#: the registry address the lessons use (``docker pull 127.0.0.1:5000/library/busybox``)
LESSON_REGISTRY_PORT = 5000
#: where root writes the learners' OCI runtime (root-owned: a learner can run it, not change it). Not in
#: the classroom's state folder, which is root's alone (mode 700: the cards, the hashes, the token)
RUNTIME_PATH = Path(os.environ.get("DOCKERLAB_CLASSROOM_LIB", "/var/lib/dockerlab/classroom-runtime")) / "runc-budget"
#: the runtime: runc, which moves into the learner's ``containers`` cgroup to start something
#: (each controller's line of /proc/self/cgroup that ends in .../<learner>/engine names the
#: cgroup next to it); it manages what runs from the engine's
RUNTIME_SCRIPT = f"""#!/bin/sh
# dockerlab classroom: what runc starts (create, run, exec) runs in the learner's containers
# budget; the rest (kill, delete, state...) in the engine's, so a full budget can still be stopped
move=
for a in "$@"; do case "$a" in create|run|exec) move=1; break ;; esac; done
[ -n "$move" ] && while IFS=: read -r _ ctrl path; do
    case "$path" in
        /{CGROUP_PARENT}/*/engine)
            dir="/sys/fs/cgroup/$ctrl${{path%/engine}}/containers"
            echo $$ > "$dir/cgroup.procs" 2>/dev/null ;;
    esac
done < /proc/self/cgroup
exec runc "$@"
"""
#: the learner cgroup's parts: the engine's, and the containers' (the runtime moves into it)
PARTS = ("engine", "containers")


class ClassroomError(DockerLabError):
    """The classroom could not do what was asked (an engine, an account, the hub)."""


@dataclass(frozen=True)
class Limits:
    """One learner's budget: engine + containers + everything they fork, together."""

    pids: int = 2048  # the containers' budget; threads count
    memory: int = 2 << 30  # bytes, the containers'
    cpu_shares: int = 1024  # cgroup v1 cpu.shares (v2: cpu.weight 100), the learner's as a whole
    engine_pids: int = 1024  # the engine's reserve above its containers' (an idle one has ~120 threads)
    engine_memory: int = 512 << 20  # bytes, likewise

    @classmethod
    def from_env(cls) -> "Limits":
        env = os.environ
        return cls(pids=int(env.get("DOCKERLAB_LEARNER_PIDS", cls.pids)),
                   memory=int(env.get("DOCKERLAB_LEARNER_MEMORY", cls.memory)),
                   cpu_shares=int(env.get("DOCKERLAB_LEARNER_CPU_SHARES", cls.cpu_shares)))


@dataclass(frozen=True)
class LearnerEngine:
    """Where one learner's engine lives. Root reads and writes these paths; the learner too."""

    user: str
    uid: int
    gid: int
    home: str

    @classmethod
    def of(cls, user: str) -> "LearnerEngine":
        try:
            pw = pwd.getpwnam(user)
        except KeyError:
            raise ClassroomError(f"There is no Linux account {user!r}", state="no engine was started",
                                 hint="create the learners first: dockerlab classroom users --count N") from None
        return cls(user=user, uid=pw.pw_uid, gid=pw.pw_gid, home=pw.pw_dir)

    @property
    def runtime_dir(self) -> Path:
        return Path(f"/run/user/{self.uid}")

    @property
    def socket(self) -> Path:
        return self.runtime_dir / "docker.sock"

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def pidfile(self) -> Path:  # rootlesskit's pid, written by root (the learner cannot forge it)
        return Path(os.environ.get("DOCKERLAB_CLASSROOM_RUN", "/run/dockerlab-classroom")) / f"{self.user}.pid"

    @property
    def log(self) -> Path:
        return self.pidfile.with_suffix(".log")

    def cgroups(self, part: str = "") -> list[Path]:
        """This learner's cgroup directories (one per v1 controller, or one on v2): the whole
        budget, or one ``part`` of it (``"engine"``, ``"containers"``)."""
        if (CGROUP_ROOT / "cgroup.controllers").exists():  # cgroup v2, unified
            whole = [CGROUP_ROOT / CGROUP_PARENT / self.user]
        else:
            whole = [CGROUP_ROOT / c / CGROUP_PARENT / self.user for c in ("pids", "memory", "cpu")
                     if (CGROUP_ROOT / c).is_dir()]
        return [cg / part for cg in whole] if part else whole

    def pids(self, part: str = "containers") -> tuple[int, int | None] | None:
        """``(current, max)`` of a part's pids (the containers' by default; max None: no limit of
        its own, as the engine's part, which counts in the learner's whole budget), or None."""
        for cg in self.cgroups(part):
            try:
                limit = (cg / "pids.max").read_text().strip()
                return int((cg / "pids.current").read_text()), None if limit == "max" else int(limit)
            except (OSError, ValueError):
                continue
        return None

    # --- state -------------------------------------------------------------------------
    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def answers(self, timeout: float = 2.0) -> bool:
        """The engine answers ``GET /_ping`` on its socket."""
        try:
            conn = _UnixHTTP(str(self.socket), timeout=timeout)
            conn.request("GET", "/_ping")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def processes(self) -> list[int]:
        """Every process in this learner's cgroup: the engine and all its containers' processes."""
        pids: set[int] = set()
        for cg in self.cgroups():
            for d in (cg, *(cg / p for p in PARTS)):
                try:
                    pids.update(int(p) for p in (d / "cgroup.procs").read_text().split())
                except OSError:
                    continue
        return sorted(pids)

    def memory_bytes(self) -> int | None:
        """What the learner's cgroup uses now (engine + containers), or None."""
        for cg in self.cgroups():
            for name in ("memory.usage_in_bytes", "memory.current"):
                try:
                    return int((cg / name).read_text())
                except (OSError, ValueError):
                    continue
        return None

    # --- start and stop ---------------------------------------------------------------------
    def command(self, mirror_port: int) -> list[str]:
        mirror = f"{HOST_FROM_ENGINE}:{mirror_port}"
        return ["rootlesskit", "--net=slirp4netns", "--mtu=65520", "--slirp4netns-sandbox=auto",
                "--slirp4netns-seccomp=auto", "--port-driver=builtin", "--copy-up=/etc", "--copy-up=/run",
                "--propagation=rslave", f"--state-dir={self.runtime_dir}/dockerlab-rootlesskit",
                # inside the namespace: the lessons' 127.0.0.1:5000 forwarded to the classroom mirror, then dockerd
                "/bin/sh", "-c", '"$0" "$1" "$2" "$3" & shift 3; exec "$@"',
                "/usr/bin/python3", str(Path(__file__).with_name("forward.py")), f"127.0.0.1:{LESSON_REGISTRY_PORT}",
                mirror, ROOTLESS_SCRIPT, "--iptables=false", f"--registry-mirror=http://{mirror}",
                f"--insecure-registry={mirror}", f"--add-runtime=dockerlab-budget={RUNTIME_PATH}",
                "--default-runtime=dockerlab-budget"]

    def environment(self) -> dict:
        return {"HOME": self.home, "USER": self.user, "LOGNAME": self.user, "XDG_RUNTIME_DIR": str(self.runtime_dir),
                "PATH": "/usr/share/docker.io/contrib:/usr/sbin:/usr/bin:/sbin:/bin",
                "_DOCKERD_ROOTLESS_CHILD": "1"}  # the script then only execs dockerd (rootlesskit is ours)

    def _make_cgroups(self, limits: Limits) -> list[Path]:
        """The learner's budget and its two parts; returns the engine's part, one per controller.
        The containers' part is the learner's to write (the runtime moves itself into it)."""
        v2 = (CGROUP_ROOT / "cgroup.controllers").exists()
        whole = {"pids": limits.pids + limits.engine_pids, "memory": limits.memory + limits.engine_memory}
        made = []
        for cg in self.cgroups():
            try:
                if v2:
                    cg.parent.mkdir(exist_ok=True)
                    for d in (CGROUP_ROOT, cg.parent):
                        _write(d / "cgroup.subtree_control", "+pids +memory +cpu", quiet=True)
                    cg.mkdir(exist_ok=True)
                    _write(cg / "cgroup.subtree_control", "+pids +memory", quiet=True)
                    _write(cg / "pids.max", str(whole["pids"]))
                    _write(cg / "memory.max", str(whole["memory"]))
                    _write(cg / "cpu.weight", str(max(1, limits.cpu_shares * 100 // 1024)))
                    controller = ""
                else:
                    controller = cg.parent.parent.name
                    cg.mkdir(parents=True, exist_ok=True)
                    v1 = {"pids": ("pids.max", whole["pids"]), "cpu": ("cpu.shares", limits.cpu_shares),
                          "memory": ("memory.limit_in_bytes", whole["memory"])}
                    _write(cg / v1[controller][0], str(v1[controller][1]))
                for part in PARTS:
                    (cg / part).mkdir(exist_ok=True)
                box = cg / "containers"
                if controller in ("", "pids"):
                    _write(box / "pids.max", str(limits.pids))
                if controller == "memory":
                    _write(box / "memory.limit_in_bytes", str(limits.memory))
                elif controller == "":
                    _write(box / "memory.max", str(limits.memory))
                for f in ("", "cgroup.procs", "tasks"):  # the learner may move its own processes in
                    if (box / f).exists():
                        os.chown(box / f, self.uid, self.gid)
                made.append(cg / "engine")
            except OSError:
                continue  # no writable cgroup here: the engine runs, unbounded (doctor says so)
        return made

    def _write_runtime(self) -> None:
        RUNTIME_PATH.parent.mkdir(parents=True, exist_ok=True)
        RUNTIME_PATH.parent.chmod(0o755)
        if not RUNTIME_PATH.exists() or RUNTIME_PATH.read_text() != RUNTIME_SCRIPT:
            tmp = RUNTIME_PATH.with_suffix(".new")
            tmp.write_text(RUNTIME_SCRIPT)
            tmp.chmod(0o755)
            tmp.replace(RUNTIME_PATH)
        blocked = [str(p) for p in (*reversed(RUNTIME_PATH.parents), RUNTIME_PATH)
                   if not p.stat().st_mode & 0o001]  # a folder others may not enter, or a file they may not run
        if blocked:  # every container of every learner would fail with "permission denied"
            raise ClassroomError(f"The learners' OCI runtime {RUNTIME_PATH} cannot be run by them: {blocked[0]} "
                                 "is closed to other users",
                                 state="no learner's engine was started",
                                 hint="DOCKERLAB_CLASSROOM_LIB must name a folder every user may enter")

    def start(self, *, mirror_port: int = 5000, limits: Limits | None = None, wait: float = 60.0,
              attempts: int = 2) -> int:
        """Start the learner's engine (as root); return rootlesskit's pid once the socket answers.
        On a loaded machine containerd can miss dockerd's start timeout: one more try then."""
        for attempt in range(attempts):
            try:
                return self._start(mirror_port=mirror_port, limits=limits, wait=wait)
            except ClassroomError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _start(self, *, mirror_port: int, limits: Limits | None, wait: float) -> int:
        if os.geteuid() != 0:
            raise ClassroomError("Starting a learner's engine needs root", state="no engine was started",
                                 hint="run the classroom as root (sudo dockerlab classroom up)")
        if self.pid() and self.answers():
            return self.pid()
        self.stop()  # a half-started or crashed one: clear it first
        limits = limits or Limits.from_env()
        rt = self.runtime_dir
        rt.mkdir(parents=True, exist_ok=True)
        os.chown(rt, self.uid, self.gid)
        os.chmod(rt, 0o700)  # no other learner may reach the socket inside
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.pidfile.parent, 0o755)
        cgroups = self._make_cgroups(limits)
        self._write_runtime()
        # join the cgroups, then become the learner, then exec rootlesskit: nothing escapes the budget
        join = "".join(f'echo $$ > "{cg}/cgroup.procs" && ' for cg in cgroups)
        script = join + 'u=$1 g=$2; shift 2; exec setpriv --reuid="$u" --regid="$g" --init-groups -- "$@"'
        log = open(self.log, "ab")
        os.fchown(log.fileno(), 0, self.gid)  # root's and that learner's (their own group) only
        os.fchmod(log.fileno(), 0o640)
        proc = subprocess.Popen(["/bin/sh", "-c", script, "dockerlab-learner-engine", str(self.uid), str(self.gid), *self.command(mirror_port)],
                                env=self.environment(), cwd=self.home, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.pidfile.write_text(str(proc.pid))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-1500:]
                raise ClassroomError(f"{self.user}'s engine exited at start (code {proc.returncode})",
                                     state=f"its log ({self.log}) ends:\n{tail}",
                                     hint="check: apt-get install rootlesskit uidmap slirp4netns; a subuid range in /etc/subuid")
            if self.answers():
                return proc.pid
            time.sleep(0.2)
        raise ClassroomError(f"{self.user}'s engine did not answer within {wait:.0f} s", state=f"its log: {self.log}",
                             hint="the machine may be overloaded; try again")

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the learner's engine and every process in its cgroup (its containers too)."""
        pid = self.pid()
        stopped = False
        if pid:
            _signal(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.1)
            stopped = True
        for p in self.processes():  # whatever is left in the learner's budget (containers, shims)
            _signal(p, signal.SIGKILL)
            stopped = True
        deadline = time.monotonic() + 5
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid and _alive(pid):
            _signal(pid, signal.SIGKILL)
        try:
            self.pidfile.unlink()
        except FileNotFoundError:
            pass
        for name in ("docker.sock", "docker.pid"):
            try:
                (self.runtime_dir / name).unlink()
            except (FileNotFoundError, NotADirectoryError):
                pass
        if not self.processes():  # an engine killed hard leaves containerd's state: a restart must not meet it
            import shutil

            for name in ("docker", "dockerlab-rootlesskit"):
                shutil.rmtree(self.runtime_dir / name, ignore_errors=True)
        return stopped

    def remove_cgroups(self) -> None:
        for cg in self.cgroups():
            for d in (*(cg / p for p in PARTS), cg):
                try:
                    d.rmdir()
                except OSError:
                    pass


def _write(path: Path, value: str, quiet: bool = False) -> None:
    try:
        path.write_text(value)
    except OSError:
        if not quiet:
            raise


def _signal(pid: int, sig) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (our own child, not yet reaped) is gone for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class _UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)
