"""The lessons' plots draw what their numbers say (Agg backend, no display)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from dockerlab import plots  # noqa: E402


def widths(ax):
    return [round(p.get_width(), 2) for p in ax.patches]


def test_memory_vs_vms_puts_allotted_with_allotted_and_used_with_used():
    given, used = plots.memory_vs_vms(0.5, 3.5, limit_mib=512, show=False).axes
    assert widths(given) == [512, 128]  # the container's --memory limit, the microVM's guest RAM
    assert widths(used) == [0.5, 4.0, 5, 20]  # cgroup, + shim, the VM monitor, a small VM whole
    assert "Allotted" in given.get_title() and "Used" in used.get_title()
    assert any("128 MiB" in t.get_text() for t in given.get_yticklabels())
    assert any("--memory limit" in t.get_text() for t in given.get_yticklabels())
    no_shim = plots.memory_vs_vms(0.5, float("nan"), guest_mib=256, show=False).axes
    assert widths(no_shim[0]) == [0, 256] and widths(no_shim[1])[:2] == [0.5, 0.5]
    assert any("no limit" in t.get_text() for t in no_shim[0].texts)


def test_start_vs_vms_says_what_the_container_time_includes():
    ax = plots.start_vs_vms(214, api_calls=7, show=False).axes[0]
    assert widths(ax)[:3] == [214, 125, 150]
    assert "7 API calls" in ax.get_yticklabels()[0].get_text()


def test_start_vs_vms_draws_the_measured_process_too():
    ax = plots.start_vs_vms(214, process_ms=1.3, api_calls=7, show=False).axes[0]
    assert widths(ax)[:4] == [1.3, 214, 125, 150]
    assert "/bin/true" in ax.get_yticklabels()[0].get_text() and ax.get_xlim()[0] <= 0.1
    assert {" 1.3 ms", " 214 ms"} <= {t.get_text() for t in ax.texts}


def test_cpu_over_time_and_the_other_lesson_plots():
    t0 = pd.Timestamp("2026-01-01")
    samples = pd.DataFrame({"time": [t0, t0 + pd.Timedelta(seconds=1)] * 2, "name": ["a", "a", "b", "b"],
                            "cpu %": [99.0, 100.0, 50.0, 49.0]})
    ax = plots.cpu_over_time(samples, cap=50, show=False).axes[0]
    assert len(ax.lines) == 3 and ax.get_ylim()[1] >= 110
    images = pd.DataFrame({"REPOSITORY": ["alpine", "ubuntu"], "TAG": ["latest"] * 2, "SIZE (MB)": [1.98, 4.33]})
    assert widths(plots.image_sizes(images, show=False).axes[0]) == [1.98, 4.33]
    layers = pd.DataFrame({"NAME": ["a"], "WRITABLE LAYER (MB)": [1.0], "IMAGE + LAYER (MB)": [3.0]})
    assert widths(plots.container_layers(layers, show=False).axes[0]) == [2.0, 1.0]
    assert len(plots.run_times([0.2, 0.3, 0.25], show=False).axes[0].patches) == 3
    mem = pd.DataFrame({"NAME": ["nb09-a", "nb09-b"], "MEM USAGE (MiB)": [0.3, 0.4]})
    assert "0.7 MiB in all" in plots.idle_memory(mem, show=False).axes[0].get_title()
