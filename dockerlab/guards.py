"""Teacher's guards on what the kit launches: on by default, set by a teacher.

Every container the kit launches gets limits (a fork bomb or a memory leak
stays inside it), a learner may run only so many containers at once, and the
options that hand a container the whole machine (``--privileged``, the host's
network or PID namespace, a bind mount of the Docker socket or of ``/``) are
refused with a message that says why.

Where the settings come from, the first found wins, key by key. Only sources the learner
cannot change from their own kernel count (a learner who sets ``os.environ[...]`` at run time,
or writes a file in their home, changes nothing):

1. the environment the process STARTED with (a JupyterHub spawner sets it; read once, at
   import, into :data:`START_ENV`):
   ``DOCKERLAB_DEFAULT_MEMORY``, ``DOCKERLAB_DEFAULT_CPUS``, ``DOCKERLAB_DEFAULT_PIDS``
   (what a container gets when the learner asks nothing),
   ``DOCKERLAB_MAX_MEMORY``, ``DOCKERLAB_MAX_CPUS``, ``DOCKERLAB_MAX_PIDS`` (the most
   a learner may ask for), ``DOCKERLAB_MAX_RUNNING``, ``DOCKERLAB_ALLOW_PRIVILEGED``,
   ``DOCKERLAB_ALLOW_HOST_NETWORK``, ``DOCKERLAB_ALLOW_HOST_PID``,
   ``DOCKERLAB_ALLOW_DOCKER_SOCKET``, ``DOCKERLAB_ALLOW_ROOT_MOUNT``, ``DOCKERLAB_ALLOW_OTHERS``,
   ``DOCKERLAB_ALLOW_OWNER_CHOICE``, ``DOCKERLAB_ALLOW_HOST_IPC``, ``DOCKERLAB_BIND_ROOTS``, ``DOCKERLAB_ALLOW_PUBLIC_PORTS``
   (``-p 0.0.0.0:...``: published on every address; the kit's default is 127.0.0.1);
2. the file named by ``DOCKERLAB_GUARDS_FILE`` in that start environment;
3. ``/etc/dockerlab/guards.toml`` (the teacher's, for the whole machine), when root owns it and
   the learner cannot write it;
4. the defaults below.

The file uses the same names in lowercase without the prefix::

    default_memory = "512m"
    default_cpus = 1.0
    default_pids = 256
    max_memory = "2g"
    max_cpus = 2
    max_pids = 4096
    max_running = 10
    allow_privileged = false

``bind_roots`` lists the host folders a bind mount may come from (``["/srv/class"]``);
``"default"`` (the default) is the learner's home and the notebook's working folder,
``"none"`` allows no bind mount at all. A value of ``"none"`` (or ``"unlimited"``) removes a limit.
The decisions made with these settings are in :mod:`dockerlab.policy`. These guards are
a seat belt for a classroom, not a security boundary: whoever can reach the
Docker socket can do anything on the machine (see the README's teacher's guide).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from . import refs
from .errors import DockerLabError, GuardRefused, InvalidReference

SYSTEM_FILE = Path("/etc/dockerlab/guards.toml")

from .startenv import START_ENV  # noqa: E402  (the environment this process started with)

_UNLIMITED = ("none", "unlimited", "off", "")


@dataclass(frozen=True)
class Limits:
    memory: int | None = None
    cpus: float | None = None
    pids: int | None = None


@dataclass(frozen=True)
class Policy:
    """The guards in force. ``sources`` says where each non-default value came from."""

    default_memory: int | None = 512 * 1024**2
    default_cpus: float | None = 1.0
    default_pids: int | None = 256
    max_memory: int | None = 2 * 1024**3
    max_cpus: float | None = None  # None: the engine's CPU count (checked by refs.parse_cpus)
    max_pids: int | None = 4096
    max_running: int | None = 50
    allow_privileged: bool = False
    allow_host_network: bool = False
    allow_host_pid: bool = False
    allow_docker_socket: bool = False
    allow_root_mount: bool = False
    allow_public_ports: bool = False  # -p on 0.0.0.0 (every address of the machine), see dockerlab/ports.py
    allow_host_ipc: bool = False
    allow_others: bool = False  # see, and with confirm=True act on, other learners' kit containers
    allow_owner_choice: bool = False  # connect(owner=...) may name someone else
    bind_roots: tuple | None = None  # None: the learner's home and working folder; (): no bind mount
    sources: dict = field(default_factory=dict, compare=False, repr=False)

    def describe(self) -> list[tuple[str, str, str]]:
        """(setting, value, where it came from), for ``dockerlab doctor`` and the README."""
        rows = []
        for f in fields(self):
            if f.name == "sources":
                continue
            v = getattr(self, f.name)
            if f.name == "bind_roots":
                shown = "your home and working folder" if v is None else (", ".join(v) or "none")
            elif v is None:
                shown = "unlimited" if f.name != "max_cpus" else "the engine's CPUs"
            elif "memory" in f.name:
                shown = refs.format_bytes(v)
            else:
                shown = str(v).lower() if isinstance(v, bool) else f"{v:g}" if isinstance(v, float) else str(v)
            rows.append((f.name, shown, self.sources.get(f.name, "default")))
        return rows


def _parse(key: str, raw, where: str):
    """One setting's value, checked like the learner's own arguments."""
    try:
        if key == "bind_roots":
            return _parse_roots(raw)
        if key.startswith("allow_"):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off", ""):
                return False
            raise InvalidReference(f"{raw!r} is not true or false", value=str(raw))
        if isinstance(raw, str) and raw.strip().lower() in _UNLIMITED:
            return None
        if key.endswith("memory"):
            return refs.parse_memory(raw)
        if key.endswith("cpus"):
            return refs.parse_cpus(raw)
        if key.endswith("pids"):
            n = refs.parse_pids(raw)
            return None if n == -1 else n
        if key == "max_running":
            if isinstance(raw, bool) or not isinstance(raw, (int, str)):
                raise InvalidReference(f"{raw!r} is not a whole number", value=str(raw))
            try:
                n = int(raw)
            except ValueError:
                raise InvalidReference(f"{raw!r} is not a whole number", value=str(raw)) from None
            if n < 1:
                raise InvalidReference(f"{raw!r} is below 1", value=str(raw))
            return n
    except DockerLabError as e:
        raise GuardRefused(f"The guard setting {key} = {raw!r} in {where} is not valid: {e.what}",
                           guard=key, state="no container was launched",
                           hint=f"fix or remove it in {where}; 'none' removes a limit") from None
    raise GuardRefused(f"Unknown guard setting {key!r} in {where}", guard=key,
                       hint="known settings: " + ", ".join(_KEYS))


_KEYS = [f.name for f in fields(Policy) if f.name != "sources"]


def _parse_roots(raw):
    """``bind_roots``: "default" (None), "none" (no bind mount), or absolute folders (a list, or a
    string split on ``:`` or ``,``)."""
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower() == "default":
            return None
        if text.lower() in ("none", "off", ""):
            return ()
        raw = [p for p in text.replace(",", ":").split(":") if p.strip()]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(p, str) and p.startswith("/") and "\x00" not in p
                                                     for p in raw):
        raise InvalidReference(f"{raw!r} is not a list of absolute folders", value=str(raw))
    return tuple(os.path.normpath(p.strip()) for p in raw)


def trusted_files(env=None) -> list[Path]:
    """The settings files a learner cannot have written: the one the start environment names,
    and ``/etc/dockerlab/guards.toml`` when root owns it and this user cannot write it (or is root)."""
    env = START_ENV if env is None else env
    out = []
    if env.get("DOCKERLAB_GUARDS_FILE"):
        out.append(Path(env["DOCKERLAB_GUARDS_FILE"]))
    try:
        st = SYSTEM_FILE.stat()
        if st.st_uid == 0 and (os.geteuid() == 0 or not os.access(SYSTEM_FILE, os.W_OK)):
            out.append(SYSTEM_FILE)
    except OSError:
        pass
    return out


def _toml():
    """The TOML reader: the standard library's from Python 3.11, tomli (a dependency there) on 3.10."""
    try:
        import tomllib
    except ModuleNotFoundError:
        import tomli as tomllib
    return tomllib


def _read_toml(path: Path) -> dict:
    tomllib = _toml()

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise GuardRefused(f"The guards file {path} cannot be read: {e}", guard="file",
                           state="no container was launched", hint=f"fix {path}, or remove it to use the defaults") from None
    data = data.get("guards", data) if isinstance(data.get("guards"), dict) else data
    return data


def load(*, env=None, files=None) -> Policy:
    """The settings in force now (files read each time: a teacher's change applies at the next launch).
    By default from the trusted sources only: :data:`START_ENV` and :func:`trusted_files`."""
    env = START_ENV if env is None else env
    files = trusted_files(env) if files is None else [Path(f) for f in files]
    values, sources = {}, {}
    for key in _KEYS:
        var = "DOCKERLAB_" + key.upper()
        if var in env:
            values[key], sources[key] = _parse(key, env[var], var), var
    for path in files:
        data = _read_toml(path)
        for key, raw in data.items():
            if key not in _KEYS:
                _parse(key, raw, str(path))  # raises: unknown key
            if key not in values:
                values[key], sources[key] = _parse(key, raw, str(path)), str(path)
    return replace(Policy(), **values, sources=sources)


def _where(policy: Policy, key: str) -> str:
    src = policy.sources.get(key, "")
    return f" (set by {src})" if src else " (the kit's default)"


def apply(*, memory=None, cpus=None, pids=None, policy: Policy | None = None) -> Limits:
    """The limits a launch gets: what was asked, else the teacher's default; asking
    beyond the teacher's maximum is refused (never silently lowered)."""
    p = load() if policy is None else policy

    def pick(asked, default, maximum, key, shown):
        if asked is None:
            value = default
        else:
            value = asked
        if maximum is not None and asked is not None and (asked == -1 or asked > maximum):
            what = f"no {key} limit" if asked == -1 else f"{key} {shown(asked)}"
            raise GuardRefused(
                f"Refusing to launch with {what}: the most a learner may ask for is {shown(maximum)}"
                f"{_where(p, 'max_' + key)}",
                guard=f"max_{key}", state="no container was launched",
                hint=f"ask for {shown(maximum)} or less, or leave it out to get {shown(default) if default else 'no limit'}; "
                     f"a teacher can raise max_{key} (DOCKERLAB_MAX_{key.upper()} or guards.toml)")
        if maximum is not None and value is not None and value > maximum:
            value = maximum  # a default above the maximum: the maximum wins
        if value is None and asked is None and maximum is not None:
            value = maximum
        return None if value == -1 else value

    return Limits(pick(memory, p.default_memory, p.max_memory, "memory", refs.format_bytes),
                  pick(cpus, p.default_cpus, p.max_cpus, "cpus", lambda v: f"{v:g} CPUs"),
                  pick(pids, p.default_pids, p.max_pids, "pids", lambda v: f"{v} processes"))


def check_running(running: int, *, owner: str, policy: Policy | None = None) -> None:
    """Refuse a launch when the learner already runs ``max_running`` containers."""
    p = load() if policy is None else policy
    if p.max_running is not None and running >= p.max_running:
        raise GuardRefused(
            f"Refusing to launch another container: {owner!r} already runs {running}, "
            f"the most allowed at once is {p.max_running}{_where(p, 'max_running')}",
            guard="max_running", state="no container was launched; yours are in lab.ps()",
            hint="stop the ones you no longer need (lab.stop(name), or lab.cleanup('mine') for all of yours)")
