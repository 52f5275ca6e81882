"""Published ports (``docker run -p``): parsing, the CLI twin, and the guard on public addresses.

The kit publishes on 127.0.0.1 unless told otherwise: a learner's web server answers on
this machine only (and through JupyterLab's ``/proxy/<port>/``), never to the whole network.
``0.0.0.0`` (every address) is refused unless a teacher allows it (``allow_public_ports``).

Accepted forms, like the CLI's ``-p`` and docker-py's ``ports=``::

    ports="8080:80"                    # host port 8080 -> container port 80 (on 127.0.0.1)
    ports=["127.0.0.1:8080:80", "8081:81/udp", "80"]   # "80": the engine picks a free host port
    ports={80: 8080}                   # container port -> host port
    ports={"80/tcp": ("127.0.0.1", 8080)}
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .errors import InvalidReference

LOOPBACK = "127.0.0.1"
PUBLIC = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class PortSpec:
    """One published port: ``host_ip:host_port -> container_port/proto`` (host_port None: any free one)."""

    container_port: int
    proto: str = "tcp"
    host_ip: str = LOOPBACK
    host_port: int | None = None

    @property
    def key(self) -> str:
        return f"{self.container_port}/{self.proto}"

    def cli(self) -> str:
        """The ``-p`` value that does the same: ``127.0.0.1:8080:80`` (``/udp`` when it is udp)."""
        ip = f"[{self.host_ip}]" if ":" in self.host_ip else self.host_ip
        return f"{ip}:{self.host_port or ''}:{self.container_port}" + ("/udp" if self.proto == "udp" else "")

    def binding(self) -> tuple:
        """The host side as docker-py's ``port_bindings`` wants it."""
        return (self.host_ip, self.host_port) if self.host_port else (self.host_ip,)

    @property
    def public(self) -> bool:
        return self.host_ip in PUBLIC


def _bad(value, why: str) -> InvalidReference:
    return InvalidReference(f"Invalid port {value!r}: {why}", value=repr(value),
                            hint="write 'HOST:CONTAINER' like '8080:80' (or '127.0.0.1:8080:80'), "
                                 "or a dict {container_port: host_port}")


def _port(text, value, what: str) -> int:
    if isinstance(text, bool):
        raise _bad(value, f"the {what} port must be a number")
    try:
        n = int(str(text).strip())
    except ValueError:
        raise _bad(value, f"the {what} port {str(text)!r} is not a number") from None
    if not 1 <= n <= 65535:
        raise _bad(value, f"the {what} port {n} is not between 1 and 65535")
    return n


def _ip(text: str, value) -> str:
    text = text.strip().strip("[]")
    if text in PUBLIC:
        return text or "0.0.0.0"
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise _bad(value, f"{text!r} is not an IP address") from None


def _container_side(text, value) -> tuple[int, str]:
    text = str(text).strip()
    proto = "tcp"
    if "/" in text:
        text, proto = text.split("/", 1)
        proto = proto.strip().lower()
        if proto not in ("tcp", "udp"):
            raise _bad(value, f"the protocol {proto!r} is not tcp or udp")
    return _port(text, value, "container"), proto


def parse_one(value) -> PortSpec:
    """One ``-p`` value: '80', '8080:80', '127.0.0.1:8080:80', '127.0.0.1::80', each with an optional /udp."""
    if isinstance(value, int) and not isinstance(value, bool):
        return PortSpec(_port(value, value, "container"))
    if not isinstance(value, str) or not value.strip():
        raise _bad(value, "it is empty" if isinstance(value, str) else f"a {type(value).__name__} is not a port")
    parts = value.strip().rsplit(":", 2)
    if len(parts) == 1:
        cport, proto = _container_side(parts[0], value)
        return PortSpec(cport, proto)
    if len(parts) == 2:
        host, ctr = parts
        cport, proto = _container_side(ctr, value)
        return PortSpec(cport, proto, LOOPBACK, _port(host, value, "host"))
    ip, host, ctr = parts
    cport, proto = _container_side(ctr, value)
    return PortSpec(cport, proto, _ip(ip, value), _port(host, value, "host") if host.strip() else None)


def parse_ports(ports) -> list[PortSpec]:
    """Every form above -> a list of :class:`PortSpec`, in the order given (a host port used twice is refused)."""
    if ports is None:
        return []
    specs: list[PortSpec] = []
    if isinstance(ports, dict):
        for ctr, host in ports.items():
            cport, proto = _container_side(ctr, ctr)
            if host is None:
                specs.append(PortSpec(cport, proto))
            elif isinstance(host, tuple) and len(host) in (1, 2):
                ip = _ip(str(host[0]), host)
                hp = _port(host[1], host, "host") if len(host) == 2 and host[1] not in (None, "") else None
                specs.append(PortSpec(cport, proto, ip, hp))
            else:
                specs.append(PortSpec(cport, proto, LOOPBACK, _port(host, host, "host")))
    elif isinstance(ports, (str, int)) and not isinstance(ports, bool):
        specs.append(parse_one(ports))
    elif isinstance(ports, (list, tuple)):
        specs.extend(parse_one(p) for p in ports)
    else:
        raise _bad(ports, f"a {type(ports).__name__} is not a list of ports")
    seen = {}
    for s in specs:
        if s.host_port is not None:
            k = (s.host_ip, s.host_port, s.proto)
            if k in seen:
                raise _bad(s.cli(), f"host port {s.host_port} is already given to container port {seen[k]}")
            seen[k] = s.container_port
    return specs


def twin_flags(specs: list[PortSpec]) -> list[str]:
    return [f"-p {s.cli()}" for s in specs]


def host_config(specs: list[PortSpec]) -> dict:
    """``port_bindings`` for docker-py's ``create_host_config``."""
    if not specs:
        return {}
    out: dict = {}
    for s in specs:
        out.setdefault(s.key, []).append(s.binding())
    return {"port_bindings": out}


def exposed(specs: list[PortSpec]) -> list:
    """The ``ports=`` list docker-py's ``create_container`` wants (the ports to expose)."""
    return sorted({(s.container_port, s.proto) if s.proto != "tcp" else s.container_port for s in specs},
                  key=lambda p: (p if isinstance(p, int) else p[0], str(p)))


def check_public(specs: list[PortSpec], policy) -> None:
    """Refuse publishing on every address of the machine unless a teacher allows it."""
    from .errors import GuardRefused

    for s in specs:
        if s.public and not getattr(policy, "allow_public_ports", False):
            raise GuardRefused(
                f"Refusing -p {s.cli()}: {s.host_ip or '0.0.0.0'} publishes the port on every network address "
                "of this machine, so anyone who can reach the machine could reach your container",
                guard="allow_public_ports", state="no container was launched",
                hint=f"publish on this machine only: '127.0.0.1:{s.host_port or ''}:{s.container_port}' (the "
                     "kit's default when you write '8080:80'); a teacher can set allow_public_ports = true in "
                     "/etc/dockerlab/guards.toml (or DOCKERLAB_ALLOW_PUBLIC_PORTS=1)")


@dataclass(frozen=True)
class Published:
    """Where a container port answers on the host (one line of `docker port`)."""

    container_port: int
    proto: str
    host_ip: str
    host_port: int

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host_ip in PUBLIC else self.host_ip
        return f"http://{host}:{self.host_port}/"

    @property
    def proxy_path(self) -> str:
        """The path under JupyterLab's base URL where jupyter-server-proxy forwards to this port."""
        return f"proxy/{self.host_port}/"

    @property
    def address(self) -> str:
        return f"[{self.host_ip}]:{self.host_port}" if ":" in self.host_ip else f"{self.host_ip}:{self.host_port}"

    def __repr__(self) -> str:  # `docker port NAME 80` prints the host side only
        return self.address


class PortList(list):
    """`docker port NAME`: one line per published port, sorted (``80/tcp -> 127.0.0.1:8080``)."""

    def __repr__(self) -> str:
        return "\n".join(f"{p.container_port}/{p.proto} -> {p.address}" for p in self) if self else ""

    __str__ = __repr__


def published(inspect: dict) -> PortList:
    """The published ports from a container's inspect (NetworkSettings.Ports), sorted."""
    ports = ((inspect.get("NetworkSettings") or {}).get("Ports")) or {}
    out = []
    for key, binds in ports.items():
        cport, _, proto = key.partition("/")
        for b in binds or []:
            if b.get("HostPort"):
                out.append(Published(int(cport), proto or "tcp", b.get("HostIp") or "0.0.0.0", int(b["HostPort"])))
    return PortList(sorted(out, key=lambda p: (p.container_port, p.proto, p.host_ip, p.host_port)))
