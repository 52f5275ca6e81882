"""``lab.engine``: the engine contract as an owner may reach it, through the gate.

What the kit hands out as an engine (``lab.engine``: the sampler, the monitor, the exercises, the
reaper, the teacher's view and any learner's code) is a :class:`GuardedEngine`: the contract's
methods, each one a call of :class:`dockerlab.gate.Gate`, which resolves every container it names
for the action (policy first), filters every listing and event stream, and never prints a CLI twin.
Attributes the contract does not list (``.api``, the SDK client) are not there.
"""
from __future__ import annotations

from . import args
from . import errors as E

_PASSED = ("kind", "features", "limitations", "endpoint", "api_version", "calls", "rest_note", "cannot", "builder")


class GuardedEngine:
    """An engine backend seen through one owner's gate."""

    def __init__(self, gate):
        object.__setattr__(self, "_gate", gate)

    def __getattr__(self, name):
        if name in _PASSED:
            return getattr(self._gate, name)
        raise AttributeError(f"lab.engine has no {name!r}: the kit's engine offers its contract's methods only")

    def __setattr__(self, name, value):
        raise AttributeError("lab.engine is read-only")

    def __repr__(self) -> str:
        return f"<guarded {self._gate.kind} engine for {self._gate.owner!r}>"

    def can(self, feature: str) -> bool:
        return self._gate.can(feature)

    # --- engine-wide, showing no one's containers ------------------------------------------
    def ping(self):
        return self._gate.ping()

    def version(self):
        return self._gate.version()

    def info(self):
        return self._gate.info()

    def df(self):
        return self._gate.df()

    def images(self, **kw):
        return self._gate.images(**kw)

    def inspect_image(self, ref):
        return self._gate.inspect_image(ref)

    def pull(self, repository, tag):
        return self._gate.pull(repository, tag)

    def push(self, repository, tag):
        return self._gate.push(repository, tag)

    def tag(self, image, repository, tag):
        return self._gate.tag(image, repository, tag)

    def save_images(self, names, **kw):
        return self._gate.save_images(names, **kw)

    def load_images(self, data):
        return self._gate.load_images(data)

    def remove_image(self, ref, *, force=False):
        return self._gate.remove_image(ref, force=force)

    # engine-wide reads of images and volumes (names, no one's containers); making and removing them
    # goes through the Lab (lab.build, lab.volume...), whose options the gate checks
    def history(self, ref):
        return self._gate.history(ref)

    def volumes(self, *, filters=None):
        return self._gate.volumes(filters=filters)

    def inspect_volume(self, name):
        return self._gate.inspect_volume(name)

    def build(self, *a, **kw):
        raise E.GuardRefused("lab.engine.build() is not offered: images are built by lab.build, which checks "
                             "what the build may reach", guard="build", state="nothing was built",
                             hint="use lab.build(...)")

    def create_volume(self, *a, **kw):
        raise _volume_refused()

    def remove_volume(self, *a, **kw):
        raise _volume_refused()

    def networks(self, *, filters=None):
        return self._gate.networks(filters=filters)

    def inspect_network(self, name):
        return self._gate.inspect_network(name)

    def create_network(self, *a, **kw):
        raise _refused("network changes", "network", "lab.network_create(name) and lab.network_remove(name)")

    def remove_network(self, *a, **kw):
        raise _refused("network changes", "network", "lab.network_create(name) and lab.network_remove(name)")

    def compose(self, *a, **kw):
        raise _refused("Compose runs", "compose", "app = lab.compose('folder'), then app.up(), app.down()")

    # --- containers: each one resolved by the gate for its action -------------------------------
    def containers(self, *, all=False, filters=None):
        return self._gate.containers(all=all, filters=filters)

    def inspect_container(self, ref):
        return self._gate.look(ref, "inspect").inspected

    def logs(self, ref, **kw):
        return self._gate.on(self._gate.look(ref, "read the logs of"), "logs", **kw)

    def stats(self, ref, **kw):
        return self._gate.on(self._gate.look(ref, "read the stats of"), "stats", **kw)

    def wait(self, ref, *, timeout=None):
        t = self._gate.look(ref, "wait for")
        timeout = args.seconds(timeout)
        return self._gate.on(t, "wait", timeout=timeout if timeout is not None else args.MAX_TIMEOUT)

    def _act(self, ref, action, method, **kw):
        return self._gate.on(self._gate.owned(ref, action), method, **kw)

    def start(self, ref, **kw):
        t = self._gate.owned(ref, "start")
        if t.container.state in ("running", "paused", "restarting"):
            return self._gate.on(t, "start")
        with self._gate.slot():  # max_running holds here too
            return self._gate.on(t, "start")

    def stop(self, ref, *, timeout=10):
        self._act(ref, "stop", "stop", timeout=args.whole(timeout, "timeout", maximum=3600, allow_none=False))

    def restart(self, ref, *, timeout=10):
        self._act(ref, "restart", "restart", timeout=args.whole(timeout, "timeout", maximum=3600, allow_none=False))

    def kill(self, ref, *, signal="KILL"):
        self._act(ref, "kill", "kill", signal=args.signal(signal))

    def pause(self, ref):
        self._gate.need("pause", "docker pause")
        self._act(ref, "pause", "pause")

    def unpause(self, ref):
        self._gate.need("pause", "docker unpause")
        self._act(ref, "unpause", "unpause")

    def remove(self, ref, *, force=False):
        self._act(ref, "remove", "remove", force=args.flag(force, "force"))

    def exec(self, ref, cmd, **kw):
        from . import refs

        argv = args.command_size(refs.split_command(list(cmd) if isinstance(cmd, (list, tuple)) else cmd))
        if not argv:
            raise E.InvalidReference("exec needs a command", hint="for example lab.engine.exec('web', ['ps'])")
        t = self._gate.owned(ref, "exec in")
        if t.container.state != "running":
            raise E.ContainerStateError(f"Cannot exec in {t.name}: it is {t.container.state}, not running",
                                        container=t.name, status=t.container.state,
                                        hint=f"start it first: lab.start({t.name!r})")
        return self._gate.on(t, "exec", argv)

    def create_container(self, **kw):
        raise E.GuardRefused("lab.engine.create_container() is not offered: containers are made by lab.run or "
                             "lab.create, which check what they launch", guard="create",
                             state="nothing was created", hint="use lab.create(image, command) or lab.run(...)")

    # --- streams and the REST API ----------------------------------------------------------------------
    def events(self, **kw):
        return self._gate.events(**kw)

    def events_stream(self, **kw):
        return self._gate.events_stream(**kw)

    def rest_get(self, path, params=None):
        return self._gate.rest_get(path, params)

    def close(self):
        self._gate.close()


def _refused(what: str, guard: str, use: str) -> E.GuardRefused:
    return E.GuardRefused(f"lab.engine's {what} are not offered: they go through the lab, whose policy decides",
                          guard=guard, state="nothing was changed", hint=f"use {use}")


def _volume_refused() -> E.GuardRefused:
    return E.GuardRefused("lab.engine's volume changes are not offered: volumes are made and removed through the "
                          "lab, whose policy decides", guard="volume", state="nothing was changed",
                          hint="use the lab's volume methods (and lab.run(volumes=['name:/path']))")
