"""The Permissions check: may this user talk to the engine's socket, and what that means."""
from __future__ import annotations

import grp
import os
import stat
from urllib.parse import urlsplit

from ... import endpoints as ep_mod
from ..install import DOCS, SECURITY_NOTE
from ..report import Check
from .base import Ctx, check, whoami


@check("Socket permissions", group="Permissions", uses=("endpoints", "engine"))
def _check_permissions(ctx: Ctx) -> Check:
    name, group = "Socket permissions", "Permissions"
    ep = ctx.endpoint
    if ep is None:
        denied = next((a for a in ctx.attempts if a.reason == "permission-denied"), None)
        socks = [a for a in ctx.attempts if a.endpoint.scheme == "unix" and os.path.exists(a.endpoint.path)]
        target = denied or (socks[0] if socks else None)
        if target is None:
            if ctx.attempts and ctx.attempts[0].endpoint.scheme == "tcp":
                return _tcp_note(ctx.attempts[0].endpoint, reachable=False)
            return Check(name, "skip", "no engine socket exists to check", group=group)
        ep = target.endpoint
    if ep.scheme == "tcp":
        return _tcp_note(ep, reachable=ctx.lab is not None)
    if ep.scheme != "unix":
        return Check(name, "pass", f"{ep.url}: permissions are those of the ssh account", group=group)
    path = ep.path
    try:
        st = os.stat(path)
    except OSError as e:
        return Check(name, "skip", f"cannot stat {path}: {e.strerror}", group=group)
    owner, gname = ep_mod.owner_and_group(st)
    me, uid = whoami(), os.getuid()
    my_gids = set(os.getgroups()) | {os.getgid()}
    try:
        docker_grp = grp.getgrnam("docker")
    except KeyError:
        docker_grp = None
    in_session = docker_grp is not None and docker_grp.gr_gid in my_gids
    listed = docker_grp is not None and me in docker_grp.gr_mem
    can = os.access(path, os.R_OK | os.W_OK)
    data = {"socket": path, "owner": owner, "group": gname, "mode": stat.filemode(st.st_mode), "user": me,
            "uid": uid, "in_docker_group": in_session, "listed_in_docker_group": listed, "access": can}
    ev = (f"{path}: owner {owner}, group {gname}, mode {stat.filemode(st.st_mode)}; you are {me} (uid {uid}), "
          + ("" if uid == 0 else ("in the docker group" if in_session else "not in the docker group")))
    ev = ev.rstrip(", ")
    if uid == 0:
        return Check(name, "pass", ev, group=group, data=data,
                     fix="as root you need no group; the tutorial's 'sudo docker ...' does the same. Learners should not "
                         "work as root: give them the docker group or rootless Docker")
    if ctx.lab is not None or can:
        return Check(name, "pass", ev, group=group, data=data, fix=f"security: {SECURITY_NOTE}")
    if listed and not in_session:
        fix = ("you were added to the docker group after this session started: log out and in again (or run "
               "'newgrp docker' in this terminal, or restart JupyterLab from a new login)")
    elif gname != "docker" and docker_grp is None:
        fix = ("there is no docker group: 'sudo groupadd docker', restart the daemon so the socket gets that group, "
               "then 'sudo usermod -aG docker $USER' and log out and in")
    elif gname != "docker":
        fix = (f"the socket's group is {gname}, not docker: restart the daemon (it sets the group at start), "
               "then 'sudo usermod -aG docker $USER' and log out and in")
    else:
        fix = "sudo usermod -aG docker $USER, then log out and in again (or 'newgrp docker')"
    fix += f". Security: {SECURITY_NOTE}"
    return Check(name, "fail", ev + "; permission denied", group=group, data=data, fix=fix)


def _tcp_note(ep, reachable: bool) -> Check:
    tls = bool(ep.tls)
    port = urlsplit(ep.url).port
    ev = f"{ep.url} is a TCP endpoint " + ("with TLS" if tls else "without TLS") + ": no socket file, so no owner or group"
    data = {"endpoint": ep.url, "tls": tls}
    if not tls and reachable:
        return Check("Socket permissions", "warn", ev, group="Permissions", data=data,
                     fix=f"plain TCP (port {port}) has no authentication: anyone who can reach it is root on the "
                         f"engine's machine. Use TLS (port 2376) or ssh://user@host ({DOCS['attack-surface']})")
    return Check("Socket permissions", "pass" if reachable else "skip", ev, group="Permissions", data=data,
                 fix="" if tls else "if you expose an engine on TCP, protect it with TLS or use ssh://")
