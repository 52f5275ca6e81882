"""lab.stats() agrees with `docker stats --no-stream` on the same containers."""
import json
import re
import subprocess
import threading
import time

import pytest

UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "kB": 1e3, "MB": 1e6, "GB": 1e9}


def to_bytes(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)\s*([A-Za-z]+)", text.strip())
    return float(m.group(1)) * UNITS[m.group(2)]


def cli_stats(names):
    res = subprocess.run(["docker", "stats", "--no-stream", "--format", "{{json .}}", *names],
                         capture_output=True, text=True, check=True, timeout=60)
    rows = {}
    for line in res.stdout.splitlines():
        d = json.loads(line)
        usage = d["MemUsage"].split("/")[0]
        rows[d["Name"]] = {"cpu": float(d["CPUPerc"].rstrip("%")), "mem": to_bytes(usage) / 2**20,
                           "pids": int(d["PIDs"])}
    return rows


def test_stats_match_the_cli_on_a_busy_and_an_idle_container(lab):
    """Through the Engine API (the fallback when the kernel's files are not here)."""
    lab.run("alpine", "sh -c 'while :; do :; done'", name="st-busy", detach=True)
    lab.run("alpine", "sleep 300", name="st-idle", detach=True)
    names = ["st-busy", "st-idle"]
    cli = {}
    t = threading.Thread(target=lambda: cli.update(cli_stats(names)))
    t.start()  # both measure over the same seconds
    df = lab.stats(names, source="engine").set_index("NAME")
    t.join()
    assert df.attrs["source"] == "engine"
    assert list(df.index) == names
    # one busy loop takes up to 100 % (one core); on a loaded 2-core host it gets less, for both tools alike
    busy, cli_busy = df.loc["st-busy", "CPU %"], cli["st-busy"]["cpu"]
    assert busy > 10 and cli_busy > 10
    assert abs(busy - cli_busy) < max(25, 0.5 * cli_busy)  # the same second-scale window, a noisy host
    assert df.loc["st-idle", "CPU %"] < 3 and cli["st-idle"]["cpu"] < 3
    for name in names:
        assert df.loc[name, "PIDS"] == cli[name]["pids"]
        assert df.loc[name, "MEM USAGE (MiB)"] == pytest.approx(cli[name]["mem"], abs=0.5, rel=0.1)
    assert df.loc["st-busy", "MEM LIMIT (MiB)"] > 0


def test_stats_of_a_memory_limited_container_uses_the_limit(lab):
    lab.run("alpine", "sleep 300", name="st-lim", detach=True, memory="64m")
    df = lab.stats("st-lim")
    assert df.iloc[0]["MEM LIMIT (MiB)"] == 64.0
    assert lab.history[-1] == "docker stats --no-stream st-lim"


def test_stats_default_scope_is_the_learners_own(lab):
    lab.run("alpine", "sleep 300", name="st-mine", detach=True)
    assert list(lab.stats()["NAME"]) == ["st-mine"]


def test_the_twin_of_a_session_snapshot_names_its_containers(lab):
    lab.run("alpine", "sleep 300", name="st-twin", detach=True)
    df = lab.stats(scope="session")
    assert list(df["NAME"]) == ["st-twin"]
    assert lab.history[-1] == f"docker stats --no-stream $(docker ps -q --filter label=org.dockerlab.session={lab.session})"


def test_kernel_counters_agree_with_the_cli_over_the_same_seconds(lab):
    """The kernel's files (the default beside a local engine) against `docker stats` over the same seconds.

    The CLI's numbers come from rounds of the engine's collector. A stream of our own per container sees
    the same rounds, and at each one the kit's reader takes the kernel's counters at once: memory and
    PIDs must agree round by round, and the CLI's must be one of those rounds'. For CPU %, the pair of
    consecutive rounds whose engine CPU % is the CLI's is the CLI's window; the kernel's CPU % over that
    same pair of instants must be within a few points of it."""
    from dockerlab import cgroups, stats as stats_mod, stats_sources

    lab.run("alpine", "sh -c 'while :; do :; done'", name="sk-busy", detach=True, cpus=0.5)
    lab.run("alpine", "sh -c 'sleep 300 & sleep 300 & wait'", name="sk-idle", detach=True, memory="32m")
    names = ["sk-busy", "sk-idle"]
    src = stats_sources.choose(lab.engine)
    system = cgroups.System()
    marks, stop, streams, threads = {n: [] for n in names}, threading.Event(), [], []

    def follow(name, stream, reader):
        try:
            for sample in stream:
                kernel = reader.sample(system.cpu_ns(), system.online_cpus())
                kernel["lag"] = time.time() - _epoch(sample["read"])  # how long after the engine's reading
                marks[name].append((sample, kernel))
                if stop.is_set():
                    return
        finally:
            reader.close()

    for name in names:
        streams.append(lab.engine.stats(name, stream=True))
        threads.append(threading.Thread(target=follow, args=(name, streams[-1], cgroups.Reader(src.locate(
            lab.engine.inspect_container(name)["Id"]))), daemon=True))
        threads[-1].start()
    try:
        deadline = time.time() + 10
        while min(len(m) for m in marks.values()) < 2 and time.time() < deadline:  # started: memory settles
            time.sleep(0.05)
        cli = {}
        t = threading.Thread(target=lambda: cli.update(cli_stats(names)))
        t.start()
        df = lab.stats(names).set_index("NAME")
        t.join()
        n = len(marks["sk-busy"])
        while len(marks["sk-busy"]) < n + 1 and time.time() < deadline + 5:
            time.sleep(0.05)
    finally:
        stop.set()
        for th in threads:
            th.join(5)
        for st in streams:
            st.close()
        system.close()
    assert df.attrs["source"] == "kernel" and df.loc["sk-idle", "MEM LIMIT (MiB)"] == 32.0
    for name in names:
        rounds = marks[name]
        for engine, kernel in rounds[2:]:  # the same instant, read by the engine and by the kit (once started)
            assert kernel["pids_stats"]["current"] == engine["pids_stats"]["current"]
            assert stats_mod.memory_usage(kernel) == pytest.approx(stats_mod.memory_usage(engine), rel=0.01, abs=8192)
        assert df.loc[name, "PIDS"] == cli[name]["pids"] == rounds[-1][1]["pids_stats"]["current"]
        # the CLI's memory is one of those rounds' (it prints 3 significant digits: 0.5 %)
        assert any(abs(stats_mod.memory_usage(e) / 2**20 - cli[name]["mem"]) <= 0.005 * cli[name]["mem"] + 0.005
                   for e, _ in rounds[2:]), (name, cli[name]["mem"], [stats_mod.memory_usage(e) / 2**20 for e, _ in rounds])
    assert df.loc["sk-idle", "PIDS"] == 3
    assert df.loc["sk-idle", "CPU %"] < 1 and cli["sk-idle"]["cpu"] < 1
    cli_busy = cli["sk-busy"]["cpu"]
    rounds = marks["sk-busy"]
    pairs = [(stats_mod.cpu_percent(b, a["cpu_stats"]), stats_mod.cpu_percent(kb, ka["cpu_stats"]))
             for (a, ka), (b, kb) in zip(rounds, rounds[1:])]
    k = min(range(len(pairs)), key=lambda i: abs(pairs[i][0] - cli_busy))
    engine_pct, kernel_pct = pairs[k]
    assert abs(engine_pct - cli_busy) < 0.02, (cli_busy, pairs)  # the CLI's window found (it prints 2 decimals)
    assert 5 < cli_busy <= 60  # --cpus 0.5: at most about 50 %
    # "within a few points"; on a loaded shared machine our reading may come some ms after the engine's, and
    # a lag that differs at the two ends shifts the window by that much (at most 100 points per second of shift)
    (_, ka), (_, kb) = rounds[k], rounds[k + 1]
    window = _epoch(rounds[k + 1][0]["read"]) - _epoch(rounds[k][0]["read"])
    allowed = 3.0 + 100 * abs(kb["lag"] - ka["lag"]) / window
    print(f"CPU % over the CLI's {window:.2f} s: CLI {cli_busy}, kernel {kernel_pct:.2f} (allowed {allowed:.2f}); "
          f"our readings {ka['lag'] * 1000:.0f} and {kb['lag'] * 1000:.0f} ms after the engine's")
    assert abs(kernel_pct - cli_busy) <= allowed, (cli_busy, kernel_pct, ka["lag"], kb["lag"], pairs)


def _epoch(stamp: str) -> float:
    from dockerlab.sampler import _parse_read

    return _parse_read(stamp) or 0.0


def test_a_table_from_the_kernel_is_fast_and_says_where_it_read(lab, capsys):
    lab.run("alpine", "sleep 300", name="sk-one", detach=True)
    lab.stats("sk-one")  # finds the container's cgroup (one inspect); later tables reuse it
    t0 = time.perf_counter()
    df = lab.stats("sk-one", interval=0.1)
    took = time.perf_counter() - t0
    out = capsys.readouterr().out
    assert df.attrs["source"] == "kernel" and took < 1.0, took
    assert "(read from the kernel's cgroup files: /sys/fs/cgroup/" in out and "CPU % over 0.1 s)" in out
    assert "<id>" in out and lab.history[-1] == "docker stats --no-stream sk-one"


def test_the_engine_source_can_be_forced(lab, monkeypatch, capsys):
    lab.run("alpine", "sleep 300", name="sk-eng", detach=True)
    monkeypatch.setenv("DOCKERLAB_STATS_SOURCE", "engine")
    df = lab.stats("sk-eng")
    assert df.attrs["source"] == "engine" and df.iloc[0]["PIDS"] == 1
    assert "(read from the Engine API, GET /containers/<id>/stats" in capsys.readouterr().out


def test_stats_files_show_where_the_numbers_come_from(lab):
    c = lab.run("alpine", "sleep 300", name="sk-files", detach=True, memory="48m")
    df = lab.stats_files("sk-files")
    value = dict(zip(df["MEANING"].str.split(":").str[0], df["VALUE"]))
    assert value["PIDS"] == "1" and str(48 * 2**20) in set(df["VALUE"])  # the --memory limit, as the kernel holds it
    assert df["VALUE"][df["FILE"] == "/proc/stat"].iloc[0].startswith("cpu ")
    assert df.attrs["id"] == c.id and not any(c.id in f or c.id in v for f, v in zip(df["FILE"], df["VALUE"]))
    assert any(f.endswith("<id>/memory.usage_in_bytes") or f.endswith("<id>/memory.current") for f in df["FILE"])


def test_stats_files_say_why_when_the_engine_is_elsewhere(lab, monkeypatch, capsys):
    lab.run("alpine", "sleep 300", name="sk-far", detach=True)
    monkeypatch.setenv("DOCKERLAB_STATS_SOURCE", "engine")  # as beside a remote engine
    df = lab.stats_files("sk-far")
    assert df.empty and list(df.columns) == ["FILE", "VALUE", "MEANING"]
    assert "cannot be read here: asked for the Engine API" in capsys.readouterr().out


def test_both_ways_to_a_containers_cgroup_agree(lab):
    """The drivers' usual paths (tried first: no engine call) and the init process's /proc/<pid>/cgroup
    (every driver, rootless included) find the same directories."""
    from dockerlab import cgroups

    c = lab.run("alpine", "sleep 300", name="sk-where", detach=True)
    pid = lab.engine.inspect_container(c.id)["State"]["Pid"]
    by_pid = cgroups.locate(c.id, pid)
    by_path = cgroups.known_paths(c.id)
    assert by_pid.dirs == by_path.dirs and by_path.pid == pid  # its only process is its init
    assert by_pid.found == f"/proc/{pid}/cgroup" and by_path.found == "known path"
