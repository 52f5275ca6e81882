"""The Docker Engine backend: a thin layer over docker-py's low-level ``APIClient``.

Every public method returns the Engine API's own dicts. Every call goes through
:meth:`DockerEngine._call`, which translates errors, so nothing above this
module ever sees a docker, requests or urllib3 exception.
"""
from __future__ import annotations

import contextlib
import threading
from collections import deque

from .. import errors as E
from ..endpoints import Endpoint
from .contract import FEATURES as CONTRACT_FEATURES
from .contract import Engine
from . import progress
from .progress import Progress
from .translate import build_failed, pull_failed, translate_error


class DockerEngine(Engine):
    """One connection to a Docker-compatible engine (Docker Engine, or podman's API)."""

    kind = "docker"
    #: What this backend can do (``features`` below drops "limits" where they are not enforced);
    #: the udocker backend lists fewer.
    FEATURES = frozenset({"detach", "stop", "logs", "exec", "stats", "events", "limits", "pid-namespace",
                          "network-isolation", "pull", "restart", "kill", "df", "pause", "load",
                          "build", "push", "ports", "volumes", "save", "cgroup-files", "networks", "compose"})
    LIMITATIONS = {"limits": "this engine has no cgroup driver (docker info: Cgroup Driver none): a rootless engine on "
                             "cgroup v1 accepts --memory and --cpus and does not enforce them",
                   "pause": "this engine has no cgroup driver (docker info: Cgroup Driver none), so no freezer",
                   "compose": "this machine's docker CLI has no Compose v2 plugin (docker compose version fails), or "
                              "cannot reach this engine"}

    def __init__(self, endpoint: Endpoint, *, timeout: float = 60, max_pool_size: int = 64):
        import docker

        self.endpoint = endpoint
        tls = None
        if endpoint.tls:
            from docker.tls import TLSConfig

            tls = TLSConfig(client_cert=endpoint.tls.get("client_cert"), ca_cert=endpoint.tls.get("ca_cert"),
                            verify=endpoint.tls.get("ca_cert") if endpoint.tls.get("verify") else False)
        url = endpoint.url
        try:
            self.api = docker.APIClient(base_url=url, version="auto", timeout=timeout, tls=tls,
                                        max_pool_size=max_pool_size, use_ssh_client=url.startswith("ssh://"))
        except Exception as e:  # DockerException, requests errors, paramiko errors...
            raise translate_error(e, action="ask the engine for its version", endpoint=url) from e
        self.calls = deque(maxlen=500)  # (method, path, status) of every API request
        self._trace_lock = threading.Lock()
        self.api.hooks["response"].append(self._record)

    # --- plumbing ---------------------------------------------------------
    def _record(self, response, *args, **kwargs):
        from urllib.parse import urlsplit

        req = response.request
        path = urlsplit(req.url)
        path = path.path + (f"?{path.query}" if path.query else "")
        # the SDK prefixes /v1.41: keep it, it is what the engine sees
        with self._trace_lock:
            self.calls.append((req.method, path, response.status_code))

    def _translate(self, exc, *, action: str, image: str = "", container: str = ""):
        """docker-py's, requests' and urllib3's exceptions as the kit's (:mod:`.translate`)."""
        known = self._known_images() if image else ()
        return translate_error(exc, action=action, image=image, container=container,
                               endpoint=self.endpoint.url, known_images=known)

    @property
    def api_version(self) -> str:
        return self.api.api_version

    # --- system -------------------------------------------------------------
    @property
    def features(self) -> frozenset:
        """What this engine can do: a rootless engine on cgroup v1 (Cgroup Driver none) accepts
        limits and does not enforce them, and cannot pause, so it has no "limits" and no "pause"
        (asked once, then kept); "compose" only where this machine's docker CLI has the plugin."""
        feats = self._engine_features()
        return feats if "compose" not in feats or self._compose_works() else feats - {"compose"}

    def can(self, feature: str) -> bool:
        """As the contract's; only "compose" asks this machine's docker CLI (`docker compose version`, a
        process of its own, 60-100 ms), so only a lab that needs Compose pays for the asking."""
        if feature != "compose" and feature in CONTRACT_FEATURES:
            return feature in self._engine_features()
        return super().can(feature)

    def _engine_features(self) -> frozenset:
        if not hasattr(self, "_features"):
            try:
                info = self.info()
            except Exception:  # not answering now: claim nothing more than the class does
                return self.FEATURES
            no_cgroups = str(info.get("CgroupDriver", "")).lower() == "none"
            # no cgroups: no limits, and no freezer for `docker pause` either
            self._features = self.FEATURES - {"limits", "pause"} if no_cgroups else self.FEATURES
        return self._features

    def _compose_works(self) -> bool:
        if not hasattr(self, "_compose"):
            from . import compose_cli

            self._compose = compose_cli.available(self.endpoint.url)
        return self._compose

    def ping(self) -> bool:
        return bool(self._call("ping the engine", lambda: self.api.ping()))

    def version(self) -> dict:
        return self._call("read the engine's version", lambda: self.api.version())

    def info(self) -> dict:
        return self._call("read the engine's info", lambda: self.api.info())

    def df(self) -> dict:
        return self._call("read disk usage (docker system df)", lambda: self.api.df())

    def events(self, *, since=None, until=None, filters=None, decode=True):
        return self._stream("follow the engine's events",
                            lambda: self.api.events(since=since, until=until, filters=filters, decode=decode))

    def events_stream(self, *, since=None, filters=None) -> "ClosableStream":
        """Like :meth:`events`, but another thread may ``close()`` it, which ends a
        blocked read at once (the live stats sampler stops its event follower so)."""
        action = "follow the engine's events"
        raw = self._call(action, lambda: self.api.events(since=since, filters=filters, decode=True))
        return ClosableStream(raw, action=action, endpoint=self.endpoint.url)

    # --- containers ---------------------------------------------------------
    def containers(self, *, all: bool = False, filters: dict | None = None) -> list[dict]:
        return self._call("list containers", lambda: self.api.containers(all=all, filters=filters))

    def inspect_container(self, ref: str) -> dict:
        return self._call(f"inspect the container {ref}", lambda: self.api.inspect_container(ref), container=ref)

    def create_container(self, *, image: str, command=None, name=None, labels=None, tty=False,
                         stdin_open=False, environment=None, entrypoint=None, working_dir=None,
                         host_config: dict | None = None, ports=None) -> str:
        hc = self.api.create_host_config(**(host_config or {}))
        res = self._call(f"create a container from {image}", lambda: self.api.create_container(
            image=image, command=command, name=name, labels=labels, tty=tty, stdin_open=stdin_open,
            environment=environment, entrypoint=entrypoint, working_dir=working_dir, host_config=hc,
            ports=ports),
            image=image, container=name or "")
        return res["Id"]

    def start(self, ref: str, *, image: str = "") -> None:
        self._call(f"start {ref}", lambda: self.api.start(ref), container=ref, image=image)

    def stop(self, ref: str, *, timeout: int = 10) -> None:
        self._call(f"stop {ref}", lambda: self.api.stop(ref, timeout=timeout), container=ref)

    def restart(self, ref: str, *, timeout: int = 10) -> None:
        self._call(f"restart {ref}", lambda: self.api.restart(ref, timeout=timeout), container=ref)

    def kill(self, ref: str, *, signal: str = "KILL") -> None:
        self._call(f"kill {ref}", lambda: self.api.kill(ref, signal=signal), container=ref)

    def remove(self, ref: str, *, force: bool = False) -> None:
        self._call(f"remove {ref}", lambda: self.api.remove_container(ref, force=force), container=ref)

    def pause(self, ref: str) -> None:
        self._call(f"pause {ref}", lambda: self.api.pause(ref), container=ref)

    def unpause(self, ref: str) -> None:
        self._call(f"unpause {ref}", lambda: self.api.unpause(ref), container=ref)

    def wait(self, ref: str, *, timeout: float | None = None) -> int:
        res = self._call(f"wait for {ref}", lambda: self.api.wait(ref, timeout=timeout), container=ref)
        return int(res.get("StatusCode", -1))

    def logs(self, ref: str, *, tail="all", timestamps=False) -> str:
        out = self._call(f"read the logs of {ref}", lambda: self.api.logs(ref, stdout=True, stderr=True, tail=tail, timestamps=timestamps), container=ref)
        return out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out)

    def exec(self, ref: str, cmd: list[str], *, tty: bool = False, workdir=None, environment=None) -> tuple[int, str]:
        ex = self._call(f"exec in {ref}", lambda: self.api.exec_create(ref, cmd, tty=tty, workdir=workdir, environment=environment), container=ref)
        out = self._call(f"exec in {ref}", lambda: self.api.exec_start(ex["Id"], tty=tty), container=ref)
        code = self._call(f"exec in {ref}", lambda: self.api.exec_inspect(ex["Id"]), container=ref).get("ExitCode")
        return (code if code is not None else -1), out.decode("utf-8", "replace")

    def stats(self, ref: str, *, stream: bool = False, one_shot: bool | None = None):
        if not stream:
            kwargs = {"stream": False} if one_shot is None else {"stream": False, "one_shot": one_shot}
            return self._call(f"read the stats of {ref}", lambda: self.api.stats(ref, **kwargs), container=ref)
        params = {"stream": True} if one_shot is None else {"stream": True, "one-shot": one_shot}
        action = f"read the stats of {ref}"
        lines = self._call(action, lambda: self._json_lines(self.api._url("/containers/{0}/stats", ref), params),
                           container=ref)
        return ClosableStream(lines, action=action, endpoint=self.endpoint.url)  # close() from any thread

    def _json_lines(self, url: str, params: dict):
        """A streaming GET whose body is one JSON document per line (the engine's stats stream),
        decoded line by line: a quarter cheaper than the SDK's decoder, which reads each
        chunk in two calls and re-scans its buffer. The request is made here, so an HTTP error
        (404: no such container) is raised by the caller's ``_call``; the lines come lazily."""
        resp = self.api._get(url, params=params, stream=True)
        self.api._raise_for_status(resp)
        return _JsonLines(resp)

    def _stream(self, action: str, thunk, *, image: str = "", container: str = "", typed=None):
        """Iterate a streaming call; failures while reading are translated too; ``typed`` turns
        each item into what the contract promises (:class:`~.progress.Progress` for pull, push and build)."""
        it = self._call(action, thunk, image=image, container=container)
        try:
            while True:
                try:
                    item = next(it)
                except StopIteration:
                    return
                except Exception as e:
                    raise translate_error(e, action=action, image=image, container=container,
                                          endpoint=self.endpoint.url) from e
                yield item if typed is None else typed(item)
        finally:  # closing this stream closes the engine's (its connection is not left to the GC)
            close = getattr(it, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()

    # --- images -------------------------------------------------------------
    def images(self, *, name: str | None = None, all: bool = False, filters: dict | None = None) -> list[dict]:
        return self._call("list images", lambda: self.api.images(name=name, all=all, filters=filters))

    def inspect_image(self, ref: str) -> dict:
        return self._call(f"inspect the image {ref}", lambda: self.api.inspect_image(ref), image=ref)

    def pull(self, repository: str, tag: str):
        """An iterator over the engine's progress messages (:class:`~.progress.Progress`); after a
        failed one, the kit's error (:func:`.translate.pull_failed`)."""
        image = f"{repository}@{tag}" if tag.startswith("sha256:") else f"{repository}:{tag}"
        events = self._stream(f"pull {repository}:{tag}",
                              lambda: self.api.pull(repository, tag=tag, stream=True, decode=True),
                              image=f"{repository}:{tag}", typed=Progress.of)
        return progress.raising(events, lambda msg, downloading, output: pull_failed(
            msg, image=image, downloading=downloading, known=self._known_images()))

    def _known_images(self) -> list[str]:
        with contextlib.suppress(Exception):
            return [t.split(":")[0] for i in self.api.images() for t in (i.get("RepoTags") or [])]
        return []

    def remove_image(self, ref: str, *, force: bool = False) -> list:
        return self._call(f"remove the image {ref}", lambda: self.api.remove_image(ref, force=force), image=ref)

    def tag(self, image: str, repository: str, tag: str) -> None:
        ok = self._call(f"tag {image} as {repository}:{tag}", lambda: self.api.tag(image, repository, tag=tag), image=image)
        if not ok:
            raise E.EngineError(f"The engine did not tag {image} as {repository}:{tag}")

    def push(self, repository: str, tag: str):
        """`docker push`: an iterator over the engine's progress messages (:class:`~.progress.Progress`)."""
        return self._stream(f"push {repository}:{tag}",
                            lambda: self.api.push(repository, tag=tag, stream=True, decode=True),
                            image=f"{repository}:{tag}", typed=Progress.of)

    def save_images(self, names: list[str], *, chunk_size: int = 1 << 20):
        """`docker save`: the engine's tar archive of ``names``, as an iterator of byte chunks."""
        action = f"save {' '.join(names)}"
        resp = self._call(action, lambda: self.api._get(self.api._url("/images/get"), params={"names": names},
                                                         stream=True), image=names[0] if names else "")
        self._call(action, lambda: self.api._raise_for_status(resp), image=names[0] if names else "")
        return self._stream(action, lambda: resp.iter_content(chunk_size))

    def load_images(self, data) -> list[Progress]:
        """`docker load`: send a `docker save` archive (bytes or a file object); the engine's messages."""
        return list(self._stream("load images", lambda: self.api.load_image(data, quiet=True), typed=Progress.of))

    def rest_get(self, path: str, params: dict | None = None):
        """A raw GET on the Engine API (``/version``, ``/containers/json``): its JSON."""
        return self._call(f"GET {path}", lambda: self.api._result(self.api._get(self.api._url(path), params=params), json=True))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.api.close()

    # --- build, history, volumes (lessons 10-12) -------------------------------------
    @property
    def builder(self) -> str:
        """"buildkit" where this machine's docker CLI has buildx and reaches this engine (what
        `docker build` uses since Docker 23), else "classic" (the Engine API's own builder).
        ``DOCKERLAB_BUILDER=classic`` (or ``buildkit``) chooses."""
        import os

        if not hasattr(self, "_builder"):
            from . import buildkit

            want = os.environ.get("DOCKERLAB_BUILDER", "")
            if want in ("classic", "buildkit"):
                self._builder = want
            else:
                self._builder = "buildkit" if buildkit.available(self.endpoint.url) else "classic"
        return self._builder

    def build(self, *, tag: str, path: str | None = None, dockerfile_text: str | None = None,
              labels: dict | None = None, nocache: bool = False, pull: bool = False, build_args: dict | None = None,
              target: str | None = None, secrets: dict | None = None):
        """`docker build`: the builder's messages, typed (:class:`Progress`: ``stream`` the output as
        the CLI prints it, ``image_id`` the image made, ``error``). BuildKit through the CLI's
        buildx where :attr:`builder` says so, else the classic builder of the Engine API, which takes
        ``build_args`` and ``target`` and has no ``secrets`` (refused before anything is sent)."""
        import io

        if self.builder == "buildkit":
            from . import buildkit

            events = buildkit.build(self.endpoint.url, tag=tag, path=path, dockerfile_text=dockerfile_text,
                                    labels=labels, nocache=nocache, pull=pull, build_args=build_args,
                                    target=target, secrets=secrets)
        else:
            if secrets:
                raise E.needs_buildkit("A build secret (docker build --secret)", engine=self.kind)
            fileobj = io.BytesIO(dockerfile_text.encode()) if dockerfile_text is not None else None
            events = self._stream(f"build {tag}", lambda: self.api.build(
                path=path, fileobj=fileobj, tag=tag, labels=labels, nocache=nocache, pull=pull, rm=True,
                forcerm=True, decode=True, buildargs=build_args or None, target=target), image=tag, typed=Progress.of)
        return progress.raising(events, lambda msg, downloading, output: build_failed(tag, msg, output))

    def history(self, ref: str) -> list[dict]:
        return self._call(f"read the history of {ref}", lambda: self.api.history(ref), image=ref)

    def create_volume(self, name: str | None, *, labels: dict | None = None, driver: str = "local") -> dict:
        return self._call(f"create the volume {name}", lambda: self.api.create_volume(name=name, driver=driver,
                                                                                         labels=labels))

    def volumes(self, *, filters: dict | None = None) -> list[dict]:
        res = self._call("list volumes", lambda: self.api.volumes(filters=filters))
        return (res or {}).get("Volumes") or []

    def inspect_volume(self, name: str) -> dict:
        return self._call(f"inspect the volume {name}", lambda: self.api.inspect_volume(name))

    def remove_volume(self, name: str, *, force: bool = False) -> None:
        self._call(f"remove the volume {name}", lambda: self.api.remove_volume(name, force=force))


    # --- networks and Compose (lesson 14) -----------------------------------------------
    def create_network(self, name: str, *, labels: dict | None = None, driver: str = "bridge") -> dict:
        return self._call(f"create the network {name}", lambda: self.api.create_network(
            name, driver=driver, labels=labels, check_duplicate=True))

    def networks(self, *, filters: dict | None = None) -> list[dict]:
        return self._call("list networks", lambda: self.api.networks(filters=filters)) or []

    def inspect_network(self, name: str) -> dict:
        return self._call(f"inspect the network {name}", lambda: self.api.inspect_network(name))

    def remove_network(self, name: str) -> None:
        self._call(f"remove the network {name}", lambda: self.api.remove_network(name))

    def compose(self, args: list[str], *, files: list[str], project: str, cwd: str) -> str:
        from . import compose_cli

        return compose_cli.run(self.endpoint.url, args, files=files, project=project, cwd=cwd)


class _JsonLines:
    """The stats stream's lines, decoded; ``close()`` (from any thread) shuts the response, which
    ends a read blocked in another thread."""

    def __init__(self, resp):
        import json

        self._resp = resp
        self._loads = json.loads
        self._lines = resp.iter_lines(chunk_size=1 << 16)

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            line = next(self._lines)
            if line:
                return self._loads(line)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._resp.close()


class ClosableStream:
    """An engine stream (dicts) whose ``close()`` may be called from another thread."""

    def __init__(self, raw, *, action: str, endpoint: str = ""):
        self._raw = raw
        self._action = action
        self._endpoint = endpoint
        self.closed = False

    def __iter__(self):
        return self

    def __next__(self):
        if self.closed:
            raise StopIteration
        try:
            return next(self._raw)
        except StopIteration:
            raise
        except Exception as e:
            if self.closed:  # the read failed because close() shut the socket
                raise StopIteration from None
            raise translate_error(e, action=self._action, endpoint=self._endpoint) from e

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(Exception):
            self._raw.close()
