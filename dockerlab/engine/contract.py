"""The engine contract: what every engine backend provides, written once.

Like JupyterHub's ``Spawner`` base class for its spawners: :class:`DockerEngine`
(``docker_engine.py``), :class:`UdockerEngine` (``udocker_engine.py``, daemonless, for
Binder) and the unit tests' fake (``tests/unit/fake_engine.py``) implement :class:`Engine`,
and nothing above this layer asks which one it has. ``tests/unit/test_contract.py`` checks all
of them (and ``lab.engine``, the guarded view) against it.

Shapes: dicts in, dicts out, in the Docker Engine API's own shapes (``GET /containers/json``
entries, ``inspect`` documents, stats samples, progress events).

Errors: every method raises only :mod:`dockerlab.errors` (translated once, in
:mod:`dockerlab.engine.translate`): ``ContainerNotFound`` / ``ImageNotFound`` /
``NetworkNotFound`` / ``VolumeNotFound`` for a name the engine does not know,
``NameConflict``, ``ContainerStateError`` (not running, running, being removed),
``ExecutableNotFound`` (start), ``RegistryError`` and its kinds (pull, push),
``OperationTimedOut`` (the engine answers but did not finish in time), ``EngineLost`` /
``EnginePermissionDenied`` (the transport), ``NotAvailableOnEngine`` (a method whose feature
the engine lacks), ``EngineError`` (anything else, with the engine's own words).

Features: :attr:`Engine.features` is the truth about what works; ``lab.can(feature)`` reads
only it. A method whose feature is missing raises ``NotAvailableOnEngine``.
"""
from __future__ import annotations

import inspect
from typing import Any, Iterator, Protocol, runtime_checkable

from .progress import Progress

#: Every feature an engine may list, and what it means.
FEATURES = {
    "detach": "run a container in the background (run -d)",
    "stop": "stop a container (SIGTERM, then SIGKILL)",
    "restart": "restart a container",
    "kill": "send a signal to a container's main process",
    "pause": "freeze and thaw a container's processes (pause/unpause)",
    "logs": "read what a container printed",
    "exec": "run another process in a running container",
    "stats": "CPU, memory, I/O and PIDs of a running container",
    "events": "follow the engine's container events",
    "limits": "enforce memory, CPU and PID limits (cgroups)",
    "pid-namespace": "each container sees only its own processes",
    "network-isolation": "each container has a network of its own",
    "pull": "download images from a registry",
    "load": "load a `docker save` archive",
    "df": "disk usage (docker system df)",
    "build": "build an image from a Dockerfile (docker build)",
    "push": "push an image to a registry",
    "ports": "publish a container's port on the machine (-p)",
    "volumes": "named volumes (docker volume create, -v name:/path)",
}


@runtime_checkable
class Engine(Protocol):
    """One engine backend. Attributes first, then the methods, grouped as the API groups them."""

    kind: str  #: "docker", "udocker", "fake"
    features: frozenset  #: a subset of :data:`FEATURES`' keys: what works on this engine
    limitations: dict  #: feature -> why it is missing (for the error that says so)
    cannot: str  #: one sentence on what this engine cannot do ("" when nothing notable)
    rest_note: str  #: said before a ``rest_get`` answer that no daemon gave ("" for a daemon)
    endpoint: Any  #: where it is: ``.url``, ``.source``, ``.scheme``, ``.path``
    api_version: str  #: the Engine API version spoken
    calls: Any  #: a deque of (method, path, status) of the API requests made (for lab.api_calls)

    # --- system ---
    def ping(self) -> bool: ...
    def version(self) -> dict: ...
    def info(self) -> dict: ...
    def df(self) -> dict: ...
    def events(self, *, since=None, until=None, filters=None, decode=True) -> Iterator[dict]: ...
    def events_stream(self, *, since=None, filters=None) -> Iterator[dict]:
        """Like :meth:`events`; its ``close()`` may be called from another thread."""
        ...

    # --- containers ---
    def containers(self, *, all: bool = False, filters: dict | None = None) -> list[dict]: ...
    def inspect_container(self, ref: str) -> dict: ...
    def create_container(self, *, image: str, command=None, name=None, labels=None, tty=False, stdin_open=False,
                         environment=None, entrypoint=None, working_dir=None,
                         host_config: dict | None = None) -> str:
        """Returns the new container's id. ``host_config`` takes only the keys the policy checked
        (:data:`dockerlab.policy.HOST_CONFIG_KEYS`)."""
        ...
    def start(self, ref: str, *, image: str = "") -> None: ...
    def stop(self, ref: str, *, timeout: int = 10) -> None: ...
    def restart(self, ref: str, *, timeout: int = 10) -> None: ...
    def kill(self, ref: str, *, signal: str = "KILL") -> None: ...
    def pause(self, ref: str) -> None: ...
    def unpause(self, ref: str) -> None: ...
    def remove(self, ref: str, *, force: bool = False) -> None: ...
    def wait(self, ref: str, *, timeout: float | None = None) -> int:
        """The exit code; ``OperationTimedOut`` after ``timeout`` seconds (the container goes on)."""
        ...
    def logs(self, ref: str, *, tail="all", timestamps=False) -> str: ...
    def exec(self, ref: str, cmd: list[str], *, tty: bool = False, workdir=None,
             environment=None) -> tuple[int, str]: ...
    def stats(self, ref: str, *, stream: bool = False, one_shot: bool | None = None):
        """One sample (a dict), or with ``stream`` an iterator of samples with ``close()``."""
        ...

    # --- images ---
    def images(self, *, name: str | None = None, all: bool = False) -> list[dict]: ...
    def inspect_image(self, ref: str) -> dict: ...
    def pull(self, repository: str, tag: str) -> Iterator[Progress]:
        """Progress messages, typed (:mod:`.progress`); a failed pull ends with one whose ``error`` is set."""
        ...

    def push(self, repository: str, tag: str) -> Iterator[Progress]: ...
    def tag(self, image: str, repository: str, tag: str) -> None: ...
    def remove_image(self, ref: str, *, force: bool = False) -> list: ...
    def save_images(self, names: list[str], *, chunk_size: int = 1 << 20) -> Iterator[bytes]: ...
    def load_images(self, data) -> list[Progress]: ...  # each image loaded: its `loaded` name

    # --- the REST API, and the end ---
    def rest_get(self, path: str, params: dict | None = None): ...
    def close(self) -> None: ...


METHODS = sorted(n for n, v in vars(Engine).items() if callable(v) and not n.startswith("_"))

#: Methods an engine has only when it lists the feature (lab.build, lab.image_history, the volume
#: calls); an engine without the feature may lack them, and the Lab asks ``can()`` before calling.
#: ``build`` yields :class:`Progress` messages, as ``pull`` does (``stream``, ``image_id``, ``error``).
FEATURE_METHODS = {
    "build": {"build": ["tag", "path", "dockerfile_text"], "history": ["ref"]},
    "volumes": {"create_volume": ["name", "labels"], "volumes": ["filters"], "inspect_volume": ["name"],
                "remove_volume": ["name", "force"]},
}
ATTRIBUTES = sorted(Engine.__annotations__)


def problems(engine) -> list[str]:
    """How ``engine`` (a class or an instance) departs from the contract; [] when it conforms."""
    out = []
    for name in ATTRIBUTES:
        if not _has(engine, name):
            out.append(f"no attribute {name}")
    feats = getattr(engine, "features", None)
    if isinstance(feats, property):  # decided per engine at run time (a rootless engine on cgroup v1 drops some):
        feats = getattr(engine, "FEATURES", None)  # the class lists the most it can have
    if feats is not None and not set(feats) <= set(FEATURES):
        out.append(f"unknown features {sorted(set(feats) - set(FEATURES))}")
    for name in METHODS:
        impl = getattr(engine, name, None)
        if not callable(impl):
            out.append(f"no method {name}")
            continue
        want = _params(getattr(Engine, name))
        have = _params(impl)
        if have is None:
            continue  # **kwargs: takes anything
        missing = [p for p in want if p not in have]
        if missing:
            out.append(f"{name}() lacks {', '.join(missing)}")
    for feature, methods in FEATURE_METHODS.items():
        if feats is None or feature not in feats:
            continue
        for name, want in methods.items():
            impl = getattr(engine, name, None)
            if not callable(impl):
                out.append(f"lists {feature!r} but has no method {name}")
                continue
            have = _params(impl)
            missing = [p for p in want if have is not None and p not in have]
            if missing:
                out.append(f"{name}() lacks {', '.join(missing)}")
    return out


def _has(engine, name: str) -> bool:
    try:
        getattr(engine, name)
        return True
    except AttributeError:
        return name in getattr(engine, "__annotations__", {}) or name in ("endpoint", "calls", "api_version")


def _params(fn):
    sig = inspect.signature(fn)
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return None
    return [n for n in sig.parameters if n != "self"]
