"""Faults, each on a real engine: what a classroom meets, and that the kit survives it.

The shared engine is never stopped: the engine-restart, interrupted-pull and
disk-full faults use a second dockerd of their own (tests/engine/second_engine.py)
on /run/dockerlab-fault/docker.sock, with a small tmpfs as its data root, and a
registry of their own on 127.0.0.1:5055 (dockerlab.mirror) behind a throttling
TCP proxy on 5056 that the test can cut.
"""
from __future__ import annotations

import glob
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from dockerlab import errors as E
from dockerlab import labels, mirror
from tests.engine.raw import raw

sys.path.insert(0, os.path.dirname(__file__))  # the helper beside this file, whatever pytest's import mode
from second_engine import MIRROR_PORT, SecondEngine
from waiting import wait_until

PROXY_PORT = MIRROR_PORT + 1
MiB = 1024**2


def _uid() -> str:
    return uuid.uuid4().hex[:8]


# --- the second engine and the registry ----------------------------------------------------
@pytest.fixture(scope="module")
def registry(tmp_path_factory, engine_lab):
    """The classroom mirror on 5055, holding two test images made on the shared engine:
    dlfault/mid (16 MB of random bytes: takes time to download) and dlfault/big
    (120 MB of zeros: a tiny download that unpacks to more than the second engine's disk)."""
    m = mirror.Mirror(port=MIRROR_PORT, state=tmp_path_factory.mktemp("mirror"))
    m.start()
    try:
        for name, cmd in (("mid", "head -c 16000000 /dev/urandom > /mid"), ("big", "head -c 120000000 /dev/zero > /big")):
            if m.has(f"dlfault/{name}"):
                continue
            box, target = f"flt-mk-{name}-{_uid()}", f"{m.registry_host}/dlfault/{name}:latest"
            try:
                for argv in (["docker", "run", "--name", box, "busybox", "sh", "-c", cmd], ["docker", "commit", box, target]):
                    p = subprocess.run(argv, capture_output=True, text=True)
                    assert p.returncode == 0, f"{' '.join(argv)}: {p.stderr}"
            finally:
                subprocess.run(["docker", "rm", "-f", box], capture_output=True)
            try:
                for ev in raw(engine_lab).push(f"{m.registry_host}/dlfault/{name}", "latest"):
                    assert not ev.failed, ev
            except E.DockerLabError as e:  # say all of it: this is set-up, not the fault under test
                pytest.fail(f"pushing the test image {target} to the test registry failed: {e}")
            finally:
                subprocess.run(["docker", "rmi", target], capture_output=True)
        yield m
    finally:
        m.stop()


@pytest.fixture(scope="module")
def second(engine_lab, tmp_path_factory):
    """A second dockerd; the lesson images reach it as a classroom with no network gets
    them: `dockerlab mirror export` on one engine, `import` on the other (docker save/load)."""
    se = SecondEngine()
    try:
        se.setup()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        se.teardown()
        pytest.skip(f"cannot start a second dockerd here: {e}")
    try:
        archive = tmp_path_factory.mktemp("archive") / "lessons.tar"
        mirror.export_images(raw(engine_lab), archive, ["alpine", "busybox"])
        loaded = mirror.import_images(se.lab().engine, archive)
        assert sorted(loaded) == ["alpine:latest", "busybox:latest"]
        yield se
    finally:
        se.teardown()


@pytest.fixture
def flab(second):
    second.ensure_up()  # an earlier test may have failed with the engine stopped
    lab = second.lab(owner="flt-" + _uid(), session="flt" + _uid(), lesson="test:faults")
    yield lab
    if second.answers():
        lab.cleanup("session")


class ThrottledProxy:
    """127.0.0.1:listen -> 127.0.0.1:target, at most ``rate`` bytes/s towards the client.
    ``cut()`` closes the listening socket and every connection, as a registry that dies."""

    def __init__(self, listen: int, target: int, rate: int):
        self.listen, self.target, self.rate = listen, target, rate
        self.sent = 0
        self._socks: list = []
        self._lock = threading.Lock()
        self._cut = threading.Event()

    def start(self) -> "ThrottledProxy":
        self._cut.clear()
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", self.listen))
        self.srv.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self):
        while not self._cut.is_set():
            try:
                c, _ = self.srv.accept()
                u = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                return
            with self._lock:
                self._socks += [c, u]
            threading.Thread(target=self._pipe, args=(c, u, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(u, c, True), daemon=True).start()

    def _pipe(self, a, b, throttle):
        try:
            while not self._cut.is_set():
                data = a.recv(16384)
                if not data:
                    break
                b.sendall(data)
                if throttle:
                    with self._lock:
                        self.sent += len(data)
                    time.sleep(len(data) / self.rate)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self._cut.set()
        try:
            self.srv.close()
        except OSError:
            pass
        with self._lock:
            for s in self._socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self._socks = []


# --- the engine stops in the middle of a stats snapshot, and comes back ------------------------
def test_engine_stops_mid_stats_and_comes_back(second, flab):
    c = flab.run("alpine", "sleep 600", name=f"flt-live-{_uid()}", detach=True)
    seen, errors = [], []

    def watch():  # `docker stats` snapshots one after another, as a monitor does
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                seen.append(flab.stats())
            except E.DockerLabError as e:
                errors.append(e)
                return
            except Exception as e:  # anything else is a bug: a learner would see a traceback
                errors.append(e)
                return

    t = threading.Thread(target=watch)
    t.start()
    assert wait_until(lambda: len(seen) >= 2, 15)  # snapshots under way
    second.stop()
    t.join(40)
    assert not t.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], E.EngineLost), errors
    msg = str(errors[0])
    assert "stopped" in msg and "Hint:" in msg and "Traceback" not in msg
    # no snapshot showed a made-up row of zeros while the engine was going away
    assert seen and all(df["PIDS"].min() >= 1 for df in seen), [df.to_dict("records") for df in seen]

    with pytest.raises(E.EngineLost) as ei:  # while it is down: a clear error, not a urllib3 traceback
        flab.ps()
    assert ei.value.hint and second.url in str(ei.value)

    second.start()
    # the same lab works again (no reconnect call needed), and nothing was lost (live-restore)
    assert flab.ps()["NAMES"].tolist() == [c.name]
    assert flab.container(c.name).state == "running"
    df = flab.stats()
    assert df["NAME"].tolist() == [c.name] and df["PIDS"].iloc[0] >= 1
    assert flab.exec(c.name, "echo back").output.strip() == "back"


def test_monitor_says_engine_lost_and_resumes(second, flab):
    from dockerlab.sampler import Sampler

    c = flab.run("alpine", "sleep 600", name=f"flt-mon-{_uid()}", detach=True)
    s = Sampler(flab).start()
    try:
        assert wait_until(lambda: len(s.series(c.name)) >= 1, 15)
        second.stop()
        assert wait_until(lambda: any("engine" in n.lower() for n in s.notes), 15), s.notes
        before = len(s.series(c.name))
        time.sleep(1.5)  # a while with the engine gone: the note is not repeated
        assert len(s.notes) <= 3, s.notes  # said so, once; no flood
        second.start()
        assert wait_until(lambda: len(s.series(c.name)) >= before + 2, 20), s.notes  # samples again
    finally:
        s.stop()
        second.ensure_up()


# --- "kill all" with confirm=True, on an engine of our own: still never another learner's ------------
def test_kill_all_confirmed_spares_other_learners(second, teacher):
    second.ensure_up()
    tag = _uid()
    alice = second.lab(owner=f"ka-alice-{tag}", session=f"kaa{tag}")
    bob = second.lab(owner=f"ka-bob-{tag}", session=f"kab{tag}")
    a = alice.run("alpine", "sleep 600", name=f"ka-a-{tag}", detach=True)
    b = bob.run("alpine", "sleep 600", name=f"ka-b-{tag}", detach=True)
    cli = second.cli("run", "-d", "--name", f"ka-cli-{tag}", "alpine", "sleep", "600").stdout.strip()  # not the kit's
    rep = bob.cleanup("kit", confirm=True)
    # alice's is left, counted, never named (nor its owner)
    assert rep.removed == [b.name] and [n for n, _ in rep.skipped] == ["1 container of other learners"]
    assert a.name not in repr(rep) and alice.owner not in repr(rep)
    rep = bob.cleanup("engine", confirm=True)  # docker rm -f $(docker ps -aq): the CLI's container goes, alice's stays
    assert rep.removed == [f"ka-cli-{tag}"] and [n for n, _ in rep.skipped] == ["1 container of other learners"]
    assert alice.container(a.name).state == "running"
    teacher(ALLOW_OTHERS="1")  # the teacher
    assert bob.cleanup("engine", confirm=True).removed == [a.name]
    assert cli and second.cli("ps", "-aq").stdout.strip() == ""


# --- a container removed from outside while it is shown --------------------------------------
def test_container_removed_from_outside_while_shown(lab):
    name = f"flt-gone-{_uid()}"
    c = lab.run("alpine", "sleep 600", name=name, detach=True)
    assert lab.ps()["NAMES"].tolist() == [name]
    result = {}

    def snap():  # through the engine's stats streams, which wait a second or two: long enough to be cut
        try:          # (the kernel's files answer in a quarter of a second, before the removal below)
            result["df"] = lab.stats([name], source="engine")
        except E.DockerLabError as e:
            result["err"] = e

    t = threading.Thread(target=snap)
    t.start()
    time.sleep(0.5)
    # someone runs `docker rm -f` in a terminal, in the middle of the snapshot
    subprocess.run(["docker", "rm", "-f", name], check=True, capture_output=True)
    t.join(20)
    assert "df" in result, result  # the snapshot ends quietly, without the row
    assert result["df"].empty
    assert lab.ps(all=True).empty and lab.stats().empty
    for act in (lambda: lab.stop(name), lambda: lab.logs(name), lambda: lab.exec(name, "true"),
                lambda: lab.stats([name])):
        with pytest.raises(E.ContainerNotFound) as ei:
            act()
        assert "ps(all=True)" in ei.value.hint
    assert lab.cleanup("session").removed == []  # nothing left, nothing to trip on
    # the name is free again
    assert lab.run("alpine", "echo again", name=name, rm=True).output.strip() == "again"
    assert c.name == name


# --- a pull interrupted: the registry dies mid-download ------------------------------------------
def test_pull_interrupted_then_retried(second, flab, registry):
    proxy = ThrottledProxy(PROXY_PORT, registry.port, rate=3 * MiB).start()
    ref = f"127.0.0.1:{PROXY_PORT}/dlfault/mid"
    events = []

    def progress(ev):
        events.append(ev)
        if ev.status == "Downloading" and proxy.sent > 2 * MiB and not proxy._cut.is_set():
            proxy.cut()  # the registry vanishes with 2 of 16 MB sent

    try:
        with pytest.raises(E.RegistryUnreachable) as ei:
            flab.pull(ref, progress=progress, quiet=True)
        assert proxy._cut.is_set() and any(ev.status == "Downloading" for ev in events)
        e = ei.value
        assert "cut off" in e.what and f"127.0.0.1:{PROXY_PORT}" in e.what and "pull again" in e.hint
        # nothing half-made is left, and what was there is intact
        assert not [t for im in flab.engine.images() for t in im.get("RepoTags") or [] if "dlfault" in t]
        assert flab.run("alpine", "echo intact", rm=True).output.strip() == "intact"
        # the registry is back: the same pull works
        proxy.rate = 64 * MiB
        proxy.start()
        img = flab.pull(ref, quiet=True)
        assert img.ref == f"{ref}:latest" and img.size > 15_000_000
    finally:
        proxy.cut()
        try:
            flab.remove_image(f"{ref}:latest", force=True)
        except E.DockerLabError:
            pass


# --- disk full on pull -------------------------------------------------------------------------------
def test_disk_full_on_pull(second, flab, registry):
    # big is 120 MB unpacked; the second engine's data root is an 80 MB tmpfs
    before = os.statvfs(second.data)
    with pytest.raises(E.EngineError) as ei:
        flab.pull(f"127.0.0.1:{MIRROR_PORT}/dlfault/big", quiet=True)
    e = ei.value
    assert "ran out of disk space" in e.what and "no space left on device" in e.explanation
    assert "system_df" in e.hint and "intact" in e.state
    # the partial layer is discarded: at once on the classic store; on containerd's, its ingest goes
    # a moment after the error (seen: 100 % full when the pull failed, 1 % five seconds later)
    assert wait_until(lambda: os.statvfs(second.data).f_bfree >= before.f_bfree * 0.9, 30), \
        f"{os.statvfs(second.data).f_bfree} blocks free, {before.f_bfree} before the pull"
    assert flab.run("alpine", "echo still-fine", rm=True).output.strip() == "still-fine"


def test_disk_full_while_running_says_the_output_may_be_lost(second, flab):
    """The container fills the engine's disk, then prints: the engine cannot write its log, so the
    run has no output and exit code 0. The kit says why instead of showing nothing."""
    res = flab.run("alpine", "sh -c 'dd if=/dev/zero of=/fill bs=1M 2>/dev/null; echo after-the-fill'", rm=True)
    try:
        assert res.output == "" and res.exit_code == 0  # what the engine gives: nothing, and success
        assert "the engine's disk" in repr(res) and "may have been lost" in repr(res)
    finally:
        assert os.statvfs(second.data).f_bavail * os.statvfs(second.data).f_frsize > MiB  # rm freed it
    ok = flab.run("alpine", "echo still-fine", rm=True)
    assert ok.output.strip() == "still-fine" and ok.note == ""
    assert flab.run("alpine", "true", rm=True).note == ""  # no output, and a disk with room: nothing to say


# --- a container OOM-killed ---------------------------------------------------------------------------
def test_oom_killed_is_shown_as_such(lab):
    r = lab.run("alpine", ["sh", "-c", "tail /dev/zero"], memory="8m", name=f"flt-oom-{_uid()}")
    assert r.exit_code == 137 and r.container.oom_killed and not r.ok
    text = repr(r)
    assert "exit code 137" in text and "out of memory" in text and "memory limit" in text
    assert "docker run --memory 8m" in lab.history[-1] or "--memory" in lab.history[-1]


# --- a name conflict raced by two launches --------------------------------------------------------------
def test_name_conflict_raced_by_two_launches(lab):
    for _ in range(3):
        name = f"flt-race-{_uid()}"
        barrier = threading.Barrier(2)
        results = []

        def launch():
            barrier.wait()
            try:
                results.append(lab.run("alpine", "sleep 60", name=name, detach=True))
            except E.DockerLabError as e:
                results.append(e)

        threads = [threading.Thread(target=launch) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert isinstance(losers[0], E.NameConflict) and losers[0].name == name
        assert losers[0].existing_id == winners[0].short_id and "remove" in losers[0].hint
        assert len(lab.ps(scope="session")) == 1  # the loser left nothing behind
        lab.remove(name, force=True)


# --- a fork bomb is contained by the pids limit; the host stays responsive ----------------------------------
def test_fork_bomb_is_contained(lab):
    limit = 64
    # the bomb runs in a child; the main process (pid 1) becomes `sleep` at once and never forks again, so
    # it survives the bomb (a shell that cannot fork exits, and pid 1 exiting would end the container)
    c = lab.run("busybox", ["sh", "-c", "sh -c 'f(){ f|f& }; f' & exec sleep 600"], pids=limit,
                name=f"flt-bomb-{_uid()}", detach=True)
    assert lab.engine.inspect_container(c.id)["HostConfig"]["PidsLimit"] == limit
    def refused_forks():
        """How many forks the kernel refused at the limit (the cgroup's pids.events), None if unreadable."""
        for path in (f"/sys/fs/cgroup/pids/docker/{c.id}/pids.events",  # cgroup v1 (here)
                     f"/sys/fs/cgroup/system.slice/docker-{c.id}.scope/pids.events"):  # v2, systemd driver
            try:
                return int(open(path).read().split()[-1])
            except (OSError, ValueError, IndexError):
                continue
        return None

    try:
        peak, host_delays, seen = 0, [], []
        deadline = time.monotonic() + 12

        def pressed() -> bool:  # proof the bomb hit the limit: the kernel refused forks (or, lacking the
            n = refused_forks()  # counter, the count came within a few of the limit)
            return n > 0 if n is not None else peak >= limit - 4

        while time.monotonic() < deadline and (len(seen) < 4 or not pressed()):
            s = lab.engine.stats(c.id, stream=False, one_shot=True)
            pids = s.get("pids_stats") or {}  # empty in a sample taken before the cgroup is read
            seen.append((s.get("read"), pids))
            assert pids.get("limit", limit) == limit
            peak = max(peak, pids.get("current", 0))
            assert pids.get("current", 0) <= limit
            t0 = time.monotonic()
            subprocess.run(["true"], check=True)  # the host still forks and runs a command
            host_delays.append(time.monotonic() - t0)
            time.sleep(0.3)
        assert pressed() and peak >= limit // 2, (
            f"the bomb never pressed the limit (peak {peak}, refused forks {refused_forks()}, state "
            f"{lab.container(c.id).state}, samples {seen}): the test proves nothing")
        assert max(host_delays) < 2.0, host_delays
        assert lab.container(c.id).state == "running"  # contained, not crashed
    finally:
        t0 = time.monotonic()
        lab.remove(c.id, force=True)
        assert time.monotonic() - t0 < 10  # and it can be stopped at once


# --- cleanup that survives a crashed kernel ------------------------------------------------------------------
KERNEL = textwrap.dedent("""
    import os, sys, dockerlab
    lab = dockerlab.connect(owner=sys.argv[1], show_cli=False)
    lab.run("alpine", "sleep 600", name=sys.argv[2], detach=True)
    print("up", flush=True)
    if sys.argv[3] == "crash":
        os.kill(os.getpid(), 9)        # a crashed kernel: no atexit hook runs
    elif sys.argv[3] == "live":
        sys.stdin.read()               # a kernel still running
    # "exit": a kernel shut down normally: the atexit hook runs
""")


def _kernel(owner, name, how):
    p = subprocess.Popen([sys.executable, "-c", KERNEL, owner, name, how], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "up"
    if how != "live":
        p.wait(60)
    return p


def _exists(engine, name) -> bool:
    try:
        engine.inspect_container(name)
        return True
    except E.ContainerNotFound:
        return False


def test_crashed_kernels_are_reaped_on_connect_never_someone_elses(engine_lab):
    import dockerlab

    tag = _uid()
    me, other = f"rp-me-{tag}", f"rp-other-{tag}"
    names = {k: f"rp-{k}-{tag}" for k in ("crashed", "live", "others", "exited")}
    live = None
    try:
        # in this order: each kernel's own connect() reaps what earlier crashed kernels left
        live = _kernel(me, names["live"], "live")
        _kernel(me, names["exited"], "exit")
        _kernel(me, names["crashed"], "crash")
        _kernel(other, names["others"], "crash")
        eng = raw(engine_lab)
        assert not _exists(eng, names["exited"])  # the atexit hook removed it
        assert all(_exists(eng, names[k]) for k in ("crashed", "live", "others"))

        lab = dockerlab.connect(owner=me, show_cli=False)  # the learner's next kernel
        assert lab.reaped.removed == [names["crashed"]]
        assert "gone" in repr(lab.reaped)
        assert not _exists(eng, names["crashed"])
        assert _exists(eng, names["live"])  # a kernel still alive keeps its containers
        assert _exists(eng, names["others"])  # someone else's crashed kernel: not ours to reap
        assert dockerlab.connect(owner=me, show_cli=False).reaped.removed == []  # nothing twice
    finally:
        if live is not None:
            live.stdin.close()
            live.wait(60)
        for owner in (me, other):
            for c in raw(engine_lab).containers(all=True, filters={"label": [f"{labels.OWNER}={owner}"]}):
                raw(engine_lab).remove(c["Id"], force=True)


def test_reaper_leaves_other_hosts_and_reused_pids_alone(engine_lab):
    from dockerlab import reaper

    tag = _uid()
    owner = f"rp-host-{tag}"
    eng = raw(engine_lab)
    base = dict(image="alpine", command=["sleep", "600"], host_config={"pids_limit": 16})
    try:
        # made on another machine with a pid that does not exist here: left alone
        far = labels.make_labels(owner=owner, session="far" + tag)
        far[labels.SESSION_HOST] = "another-host"
        far[labels.SESSION_PID] = "999999"
        eng.create_container(name=f"rp-far-{tag}", labels=far, **base)
        # made "by" pid 1, which started long before: alive, left alone
        old = labels.make_labels(owner=owner, session="old" + tag)
        old[labels.SESSION_PID] = "1"
        eng.create_container(name=f"rp-init-{tag}", labels=old, **base)
        # made by a pid that no longer exists on this host: reaped
        dead = labels.make_labels(owner=owner, session="dead" + tag)
        dead[labels.SESSION_PID] = "999999"
        eng.create_container(name=f"rp-dead-{tag}", labels=dead, **base)
        rep = reaper.reap_stale(eng, owner, current_session="now" + tag)
        assert rep.removed == [f"rp-dead-{tag}"] and rep.sessions == {"dead" + tag: "999999"}
        assert _exists(eng, f"rp-far-{tag}") and _exists(eng, f"rp-init-{tag}")
        # a reused pid: the process now holding it started after the container was made
        assert reaper.process_gone(os.getpid(), created=time.time() - 3600 * 24 * 365 * 30) is True
        assert reaper.process_gone(os.getpid(), created=time.time()) is False
    finally:
        for c in eng.containers(all=True, filters={"label": [f"{labels.OWNER}={owner}"]}):
            eng.remove(c["Id"], force=True)
