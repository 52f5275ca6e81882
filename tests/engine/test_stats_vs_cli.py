"""lab.stats() agrees with `docker stats --no-stream` on the same containers."""
import json
import re
import subprocess
import threading

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
    lab.run("alpine", "sh -c 'while :; do :; done'", name="st-busy", detach=True)
    lab.run("alpine", "sleep 300", name="st-idle", detach=True)
    names = ["st-busy", "st-idle"]
    cli = {}
    t = threading.Thread(target=lambda: cli.update(cli_stats(names)))
    t.start()  # both measure over the same seconds
    df = lab.stats(names).set_index("NAME")
    t.join()
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
