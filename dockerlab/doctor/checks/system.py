"""The System checks: which operating system, architecture, WSL, Docker Desktop, container, Binder."""
from __future__ import annotations

import contextlib
import os
import platform
import shutil
import subprocess
from pathlib import Path

from ... import endpoints as ep_mod
from ..install import DEB_ARCH, DEBIAN_OLD, DEBIAN_RELEASES, DOCS, UBUNTU_OLD, UBUNTU_RELEASES, apt_family, dpkg_architecture, lsb_codename, parse_os_release
from ..report import Check
from .base import Ctx, check, read


@check("Operating system", group="System")
def _check_os(ctx: Ctx) -> Check:
    system = platform.system()
    text = read(ctx.os_release_path)
    if system != "Linux" and text is None:
        return Check("Operating system", "pass", f"{system} {platform.release()}", group="System",
                     fix="Docker Engine needs Linux; on this system the kit uses Docker Desktop "
                         "(dockerlab doctor --install)", data={"system": system})
    if text is None:
        return Check("Operating system", "warn", f"{system}; could not read {ctx.os_release_path}", group="System",
                     fix="the doctor cannot name the distribution, so it cannot give exact install steps",
                     data={"system": system, "os_release": ctx.os_release_path})
    d = ctx.os = parse_os_release(text)
    pretty = d.get("PRETTY_NAME") or d.get("NAME") or "an unnamed Linux"
    code = lsb_codename(d)
    family, repo_code = apt_family(d)
    ev = f"{pretty}; `lsb_release -cs` would print: {code or '(nothing)'} (read from {ctx.os_release_path})"
    real = _lsb_release(ctx) if os.path.realpath(ctx.os_release_path) == "/etc/os-release" or \
        ctx.os_release_path == "/etc/os-release" else None
    if real is not None and real != code:
        ev += f" (but lsb_release -cs here prints {real or 'nothing'})"
    data = {"system": system, "id": d.get("ID", ""), "id_like": d.get("ID_LIKE", ""), "version_id": d.get("VERSION_ID", ""),
            "pretty_name": pretty, "codename": code, "docker_repo_family": family, "docker_repo_codename": repo_code,
            "os_release": ctx.os_release_path, "lsb_release": real}
    if family in ("ubuntu", "debian") and repo_code and repo_code != code:
        ev += f"; Docker's {family} repository needs {repo_code}"
    known = {"ubuntu": (UBUNTU_RELEASES, UBUNTU_OLD), "debian": (DEBIAN_RELEASES, DEBIAN_OLD)}.get(family)
    if known and repo_code in known[1]:
        return Check("Operating system", "warn", ev + f" ({family.title()} {known[1][repo_code]}, past its support)",
                     group="System", data=data,
                     fix=f"Docker's packages no longer support {repo_code}; the lessons may still work, but upgrade if you can")
    if known and repo_code and repo_code not in known[0]:
        return Check("Operating system", "warn", ev, group="System", data=data,
                     fix=f"dockerlab does not know the release {repo_code!r}; check Docker's page {DOCS[family]}")
    return Check("Operating system", "pass", ev, group="System", data=data)


def _lsb_release(ctx: Ctx) -> str | None:
    """What ``lsb_release -cs`` really prints here (None when it is not installed)."""
    exe = shutil.which("lsb_release", path=ctx.env.get("PATH", ""))
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "-cs"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@check("Architecture", group="System")
def _check_arch(ctx: Ctx) -> Check:
    machine = platform.machine()
    deb = dpkg_architecture() if shutil.which("dpkg") else DEB_ARCH.get(machine.lower(), machine)
    ev = f"{machine}" + (f" (dpkg: {deb})" if shutil.which("dpkg") else "")
    data = {"machine": machine, "dpkg": deb}
    if machine.lower() in ("x86_64", "amd64", "aarch64", "arm64"):
        return Check("Architecture", "pass", ev, group="System", data=data,
                     fix=("images are built per architecture: amd64-only images do not run natively here"
                          if machine.lower() in ("aarch64", "arm64") else ""))
    return Check("Architecture", "warn", ev, group="System", data=data,
                 fix="many images exist only for amd64 and arm64; the lesson images may not run here")


@check("WSL", group="System")
def _check_wsl(ctx: Ctx) -> Check:
    pv = read(ctx.proc_version) or ""
    env = ctx.env
    if "microsoft-standard" in pv.lower() or "wsl2" in pv.lower():
        ctx.wsl = "2"
    elif "microsoft" in pv.lower():
        ctx.wsl = "1"
    elif env.get("WSL_DISTRO_NAME"):
        ctx.wsl = "2" if env.get("WSL_INTEROP") else "?"
    data = {"wsl": ctx.wsl, "distro": env.get("WSL_DISTRO_NAME", "")}
    if not ctx.wsl:
        return Check("WSL", "pass", "not Windows Subsystem for Linux", group="System", data=data)
    where = f"WSL {ctx.wsl}" + (f", distribution {env['WSL_DISTRO_NAME']}" if env.get("WSL_DISTRO_NAME") else "")
    if ctx.wsl == "1":
        return Check("WSL", "fail", f"{where} (kernel: {pv.strip()[:80]})", group="System", data=data,
                     fix="Docker needs WSL 2: in PowerShell run 'wsl --set-version <distribution> 2', then use "
                         f"Docker Desktop's WSL integration ({DOCS['desktop-wsl']})")
    return Check("WSL", "pass", where, group="System", data=data,
                 fix="use Docker Desktop's WSL integration, or Docker Engine installed inside this distribution, not both")


@check("Docker Desktop", group="System", uses=("engine",))
def _check_desktop(ctx: Ctx) -> Check:
    os_name = ctx.info.get("OperatingSystem", "")
    url = ctx.endpoint.url if ctx.endpoint else ""
    source = ctx.endpoint.source if ctx.endpoint else ""
    home = Path(ctx.env.get("HOME") or "~").expanduser()
    signs = []
    if "Docker Desktop" in os_name:
        signs.append(f"the engine says it runs in {os_name}")
    if "desktop" in source or "/.docker/desktop/" in url or "/.docker/run/" in url:
        signs.append(f"the endpoint {url} is Docker Desktop's")
    installed = (home / ".docker" / "desktop").is_dir()
    data = {"docker_desktop": bool(signs), "installed_hint": installed}
    if signs:
        return Check("Docker Desktop", "pass", "; ".join(signs), group="System", data=data,
                     fix="the engine runs in Docker Desktop's VM: start Docker Desktop before the lessons")
    if installed and ctx.lab is None:
        return Check("Docker Desktop", "warn", f"{home / '.docker' / 'desktop'} exists but no engine answers",
                     group="System", data=data, fix="start Docker Desktop and wait until it says 'Engine running'")
    return Check("Docker Desktop", "pass", "not in use" + (" (a Docker Engine answers directly)" if ctx.lab else ""),
                 group="System", data=data)


def _inside_container(ctx: Ctx) -> list[str]:
    signs = [f"{m} exists" for m in ctx.container_markers if os.path.exists(m)]
    if ctx.env.get("container"):
        signs.append(f"container={ctx.env['container']}")
    if ctx.env.get("KUBERNETES_SERVICE_HOST"):
        signs.append("KUBERNETES_SERVICE_HOST is set")
    return signs


def socket_inodes(path: str, net_unix: str = "/proc/net/unix") -> set[int]:
    """The inodes of the unix sockets bound to ``path`` (the kernel's table: ``/proc/net/unix``)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for line in Path(net_unix).read_text().splitlines()[1:]:
            f = line.split()
            if len(f) >= 8 and f[7] == path and f[6].isdigit():  # Num RefCount Protocol Flags Type St Inode Path
                inodes.add(int(f[6]))
    return inodes


def _local_dockerd(socket_path: str = "", proc: str = "/proc") -> int | None:
    """The pid of the dockerd that holds the engine's socket ``socket_path`` (several engines may run
    here), else of the only dockerd visible from here, else None."""
    wanted = {f"socket:[{i}]" for i in socket_inodes(socket_path)} if socket_path else set()
    dockerds = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(proc):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                if Path(entry.path, "comm").read_text().strip() != "dockerd":
                    continue
                dockerds.append(int(entry.name))
                if wanted and any(os.readlink(fd.path) in wanted for fd in os.scandir(Path(entry.path, "fd"))):
                    return int(entry.name)
    return dockerds[0] if len(dockerds) == 1 and not wanted else None


@check("Inside a container", group="System", uses=("engine",))
def _check_container(ctx: Ctx) -> Check:
    signs = _inside_container(ctx)
    data = {"inside": bool(signs), "signs": signs}
    if not signs:
        return Check("Inside a container", "pass", "no: running directly on the machine", group="System", data=data)
    ev = "yes (" + ", ".join(signs) + ")"
    if ctx.lab is not None:
        url = ctx.endpoint.url if ctx.endpoint is not None else ""
        pid = _local_dockerd(url[len("unix://"):] if url.startswith("unix://") else "")
        data["dockerd_pid"] = pid
        if pid:
            return Check("Inside a container", "pass", ev + f"; the engine runs in here too (dockerd, pid {pid})",
                         group="System", data=data)
        return Check("Inside a container", "pass", ev + f"; the engine at {ctx.endpoint.url} answers from outside",
                     group="System", data=data,
                     fix="containers you start are siblings on that engine's machine, not children of this container")
    if os.path.exists(ep_mod.DEFAULT_SOCKET):
        return Check("Inside a container", "pass", ev + f"; the engine's socket {ep_mod.DEFAULT_SOCKET} is in here",
                     group="System", data=data)
    return Check("Inside a container", "warn", ev + "; no engine answers from in here", group="System", data=data,
                 fix="run the kit on the host, or start this container with the engine's socket mounted "
                     "(-v /var/run/docker.sock:/var/run/docker.sock, which gives it root on the host)")


@check("Binder / JupyterHub", group="System", uses=("engine",))
def _check_binder(ctx: Ctx) -> Check:
    binder = sorted(k for k in ctx.env if k.startswith("BINDER_"))
    hub = sorted(k for k in ("JUPYTERHUB_USER", "JUPYTERHUB_API_URL") if ctx.env.get(k))
    data = {"binder": bool(binder), "jupyterhub": bool(hub), "vars": binder + hub}
    if not binder and not hub:
        return Check("Binder / JupyterHub", "pass", "neither (no BINDER_* or JUPYTERHUB_* variables)", group="System", data=data)
    where = "Binder" if binder else f"JupyterHub (user {ctx.env.get('JUPYTERHUB_USER', '?')})"
    ev = f"{where}: " + ", ".join(binder + hub)
    if ctx.lab is not None:
        return Check("Binder / JupyterHub", "pass", ev + "; an engine answers", group="System", data=data)
    return Check("Binder / JupyterHub", "warn", ev + "; no engine answers", group="System", data=data,
                 fix=("Binder gives no Docker engine and no root: run the kit on your own machine"
                      if binder else "ask the hub's admin whether the hub offers a Docker engine to your server"))
