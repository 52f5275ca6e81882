"""The Engine checks: which endpoint, whether an engine answers there, and what it is."""
from __future__ import annotations

import re

from ... import endpoints as ep_mod
from ...errors import BadDockerHost, DockerLabError, EngineUnavailable
from ..report import Check
from .base import Ctx, check, discovery_env


@check("Engine endpoint", group="Engine", provides={"endpoints": "the endpoint is not valid (see above)"})
def _check_endpoint(ctx: Ctx) -> Check:
    try:
        cands = ep_mod.candidates(discovery_env(ctx))
    except BadDockerHost as e:
        return Check("Engine endpoint", "fail", e.what + (f". {e.state}" if e.state else ""), fix=e.hint,
                     group="Engine", data={"error": type(e).__name__, "message": str(e)})
    ctx.attempts = [ep_mod.probe(c, timeout=ctx.timeout) for c in cands]
    first = cands[0]
    attempts = [{"url": a.endpoint.url, "source": a.endpoint.source, "reason": a.reason, "detail": a.detail,
                 "hint": a.hint} for a in ctx.attempts]
    data = {"candidates": attempts}
    if len(cands) == 1 and first.source != "default socket":
        if first.source == "DOCKER_HOST":
            ev = f"{first.url}, because DOCKER_HOST={ctx.env.get('DOCKER_HOST')} is set; only this endpoint is tried"
        else:
            ev = f"{first.url}, from the {first.source}; only this endpoint is tried"
        data["chosen_by"] = first.source
    else:
        ok = next((a for a in ctx.attempts if a.reason == "ok"), None)
        tried = ", ".join(f"{a.endpoint.url} ({a.reason})" for a in ctx.attempts)
        ev = (f"no DOCKER_HOST and no context: tried in the CLI's order {tried}"
              + (f"; using {ok.endpoint.url}" if ok else ""))
        data["chosen_by"] = "default"
    return Check("Engine endpoint", "pass", ev, group="Engine", data=data)


@check("Engine reachable", group="Engine", needs=("endpoints",), provides={"engine": "no engine answered"},
       unmet="not tried: {why}", unmet_data={"reason": "bad-address"})
def _connect(ctx: Ctx) -> Check:
    from ...connect import connect

    try:
        ctx.lab = connect(show_cli=False, lesson="doctor", timeout=ctx.timeout, env=discovery_env(ctx))
    except EngineUnavailable as e:
        fix = e.hint
        explicit = len(ctx.attempts) == 1 and ctx.attempts[0].endpoint.source != "default socket"
        if explicit and ctx.attempts[0].endpoint.url != "unix://" + ep_mod.DEFAULT_SOCKET:
            default = ep_mod.probe(ep_mod.Endpoint("unix://" + ep_mod.DEFAULT_SOCKET, "default socket"),
                                   timeout=ctx.timeout)
            if default.reason == "ok":
                undo = ("unset DOCKER_HOST" if ctx.attempts[0].endpoint.source == "DOCKER_HOST"
                        else "'docker context use default'")
                fix = (f"the default socket {ep_mod.DEFAULT_SOCKET} accepts connections: {undo} to use it. "
                       f"Otherwise: {fix}")
        return Check("Engine reachable", "fail", e.what + (". " + e.state if e.state else ""), fix=fix,
                     group="Engine",
                     data={"reason": e.reason, "error": type(e).__name__,
                           "attempts": [list(a) for a in e.attempts]})
    except DockerLabError as e:
        return Check("Engine reachable", "fail", e.what + (". " + e.state if e.state else ""), fix=e.hint,
                     group="Engine", data={"reason": "error", "error": type(e).__name__})
    except ImportError as e:  # the docker SDK is missing: the Docker SDK check says how to install it
        return Check("Engine reachable", "fail", f"cannot talk to an engine without the docker SDK ({e})",
                     fix="install it (see 'Docker SDK' above)", group="Engine",
                     data={"reason": "no-sdk", "error": "ImportError"})
    ctx.endpoint = ctx.lab.endpoint
    try:
        ctx.info = dict(ctx.lab.info())
        ctx.version = dict(ctx.lab.version())
    except DockerLabError as e:
        ctx.info = {}
        return Check("Engine reachable", "warn", f"{ctx.endpoint} answered /version but not /info: {e.what}",
                     fix=e.hint, group="Engine", data={"reason": "ok"})
    return Check("Engine reachable", "pass",
                 f"{ctx.lab.engine_name} at {ctx.endpoint.url} ({ctx.endpoint.source}) answers",
                 group="Engine", data={"reason": "ok", "url": ctx.endpoint.url, "source": ctx.endpoint.source})


@check("Engine version", group="Engine", needs=("engine",))
def _check_versions(ctx: Ctx) -> Check:
    v = ctx.version
    api = ctx.lab.api_version
    server = v.get("Version", "?")
    data = {"server": server, "api": api, "min_api": v.get("MinAPIVersion", ""), "os": v.get("Os", ""),
            "arch": v.get("Arch", "")}
    ev = f"{ctx.lab.engine_name} {server}, API {api} (oldest it accepts: {v.get('MinAPIVersion', '?')}), {v.get('Os', '?')}/{v.get('Arch', '?')}"
    api_t = tuple(int(p) for p in re.findall(r"\d+", api)[:2])
    if api_t and api_t < (1, 41):
        return Check("Engine version", "warn", ev, group="Engine", data=data,
                     fix="the kit is tested with API 1.41 (Docker 20.10) and newer; upgrade the engine")
    note = ""
    if "dfsg" in server or "ubuntu" in server.lower():
        note = "this is the distribution's docker.io package; Docker's own docker-ce packages are newer; both work here"
    return Check("Engine version", "pass", ev, group="Engine", data=data, fix=note)


@check("Rootless", group="Engine", needs=("engine",))
def _check_rootless(ctx: Ctx) -> Check:
    opts = ctx.info.get("SecurityOptions") or []
    rootless = any("rootless" in o for o in opts)
    data = {"rootless": rootless, "security_options": opts}
    if rootless:
        return Check("Rootless", "pass", "rootless: the daemon runs as your user (" + ", ".join(opts) + ")",
                     group="Engine", data=data,
                     fix="some lessons behave differently: no ports below 1024, and limits need cgroup v2 (today's "
                         "layout) with systemd")
    return Check("Rootless", "pass", "no: the daemon runs as root (" + (", ".join(opts) or "no security options") + ")",
                 group="Engine", data=data, fix="whoever can use this engine is root on its machine")


@check("Cgroups", group="Engine", needs=("engine",))
def _check_cgroups(ctx: Ctx) -> Check:
    ver, drv = str(ctx.info.get("CgroupVersion") or "?"), ctx.info.get("CgroupDriver") or "?"
    warns = [w for w in (ctx.info.get("Warnings") or []) if re.search(r"limit|cgroup|swap|cpu", w, re.I)]
    data = {"version": ver, "driver": drv, "warnings": warns}
    ev = f"cgroup v{ver}, driver {drv}"
    rootless = any("rootless" in o for o in ctx.info.get("SecurityOptions") or [])
    if rootless and ver == "1":
        return Check("Cgroups", "warn", ev, group="Engine", data=data,
                     fix="limits are NOT enforced here: a rootless engine on cgroup v1 (Cgroup Driver " + drv + ") accepts "
                         "--memory 64m and does not apply it; the limits lesson says so and runs unlimited. On a "
                         "classroom server (dockerlab classroom) each learner's engine as a whole is bounded instead; "
                         "cgroup v2, today's layout (v1 is deprecated in Docker 29), with systemd delegation gives "
                         "rootless engines their limits")
    if warns:
        return Check("Cgroups", "warn", ev + "; the engine warns: " + "; ".join(warns), group="Engine", data=data,
                     fix="some resource limits in the limits lesson may be ignored")
    return Check("Cgroups", "pass", ev, group="Engine", data=data,
                 fix="cgroup v1 is the older layout, deprecated in Docker 29 (today's distributions mount cgroup v2); "
                     "memory and CPU limits work here, and the stats lesson shows each counter's v1 and v2 file"
                 if ver == "1" else "cgroup v2, today's layout: one unified tree" if ver == "2" else "")


@check("Storage driver", group="Engine", needs=("engine",))
def _check_storage(ctx: Ctx) -> Check:
    drv = ctx.info.get("Driver") or "?"
    root = ctx.info.get("DockerRootDir", "")
    data = {"driver": drv, "root_dir": root}
    ev = f"{drv}" + (f" in {root}" if root else "")
    if drv in ("overlay2", "overlayfs", "btrfs", "zfs", "fuse-overlayfs", "stargz", "containerd"):
        return Check("Storage driver", "pass", ev, group="Engine", data=data)
    if drv == "vfs":
        return Check("Storage driver", "warn", ev, group="Engine", data=data,
                     fix="vfs copies every layer in full: slow and disk-hungry; overlay2 is the default on a normal kernel")
    if drv in ("devicemapper", "aufs"):
        return Check("Storage driver", "warn", ev, group="Engine", data=data,
                     fix=f"{drv} is deprecated and removed from current Docker; move to overlay2")
    return Check("Storage driver", "pass", ev, group="Engine", data=data)
