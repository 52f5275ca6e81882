"""``dockerlab mirror``: a classroom registry, so thirty learners do not meet Docker
Hub's anonymous pull limit (10 pulls per hour per IPv4 address or IPv6 /64) in one lesson.

Two ways to run it, both with the distribution registry (Debian's
``docker-registry``; the ``registry:2`` image runs the same program):

- an **offline mirror** (the default): the registry holds the lesson images,
  pushed from the teacher's engine (``seed``); it needs no network at all;
- a **pull-through cache** (``--proxy https://registry-1.docker.io``): the
  registry fetches from Docker Hub once and serves every learner from its cache.
  Such a registry refuses pushes, so it is not seeded.

Learners' engines use it through the ``registry-mirrors`` setting of
``/etc/docker/daemon.json`` (printed by ``dockerlab mirror config``). For rooms
with no network at all, ``export`` writes the lesson images to one archive (like
``docker save``) and ``import`` loads it into an engine (like ``docker load``).

Subcommands::

    dockerlab mirror start   [--port 5000] [--addr 127.0.0.1] [--state DIR] [--proxy URL] [--no-seed]
    dockerlab mirror seed    [--port 5000] [IMAGE ...]
    dockerlab mirror status  [--port 5000]
    dockerlab mirror config  [--port 5000] [--host HOST]
    dockerlab mirror stop    [--state DIR]
    dockerlab mirror export  FILE [IMAGE ...]
    dockerlab mirror import  FILE
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import DockerLabError, EngineError, RegistryUnreachable
from .results import engine_mirrors  # noqa: F401  (what `dockerlab mirror` and the doctor show)

#: The images the notebooks use (lesson 10 runs `registry`, 11 `nginx`, 14 `redis`): the one list the
#: mirror, the classroom's mirror, Binder's baked images and the stand-ins (scripts/provision-engine) share.
LESSON_IMAGES = ("alpine", "ubuntu", "hello-world", "busybox", "nginx", "registry", "redis")
DEFAULT_PORT = 5000
DEFAULT_STATE = Path(os.environ.get("DOCKERLAB_MIRROR_STATE", "/var/lib/dockerlab/mirror"))
REGISTRY_PROGRAMS = ("docker-registry", "registry")


class MirrorError(DockerLabError):
    """The classroom mirror could not be started, seeded, exported or imported."""


# --- the registry process -----------------------------------------------------------
def registry_config(*, addr: str, port: int | None, root: Path, proxy: str = "", readonly: bool = False) -> str:
    """The registry's config.yml (the distribution registry's format). ``readonly``: pulls only
    (``storage.maintenance.readonly``; deletes off), for a mirror no learner may change.
    ``port`` None: ``addr`` is a unix socket's path (reachable by whoever may open it)."""
    lines = ["version: 0.1", "log:", "  level: warn", "storage:", "  filesystem:", f"    rootdirectory: {root}",
             "  delete:", f"    enabled: {'false' if readonly else 'true'}"]
    if readonly:
        lines += ["  maintenance:", "    readonly:", "      enabled: true"]
    lines += ["http:", *(["  net: unix", f"  addr: {addr}"] if port is None else [f"  addr: {addr}:{port}"])]
    if proxy:
        lines += ["proxy:", f"  remoteurl: {proxy}"]
    return "\n".join(lines) + "\n"


def _find_registry() -> str:
    for prog in REGISTRY_PROGRAMS:
        path = shutil.which(prog)
        if path:
            return path
    raise MirrorError("No registry program found (docker-registry)",
                      state="the classroom mirror runs the distribution registry",
                      hint="install it: sudo apt-get install docker-registry (Debian/Ubuntu); or run the registry:2 "
                           "image with the docker CLI: docker run -d -p 5000:5000 --name mirror registry:2")


@dataclass
class Mirror:
    """One registry on ``addr:port`` keeping its data and pid under ``state``."""

    port: int = DEFAULT_PORT
    addr: str = "127.0.0.1"
    state: Path = DEFAULT_STATE
    proxy: str = ""

    def __post_init__(self):
        self.state = Path(self.state)
        if not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            raise MirrorError(f"The port {self.port!r} is not a number from 1 to 65535", hint="for example --port 5000")

    @property
    def local_url(self) -> str:
        host = "127.0.0.1" if self.addr in ("0.0.0.0", "::", "") else self.addr
        return f"http://{host}:{self.port}"

    @property
    def registry_host(self) -> str:
        """What image names start with to push to it: 127.0.0.1:5000."""
        return self.local_url.split("://", 1)[1]

    @property
    def pidfile(self) -> Path:
        return self.state / "registry.pid"

    @property
    def logfile(self) -> Path:
        return self.state / "registry.log"

    def answers(self, timeout: float = 2.0) -> bool:
        try:
            with urllib.request.urlopen(self.local_url + "/v2/", timeout=timeout) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def start(self, *, timeout: float = 15.0) -> str:
        """Start the registry (or find it running); returns what happened, in words."""
        if self.answers():
            mine = self.pid() is not None
            return (f"the mirror already runs at {self.local_url}" if mine else
                    f"a registry already answers at {self.local_url}; dockerlab uses it as it is")
        prog = _find_registry()
        data = self.state / "data"
        try:
            data.mkdir(parents=True, exist_ok=True)
            cfg = self.state / "config.yml"
            cfg.write_text(registry_config(addr=self.addr, port=self.port, root=data, proxy=self.proxy))
            log = open(self.logfile, "ab")
        except OSError as e:
            raise MirrorError(f"Cannot write the mirror's state in {self.state}: {e.strerror or e}",
                              hint="choose a directory you may write: --state ~/dockerlab-mirror") from None
        with _port_probe(self.addr, self.port) as busy:
            if busy:
                raise MirrorError(f"The port {self.port} on {self.addr} is taken by something that is not a registry",
                                  hint="choose another: --port 5055")
        proc = subprocess.Popen([prog, "serve", str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.pidfile.write_text(f"{proc.pid}\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers(timeout=0.5):
                mode = f"a pull-through cache of {self.proxy}" if self.proxy else "an offline mirror"
                return f"started {mode} at {self.local_url} (pid {proc.pid}, data in {data}, log {self.logfile})"
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        tail = _tail(self.logfile)
        with contextlib.suppress(Exception):
            proc.kill()
        raise MirrorError(f"The registry did not answer at {self.local_url}",
                          state=f"its log ends with: {tail}" if tail else "it wrote nothing to its log",
                          hint=f"see {self.logfile}")

    def stop(self, *, timeout: float = 10.0) -> bool:
        """Stop the registry this state dir started; False when none runs."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            _reap_child(pid)
            time.sleep(0.05)
        else:
            with contextlib.suppress(Exception):
                os.kill(pid, signal.SIGKILL)
                _reap_child(pid)
        with contextlib.suppress(Exception):
            self.pidfile.unlink()
        return True

    # --- what it holds ---------------------------------------------------------
    def catalog(self) -> list[str]:
        try:
            with urllib.request.urlopen(self.local_url + "/v2/_catalog", timeout=5) as r:
                return sorted(json.load(r).get("repositories") or [])
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise RegistryUnreachable(f"The mirror at {self.local_url} did not answer",
                                      state=str(getattr(e, "reason", e)),
                                      hint="start it: dockerlab mirror start") from None

    def has(self, repository: str, tag: str = "latest") -> bool:
        req = urllib.request.Request(f"{self.local_url}/v2/{repository}/manifests/{tag}", method="HEAD", headers={
            "Accept": "application/vnd.docker.distribution.manifest.v2+json, "
                      "application/vnd.oci.image.manifest.v1+json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def seed(self, engine, images=LESSON_IMAGES, *, say=print) -> list[str]:
        """Push ``images`` from ``engine`` (a dockerlab engine backend) into the mirror."""
        from . import refs

        if self.proxy:
            raise MirrorError("A pull-through cache cannot be seeded",
                              state="the registry refuses pushes in proxy mode; it fills itself as learners pull",
                              hint="start an offline mirror (no --proxy) to preload images")
        if not self.answers():
            raise RegistryUnreachable(f"The mirror at {self.local_url} did not answer",
                                      hint="start it first: dockerlab mirror start")
        pushed = []
        for image in images:
            ref = refs.parse_image(image)
            if ref.registry:
                raise MirrorError(f"{image} is not a Docker Hub image",
                                  state="registry-mirrors only stand in for Docker Hub",
                                  hint="seed Docker Hub names: alpine, ubuntu, library/busybox, jupyter/base-notebook")
            repo = ref.repository if "/" in ref.repository else f"library/{ref.repository}"
            target = f"{self.registry_host}/{repo}"
            engine.inspect_image(str(ref))  # ImageNotFound (with a hint) when the teacher's engine lacks it
            engine.tag(str(ref), target, ref.tag)
            try:
                for ev in engine.push(target, ref.tag):
                    if ev.failed:
                        raise MirrorError(f"Pushing {image} to the mirror failed: {ev.error}",
                                          hint=f"see {self.logfile}; is the disk full?")
            finally:
                with contextlib.suppress(Exception):
                    engine.remove_image(f"{target}:{ref.tag}")  # only the extra name; the image stays
            pushed.append(f"{repo}:{ref.tag}")
            say(f"seeded {repo}:{ref.tag}")
        return pushed


def daemon_json(url: str) -> dict:
    """The learners' ``/etc/docker/daemon.json`` keys for this mirror."""
    host = url.split("://", 1)[-1].rstrip("/")
    return {"registry-mirrors": [url.rstrip("/")], "insecure-registries": [host]}


def lan_address() -> str:
    """This machine's address on its LAN (no packet is sent), for learners' daemon.json."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("10.255.255.255", 1))
        return s.getsockname()[0]
    except OSError:
        return socket.gethostname()
    finally:
        s.close()


# --- one archive for rooms with no network --------------------------------------------
def export_images(engine, path, images=LESSON_IMAGES) -> dict:
    """`docker save -o path images...`: one tar archive (gzip when ``path`` ends in .gz)."""
    import gzip

    path = Path(path)
    names = list(images)
    for name in names:
        engine.inspect_image(name)  # ImageNotFound before an empty archive is written
    tmp = path.with_name(path.name + ".part")
    opener = gzip.open if path.suffix == ".gz" else open
    size = 0
    try:
        with opener(tmp, "wb") as fh:
            for chunk in engine.save_images(names):
                fh.write(chunk)
                size += len(chunk)
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(Exception):
            tmp.unlink()
        raise MirrorError(f"Cannot write {path}: {e.strerror or e}", state="no archive was written",
                          hint="check the directory and the free space (df -h)") from None
    except BaseException:
        with contextlib.suppress(Exception):
            tmp.unlink()
        raise
    return {"path": str(path), "images": names, "bytes": size, "file_bytes": path.stat().st_size}


def import_images(engine, path) -> list[str]:
    """`docker load -i path`: load an archive written by :func:`export_images` (or ``docker save``)."""
    path = Path(path)
    try:
        fh = open(path, "rb")
    except OSError as e:
        raise MirrorError(f"Cannot read {path}: {e.strerror or e}",
                          hint="write one with: dockerlab mirror export lessons.tar") from None
    loaded = []
    with fh:
        for ev in engine.load_images(fh):
            if ev.failed:
                msg = ev.error
                from .engine.translate import translate_message

                err = translate_message(msg, 500, action=f"load {path.name}")
                known = not (type(err) is EngineError and err.what.startswith("The engine could not"))
                raise MirrorError(f"Loading {path.name} failed: {msg}", state=err.state if known else "",
                                  hint=err.hint if known else "is it a `docker save` archive? Is the engine's disk full?")
            if ev.loaded:
                loaded.append(ev.loaded)
    if not loaded:
        raise MirrorError(f"{path.name} held no image", hint="is it a `docker save` archive?")
    return loaded


# --- the command --------------------------------------------------------------------------
def _engine():
    from .connect import find_engine

    engine, _ = find_engine()
    return engine


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dockerlab mirror", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp, state=True):
        sp.add_argument("--port", type=int, default=DEFAULT_PORT, help="the registry's port (default 5000)")
        sp.add_argument("--addr", default="127.0.0.1",
                        help="address to listen on; 0.0.0.0 for learners on other machines (default 127.0.0.1)")
        if state:
            sp.add_argument("--state", type=Path, default=DEFAULT_STATE, help=f"data and pid directory ({DEFAULT_STATE})")

    sp = sub.add_parser("start", help="start the registry and seed it with the lesson images")
    common(sp)
    sp.add_argument("--proxy", default="", help="run as a pull-through cache of this registry "
                                                "(e.g. https://registry-1.docker.io) instead of an offline mirror")
    sp.add_argument("--no-seed", action="store_true", help="do not push the lesson images")
    sp.add_argument("images", nargs="*", default=list(LESSON_IMAGES), help="images to seed (default: the lessons')")
    sp = sub.add_parser("seed", help="push images from this engine into the mirror")
    common(sp)
    sp.add_argument("images", nargs="*", default=list(LESSON_IMAGES))
    sp = sub.add_parser("status", help="does the mirror answer, what it holds, does this engine use it")
    common(sp)
    sp = sub.add_parser("config", help="print the daemon.json setting for learners' engines")
    common(sp, state=False)
    sp.add_argument("--host", default="", help="the address learners reach this machine at (default: guessed)")
    sp = sub.add_parser("stop", help="stop the registry started from --state")
    common(sp)
    sp = sub.add_parser("export", help="save images to one archive (docker save), for rooms with no network")
    sp.add_argument("file", type=Path)
    sp.add_argument("images", nargs="*", default=list(LESSON_IMAGES))
    sp = sub.add_parser("import", help="load an archive written by export (docker load)")
    sp.add_argument("file", type=Path)
    return p


def _config_text(url: str) -> str:
    return (f"# /etc/docker/daemon.json on each learner's machine (merge with what is there), then restart Docker\n"
            f"# (sudo systemctl restart docker; Docker Desktop: Settings > Docker Engine):\n"
            f"{json.dumps(daemon_json(url), indent=2)}\n"
            f"# Check on a learner's machine: docker info | grep -A1 'Registry Mirrors'")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.cmd == "export":
            info = export_images(_engine(), args.file, args.images)
            print(f"wrote {info['path']}: {', '.join(info['images'])} ({info['file_bytes'] / 1e6:.1f} MB)")
            print(f"on a machine with no network: dockerlab mirror import {args.file.name}   "
                  f"(or: docker load -i {args.file.name})")
            return 0
        if args.cmd == "import":
            for name in import_images(_engine(), args.file):
                print(f"Loaded image: {name}")
            return 0
        if args.cmd == "config":
            host = args.host or (lan_address() if args.addr in ("0.0.0.0", "::") else args.addr)
            print(_config_text(f"http://{host}:{args.port}"))
            return 0
        m = Mirror(port=args.port, addr=args.addr, state=args.state, proxy=getattr(args, "proxy", ""))
        if args.cmd == "start":
            print(m.start())
            if m.proxy:
                print("pull-through cache: not seeded; it keeps what learners pull")
            elif not args.no_seed:
                m.seed(_engine(), args.images)
            host = lan_address() if args.addr in ("0.0.0.0", "::") else args.addr
            print(_config_text(f"http://{host}:{args.port}"))
            if args.addr == "127.0.0.1":
                print("# it listens on 127.0.0.1 only (this machine's engine); --addr 0.0.0.0 serves the room")
            return 0
        if args.cmd == "seed":
            m.seed(_engine(), args.images)
            return 0
        if args.cmd == "stop":
            print("stopped" if m.stop() else f"no mirror started from {m.state} is running")
            return 0
        if args.cmd == "status":
            if not m.answers():
                print(f"no registry answers at {m.local_url} (start one: dockerlab mirror start --port {m.port})")
                return 1
            print(f"registry at {m.local_url}: {', '.join(m.catalog()) or 'empty'}")
            try:
                used = engine_mirrors(_engine().info())
            except DockerLabError as e:
                print(f"this machine's engine: {e.what}")
                return 0
            print("this machine's engine uses it" if m.local_url in used else
                  f"this machine's engine does not use it (its mirrors: {', '.join(used) or 'none'})")
            return 0
    except DockerLabError as e:
        print(f"dockerlab mirror: {e}", file=sys.stderr)
        return 1
    return 2


# --- small helpers --------------------------------------------------------------------------
class _port_probe:
    """``with _port_probe(addr, port) as busy``: is something listening there?"""

    def __init__(self, addr, port):
        self.addr, self.port = ("127.0.0.1" if addr in ("0.0.0.0", "::", "") else addr), port

    def __enter__(self):
        try:
            with socket.create_connection((self.addr, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def __exit__(self, *exc):
        return False


def _reap_child(pid: int) -> None:
    with contextlib.suppress(Exception):
        os.waitpid(pid, os.WNOHANG)


def _tail(path: Path, n: int = 3) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-n:])
    except OSError:
        return ""


__all__ = ["Mirror", "MirrorError", "LESSON_IMAGES", "daemon_json", "engine_mirrors", "export_images",
           "import_images", "main", "registry_config", "EngineError"]
