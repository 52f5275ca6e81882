"""The lessons' plots, so that a lesson cell reads as one Docker idea (matplotlib here, not there).

Each function draws one figure from the kit's frames and shows it (``show=False`` returns the
figure instead, for tests). Published VM figures are the ones 09-containers-vs-vms cites.
Every figure has a text alternative: it is shown as ``<img alt=...>`` with the numbers it plots
in a table under it (:mod:`dockerlab.a11y`); the returned figure carries both as ``fig.alt`` and
``fig.table`` (``(columns, rows)``).
"""
from __future__ import annotations

import statistics

from .timing import ms

#: Published figures (09's table gives the sources).
FIRECRACKER_START_MS = 125      # start call to the guest's /sbin/init (Firecracker's SPECIFICATION.md)
FIRECRACKER_VMM_MIB = 5         # its VM monitor, per microVM, guest RAM not counted
FIRECRACKER_GUEST_MIB = 128     # a typical small guest (Firecracker's default is 128 MiB of guest memory)
CLEAR_CONTAINERS_MS = 150       # a full VM to a login prompt (the 2016 demo)
CLEAR_CONTAINERS_MB = 20
CLASSIC_VM_MS = (3_000, 180_000)  # "a few seconds to a few minutes": our reading


def _done(fig, show: bool, alt: str, table=None):
    from .a11y import show as show_figure

    fig.alt, fig.table = alt, table
    if show:
        show_figure(fig, alt, table)
        return None
    return fig


def _listing(pairs, unit: str) -> str:
    return "; ".join(f"{name} {value:g} {unit}" for name, value in pairs)


def cpu_over_time(samples, *, cap: float | None = 50, show: bool = True):
    """07: CPU % of each container over time, from ``Monitor.samples``; ``cap``: a --cpus limit, in %."""
    import matplotlib.pyplot as plt

    seconds = (samples["time"] - samples["time"].min()).dt.total_seconds()
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    for name, rows in samples.groupby("name"):
        ax.plot(seconds[rows.index], rows["cpu %"], marker=".", label=name)
    if cap is not None:
        ax.axhline(cap, color="grey", linestyle=":", label=f"--cpus {cap / 100:g}")
    top = max(110, (samples["cpu %"].max() if len(samples) else 0) + 10)
    ax.set(xlabel="seconds", ylabel="CPU % (100 = one CPU)", title="CPU % of this notebook's containers",
           ylim=(-5, top))
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    rows = []
    for name, got in samples.groupby("name"):
        cpu = got["cpu %"]
        rows.append([name, len(got), round(float(cpu.mean()), 1), round(float(cpu.max()), 1), round(float(cpu.iloc[-1]), 1)])
    span = float(seconds.max()) if len(samples) else 0.0
    alt = (f"Line chart: CPU % of this notebook's containers over {span:.0f} s (100 = one CPU). "
           + ". ".join(f"{n}: mean {m:g} %, peak {p:g} %" for n, _, m, p, _ in rows)
           + (f". A dotted line marks the --cpus {cap / 100:g} limit at {cap:g} %." if cap is not None else "."))
    return _done(fig, show, alt, (["container", "samples", "mean CPU %", "peak CPU %", "last CPU %"], rows))


def image_sizes(images, *, show: bool = True):
    """08: one bar per image (a ``lab.images()`` frame), its size in MB."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2.6), layout="constrained")
    ax.barh(images["REPOSITORY"] + ":" + images["TAG"], images["SIZE (MB)"], color="tab:blue")
    for y, mb in enumerate(images["SIZE (MB)"]):
        ax.text(mb, y, f" {mb:g} MB", va="center")
    ax.set(xlabel="size (MB)", title="Lesson images on this engine", xlim=(0, images["SIZE (MB)"].max() * 1.3))
    ax.invert_yaxis()
    names = list(images["REPOSITORY"] + ":" + images["TAG"])
    sizes = [float(v) for v in images["SIZE (MB)"]]
    alt = f"Bar chart: the size of each lesson image on this engine, in MB. {_listing(zip(names, sizes), 'MB')}."
    return _done(fig, show, alt, (["image", "size (MB)"], [[n, s] for n, s in zip(names, sizes)]))


def container_layers(layers, *, image: str = "alpine", show: bool = True):
    """08: what each container sees: the shared image (read-only) plus its own writable layer."""
    import matplotlib.pyplot as plt

    base = layers["IMAGE + LAYER (MB)"] - layers["WRITABLE LAYER (MB)"]
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.barh(layers["NAME"], base, color="lightgrey", hatch="//", label=f"{image} image (read-only, shared: stored once)")
    ax.barh(layers["NAME"], layers["WRITABLE LAYER (MB)"], left=base, color="tab:orange",
            label="the container's own writable layer")
    ax.set(xlabel="MB", title="What each container sees")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, fontsize=8)
    ax.invert_yaxis()
    rows = [[n, round(float(b), 2), round(float(w), 2)] for n, b, w in zip(layers["NAME"], base, layers["WRITABLE LAYER (MB)"])]
    alt = (f"Stacked bars: what each container sees, in MB: the {image} image (read-only, shared, stored once) "
           "plus its own writable layer. " + "; ".join(f"{n}: image {b:g} MB + own layer {w:g} MB" for n, b, w in rows) + ".")
    return _done(fig, show, alt, (["container", f"{image} image (MB, shared)", "writable layer (MB)"], rows))


def run_times(times_s, *, command: str = "docker run --rm alpine true", show: bool = True):
    """09: one bar per run (seconds in, milliseconds drawn), and the median."""
    import matplotlib.pyplot as plt

    ms = [t * 1000 for t in times_s]
    fig, ax = plt.subplots(figsize=(7, 2.8), layout="constrained")
    ax.bar(range(1, len(ms) + 1), ms, color="tab:blue")
    ax.axhline(statistics.median(ms), color="black", linestyle="--", label="median")
    ax.set(xlabel="run", ylabel="ms", xticks=range(1, len(ms) + 1),
           title=f"{command}: create, start, run, wait, remove")
    ax.legend()
    med = statistics.median(ms)
    alt = (f"Bar chart: the time of each of {len(ms)} runs of {command}, in ms; the dashed line is the median, "
           f"{med:.0f} ms (fastest {min(ms):.0f} ms, slowest {max(ms):.0f} ms).")
    return _done(fig, show, alt, (["run", "ms"], [[i, round(v, 1)] for i, v in enumerate(ms, 1)]))


def idle_memory(stats, *, prefix: str = "nb09-", show: bool = True):
    """09: the memory of each idle container (a ``lab.stats()`` frame), and the total."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.bar(stats["NAME"].str.replace(prefix, ""), stats["MEM USAGE (MiB)"], color="tab:green")
    ax.set(ylabel="MiB", title=f"{len(stats)} idle containers: {stats['MEM USAGE (MiB)'].sum():.1f} MiB in all")
    ax.tick_params(axis="x", labelrotation=45)
    rows = [[n, round(float(m), 2)] for n, m in zip(stats["NAME"], stats["MEM USAGE (MiB)"])]
    alt = (f"Bar chart: the memory of each of {len(stats)} idle containers, in MiB; "
           f"{stats['MEM USAGE (MiB)'].sum():.1f} MiB in all. {_listing(rows, 'MiB')}.")
    return _done(fig, show, alt, (["container", "memory (MiB)"], rows))


def start_vs_vms(median_ms: float, *, process_ms: float | None = None, api_calls: int | None = None,
                 show: bool = True):
    """09: the container's measured start (a whole `docker run --rm` through the kit) next to published VM boots,
    and, with ``process_ms``, a plain host process (``/bin/true``) measured the same way."""
    import matplotlib.pyplot as plt

    what = "create, start, wait, remove" + (f": {api_calls} API calls" if api_calls else "")
    process = [("a process here (measured, median)\n/bin/true: fork, exec, exit, wait", process_ms, "tab:cyan")]
    rows = (process if process_ms is not None else []) + [
        (f"container here (measured, median)\n{what}", median_ms, "tab:blue"),
        (f"Firecracker microVM\n(≤ {FIRECRACKER_START_MS} ms to /sbin/init)", FIRECRACKER_START_MS, "tab:orange"),
        (f"Clear Containers VM\n({CLEAR_CONTAINERS_MS} ms to a login)", CLEAR_CONTAINERS_MS, "tab:orange")]
    lo, hi = CLASSIC_VM_MS
    fig, ax = plt.subplots(figsize=(8, 3.4 + 0.5 * (process_ms is not None)), layout="constrained")
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=[r[2] for r in rows])
    ax.barh("classic VM\n(a few s to a few min)", hi - lo, left=lo, color="tab:red", alpha=0.5, hatch="//")
    for y, (_, value, color) in enumerate(rows):
        if color != "tab:orange":
            ax.text(value, y, " " + ms(value), va="center")  # the measured ones
    ax.set_xscale("log")
    ax.set(xlabel="milliseconds (log scale)", title="Start time: measured here vs. published (not like-for-like)",
           xlim=(0.1 if process_ms is not None else 10, 1e6))
    ax.invert_yaxis()
    table = [[label.replace("\n", " "), round(value, 1), "measured here" if color != "tab:orange" else "published"]
             for label, value, color in rows] + [["classic VM (a few s to a few min)", f"{lo}-{hi}", "our reading"]]
    alt = ("Bar chart, log scale: start time in milliseconds, measured here vs. published (not like-for-like). "
           + "; ".join(f"{r[0]}: {r[1]} ms" for r in table) + ".")
    return _done(fig, show, alt, (["what", "ms", "source"], table))


def memory_vs_vms(idle_mib: float, shim_mib: float, *, limit_mib: float | None = None,
                  guest_mib: float = FIRECRACKER_GUEST_MIB, show: bool = True):
    """09: memory per instance, like with like. Left, ALLOTTED: the most each may have (the container's
    ``--memory`` limit, ``limit_mib``; the microVM's configured guest RAM). Right, USED: what each really
    takes (the container's cgroup and its shim, measured here; a VM monitor's and a small VM's, published)."""
    import math

    import matplotlib.pyplot as plt

    def known(x):
        return x is not None and not math.isnan(x)

    fig, (given, used) = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained", sharex=True)
    limit = limit_mib if known(limit_mib) else 0.0
    given.barh("container here\n(its --memory limit)", limit, color="tab:green", hatch="//")
    if not known(limit_mib):
        given.text(0.2, 0, " no limit: the host's memory", va="center")
    given.barh(f"Firecracker microVM\n(guest RAM: {guest_mib:g} MiB, its default)", guest_mib,
               color="navajowhite", hatch="//")
    for y, v in enumerate([limit, guest_mib]):
        if v:
            given.text(v, y, f" {v:g}", va="center")
    given.set(xlabel="MiB (log scale)", title="Allotted: the most it may use (a ceiling)")

    shim = shim_mib if known(shim_mib) else 0.0
    rows = [("idle container here\n(measured: its cgroup)", idle_mib, "tab:green", f"{idle_mib:.2f}"),
            ("+ its containerd-shim\n(measured: USS)" if known(shim_mib) else "+ its containerd-shim\n(not visible here)",
             idle_mib + shim, "tab:olive", f"{idle_mib + shim:.1f}"),
            (f"Firecracker microVM: its monitor\n(≤ {FIRECRACKER_VMM_MIB} MiB, published)\n+ the guest's pages (not known here)",
             FIRECRACKER_VMM_MIB, "tab:orange", f"≤ {FIRECRACKER_VMM_MIB} + the guest's"),
            (f"Clear Containers VM, whole\n(about {CLEAR_CONTAINERS_MB} MB, reported)", CLEAR_CONTAINERS_MB, "tab:orange",
             f"about {CLEAR_CONTAINERS_MB}")]
    for y, (label, value, color, text) in enumerate(rows):
        used.barh(label, value, color=color)
        used.text(value, y, " " + text, va="center")
    used.set(xlabel="MiB (log scale)", title="Used: what it really takes")
    used.set_xscale("log")
    used.set_xlim(0.1, 2000)
    for ax in (given, used):
        ax.invert_yaxis()
    table = [["allotted", "container here (its --memory limit)", f"{limit:g}" if known(limit_mib) else "no limit"],
             ["allotted", "Firecracker microVM guest RAM (its default)", f"{guest_mib:g}"]]
    table += [["used", label.replace("\n", " "), text] for label, _, _, text in rows]
    alt = ("Two bar charts of memory per instance in MiB, like with like. Allotted (the most it may use): "
           + "; ".join(f"{r[1]}: {r[2]}" for r in table[:2]) + ". Used (what it really takes): "
           + "; ".join(f"{r[1]}: {r[2]}" for r in table[2:]) + ".")
    return _done(fig, show, alt, (["kind", "what", "MiB"], table))
