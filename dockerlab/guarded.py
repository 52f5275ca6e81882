"""``lab.engine``: the engine as a learner's code reaches it, through the policy.

The Lab keeps the raw backend to itself; what it hands out (``lab.engine``, used by the
sampler, the monitor, the exercises and any learner's code) is a :class:`GuardedEngine`: the
same methods (the engine contract), each container it names checked by :mod:`dockerlab.policy`
first, every listing and event stream filtered to what the learner may see. Attributes the
contract does not list (``.api``, the SDK client) are not there.
"""
from __future__ import annotations

from . import args
from . import errors as E
from . import policy


class GuardedEngine:
    """An engine backend seen through one learner's policy (see :mod:`dockerlab.policy`)."""

    _PASSED = ("kind", "features", "endpoint", "api_version", "calls", "rest_note", "cannot", "limitations")

    def __init__(self, raw, lab):
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_lab", lab)

    def __getattr__(self, name):
        if name in GuardedEngine._PASSED:
            return getattr(self._raw, name)
        raise AttributeError(f"lab.engine has no {name!r}: the kit's engine offers its contract's methods only")

    def __setattr__(self, name, value):
        raise AttributeError("lab.engine is read-only")

    def __repr__(self) -> str:
        return f"<guarded {self._raw.kind} engine for {self._lab.owner!r}>"

    # --- engine-wide, showing no one's containers ------------------------------------------
    def ping(self):
        return self._raw.ping()

    def version(self):
        return self._raw.version()

    def info(self):
        return self._raw.info()

    def df(self):
        d = dict(self._raw.df())
        if d.get("Containers"):
            d["Containers"], _ = policy.filter_listing(d["Containers"], self._lab.owner)
        return d

    def images(self, **kw):
        return self._raw.images(**kw)

    def inspect_image(self, ref):
        return self._raw.inspect_image(args.image_text(ref))

    def pull(self, repository, tag):
        return self._raw.pull(args.image_text(repository), args.image_text(tag, "A tag"))

    def push(self, repository, tag):
        return self._raw.push(args.image_text(repository), args.image_text(tag, "A tag"))

    def tag(self, image, repository, tag):
        return self._raw.tag(args.image_text(image), args.image_text(repository), args.image_text(tag, "A tag"))

    def save_images(self, names, **kw):
        return self._raw.save_images([args.image_text(n) for n in names], **kw)

    def load_images(self, data):
        return self._raw.load_images(data)

    def remove_image(self, ref, *, force=False):
        return self._raw.remove_image(args.image_text(ref), force=args.flag(force, "force"))

    def load(self, path):  # udocker's own loader of a `docker save` archive (its hints name it)
        return self._raw.load(path)

    # engine-wide reads of images and volumes (names, no one's containers); making and removing them
    # goes through the Lab (lab.build, lab.volume...), whose options the policy checks
    def history(self, ref, **kw):
        return self._raw.history(args.image_text(ref), **kw)

    def volumes(self, **kw):
        return self._raw.volumes(**kw)

    def inspect_volume(self, name):
        return self._raw.inspect_volume(args.image_text(name, "A volume name"))

    def build(self, *a, **kw):
        raise E.GuardRefused("lab.engine.build() is not offered: images are built by lab.build, which checks "
                             "what the build may reach", guard="build", state="nothing was built",
                             hint="use lab.build(...)")

    create_volume = remove_volume = None  # set below: refused, with the Lab's method named

    # --- containers: each one checked ---------------------------------------------------------
    def containers(self, *, all=False, filters=None):
        rows = self._raw.containers(all=all, filters=filters)
        return policy.filter_listing(rows, self._lab.owner)[0]

    def inspect_container(self, ref):
        return self._lab._look(ref, "inspect", confirm=False, raw=True)

    def logs(self, ref, **kw):
        return self._raw.logs(self._lab._look(ref, "read the logs of", confirm=False).id, **kw)

    def stats(self, ref, **kw):
        return self._raw.stats(self._lab._look(ref, "read the stats of", confirm=False).id, **kw)

    def wait(self, ref, *, timeout=None):
        cid = self._lab._look(ref, "wait for", confirm=False).id
        timeout = args.seconds(timeout)
        return self._raw.wait(cid, timeout=timeout if timeout is not None else args.MAX_TIMEOUT)

    def start(self, ref, **kw):
        return self._lab.start(ref)

    def stop(self, ref, *, timeout=10):
        self._lab.stop(ref, timeout=timeout)

    def restart(self, ref, *, timeout=10):
        self._lab.restart(ref, timeout=timeout)

    def kill(self, ref, *, signal="KILL"):
        self._lab.kill(ref, signal=signal)

    def pause(self, ref):
        self._lab.pause(ref)

    def unpause(self, ref):
        self._lab.unpause(ref)

    def remove(self, ref, *, force=False):
        self._lab.remove(ref, force=force)

    def exec(self, ref, cmd, **kw):
        res = self._lab.exec(ref, list(cmd) if isinstance(cmd, (list, tuple)) else cmd)
        return res.exit_code, res.output

    def create_container(self, **kw):
        raise E.GuardRefused("lab.engine.create_container() is not offered: containers are made by lab.run or "
                             "lab.create, which check what they launch", guard="create",
                             state="nothing was created", hint="use lab.create(image, command) or lab.run(...)")

    # --- streams ----------------------------------------------------------------------------------
    def events(self, **kw):
        return _Visible(self._raw.events(**kw), self._lab.owner)

    def events_stream(self, **kw):
        opener = getattr(self._raw, "events_stream", None)
        raw = opener(**kw) if opener is not None else self._raw.events(**kw)
        return _Visible(raw, self._lab.owner)

    def rest_get(self, path, params=None):
        return self._lab._rest(path, dict(params or {}))

    def close(self):
        self._raw.close()


def _volume_refused(self, *a, **kw):
    raise E.GuardRefused("lab.engine's volume changes are not offered: volumes are made and removed through the "
                         "lab, whose policy decides", guard="volume", state="nothing was changed",
                         hint="use the lab's volume methods (and lab.run(volumes=['name:/path']))")


GuardedEngine.create_volume = GuardedEngine.remove_volume = _volume_refused


class _Visible:
    """An event stream without the events of containers the learner may not see (a container's
    events carry its labels, so another learner's start, stop or name never reach the reader)."""

    def __init__(self, raw, owner: str):
        self._raw = raw
        self._owner = owner

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            ev = next(self._raw) or {}
            if ev.get("Type", "container") != "container":
                return ev
            if policy.may_see((ev.get("Actor") or {}).get("Attributes") or {}, self._owner):
                return ev

    def close(self):
        close = getattr(self._raw, "close", None)
        if close is not None:
            close()
