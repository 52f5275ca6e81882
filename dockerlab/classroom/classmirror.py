"""The classroom's mirror: what every learner pulls, and no learner can change.

``classroom up`` makes it from the teacher's registry (``--mirror-port``, the one
``dockerlab mirror start`` or ``provision-engine`` filled) in two steps:

1. **seeding, out of the learners' reach**: a registry of the classroom's own serves its storage
   on a unix socket in the classroom's state folder (mode 700, root's); the kit copies the lesson
   images into it through the registry API (manifests and blobs, by digest), and nothing else;
2. **open, read-only**: the same storage served on ``127.0.0.1:<port>`` with distribution's
   ``storage.maintenance.readonly`` and deletes off. Pulls work; an upload (``POST .../blobs/uploads/``)
   or a delete answers an error, whoever asks.

A learner's own pushes go to a registry of their own, run in their own engine (lesson 10:
``docker run -d -p 5000 registry``), so one learner's push never changes what another pulls.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import DockerLabError
from ..mirror import LESSON_IMAGES, _find_registry, registry_config
from .engines import _UnixHTTP, _alive

#: what the lessons pull
SEED_IMAGES = LESSON_IMAGES
ACCEPT = ", ".join(("application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json",
                    "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json"))


class MirrorSeedError(DockerLabError):
    """The classroom mirror could not be seeded or opened."""


def _call(conn_factory, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = conn_factory()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


@dataclass
class ClassMirror:
    state: Path
    port: int

    def __post_init__(self):
        self.state = Path(self.state)

    @property
    def dir(self) -> Path:
        return self.state / "mirror"

    @property
    def seed_socket(self) -> Path:
        return self.dir / "seed.sock"

    @property
    def pidfile(self) -> Path:
        return self.dir / "registry.pid"

    @property
    def seeded_file(self) -> Path:
        return self.dir / "seeded.json"

    def seeded(self) -> dict:
        try:
            return json.loads(self.seeded_file.read_text())
        except (OSError, ValueError):
            return {}

    def tcp(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def answers(self) -> bool:
        try:
            return _call(self.tcp, "GET", "/v2/")[0] == 200
        except OSError:
            return False

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    # --- the registry process ----------------------------------------------------------------
    def _serve(self, *, readonly: bool) -> subprocess.Popen:
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        cfg = self.dir / ("config.yml" if readonly else "seed.yml")
        addr = "127.0.0.1" if readonly else str(self.seed_socket)
        cfg.write_text(registry_config(addr=addr, port=self.port if readonly else None, root=self.dir / "data",
                                       readonly=readonly))
        self.seed_socket.unlink(missing_ok=True)
        log = open(self.dir / "registry.log", "ab")
        proc = subprocess.Popen([_find_registry(), "serve", str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        ok = (self.answers if readonly else
              lambda: self.seed_socket.exists() and _call(lambda: _UnixHTTP(str(self.seed_socket), timeout=30), "GET", "/v2/")[0] == 200)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if ok():
                    return proc
            except OSError:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
        raise MirrorSeedError("The classroom mirror's registry did not start",
                              state=f"its log: {self.dir / 'registry.log'}",
                              hint=f"is 127.0.0.1:{self.port} free? (classroom up --port P uses P+3 for the mirror)")

    def stop(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)
        return True

    # --- seeding -----------------------------------------------------------------------------
    def seed(self, source_port: int, images=SEED_IMAGES, *, say=print) -> dict:
        """Copy ``images`` (``name`` or ``name:tag``, Docker Hub names) from the teacher's registry
        on 127.0.0.1:source_port into the classroom's, over its private socket. Returns what it holds."""
        src = lambda: http.client.HTTPConnection("127.0.0.1", source_port, timeout=30)  # noqa: E731
        proc = self._serve(readonly=False)
        dst = lambda: _UnixHTTP(str(self.seed_socket), timeout=30)  # noqa: E731
        held, missing = {}, []
        try:
            for image in images:
                name, _, tag = image.partition(":")
                repo = name if "/" in name else f"library/{name}"
                digest = self._copy(src, dst, repo, tag or "latest")
                if digest:
                    held[f"{repo}:{tag or 'latest'}"] = digest
                else:
                    missing.append(image)
        finally:
            proc.terminate()
            proc.wait(10)
            self.seed_socket.unlink(missing_ok=True)
        if not held:
            raise MirrorSeedError(f"The teacher's registry on 127.0.0.1:{source_port} holds none of the lesson images",
                                  state="the classroom mirror is empty",
                                  hint="fill it first: dockerlab mirror start && dockerlab mirror seed")
        if missing:
            say(f"  note: the teacher's registry lacks {', '.join(missing)}: lessons using them will fail")
        self.seeded_file.write_text(json.dumps(held, indent=1, sort_keys=True))
        return held

    def _copy(self, src, dst, repo: str, ref: str) -> str | None:
        status, headers, body = _call(src, "GET", f"/v2/{repo}/manifests/{ref}", headers={"Accept": ACCEPT})
        if status != 200:
            return None
        mtype = headers.get("Content-Type", "").split(";")[0]
        doc = json.loads(body)
        for child in doc.get("manifests") or []:  # a list: each platform's manifest first
            self._copy(src, dst, repo, child["digest"])
        for blob in [doc.get("config"), *(doc.get("layers") or [])]:
            if blob:
                self._blob(src, dst, repo, blob["digest"])
        status, _, out = _call(dst, "PUT", f"/v2/{repo}/manifests/{ref}", body, {"Content-Type": mtype})
        if status not in (201, 200):
            raise MirrorSeedError(f"Seeding {repo}:{ref} failed ({status})", state=out.decode(errors="replace")[:300])
        return headers.get("Docker-Content-Digest", "")

    @staticmethod
    def _blob(src, dst, repo: str, digest: str) -> None:
        if _call(dst, "HEAD", f"/v2/{repo}/blobs/{digest}")[0] == 200:
            return
        status, _, data = _call(src, "GET", f"/v2/{repo}/blobs/{digest}")
        if status != 200:
            raise MirrorSeedError(f"The teacher's registry did not give {repo}@{digest} ({status})")
        status, headers, _ = _call(dst, "POST", f"/v2/{repo}/blobs/uploads/")
        loc = headers.get("Location", "")
        loc = loc.split("localhost", 1)[-1] if loc.startswith("http") else loc
        sep = "&" if "?" in loc else "?"
        status, _, out = _call(dst, "PUT", f"{loc}{sep}digest={digest}", data,
                               {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})
        if status != 201:
            raise MirrorSeedError(f"Uploading {repo}@{digest} failed ({status})", state=out.decode(errors="replace")[:300])

    # --- open ----------------------------------------------------------------------------------
    def open(self, source_port: int, *, reseed: bool = False, say=print) -> dict:
        """Seed (once, or again with ``reseed``), then serve read-only on 127.0.0.1:port."""
        if reseed:
            self.stop()
        if self.pid() and self.answers():
            return self.seeded()
        if reseed or not self.seeded():
            if reseed:
                import shutil

                shutil.rmtree(self.dir / "data", ignore_errors=True)
            say(f"  seeding the classroom mirror from 127.0.0.1:{source_port} (learners cannot reach it yet)")
            self.seed(source_port, say=say)
        proc = self._serve(readonly=True)
        self.pidfile.write_text(str(proc.pid))
        return self.seeded()
