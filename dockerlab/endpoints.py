"""Find the engine the way the docker CLI does.

Order: ``DOCKER_HOST``; the current context (``DOCKER_CONTEXT``, then
``currentContext`` in ``~/.docker/config.json``; the SDK alone ignores
contexts); then the default socket, the rootless socket and podman's sockets.
An explicit choice (DOCKER_HOST or a context) is the only one tried, as with
the CLI: silently using another engine would teach the wrong thing.

Each candidate is probed with a plain socket first, so a failure is explained
precisely (no socket, permission denied, nothing listening, bad address)
before any HTTP library is involved.
"""
from __future__ import annotations

import errno
import grp
import hashlib
import json
import os
import pwd
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .errors import BadDockerHost

DEFAULT_SOCKET = "/var/run/docker.sock"
DOCKER_GROUP_HINT = (
    "add yourself to the docker group: sudo usermod -aG docker $USER, then log out and in again "
    "(members of the docker group are root-equivalent on this machine; rootless Docker avoids that)"
)


@dataclass
class Endpoint:
    """One place an engine may answer."""

    url: str  # unix:///path, tcp://host:port, ssh://user@host
    source: str  # "DOCKER_HOST", "context <name>", "default socket", ...
    tls: dict = field(default_factory=dict)  # ca_cert, client_cert, verify

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def __str__(self) -> str:
        return f"{self.url} ({self.source})"


@dataclass
class Attempt:
    endpoint: Endpoint
    reason: str  # one of: ok, no-socket, permission-denied, refused, unreachable, bad-address, error
    detail: str
    hint: str = ""


def parse_host(value: str, source: str = "DOCKER_HOST", env=None) -> str:
    """Normalise a DOCKER_HOST value to a URL, or raise :class:`BadDockerHost`."""
    raw = value.strip()
    if not raw:
        raise BadDockerHost(f"{source} is set but empty", reason="bad-address",
                            hint=f"unset {source} to use the default socket, or set it to unix:///var/run/docker.sock")
    if raw.startswith("/"):
        raw = "unix://" + raw
    if "://" not in raw:
        if ":" in raw:  # host:port, as the CLI accepts
            raw = "tcp://" + raw
        else:
            raise BadDockerHost(
                f"{source}={value!r} is not an address the Docker CLI understands", reason="bad-address",
                hint="use unix:///path/to/docker.sock, tcp://host:2375 (2376 with TLS) or ssh://user@host",
            )
    try:
        parts = urlsplit(raw)
    except ValueError as e:  # "Invalid IPv6 URL": an unclosed [
        raise BadDockerHost(f"{source}={value!r} is not a valid address ({e})", reason="bad-address",
                            hint="for example tcp://127.0.0.1:2375, or tcp://[::1]:2375 for IPv6") from None
    raw = parts.scheme + raw[len(parts.scheme):]  # TCP://host -> tcp://host, as urlsplit reads it
    if parts.scheme == "npipe":
        raise BadDockerHost(f"{source}={value!r} is a Windows named pipe", reason="bad-address",
                            hint="named pipes work only on Windows; on Linux use unix:///var/run/docker.sock")
    if parts.scheme in ("http", "https"):
        raw = "tcp" + raw[len(parts.scheme):]
        parts = urlsplit(raw)  # the same netloc: it parsed above
    if parts.scheme not in ("unix", "tcp", "ssh"):
        raise BadDockerHost(f"{source}={value!r} has the scheme {parts.scheme!r}, which Docker does not use",
                            reason="bad-address", hint="use unix://, tcp:// or ssh://")
    if parts.scheme == "unix" and not parts.path:
        raise BadDockerHost(f"{source}={value!r} names no socket path", reason="bad-address",
                            hint="write it with three slashes: unix:///var/run/docker.sock")
    if parts.scheme in ("tcp", "ssh"):
        try:
            port = parts.port
        except ValueError:
            raise BadDockerHost(f"{source}={value!r} has a port that is not a number from 1 to 65535",
                                reason="bad-address", hint="for example tcp://127.0.0.1:2375") from None
        if not parts.hostname:
            raise BadDockerHost(f"{source}={value!r} names no host", reason="bad-address",
                                hint="for example tcp://127.0.0.1:2375")
        if parts.scheme == "tcp" and port is None:
            raw = raw.rstrip("/") + (":2376" if _env(env).get("DOCKER_TLS_VERIFY") else ":2375")
    return raw


def _env(env):
    """The environment discovery reads: the one given (doctor's, a test's), else the process's."""
    return os.environ if env is None else env


def _docker_config_dir(env=None) -> Path:
    e = _env(env)
    home = Path(e["HOME"]) if e.get("HOME") else Path.home()
    return Path(e.get("DOCKER_CONFIG") or home / ".docker")


def current_context(env=None) -> tuple[str, str]:
    """(context name, where the choice came from); name "default" means none."""
    if _env(env).get("DOCKER_CONTEXT"):
        return _env(env)["DOCKER_CONTEXT"], "DOCKER_CONTEXT"
    cfg = _docker_config_dir(env) / "config.json"
    try:
        data = json.loads(cfg.read_text())
    except (OSError, ValueError):
        return "default", ""
    return (data.get("currentContext") or "default"), str(cfg)


def context_endpoint(name: str, chosen_by: str, env=None) -> Endpoint:
    """Read a context's docker endpoint from ``contexts/meta/<sha256(name)>/meta.json``."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    base = _docker_config_dir(env) / "contexts"
    meta = base / "meta" / digest / "meta.json"
    source = f"context {name!r} (chosen by {chosen_by})"
    try:
        data = json.loads(meta.read_text())
    except FileNotFoundError:
        raise BadDockerHost(
            f"The docker context {name!r} does not exist", reason="bad-address",
            state=f"it was chosen by {chosen_by}; there is no {meta}",
            hint="list contexts with 'docker context ls'; 'docker context use default' goes back to the default socket",
        ) from None
    except (OSError, ValueError) as e:
        raise BadDockerHost(f"The docker context {name!r} could not be read ({e})", reason="bad-address",
                            hint=f"check or remove {meta}") from None
    ep = (data.get("Endpoints") or {}).get("docker") or {}
    host = ep.get("Host")
    if not host:
        raise BadDockerHost(f"The docker context {name!r} has no docker endpoint", reason="bad-address",
                            hint=f"check {meta}, or 'docker context use default'")
    url = parse_host(host, source=f"context {name!r}", env=env)
    tls = {}
    tls_dir = base / "tls" / digest / "docker"
    if tls_dir.is_dir():
        tls = {
            "ca_cert": str(tls_dir / "ca.pem") if (tls_dir / "ca.pem").exists() else None,
            "client_cert": (str(tls_dir / "cert.pem"), str(tls_dir / "key.pem")) if (tls_dir / "cert.pem").exists() else None,
            "verify": not ep.get("SkipTLSVerify", False),
        }
    return Endpoint(url, source, tls)


def _env_tls(env=None) -> dict:
    env = _env(env)
    if not env.get("DOCKER_TLS_VERIFY") and not env.get("DOCKER_CERT_PATH"):
        return {}
    certs = Path(env.get("DOCKER_CERT_PATH") or _docker_config_dir(env))
    return {
        "ca_cert": str(certs / "ca.pem"),
        "client_cert": (str(certs / "cert.pem"), str(certs / "key.pem")),
        "verify": bool(env.get("DOCKER_TLS_VERIFY")),
    }


def candidates(env=None) -> list[Endpoint]:
    """The endpoints to try, in the docker CLI's order, read from ``env`` (default: os.environ)."""
    e = _env(env)
    if e.get("DOCKER_HOST") is not None:
        return [Endpoint(parse_host(e["DOCKER_HOST"], env=env), "DOCKER_HOST", _env_tls(env))]
    name, chosen_by = current_context(env)
    if name != "default":
        return [context_endpoint(name, chosen_by, env)]
    found = [Endpoint("unix://" + DEFAULT_SOCKET, "default socket")]
    runtime = e.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    found.append(Endpoint(f"unix://{runtime}/docker.sock", "rootless Docker socket"))
    found.append(Endpoint(f"unix://{runtime}/podman/podman.sock", "rootless podman socket"))
    found.append(Endpoint("unix:///run/podman/podman.sock", "podman socket"))
    return found


def owner_and_group(st: os.stat_result) -> tuple[str, str]:
    """The names of a file's owner and group (their numbers where no name is known)."""
    try:
        user = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        user = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return user, group


def _socket_owner(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return ""
    user, group = owner_and_group(st)
    return f"owner {user}, group {group}, mode {stat.filemode(st.st_mode)}"


def probe(ep: Endpoint, timeout: float = 3.0) -> Attempt:
    """Open a plain connection to the endpoint and classify what happens."""
    if ep.scheme == "unix":
        path = ep.path
        if not os.path.exists(path):
            return Attempt(ep, "no-socket", f"no socket at {path}",
                           "is the Docker daemon running? Start Docker Desktop, or 'sudo systemctl start docker'")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
        except PermissionError:
            who = pwd.getpwuid(os.getuid()).pw_name if _has_pw() else str(os.getuid())
            return Attempt(ep, "permission-denied",
                           f"permission denied on {path} ({_socket_owner(path)}; you are {who})", DOCKER_GROUP_HINT)
        except ConnectionRefusedError:
            return Attempt(ep, "refused", f"{path} exists but nothing is listening on it (a stale socket: the daemon stopped)",
                           "start the Docker daemon again ('sudo systemctl start docker', or Docker Desktop)")
        except OSError as e:
            return Attempt(ep, "error", f"{path}: {e.strerror or e}")
        finally:
            s.close()
        return Attempt(ep, "ok", f"{path} accepts connections")
    if ep.scheme == "tcp":
        parts = urlsplit(ep.url)
        host, port = parts.hostname, parts.port
        try:
            conn = socket.create_connection((host, port), timeout=timeout)
        except socket.gaierror:
            return Attempt(ep, "unreachable", f"the host name {host!r} does not resolve",
                           "check the name in DOCKER_HOST or the context")
        except ConnectionRefusedError:
            return Attempt(ep, "refused", f"nothing is listening on {host}:{port} (connection refused)",
                           "is the daemon started with -H tcp://...? Check the address and port")
        except socket.timeout:
            return Attempt(ep, "unreachable", f"{host}:{port} did not answer within {timeout:g} s",
                           "check the address, and that a firewall lets you reach it")
        except OSError as e:
            reason = "unreachable" if e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) else "error"
            return Attempt(ep, reason, f"{host}:{port}: {e.strerror or e}")
        conn.close()
        return Attempt(ep, "ok", f"{host}:{port} accepts connections")
    return Attempt(ep, "ok", "not probed (ssh is checked by the engine call itself)")


def _has_pw() -> bool:
    try:
        pwd.getpwuid(os.getuid())
        return True
    except KeyError:
        return False
