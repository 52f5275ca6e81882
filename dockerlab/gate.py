"""The gate: the one way from the kit to an engine.

A :class:`Gate` holds three things and lets nothing reach past it: the raw engine backend (kept
in a name-mangled attribute no other module names), the owner it acts for, and the teacher's
settings (:mod:`dockerlab.guards`; a teacher's gate has a teacher's policy). Everything that talks
to an engine goes through one: the :class:`~dockerlab.lab.Lab`, ``lab.engine`` (a
:class:`~dockerlab.guarded.GuardedEngine` view of the gate: the sampler, the monitor, the
exercises, the reaper, a learner's own code), ``lab.rest()``, the widgets (through the Lab) and the
classroom's teacher. The decisions are :mod:`dockerlab.policy`'s; the gate is where they are
applied, once:

- **resolve** a reference for an action: :meth:`look` (to read) and :meth:`owned` (to change)
  give a :class:`Target`, and :meth:`on` runs a container method only on a target this gate
  resolved, for what it was resolved for;
- **list** by scope: :meth:`listing` keeps the rows the owner may see and counts the others;
- **admit** a launch: :meth:`create` checks the launch options and the host config, and puts
  the owner's labels on it; :meth:`slot` holds ``max_running``.
"""
from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, field

from . import args as A
from . import buildopts
from . import errors as E
from . import labels, names, notices, policy
from .results import Container, row_name

#: Per process, by owner: the names ``lab.cleanup()`` removed in this kernel (a cleanup cell may
#: connect anew), so that "no such container" can say it was the cleanup.
_CLEANED_IN_THIS_PROCESS: dict[str, set] = {}

_READ = frozenset({"inspect_container", "logs", "stats", "wait"})
_ACT = _READ | {"start", "stop", "restart", "kill", "pause", "unpause", "remove", "exec"}


@dataclass(frozen=True)
class Target:
    """A container the gate resolved for an action: ``act`` when it may be changed, else only read."""

    container: Container
    inspected: dict = field(repr=False)
    act: bool = False
    gate: "Gate" = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.container.id

    @property
    def name(self) -> str:
        return self.container.name


class Gate:
    """One owner's way to one engine, under one policy."""

    def __init__(self, engine, *, owner: str | None = None, settings=None):
        from .guarded import GuardedEngine

        if isinstance(engine, GuardedEngine):  # Lab(other_lab.engine): the same backend, checked again
            engine = engine._gate
        if isinstance(engine, Gate):
            engine = engine.__engine
        self.__engine = engine
        self._policy = settings  # None: the learner's, read from the trusted sources at each decision
        self.owner = policy.check_owner(owner, policy=settings)  # someone else only with the teacher's setting
        self.cleaned: set[str] = _CLEANED_IN_THIS_PROCESS.setdefault(self.owner, set())
        self._slots = policy.Slots((engine.endpoint.url, self.owner))
        self._qualify: bool | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_teacher(cls, engine, owner: str = "teacher") -> "Gate":
        """A teacher's gate: every learner's containers visible and, with ``confirm=True``, changed."""
        from . import guards

        return cls(engine, owner=owner, settings=guards.Policy(allow_others=True, allow_owner_choice=True,
                                                             sources={"allow_others": "the teacher's gate"}))

    def settings(self):
        """The teacher's settings now."""
        return self._policy if self._policy is not None else policy.settings()

    def view(self):
        """The engine contract, as this owner may reach it (``lab.engine``)."""
        from .guarded import GuardedEngine

        return GuardedEngine(self)

    def __repr__(self) -> str:
        return f"<gate to the {self.kind} engine for {self.owner!r}>"

    # --- what the engine is and can do ----------------------------------------------------------
    kind = property(lambda self: self.__engine.kind)
    features = property(lambda self: self.__engine.features)
    limitations = property(lambda self: self.__engine.limitations)
    endpoint = property(lambda self: self.__engine.endpoint)
    api_version = property(lambda self: self.__engine.api_version)
    cannot = property(lambda self: self.__engine.cannot)
    rest_note = property(lambda self: self.__engine.rest_note)
    calls = property(lambda self: self.__engine.calls)

    @property
    def builder(self) -> str:
        return self.__engine.builder if self.can("build") else ""

    def can(self, feature: str) -> bool:
        return self.__engine.can(feature)

    def need(self, feature: str, what: str, *, hint: str = "", state: str = "") -> None:
        self.__engine.need(feature, what, hint=hint, state=state)

    def not_available(self, feature: str, what: str, *, hint: str = "", state: str = "") -> E.NotAvailableOnEngine:
        return self.__engine.not_available(feature, what, hint=hint, state=state)

    def api_trace(self):
        """The engine's request log and its lock (for ``lab.api_calls()``)."""
        return self.__engine.calls, getattr(self.__engine, "_trace_lock", None) or contextlib.nullcontext()

    def close(self) -> None:
        self.__engine.close()

    # --- engine-wide, showing no one's containers -----------------------------------------------
    def ping(self):
        return self.__engine.ping()

    def version(self) -> dict:
        return self.__engine.version()

    def info(self) -> dict:
        return self.__engine.info()

    def df(self) -> dict:
        d = dict(self.__engine.df())
        if d.get("Containers"):
            d["Containers"], _ = self.visible(d["Containers"])
        return d

    def images(self, **kw) -> list[dict]:
        return self.__engine.images(**kw)

    def inspect_image(self, ref: str) -> dict:
        return self.__engine.inspect_image(A.image_text(ref))

    def history(self, ref: str) -> list[dict]:
        return self.__engine.history(A.image_text(ref))

    def pull(self, repository: str, tag: str):
        return self.__engine.pull(A.image_text(repository), A.image_text(tag, "A tag"))

    def push(self, repository: str, tag: str):
        return self.__engine.push(A.image_text(repository), A.image_text(tag, "A tag"))

    def tag(self, image: str, repository: str, tag: str) -> None:
        return self.__engine.tag(A.image_text(image), A.image_text(repository), A.image_text(tag, "A tag"))

    def remove_image(self, ref: str, *, force: bool = False):
        return self.__engine.remove_image(A.image_text(ref), force=A.flag(force, "force"))

    def save_images(self, names_: list[str], **kw):
        return self.__engine.save_images([A.image_text(n) for n in names_], **kw)

    def load_images(self, data):
        return self.__engine.load_images(data)

    def build(self, *, tag: str, path=None, dockerfile_text=None, nocache=False, pull=False, build_args=None,
              target=None, secrets=None, cwd=None):
        """`docker build`, the image labelled as the owner's (the kit's mark, no session: a rebuild hits the cache).
        A secret's file only from the owner's folders (:func:`dockerlab.buildopts.admit_secrets`), checked here,
        before the engine's iterator is made (a refusal comes before anything is built)."""
        kit = {labels.MANAGED: "true", labels.OWNER: self.owner}
        args = A.env(build_args, option="build_args", flag="--build-arg", noun="a build argument name")
        files = buildopts.admit_secrets(buildopts.secret_specs(secrets), cwd=cwd or os.getcwd(),
                                        settings=self.settings())
        return self.__engine.build(tag=tag, path=path, dockerfile_text=dockerfile_text, labels=kit,
                                   nocache=nocache, pull=pull, build_args=args or None,
                                   target=buildopts.target(target), secrets=files or None)

    def events(self, **kw):
        return policy.VisibleEvents(self.__engine.events(**kw), self.owner, self.settings)

    def events_stream(self, **kw):
        return policy.VisibleEvents(self.__engine.events_stream(**kw), self.owner, self.settings)

    # --- volumes -----------------------------------------------------------------------------------
    def volumes(self, *, filters=None) -> list[dict]:
        return self.__engine.volumes(filters=filters)

    def inspect_volume(self, name: str) -> dict:
        return self.__engine.inspect_volume(A.image_text(name, "A volume name"))

    def create_volume(self, name: str, *, session: str, lesson: str = "") -> dict:
        return self.__engine.create_volume(name, labels=labels.make_labels(owner=self.owner, session=session,
                                                                           lesson=lesson))

    def remove_volume(self, name: str, *, force: bool = False, confirm: bool = False, on_allowed=None) -> None:
        """A volume of the owner's, or with ``confirm=True`` one the kit did not make (or, with the
        teacher's ``allow_others``, another learner's)."""
        self._may_remove("volume", name, self.__engine.inspect_volume(name), confirm, "its data is untouched")
        if on_allowed is not None:
            on_allowed()
        self.__engine.remove_volume(name, force=force)

    def _may_remove(self, what: str, name: str, inspected: dict, confirm, state: str) -> None:
        kind = policy.whose(inspected.get("Labels") or {}, self.owner)
        if kind != "mine" and not (A.flag(confirm, "confirm") and (kind == "foreign" or self.settings().allow_others)):
            whose = "it belongs to another learner" if kind == "other" else "dockerlab did not create it"
            raise E.NotOwned(f"Refusing to remove the {what} {name}: {whose}", container=name, owner="", state=state,
                             hint=f"only your own {what}s are removed without confirm=True")

    # --- networks (lesson 14) ---------------------------------------------------------------------
    def networks(self, *, filters=None) -> list[dict]:
        return self.__engine.networks(filters=filters)

    def inspect_network(self, name: str) -> dict:
        name = A.image_text(name, "A network name")
        if self.qualifying() and not name.startswith(names.prefix(self.owner)):  # the owner's own first
            with contextlib.suppress(E.NetworkNotFound):
                return self.__engine.inspect_network(names.qualify(name, self.owner))
        return self.__engine.inspect_network(name)

    def create_network(self, name: str, *, session: str, lesson: str = "") -> dict:
        return self.__engine.create_network(name, labels=labels.make_labels(owner=self.owner, session=session,
                                                                            lesson=lesson))

    def network_mine(self, name: str) -> str:
        """A user-defined network a launch may join: the owner's own (or, with ``allow_others``, anyone's)."""
        try:
            d = self.inspect_network(name)
        except E.NetworkNotFound as e:
            raise e.refine(state="no container was launched",
                           hint=f"make it first: lab.network_create({name!r}); lab.networks() lists yours") from None
        return self._mine("network", d.get("Name") or name, d.get("Labels"), "no container was launched",
                          "join a network of your own: lab.network_create('my-net'), then network='my-net'")

    def volume_mine(self, name: str) -> str:
        """A volume made outside a Compose project that it may mount: the owner's own only."""
        try:
            lab = self.__engine.inspect_volume(name).get("Labels")
        except E.VolumeNotFound:
            return name  # Compose makes it (with the project's labels, the kit's among them)
        return self._mine("volume", name, lab, "nothing was started", "use a volume the project makes itself")

    def _mine(self, what: str, name: str, lab, state: str, hint: str) -> str:
        kind = policy.whose(lab or {}, self.owner)
        if kind == "mine" or self.settings().allow_others:
            return name
        whose = "it belongs to another learner" if kind == "other" else "dockerlab did not create it"
        raise E.GuardRefused(f"Refusing --{what} {name}: {whose}", guard=what, state=state, hint=hint)

    def remove_network(self, name: str, *, confirm: bool = False, on_allowed=None) -> str:
        """A network of the owner's, or with ``confirm=True`` one the kit did not make (or, with the
        teacher's ``allow_others``, another learner's). Returns the engine's name of it."""
        d = self.inspect_network(name)
        if (d.get("Name") or name) in policy.BUILTIN_NETWORKS + ("host",):
            raise E.GuardRefused(f"Refusing to remove the network {name}: every engine has it", guard="network",
                                 state="it is still there", hint="only networks made with network create go")
        self._may_remove("network", name, d, confirm, "it is still there")
        if on_allowed is not None:
            on_allowed()
        self.__engine.remove_network(d.get("Id") or name)
        return d.get("Name") or name

    # --- Compose (lesson 14) -------------------------------------------------------------------------
    def compose(self, args: list[str], *, files: list[str], project: str, cwd: str, session: str, lesson: str = ""):
        """`docker compose ARGS` on a project as Compose reads it (``config``), checked and labelled
        (:func:`dockerlab.compose_model.check`); only the checked model is run. Returns (what Compose
        printed, the :class:`~dockerlab.compose_model.Checked` project)."""
        from . import compose_model as cm

        model = cm.parse_config(self.__engine.compose(["config", "--format", "json"], files=files, project=project,
                                                      cwd=cwd))
        settings = self.settings()
        checked = cm.check(model, owner=self.owner, session=session, lesson=lesson, cwd=cwd, settings=settings,
                           join=self.join, network_ok=self.network_mine, volume_ok=self.volume_mine,
                           qualifying=self.qualifying())
        if args and args[0] in cm.STARTING and settings.max_running is not None:
            cm.check_running(self.__engine.containers(filters=self.filters("mine")), project, checked, self.owner,
                             settings)
        with cm.checked_file(checked) as path:
            return self.__engine.compose(list(args), files=[path], project=project, cwd=cwd), checked

    # --- containers: lists ------------------------------------------------------------------------
    def filters(self, scope: str, *, session: str = "", lesson: str = "") -> dict:
        """The engine's filters for a read scope ("mine", "session", "lesson", "kit", "engine")."""
        scope = A.scope(scope)
        if scope == "mine":
            return {"label": labels.label_filter(owner=self.owner)}
        if scope == "session":
            return {"label": labels.label_filter(owner=self.owner, session=session)}
        if scope == "lesson":  # this owner's containers of this lesson, from any kernel (a restart too)
            if not lesson:
                raise E.InvalidReference("scope='lesson' needs a lab connected with a lesson", value=scope,
                                         hint="dockerlab.connect(lesson='05-run'), or scope='session'")
            return {"label": labels.label_filter(owner=self.owner) + [f"{labels.LESSON}={lesson}"]}
        if scope == "kit":
            return {"label": labels.label_filter()}
        return {}

    def visible(self, rows: list[dict]) -> tuple[list[dict], int]:
        """The rows of a listing this owner may see, and how many others there were (never who)."""
        return policy.filter_listing(rows, self.owner, self.settings())

    def listing(self, *, all: bool = False, filters: dict | None = None) -> tuple[list[dict], int]:
        return self.visible(self.__engine.containers(all=all, filters=filters))

    def containers(self, *, all: bool = False, filters: dict | None = None) -> list[dict]:
        return self.listing(all=all, filters=filters)[0]

    # --- containers: one, resolved for an action ------------------------------------------------------
    def qualifying(self, say=None) -> bool:
        """Whether names are qualified with the owner (a shared engine: :mod:`dockerlab.names`),
        decided once (a GET /info at most); ``say`` is told the first time it is on."""
        if self._qualify is None:
            self._qualify = names.decide(engine_info=self.info)
            if self._qualify and say is not None:
                say(f"(a shared engine: your container names start with {names.prefix(self.owner)!r}; "
                    f"ask for 'nb05-web' and you get {names.qualify('nb05-web', self.owner)!r})")
        return self._qualify

    def new_name(self, name: str | None, say=None) -> str | None:
        """The real name of a container the owner names ``name`` (run/create ``name=``)."""
        if name is None or not self.qualifying(say):
            return name
        return names.qualify(name, self.owner)

    def _inspect(self, ref) -> dict:
        """The engine's inspect of ``ref`` (the owner's own qualified name first); no decision yet."""
        ref = A.container_ref(ref)  # THE place a reference becomes engine text ('/' would list all)
        try:
            if self.qualifying() and ref and not ref.startswith(names.prefix(self.owner)):
                try:
                    return self.__engine.inspect_container(names.qualify(ref, self.owner))
                except E.ContainerNotFound:
                    pass
            return self.__engine.inspect_container(ref)
        except E.ContainerNotFound as e:
            by = notices.BY_CLEANUP if ref in self.cleaned else notices.removed_by(ref)
            if by:  # say why it is gone, and how to get it back
                raise e.refine(state=f"{ref} was removed by {by}", hint="run the cell that made it again") from None
            raise

    def _target(self, d: dict, act: bool) -> Target:
        return Target(Container.from_inspect(d), d, act, self)

    def look(self, ref, action: str, confirm: bool = False) -> Target:
        """``ref``, if the owner may look at it (:func:`dockerlab.policy.check_read`)."""
        d = self._inspect(ref)
        c = Container.from_inspect(d)
        policy.check_read(c.labels, ref, action, self.owner, A.flag(confirm, "confirm"), self.settings())
        return Target(c, d, False, self)

    def owned(self, ref, action: str, confirm: bool = False) -> Target:
        """``ref``, if the owner may change it (:func:`dockerlab.policy.check_act`)."""
        d = self._inspect(ref)
        c = Container.from_inspect(d)
        policy.check_act(c.labels, c.name, ref, action, self.owner, A.flag(confirm, "confirm"), self.settings())
        return Target(c, d, True, self)

    def row(self, row: dict, action: str, confirm: bool = False, *, act: bool = True) -> Target:
        """A listing's row as a target, decided as :meth:`owned` (or, with ``act=False``, :meth:`look`)
        decides: no inspect (cleanup, reaping, the stats table)."""
        name = row_name(row)
        lab = row.get("Labels") or {}
        confirm = A.flag(confirm, "confirm")
        if act:
            policy.check_act(lab, name, name, action, self.owner, confirm, self.settings())
        else:
            policy.check_read(lab, name, action, self.owner, confirm, self.settings())
        return Target(Container(id=row["Id"], name=name, image=row.get("Image", ""), state=row.get("State", ""),
                                labels=lab), row, act, self)

    def refresh(self, target: Target) -> Target:
        """The same container as it is now."""
        self._check(target, "inspect_container")
        return self._target(self.__engine.inspect_container(target.id), target.act)

    def holder(self, name: str) -> tuple[Container | None, bool]:
        """Who holds a container name, for a NameConflict: (the container, whether the owner may see it)."""
        try:
            c = Container.from_inspect(self._inspect(name))
        except E.DockerLabError:
            return None, False
        return c, policy.may_see(c.labels, self.owner, self.settings())

    def join(self, ref, key: str) -> str:
        """A ``container:<ref>`` namespace join: only into one of the owner's own containers."""
        c = Container.from_inspect(self._inspect(ref))
        kind = policy.whose(c.labels, self.owner)
        if kind == "other":
            raise policy.not_yours(ref, f"join the {key} namespace of", self.owner)
        if kind == "foreign":
            raise E.GuardRefused(
                f"Refusing --{key} container:{ref}: dockerlab did not create that container",
                guard=key, state="no container was launched",
                hint="join only a container you made with the kit (lab.ps() lists them)")
        return c.id

    def _check(self, target, method: str) -> None:
        if not isinstance(target, Target) or target.gate is not self:
            raise E.GuardRefused(f"{method}: not a container this gate resolved", guard="gate",
                                 state="nothing was done", hint="name the container (lab.stop('web'))")
        if method not in (_ACT if target.act else _READ):
            raise E.GuardRefused(f"{method}: {target.name} was resolved only to be read", guard="gate",
                                 state="nothing was done")

    def on(self, target: Target, method: str, *args, **kw):
        """Run a container method of the engine on ``target`` (resolved by this gate, for this kind of use)."""
        self._check(target, method)
        return getattr(self.__engine, method)(target.id, *args, **kw)

    # --- launches ---------------------------------------------------------------------------------------
    def admit(self, *, privileged=False, network=None, pid=None, ipc=None, binds=None, cwd=None):
        """The launch options checked (:func:`dockerlab.policy.check_launch`): the host config and its flags."""
        return policy.check_launch(privileged=privileged, network=network, pid=pid, ipc=ipc, binds=binds, cwd=cwd,
                                   join=self.join, network_ok=self.network_mine, policy=self.settings())

    def create(self, *, image: str, command=None, name=None, tty=False, stdin_open=False, environment=None,
               host_config: dict | None = None, ports=None, session: str, lesson: str = "",
               extra_labels: dict | None = None) -> Target:
        """Create a container with the owner's labels; only host-config keys the policy checked are sent."""
        host_config = dict(host_config or {})
        policy.check_host_config(host_config)
        kit = labels.make_labels(owner=self.owner, session=session, lesson=lesson, extra=extra_labels)
        cid = self.__engine.create_container(image=image, command=command, name=name, tty=tty, stdin_open=stdin_open,
                                             environment=environment, host_config=host_config, labels=kit,
                                             **({"ports": ports} if ports else {}))
        c = Container(id=cid, name=(name or cid[:12]), image=image, state="created", labels=kit)
        notices.made_again(c.name)
        return Target(c, {"Id": cid}, True, self)

    def slot(self):
        """A place under ``max_running``: the owner's running count and the launches under way, under a lock."""
        settings = self.settings()
        if settings.max_running is None:
            return contextlib.nullcontext()
        running = len(self.__engine.containers(filters=self.filters("mine")))
        return self._slots.take(running, self.owner, settings)

    # --- the REST API ------------------------------------------------------------------------------------
    def rest_get(self, path, params: dict | None = None, *, on_resolved=None):
        """GET an allowed Engine API path (:func:`dockerlab.policy.check_rest`); a container's path only for
        the owner's own; listings hold only what the owner may see. ``on_resolved(path, params)`` is told
        what is sent, before it is sent (the Lab prints its curl twin)."""
        kind, ref = policy.check_rest(path)
        params = policy.check_rest_params(dict(params or {}))
        send = path
        if kind == "container":
            t = self.look(ref, f"GET {path} of")
            if policy.whose(t.container.labels, self.owner) == "foreign" and not self.settings().allow_others:
                raise E.NotOwned(
                    f"Refusing GET {path}: dockerlab did not create {t.name}", container=str(ref), owner="",
                    state="lab.rest() answers for your own containers (an inspect shows a container's secrets)",
                    hint=f"lab.container({t.name!r}, confirm=True) shows its state; lab.ps(scope='engine') lists it")
            send = path.replace(f"/containers/{ref}/", f"/containers/{t.id}/", 1)
            if path.endswith("/stats"):
                if str(params.get("stream", "false")).lower() not in ("false", "0"):
                    raise E.InvalidReference("lab.rest() reads one stats sample: stream=false",
                                             value=str(params["stream"]),
                                             hint="lab.rest(path, stream='false'); the Monitor widget follows a stream")
                params["stream"] = params.get("stream", "false")
        if on_resolved is not None:
            on_resolved(path, params)
        got = self.__engine.rest_get(send, params=params or None)
        if path == "/containers/json" and isinstance(got, list):
            got = self._own_rows(got)
        elif path == "/system/df" and isinstance(got, dict) and got.get("Containers"):
            got = dict(got, Containers=self._own_rows(got["Containers"]))
        return got

    def _own_rows(self, rows: list[dict]) -> list[dict]:
        if self.settings().allow_others:
            return rows
        return [r for r in rows if policy.whose(r.get("Labels"), self.owner) == "mine"]
