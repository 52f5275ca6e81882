"""The lab API: one method per command of the tutorial, each showing its CLI twin.

Flow: notebook -> widgets -> Lab (here) -> engine backend -> Docker Engine.
The Lab works on the backend's Engine-API dicts and returns dockerlab objects
and pandas frames; it never imports the docker SDK.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import args as A
from . import errors as E
from . import ports as ports_mod
from . import frames, labels, names, policy, refs, stats as stats_mod, stats_sources, twin
from .lab_build import BuildMixin
from .lab_volumes import VolumesMixin
from .refs import ImageRef


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

    def __repr__(self) -> str:
        if not (self.stopped or self.removed or self.images_removed or self.volumes_removed):
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


_CLEANED: dict[str, set] = {}  # owner -> names lab.cleanup() removed in this kernel


class Lab(BuildMixin, VolumesMixin):
    """The lab: what ``dockerlab.connect()`` returns. Build, history, push, port and volumes
    live in :mod:`dockerlab.lab_build` and :mod:`dockerlab.lab_volumes`.

    What a learner may do is decided in :mod:`dockerlab.policy`; the Lab asks it at every call.
    The raw engine backend stays inside (``_engine``); ``lab.engine`` is that engine seen through
    the policy (:class:`dockerlab.guarded.GuardedEngine`). ``with connect() as lab:`` closes it.
    """

    def __init__(self, engine, *, lesson: str = "", owner: str | None = None, show_cli: bool = True,
                 session: str | None = None, out=None):
        from .guarded import GuardedEngine

        if isinstance(engine, GuardedEngine):  # Lab(other_lab.engine, ...): the same backend, checked again
            engine = engine._raw
        self._engine = engine
        self._owner = policy.check_owner(owner)  # someone else's name only with the teacher's setting
        if not isinstance(lesson, str) or len(lesson) > 200 or "\x00" in lesson:
            raise E.InvalidReference(f"lesson= is a short text, not {lesson!r}"[:120], value=repr(lesson)[:80],
                                     hint="for example lesson='05-run'")
        if session is not None and (not isinstance(session, str) or not session.isalnum() or len(session) > 64):
            raise E.InvalidReference(f"session= is a short word of letters and digits, not {session!r}"[:120],
                                     value=repr(session)[:80], hint="leave it out: each kernel gets its own")
        self.lesson = lesson
        self.session = session or labels.SESSION_ID
        self.show_cli = A.flag(show_cli, "show_cli")
        self.history: list[str] = []  # every CLI twin this lab ran, in order
        # names lab.cleanup() removed, shared by this learner's labs in this kernel (a cleanup cell may connect
        # anew): a widget or an error then says "removed by cleanup" instead of only "no such container"
        self.cleaned: set[str] = _CLEANED.setdefault(self.owner, set())
        self._made: set[str] = set()  # names this lab created (a conflict with one of them is a real conflict)
        self._born = time.time()  # only a container made before this moment can be a leftover
        self._out = out
        self._version = engine.version()
        self._lock = threading.Lock()
        self._cwd = os.getcwd()  # the working folder at connect time: a default bind-mount root
        self._slots = policy.Slots((engine.endpoint.url, self.owner))
        self._said_labels = False
        self._said_no_limits = False
        self.closed = False

    @property
    def owner(self) -> str:
        """Whose containers these are (read-only: set once, by the policy, when the lab is made)."""
        return self._owner

    @property
    def engine(self):
        """The engine, as this learner may reach it: every container it names checked by the policy."""
        from .guarded import GuardedEngine

        return GuardedEngine(self._engine, self)

    def close(self) -> None:
        """Close the connection to the engine (the containers stay; the session's go at exit)."""
        if not self.closed:
            self.closed = True
            self._engine.close()

    def __enter__(self) -> "Lab":
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False

    # --- who we are ------------------------------------------------------------
    def can(self, feature: str) -> bool:
        """Whether the engine can do ``feature`` ("limits", "stats", "exec", "events", "pause", ...):
        udocker (Binder) cannot limit resources, for one. The engine's ``features`` are the truth."""
        return feature in self._engine.features

    @property
    def engine_name(self) -> str:
        comps = [c.get("Name", "") for c in self._version.get("Components") or []]
        if any("podman" in c.lower() for c in comps):
            return "Podman"
        return {"docker": "Docker Engine"}.get(self._engine.kind, self._engine.kind)

    @property
    def server_version(self) -> str:
        return self._version.get("Version", "?")

    @property
    def api_version(self) -> str:
        return self._engine.api_version

    @property
    def endpoint(self):
        return self._engine.endpoint

    def __repr__(self) -> str:
        cannot = self._engine.cannot  # a daemonless engine says what it cannot do
        return (f"<dockerlab.Lab: {self.engine_name} {self.server_version} (API {self.api_version}) "
                f"at {self.endpoint.url} via the {self.endpoint.source}" + (f"; {cannot}" if cannot else "") + ">")

    def _engine_limits(self, limits, asked: bool):
        """On an engine without cgroups (udocker): asked limits are refused, the teacher's defaults dropped."""
        if self.can("limits"):
            return limits
        if asked:
            why = self._engine.limitations.get("limits", "this engine has no cgroups")
            raise E.NotAvailableOnEngine(
                f"Limits (memory=, cpus=, pids=) are not available on this engine, because {why}",
                feature="limits", engine=self._engine.kind, state="nothing was started",
                hint="run it without limits here; the limits lesson needs a Docker Engine")
        from . import guards

        if (limits.memory or limits.cpus or limits.pids) and not self._said_no_limits:
            self._said_no_limits = True
            self._say(f"(the {self.engine_name} engine has no cgroups: the default limits are not enforced)")
        return guards.Limits()

    # --- the CLI twin -----------------------------------------------------------
    def _twin(self, cmd: str) -> str:
        with self._lock:
            self.history.append(cmd)
        if self.show_cli:
            print("$ " + cmd, file=self._out or sys.stdout)
        return cmd

    def _say(self, text: str) -> None:
        if self.show_cli:
            print(text, file=self._out or sys.stdout)

    # --- docker info / version ----------------------------------------------------
    def info(self) -> Info:
        """`docker info`: the engine's facts."""
        self._twin("docker info")
        return Info(self._engine.info())

    def version(self) -> dict:
        """`docker version`: the server's versions (the client here is dockerlab)."""
        self._twin("docker version")
        return dict(self._engine.version())

    # --- images -----------------------------------------------------------------
    def pull(self, ref: str, *, progress=None, quiet: bool = False) -> Image:
        """`docker pull ref`: download an image (default tag ``latest``).

        ``progress`` is called with each of the engine's progress messages (a
        :class:`~dockerlab.engine.progress.Progress`: ``status``, ``layer``, ``current``,
        ``total``, ``error``; the pull widget uses it); a text summary like the CLI's is printed.
        """
        image = refs.parse_image(A.image_text(ref))
        quiet = A.flag(quiet, "quiet")
        if progress is not None and not callable(progress):
            raise E.InvalidReference(f"progress= is a function called with each event, not {progress!r}"[:120],
                                     value=repr(progress)[:80], hint="leave it out, or use the PullProgress widget")
        self._twin(f"docker pull {ref}")
        self._pull(image, progress=progress, quiet=quiet)
        return self._image(str(image))

    def _pull(self, image: ImageRef, *, progress=None, quiet: bool = False) -> None:
        say = (lambda s: None) if quiet else self._say
        if not image.tag_given and not image.digest:
            say("Using default tag: latest")
        repo, tag = image.name, (image.digest or image.tag)
        last = {}
        downloading = set()  # layers whose download started and has not finished
        for ev in self._engine.pull(repo, tag):
            if progress is not None:
                progress(ev)
            if ev.failed:
                raise self._pull_error(image, ev.error, downloading=bool(downloading))
            status, lid = ev.status, ev.layer
            if status == "Downloading":
                downloading.add(lid)
            elif ev.layer_done:
                downloading.discard(lid)
            if ev.starts:
                say(f"{lid}: {status}")
            elif lid and status in ("Pull complete", "Already exists"):
                if last.get(lid) != status:
                    say(f"{lid}: {status}")
                last[lid] = status
            elif ev.summary:
                say(status)
        say(image.canonical)

    def _pull_error(self, image: ImageRef, msg: str, *, downloading: bool = False) -> E.DockerLabError:
        from .engine.translate import download_cut_off, translate_message

        status = 404 if ("not found" in msg or "manifest unknown" in msg) else 500
        known = [t.split(":")[0] for i in self._engine.images() for t in (i.get("RepoTags") or [])]
        err = translate_message(msg, status, action=f"pull {image}", image=str(image), known_images=known)
        if downloading and isinstance(err, E.RegistryUnreachable) and "cut off" not in err.what:
            # it answered until the layers were under way: it went away mid-pull, it is not unreachable
            return download_cut_off(f"pull {image}", image.registry or "the registry")
        return err

    def _image(self, ref: str) -> Image:
        d = self._engine.inspect_image(ref)
        return Image(ref=ref, id=d.get("Id", ""), size=d.get("Size", 0))

    def _has_image(self, ref: str) -> bool:
        try:
            self._engine.inspect_image(ref)
            return True
        except E.ImageNotFound:
            return False

    def images(self):
        """`docker images`: the local images as a DataFrame (sorted by repository, tag)."""
        self._twin("docker images")
        df = frames.images_frame(self._engine.images())
        df.attrs["cli"] = "docker images"
        return df

    def remove_image(self, ref: str, *, force: bool = False) -> list[str]:
        """`docker rmi ref`."""
        refs.parse_image(A.image_text(ref))
        force = A.flag(force, "force")
        self._twin(f"docker rmi {'-f ' if force else ''}{ref}")
        res = self._engine.remove_image(ref, force=force)
        return [next(iter(r.values())) for r in res or []]

    def tag(self, source: str, target: str) -> Image:
        """`docker tag source target`: give an image one more name (no copy: the same image id)."""
        refs.parse_image(A.image_text(source))
        new = refs.parse_image(A.image_text(target))
        self._twin(f"docker tag {source} {target}")
        self._engine.tag(source, new.name, new.tag)
        return self._image(f"{new.name}:{new.tag}")

    # --- containers: run ----------------------------------------------------------
    def run(self, image: str, command=None, *, name: str | None = None, detach: bool = False,
            interactive: bool = False, tty: bool = False, rm: bool = False, memory=None, cpus=None,
            pids: int | None = None, env: dict | None = None, labels_: dict | None = None,
            timeout: float | None = 120, privileged: bool = False, network: str | None = None,
            pid: str | None = None, ipc: str | None = None, volumes=None, ports=None, **other):
        """`docker run`: create and start a container from ``image``.

        Foreground (default): waits and returns a :class:`RunResult` (output and
        exit code). ``detach=True`` (``-d``) returns the :class:`Container` at
        once. ``interactive``/``tty`` (``-it``): a notebook has no terminal, so
        the container keeps its stdin open in the background, for ``lab.exec``
        or the shell widget. The command is split like a shell would split it,
        and never run through a host shell. What may be launched (limits, bind
        mounts, namespaces) is decided by :mod:`dockerlab.policy`; any other
        option is refused with why.
        """
        policy.refuse_unknown("run", other)
        ref = refs.parse_image(A.image_text(image))
        cmd = A.command_size(refs.split_command(command))
        if name is not None:
            name = names.for_new(self, refs.check_name(name))  # on a shared engine: alice-<name>
        detach, interactive, tty, rm, privileged = (A.flag(v, k) for k, v in (
            ("detach", detach), ("interactive", interactive), ("tty", tty), ("rm", rm), ("privileged", privileged)))
        env, labels_ = A.env(env), A.user_labels(labels_)
        timeout = A.seconds(timeout)
        mem = refs.parse_memory(memory)
        # the engine's CPU count (a GET /info, once per lab) only when a CPU limit is asked
        ncpus = refs.parse_cpus(cpus, host_cpus=self._ncpu() if cpus is not None else None)
        npids = refs.parse_pids(pids)
        from . import guards

        settings = policy.settings()  # the teacher's guards: limits by default, dangerous options refused
        limits = guards.apply(memory=mem, cpus=ncpus, pids=npids, policy=settings)
        limits = self._engine_limits(limits, asked=any(v is not None for v in (mem, ncpus, npids)))
        mounts, pspecs = self._mounts(volumes), self._port_specs(ports, settings)  # lab_volumes, lab_build
        launch = policy.check_launch(privileged=privileged, network=network, pid=pid, ipc=ipc,
                                     volumes=[m.bind for m in mounts] or None, cwd=self._cwd, join=self._join,
                                     policy=settings)
        keep_open = interactive or tty
        host_config = {"auto_remove": False, **launch.host_config, **ports_mod.host_config(pspecs),
                       **_limit_config(limits)}
        policy.check_host_config(host_config)
        kit_labels = labels.make_labels(owner=self.owner, session=self.session, lesson=self.lesson, extra=labels_)
        self._twin(twin.run_twin(image=image, command=cmd, name=name, detach=detach or keep_open,
                                 interactive=interactive, tty=tty, rm=rm, limits=limits,
                                 options=[f for f in launch.flags if not f.startswith("-v ")], env=env,
                                 labels=labels_, extra=[m.cli() for m in mounts] + [f"-p {p.cli()}" for p in pspecs]))
        self._say_labels_once()
        if keep_open and not detach:
            self._say("(a notebook has no terminal: the container runs in the background with its input open; "
                      "use lab.exec(...) or the shell widget, or JupyterLab's Terminal for a real `docker run -it`)")
        self._ensure_volumes(mounts)

        def create() -> str:
            return self._engine.create_container(
                image=image.strip(), command=cmd or None, name=name, tty=tty, stdin_open=interactive,
                environment=env, host_config=host_config, labels=kit_labels,
                **({"ports": ports_mod.exposed(pspecs)} if pspecs else {}))

        with self._launch_slot(settings):
            cid = self._create(create, ref, name)
            self._start_new(cid, image.strip())
        if detach or keep_open:
            return self._container(cid)
        try:  # None waits "without limit": a day, so no engine call is left without a timeout
            code = self._wait_saying(cid, name, timeout)
        except E.OperationTimedOut as e:
            c = self._container(cid)
            raise E.OperationTimedOut(
                f"{c.name} did not finish within {timeout:g} seconds", seconds=timeout, container=c.name,
                state=f"it is still {c.state}; nothing was stopped",
                hint=f"see its output with lab.logs({c.name!r}); stop it with lab.stop({c.name!r}); "
                     "for a long-running command use detach=True") from e
        out = self._engine.logs(cid)
        c = self._container(cid)
        note = "" if out else _disk_full_note(c.log_path)  # before --rm frees what the container wrote
        if rm:
            self._engine.remove(cid, force=True)
        return RunResult(Text(out), code, c, note=note)

    def _create(self, create, ref: ImageRef, name: str | None = None) -> str:
        """Create (like the CLI: pull only when the image is missing, then create again); a name held
        by this learner's leftover of the same lesson is freed first (:meth:`_replacing_leftover`)."""
        try:
            try:
                return self._replacing_leftover(create, name)
            except E.ImageNotFound:
                self._say(f"Unable to find image '{ref}' locally")
            for attempt in range(1, _PULL_ATTEMPTS + 1):
                self._pull(ref)
                try:
                    return self._replacing_leftover(create, name)
                except E.ImageNotFound as e:  # removed between the pull and the create
                    if attempt == _PULL_ATTEMPTS:
                        e.state = f"{ref} was pulled {attempt} times and removed again each time before the create"
                        e.hint = ("on a shared engine another learner's cleanup (docker rmi) can do that: "
                                  "run the cell again, or ask the teacher for an engine of your own")
                        e.args = (e.message,)
                        raise
                    self._say(f"{ref} was removed between the pull and the create (on a shared engine, "
                              "another learner's cleanup can do that): pulling it again")
        except E.NameConflict as e:
            self._explain_conflict(e)
            raise

    def _start_new(self, cid: str, image: str) -> None:
        """Start a container just created; any failure removes it (nothing half-made is left)."""
        try:
            self._engine.start(cid, image=image)
        except BaseException as e:
            try:
                self._engine.remove(cid, force=True)
                left = "dockerlab removed it"
            except Exception:  # the engine went away meanwhile: say what may be left
                left = "it may still be there, created: lab.cleanup() removes it"
            if isinstance(e, E.DockerLabError):
                what = "its command" if isinstance(e, E.ExecutableNotFound) else "it"
                e.state = f"the container was created but {what} could not start; {left}"
                e.args = (e.message,)
            raise

    def _launch_slot(self, settings):
        """A place under ``max_running``: the running count and the launches under way, under a lock."""
        if settings.max_running is None:
            return contextlib.nullcontext()
        running = len(self._engine.containers(filters=self._filters("mine")))
        return self._slots.take(running, self.owner, settings)

    def _join(self, ref, key: str) -> str:
        """A ``container:<ref>`` namespace join: only into one of the learner's own containers."""
        c = self._resolve(ref)
        if policy.whose(c.labels, self.owner) != "mine":
            if policy.whose(c.labels, self.owner) == "other":
                raise policy.not_yours(ref, f"join the {key} namespace of", self.owner)
            raise E.GuardRefused(
                f"Refusing --{key} container:{ref}: dockerlab did not create that container",
                guard=key, state="no container was launched",
                hint="join only a container you made with the kit (lab.ps() lists them)")
        return c.id

    def _say_labels_once(self) -> None:
        if not self._said_labels:
            self._said_labels = True
            self._say("(the kit also labels every container it makes: " + twin.kit_labels_twin(self.lesson)
                      + "; lab.ps() and lab.cleanup() select by them)")

    def create(self, image: str, command=None, *, name: str | None = None, **other) -> Container:
        """`docker create`: make a container from ``image`` without starting it (state: created).

        ``lab.start(name)`` starts it later. It gets the kit's labels and the
        teacher's default limits, as :meth:`run` gives them.
        """
        policy.refuse_unknown("create", other)
        ref = refs.parse_image(A.image_text(image))
        cmd = A.command_size(refs.split_command(command))
        if name is not None:
            name = names.for_new(self, refs.check_name(name))  # on a shared engine: alice-<name>
        from . import guards

        limits = self._engine_limits(guards.apply(policy=policy.settings()), asked=False)
        self._twin(twin.run_twin(image=image, command=cmd, name=name, limits=limits).replace("docker run", "docker create", 1))
        self._say_labels_once()
        host_config = _limit_config(limits)
        policy.check_host_config(host_config)
        kit_labels = labels.make_labels(owner=self.owner, session=self.session, lesson=self.lesson)
        cid = self._create(lambda: self._engine.create_container(
            image=image.strip(), command=cmd or None, name=name, host_config=host_config, labels=kit_labels), ref, name)
        return self._container(cid)

    def _replacing_leftover(self, create, name: str | None) -> str:
        """``create()``; when the name is held by this learner's container of this lesson, left over
        from an earlier run of it (another kernel, or before the ``connect`` cell ran again), remove
        it and create again, saying so. Anything else (another lesson's, another owner's, one the kit
        did not make, or one this lab made itself) stays, and the NameConflict goes up as before."""
        try:
            cid = create()
        except E.NameConflict as e:
            if not name or not self.lesson or name in self._made:
                raise
            try:
                held = self._engine.inspect_container(self._ref(name))
            except E.DockerLabError:
                raise e from None
            lab = (held.get("Config") or {}).get("Labels") or {}
            if not (labels.is_managed(lab) and lab.get(labels.OWNER) == self.owner
                    and lab.get(labels.LESSON) == self.lesson and _created(held) < self._born):
                raise  # a container made since this lab connected is a launch racing this one, not a leftover
            try:
                self._engine.remove(held["Id"], force=True)
            except E.ContainerNotFound:
                pass
            print(f"(removed {name}, left over from an earlier run of this lesson)", file=self._out or sys.stdout)
            cid = create()
        if name:
            self._made.add(name)
            self.cleaned.discard(name)  # made again: if it goes now, cleanup was not what removed it
        return cid

    def _wait_saying(self, cid: str, name: str | None, timeout: float | None) -> int:
        """Wait for a foreground container; after a few seconds say that it still runs. On
        Kernel > Interrupt (Ctrl-C) say what still runs and raise the kit's short Interrupted."""
        first = 5.0
        try:
            if timeout is not None and timeout <= first:
                return self._engine.wait(cid, timeout=timeout)
            try:
                return self._engine.wait(cid, timeout=first)
            except E.OperationTimedOut:
                who = name or cid[:12]
                limit = f"up to {timeout:g} s" if timeout is not None else "with no time limit"
                print(f"({who} is still running after {first:g} s; the notebook waits for it, {limit}; "
                      "Kernel > Interrupt stops waiting)", file=self._out or sys.stdout)
                return self._engine.wait(cid, timeout=A.MAX_TIMEOUT if timeout is None else timeout - first)
        except KeyboardInterrupt:
            try:
                c = self._container(cid)
                who, state = c.name, c.state
            except (E.DockerLabError, KeyboardInterrupt):
                who, state = name or cid[:12], "running"
            raise E.Interrupted(
                f"Stopped waiting for {who} (Kernel > Interrupt)", container=who,
                state=(f"the container {who} is still {state}" if state in ("running", "paused")
                       else f"the container {who} has {state} meanwhile"),
                hint=f"lab.stop({who!r}) stops it (docker stop {who}); lab.logs({who!r}) shows its output"
                if state in ("running", "paused") else f"lab.logs({who!r}) shows its output") from None

    def _explain_conflict(self, e: E.NameConflict) -> None:
        """Say who holds the name and the one call that frees it (force=True when it runs); never
        whose it is, nor its id, when it is another learner's."""
        try:
            holder = self._resolve(e.name)
        except E.DockerLabError:
            return
        if not policy.may_see(holder.labels, self.owner):
            e.what = f"The name {e.name!r} is already taken on this engine"
            e.existing_id = ""
            e.state = "names are unique on an engine, and another learner's container has this one"
            e.hint = "choose another name"
        elif holder.managed and holder.owner != self.owner:
            e.hint = "it is another learner's: choose another name"
        elif holder.state in ("running", "paused", "restarting"):
            e.state = f"the container {holder.name} is {holder.state}; names are unique on an engine, even for stopped ones"
            e.hint = f"remove it with lab.remove({holder.name!r}, force=True) (docker rm -f), or choose another name"
        else:
            e.state = f"the container {holder.name} is {holder.state}; names are unique on an engine, even for stopped ones"
        e.args = (e.message,)

    def _ncpu(self) -> int | None:
        if not hasattr(self, "_ncpu_cache"):
            try:
                self._ncpu_cache = int(self._engine.info().get("NCPU") or 0) or None
            except E.DockerLabError:
                self._ncpu_cache = None
        return self._ncpu_cache

    def _container(self, cid: str) -> Container:
        """A container the kit already resolved (by id), as it is now."""
        return Container.from_inspect(names.inspect(self, cid))  # a name: the learner's own first

    def _ref(self, ref) -> str:
        """THE one place a learner's container reference (name, id or id prefix) becomes the text
        the engine looks up: checked here (a '/' would list every container)."""
        return A.container_ref(ref)

    def _resolve(self, ref) -> Container:
        """The container ``ref`` names, looked up on the engine through :meth:`_ref` (every lookup
        goes through these two). Who may use it is decided after, by :mod:`dockerlab.policy`."""
        return Container.from_inspect(self._inspect(ref))

    def _inspect(self, ref) -> dict:
        """The engine's inspect of ``ref``; a container lab.cleanup() removed says so."""
        try:
            return names.inspect(self, self._ref(ref))  # the learner's own (qualified) name first
        except E.ContainerNotFound as e:
            if ref in self.cleaned:  # say why it is gone, and how to get it back
                e.state = f"{ref} was removed by lab.cleanup() (the cleanup cell)"
                e.hint = "run the cell that made it again"
                e.args = (e.message,)
            raise

    def container(self, ref: str, *, confirm: bool = False) -> Container:
        """The container named (or with the id) ``ref``, as it is now (`docker inspect`)."""
        return self._look(ref, "inspect", confirm)

    def _look(self, ref, action: str, confirm: bool = False, *, raw: bool = False):
        """The container, if the learner may look at it (:func:`dockerlab.policy.check_read`);
        with ``raw``, the engine's inspect dict."""
        d = self._inspect(ref)
        c = Container.from_inspect(d)
        policy.check_read(c.labels, ref, action, self.owner, A.flag(confirm, "confirm"))
        return d if raw else c

    _visible = _look

    # --- containers: lifecycle ----------------------------------------------------
    def _owned(self, ref, action: str, confirm: bool) -> Container:
        """The container, if the kit may act on it (:func:`dockerlab.policy.check_act`)."""
        c = self._resolve(ref)
        policy.check_act(c.labels, c.name, ref, action, self.owner, A.flag(confirm, "confirm"))
        return c

    def start(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker start ref`: start a stopped container again (same command, same name)."""
        c = self._owned(ref, "start", confirm)
        self._twin(f"docker start {c.name}")
        if c.state in ("running", "paused", "restarting"):
            self._engine.start(c.id)
        else:
            with self._launch_slot(policy.settings()):  # max_running holds for create + start too
                self._engine.start(c.id)
        return self._container(c.id)

    def stop(self, ref: str, *, timeout: int = 10, confirm: bool = False) -> Container:
        """`docker stop ref`: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        timeout = A.whole(timeout, "timeout", maximum=3600, allow_none=False)
        c = self._owned(ref, "stop", confirm)
        self._twin(f"docker stop {c.name}" if timeout == 10 else f"docker stop -t {timeout} {c.name}")
        self._engine.stop(c.id, timeout=timeout)
        return self._container(c.id)

    def restart(self, ref: str, *, timeout: int = 10, confirm: bool = False) -> Container:
        """`docker restart ref`."""
        timeout = A.whole(timeout, "timeout", maximum=3600, allow_none=False)
        c = self._owned(ref, "restart", confirm)
        self._twin(f"docker restart {c.name}" if timeout == 10 else f"docker restart -t {timeout} {c.name}")
        if c.state in ("running", "paused", "restarting"):
            self._engine.restart(c.id, timeout=timeout)
        else:
            with self._launch_slot(policy.settings()):
                self._engine.restart(c.id, timeout=timeout)
        return self._container(c.id)

    def kill(self, ref: str, *, signal: str = "KILL", confirm: bool = False) -> Container:
        """`docker kill ref`: send a signal (SIGKILL by default) to the main process."""
        signal = A.signal(signal)
        c = self._owned(ref, "kill", confirm)
        self._twin(f"docker kill {c.name}" if signal == "KILL" else f"docker kill -s {signal} {c.name}")
        self._engine.kill(c.id, signal=signal)
        return self._container(c.id)

    def pause(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker pause ref`: freeze every process of the container (state: paused)."""
        c = self._owned(ref, "pause", confirm)
        self._need("pause")
        self._twin(f"docker pause {c.name}")
        self._engine.pause(c.id)
        return self._container(c.id)

    def unpause(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker unpause ref`: let a paused container's processes run again."""
        c = self._owned(ref, "unpause", confirm)
        self._need("pause")
        self._twin(f"docker unpause {c.name}")
        self._engine.unpause(c.id)
        return self._container(c.id)

    def _need(self, feature: str) -> None:
        if not self.can(feature):
            why = self._engine.limitations.get(feature, "")
            raise E.NotAvailableOnEngine(
                f"{feature} is not available on this engine ({self._engine.kind})" + (f", because {why}" if why else ""),
                feature=feature, engine=self._engine.kind, state="nothing was changed",
                hint="this lesson step needs a Docker Engine (lab.can(...) says what this one can do)")

    def remove(self, ref: str, *, force: bool = False, confirm: bool = False) -> str:
        """`docker rm ref` (``force=True``: `docker rm -f`, which kills it first)."""
        force = A.flag(force, "force")
        c = self._owned(ref, "remove", confirm)
        self._twin(f"docker rm {'-f ' if force else ''}{c.name}")
        self._engine.remove(c.id, force=force)
        return c.name

    def logs(self, ref: str, *, tail: int | None = None, confirm: bool = False) -> Text:
        """`docker logs ref`: what the container printed (``tail``: the last lines only)."""
        tail = A.whole(tail, "tail")
        c = self._look(ref, "read the logs of", confirm)
        self._twin(f"docker logs {'--tail %d ' % tail if tail else ''}{c.name}")
        return Text(self._engine.logs(c.id, tail=tail if tail else "all"))

    def exec(self, ref: str, command, *, confirm: bool = False) -> ExecResult:
        """`docker exec ref command`: run another process inside a running container."""
        args = A.command_size(refs.split_command(command))
        if not args:
            raise E.InvalidReference("exec needs a command", hint="for example lab.exec('web', 'ps')")
        c = self._owned(ref, "exec in", confirm)
        self._twin(f"docker exec {c.name} " + " ".join(twin.q(a) for a in args))
        if c.state != "running":
            raise E.ContainerStateError(f"Cannot exec in {c.name}: it is {c.state}, not running",
                                        container=c.name, status=c.state,
                                        hint=f"start it first: lab.start({c.name!r})")
        code, out = self._engine.exec(c.id, args)
        return ExecResult(Text(out), code)

    # --- tables --------------------------------------------------------------------
    def _filters(self, scope: str) -> dict:
        scope = A.scope(scope)
        if scope == "mine":
            return {"label": labels.label_filter(owner=self.owner)}
        if scope == "session":
            return {"label": labels.label_filter(owner=self.owner, session=self.session)}
        if scope == "lesson":  # this learner's containers of this lesson, from any kernel (a restart too)
            if not self.lesson:
                raise E.InvalidReference("scope='lesson' needs a lab connected with a lesson", value=scope,
                                         hint="dockerlab.connect(lesson='05-run'), or scope='session'")
            return {"label": labels.label_filter(owner=self.owner) + [f"{labels.LESSON}={self.lesson}"]}
        if scope == "kit":
            return {"label": labels.label_filter()}
        if scope == "engine":
            return {}
        return {}

    def _listing(self, scope: str, *, all: bool = False) -> list[dict]:
        """The containers of ``scope`` the learner may see (:func:`dockerlab.policy.filter_listing`);
        how many others the scope holds is said in one line, never who they are."""
        rows, hidden = policy.filter_listing(self._engine.containers(all=all, filters=self._filters(scope)), self.owner)
        if hidden:
            self._say(f"({hidden} container{'s' if hidden != 1 else ''} of other learners not shown: "
                      "a teacher's setting, allow_others, shows them)")
        return rows

    def _scope_twin(self, scope: str) -> str:
        if scope == "engine":
            return ""
        flt = {"mine": f"label={labels.OWNER}={self.owner}",
               "session": f"label={labels.SESSION}={self.session}",
               "lesson": f"label={labels.OWNER}={self.owner} --filter label={labels.LESSON}={self.lesson}",
               "kit": f"label={labels.MANAGED}=true"}[scope]
        return f"--filter {flt}"

    def ps(self, all: bool = False, *, scope: str = "mine"):
        """`docker ps` (``all=True``: `docker ps -a`) as a DataFrame, sorted by name.

        ``scope``: "mine" (default: the containers the kit made for you), "session"
        (this notebook's), "kit" (the kit's), "engine" (everything, as the CLI). Another
        learner's containers are never listed (a line says how many were left out) unless
        the teacher's settings allow it (:mod:`dockerlab.policy`).
        """
        all = A.flag(all, "all")
        self._filters(scope)
        self._twin(" ".join(w for w in ("docker ps", "-a" if all else "", self._scope_twin(scope) if scope != "mine" else "") if w))
        df = frames.ps_frame(self._listing(scope, all=all))
        df.attrs["cli"] = self.history[-1]
        return df

    # --- stats -------------------------------------------------------------------------
    def stats(self, containers=None, *, scope: str = "mine", source: str | None = None,
              interval: float | None = None):
        """`docker stats --no-stream`: one snapshot of CPU %, memory, I/O and PIDs.

        Beside a local engine the numbers come from the kernel's own files (each
        container's cgroup, ``/proc/stat``, ``/proc/<pid>/net/dev``: what the engine's
        collector reads), CPU % over ``interval`` seconds (0.25 by default); else from
        the Engine API, CPU % over two rounds of the engine's collector (one second
        apart), every container's stream opened at once. ``source``: "auto" (default),
        "kernel" or "engine"; ``df.attrs["source"]`` says which answered, and a line
        below the command says where the numbers were read. A container that is not
        running shows zeros at once, as the CLI shows it.
        """
        self._filters(scope)
        if containers is not None and not isinstance(containers, str) and (
                not isinstance(containers, (list, tuple)) or not all(isinstance(c, str) for c in containers)
                or len(containers) > 200):
            raise E.InvalidReference(f"containers= is a name or a list of names, not {containers!r}"[:160],
                                     value=repr(containers)[:80], hint="for example lab.stats(['web', 'db'])")
        if interval is not None and (isinstance(interval, bool) or not isinstance(interval, (int, float))
                                     or not 0.05 <= interval <= 10):
            raise E.InvalidReference(f"interval is the seconds CPU % is measured over, from 0.05 to 10, not {interval!r}",
                                     value=repr(interval), hint="for example lab.stats(interval=1.0)")
        if containers is None:
            listed = self._listing(scope)
            targets = [(c["Id"], None) for c in listed]
            by_id = {c["Id"]: ((c.get("Names") or ["/" + c["Id"][:12]])[0]).lstrip("/") for c in listed}
        else:
            wanted = [self._ref(c) for c in ([containers] if isinstance(containers, str) else containers)]
            seen = self._stats_targets(wanted)
            targets = [(c.id, None if c.state not in ("created", "exited", "dead") else c) for c in seen]
            by_id = {c.id: c.name for c in seen}
        if containers:
            names = " ".join([containers] if isinstance(containers, str) else containers)
        elif scope in ("mine", "engine"):  # as `ps` shows it: plain, the learner's own by default
            names = ""
        else:  # `docker stats` has no --filter: name the containers with `docker ps -q`
            names = f"$(docker ps -q {self._scope_twin(scope)})"
        self._twin(" ".join(w for w in ("docker stats --no-stream", names) if w))
        rows, how, line = stats_sources.table(self._engine, [cid for cid, stopped in targets if stopped is None], by_id,
                                              self._sample_all, source=source, interval=interval)
        if line:
            self._say(line)
        rows += [_zero_row(c) for _, c in targets if c is not None]
        df = frames.stats_frame(rows)
        df.attrs["cli"] = self.history[-1]
        df.attrs["source"] = how
        return df

    def stats_files(self, container: str):
        """Where `docker stats` gets its numbers: the kernel's files for ``container`` (its cgroup,
        ``/proc/stat``, ``/proc/<pid>/net/dev``), each read now, with what it means. Beside a remote engine,
        a VM's or udocker: an empty frame, and a line that says why."""
        c = self._visible(container, "read the stats files of", False)
        self._twin(f"cat /proc/$(docker inspect -f '{{{{.State.Pid}}}}' {c.name})/cgroup")
        df = stats_sources.files_frame(self._engine, c.id)
        if df.attrs.get("reason"):
            self._say(f"(the kernel's files for {c.name} cannot be read here: {df.attrs['reason']}; the engine reads "
                      "them where it runs, and lab.stats() shows their numbers through the Engine API)")
            return df
        self._say(f"(cgroup files under {df.attrs['root'] or '/'}; <id> is {c.id[:12]}..., the container's full id; "
                  f"its first process is PID {df.attrs['pid']})")
        return df

    def _stats_targets(self, wanted: list[str]) -> list[Container]:
        """The containers named in ``wanted``, checked as :meth:`_visible` checks them, from one
        listing instead of an inspect each. A name not plainly found, or another learner's,
        goes through :meth:`_visible`, which raises the error that says why."""
        listed = self._engine.containers(all=True)
        by_id = {c["Id"]: c for c in listed}
        by_name = {n.lstrip("/"): c for c in listed for n in (c.get("Names") or [])}
        out = []
        for ref in wanted:
            c = by_id.get(ref) or by_name.get(ref)
            if c is None and ref and all(ch in "0123456789abcdef" for ch in ref):
                hits = [d for cid, d in by_id.items() if cid.startswith(ref)]
                c = hits[0] if len(hits) == 1 else None
            lab = (c or {}).get("Labels") or {}
            if c is None or policy.whose(lab, self.owner) != "mine":
                out.append(self._visible(ref, "read the stats of", False))
                continue
            name = ((c.get("Names") or ["/" + c["Id"][:12]])[0]).lstrip("/")
            out.append(Container(id=c["Id"], name=name, image=c.get("Image", ""), state=c.get("State", ""),
                                 labels=lab))
        return out

    def _sample_all(self, ids: list[str]) -> list:
        if not ids:
            return []
        if len(ids) == 1:  # no thread pool for one: its first sample is the engine's next
            got = [self._two_samples(ids[0])]
        else:  # one thread per stream, so all subscribe before the engine's next tick
            with ThreadPoolExecutor(max_workers=min(len(ids), 64)) as pool:
                got = list(pool.map(self._two_samples, ids))
        return [r for r in got if r is not None]

    def _two_samples(self, cid: str):
        """Open a stats stream, keep two samples: CPU % from their delta."""
        stream = None
        try:
            stream = self._engine.stats(cid, stream=True)
            first = next(stream)
            second = next(stream)
            return stats_mod.row(second, pre=first.get("cpu_stats"))
        except (StopIteration, E.ContainerNotFound):
            return None  # it stopped or went away while sampled
        finally:
            if stream is not None:
                stream.close()

    # --- cleanup -----------------------------------------------------------------------
    def cleanup(self, scope: str = "session", *, confirm: bool = False, images=False,
                volumes: bool = False) -> CleanupReport:
        """"Kill all running containers", done safely: stop and remove them.

        ``scope``: "session" (default: what this notebook's kernel made),
        "mine" (everything the kit made for you), "kit" (every learner's, needs
        ``confirm=True``), "engine" (every container on the engine, even those
        the kit did not make: needs ``confirm=True``). Other learners' kit
        containers are left, and counted (never named) in ``skipped``, unless the
        teacher's settings allow it (``allow_others``, see :mod:`dockerlab.policy`).
        ``scope="lesson"``: your containers of this lab's lesson, from any kernel (what a lesson's
        "When you are done" cell uses: it works after a restart too).

        ``images=True`` also prunes dangling images (and, with scope "mine", removes the images
        lab.build made for you); ``images=[refs]`` removes those image names (`docker rmi`), each
        only if it is there: a cleanup cell can run any number of times. ``volumes=True`` removes
        the named volumes the kit made for you in that scope that no container uses any more.
        """
        scope = A.scope(scope)
        confirm = A.flag(confirm, "confirm")
        images = A.flag(images, "images") if not isinstance(images, (list, tuple)) else [A.image_text(i) for i in images]
        volumes = A.flag(volumes, "volumes")
        if scope in ("kit", "engine") and not confirm:
            what = "every container on the engine" if scope == "engine" else "every learner's kit containers"
            raise E.ConfirmationRequired(
                f"cleanup(scope={scope!r}) would stop and remove {what}",
                state="nothing was stopped or removed",
                hint=f"if you mean it: lab.cleanup({scope!r}, confirm=True); for your own: lab.cleanup('mine')")
        flt = self._scope_twin(scope)
        self._twin(f"docker rm -f $(docker ps -aq {flt})".replace("  ", " ").replace(" )", ")"))
        report = CleanupReport()
        rows, hidden = policy.filter_listing(self._engine.containers(all=True, filters=self._filters(scope)), self.owner)
        if hidden:  # another learner's work needs the teacher's word too; say how many, never whose
            report.skipped.append((f"{hidden} container{'s' if hidden != 1 else ''} of other learners",
                                   "not yours (a teacher's setting, allow_others, is needed)"))
        for c in sorted(rows, key=lambda c: (c.get("Names") or [""])[0]):
            name = (c.get("Names") or [c["Id"][:12]])[0].lstrip("/")
            try:
                if c.get("State") in ("running", "paused", "restarting"):
                    self._engine.kill(c["Id"])
                    report.stopped.append(name)
                self._engine.remove(c["Id"], force=True)
                report.removed.append(name)
                self.cleaned.add(name)
                self._made.discard(name)
            except (E.ContainerNotFound, E.ContainerStateError):
                continue  # removed (or being removed) by someone else meanwhile: nothing to do
        if images is True:
            report.images_removed = self.prune_images(quiet=True)
            if scope == "mine":  # and the images the kit built for you (lab.build)
                report.images_removed += self.remove_my_images()
        elif images:
            report.images_removed = self._forget_images(images)
        if volumes and self.can("volumes") and scope in ("session", "mine", "lesson"):  # the kit's volumes of yours
            report.volumes_removed = self.remove_my_volumes(scope=scope)
        return report

    def _forget_images(self, refs_: list[str]) -> list[str]:
        """`docker rmi` each of ``refs_`` that the engine has; one already gone is not an error."""
        gone = []
        for ref in refs_:
            refs.parse_image(ref)
            if not self._has_image(ref):
                continue
            self._twin(f"docker rmi {ref}")
            try:
                self._engine.remove_image(ref)
                gone.append(ref)
            except E.ImageNotFound:
                pass
        return gone

    def prune_images(self, scope: str = "mine", *, confirm: bool = False, quiet: bool = False) -> list[str]:
        """`docker image prune`: remove dangling images (untagged, unused).

        ``scope``: "mine" (default: only images carrying your ``org.dockerlab.owner`` label, the ones
        the kit built for you), "engine" (every dangling image on the engine, whoever made it: needs
        ``confirm=True``, as the plain CLI command does it).
        """
        if scope not in ("mine", "engine"):
            raise E.InvalidReference(f"Unknown scope {scope!r}", value=scope, hint="'mine' or 'engine'")
        if scope == "engine" and not confirm:
            raise E.ConfirmationRequired(
                "prune_images('engine') would remove every dangling image on the engine, other people's too",
                state="nothing was removed",
                hint="if you mean it: lab.prune_images('engine', confirm=True); for your own: lab.prune_images()")
        if not A.flag(quiet, "quiet"):
            self._twin("docker image prune -f" + (f" --filter label={labels.OWNER}={self.owner}" if scope == "mine" else ""))
        removed = []
        for im in self._engine.images(all=False):
            if (im.get("RepoTags") or ["<none>:<none>"]) != ["<none>:<none>"]:
                continue
            if scope == "mine" and (im.get("Labels") or {}).get(labels.OWNER) != self.owner:
                continue
            try:
                self._engine.remove_image(im["Id"])
                removed.append(im["Id"].split(":")[-1][:12])
            except E.DockerLabError:
                pass
        return removed

    def system_df(self):
        """`docker system df`: disk used by images, containers, volumes and the build cache (a DataFrame)."""
        self._twin("docker system df")
        df = frames.system_df_frame(self._engine.df())
        df.attrs["cli"] = "docker system df"
        return df

    # --- the REST API under it all ----------------------------------------------------
    def rest(self, path: str, **params):
        """GET an Engine API path (``/version``, ``/info``, ``/containers/json``) and return its JSON.

        Shows the curl command that does the same against the engine's socket. It answers the
        engine-wide paths that show no one's containers, and your own containers' paths
        (:func:`dockerlab.policy.check_rest`); listings hold only what you may see.
        """
        return self._rest(path, params)

    def _rest(self, path, params: dict):
        kind, ref = policy.check_rest(path)
        params = policy.check_rest_params(params)
        send = path
        if kind == "container":
            c = self._look(ref, f"GET {path} of", False)
            if policy.whose(c.labels, self.owner) == "foreign" and not policy.settings().allow_others:
                raise E.NotOwned(
                    f"Refusing GET {path}: dockerlab did not create {c.name}", container=str(ref), owner="",
                    state="lab.rest() answers for your own containers (an inspect shows a container's secrets)",
                    hint=f"lab.container({c.name!r}, confirm=True) shows its state; lab.ps(scope='engine') lists it")
            send = path.replace(f"/containers/{ref}/", f"/containers/{c.id}/", 1)
            if path.endswith("/stats"):
                if str(params.get("stream", "false")).lower() not in ("false", "0"):
                    raise E.InvalidReference("lab.rest() reads one stats sample: stream=false", value=str(params["stream"]),
                                             hint="lab.rest(path, stream='false'); the Monitor widget follows a stream")
                params["stream"] = params.get("stream", "false")
        self._twin_curl(path, params)
        note = self._engine.rest_note  # udocker: no daemon answers; the backend computes it
        if note:
            self._say(note)
        got = self._engine.rest_get(send, params=params or None)
        if path == "/containers/json" and isinstance(got, list):
            got = self._own_rows(got)
        elif path == "/system/df" and isinstance(got, dict) and got.get("Containers"):
            got = dict(got, Containers=self._own_rows(got["Containers"]))
        return got

    def _own_rows(self, rows: list[dict]) -> list[dict]:
        """A raw API listing as lab.rest() gives it: your own containers (every one for a teacher)."""
        if policy.settings().allow_others:
            return rows
        return [r for r in rows if policy.whose(r.get("Labels"), self.owner) == "mine"]

    def _twin_curl(self, path: str, params: dict) -> None:
        from urllib.parse import urlencode

        url = f"http://localhost/v{self.api_version}{path}" + (f"?{urlencode(params)}" if params else "")
        if self.endpoint.scheme == "unix":
            cmd = f"curl --unix-socket {self.endpoint.path} {url}"
        else:
            cmd = f"curl {url}"
        with self._lock:
            self.history.append(cmd)
        if self.show_cli:
            print("$ " + cmd, file=self._out or sys.stdout)

    def api_calls(self):
        """A context manager that records the Engine API requests made inside it."""
        return _ApiTrace(self._engine)


class _ApiTrace:
    def __init__(self, engine):
        self.engine = engine
        self.calls: list[tuple[str, str, int]] = []
        self._lock = getattr(engine, "_trace_lock", None) or contextlib.nullcontext()

    def __enter__(self):
        with self._lock:  # the engine's response hook appends from other threads
            self.engine.calls.clear()
        return self

    def __exit__(self, *exc):
        with self._lock:
            self.calls = list(self.engine.calls)
        return False

    def frame(self):
        import pandas as pd

        rows = [{"METHOD": m, "PATH": _strip_version(p), "STATUS": s} for m, p, s in self.calls]
        return pd.DataFrame(rows, columns=["METHOD", "PATH", "STATUS"])


def _limit_config(limits) -> dict:
    """The host-config entries for the limits a launch gets (no swap beyond the memory limit)."""
    hc = {}
    if limits.memory:
        hc["mem_limit"] = limits.memory
        hc["memswap_limit"] = limits.memory  # no swap beyond the limit, so the limit is visible
    if limits.cpus:
        hc["nano_cpus"] = int(limits.cpus * 1e9)
    if limits.pids:
        hc["pids_limit"] = limits.pids
    return hc


def _zero_row(c: "Container") -> stats_mod.StatsRow:
    """The row `docker stats --no-stream` shows for a container that is not running: all zeros."""
    return stats_mod.StatsRow(id=c.short_id, name=c.name, cpu_percent=0.0, mem_usage=0, mem_limit=0,
                              mem_percent=0.0, net_rx=0, net_tx=0, block_read=0, block_write=0, pids=0)


_DISK_FULL_BELOW = 1 << 20  # bytes free on the engine's data root under which a run's log may be lost
_PULL_ATTEMPTS = 3  # a create that finds its image gone right after the pull pulls again (a shared engine)


def _disk_full_note(log_path: str) -> str:
    """Why a run printed nothing, when the reason is the engine's full disk: the engine could not
    write the container's log, and says so only in its own log. The log's path (from the inspect
    the run already made: no extra engine call) names the engine's data root,
    ``<root>/containers/<id>/<id>-json.log``; seen from this machine only (a local engine)."""
    if not log_path:
        return ""
    root = os.path.dirname(os.path.dirname(os.path.dirname(log_path)))
    try:
        st = os.statvfs(root)
    except OSError:
        return ""
    if st.f_bavail * st.f_frsize >= _DISK_FULL_BELOW:
        return ""
    return (f"no output, and the engine's disk ({root}) is full: the container's output may have been lost, "
            "because the engine could not write its log. Free space (lab.system_df() shows what uses it; "
            "lab.prune_images(), lab.cleanup()), then run it again")


def _created(inspected: dict) -> float:
    """When the engine made a container (its ``Created``, RFC 3339 with nanoseconds), as epoch seconds."""
    from datetime import datetime

    text = str(inspected.get("Created") or "")
    try:
        head, _, frac = text.rstrip("Z").partition(".")
        return datetime.fromisoformat(head + "+00:00").timestamp() + float("0." + (frac[:6] or "0"))
    except ValueError:
        return float("inf")  # unknown: never taken for a leftover


def _strip_version(path: str) -> str:
    import re

    path = re.sub(r"^/v\d+\.\d+", "", path)
    return re.sub(r"[0-9a-f]{64}", "<id>", path)
