"""The kernel's counters, parsed from canned cgroup v1 and v2 file trees (no engine, no real /proc)."""
from __future__ import annotations

import os
import threading
import time

import pytest

from dockerlab import cgroups, kernel_stats, stats as stats_mod, stats_sources

CID = "ab" * 32
PID = 4242
MEMINFO = "MemTotal:       24683652 kB\nMemFree:        19927172 kB\n"
PROC_STAT = "cpu  1000 0 500 8000 100 0 400 77 0 0\ncpu0 500 0 250 4000 50 0 200 40 0 0\nintr 1 2 3\n"
NET_DEV = """Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
  eth0:    1296      16    0    0    0     0          0         0      726       9    0    0    0     0       0          0
"""
MEM_STAT_V1 = "cache 4096\nrss 49152\ninactive_file 100\ntotal_cache 8192\ntotal_rss 49152\ntotal_inactive_file 4096\n"
MEM_STAT_V2 = "anon 49152\nfile 8192\ninactive_anon 0\nactive_file 4096\ninactive_file 4096\n"


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def _proc(root, cgroup_text, mountinfo):
    proc = os.path.join(root, "proc")
    _write(f"{proc}/{PID}/cgroup", cgroup_text)
    _write(f"{proc}/{PID}/net/dev", NET_DEV)
    _write(f"{proc}/self/mountinfo", mountinfo)
    _write(f"{proc}/meminfo", MEMINFO)
    _write(f"{proc}/stat", PROC_STAT)
    return proc


def tree_v1(root, rel=f"/docker/{CID}", *, co_mounted=False, limit="9223372036854771712", blkio=None):
    """A hybrid v1 host as this machine is: cpu and cpuacct apart (or co-mounted as cpu,cpuacct)."""
    sysfs = os.path.join(root, "sys/fs/cgroup")
    cpu_dir = "cpu,cpuacct" if co_mounted else "cpuacct"
    ctrl = {"cpuacct": cpu_dir, "memory": "memory", "pids": "pids", "blkio": "blkio"}
    d = {k: f"{sysfs}/{v}{rel}" for k, v in ctrl.items()}
    _write(f"{d['cpuacct']}/cpuacct.usage", "2500000000\n")
    _write(f"{d['memory']}/memory.usage_in_bytes", "1052672\n")
    _write(f"{d['memory']}/memory.stat", MEM_STAT_V1)
    _write(f"{d['memory']}/memory.limit_in_bytes", limit + "\n")
    _write(f"{d['pids']}/pids.current", "3\n")
    for name in cgroups.V1_BLKIO_FILES:
        _write(f"{d['blkio']}/{name}", "Total 0\n")
    if blkio:
        _write(f"{d['blkio']}/blkio.throttle.io_service_bytes_recursive", blkio)
    cg_lines = [f"9:name=systemd:{rel}", f"8:pids:{rel}", f"7:blkio:{rel}", f"4:memory:{rel}",
                f"2:{'cpu,cpuacct' if co_mounted else 'cpuacct'}:{rel}", f"0::{rel}"]
    mounts = [f"31 23 0:28 / {sysfs} rw,relatime - tmpfs tmpfs rw,mode=755"]
    for i, (c, v) in enumerate(sorted(set((c, v) for c, v in ctrl.items()))):
        mounts.append(f"{40 + i} 31 0:{40 + i} / {sysfs}/{v} rw,relatime - cgroup cgroup rw,{v}")
    mounts.append(f"50 31 0:50 / {sysfs}/unified rw,relatime - cgroup2 cgroup2 rw")
    return _proc(root, "\n".join(cg_lines) + "\n", "\n".join(mounts) + "\n"), d


def tree_v2(root, rel=f"/system.slice/docker-{CID}.scope", *, limit="max"):
    sysfs = os.path.join(root, "sys/fs/cgroup")
    d = f"{sysfs}{rel}"
    _write(f"{d}/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n")
    _write(f"{d}/memory.current", "1052672\n")
    _write(f"{d}/memory.stat", MEM_STAT_V2)
    _write(f"{d}/memory.max", limit + "\n")
    _write(f"{d}/pids.current", "3\n")
    _write(f"{d}/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
                           "8:16 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n")
    mounts = f"30 23 0:26 / {sysfs} rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
    return _proc(root, f"0::{rel}\n", mounts), d


# --- pure parsing ---------------------------------------------------------------------------------
def test_proc_cgroup_v1_hybrid_counts_as_v1_and_v2_alone_as_v2():
    v, paths = cgroups.parse_proc_cgroup(f"4:memory:/docker/x\n2:cpu,cpuacct:/docker/x\n1:name=systemd:/docker/x\n0::/docker/x\n")
    assert v == 1 and paths == {"memory": "/docker/x", "cpu": "/docker/x", "cpuacct": "/docker/x"}
    assert cgroups.parse_proc_cgroup("0::/system.slice/docker-x.scope\n") == (2, {"": "/system.slice/docker-x.scope"})
    assert cgroups.parse_proc_cgroup("garbage\n") == (0, {})


def test_mountinfo_maps_controllers_and_finds_cgroup2():
    text = ("32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
            "35 31 0:32 /outer /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
            "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
            "50 23 0:50 / /mnt/with\\040space rw - ext4 /dev/sda1 rw\n")
    v1, v2 = cgroups.parse_mountinfo(text)
    assert v1["cpuacct"] == ("/sys/fs/cgroup/cpu,cpuacct", "/") and v1["memory"] == ("/sys/fs/cgroup/memory", "/outer")
    assert v2 == "/sys/fs/cgroup/unified"


def test_counter_files_parse_as_the_engine_reads_them():
    assert cgroups.parse_proc_stat_cpu(PROC_STAT, 100) == (1000 + 500 + 8000 + 100 + 400) * 10_000_000  # not steal
    assert cgroups.kv_value(MEM_STAT_V1, "total_inactive_file") == 4096
    assert cgroups.kv_value(MEM_STAT_V1, "inactive_file") == 100  # the line, not total_inactive_file's tail
    assert cgroups.kv_value(MEM_STAT_V1, "cache") == 4096 and cgroups.kv_value(MEM_STAT_V1, "nope") is None
    assert cgroups.parse_blkio("8:0 Read 4096\n8:0 Write 512\n8:0 Sync 9\n8:0 Total 4617\nTotal 4617\n") == (4096, 512)
    assert cgroups.parse_blkio("Total 0\n") is None
    assert cgroups.parse_io_stat("8:0 rbytes=1 wbytes=2 rios=3\n8:16 rbytes=10 wbytes=20\n") == (11, 22)
    assert cgroups.parse_net_dev(NET_DEV) == {"eth0": {"rx_bytes": 1296, "rx_packets": 16, "rx_errors": 0,
                                                       "rx_dropped": 0, "tx_bytes": 726, "tx_packets": 9,
                                                       "tx_errors": 0, "tx_dropped": 0}}
    assert cgroups.mem_total(MEMINFO) == 24683652 * 1024
    assert cgroups.parse_kv("a 1\nb x\nc 3\n") == {"a": 1, "c": 3}
    with pytest.raises(ValueError):
        cgroups.parse_proc_stat_cpu("intr 1 2\n")


# --- whole trees ----------------------------------------------------------------------------------
@pytest.mark.parametrize("co_mounted", [False, True])
def test_v1_cgroupfs_tree_gives_the_clis_numbers(tmp_path, co_mounted):
    proc, d = tree_v1(str(tmp_path), co_mounted=co_mounted,
                      blkio="8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n")
    cg = cgroups.locate(CID, PID, proc=proc)
    assert cg.version == 1 and cg.dirs["memory"] == d["memory"] and cg.dirs["cpuacct"] == d["cpuacct"]
    assert kernel_stats.describe(cg).endswith("/{cpuacct,memory,pids,blkio}/docker/<id>") or co_mounted
    r = cgroups.Reader(cg, proc=proc)
    s = r.sample(cgroups.parse_proc_stat_cpu(PROC_STAT), 2)
    r.close()
    row = stats_mod.row({**s, "name": "/web"})
    assert row.mem_usage == 1052672 - 4096  # usage minus total_inactive_file
    assert row.mem_limit == 24683652 * 1024  # no limit: the machine's memory, as the engine reports
    assert (row.pids, row.net_rx, row.net_tx, row.block_read, row.block_write) == (3, 1296, 726, 4096, 8192)
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] == 2_500_000_000 and row.name == "web"


def test_v2_systemd_tree_and_a_memory_limit(tmp_path):
    proc, d = tree_v2(str(tmp_path), limit="67108864")
    cg = cgroups.locate(CID, PID, proc=proc)
    assert cg.version == 2 and cg.dirs == {"": d}
    assert kernel_stats.describe(cg).endswith("/system.slice/docker-<id>.scope")
    s = cgroups.Reader(cg, proc=proc).sample(10**12, 2)
    row = stats_mod.row(s)
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] == 2_500_000_000  # usage_usec in ns
    assert row.mem_usage == 1052672 - 4096 and row.mem_limit == 64 * 2**20
    assert (row.block_read, row.block_write, row.pids) == (4196, 8192, 3)


def test_cpu_percent_over_two_readings_uses_the_clis_formula(tmp_path):
    proc, d = tree_v2(str(tmp_path))
    r = cgroups.Reader(cgroups.locate(CID, PID, proc=proc), proc=proc)
    s0 = r.sample(1_000_000_000_000, 2)
    _write(f"{d}/cpu.stat", "usage_usec 3000000\n")  # +0.5 s of CPU
    s1 = r.sample(1_002_000_000_000, 2)  # +2 s of the machine's CPU time (1 s on each of 2 CPUs)
    assert stats_mod.cpu_percent(s1, s0["cpu_stats"]) == pytest.approx(0.5 / 2 * 2 * 100)  # 50 %: half a core


def test_a_cgroup_that_is_not_the_containers_is_refused(tmp_path):
    proc, _ = tree_v1(str(tmp_path), rel="/user.slice/user-1000.slice/session-1.scope")  # rootless on v1
    with pytest.raises(cgroups.NotReadable, match="not in a cgroup of the container's own"):
        cgroups.locate(CID, PID, proc=proc)
    with pytest.raises(cgroups.NotReadable, match="no process"):
        cgroups.locate(CID, PID + 1, proc=proc)
    with pytest.raises(cgroups.NotReadable, match="not running"):
        cgroups.locate(CID, 0, proc=proc)


def test_known_paths_fallback_finds_both_drivers(tmp_path):
    _, d = tree_v1(str(tmp_path / "a"))
    cg = cgroups.known_paths(CID, sysfs=str(tmp_path / "a/sys/fs/cgroup"))
    assert cg.version == 1 and cg.dirs["memory"] == d["memory"] and cg.found == "known path"
    _, d2 = tree_v2(str(tmp_path / "b"))
    cg2 = cgroups.known_paths(CID, sysfs=str(tmp_path / "b/sys/fs/cgroup"))
    assert cg2.version == 2 and cg2.dirs[""] == d2
    with pytest.raises(cgroups.NotReadable):
        cgroups.known_paths("cd" * 32, sysfs=str(tmp_path / "b/sys/fs/cgroup"))


def test_a_stopped_containers_files_end_the_reading(tmp_path):
    proc, d = tree_v2(str(tmp_path))
    r = cgroups.Reader(cgroups.locate(CID, PID, proc=proc), proc=proc)
    r.close()
    import shutil

    shutil.rmtree(d)
    with pytest.raises(OSError):
        r.sample(1, 2)


# --- choosing the source ----------------------------------------------------------------------------
class _Endpoint:
    def __init__(self, url):
        self.url = url


class _Engine:
    kind = "docker"

    def __init__(self, url, inspect=None):
        self.endpoint = _Endpoint(url)
        self._inspect = inspect or {}

    def inspect_container(self, ref):
        return self._inspect


def test_source_follows_the_engines_address_and_the_kind(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_STATS_SOURCE", raising=False)
    assert stats_sources.choose(_Engine("tcp://10.0.0.5:2376")).kind == "engine"
    assert "tcp://10.0.0.5:2376" in stats_sources.choose(_Engine("tcp://10.0.0.5:2376")).line()
    assert stats_sources.choose(_Engine("ssh://me@box")).kind == "engine"
    local = _Engine("unix:///var/run/docker.sock")
    assert stats_sources.choose(local).kind == "kernel" and stats_sources.choose(local) is stats_sources.choose(local)
    monkeypatch.setenv("DOCKERLAB_STATS_SOURCE", "engine")
    assert stats_sources.choose(local).kind == "engine"
    udocker = _Engine("unix:///x")
    udocker.kind = "udocker"
    assert stats_sources.choose(udocker).kind == "psutil" and "psutil" in stats_sources.choose(udocker).line()
    with pytest.raises(Exception, match="Unknown stats source"):
        stats_sources.choose(local, "bogus")


def test_kernel_source_table_and_engine_fallback(tmp_path, monkeypatch):
    """A local engine whose container's files are here: rows from the kernel; one whose process is not
    here (a VM's PID): through the engine, and the line says so."""
    monkeypatch.delenv("DOCKERLAB_STATS_SOURCE", raising=False)
    proc, _ = tree_v2(str(tmp_path))
    eng = _Engine("unix:///x", {"Id": CID, "State": {"Running": True, "Pid": PID}})
    src = stats_sources.KernelSource(eng, proc=proc)
    rows, failed = src.rows([CID], {CID: "web"}, interval=0.05)
    assert failed == {} and rows[0].name == "web" and rows[0].pids == 3
    assert "/system.slice/docker-<id>.scope" in src.line(0.05) and "CPU % over 0.05 s" in src.line(0.05)
    eng._inspect = {"Id": "cd" * 32, "State": {"Running": True, "Pid": 99999}}
    src2 = stats_sources.KernelSource(eng, proc=proc)
    rows, failed = src2.rows(["cd" * 32], {}, interval=0.05)
    assert rows == [] and "no process 99999" in failed["cd" * 32]


def test_following_reads_every_round_and_ends_with_the_cgroup(tmp_path):
    proc, d = tree_v2(str(tmp_path))
    eng = _Engine("unix:///x", {"Id": CID, "State": {"Running": True, "Pid": PID}})
    src = stats_sources.KernelSource(eng, proc=proc)
    got, ended = [], threading.Event()
    f = src.follow(CID, lambda *point: got.append(point), ended.set, interval=0.1)
    f.start()
    deadline = time.time() + 5
    while len(got) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert len(got) >= 2 and f.is_alive()
    t, cpu, mem, limit = got[0]
    assert abs(t - time.time()) < 5 and cpu >= 0.0 and limit > 0
    assert mem == 1052672 - 4096  # memory.current less inactive_file, as the CLI counts it
    # a removed cgroup's open files fail to read (ENODEV on the kernel's cgroupfs); a plain file keeps
    # its content once unlinked, so the canned tree stands in with a value that no longer parses
    with open(f"{d}/memory.current", "w"):
        pass
    assert ended.wait(5) and not f.is_alive()


def test_a_counter_file_that_cannot_be_read_sends_the_container_to_the_engine(tmp_path):
    """A non-root learner may not read another user's /proc/<pid>/net/dev: then the container is read
    through the engine, rather than shown with a silent zero."""
    proc, _ = tree_v2(str(tmp_path))
    os.remove(f"{proc}/{PID}/net/dev")
    with pytest.raises(cgroups.NotReadable, match="net/dev cannot be read here"):
        cgroups.locate(CID, PID, proc=proc)


def test_a_table_on_udocker_or_a_remote_engine_is_the_engines_own(monkeypatch):
    monkeypatch.delenv("DOCKERLAB_STATS_SOURCE", raising=False)
    asked = []
    udocker = _Engine("unix:///x")
    udocker.kind = "udocker"
    rows, how, line = stats_sources.table(udocker, ["a" * 64], {}, lambda ids: asked.extend(ids) or ["row"])
    assert (rows, how, asked) == (["row"], "psutil", ["a" * 64]) and "psutil" in line
    rows, how, line = stats_sources.table(_Engine("tcp://10.0.0.5:2376"), ["b" * 64], {}, lambda ids: ["row"])
    assert how == "engine" and "Engine API" in line and "tcp://10.0.0.5:2376" in line
    assert stats_sources.table(udocker, [], {}, lambda ids: ["never"]) == ([], "psutil", "")


def test_light_reads_skip_what_cannot_have_changed(tmp_path):
    """The monitor's reads: a sleeping container's memory every IDLE_MEMORY_EVERY rounds, a running
    one's every round; the limit every LIMIT_EVERY rounds; the CPU time always (it says the cgroup is gone)."""
    proc, d = tree_v2(str(tmp_path))
    r = cgroups.Reader(cgroups.locate(CID, PID, proc=proc), proc=proc)
    first = r.light()
    assert first[1] == 1052672 - 4096
    _write(f"{d}/memory.current", "2101248\n")  # it grew, but used no CPU time: not read yet
    assert [r.light()[1] for _ in range(cgroups.IDLE_MEMORY_EVERY - 1)] == [first[1]] * (cgroups.IDLE_MEMORY_EVERY - 1)
    assert r.light()[1] == 2101248 - 4096  # the idle container's memory, read again in time
    _write(f"{d}/memory.current", "3149824\n")
    cpu = open(f"{d}/cpu.stat").read()
    _write(f"{d}/cpu.stat", cpu.replace("usage_usec ", "usage_usec 9"))  # it ran: its memory is read at once
    assert r.light()[1] == 3149824 - 4096
    with open(f"{d}/cpu.stat", "w"):
        pass  # the cgroup went away (its files no longer parse): no kept value hides it
    with pytest.raises((OSError, ValueError, TypeError)):
        r.light()


# --- what the real cgroup v2 tree showed (the emulated guest of scripts/cgroup2-leg) -----------------------
def test_a_mount_over_the_cgroup_tree_hides_it():
    """A tmpfs mounted over /sys/fs/cgroup (a sandbox's, a container's) hides the cgroup2 mount under it:
    mountinfo still lists both, and only the later one is seen at that path."""
    text = ("30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
            "412 30 0:61 / /sys/fs/cgroup rw,relatime - tmpfs none rw,inode64\n")
    assert cgroups.parse_mountinfo(text) == ({}, None)
    # mounted again on top: seen again
    again = text + "413 412 0:26 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n"
    assert cgroups.parse_mountinfo(again) == ({}, "/sys/fs/cgroup")


def test_a_hidden_cgroup_tree_is_said_to_be_not_mounted(tmp_path):
    proc, _ = tree_v2(str(tmp_path))
    with open(f"{proc}/self/mountinfo", "a") as f:
        f.write(f"412 30 0:61 / {tmp_path}/sys/fs/cgroup rw,relatime - tmpfs none rw\n")
    with pytest.raises(cgroups.NotReadable, match="cgroup v2 hierarchy is not mounted here"):
        cgroups.locate(CID, PID, proc=proc)


def _unreadable(monkeypatch, name):
    real = cgroups._read

    def read(path):
        if path.endswith("/" + name):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(cgroups, "_read", read)


def test_known_paths_refuses_files_this_user_cannot_read(tmp_path, monkeypatch):
    """The drivers' usual place is found, but its counters are not readable by this user: NotReadable
    with the file's name (before, known_paths returned it and the table silently lost the row)."""
    _, d = tree_v2(str(tmp_path))
    _unreadable(monkeypatch, "cpu.stat")
    with pytest.raises(cgroups.NotReadable, match="cpu.stat is not readable by this user"):
        cgroups.known_paths(CID, PID, sysfs=str(tmp_path / "sys/fs/cgroup"))


def test_an_unreadable_counter_sends_the_row_to_the_engine_not_away(tmp_path, monkeypatch):
    proc, d = tree_v2(str(tmp_path))
    eng = _Engine("unix:///x", {"Id": CID, "State": {"Running": True, "Pid": PID}})
    src = stats_sources.KernelSource(eng, proc=proc)
    _unreadable(monkeypatch, "memory.max")
    rows, failed = src.rows([CID], {CID: "web"}, interval=0.05)
    assert rows == [] and "memory.max is not readable by this user" in failed[CID]


def _real_tree(root, which):
    """A tree made of the files a real cgroup v2 guest gave (tests/unit/cgroup2_captured.json)."""
    import json

    with open(os.path.join(os.path.dirname(__file__), "cgroup2_captured.json")) as f:
        cap = json.load(f)
    c = cap["containers"][which]
    sysfs = os.path.join(root, "sys/fs/cgroup")
    rel = c["proc_cgroup"].strip().split("::", 1)[1]
    for name, text in c["files"].items():
        _write(f"{sysfs}{rel}/{name}", text)
    mounts = "".join(line.replace(" /sys/fs/cgroup ", f" {sysfs} ") + "\n" for line in cap["mountinfo"])
    proc = os.path.join(root, "proc")
    _write(f"{proc}/{c['pid']}/cgroup", c["proc_cgroup"])
    _write(f"{proc}/{c['pid']}/net/dev", "\n".join(NET_DEV.splitlines()[:3]) + "\n")  # --network none: lo only
    _write(f"{proc}/self/mountinfo", mounts)
    _write(f"{proc}/meminfo", "MemTotal:        2014400 kB\n")
    return proc, c


@pytest.mark.parametrize("which", ["busy", "idle", "rootless"])
def test_the_real_v2_trees_read_as_the_cli_counts_them(tmp_path, which):
    """systemd driver (system.slice/docker-<id>.scope) and a rootless engine under systemd's user delegation
    (user.slice/user-1000.slice/user@1000.service/user.slice/docker-<id>.scope); io.stat empty (no disk I/O)."""
    proc, c = _real_tree(str(tmp_path), which)
    cg = cgroups.locate(c["id"], c["pid"], proc=proc)
    assert cg.version == 2 and cg.dirs[""].endswith(c["proc_cgroup"].strip()[3:])
    s = cgroups.Reader(cg, proc=proc).sample(10**12, 1)
    f = c["files"]
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] == cgroups.kv_value(f["cpu.stat"], "usage_usec") * 1000
    usage, inactive = int(f["memory.current"]), cgroups.kv_value(f["memory.stat"], "inactive_file")
    assert inactive is not None and stats_mod.memory_usage(s) == (usage - inactive if inactive < usage else usage)
    assert s["pids_stats"]["current"] == len(f["cgroup.procs"].split()) == int(f["pids.current"])
    limit = s["memory_stats"]["limit"]
    assert limit == (2014400 * 1024 if f["memory.max"].strip() == "max" else int(f["memory.max"]))
    assert stats_mod.block_io(s) == (0, 0) and s["networks"] == {}
    if "cli" in c:  # what `docker stats --no-stream` showed for the same container in that run
        assert (stats_mod.memory_usage(s), s["pids_stats"]["current"], limit) == \
            (c["cli"]["mem"], c["cli"]["pids"], c["cli"]["limit"])


def test_the_engines_reason_names_no_container_id():
    """As the guest's run said it: two containers whose cpu.stat this user cannot read give one reason."""
    a, b = "a4" * 32, "93" * 32
    failed = {c: f"/sys/fs/cgroup/system.slice/docker-{c}.scope/cpu.stat is not readable by this user" for c in (a, b)}
    assert stats_sources.engine_reasons(failed) == \
        "/sys/fs/cgroup/system.slice/docker-<id>.scope/cpu.stat is not readable by this user"
