"""pandas frames shaped like the docker CLI's tables, from the engine's JSON.

Pure functions (unit-tested on canned JSON); rows are sorted by name so that a
notebook's output is stable from run to run.
"""
from __future__ import annotations

import time

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

    rows = []
    for c in containers:
        names = ",".join(n.lstrip("/") for n in (c.get("Names") or []))
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
    return df.sort_values("NAMES", kind="stable").reset_index(drop=True)


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
