"""A classroom's settings: one JSON file in its state folder, written by ``dockerlab classroom up``
and read by the hub's config (and by ``status``, ``down``), so every part agrees."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_STATE = Path(os.environ.get("DOCKERLAB_CLASSROOM_STATE", "/var/lib/dockerlab/classroom"))
DEFAULT_VENV = Path(os.environ.get("DOCKERLAB_CLASSROOM_VENV", "/opt/dockerlab/classroom-venv"))


@dataclass
class Settings:
    state: str = str(DEFAULT_STATE)
    venv: str = str(DEFAULT_VENV)
    learners: list = field(default_factory=list)
    #: "own": a rootless engine per learner; "shared": every learner on one engine (names qualified)
    engines: str = "own"
    shared_host: str = "unix:///var/run/docker.sock"
    mirror_port: int = int(os.environ.get("DOCKERLAB_REGISTRY_PORT", "5000"))
    ip: str = "127.0.0.1"
    port: int = 8000  # where learners sign in; the hub's API, the proxy's, the mirror, the teacher's gate: +1..+4
    token: str = ""
    default_url: str = "/lab/tree/01-start-here.ipynb"  # a learner lands on the first lesson
    #: the teacher's account: a hub admin (JupyterHub's admin page), with a server of their own
    teacher: str = "teacher"
    #: the hub's certificate and key (PEM) for HTTPS; the fingerprint is the certificate's SHA-256
    tls_cert: str = ""
    tls_key: str = ""
    fingerprint: str = ""
    #: a learner's server idle this long (seconds) is stopped, with its engine (0: never)
    cull_idle: int = 3600

    @property
    def mirror_served_port(self) -> int:
        """The classroom's read-only mirror (seeded from ``mirror_port``, the teacher's registry)."""
        return self.port + 3

    @property
    def teacher_url(self) -> str:
        """The teacher's gate (a hub service, loopback only; it answers the teacher's token alone)."""
        return f"http://127.0.0.1:{self.port + 4}"

    @property
    def accounts(self) -> list:
        """Everyone who signs in: the learners, then the teacher."""
        return [*self.learners, self.teacher]

    @property
    def file(self) -> Path:
        return Path(self.state) / "classroom.json"

    @property
    def url(self) -> str:
        host = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"{'https' if self.tls_cert else 'http'}://{host}:{self.port}"

    def save(self) -> None:
        Path(self.state).mkdir(parents=True, exist_ok=True)
        os.chmod(self.state, 0o700)  # the token and password: root's only
        if not self.token:
            self.token = secrets.token_hex(24)
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, sort_keys=True))
        os.chmod(tmp, 0o600)
        tmp.replace(self.file)

    @classmethod
    def load(cls, state: str | os.PathLike | None = None) -> "Settings":
        path = Path(state or DEFAULT_STATE) / "classroom.json"
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            from .engines import ClassroomError

            raise ClassroomError(f"No classroom is set up in {path.parent}", state="nothing runs there",
                                 hint="start one: sudo dockerlab classroom up --learners 5") from None
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
