"""What a learner may do: the one policy point on the way to the engine.

Every path that reaches the engine passes here: the Lab's methods (and the widgets, which call
them), ``lab.engine`` (a :class:`dockerlab.guarded.GuardedEngine`: the sampler, the monitor,
the exercises), ``lab.rest()``, the read scopes and the words of the errors. The settings come
from :mod:`dockerlab.guards` (the teacher's, from sources the learner cannot change from their
kernel); the decisions are here:

- reads: a learner sees their own kit containers, and containers the kit did not make (as
  ``docker ps`` shows them); another learner's only when the teacher set ``allow_others``.
  Errors and reports never name another learner's containers nor their owner;
- actions: on their own containers; on one the kit did not make with ``confirm=True``; on
  another learner's only with ``confirm=True`` and the teacher's ``allow_others``;
- launches: an allow-list of options, each checked (:func:`check_launch`); bind mounts only from
  the teacher's ``bind_roots`` (by default the learner's home and working folder), resolved on
  the host as the engine would; namespace joins only into the learner's own containers;
  ``max_running`` counted with the launches under way (:class:`Slots`);
- the REST API: an allow-list of GET paths (:func:`check_rest`).

In the learner's own kernel this is a seat belt, not a wall: Python lets anyone reach past it
(and whoever can open the engine's socket is root on the machine). The boundary between
learners who do not trust each other is an engine per learner (README).
"""
from __future__ import annotations

import os
import re
import stat
import threading
from dataclasses import dataclass

from . import errors as E
from . import guards, labels, mounts
from .startenv import START_ENV

#: Host folders a bind mount never comes from, nor may contain (the engine's state, the host's
#: configuration, kernel interfaces, the sockets of the engine and of containerd).
FORBIDDEN = ("/proc", "/sys", "/dev", "/etc", "/run", "/var/run", "/var/lib/docker", "/var/lib/containerd",
             "/boot")
ENGINE_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
                  "/run/docker/containerd/containerd.sock", "/var/run/podman/podman.sock")
#: The options ``lab.run`` offers; any other keyword is refused with a hint (never a TypeError).
RUN_OPTIONS = ("name", "detach", "interactive", "tty", "rm", "memory", "cpus", "pids", "env", "labels_",
               "timeout", "privileged", "network", "pid", "ipc", "volumes")
#: The host-config keys the kit may send, each checked by :func:`check_launch` or set by the kit.
HOST_CONFIG_KEYS = frozenset({"auto_remove", "mem_limit", "memswap_limit", "nano_cpus", "pids_limit", "privileged",
                              "network_mode", "pid_mode", "ipc_mode", "binds", "port_bindings"})
_WHY = {
    "cap_add": "extra capabilities (CAP_SYS_ADMIN...) hand the container powers over the host",
    "devices": "a host device inside a container reaches the hardware, past the kit's limits",
    "security_opt": "it turns off the container's confinement (seccomp, AppArmor)",
    "userns_mode": "it can put the container in the host's user namespace",
    "ipc_mode": "use ipc= (the kit checks it)",
    "volumes_from": "it mounts another container's volumes, possibly another learner's",
    "user": "the lessons run as the image's user",
}
_MODES = ("rw", "ro")
#: The networks every engine has (besides "host", a teacher's switch): anyone may use them.
BUILTIN_NETWORKS = ("bridge", "none", "default")


def settings() -> guards.Policy:
    """The teacher's settings now (from the trusted sources only; see :mod:`dockerlab.guards`)."""
    return guards.load()


# --- who is asking -------------------------------------------------------------------------------
def check_owner(owner, *, policy: guards.Policy | None = None) -> str:
    """The owner a Lab may take: the learner (``labels.default_owner()``, from the start
    environment), or anyone when the teacher set ``allow_owner_choice``."""
    me = labels.default_owner(START_ENV)
    if owner is None:
        return me
    if not isinstance(owner, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}", owner):
        raise E.InvalidReference(f"An owner is a short name (letters, digits, . _ - @), not {owner!r}"[:200],
                                 value=repr(owner)[:100], hint="leave owner= out: the kit knows who you are")
    p = settings() if policy is None else policy
    if owner != me and not p.allow_owner_choice:
        raise E.GuardRefused(
            f"Refusing to act as {owner!r}: this kernel belongs to {me!r}", guard="allow_owner_choice",
            state="nothing was done; on a shared engine each learner's containers are their own",
            hint="leave owner= out; a teacher who needs it sets allow_owner_choice = true in "
                 "/etc/dockerlab/guards.toml (or DOCKERLAB_ALLOW_OWNER_CHOICE=1 in the hub's environment)")
    return owner


# --- reads and actions -----------------------------------------------------------------------------
def whose(c_labels: dict | None, owner: str) -> str:
    """"mine", "other" (another learner's kit container) or "foreign" (the kit did not make it)."""
    if not labels.is_managed(c_labels):
        return "foreign"
    return "mine" if (c_labels or {}).get(labels.OWNER) == owner else "other"


def may_see(c_labels: dict | None, owner: str, policy: guards.Policy | None = None) -> bool:
    kind = whose(c_labels, owner)
    if kind != "other":
        return True
    return (settings() if policy is None else policy).allow_others


def not_yours(ref: str, action: str, owner: str) -> E.NotOwned:
    """The refusal for another learner's container: it echoes only what the learner typed."""
    return E.NotOwned(
        f"Refusing to {action} {ref}: it belongs to another learner, not to you ({owner!r})",
        container=str(ref), owner="",
        state="on a shared engine each learner's containers are their own; the kit shows none of theirs",
        hint="use your own containers (lab.ps(all=True)); a teacher's setting allow_others, with confirm=True, "
             "is needed for someone else's")


def check_read(c_labels: dict, ref: str, action: str, owner: str, confirm: bool,
               policy: guards.Policy | None = None) -> None:
    """Raise unless the learner may look at this container (inspect, logs, stats). Looking needs no
    ``confirm``: another learner's is shown only with the teacher's ``allow_others``."""
    if whose(c_labels, owner) == "other" and not may_see(c_labels, owner, policy):
        raise not_yours(ref, action, owner)


def check_act(c_labels: dict, name: str, ref: str, action: str, owner: str, confirm: bool,
              policy: guards.Policy | None = None) -> None:
    """Raise unless the learner may change this container (start, stop, exec...)."""
    kind = whose(c_labels, owner)
    if kind == "mine":
        return
    if kind == "other":
        p = settings() if policy is None else policy
        if confirm and p.allow_others:
            return
        raise not_yours(ref, action, owner)
    if not confirm:
        raise E.NotOwned(
            f"Refusing to {action} {name}: dockerlab did not create it", container=name, owner="",
            state="the kit only touches containers it labelled, so it never breaks work made elsewhere",
            hint=f"if you mean it, pass confirm=True: lab.{action.split()[0]}({name!r}, confirm=True)")


def filter_listing(rows: list[dict], owner: str, policy: guards.Policy | None = None) -> tuple[list[dict], int]:
    """The rows of a container listing the learner may see, and how many were hidden."""
    p = settings() if policy is None else policy
    seen = [r for r in rows if may_see(r.get("Labels"), owner, p)]
    return seen, len(rows) - len(seen)


# --- launches ------------------------------------------------------------------------------------------
def refuse_unknown(method: str, options: dict) -> None:
    """A keyword the kit does not offer: a GuardRefused that says why, never a TypeError."""
    if not options:
        return
    key = sorted(options)[0]
    why = _WHY.get(key, "the kit does not offer it")
    raise E.GuardRefused(
        f"lab.{method}() has no option {key}=: {why}", guard=key, state="no container was launched",
        hint="the options are " + ", ".join(o for o in RUN_OPTIONS if method == "run" or o in ("name",))
             + "; the Terminal's docker CLI has the rest, outside the kit's guards")


def _refuse(guard: str, what: str, why: str, hint: str = "") -> E.GuardRefused:
    return E.GuardRefused(
        f"Refusing {what}: {why}", guard=guard, state="no container was launched",
        hint=hint or f"a lesson never needs it; if a teacher really wants it, set {guard} = true in "
                     f"/etc/dockerlab/guards.toml (or DOCKERLAB_{guard.upper()}=1 in the hub's environment)")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _socket_paths() -> list[str]:
    """The engine sockets a mount must not reach: the well-known ones and DOCKER_HOST's."""
    paths = list(ENGINE_SOCKETS)
    host = START_ENV.get("DOCKER_HOST", "") or os.environ.get("DOCKER_HOST", "")
    if host.startswith("unix://"):
        paths.append(host[len("unix://"):])
    return paths


def _socket_inodes() -> set:
    out = set()
    for p in _socket_paths():
        try:
            st = os.stat(p)
            out.add((st.st_dev, st.st_ino))
        except OSError:
            pass
    return out


def _forbidden(real: str) -> str | None:
    """Why a resolved host path may never be mounted, or None."""
    if real == "/":
        return "it is the host's whole file system"
    for f in FORBIDDEN:
        if _under(real, f):
            return f"{f} is the host's own (kernel, devices, configuration or the engine's state)"
        if _under(f, real):
            return f"it contains {f}"
    for s in _socket_paths():
        sreal = os.path.realpath(s)
        if _under(real, sreal) or _under(sreal, real) or _under(s, real):
            return "it is, or contains, the engine's socket (root on the host to whoever opens it)"
    return None


def default_roots(cwd: str | None = None) -> tuple[str, ...]:
    """The learner's home (from the password database) and their working folder, when they own it."""
    import pwd

    roots = []
    try:
        roots.append(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    if cwd:
        try:
            if os.stat(cwd).st_uid == os.getuid():
                roots.append(cwd)
        except OSError:
            pass
    out = []
    for r in roots:
        real = os.path.realpath(r)
        if _forbidden(real) is None and real not in out:
            out.append(real)
    return tuple(out)


def check_bind(src: str, dst: str, mode: str, *, roots: tuple[str, ...], policy: guards.Policy) -> str:
    """The bind ``src:dst:mode`` as sent to the engine (``src`` resolved), or a refusal that says why."""
    shown = f"the bind mount {src}:{dst}"
    if mode not in _MODES:
        raise E.InvalidReference(f"Invalid mount mode {mode!r} in {src}:{dst}:{mode}", value=mode,
                                 hint="':ro' (read-only) or ':rw' (the default)")
    if not dst.startswith("/") or dst == "/" or "\x00" in dst:
        raise E.InvalidReference(f"The path in the container must be absolute and not '/': {dst!r}", value=dst,
                                 hint="for example volumes=['mydata:/data']")
    if "\x00" in src:
        raise E.InvalidReference("A host path cannot contain a NUL byte", value=repr(src),
                                 hint="for example volumes=['./data:/data']")
    real = os.path.realpath(src)  # what the engine follows: symlinks, '..', '//'
    if policy.allow_root_mount:
        return f"{real}:{dst}:{mode}"
    if policy.allow_docker_socket and real in {os.path.realpath(s) for s in _socket_paths()}:
        return f"{real}:{dst}:{mode}"
    try:
        st = os.lstat(real)
    except OSError:
        raise _refuse("bind_roots", shown, f"{real} does not exist on the host (the engine would create it, "
                      "as root)", hint=f"create the folder first (os.makedirs({src!r})), then mount it") from None
    why = _forbidden(real)
    if why is None and stat.S_ISSOCK(st.st_mode):
        why = "it is a socket: a way into a service of the host"
    if why is None and (stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)):
        why = "it is a device file"
    if why is None and (st.st_dev, st.st_ino) in _socket_inodes():
        why = "it is a hard link to the engine's socket"
    if why is None and stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
        why = "it is a hard link (the same file has another name, possibly outside the allowed folders)"
    if why is None and not any(_under(real, r) for r in roots):
        where = ", ".join(roots) if roots else "nowhere (the teacher allows no bind mount)"
        why = f"it is outside the folders a bind mount may come from: {where}"
    if why is None and stat.S_ISDIR(st.st_mode):
        why = _scan_folder(real)
    if why is not None:
        if real != os.path.normpath(src) and not why.startswith("it "):
            why = f"it leads to {real}; {why}"
        raise _refuse("bind_roots", shown, why,
                      hint="mount a folder under your home or the notebook's folder, or use a named volume "
                           "(volumes=['mydata:/data']); a teacher lists other folders in bind_roots")
    return f"{real}:{dst}:{mode}"


def _scan_folder(real: str, limit: int = 2000) -> str | None:
    """A folder to be mounted may not hold the engine's socket under another name, nor a device
    (looked at up to ``limit`` entries deep-first: a seat belt, not an audit)."""
    inodes = _socket_inodes()
    seen = 0
    for dirpath, dirnames, filenames in os.walk(real):
        for f in filenames + dirnames:
            seen += 1
            if seen > limit:
                return None
            try:
                st = os.lstat(os.path.join(dirpath, f))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in inodes:
                return f"it holds the engine's socket under another name ({os.path.join(dirpath, f)})"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                return f"it holds a device file ({os.path.join(dirpath, f)})"
    return None


@dataclass
class Launch:
    """What :func:`check_launch` allows: the host-config entries and the CLI flags that say them."""

    host_config: dict
    flags: list


def check_launch(*, privileged=False, network=None, pid=None, ipc=None, volumes=None, binds=None, cwd=None,
                 join=None, network_ok=None, policy: guards.Policy | None = None) -> Launch:
    """Check every launch option; return the host config to send and its CLI flags.

    ``binds``: the mounts already parsed (:func:`dockerlab.mounts.parse_mounts`, the one ``-v``
    grammar), else ``volumes`` is parsed here with it. ``join(ref, key) -> container id`` resolves a
    ``container:<ref>`` namespace join (the gate gives one that accepts only the owner's own);
    ``network_ok(name) -> name`` a user-defined network (the gate's accepts the owner's own only)."""
    p = settings() if policy is None else policy
    hc, flags = {}, []
    if not isinstance(privileged, bool):
        raise E.InvalidReference(f"privileged is True or False, not {privileged!r}"[:200], value=repr(privileged)[:80],
                                 hint="leave it out: a lesson never needs it")
    if privileged:
        if not p.allow_privileged:
            raise _refuse("allow_privileged", "--privileged",
                          "it gives the container every device and capability of the host, so it could take the "
                          "machine, and everyone's work on it")
        hc["privileged"] = True
        flags.append("--privileged")
    for key, value, flag, hc_key, allow in (("network", network, "--network", "network_mode", p.allow_host_network),
                                            ("pid", pid, "--pid", "pid_mode", p.allow_host_pid),
                                            ("ipc", ipc, "--ipc", "ipc_mode", p.allow_host_ipc)):
        if value is None:
            continue
        mode = _namespace(key, value, allow, join)
        if key == "network" and mode.lower() not in BUILTIN_NETWORKS + ("host",) and not mode.startswith("container:"):
            if network_ok is None:
                raise _refuse("network", f"--network {mode}", "joining a network of your own needs the lab",
                              hint=f"lab.run(..., network={mode!r}) joins it once it is yours (lab.network_create)")
            mode = network_ok(mode)
        hc[hc_key] = mode
        flags.append(f"{flag} {mode}")
    roots = p.bind_roots if p.bind_roots is not None else default_roots(cwd)
    sent = []
    for m in (binds if binds is not None else mounts.parse_mounts(volumes, cwd=cwd)):
        bind = check_bind(m.source, m.target, m.mode, roots=roots, policy=p) if m.kind == "bind" else m.bind
        sent.append(bind)
        flags.append("-v " + bind[:-3] if bind.endswith(":rw") else "-v " + bind)
    if sent:
        hc["binds"] = sent
    return Launch(hc, flags)


def _namespace(key: str, value, allow_host: bool, join) -> str:
    examples = {"network": "'none', 'bridge', a network of yours, or 'container:NAME' (one of yours)",
                "pid": "'container:NAME' (one of yours)", "ipc": "'private', 'shareable' or 'container:NAME'"}
    if not isinstance(value, str) or not value.strip() or "\x00" in value or len(value) > 300:
        raise E.InvalidReference(f"Invalid {key} mode {value!r}"[:200], value=repr(value)[:80],
                                 hint=f"for example {examples[key]}")
    mode = value.strip()
    if mode.lower() == "host":
        if not allow_host:
            why = {"network": "the container would share the host's network: it could listen on any port of the "
                              "machine and reach services meant only for it",
                   "pid": "the container would see and could signal every process of the host, other learners' too",
                   "ipc": "the container would share the host's shared memory"}[key]
            raise _refuse(f"allow_host_{'network' if key == 'network' else key}", f"--{key} host", why)
        return "host"
    if mode.lower().startswith("container:"):
        ref = mode.split(":", 1)[1]
        if join is None:
            raise _refuse(key, f"--{key} {mode}", "joining another container's namespace needs the lab")
        return f"container:{join(ref, key)}"
    if key == "pid":
        raise E.InvalidReference(f"Invalid pid mode {mode!r}", value=mode, hint=f"for example {examples[key]}")
    if key == "ipc" and mode not in ("private", "shareable", "none"):
        raise E.InvalidReference(f"Invalid ipc mode {mode!r}", value=mode, hint=f"for example {examples[key]}")
    if key == "network" and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}", mode):
        raise E.InvalidReference(f"Invalid network {mode!r}", value=mode, hint=f"for example {examples[key]}")
    return mode


def check_host_config(hc: dict) -> None:
    """Every key sent to the engine is one the kit knows and checked (defence in depth)."""
    extra = sorted(set(hc) - HOST_CONFIG_KEYS)
    if extra:
        raise _refuse(extra[0], f"the host option {extra[0]}", "the kit sends only the options it checked")


class Slots:
    """``max_running`` held under concurrent calls: the running count plus the launches under way,
    decided under one lock per (engine, owner) in this process."""

    # per process by nature: every lab of one owner in this kernel shares the count of launches under way
    _locks_in_this_process: dict = {}
    _inflight_in_this_process: dict = {}
    _guard = threading.Lock()

    def __init__(self, key: tuple):
        self.key = key
        with Slots._guard:
            self.lock = Slots._locks_in_this_process.setdefault(key, threading.Lock())
            Slots._inflight_in_this_process.setdefault(key, 0)

    def take(self, running: int, owner: str, policy: guards.Policy) -> "Slot":
        with self.lock:
            guards.check_running(running + Slots._inflight_in_this_process[self.key], owner=owner, policy=policy)
            Slots._inflight_in_this_process[self.key] += 1
        return Slot(self)

    def _give_back(self):
        with self.lock:
            Slots._inflight_in_this_process[self.key] -= 1


class Slot:
    def __init__(self, slots: Slots):
        self._slots = slots
        self._done = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
        return False

    def release(self):
        if not self._done:
            self._done = True
            self._slots._give_back()


class VisibleEvents:
    """An event stream without the events of containers the owner may not see (a container's
    events carry its labels, so another learner's start, stop or name never reach the reader);
    ``settings()`` gives the teacher's settings at each event."""

    def __init__(self, raw, owner: str, settings):
        self._events, self._owner, self._settings = raw, owner, settings

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            ev = next(self._events) or {}
            if ev.get("Type", "container") != "container":
                return ev
            attrs = (ev.get("Actor") or {}).get("Attributes") or {}
            if may_see(attrs, self._owner, self._settings()):
                return ev

    def close(self):
        close = getattr(self._events, "close", None)
        if close is not None:
            close()


# --- the REST API -----------------------------------------------------------------------------------
_REST_FREE = ("/_ping", "/version", "/info", "/images/json", "/system/df", "/containers/json", "/volumes",
              "/networks")
_REST_CONTAINER = re.compile(r"^/containers/([A-Za-z0-9][A-Za-z0-9_.-]*)/(json|top|stats|logs|changes)$")
_REST_IMAGE = re.compile(r"^/images/([a-z0-9][a-z0-9._/:@-]*?)/(json|history)$")


def check_rest(path) -> tuple[str, str | None]:
    """("free" | "container" | "image", the container ref) for an allowed GET path, else a refusal."""
    if not isinstance(path, str):
        raise E.InvalidReference(f"An API path is text like '/version', not {type(path).__name__}",
                                 value=repr(path)[:80], hint="for example lab.rest('/version')")
    if not path.startswith("/"):
        raise E.InvalidReference(f"An API path starts with '/': {path[:80]!r}", value=path[:80],
                                 hint="for example '/version'")
    if len(path) > 512 or any(ch in path for ch in "?#\\\x00 ") or "//" in path or "/../" in path + "/" \
            or "/./" in path + "/":
        raise E.InvalidReference(f"Not a plain API path: {path[:80]!r}", value=path[:80],
                                 hint="write the path alone, and query parameters as keywords: "
                                      "lab.rest('/containers/json', all=1)")
    if path in _REST_FREE:
        return "free", None
    m = _REST_CONTAINER.match(path)
    if m:
        return "container", m.group(1)
    if _REST_IMAGE.match(path):
        return "image", None
    raise E.GuardRefused(
        f"lab.rest() does not send GET {path}", guard="rest",
        state="it answers the engine-wide paths that show no one's containers, and your own containers' paths",
        hint="for example " + ", ".join(_REST_FREE[:5]) + ", /containers/NAME/json, /images/NAME/json")


def check_rest_params(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        if isinstance(v, bool):
            v = int(v)
        if not isinstance(v, (str, int)) or (isinstance(v, str) and ("\x00" in v or len(v) > 4096)):
            raise E.InvalidReference(f"The query parameter {k}= must be text or a whole number, not {v!r}"[:200],
                                     value=repr(v)[:80], hint="for example all=1, or filters=json.dumps({...})")
        out[k] = v
    return out
