"""The engine contract: a base class every engine backend inherits, written once.

Like JupyterHub's ``Spawner``: :class:`DockerEngine` (``docker_engine.py``),
:class:`~dockerlab.engine.udocker.UdockerEngine` (daemonless, for Binder) and the unit tests'
fake (``tests/unit/fake_engine.py``) are subclasses of :class:`Engine`, and a subclass that
departs from the contract is refused when it is *defined* (:meth:`Engine.__init_subclass__`
runs :func:`problems`), not when a learner first meets the gap. Nothing above this layer asks
which engine it has: it asks :meth:`Engine.can`.

Shapes: dicts in, dicts out, in the Docker Engine API's own shapes (``GET /containers/json``
entries, ``inspect`` documents, stats samples); pull, push, build and load give typed
:class:`~dockerlab.engine.progress.Progress` messages.

Errors: every method raises only :mod:`dockerlab.errors`. A backend's own failures are
translated once, in :meth:`Engine._call` (through the backend's :meth:`Engine._translate`);
``ContainerNotFound`` / ``ImageNotFound`` / ``NetworkNotFound`` / ``VolumeNotFound`` for a name the
engine does not know, ``NameConflict``, ``ContainerStateError``, ``ExecutableNotFound`` (start),
``RegistryError`` and its kinds, ``OperationTimedOut``, ``EngineLost`` /
``EnginePermissionDenied``, ``NotAvailableOnEngine``, ``EngineError`` (anything else, with the
engine's own words).

Features: :attr:`Engine.features` is the truth about what works. A method that belongs to a
feature (:data:`FEATURE_METHODS`) defaults to raising ``NotAvailableOnEngine``, made by
:meth:`Engine.not_available` with the backend's reason from :attr:`Engine.LIMITATIONS`; a
backend that lists the feature must override its methods.
"""
from __future__ import annotations

import inspect
from typing import Any, Iterator

from .. import errors as E
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
    "save": "write images to a `docker save` archive",
    "df": "disk usage (docker system df)",
    "build": "build an image from a Dockerfile (docker build)",
    "push": "push an image to a registry",
    "ports": "publish a container's port on the machine (-p)",
    "volumes": "named volumes (docker volume create, -v name:/path)",
    "cgroup-files": "each container has a cgroup of its own, whose files hold the kernel's counters",
    "networks": "user-defined networks, where containers find each other by name (docker network create)",
    "compose": "run a multi-container app from a compose.yaml (docker compose, the Compose v2 plugin)",
}

#: The methods that belong to a feature: an engine without the feature inherits the base's,
#: which raise ``NotAvailableOnEngine``; an engine that lists it must write its own.
FEATURE_METHODS = {
    "build": ("build", "history"),
    "volumes": ("create_volume", "volumes", "inspect_volume", "remove_volume"),
    "pause": ("pause", "unpause"),
    "push": ("push",),
    "save": ("save_images",),
    "events": ("events", "events_stream"),
    "networks": ("create_network", "networks", "inspect_network", "remove_network"),
    "compose": ("compose",),
}

#: What each feature-bound method is called in an error ("docker events is not available ...").
_SAID = {"build": "Building an image (docker build)", "history": "docker history",
         "create_volume": "A named volume (docker volume create)", "volumes": "Listing volumes (docker volume ls)",
         "inspect_volume": "Inspecting a volume (docker volume inspect)",
         "remove_volume": "Removing a volume (docker volume rm)", "pause": "docker pause", "unpause": "docker unpause",
         "push": "docker push", "save_images": "docker save", "events": "docker events",
         "events_stream": "Following the engine's events",
         "create_network": "A network of your own (docker network create)", "networks": "Listing networks (docker network ls)",
         "inspect_network": "Inspecting a network (docker network inspect)",
         "remove_network": "Removing a network (docker network rm)", "compose": "docker compose"}


def _feature_method(name: str, feature: str):
    def method(self, *args, **kwargs):
        raise self.not_available(feature, _SAID[name])

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Not available: this engine does not list {feature!r} (see :data:`FEATURE_METHODS`)."
    method._unavailable = feature
    return method


class Engine:
    """One engine backend. Attributes first, then the methods, grouped as the API groups them.

    A subclass sets :attr:`kind`, :attr:`FEATURES` (and :attr:`LIMITATIONS`, why each missing
    feature is missing), writes every method below that is not feature-bound, and the
    feature-bound ones of each feature it lists. Pass ``abstract=True`` in the class statement
    for an intermediate class that is not an engine yet.
    """

    kind: str = ""  #: "docker", "udocker", "fake"
    FEATURES: frozenset = frozenset()  #: a subset of :data:`FEATURES`' keys: the most this backend can do
    LIMITATIONS: dict = {}  #: feature -> why this backend lacks it (for the error that says so)
    cannot: str = ""  #: one sentence on what this engine cannot do ("" when nothing notable)
    rest_note: str = ""  #: said before a ``rest_get`` answer that no daemon gave ("" for a daemon)
    builder: str = ""  #: "buildkit" or "classic" where the engine builds
    endpoint: Any = None  #: where it is: ``.url``, ``.source``, ``.scheme``, ``.path``
    api_version: str = ""  #: the Engine API version spoken
    calls: Any = None  #: a deque of (method, path, status) of the API requests made (for lab.api_calls)

    def __init_subclass__(cls, *, abstract: bool = False, **kw):
        super().__init_subclass__(**kw)
        if abstract:
            return
        found = problems(cls)
        if found:
            raise TypeError(f"{cls.__name__} departs from the engine contract: " + "; ".join(found))

    # --- what it can do: the only question the layers above ask ------------------------------
    @property
    def features(self) -> frozenset:
        """What works on this engine now (a backend may decide at run time: a rootless engine on
        cgroup v1 has no limits)."""
        return self.FEATURES

    @property
    def limitations(self) -> dict:
        """feature -> why it is missing, for the features this engine lacks."""
        have = self.features
        return {f: why for f, why in self.LIMITATIONS.items() if f not in have}

    def can(self, feature: str) -> bool:
        """Whether ``feature`` (a key of :data:`FEATURES`) works here."""
        if feature not in FEATURES:
            raise E.InvalidReference(f"{feature!r} is not a feature an engine may have", value=str(feature)[:80],
                                     hint="one of " + ", ".join(sorted(FEATURES)))
        return feature in self.features

    def not_available(self, feature: str, what: str, *, hint: str = "", state: str = "") -> E.NotAvailableOnEngine:
        """The error for ``what`` (a sentence's subject: "docker events") on an engine without ``feature``."""
        return E.not_available(feature, what, engine=self.kind, why=self.limitations.get(feature, ""),
                               state=state, hint=hint)

    def need(self, feature: str, what: str, *, hint: str = "", state: str = "") -> None:
        """Raise :meth:`not_available` unless the engine has ``feature``."""
        if not self.can(feature):
            raise self.not_available(feature, what, hint=hint, state=state)

    # --- errors: translated once ----------------------------------------------------------------
    def _call(self, action: str, thunk, *, image: str = "", container: str = ""):
        """Run ``thunk()``; any failure that is not already the kit's is translated by :meth:`_translate`."""
        try:
            return thunk()
        except E.DockerLabError:
            raise
        except Exception as e:
            raise self._translate(e, action=action, image=image, container=container) from e

    def _translate(self, exc: Exception, *, action: str, image: str = "", container: str = "") -> E.DockerLabError:
        """The kit's error for a failure of this backend's own machinery."""
        return E.EngineError(f"Could not {action}: {exc}", explanation=str(exc))

    # --- system ---
    def ping(self) -> bool: ...
    def version(self) -> dict: ...
    def info(self) -> dict: ...
    def df(self) -> dict: ...
    events = _feature_method("events", "events")  # (*, since=None, until=None, filters=None, decode=True)
    events_stream = _feature_method("events_stream", "events")  # (*, since=None, filters=None); close() from any thread

    # --- containers ---
    def containers(self, *, all: bool = False, filters: dict | None = None) -> list[dict]: ...
    def inspect_container(self, ref: str) -> dict: ...
    def create_container(self, *, image: str, command=None, name=None, labels=None, tty=False, stdin_open=False,
                         environment=None, entrypoint=None, working_dir=None,
                         host_config: dict | None = None, ports=None) -> str:
        """Returns the new container's id. ``host_config`` takes only the keys the gate admitted
        (:data:`dockerlab.policy.HOST_CONFIG_KEYS`); ``ports``: the container ports to expose."""
        ...

    def start(self, ref: str, *, image: str = "") -> None: ...
    def stop(self, ref: str, *, timeout: int = 10) -> None: ...
    def restart(self, ref: str, *, timeout: int = 10) -> None: ...
    def kill(self, ref: str, *, signal: str = "KILL") -> None: ...
    pause = _feature_method("pause", "pause")  # (ref)
    unpause = _feature_method("unpause", "pause")  # (ref)
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
    def images(self, *, name: str | None = None, all: bool = False, filters: dict | None = None) -> list[dict]: ...
    def inspect_image(self, ref: str) -> dict: ...
    def pull(self, repository: str, tag: str) -> Iterator[Progress]:
        """Progress messages, typed (:mod:`.progress`); a failed pull ends with one whose ``error`` is set."""
        ...

    push = _feature_method("push", "push")  # (repository, tag) -> Iterator[Progress]
    def tag(self, image: str, repository: str, tag: str) -> None: ...
    def remove_image(self, ref: str, *, force: bool = False) -> list: ...
    save_images = _feature_method("save_images", "save")  # (names, *, chunk_size) -> Iterator[bytes]
    def load_images(self, data) -> list[Progress]: ...  # each image loaded: its `loaded` name

    # --- building (feature "build"): Progress messages (``stream``, ``image_id``, ``error``) ---
    # (*, tag, path=None, dockerfile_text=None, labels=None, nocache, pull, build_args=None, target=None,
    #  secrets=None: {id: path of the file}, BuildKit's; a builder without them raises errors.needs_buildkit)
    build = _feature_method("build", "build")
    history = _feature_method("history", "build")  # (ref) -> list[dict]

    # --- volumes (feature "volumes") ---
    create_volume = _feature_method("create_volume", "volumes")  # (name, *, labels=None, driver="local")
    volumes = _feature_method("volumes", "volumes")  # (*, filters=None) -> list[dict]
    inspect_volume = _feature_method("inspect_volume", "volumes")  # (name) -> dict
    remove_volume = _feature_method("remove_volume", "volumes")  # (name, *, force=False)

    # --- networks (feature "networks"): the Engine API's shapes (GET /networks, /networks/NAME) ---
    create_network = _feature_method("create_network", "networks")  # (name, *, labels=None, driver="bridge") -> dict
    networks = _feature_method("networks", "networks")  # (*, filters=None) -> list[dict]
    inspect_network = _feature_method("inspect_network", "networks")  # (name) -> dict
    remove_network = _feature_method("remove_network", "networks")  # (name)

    # --- Compose (feature "compose"): `docker compose` run against this engine; raises ComposeFailed ---
    compose = _feature_method("compose", "compose")  # (args, *, files, project, cwd) -> str (what it printed)

    # --- the REST API, and the end ---
    def rest_get(self, path: str, params: dict | None = None): ...
    def close(self) -> None: ...


#: The methods every engine writes itself (the feature-bound ones have the base's default).
_BOUND = {m for ms in FEATURE_METHODS.values() for m in ms}
METHODS = sorted(n for n, v in vars(Engine).items()
                 if callable(v) and not n.startswith("_") and n not in ("can", "not_available", "need"))
REQUIRED = sorted(set(METHODS) - _BOUND)
#: The parameters each feature-bound method must take when the engine writes it.
_BOUND_PARAMS = {"build": ["tag", "path", "dockerfile_text", "build_args", "target", "secrets"], "history": ["ref"],
                 "create_volume": ["name", "labels"],
                 "volumes": ["filters"], "inspect_volume": ["name"], "remove_volume": ["name", "force"],
                 "pause": ["ref"], "unpause": ["ref"], "push": ["repository", "tag"], "save_images": ["names"],
                 "events": ["since", "filters"], "events_stream": ["since", "filters"],
                 "create_network": ["name", "labels"], "networks": ["filters"], "inspect_network": ["name"],
                 "remove_network": ["name"], "compose": ["args", "files", "project", "cwd"]}
ATTRIBUTES = ["kind", "FEATURES", "LIMITATIONS", "cannot", "rest_note", "endpoint", "api_version", "calls"]


def problems(engine) -> list[str]:
    """How ``engine`` (a class or an instance) departs from the contract; [] when it conforms."""
    cls = engine if isinstance(engine, type) else type(engine)
    out = []
    if not issubclass(cls, Engine):
        return [f"{cls.__name__} does not inherit dockerlab.engine.contract.Engine"]
    if not cls.kind:
        out.append("no kind")
    feats = engine.FEATURES if isinstance(engine, type) else engine.features
    if isinstance(feats, property):
        feats = cls.FEATURES
    unknown = sorted(set(feats) - set(FEATURES))
    if unknown:
        out.append(f"unknown features {unknown}")
    for name in REQUIRED:
        impl = getattr(cls, name, None)
        if impl is None or impl is vars(Engine).get(name):
            out.append(f"no method {name}")
            continue
        missing = _missing(getattr(Engine, name), impl)
        if missing:
            out.append(f"{name}() lacks {', '.join(missing)}")
    for feature, methods in FEATURE_METHODS.items():
        if feature not in feats:
            continue
        for name in methods:
            impl = getattr(cls, name, None)
            if impl is None or getattr(impl, "_unavailable", None):
                out.append(f"lists {feature!r} but has no method {name}")
                continue
            have = _params(impl)
            missing = [p for p in _BOUND_PARAMS[name] if have is not None and p not in have]
            if missing:
                out.append(f"{name}() lacks {', '.join(missing)}")
    return out


def _missing(want_fn, impl) -> list[str]:
    want, have = _params(want_fn), _params(impl)
    if have is None:
        return []  # **kwargs: takes anything
    return [p for p in want if p not in have]


def _params(fn):
    if isinstance(fn, property):
        return []
    sig = inspect.signature(fn)
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return None
    return [n for n in sig.parameters if n != "self"]
