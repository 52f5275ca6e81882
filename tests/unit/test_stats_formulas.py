"""The docker CLI's stats formulas, checked on canned engine JSON (cgroup v1 and v2)."""
import pytest

from dockerlab import stats


def sample(total, system, pre_total, pre_system, online=2, usage=100 * 2**20, limit=1000 * 2**20, v1=True,
           inactive=20 * 2**20):
    mem_stats = {"total_inactive_file": inactive} if v1 else {"inactive_file": inactive}
    return {
        "id": "a" * 64, "name": "/web", "read": "2026-11-28T00:00:01Z",
        "cpu_stats": {"cpu_usage": {"total_usage": total}, "system_cpu_usage": system, "online_cpus": online},
        "precpu_stats": {"cpu_usage": {"total_usage": pre_total}, "system_cpu_usage": pre_system},
        "memory_stats": {"usage": usage, "limit": limit, "stats": mem_stats},
        "networks": {"eth0": {"rx_bytes": 10, "tx_bytes": 20}, "eth1": {"rx_bytes": 1, "tx_bytes": 2}},
        "blkio_stats": {"io_service_bytes_recursive": [{"op": "Read", "value": 4096}, {"op": "Write", "value": 8192},
                                                       {"op": "Total", "value": 12288}]},
        "pids_stats": {"current": 3},
    }


def test_cpu_percent_is_container_delta_over_system_delta_times_cpus():
    # container used 0.5 s of CPU while the system (2 CPUs) used 2 s: 0.5/2 * 2 * 100 = 50 %
    s = sample(total=1_500_000_000, system=12_000_000_000, pre_total=1_000_000_000, pre_system=10_000_000_000)
    assert stats.cpu_percent(s) == pytest.approx(50.0)


def test_cpu_percent_zero_without_a_previous_sample():
    s = sample(total=5, system=10, pre_total=0, pre_system=0)
    assert stats.cpu_percent(s) == 0.0


def test_cpu_percent_uses_percpu_length_when_online_cpus_missing():
    s = sample(total=2_000, system=2_000, pre_total=1_000, pre_system=1_000, online=0)
    s["cpu_stats"]["cpu_usage"]["percpu_usage"] = [1, 2, 3, 4]
    assert stats.cpu_percent(s) == pytest.approx(400.0)


def test_cpu_percent_with_client_kept_previous_sample():
    s = sample(total=3_000, system=20_000, pre_total=0, pre_system=0, online=1)
    pre = {"cpu_usage": {"total_usage": 1_000}, "system_cpu_usage": 10_000}
    assert stats.cpu_percent(s, pre) == pytest.approx(20.0)


@pytest.mark.parametrize("v1", [True, False])
def test_memory_subtracts_inactive_file_cache(v1):
    s = sample(0, 0, 0, 0, usage=100 * 2**20, inactive=20 * 2**20, v1=v1)
    assert stats.memory_usage(s) == 80 * 2**20
    assert stats.memory_percent(s) == pytest.approx(8.0)


def test_memory_keeps_usage_when_cache_is_not_smaller():
    s = sample(0, 0, 0, 0, usage=10, inactive=50)
    assert stats.memory_usage(s) == 10


def test_row_sums_networks_and_block_io():
    r = stats.row(sample(2, 2, 1, 1))
    assert (r.net_rx, r.net_tx, r.block_read, r.block_write, r.pids) == (11, 22, 4096, 8192, 3)
    assert r.name == "web" and r.id == "a" * 12


def test_row_on_a_stopped_container_sample_is_all_zero():
    r = stats.row({"id": "b" * 64, "name": "/gone", "memory_stats": {}, "cpu_stats": {}, "precpu_stats": {}})
    assert (r.cpu_percent, r.mem_usage, r.mem_percent, r.pids) == (0.0, 0, 0.0, 0)


def test_the_quota_ceiling_of_a_window():
    from dockerlab.stats import quota_ceiling

    assert quota_ceiling(0.5, 2.0) == pytest.approx(52.5)
    assert quota_ceiling(0.5, 0.25) == pytest.approx(70.0)
    assert quota_ceiling(0.25, 2.0) == pytest.approx(26.25)
    assert quota_ceiling(1, 100.0) == pytest.approx(100.1)  # a long window: the limit itself, nearly
    for bad in ((0, 1), (0.5, 0), (0.5, -1)):
        with pytest.raises(ValueError):
            quota_ceiling(*bad)
