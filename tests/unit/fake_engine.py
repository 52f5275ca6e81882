"""An in-memory engine for unit tests of the Lab's own logic (policy, arguments, twins, cleanup).

It answers in the Engine API's dict shapes, raises the kit's errors as the real backend's
translator does, and checks ``host_config`` with docker-py's own ``HostConfig`` (so an option
the SDK would refuse is refused here too). Containers "run" a tiny interpreter: ``sleep``,
``top`` and ``cat`` keep running until stopped; ``echo`` prints; ``true``/``false`` exit 0/1;
anything else exits 127. Not a Docker Engine: engine tests use the real one.
"""
from __future__ import annotations

import itertools
import threading
import uuid
from collections import deque
from types import SimpleNamespace

from dockerlab import errors as E
from dockerlab.engine.contract import Engine
from dockerlab.engine.progress import Progress
from dockerlab.engine.translate import translate_error

_KEEP_RUNNING = ("sleep", "top", "cat", "tail")


class FakeEngine(Engine):
    kind = "fake"
    FEATURES = frozenset({"detach", "stop", "logs", "exec", "stats", "events", "limits", "pid-namespace",
                          "network-isolation", "pull", "restart", "kill", "df", "pause", "load", "volumes"})
    api_version = "1.41"

    def __init__(self, images=("alpine:latest", "busybox:latest", "ubuntu:latest", "hello-world:latest")):
        self.endpoint = SimpleNamespace(url="unix:///fake/docker.sock", source="fake", scheme="unix",
                                        path="/fake/docker.sock")
        self.calls = deque(maxlen=500)
        self._lock = threading.RLock()
        self._c: dict[str, dict] = {}
        self._images = {t: "sha256:" + uuid.uuid5(uuid.NAMESPACE_DNS, t).hex * 2 for t in images}
        self._seq = itertools.count(1)

    # --- plumbing -------------------------------------------------------------------
    def _note(self, method, path, status=200):
        self.calls.append((method, f"/v{self.api_version}{path}", status))

    def _find(self, ref) -> dict:
        if not isinstance(ref, str):
            raise translate_error(TypeError(f"expected a string, not {type(ref).__name__}"), action="inspect")
        with self._lock:
            if ref in self._c:
                return self._c[ref]
            for c in self._c.values():
                if c["Name"] == "/" + ref:
                    return c
            hits = [c for cid, c in self._c.items() if ref and cid.startswith(ref)]
        if len(hits) == 1:
            return hits[0]
        raise E.ContainerNotFound(f"No such container: {ref}", container=ref,
                                  state="it may have been removed, or the name is misspelt",
                                  hint="list them with lab.ps(all=True) (docker ps -a)")

    def _image_tag(self, ref: str) -> str:
        return ref if ":" in ref.rsplit("/", 1)[-1] else ref + ":latest"

    # --- system ---------------------------------------------------------------------
    def ping(self):
        return True

    def version(self):
        return {"Version": "fake-1.0", "ApiVersion": self.api_version, "Os": "linux",
                "Components": [{"Name": "Engine", "Version": "fake-1.0"}]}

    def info(self):
        with self._lock:
            running = sum(1 for c in self._c.values() if c["State"]["Status"] == "running")
            return {"ServerVersion": "fake-1.0", "NCPU": 2, "MemTotal": 4 * 2**30, "Containers": len(self._c),
                    "ContainersRunning": running, "Images": len(self._images), "RegistryConfig": {"Mirrors": []}}

    def df(self):
        with self._lock:
            return {"Images": [], "Containers": [self._listing(c) for c in self._c.values()], "Volumes": [],
                    "BuildCache": [], "LayersSize": 0}

    def events(self, *, since=None, until=None, filters=None, decode=True):
        return iter(())

    def events_stream(self, *, since=None, filters=None):
        return _Closable(iter(()))

    # --- containers -------------------------------------------------------------------
    def _listing(self, c: dict) -> dict:
        return {"Id": c["Id"], "Names": [c["Name"]], "Image": c["Config"]["Image"], "ImageID": "",
                "Command": " ".join(c["Config"]["Cmd"] or []), "Created": c["_created"],
                "State": c["State"]["Status"], "Status": c["State"]["Status"], "Labels": c["Config"]["Labels"],
                "Ports": []}

    def containers(self, *, all=False, filters=None):
        self._note("GET", "/containers/json")
        wanted = list((filters or {}).get("label") or [])
        out = []
        with self._lock:
            for c in self._c.values():
                if not all and c["State"]["Status"] != "running":
                    continue
                lab = c["Config"]["Labels"]
                if all_match(lab, wanted):
                    out.append(self._listing(c))
        return out

    def inspect_container(self, ref):
        c = self._find(ref)
        self._note("GET", f"/containers/{c['Id']}/json")
        return {k: v for k, v in c.items() if not k.startswith("_")}

    def create_container(self, *, image, command=None, name=None, labels=None, tty=False, stdin_open=False,
                         environment=None, entrypoint=None, working_dir=None, host_config=None, ports=None):
        from docker.types import HostConfig

        hc = HostConfig(version=self.api_version, **(host_config or {}))  # the SDK's own checks (TypeError...)
        for text in [image, name or "", *(command or [])] + [str(v) for v in (labels or {}).values()]:
            if "\x00" in str(text):
                raise translate_error(ValueError("embedded null byte"), action=f"create a container from {image}")
        tag = self._image_tag(image)
        if tag not in self._images:
            raise E.ImageNotFound(f"The image {image!r} was not found", image=image,
                                  hint="check the spelling and the tag on the registry; local images: lab.images()")
        with self._lock:
            if name is not None:
                for c in self._c.values():
                    if c["Name"] == "/" + name:
                        raise E.NameConflict(f"The name {name!r} is already in use by container {c['Id'][:12]}",
                                             name=name, existing_id=c["Id"][:12],
                                             state="names are unique on an engine, even for stopped containers",
                                             hint=f"remove the old one (lab.remove({name!r})), or choose another name")
            cid = uuid.uuid4().hex + uuid.uuid4().hex
            cmd = list(command) if command else ["/bin/sh"]
            self._c[cid] = {"Id": cid, "Name": "/" + (name or f"fake_{next(self._seq)}"),
                            "Config": {"Image": image, "Cmd": cmd, "Labels": dict(labels or {}), "Tty": tty,
                                       "OpenStdin": stdin_open, "Env": environment},
                            "HostConfig": dict(hc),
                            "State": {"Status": "created", "ExitCode": 0, "OOMKilled": False, "Running": False},
                            "_created": next(self._seq), "_out": ""}
        self._note("POST", "/containers/create", 201)
        return cid

    def start(self, ref, *, image=""):
        c = self._find(ref)
        cmd = c["Config"]["Cmd"]
        prog = cmd[0].rsplit("/", 1)[-1]
        st = c["State"]
        if prog in _KEEP_RUNNING or (c["Config"]["OpenStdin"] and prog in ("sh", "bash")):
            st.update(Status="running", Running=True)
        elif prog == "echo":
            c["_out"] += " ".join(cmd[1:]) + "\n"
            st.update(Status="exited", ExitCode=0, Running=False)
        elif prog in ("true", "sh", "bash"):
            st.update(Status="exited", ExitCode=0, Running=False)
        elif prog == "false":
            st.update(Status="exited", ExitCode=1, Running=False)
        else:
            raise E.ExecutableNotFound(f"The image {image or c['Config']['Image']} has no {cmd[0]}", image=image,
                                       executable=cmd[0], state="the container was created but its command could not start",
                                       hint="list what the image has: lab.run(image, 'ls /bin')")
        self._note("POST", f"/containers/{c['Id']}/start", 204)

    def _end(self, c, code):
        c["State"].update(Status="exited", ExitCode=code, Running=False)

    def stop(self, ref, *, timeout=10):
        self._end(self._find(ref), 143)

    def restart(self, ref, *, timeout=10):
        c = self._find(ref)
        c["State"].update(Status="created")
        self.start(c["Id"])

    def kill(self, ref, *, signal="KILL"):
        c = self._find(ref)
        if c["State"]["Status"] != "running":
            raise E.ContainerStateError(f"Cannot kill {ref}: the container is not running", container=ref,
                                        status="not running", hint="start it first")
        self._end(c, 137)

    def pause(self, ref):
        self._find(ref)["State"]["Status"] = "paused"

    def unpause(self, ref):
        self._find(ref)["State"]["Status"] = "running"

    def remove(self, ref, *, force=False):
        c = self._find(ref)
        if c["State"]["Status"] == "running" and not force:
            raise E.ContainerStateError(f"Cannot remove {ref}: the container is running", container=ref,
                                        status="running", hint="stop it first, or remove it with force=True")
        with self._lock:
            self._c.pop(c["Id"], None)

    def wait(self, ref, *, timeout=None):
        import urllib3

        c = self._find(ref)
        try:
            urllib3.util.Timeout(read=timeout)  # what requests checks before the request goes out
        except Exception as e:
            raise translate_error(e, action=f"wait for {ref}", container=ref) from e
        if c["State"]["Status"] == "running":
            raise E.OperationTimedOut(f"The engine did not finish while trying to wait for {ref} in the time allowed",
                                      container=ref, state="the engine still answers",
                                      hint="wait longer (a larger timeout=)")
        return c["State"]["ExitCode"]

    def logs(self, ref, *, tail="all", timestamps=False):
        c = self._find(ref)
        if tail != "all" and not isinstance(tail, int):
            raise translate_error(TypeError("tail"), action=f"read the logs of {ref}")
        lines = c["_out"].splitlines(keepends=True)
        return "".join(lines if tail == "all" else lines[-tail:] if tail else [])

    def exec(self, ref, cmd, *, tty=False, workdir=None, environment=None):
        c = self._find(ref)
        if c["State"]["Status"] != "running":
            raise E.ContainerStateError(f"Cannot exec in {ref}: the container is not running", container=ref,
                                        status="not running", hint="start it first")
        if cmd and cmd[0] == "echo":
            return 0, " ".join(cmd[1:]) + "\n"
        return 0, ""

    def stats(self, ref, *, stream=False, one_shot=None):
        c = self._find(ref)
        sample = {"read": "2026-01-01T00:00:00.000000000Z", "id": c["Id"], "name": c["Name"],
                  "cpu_stats": {"cpu_usage": {"total_usage": 1000}, "system_cpu_usage": 100000, "online_cpus": 2},
                  "precpu_stats": {}, "memory_stats": {"usage": 2**20, "limit": 2**29, "stats": {}},
                  "pids_stats": {"current": 1}, "networks": {}, "blkio_stats": {}}
        if not stream:
            return sample
        return _Closable(iter([sample, dict(sample, read="2026-01-01T00:00:01.000000000Z")]))

    # --- images -------------------------------------------------------------------------
    def images(self, *, name=None, all=False, filters=None):
        if (filters or {}).get("label"):  # the fake's images carry no labels
            return []
        return [{"Id": iid, "RepoTags": [t], "Size": 1000, "Created": 0} for t, iid in sorted(self._images.items())]

    def inspect_image(self, ref):
        if not isinstance(ref, str):
            raise translate_error(TypeError("ref"), action="inspect the image")
        tag = self._image_tag(ref)
        if tag not in self._images:
            raise E.ImageNotFound(f"The image {ref!r} was not found", image=ref,
                                  hint="check the spelling; local images: lab.images()")
        return {"Id": self._images[tag], "RepoTags": [tag], "Size": 1000}

    def pull(self, repository, tag):
        full = f"{repository}:{tag}"
        if full in self._images:
            return iter([Progress(status=f"Pulling from {repository}", layer=tag),
                         Progress(status="Status: Image is up to date for " + full)])
        from dockerlab.engine.progress import raising
        from dockerlab.engine.translate import pull_failed

        return raising(iter([Progress(error=f"manifest for {full} not found: manifest unknown")]),
                       lambda message, downloading, output: pull_failed(message, image=full, known=[
                           t.split(":")[0] for t in self._images]))

    def remove_image(self, ref, *, force=False):
        tag = self._image_tag(ref)
        if tag not in self._images:
            raise E.ImageNotFound(f"The image {ref!r} was not found", image=ref, hint="lab.images() lists them")
        return [{"Untagged": self._images.pop(tag)}]

    def tag(self, image, repository, tag):
        self._images[f"{repository}:{tag}"] = self.inspect_image(image)["Id"]

    def push(self, repository, tag):
        return iter(())

    # --- named volumes (in memory) ---------------------------------------------------------------
    def create_volume(self, name, *, labels=None, driver="local"):
        vols = self.__dict__.setdefault("_volumes", {})
        vols.setdefault(name, {"Name": name, "Driver": driver, "Labels": dict(labels or {}), "Mountpoint": f"/v/{name}"})
        self._note("POST", "/volumes/create", 201)
        return vols[name]

    def volumes(self, *, filters=None):
        wanted = (filters or {}).get("label") or []
        return [v for v in self.__dict__.get("_volumes", {}).values() if all_match(v["Labels"], wanted)]

    def inspect_volume(self, name):
        from dockerlab import errors as E

        if name not in self.__dict__.get("_volumes", {}):
            raise E.VolumeNotFound(f"No such volume: {name}", volume=name)
        return self._volumes[name]

    def remove_volume(self, name, *, force=False):
        self.inspect_volume(name)
        del self._volumes[name]

    def save_images(self, names, *, chunk_size=1 << 20):
        for n in names:
            self.inspect_image(n)
        return iter([b"fake-archive"])

    def load_images(self, data):
        return [Progress(status="Loaded image: alpine:latest", loaded="alpine:latest")]

    def rest_get(self, path, params=None):
        if path in ("/version",):
            return self.version()
        if path == "/info":
            return self.info()
        if path == "/_ping":
            return "OK"
        if path == "/system/df":
            return self.df()
        if path == "/containers/json":
            return self.containers(all=bool((params or {}).get("all")))
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "containers":
            c = self._find(parts[1])
            return {"json": self.inspect_container, "stats": lambda r: self.stats(r),
                    "top": lambda r: {"Titles": ["PID", "CMD"], "Processes": [["1", " ".join(c["Config"]["Cmd"])]]}
                    }.get(parts[2], lambda r: (_ for _ in ()).throw(
                        E.EngineError(f"The engine could not GET {path}", status_code=404,
                                      hint="see the Engine API reference")))(c["Id"])
        if len(parts) >= 3 and parts[0] == "images":
            return self.inspect_image("/".join(parts[1:-1]))
        raise E.EngineError(f"The engine could not GET {path}", status_code=404, hint="see the Engine API reference")

    def close(self):
        pass


def all_match(labels: dict, wanted: list[str]) -> bool:
    for w in wanted:
        k, _, v = w.partition("=")
        if k not in labels or ("=" in w and labels[k] != v):
            return False
    return True


class _Closable:
    def __init__(self, it):
        self._it = it
        self.closed = False

    def __iter__(self):
        return self

    def __next__(self):
        if self.closed:
            raise StopIteration
        return next(self._it)

    def close(self):
        self.closed = True


class BuildingFakeEngine(FakeEngine):
    """A fake that builds: BuildKit's way, or with ``builder="classic"`` the classic builder's (no secrets).
    Each build's keywords are kept in ``builds``; it prints ``output`` (a BuildKit-like line by default)."""

    FEATURES = FakeEngine.FEATURES | {"build", "save"}

    def __init__(self, *args, builder: str = "buildkit", output: str = "", **kw):
        super().__init__(*args, **kw)
        self.builder = builder
        self.output = output or "#1 [1/1] FROM docker.io/library/alpine:latest\n#1 DONE 0.0s\n"
        self.builds: list[dict] = []

    def build(self, *, tag, path=None, dockerfile_text=None, labels=None, nocache=False, pull=False,
              build_args=None, target=None, secrets=None):
        if secrets and self.builder != "buildkit":
            raise E.needs_buildkit("A build secret (docker build --secret)", engine=self.kind)
        self.builds.append(dict(tag=tag, path=path, dockerfile_text=dockerfile_text, labels=labels, nocache=nocache,
                                pull=pull, build_args=build_args, target=target, secrets=secrets))
        iid = "sha256:" + uuid.uuid5(uuid.NAMESPACE_DNS, f"{tag}{len(self.builds)}").hex * 2
        self._images[self._image_tag(tag)] = iid
        return iter([Progress(stream=line) for line in self.output.splitlines(keepends=True)] + [Progress(image_id=iid)])

    def history(self, ref):
        return [{"Id": self.inspect_image(ref)["Id"], "Created": 0, "CreatedBy": 'CMD ["sh"]', "Size": 0}]
