"""pandas frames shaped like the docker CLI's tables, from the engine's JSON.

Pure functions (unit-tested on canned JSON); rows are sorted by name so that a
notebook's output is stable from run to run.
"""
from __future__ import annotations

import time

from .labels import COMPOSE_PROJECT
from .refs import format_bytes

PS_COLUMNS = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
IMAGES_COLUMNS = ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]
STATS_COLUMNS = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE (MiB)", "MEM LIMIT (MiB)", "MEM %",
                 "NET RX (B)", "NET TX (B)", "BLOCK READ (B)", "BLOCK WRITE (B)", "PIDS"]


def human_duration(seconds: float) -> str:
    """go-units HumanDuration, which `docker ps` and `docker images` use."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def ago(epoch: float, now: float | None = None) -> str:
    return human_duration((now or time.time()) - epoch) + " ago"


def _ports(ports: list | None) -> str:
    out = []
    for p in sorted(ports or [], key=lambda p: (p.get("PrivatePort", 0), p.get("Type", ""))):
        if p.get("PublicPort"):
            out.append(f"{p.get('IP', '0.0.0.0')}:{p['PublicPort']}->{p['PrivatePort']}/{p.get('Type', 'tcp')}")
        else:
            out.append(f"{p.get('PrivatePort')}/{p.get('Type', 'tcp')}")
    return ", ".join(out)


def ps_frame(containers: list[dict], now: float | None = None):
    """`docker ps` as a DataFrame (plus STATE), one row per container, sorted by name."""
    import pandas as pd

    rows, projects = [], {}
    for c in containers:
        names = ",".join(n.lstrip("/") for n in (c.get("Names") or []))
        if project := compose_project(c):
            projects[names] = project
        rows.append({
            "CONTAINER ID": (c.get("Id") or "")[:12],
            "IMAGE": c.get("Image", ""),
            "COMMAND": f'"{c.get("Command", "")}"',
            "CREATED": ago(c.get("Created", 0), now),
            "STATUS": c.get("Status", ""),
            "PORTS": _ports(c.get("Ports")),
            "NAMES": names,
            "STATE": c.get("State", ""),
        })
    df = pd.DataFrame(rows, columns=PS_COLUMNS + ["STATE"])
    df = df.sort_values("NAMES", kind="stable").reset_index(drop=True)
    # the Compose project of each container that has one (`docker compose ls` groups by it): not a
    # column of `docker ps`, so it rides along in attrs (the ContainerTable groups its rows by it)
    df.attrs["projects"] = projects
    return df


def compose_project(c: dict) -> str:
    """The Compose project a container belongs to ("" for one Compose did not make)."""
    return (c.get("Labels") or {}).get(COMPOSE_PROJECT, "")


def images_frame(images: list[dict], now: float | None = None):
    """`docker images` as a DataFrame (plus SIZE (MB) as a number), sorted by repository and tag."""
    import pandas as pd

    rows = []
    for im in images:
        tags = im.get("RepoTags") or []
        tags = [t for t in tags if t != "<none>:<none>"] or ["<none>:<none>"]
        for t in tags:
            repo, _, tag = t.rpartition(":")
            if "/" in tag:  # a registry port, not a tag
                repo, tag = t, "<none>"
            rows.append({
                "REPOSITORY": repo,
                "TAG": tag,
                "IMAGE ID": (im.get("Id") or "").split(":")[-1][:12],
                "CREATED": ago(im.get("Created", 0), now),
                "SIZE": format_bytes(im.get("Size", 0), binary=False),
                "SIZE (MB)": round((im.get("Size", 0) or 0) / 1e6, 2),
            })
    df = pd.DataFrame(rows, columns=IMAGES_COLUMNS + ["SIZE (MB)"])
    return df.sort_values(["REPOSITORY", "TAG"], kind="stable").reset_index(drop=True)


def stats_frame(rows):
    """`docker stats --no-stream` as a DataFrame of numbers, sorted by name."""
    import pandas as pd

    data = [{
        "CONTAINER ID": r.id,
        "NAME": r.name,
        "CPU %": round(r.cpu_percent, 2),
        "MEM USAGE (MiB)": round(r.mem_usage / 2**20, 2),
        "MEM LIMIT (MiB)": round(r.mem_limit / 2**20, 2),
        "MEM %": round(r.mem_percent, 2),
        "NET RX (B)": r.net_rx,
        "NET TX (B)": r.net_tx,
        "BLOCK READ (B)": r.block_read,
        "BLOCK WRITE (B)": r.block_write,
        "PIDS": r.pids,
    } for r in rows]
    df = pd.DataFrame(data, columns=STATS_COLUMNS)
    return df.sort_values("NAME", kind="stable").reset_index(drop=True)


DF_COLUMNS = ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]


def _human_size(n: float) -> str:
    """go-units HumanSize (4 significant digits, decimal units), as `docker system df` prints sizes."""
    n = float(n)
    for unit in ["B", "kB", "MB", "GB", "TB", "PB"]:
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.4g}{unit}"
        n /= 1000


def _with_percent(reclaimable: int, total: int) -> str:
    return f"{_human_size(reclaimable)} ({reclaimable * 100 // total}%)" if total > 0 else _human_size(reclaimable)


def system_df_frame(df: dict):
    """`docker system df` as a DataFrame, from the engine's ``/system/df`` JSON.

    The CLI's arithmetic (docker/cli ``cli/command/formatter/disk_usage.go``):
    images are active when a container uses them, and what such an image holds
    alone (size minus shared size) is not reclaimable; containers are active
    when running, paused or restarting, and the writable layers of the others
    are reclaimable; volumes by reference count; the build cache unless in use.
    ``SIZE (B)`` and ``RECLAIMABLE (B)`` give the same as numbers.
    """
    import pandas as pd

    images = df.get("Images") or []
    layers = df.get("LayersSize") or 0
    used = sum(i.get("Size", 0) - i.get("SharedSize", 0) for i in images
               if i.get("Containers") and i.get("Size", -1) != -1 and i.get("SharedSize", -1) != -1)
    containers = df.get("Containers") or []
    active_c = [c for c in containers if c.get("State") in ("running", "paused", "restarting")]
    c_size = sum(c.get("SizeRw", 0) or 0 for c in containers)
    c_reclaim = c_size - sum(c.get("SizeRw", 0) or 0 for c in active_c)
    volumes = df.get("Volumes") or []
    v_size = sum(max((v.get("UsageData") or {}).get("Size", 0), 0) for v in volumes)
    v_reclaim = sum(max((v.get("UsageData") or {}).get("Size", 0), 0) for v in volumes
                    if (v.get("UsageData") or {}).get("RefCount", 0) == 0)
    cache = df.get("BuildCache") or []
    b_size = sum(b.get("Size", 0) for b in cache if not b.get("Shared"))
    b_reclaim = sum(b.get("Size", 0) for b in cache if not b.get("Shared") and not b.get("InUse"))
    rows = [
        ("Images", len(images), sum(1 for i in images if i.get("Containers")), layers, layers - used),
        ("Containers", len(containers), len(active_c), c_size, c_reclaim),
        ("Local Volumes", len(volumes), sum(1 for v in volumes if (v.get("UsageData") or {}).get("RefCount", 0) > 0),
         v_size, v_reclaim),
        ("Build Cache", len(cache), sum(1 for b in cache if b.get("InUse")), b_size, b_reclaim),
    ]
    data = [{"TYPE": t, "TOTAL": n, "ACTIVE": a, "SIZE": _human_size(s),
             "RECLAIMABLE": _with_percent(r, s) if t != "Build Cache" else _human_size(r),
             "SIZE (B)": s, "RECLAIMABLE (B)": r} for t, n, a, s, r in rows]
    return pd.DataFrame(data, columns=DF_COLUMNS + ["SIZE (B)", "RECLAIMABLE (B)"])
