"""Parsing the kit does itself, before any engine call: image references,
container names, commands and resource limits. Pure functions, fuzzed in tests.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from .errors import InvalidReference

# distribution/reference's grammar (reference/regexp.go), simplified but equivalent for validation
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REF_RE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)
_NAME_RE = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphen look-alikes: en dash, em dash, minus...
DEFAULT_REGISTRY = "docker.io"


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference; ``str()`` gives the short form Docker prints."""

    registry: str  # "" for Docker Hub
    repository: str  # "alpine", "library/alpine" is shortened to "alpine"
    tag: str  # "latest" when none was given
    digest: str = ""
    tag_given: bool = True

    def __str__(self) -> str:
        s = self.name
        if self.digest:
            return f"{s}@{self.digest}"
        return f"{s}:{self.tag}"

    @property
    def name(self) -> str:
        if not self.registry and _looks_like_domain(self.repository.split("/", 1)[0]) and "/" in self.repository:
            return f"{DEFAULT_REGISTRY}/{self.repository}"  # docker.io/0.0/x: without the prefix 0.0 reads as a registry
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def canonical(self) -> str:
        """docker.io/library/alpine:latest, as `docker pull` prints on its last line."""
        reg = self.registry or DEFAULT_REGISTRY
        repo = self.repository if (self.registry or "/" in self.repository) else f"library/{self.repository}"
        return f"{reg}/{repo}@{self.digest}" if self.digest else f"{reg}/{repo}:{self.tag}"


def _dash_hint(value: str) -> str:
    bad = sorted({c for c in value if c in _DASHES})
    if not bad:
        return ""
    names = {"\u2013": "an en dash (–)", "\u2014": "an em dash (—)", "\u2212": "a minus sign (−)"}
    which = ", ".join(names.get(c, f"the character U+{ord(c):04X}") for c in bad)
    return (f"it contains {which}, which looks like a hyphen but is not one; text copied from web pages "
            "often has it (the tutorial's '–-name' is one). Type plain hyphens: --name")


def parse_image(ref: str) -> ImageRef:
    """Parse and validate an image reference, as the engine would, with a clear error."""
    if not isinstance(ref, str):
        raise InvalidReference(f"An image reference must be text, not {type(ref).__name__}", value=repr(ref),
                               hint="for example 'alpine' or 'ubuntu:24.04'")
    value = ref.strip()
    if not value:
        raise InvalidReference("The image reference is empty", value=ref, hint="name an image, for example 'alpine'")
    dash = _dash_hint(value)
    if dash:
        raise InvalidReference(f"invalid reference format: {value!r}", value=ref, hint=dash)
    if any(c.isspace() for c in value):
        raise InvalidReference(f"invalid reference format: {value!r} contains a space", value=ref,
                               hint="an image name has no spaces; put the command after the image, as a separate argument")
    if value.startswith("-"):
        raise InvalidReference(f"invalid reference format: {value!r} starts with '-', so it looks like an option",
                               value=ref, hint="options go before the image: docker run --name web alpine")
    m = _REF_RE.match(value)
    if not m:
        lower = value.lower()
        hint = "use lowercase letters, digits and . _ - in names, ':tag' at the end; for example 'ubuntu:24.04'"
        if lower != value and _REF_RE.match(_lower_path(value)):
            hint = f"repository names must be lowercase: try {_lower_path(value)!r}"
        raise InvalidReference(f"invalid reference format: {value!r}", value=ref, hint=hint)
    domain, path = m.group("domain"), m.group("path")
    # A first component without '.', ':' or 'localhost' is a path, not a registry.
    if domain and not ("." in domain or ":" in domain or domain == "localhost" or domain.startswith("[")):
        path, domain = f"{domain}/{path}", None
        if not re.fullmatch(rf"{_COMPONENT}(?:/{_COMPONENT})*", path):
            raise InvalidReference(f"invalid reference format: {value!r}: repository name must be lowercase",
                                   value=ref, hint=f"try {_lower_path(value)!r}")
    if len((domain or "") + path) > 255:
        raise InvalidReference("The repository name is longer than 255 characters", value=ref,
                               hint="use a shorter name; Docker allows at most 255 characters")
    registry = "" if domain in (None, DEFAULT_REGISTRY, "index.docker.io", "registry-1.docker.io") else domain
    if not registry and path.startswith("library/") and path.count("/") == 1:
        path = path[len("library/"):]
    tag = m.group("tag")
    return ImageRef(registry, path, tag or "latest", m.group("digest") or "", tag_given=tag is not None)


def _looks_like_domain(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def _lower_path(value: str) -> str:
    head, sep, tag = value.rpartition(":")
    if sep and "/" not in tag:
        return head.lower() + ":" + tag
    return value.lower()


def check_name(name: str) -> str:
    """Validate a container name like ``docker run --name``; returns it without a leading '/'."""
    if not isinstance(name, str):
        raise InvalidReference(f"A container name must be text, not {type(name).__name__}", value=repr(name),
                               hint="for example name='web-1'")
    dash = _dash_hint(name)
    if dash:
        raise InvalidReference(f"Invalid container name {name!r}", value=name, hint=dash)
    if not _NAME_RE.match(name):
        raise InvalidReference(
            f"Invalid container name {name!r}", value=name,
            state="only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least two characters",
            hint="for example 'our_container' or 'web-1'",
        )
    return name.lstrip("/")


def split_command(command) -> list[str]:
    """A command as a list of arguments. A string is split like a POSIX shell
    splits words (quotes respected), never run through a host shell."""
    if command is None:
        return []
    if isinstance(command, str):
        dash = _dash_hint(command)
        try:
            args = shlex.split(command)
        except ValueError as e:
            raise InvalidReference(f"The command {command!r} cannot be split into words: {e}", value=command,
                                   hint="close every quote, or pass the command as a list: ['sh', '-c', '...']") from None
        if dash and any(a[:1] in _DASHES for a in args):
            raise InvalidReference(f"The command {command!r} has an option that does not start with a hyphen",
                                   value=command, hint=dash)
        return args
    if isinstance(command, (list, tuple)):
        if not all(isinstance(a, str) for a in command):
            raise InvalidReference("Every word of a command list must be text", value=repr(command),
                                   hint="for example ['sh', '-c', 'echo hi']")
        return list(command)
    raise InvalidReference(f"A command must be text or a list of words, not {type(command).__name__}",
                           value=repr(command), hint="for example 'echo hi' or ['echo', 'hi']")


_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_memory(value) -> int | None:
    """'256m', '1g', 268435456 -> bytes (binary units, as the CLI). None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidReference("A memory limit must be a size like '256m', not True/False", value=repr(value),
                               hint="write a number with a unit: '256m', '1g' (b, k, m, g)")
    if isinstance(value, float) and not (value == value and abs(value) != float("inf")):
        raise InvalidReference(f"Invalid memory limit {value!r}", value=repr(value),
                               hint="write a number with a unit: '256m', '1g' (b, k, m, g)")
    if isinstance(value, (int, float)):
        n = int(value)
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*", value.lower())
        if not m:
            raise InvalidReference(f"Invalid memory limit {value!r}", value=value,
                                   hint="write a number with a unit: '256m', '1g' (b, k, m, g)")
        n = int(float(m.group(1)) * _UNITS[m.group(2)])
    else:
        raise InvalidReference(f"A memory limit must be text or a number of bytes, not {type(value).__name__}",
                               value=repr(value), hint="write a number with a unit: '256m', '1g' (b, k, m, g)")
    if n < 6 * 1024 * 1024:
        raise InvalidReference(f"The memory limit {value!r} is below Docker's minimum of 6 MiB", value=str(value),
                               hint="use at least '6m'; lessons use '64m' to '512m'")
    if n > 2**63 - 1:
        raise InvalidReference(f"The memory limit {value!r} is more than any machine has", value=str(value),
                               hint="lessons use '64m' to '512m'")
    return n


def parse_cpus(value, host_cpus: int | None = None) -> float | None:
    """--cpus: a positive number of CPUs, at most the host's."""
    if value is None:
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        raise InvalidReference(f"Invalid CPU limit {value!r}", value=str(value),
                               hint="a number of CPUs, for example 0.5 or 1") from None
    if isinstance(value, bool) or not (n == n) or n <= 0 or n == float("inf"):
        raise InvalidReference(f"Invalid CPU limit {value!r}: it must be a positive number", value=str(value),
                               hint="for example 0.5 (half a CPU) or 1")
    if n < 0.01:
        raise InvalidReference(f"The CPU limit {value!r} is below Docker's minimum of 0.01", value=str(value),
                               hint="use 0.01 or more, for example 0.5 (half a CPU)")
    if n > 1_000_000:
        raise InvalidReference(f"The CPU limit {value!r} is more CPUs than any machine has", value=str(value),
                               hint="for example 0.5 (half a CPU) or 1")
    if host_cpus and n > host_cpus:
        raise InvalidReference(f"The CPU limit {value!r} is more than the {host_cpus} CPUs of the engine",
                               value=str(value), hint=f"use a number from 0.01 to {host_cpus}")
    return n


def parse_pids(value) -> int | None:
    """--pids-limit: a positive whole number (or -1 for unlimited)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidReference(f"Invalid pids limit {value!r}", value=repr(value), hint="a whole number, for example 100")
    try:
        n = int(value)
    except ValueError:
        raise InvalidReference(f"Invalid pids limit {value!r}", value=str(value), hint="a whole number, for example 100") from None
    if n == 0 or n < -1 or n > 2**63 - 1:
        raise InvalidReference(f"Invalid pids limit {value!r}", value=str(value),
                               hint="a positive whole number (or -1 for no limit)")
    return n


def format_bytes(n: float, binary: bool = True) -> str:
    """1536 -> '1.5KiB' like the docker CLI's stats (binary) or images (decimal) columns."""
    base, units = (1024.0, ["B", "KiB", "MiB", "GiB", "TiB"]) if binary else (1000.0, ["B", "kB", "MB", "GB", "TB"])
    n = float(n)
    for unit in units:
        if abs(n) < base or unit == units[-1]:
            return f"{n:.3g}{unit}" if unit != "B" else f"{int(n)}B"
        n /= base
    return f"{n}"
