"""The lab API: one method per command of the tutorial, each showing its CLI twin.

Flow: notebook -> widgets -> Lab (here) -> engine backend -> Docker Engine.
The Lab works on the backend's Engine-API dicts and returns dockerlab objects
and pandas frames; it never imports the docker SDK.
"""
from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import errors as E
from . import frames, labels, names, refs, stats as stats_mod, twin
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
                   oom_killed=bool(st.get("OOMKilled")))


@dataclass
class RunResult:
    """What a foreground ``docker run`` gives back: the output and the exit code."""

    output: str
    exit_code: int
    container: Container

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def __repr__(self) -> str:
        text = self.output.rstrip("\n")
        if self.exit_code != 0:
            text += ("\n" if text else "") + f"(exit code {self.exit_code}{_exit_meaning(self.exit_code, self.container.oom_killed)})"
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

    def __repr__(self) -> str:
        if not (self.stopped or self.removed or self.images_removed):
            return "Nothing to clean up."
        lines = []
        if self.stopped:
            lines.append(f"Stopped {len(self.stopped)}: {', '.join(self.stopped)}")
        if self.removed:
            lines.append(f"Removed {len(self.removed)}: {', '.join(self.removed)}")
        if self.images_removed:
            lines.append(f"Removed images {len(self.images_removed)}: {', '.join(self.images_removed)}")
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

    def summary(self) -> list[tuple[str, str]]:
        out = []
        for label, key in self.KEYS:
            v = self.get(key)
            if key == "MemTotal" and v:
                v = refs.format_bytes(v)
            if key == "RegistryConfig":
                v = ", ".join((v or {}).get("Mirrors") or []) or "none"
            out.append((label, "" if v is None else str(v)))
        return out

    def __repr__(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.summary())

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>{escape(v)}</td></tr>"
                       for k, v in self.summary())
        return f"<table class='dockerlab-info'>{rows}</table>"


class Lab:
    """The lab: what ``dockerlab.connect()`` returns."""

    def __init__(self, engine, *, lesson: str = "", owner: str | None = None, show_cli: bool = True,
                 session: str | None = None, out=None):
        self.engine = engine
        self.lesson = lesson
        self.owner = owner or labels.default_owner()
        self.session = session or labels.SESSION_ID
        self.show_cli = show_cli
        self.history: list[str] = []  # every CLI twin this lab ran, in order
        self._out = out
        self._version = engine.version()
        self._lock = threading.Lock()

    # --- who we are ------------------------------------------------------------
    def can(self, feature: str) -> bool:
        """Whether the engine can do ``feature`` ("limits", "stats", "exec", "events", ...):
        udocker (Binder) cannot limit resources, for one. Lessons use it to stay honest."""
        return feature in getattr(self.engine, "features", ())

    @property
    def engine_name(self) -> str:
        comps = [c.get("Name", "") for c in self._version.get("Components") or []]
        if any("podman" in c.lower() for c in comps):
            return "Podman"
        return {"docker": "Docker Engine"}.get(self.engine.kind, self.engine.kind)

    @property
    def server_version(self) -> str:
        return self._version.get("Version", "?")

    @property
    def api_version(self) -> str:
        return self.engine.api_version

    @property
    def endpoint(self):
        return self.engine.endpoint

    def __repr__(self) -> str:
        cannot = getattr(self.engine, "cannot", "")  # a daemonless engine says what it cannot do
        return (f"<dockerlab.Lab: {self.engine_name} {self.server_version} (API {self.api_version}) "
                f"at {self.endpoint.url} via the {self.endpoint.source}" + (f"; {cannot}" if cannot else "") + ">")

    def _engine_limits(self, limits, asked: bool):
        """On an engine without cgroups (udocker): asked limits are refused, the teacher's defaults dropped."""
        if "limits" in getattr(self.engine, "features", ("limits",)):
            return limits
        if asked:
            why = getattr(self.engine, "limitations", {}).get("limits", "this engine has no cgroups")
            raise E.NotAvailableOnEngine(
                f"Limits (memory=, cpus=, pids=) are not available on this engine, because {why}",
                feature="limits", engine=self.engine.kind, state="nothing was started",
                hint="run it without limits here; the limits lesson needs a Docker Engine")
        from . import guards

        if (limits.memory or limits.cpus or limits.pids) and not getattr(self, "_said_no_limits", False):
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
        return Info(self.engine.info())

    def version(self) -> dict:
        """`docker version`: the server's versions (the client here is dockerlab)."""
        self._twin("docker version")
        return dict(self.engine.version())

    # --- images -----------------------------------------------------------------
    def pull(self, ref: str, *, progress=None, quiet: bool = False) -> Image:
        """`docker pull ref`: download an image (default tag ``latest``).

        ``progress`` is called with each of the engine's progress events (the
        pull widget uses it); otherwise a text summary like the CLI's is printed.
        """
        image = refs.parse_image(ref)
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
        for ev in self.engine.pull(repo, tag):
            if progress is not None:
                progress(ev)
            if "error" in ev or "errorDetail" in ev:
                raise self._pull_error(image, ev, downloading=bool(downloading))
            status, lid = ev.get("status", ""), ev.get("id", "")
            if status == "Downloading":
                downloading.add(lid)
            elif status in ("Download complete", "Pull complete", "Already exists"):
                downloading.discard(lid)
            if status.startswith("Pulling from"):
                say(f"{lid}: {status}")
            elif lid and status in ("Pull complete", "Already exists"):
                if last.get(lid) != status:
                    say(f"{lid}: {status}")
                last[lid] = status
            elif status.startswith(("Digest:", "Status:")):
                say(status)
        say(image.canonical)

    def _pull_error(self, image: ImageRef, ev: dict, *, downloading: bool = False) -> E.DockerLabError:
        from .engine.translate import download_cut_off, translate_error

        msg = ev.get("error") or (ev.get("errorDetail") or {}).get("message", "")

        class _Evt(Exception):
            explanation = msg
            status_code = 404 if ("not found" in msg or "manifest unknown" in msg) else 500

        known = [t.split(":")[0] for i in self.engine.images() for t in (i.get("RepoTags") or [])]
        err = translate_error(_Evt(msg), action=f"pull {image}", image=str(image), known_images=known)
        if downloading and isinstance(err, E.RegistryUnreachable) and "cut off" not in err.what:
            # it answered until the layers were under way: it went away mid-pull, it is not unreachable
            return download_cut_off(f"pull {image}", image.registry or "the registry")
        return err

    def _image(self, ref: str) -> Image:
        d = self.engine.inspect_image(ref)
        return Image(ref=ref, id=d.get("Id", ""), size=d.get("Size", 0))

    def _has_image(self, ref: str) -> bool:
        try:
            self.engine.inspect_image(ref)
            return True
        except E.ImageNotFound:
            return False

    def images(self):
        """`docker images`: the local images as a DataFrame (sorted by repository, tag)."""
        self._twin("docker images")
        df = frames.images_frame(self.engine.images())
        df.attrs["cli"] = "docker images"
        return df

    def remove_image(self, ref: str, *, force: bool = False) -> list[str]:
        """`docker rmi ref`."""
        refs.parse_image(ref)
        self._twin(f"docker rmi {'-f ' if force else ''}{ref}")
        res = self.engine.remove_image(ref, force=force)
        return [next(iter(r.values())) for r in res or []]

    def tag(self, source: str, target: str) -> Image:
        """`docker tag source target`: give an image one more name (no copy: the same image id)."""
        refs.parse_image(source)
        new = refs.parse_image(target)
        self._twin(f"docker tag {source} {target}")
        self.engine.tag(source, new.name, new.tag)
        return self._image(f"{new.name}:{new.tag}")

    # --- containers: run ----------------------------------------------------------
    def run(self, image: str, command=None, *, name: str | None = None, detach: bool = False,
            interactive: bool = False, tty: bool = False, rm: bool = False, memory=None, cpus=None,
            pids: int | None = None, env: dict | None = None, labels_: dict | None = None,
            timeout: float | None = 120, privileged: bool = False, network: str | None = None,
            pid: str | None = None, volumes=None):
        """`docker run`: create and start a container from ``image``.

        Foreground (default): waits and returns a :class:`RunResult` (output and
        exit code). ``detach=True`` (``-d``) returns the :class:`Container` at
        once. ``interactive``/``tty`` (``-it``): a notebook has no terminal, so
        the container keeps its stdin open in the background, for ``lab.exec``
        or the shell widget. The command is split like a shell would split it,
        and never run through a host shell.
        """
        ref = refs.parse_image(image)
        args = refs.split_command(command)
        if name is not None:
            name = names.for_new(self, refs.check_name(name))  # on a shared engine: alice-<name>
        mem = refs.parse_memory(memory)
        # the engine's CPU count (a GET /info, once per lab) only when a CPU limit is asked
        ncpus = refs.parse_cpus(cpus, host_cpus=self._ncpu() if cpus is not None else None)
        npids = refs.parse_pids(pids)
        from . import guards

        policy = guards.load()  # the teacher's guards: limits by default, dangerous options refused
        limits = guards.apply(memory=mem, cpus=ncpus, pids=npids, policy=policy)
        limits = self._engine_limits(limits, asked=any(v is not None for v in (mem, ncpus, npids)))
        guarded = guards.check_options(privileged=privileged, network=network, pid=pid, volumes=volumes,
                                       policy=policy)
        if policy.max_running is not None:
            guards.check_running(len(self.engine.containers(filters=self._filters("mine"))), owner=self.owner,
                                 policy=policy)
        keep_open = interactive or tty
        self._twin(twin.run_twin(image=image, command=args, name=name, detach=detach or keep_open,
                                 interactive=interactive, tty=tty, rm=rm, memory=memory, cpus=ncpus,
                                 pids=npids, env=env))
        if keep_open and not detach:
            self._say("(a notebook has no terminal: the container runs in the background with its input open; "
                      "use lab.exec(...) or the shell widget, or JupyterLab's Terminal for a real `docker run -it`)")
        host_config = {"auto_remove": False, **guarded}
        if limits.memory:
            host_config["mem_limit"] = limits.memory
            host_config["memswap_limit"] = limits.memory  # no swap beyond the limit, so the limit is visible
        if limits.cpus:
            host_config["nano_cpus"] = int(limits.cpus * 1e9)
        if limits.pids:
            host_config["pids_limit"] = limits.pids

        def create() -> str:
            return self.engine.create_container(
                image=image.strip(), command=args or None, name=name, tty=tty, stdin_open=interactive,
                environment=env, host_config=host_config,
                labels=labels.make_labels(owner=self.owner, session=self.session, lesson=self.lesson, extra=labels_))

        try:  # like the CLI: create at once; only when the image is missing, pull it and create again
            try:
                cid = create()
            except E.ImageNotFound:
                self._say(f"Unable to find image '{ref}' locally")
                self._pull(ref)
                cid = create()
        except E.NameConflict as e:
            self._explain_conflict(e)
            raise

        try:
            self.engine.start(cid, image=image.strip())
        except E.ExecutableNotFound as e:
            self.engine.remove(cid, force=True)
            e.state = "the container was created but its command could not start; dockerlab removed it"
            raise
        if detach or keep_open:
            return self._container(cid)
        try:
            code = self.engine.wait(cid, timeout=timeout)
        except E.OperationTimedOut as e:
            c = self._container(cid)
            raise E.OperationTimedOut(
                f"{c.name} did not finish within {timeout:g} seconds", seconds=timeout, container=c.name,
                state=f"it is still {c.state}; nothing was stopped",
                hint=f"see its output with lab.logs({c.name!r}); stop it with lab.stop({c.name!r}); "
                     "for a long-running command use detach=True") from e
        out = self.engine.logs(cid)
        c = self._container(cid)
        if rm:
            self.engine.remove(cid, force=True)
        return RunResult(Text(out), code, c)

    def create(self, image: str, command=None, *, name: str | None = None) -> Container:
        """`docker create`: make a container from ``image`` without starting it (state: created).

        ``lab.start(name)`` starts it later. It gets the kit's labels and the
        teacher's default limits, as :meth:`run` gives them.
        """
        ref = refs.parse_image(image)
        args = refs.split_command(command)
        if name is not None:
            name = names.for_new(self, refs.check_name(name))  # on a shared engine: alice-<name>
        from . import guards

        limits = self._engine_limits(guards.apply(policy=guards.load()), asked=False)
        self._twin(twin.run_twin(image=image, command=args, name=name).replace("docker run", "docker create", 1))
        if not self._has_image(str(ref)):
            self._say(f"Unable to find image '{ref}' locally")
            self._pull(ref)
        host_config = {}
        if limits.memory:
            host_config["mem_limit"] = limits.memory
            host_config["memswap_limit"] = limits.memory
        if limits.cpus:
            host_config["nano_cpus"] = int(limits.cpus * 1e9)
        if limits.pids:
            host_config["pids_limit"] = limits.pids
        cid = self.engine.create_container(
            image=image.strip(), command=args or None, name=name, host_config=host_config,
            labels=labels.make_labels(owner=self.owner, session=self.session, lesson=self.lesson))
        return self._container(cid)

    def _explain_conflict(self, e: E.NameConflict) -> None:
        """Say who holds the name and the one call that frees it (force=True when it runs)."""
        try:
            holder = self._container(e.name)
        except E.DockerLabError:
            return
        if holder.managed and holder.owner != self.owner:
            e.hint = f"it is another learner's ({holder.owner!r}): choose another name"
        elif holder.state in ("running", "paused", "restarting"):
            e.state = f"the container {holder.name} is {holder.state}; names are unique on an engine, even for stopped ones"
            e.hint = f"remove it with lab.remove({holder.name!r}, force=True) (docker rm -f), or choose another name"
        else:
            e.state = f"the container {holder.name} is {holder.state}; names are unique on an engine, even for stopped ones"
        e.args = (e.message,)

    def _ncpu(self) -> int | None:
        if not hasattr(self, "_ncpu_cache"):
            try:
                self._ncpu_cache = int(self.engine.info().get("NCPU") or 0) or None
            except E.DockerLabError:
                self._ncpu_cache = None
        return self._ncpu_cache

    def _container(self, ref: str) -> Container:
        return Container.from_inspect(names.inspect(self, ref))  # the learner's own name first

    def container(self, ref: str, *, confirm: bool = False) -> Container:
        """The container named (or with the id) ``ref``, as it is now (`docker inspect`)."""
        return self._visible(ref, "inspect", confirm)

    def _visible(self, ref: str, action: str, confirm: bool) -> Container:
        """The container, if the learner may look at it: anything but another learner's kit container."""
        c = self._container(ref)
        if c.managed and c.owner != self.owner:
            return self._owned(ref, action, confirm)  # refuses (NotOwned) unless a teacher allows it
        return c

    # --- containers: lifecycle ----------------------------------------------------
    def _owned(self, ref: str, action: str, confirm: bool) -> Container:
        """The container, if the kit may act on it: the learner's own, or any with confirm=True."""
        c = self._container(ref)
        if c.managed and c.owner == self.owner:
            return c
        if c.managed and c.owner != self.owner:
            if confirm and os.environ.get("DOCKERLAB_ALLOW_OTHERS") == "1":
                return c
            raise E.NotOwned(
                f"Refusing to {action} {c.name}: it belongs to {c.owner!r}, not to you ({self.owner!r})",
                container=c.name, owner=c.owner,
                state="on a shared engine each learner's containers are their own",
                hint="ask its owner, or a teacher (who can set DOCKERLAB_ALLOW_OTHERS=1 and pass confirm=True)")
        if not confirm:
            raise E.NotOwned(
                f"Refusing to {action} {c.name}: dockerlab did not create it", container=c.name, owner="",
                state="the kit only touches containers it labelled, so it never breaks work made elsewhere",
                hint=f"if you mean it, pass confirm=True: lab.{action}({c.name!r}, confirm=True)")
        return c

    def start(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker start ref`: start a stopped container again (same command, same name)."""
        c = self._owned(ref, "start", confirm)
        self._twin(f"docker start {c.name}")
        self.engine.start(c.id)
        return self._container(c.id)

    def stop(self, ref: str, *, timeout: int = 10, confirm: bool = False) -> Container:
        """`docker stop ref`: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        c = self._owned(ref, "stop", confirm)
        self._twin(f"docker stop {c.name}" if timeout == 10 else f"docker stop -t {timeout} {c.name}")
        self.engine.stop(c.id, timeout=timeout)
        return self._container(c.id)

    def restart(self, ref: str, *, timeout: int = 10, confirm: bool = False) -> Container:
        """`docker restart ref`."""
        c = self._owned(ref, "restart", confirm)
        self._twin(f"docker restart {c.name}")
        self.engine.restart(c.id, timeout=timeout)
        return self._container(c.id)

    def kill(self, ref: str, *, signal: str = "KILL", confirm: bool = False) -> Container:
        """`docker kill ref`: send a signal (SIGKILL by default) to the main process."""
        c = self._owned(ref, "kill", confirm)
        self._twin(f"docker kill {c.name}" if signal == "KILL" else f"docker kill -s {signal} {c.name}")
        self.engine.kill(c.id, signal=signal)
        return self._container(c.id)

    def pause(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker pause ref`: freeze every process of the container (state: paused)."""
        c = self._owned(ref, "pause", confirm)
        if not hasattr(self.engine, "pause"):
            raise E.NotAvailableOnEngine(f"pause is not available on this engine ({self.engine.kind})",
                                         feature="pause", engine=self.engine.kind)
        self._twin(f"docker pause {c.name}")
        self.engine.pause(c.id)
        return self._container(c.id)

    def unpause(self, ref: str, *, confirm: bool = False) -> Container:
        """`docker unpause ref`: let a paused container's processes run again."""
        c = self._owned(ref, "unpause", confirm)
        if not hasattr(self.engine, "unpause"):
            raise E.NotAvailableOnEngine(f"unpause is not available on this engine ({self.engine.kind})",
                                         feature="pause", engine=self.engine.kind)
        self._twin(f"docker unpause {c.name}")
        self.engine.unpause(c.id)
        return self._container(c.id)

    def remove(self, ref: str, *, force: bool = False, confirm: bool = False) -> str:
        """`docker rm ref` (``force=True``: `docker rm -f`, which kills it first)."""
        c = self._owned(ref, "remove", confirm)
        self._twin(f"docker rm {'-f ' if force else ''}{c.name}")
        self.engine.remove(c.id, force=force)
        return c.name

    def logs(self, ref: str, *, tail: int | None = None, confirm: bool = False) -> Text:
        """`docker logs ref`: what the container printed."""
        c = self._visible(ref, "read the logs of", confirm)
        self._twin(f"docker logs {'--tail %d ' % tail if tail else ''}{c.name}")
        return Text(self.engine.logs(c.id, tail=tail if tail else "all"))

    def exec(self, ref: str, command, *, confirm: bool = False) -> ExecResult:
        """`docker exec ref command`: run another process inside a running container."""
        args = refs.split_command(command)
        if not args:
            raise E.InvalidReference("exec needs a command", hint="for example lab.exec('web', 'ps')")
        c = self._owned(ref, "exec in", confirm)
        self._twin(f"docker exec {c.name} " + " ".join(twin.q(a) for a in args))
        if c.state != "running":
            raise E.ContainerStateError(f"Cannot exec in {c.name}: it is {c.state}, not running",
                                        container=c.name, status=c.state,
                                        hint=f"start it first: lab.start({c.name!r})")
        code, out = self.engine.exec(c.id, args)
        return ExecResult(Text(out), code)

    # --- tables --------------------------------------------------------------------
    def _filters(self, scope: str) -> dict:
        if scope == "mine":
            return {"label": labels.label_filter(owner=self.owner)}
        if scope == "session":
            return {"label": labels.label_filter(owner=self.owner, session=self.session)}
        if scope == "kit":
            return {"label": labels.label_filter()}
        if scope == "engine":
            return {}
        raise E.InvalidReference(f"Unknown scope {scope!r}", value=scope,
                                 hint="one of 'session', 'mine', 'kit', 'engine'")

    def _scope_twin(self, scope: str) -> str:
        if scope == "engine":
            return ""
        flt = {"mine": f"label={labels.OWNER}={self.owner}",
               "session": f"label={labels.SESSION}={self.session}",
               "kit": f"label={labels.MANAGED}=true"}[scope]
        return f"--filter {flt}"

    def ps(self, all: bool = False, *, scope: str = "mine"):
        """`docker ps` (``all=True``: `docker ps -a`) as a DataFrame, sorted by name.

        ``scope``: "mine" (default: the containers the kit made for you), "session"
        (this notebook's), "kit" (every learner's), "engine" (everything, as the CLI).
        """
        filters = self._filters(scope)
        self._twin(" ".join(w for w in ("docker ps", "-a" if all else "", self._scope_twin(scope) if scope != "mine" else "") if w))
        df = frames.ps_frame(self.engine.containers(all=all, filters=filters))
        df.attrs["cli"] = self.history[-1]
        return df

    # --- stats -------------------------------------------------------------------------
    def stats(self, containers=None, *, scope: str = "mine"):
        """`docker stats --no-stream`: one snapshot of CPU %, memory, I/O and PIDs.

        CPU % needs two samples one round of the engine's collector apart (it
        reads every watched container about once a second). Every container gets
        a stream of its own, all opened at once: the table is complete after the
        collector's next two rounds at most, for thirty as for one (one round for
        a single container on an idle engine). A container that is not running
        shows zeros at once, as the CLI shows it.
        """
        if containers is None:
            targets = [(c["Id"], None) for c in self.engine.containers(filters=self._filters(scope))]
        else:
            wanted = [containers] if isinstance(containers, str) else list(containers)
            seen = self._stats_targets(wanted)
            targets = [(c.id, None if c.state not in ("created", "exited", "dead") else c) for c in seen]
        if containers:
            names = " ".join([containers] if isinstance(containers, str) else containers)
        elif scope in ("mine", "engine"):  # as `ps` shows it: plain, the learner's own by default
            names = ""
        else:  # `docker stats` has no --filter: name the containers with `docker ps -q`
            names = f"$(docker ps -q {self._scope_twin(scope)})"
        self._twin(" ".join(w for w in ("docker stats --no-stream", names) if w))
        rows = self._sample_all([cid for cid, stopped in targets if stopped is None])
        rows += [_zero_row(c) for _, c in targets if c is not None]
        df = frames.stats_frame(rows)
        df.attrs["cli"] = self.history[-1]
        return df

    def _stats_targets(self, wanted: list[str]) -> list[Container]:
        """The containers named in ``wanted``, checked as :meth:`_visible` checks them, from one
        listing instead of an inspect each. A name not plainly found, or another learner's,
        goes through :meth:`_visible`, which raises the error that says why."""
        listed = self.engine.containers(all=True)
        by_id = {c["Id"]: c for c in listed}
        by_name = {n.lstrip("/"): c for c in listed for n in (c.get("Names") or [])}
        out = []
        for ref in wanted:
            c = by_id.get(ref) or by_name.get(ref)
            if c is None and ref and all(ch in "0123456789abcdef" for ch in ref):
                hits = [d for cid, d in by_id.items() if cid.startswith(ref)]
                c = hits[0] if len(hits) == 1 else None
            lab = (c or {}).get("Labels") or {}
            if c is None or (labels.is_managed(lab) and lab.get(labels.OWNER) != self.owner):
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
            stream = self.engine.stats(cid, stream=True)
            first = next(stream)
            second = next(stream)
            return stats_mod.row(second, pre=first.get("cpu_stats"))
        except (StopIteration, E.ContainerNotFound):
            return None  # it stopped or went away while sampled
        finally:
            if stream is not None:
                stream.close()

    # --- cleanup -----------------------------------------------------------------------
    def cleanup(self, scope: str = "session", *, confirm: bool = False, images: bool = False) -> CleanupReport:
        """"Kill all running containers", done safely: stop and remove them.

        ``scope``: "session" (default: what this notebook's kernel made),
        "mine" (everything the kit made for you), "kit" (every learner's, needs
        ``confirm=True``), "engine" (every container on the engine, even those
        the kit did not make: needs ``confirm=True``). Other learners' kit
        containers are left (and listed in ``skipped``) unless a teacher set
        ``DOCKERLAB_ALLOW_OTHERS=1``.
        """
        if scope in ("kit", "engine") and not confirm:
            what = "every container on the engine" if scope == "engine" else "every learner's kit containers"
            raise E.ConfirmationRequired(
                f"cleanup(scope={scope!r}) would stop and remove {what}",
                state="nothing was stopped or removed",
                hint=f"if you mean it: lab.cleanup({scope!r}, confirm=True); for your own: lab.cleanup('mine')")
        filters = self._filters(scope)
        flt = self._scope_twin(scope)
        self._twin(f"docker rm -f $(docker ps -aq {flt})".replace("  ", " ").replace(" )", ")"))
        report = CleanupReport()
        for c in sorted(self.engine.containers(all=True, filters=filters), key=lambda c: (c.get("Names") or [""])[0]):
            name = (c.get("Names") or [c["Id"][:12]])[0].lstrip("/")
            owner = (c.get("Labels") or {}).get(labels.OWNER, "")
            if (labels.is_managed(c.get("Labels")) and owner != self.owner
                    and os.environ.get("DOCKERLAB_ALLOW_OTHERS") != "1"):
                # confirm=True is the learner's word; another learner's work also needs the teacher's
                report.skipped.append((name, f"it belongs to {owner!r} (a teacher can set DOCKERLAB_ALLOW_OTHERS=1)"))
                continue
            try:
                if c.get("State") in ("running", "paused", "restarting"):
                    self.engine.kill(c["Id"])
                    report.stopped.append(name)
                self.engine.remove(c["Id"], force=True)
                report.removed.append(name)
            except (E.ContainerNotFound, E.ContainerStateError):
                continue  # removed (or being removed) by someone else meanwhile: nothing to do
        if images:
            report.images_removed = self.prune_images(quiet=True)
        return report

    def prune_images(self, *, quiet: bool = False) -> list[str]:
        """`docker image prune`: remove dangling images (untagged, unused)."""
        if not quiet:
            self._twin("docker image prune -f")
        removed = []
        for im in self.engine.images(all=False):
            if (im.get("RepoTags") or ["<none>:<none>"]) == ["<none>:<none>"]:
                try:
                    self.engine.remove_image(im["Id"])
                    removed.append(im["Id"].split(":")[-1][:12])
                except E.DockerLabError:
                    pass
        return removed

    def system_df(self):
        """`docker system df`: disk used by images, containers, volumes and the build cache (a DataFrame)."""
        self._twin("docker system df")
        df = frames.system_df_frame(self.engine.df())
        df.attrs["cli"] = "docker system df"
        return df

    # --- the REST API under it all ----------------------------------------------------
    def rest(self, path: str, **params):
        """GET an Engine API path (``/version``, ``/info``, ``/containers/json``) and return its JSON.

        Shows the curl command that does the same against the engine's socket.
        """
        if not path.startswith("/"):
            raise E.InvalidReference(f"An API path starts with '/': {path!r}", value=path, hint="for example '/version'")
        path = names.rest_path(self, path)  # /containers/nb07-busy/... -> the learner's own on a shared engine
        self._twin_curl(path, params)
        note = getattr(self.engine, "rest_note", "")  # udocker: no daemon answers; the backend computes it
        if note:
            self._say(note)
        return self.engine.rest_get(path, params=params or None)

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
        return _ApiTrace(self.engine)


class _ApiTrace:
    def __init__(self, engine):
        self.engine = engine
        self.calls: list[tuple[str, str, int]] = []

    def __enter__(self):
        self.engine.calls.clear()
        return self

    def __exit__(self, *exc):
        self.calls = list(self.engine.calls)
        return False

    def frame(self):
        import pandas as pd

        rows = [{"METHOD": m, "PATH": _strip_version(p), "STATUS": s} for m, p, s in self.calls]
        return pd.DataFrame(rows, columns=["METHOD", "PATH", "STATUS"])


def _zero_row(c: "Container") -> stats_mod.StatsRow:
    """The row `docker stats --no-stream` shows for a container that is not running: all zeros."""
    return stats_mod.StatsRow(id=c.short_id, name=c.name, cpu_percent=0.0, mem_usage=0, mem_limit=0,
                              mem_percent=0.0, net_rx=0, net_tx=0, block_read=0, block_write=0, pids=0)


def _strip_version(path: str) -> str:
    import re

    path = re.sub(r"^/v\d+\.\d+", "", path)
    return re.sub(r"[0-9a-f]{64}", "<id>", path)
