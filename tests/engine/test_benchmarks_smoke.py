"""The benchmark scripts still run (each in its --quick mode: one container, one repetition),
print their report, and leave no container behind. No timing is asserted here: the
figures themselves come from running the scripts in full (benchmarks/README in the
project README, section "Benchmarks")."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "benchmarks")
REQUIRE_ENGINE = os.environ.get("DOCKERLAB_REQUIRE_ENGINE") == "1"

pytestmark = pytest.mark.skipif(shutil.which("docker") is None and not REQUIRE_ENGINE,
                                reason="the benchmarks compare with the docker CLI, and there is none on PATH")


def _leftovers() -> set[str]:
    p = subprocess.run(["docker", "ps", "-a", "--filter", "label=org.dockerlab.owner=dockerlab-bench",
                        "--format", "{{.Names}}"], capture_output=True, text=True)
    return set(p.stdout.split())


def _registry_up() -> bool:
    try:
        with urllib.request.urlopen("http://127.0.0.1:5000/v2/", timeout=3):
            return True
    except Exception:
        return False


@pytest.mark.parametrize("name, figures", [
    ("stats", ["N=1  idle"]),
    ("run", ["lab.run(detach=True)", "Launcher.launch() (detached)"]),
    ("pull", ["lab.pull (text progress)", "PullProgress.pull() (bars)"]),
    ("import", ["import dockerlab", "dependencies, then the whole kit"]),
    ("monitor", ["Monitor, 1 containers"]),
    ("compose", ["compose up (2 services)", "compose down -v"]),
])
def test_benchmark_runs_in_quick_mode(engine_lab, tmp_path, name, figures):
    if name == "pull" and not _registry_up() and not REQUIRE_ENGINE:
        pytest.skip("no registry at 127.0.0.1:5000 (./kit provision sets one up)")
    before = _leftovers()
    out = tmp_path / "result.json"
    p = subprocess.run([sys.executable, os.path.join(BENCH, f"bench_{name}.py"), "--quick", "--json", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=240)
    assert p.returncode == 0, f"bench_{name}.py --quick failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    assert "Traceback" not in p.stderr
    res = json.loads(out.read_text())
    rows = {r["figure"]: r for r in res["rows"]}
    for fig in figures:
        assert fig in rows, f"{fig!r} missing from {list(rows)}"
        r = rows[fig]
        assert r["kit"] > 0 and (r["ref"] > 0 or r["unit"] == "%")  # both sides were measured
        assert fig in p.stdout  # the report was printed
    if name == "stats":
        assert any("numbers agree: yes" in n for n in res["notes"]), res["notes"]
    if name == "monitor":
        assert any("follows a container that stops: yes" in n for n in res["notes"]), res["notes"]
    assert _leftovers() - before == set(), "the benchmark left containers behind"


@pytest.mark.parametrize("script", sorted(f for f in os.listdir(BENCH) if f.startswith("bench_") and f.endswith(".py")))
def test_every_benchmark_script_explains_itself(script):
    p = subprocess.run([sys.executable, os.path.join(BENCH, script), "--help"], capture_output=True, text=True,
                       cwd=ROOT, timeout=60)
    assert p.returncode == 0 and "--quick" in p.stdout and ("Target" in p.stdout or "budget" in p.stdout)


def test_run_all_rejects_an_unknown_benchmark():
    p = subprocess.run([sys.executable, os.path.join(BENCH, "run_all.py"), "--only", "nosuch"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 2 and "unknown benchmark(s) nosuch" in p.stderr
