"""What the lab API gives back: containers, run and exec results, images, cleanup reports and
`docker info`, each with a stable text form (no ids, no times) for stored notebook outputs."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import labels, refs


class Text(str):
    """Text that a notebook shows as it is (logs, command output)."""

    def __repr__(self) -> str:
        return str(self)


@dataclass
class Container:
    """A container as the lab sees it. ``repr`` is stable (no id, no times)."""

    id: str
    name: str
    image: str
    state: str  # created, running, paused, restarting, exited, dead
    labels: dict = field(default_factory=dict, repr=False)
    exit_code: int | None = field(default=None, repr=False)
    oom_killed: bool = field(default=False, repr=False)
    log_path: str = field(default="", repr=False)  # the engine's file of its output (json-file driver)

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def owner(self) -> str:
        return self.labels.get(labels.OWNER, "")

    @property
    def managed(self) -> bool:
        return labels.is_managed(self.labels)

    def __repr__(self) -> str:
        extra = f", exit_code={self.exit_code}" if self.state == "exited" and self.exit_code is not None else ""
        return f"Container(name={self.name!r}, image={self.image!r}, state={self.state!r}{extra})"

    @classmethod
    def from_inspect(cls, d: dict) -> "Container":
        st = d.get("State") or {}
        cfg = d.get("Config") or {}
        return cls(id=d.get("Id", ""), name=(d.get("Name") or "").lstrip("/"), image=cfg.get("Image", ""),
                   state=st.get("Status", ""), labels=cfg.get("Labels") or {}, exit_code=st.get("ExitCode"),
                   oom_killed=bool(st.get("OOMKilled")), log_path=d.get("LogPath") or "")


@dataclass
class RunResult:
    """What a foreground ``docker run`` gives back: the output and the exit code."""

    output: str
    exit_code: int
    container: Container
    #: said under the output when it may not be all of it (the engine's disk was full)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def __repr__(self) -> str:
        text = self.output.rstrip("\n")
        if self.exit_code != 0:
            text += ("\n" if text else "") + f"(exit code {self.exit_code}{_exit_meaning(self.exit_code, self.container.oom_killed)})"
        if self.note:
            text += ("\n" if text else "") + f"({self.note})"
        return text


@dataclass
class ExecResult:
    output: str
    exit_code: int

    def __repr__(self) -> str:
        text = self.output.rstrip("\n")
        return text + (f"\n(exit code {self.exit_code})" if self.exit_code else "")


@dataclass
class Image:
    ref: str
    id: str
    size: int

    def __repr__(self) -> str:
        return f"Image({self.ref!r})"


@dataclass
class CleanupReport:
    stopped: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (name, reason)
    images_removed: list = field(default_factory=list)
    volumes_removed: list = field(default_factory=list)
    networks_removed: list = field(default_factory=list)

    def __repr__(self) -> str:
        if not (self.stopped or self.removed or self.images_removed or self.volumes_removed or self.networks_removed):
            return "Nothing to clean up."
        lines = []
        if self.stopped:
            lines.append(f"Stopped {len(self.stopped)}: {', '.join(self.stopped)}")
        if self.removed:
            lines.append(f"Removed {len(self.removed)}: {', '.join(self.removed)}")
        if self.images_removed:
            lines.append(f"Removed images {len(self.images_removed)}: {', '.join(self.images_removed)}")
        if self.volumes_removed:
            lines.append(f"Removed volumes {len(self.volumes_removed)}: {', '.join(self.volumes_removed)}")
        if self.networks_removed:
            lines.append(f"Removed networks {len(self.networks_removed)}: {', '.join(self.networks_removed)}")
        for name, why in self.skipped:
            lines.append(f"Left {name}: {why}")
        return "\n".join(lines)


def _exit_meaning(code: int, oom: bool = False) -> str:
    if oom or code == 137:
        return ": killed (SIGKILL)" + (", out of memory: the memory limit was reached" if oom else "")
    if code == 127:
        return ": command not found"
    if code == 126:
        return ": command cannot be run"
    if code == 143:
        return ": stopped (SIGTERM)"
    return ""


class Info(dict):
    """`docker info` as a dict, with a short text view and an HTML table."""

    KEYS = [("Server Version", "ServerVersion"), ("Containers", "Containers"), (" Running", "ContainersRunning"),
            (" Paused", "ContainersPaused"), (" Stopped", "ContainersStopped"), ("Images", "Images"),
            ("Storage Driver", "Driver"), ("Cgroup Driver", "CgroupDriver"), ("Cgroup Version", "CgroupVersion"),
            ("Operating System", "OperatingSystem"), ("OSType", "OSType"), ("Architecture", "Architecture"),
            ("Kernel Version", "KernelVersion"), ("CPUs", "NCPU"), ("Total Memory", "MemTotal"),
            ("Docker Root Dir", "DockerRootDir"), ("Registry Mirrors", "RegistryConfig")]

    @property
    def image_store(self) -> str:
        """"containerd" where the engine keeps images in containerd's store (Docker 29's default on
        fresh installs; `docker info` then shows ``driver-type: io.containerd.snapshotter.v1``
        under the storage driver), else "classic" (the graph drivers, such as overlay2)."""
        pairs = dict(tuple(p) for p in (self.get("DriverStatus") or []) if isinstance(p, (list, tuple)) and len(p) == 2)
        return "containerd" if pairs.get("driver-type", "").startswith("io.containerd.snapshotter") else "classic"

    def summary(self) -> list[tuple[str, str]]:
        out = []
        for label, key in self.KEYS:
            v = self.get(key)
            if key == "MemTotal" and v:
                v = refs.format_bytes(v)
            if key == "RegistryConfig":
                v = ", ".join((v or {}).get("Mirrors") or []) or "none"
            out.append((label, "" if v is None else str(v)))
            if key == "Driver" and self.image_store == "containerd":  # as `docker info` prints it
                out.append(("  driver-type", "io.containerd.snapshotter.v1"))
        return out

    def __repr__(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.summary())

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>{escape(v)}</td></tr>"
                       for k, v in self.summary())
        return f"<table class='dockerlab-info'>{rows}</table>"


def engine_mirrors(info: dict) -> list[str]:
    """The mirrors an engine uses (``docker info`` -> Registry Mirrors); ``dockerlab doctor`` shows them."""
    return [m.rstrip("/") for m in ((info or {}).get("RegistryConfig") or {}).get("Mirrors") or []]


def row_name(row: dict) -> str:
    """A container listing's row (``GET /containers/json``) by its name, as `docker ps` shows it
    (its short id when it has none)."""
    return ((row.get("Names") or ["/" + str(row.get("Id", ""))[:12]])[0]).lstrip("/")
