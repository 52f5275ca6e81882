"""Lesson 05 of the lab API: `docker run` and `docker create`.

A run's arguments are parsed once, into a :class:`RunPlan` (:meth:`RunMixin.plan_run`): the
image, the command, the limits as they will be sent (the teacher's defaults filled in), the
mounts (the one ``-v`` grammar, :mod:`dockerlab.mounts`), the ports, the host config the gate
admitted, and the CLI twin. The Launcher widget shows a plan's twin before the launch;
:meth:`RunMixin.run` carries a plan out.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .. import args as A
from .. import errors as E
from .. import guards, labels, mounts as mounts_mod, policy, refs, twin
from .. import ports as ports_mod
from ..refs import ImageRef
from ..results import Container, RunResult, Text
from .base import LabBase

_DISK_FULL_BELOW = 1 << 20  # bytes free on the engine's data root under which a run's log may be lost
_PULL_ATTEMPTS = 3  # a create that finds its image gone right after the pull pulls again (a shared engine)


@dataclass
class RunPlan:
    """A `docker run` as it will be sent: parsed, checked and admitted, not started yet."""

    image: str
    ref: ImageRef
    command: list
    name: str | None
    detach: bool = False
    interactive: bool = False
    tty: bool = False
    rm: bool = False
    env: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)  # the learner's own; the gate adds the kit's
    timeout: float | None = 120
    limits: guards.Limits = field(default_factory=guards.Limits)
    limits_dropped: bool = False  # the teacher's defaults, on an engine without cgroups
    mounts: list = field(default_factory=list)
    ports: list = field(default_factory=list)
    host_config: dict = field(default_factory=dict)
    twin: str = ""  # what the learner would type: the teacher's default limits left out
    full_twin: str = ""  # every flag sent, the defaults included (pasted, it does what the kit did)

    @property
    def keep_open(self) -> bool:
        return self.interactive or self.tty


class RunMixin(LabBase):
    """`docker run`, `docker create` (see :class:`dockerlab.lab.Lab`)."""

    def plan_run(self, image: str, command=None, *, name: str | None = None, detach: bool = False,
                 interactive: bool = False, tty: bool = False, rm: bool = False, memory=None, cpus=None,
                 pids: int | None = None, env: dict | None = None, labels_: dict | None = None,
                 timeout: float | None = 120, privileged: bool = False, network: str | None = None,
                 pid: str | None = None, ipc: str | None = None, volumes=None, ports=None, **other) -> RunPlan:
        """What :meth:`run` would send for these arguments (nothing is created): every value parsed
        and checked, the teacher's limits applied, the launch options admitted by the gate. Raises
        the same errors as :meth:`run`. ``plan.twin`` is the ``docker run ...`` line."""
        policy.refuse_unknown("run", other)
        ref = refs.parse_image(A.image_text(image))
        cmd = A.command_size(refs.split_command(command))
        if name is not None:
            name = self._gate.new_name(refs.check_name(name), say=self._say)  # on a shared engine: alice-<name>
        detach, interactive, tty, rm, privileged = (A.flag(v, k) for k, v in (
            ("detach", detach), ("interactive", interactive), ("tty", tty), ("rm", rm), ("privileged", privileged)))
        env, labels_ = A.env(env), A.user_labels(labels_)
        timeout = A.seconds(timeout)
        mem = refs.parse_memory(memory)
        # the engine's CPU count (a GET /info, once per lab) only when a CPU limit is asked
        ncpus = refs.parse_cpus(cpus, host_cpus=self._ncpu() if cpus is not None else None)
        npids = refs.parse_pids(pids)
        settings = self._gate.settings()  # the teacher's guards: limits by default, dangerous options refused
        limits, dropped = self._enforceable(guards.apply(memory=mem, cpus=ncpus, pids=npids, policy=settings),
                                              asked=any(v is not None for v in (mem, ncpus, npids)))
        mounts = mounts_mod.parse_mounts(volumes, cwd=self._cwd)
        if any(m.kind == "volume" for m in mounts):
            self._need("volumes", "A named volume (-v NAME:/path)", state="nothing was started",
                       hint="mount a folder of yours instead: volumes=['./my-folder:/data']")
        pspecs = self._port_specs(ports, settings)  # lab/web.py
        launch = self._gate.admit(privileged=privileged, network=network, pid=pid, ipc=ipc, binds=mounts,
                                  cwd=self._cwd)
        keep_open = interactive or tty
        host_config = {"auto_remove": False, **launch.host_config, **ports_mod.host_config(pspecs),
                       **_limit_config(limits)}
        policy.check_host_config(host_config)
        words = dict(image=image, command=cmd, name=name, detach=detach or keep_open, interactive=interactive,
                     tty=tty, rm=rm, options=[f for f in launch.flags if not f.startswith("-v ")], env=env,
                     labels=labels_, extra=[m.cli() for m in mounts] + [f"-p {p.cli()}" for p in pspecs])
        asked = guards.Limits(*(v if a is not None else None for a, v in
                                ((mem, limits.memory), (ncpus, limits.cpus), (npids, limits.pids))))
        return RunPlan(image=image.strip(), ref=ref, command=cmd, name=name, detach=detach, interactive=interactive,
                       tty=tty, rm=rm, env=env or {}, labels=labels_ or {}, timeout=timeout, limits=limits,
                       limits_dropped=dropped, mounts=mounts, ports=pspecs, host_config=host_config,
                       twin=twin.run_twin(limits=asked, **words), full_twin=twin.run_twin(limits=limits, **words))

    def run(self, image: str, command=None, **options):
        """`docker run`: create and start a container from ``image``.

        Foreground (default): waits and returns a :class:`RunResult` (output and
        exit code). ``detach=True`` (``-d``) returns the :class:`Container` at
        once. ``interactive``/``tty`` (``-it``): a notebook has no terminal, so
        the container keeps its stdin open in the background, for ``lab.exec``
        or the shell widget. The command is split like a shell would split it,
        and never run through a host shell. What may be launched (limits, bind
        mounts, namespaces) is decided by :mod:`dockerlab.policy`; any other
        option is refused with why. The options: name, detach, interactive, tty, rm,
        memory, cpus, pids, env, labels_, timeout, privileged, network, pid, ipc,
        volumes, ports (:meth:`plan_run` shows what they would send).
        """
        plan = self.plan_run(image, command, **options)
        self._twin_with_defaults(plan.twin, plan.full_twin)
        self._say_labels_once()
        if plan.limits_dropped:
            self._say_no_limits_once()
        if plan.keep_open and not plan.detach:
            self._say("(a notebook has no terminal: the container runs in the background with its input open; "
                      "use lab.exec(...) or the shell widget, or JupyterLab's Terminal for a real `docker run -it`)")
        self._ensure_volumes(plan.mounts)

        def create():
            return self._gate.create(image=plan.image, command=plan.command or None, name=plan.name, tty=plan.tty,
                                     stdin_open=plan.interactive, environment=plan.env or None,
                                     host_config=plan.host_config, session=self.session, lesson=self.lesson,
                                     extra_labels=plan.labels, ports=ports_mod.exposed(plan.ports) if plan.ports else None)

        with self._gate.slot():
            t = self._create(create, plan.ref, plan.name)
            self._start_new(t, plan.image)
        if plan.detach or plan.keep_open:
            return self._container(t)
        timeout = plan.timeout
        try:  # None waits "without limit": a day, so no engine call is left without a timeout
            code = self._wait_saying(t, plan.name, timeout)
        except E.OperationTimedOut as e:
            c = self._container(t)
            raise E.OperationTimedOut(
                f"{c.name} did not finish within {timeout:g} seconds", seconds=timeout, container=c.name,
                state=f"it is still {c.state}; nothing was stopped",
                hint=f"see its output with lab.logs({c.name!r}); stop it with lab.stop({c.name!r}); "
                     "for a long-running command use detach=True") from e
        out = self._gate.on(t, "logs")
        c = self._container(t)
        note = "" if out else _disk_full_note(c.log_path)  # before --rm frees what the container wrote
        if plan.rm:
            self._gate.on(t, "remove", force=True)
        return RunResult(Text(out), code, c, note=note)

    def create(self, image: str, command=None, *, name: str | None = None, **other) -> Container:
        """`docker create`: make a container from ``image`` without starting it (state: created).

        ``lab.start(name)`` starts it later. It gets the kit's labels and the
        teacher's default limits, as :meth:`run` gives them.
        """
        policy.refuse_unknown("create", other)
        ref = refs.parse_image(A.image_text(image))
        cmd = A.command_size(refs.split_command(command))
        if name is not None:
            name = self._gate.new_name(refs.check_name(name), say=self._say)  # on a shared engine: alice-<name>
        limits, dropped = self._enforceable(guards.apply(policy=self._gate.settings()), asked=False)
        self._twin_with_defaults(*(twin.run_twin(image=image, command=cmd, name=name, limits=shown)
                                   .replace("docker run", "docker create", 1) for shown in (guards.Limits(), limits)))
        self._say_labels_once()
        if dropped:
            self._say_no_limits_once()
        t = self._create(lambda: self._gate.create(
            image=image.strip(), command=cmd or None, name=name, host_config=_limit_config(limits),
            session=self.session, lesson=self.lesson), ref, name)
        return self._container(t)

    # --- the steps of a launch ------------------------------------------------------------
    def _enforceable(self, limits, asked: bool):
        """(limits, dropped): on an engine without cgroups (udocker), asked limits are refused, the
        teacher's defaults dropped."""
        if self.can("limits"):
            return limits, False
        if asked:
            raise self._gate.not_available(
                "limits", "Setting limits (memory=, cpus=, pids=)", state="nothing was started",
                hint="run it without limits here; the limits lesson needs a Docker Engine")
        return guards.Limits(), bool(limits.memory or limits.cpus or limits.pids)

    def _say_no_limits_once(self) -> None:
        if not self._said_no_limits:
            self._said_no_limits = True
            self._say(f"(the {self.engine_name} engine has no cgroups: the default limits are not enforced)")

    @property
    def default_limits(self) -> guards.Limits:
        """What a container gets when the learner asks for no limit: the teacher's defaults (none
        on an engine without cgroups)."""
        return guards.apply(policy=self._gate.settings()) if self.can("limits") else guards.Limits()

    def _twin_with_defaults(self, line: str, full: str) -> None:
        """The twin as the learner would type it. The first one of a lab that gets the teacher's default
        limits shows them in full and says what they are; the later ones leave them out."""
        if line == full or self._said_default_limits:
            self._twin(line)
            return
        self._said_default_limits = True
        self._twin(full)
        flags = " ".join(twin.limit_flags(self.default_limits))
        self._say(f"(the kit adds the teacher's default limits to every container it starts: {flags}; "
                  "the commands shown from here on leave them out. memory=, cpus= and pids= ask for others, "
                  "which are shown)")

    def _say_labels_once(self) -> None:
        if not self._said_labels:
            self._said_labels = True
            self._say("(the kit also labels every container it makes: " + twin.kit_labels_twin(self.lesson)
                      + "; lab.ps() and lab.cleanup() select by them)")

    def _container(self, t) -> Container:
        """A container the kit already resolved, as it is now."""
        return self._gate.refresh(t).container

    def _create(self, create, ref: ImageRef, name: str | None = None):
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
                        raise e.refine(
                            state=f"{ref} was pulled {attempt} times and removed again each time before the create",
                            hint="on a shared engine another learner's cleanup (docker rmi) can do that: "
                                 "run the cell again, or ask the teacher for an engine of your own")
                    self._say(f"{ref} was removed between the pull and the create (on a shared engine, "
                              "another learner's cleanup can do that): pulling it again")
        except E.NameConflict as e:
            raise self._explain_conflict(e)

    def _start_new(self, t, image: str) -> None:
        """Start a container just created; any failure removes it (nothing half-made is left)."""
        try:
            self._gate.on(t, "start", image=image)
        except BaseException as e:
            try:
                self._gate.on(t, "remove", force=True)
                left = "dockerlab removed it"
            except Exception:  # the engine went away meanwhile: say what may be left
                left = "it may still be there, created: lab.cleanup() removes it"
            if isinstance(e, E.DockerLabError):
                what = "its command" if isinstance(e, E.ExecutableNotFound) else "it"
                e.refine(state=f"the container was created but {what} could not start; {left}")
            raise

    def _replacing_leftover(self, create, name: str | None):
        """``create()``; when the name is held by this learner's container of this lesson, left over
        from an earlier run of it (another kernel, or before the ``connect`` cell ran again), remove
        it and create again, saying so. Anything else (another lesson's, another owner's, one the kit
        did not make, or one this lab made itself) stays, and the NameConflict goes up as before."""
        try:
            t = create()
        except E.NameConflict as e:
            if not name or not self.lesson or name in self._made:
                raise
            try:
                held = self._gate.owned(name, "replace")
            except E.DockerLabError:
                raise e from None
            lab = held.container.labels
            if not (labels.is_managed(lab) and lab.get(labels.OWNER) == self.owner
                    and lab.get(labels.LESSON) == self.lesson and _created(held.inspected) < self._born):
                raise  # a container made since this lab connected is a launch racing this one, not a leftover
            try:
                self._gate.on(held, "remove", force=True)
            except E.ContainerNotFound:
                pass
            self._tell(f"(removed {name}, left over from an earlier run of this lesson)")
            t = create()
        if name:
            self._made.add(name)
            self.cleaned.discard(name)  # made again: if it goes now, cleanup was not what removed it
        return t

    def _wait_saying(self, t, name: str | None, timeout: float | None) -> int:
        """Wait for a foreground container; after a few seconds say that it still runs. On
        Kernel > Interrupt (Ctrl-C) say what still runs and raise the kit's short Interrupted."""
        first = 5.0
        try:
            if timeout is not None and timeout <= first:
                return self._gate.on(t, "wait", timeout=timeout)
            try:
                return self._gate.on(t, "wait", timeout=first)
            except E.OperationTimedOut:
                who = name or t.id[:12]
                limit = f"up to {timeout:g} s" if timeout is not None else "with no time limit"
                self._tell(f"({who} is still running after {first:g} s; the notebook waits for it, {limit}; "
                           "Kernel > Interrupt stops waiting)")
                return self._gate.on(t, "wait", timeout=A.MAX_TIMEOUT if timeout is None else timeout - first)
        except KeyboardInterrupt:
            try:
                c = self._container(t)
                who, state = c.name, c.state
            except (E.DockerLabError, KeyboardInterrupt):
                who, state = name or t.id[:12], "running"
            raise E.Interrupted(
                f"Stopped waiting for {who} (Kernel > Interrupt)", container=who,
                state=(f"the container {who} is still {state}" if state in ("running", "paused")
                       else f"the container {who} has {state} meanwhile"),
                hint=f"lab.stop({who!r}) stops it (docker stop {who}); lab.logs({who!r}) shows its output"
                if state in ("running", "paused") else f"lab.logs({who!r}) shows its output") from None

    def _explain_conflict(self, e: E.NameConflict) -> E.NameConflict:
        """Say who holds the name and the one call that frees it (force=True when it runs); never
        whose it is, nor its id, when it is another learner's."""
        holder, visible = self._gate.holder(e.name)
        if holder is None:
            return e
        if not visible:
            return e.refine(what=f"The name {e.name!r} is already taken on this engine", existing_id="",
                            state="names are unique on an engine, and another learner's container has this one",
                            hint="choose another name")
        if holder.managed and holder.owner != self.owner:
            return e.refine(hint="it is another learner's: choose another name")
        state = f"the container {holder.name} is {holder.state}; names are unique on an engine, even for stopped ones"
        if holder.state in ("running", "paused", "restarting"):
            return e.refine(state=state, hint=f"remove it with lab.remove({holder.name!r}, force=True) (docker rm -f), "
                                              "or choose another name")
        return e.refine(state=state)


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
