"""Lesson 14 of the lab API: a multi-container app from a ``compose.yaml`` (`docker compose ...`).

``app = lab.compose("nb14-app")`` names a project: the folder that holds its ``compose.yaml``
(the project is named after the folder, as `docker compose` names it). Each method is one
command of Compose, shows it as the learner would type it in the Terminal, and goes through the
gate, which reads the file as Compose does, checks it as :meth:`Lab.run` is checked and labels
what it makes (:mod:`dockerlab.compose_model`), so ``lab.ps()`` and cleanup see the project's
containers, networks and volumes like any other of the learner's.
"""
from __future__ import annotations

import os

from .. import errors as E
from .. import frames, labels
from ..results import Text
from .base import LabBase

COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
PROJECT_LABEL, SERVICE_LABEL = labels.COMPOSE_PROJECT, labels.COMPOSE_SERVICE


class ComposeApp:
    """One Compose project of the learner's: ``up``, ``ps``, ``logs``, ``exec``, ``down``."""

    def __init__(self, lab, folder: str, path: str, file: str, project: str):
        self._lab, self.folder, self.path, self.file, self.project = lab, folder, path, file, project
        from ..compose_model import project_name

        named = "" if project == project_name(os.path.basename(path)) else f" -p {project}"  # a shared engine's
        self._cli = f"docker compose{named} -f {os.path.join(folder, file)}"
        self.checked = None  # the last model the gate checked (its services, networks and volumes)

    def __repr__(self) -> str:
        return f"ComposeApp(project={self.project!r}, file={os.path.join(self.folder, self.file)!r})"

    def _run(self, *args: str, twin: str) -> str:
        lab = self._lab
        lab._twin(f"{self._cli} {twin}")
        out, self.checked = lab._gate.compose(list(args), files=[os.path.join(self.path, self.file)],
                                              project=self.project, cwd=self.path, session=lab.session,
                                              lesson=lab.lesson)
        return out

    @property
    def services(self) -> list[str]:
        """The project's services, as Compose reads the file (``docker compose config --services``)."""
        if self.checked is None:
            self.config()
        return list(self.checked.services)

    def config(self) -> dict:
        """`docker compose config`: the project as Compose reads it (checked and labelled by the kit)."""
        self._run("config", "--format", "json", twin="config")
        return self.checked.model

    def up(self, *, wait: bool = True):
        """`docker compose up -d`: make the networks and volumes, then start each service's container
        (after those it ``depends_on``). Returns :meth:`ps`."""
        self._run("up", "-d", *(["--wait"] if wait else []), twin="up -d")
        return self._frame(all=False)

    def ps(self, *, all: bool = False):
        """`docker compose ps`: the project's containers (NAME, SERVICE, STATUS, PORTS), from the engine."""
        self._lab._twin(f"{self._cli} ps" + (" -a" if all else ""))
        return self._frame(all=all)

    def _frame(self, *, all: bool):
        rows = self._rows(all=all)
        df = frames.ps_frame(rows)
        svc = {(r.get("Names") or ["/"])[0].lstrip("/"): (r.get("Labels") or {}).get(SERVICE_LABEL, "") for r in rows}
        df.insert(0, "SERVICE", [svc.get(n, "") for n in df["NAMES"]])
        return df[["NAMES", "SERVICE", "IMAGE", "STATUS", "PORTS", "STATE"]]

    def _rows(self, *, all: bool = True) -> list[dict]:
        flt = self._lab._filters("mine")
        flt = {"label": list(flt.get("label", [])) + [f"{PROJECT_LABEL}={self.project}"]}
        return self._lab._gate.containers(all=all, filters=flt)

    def container(self, service: str) -> str:
        """The name of the container that runs ``service``."""
        for r in self._rows(all=True):
            if (r.get("Labels") or {}).get(SERVICE_LABEL) == service:
                return (r.get("Names") or ["/"])[0].lstrip("/")
        known = sorted({(r.get("Labels") or {}).get(SERVICE_LABEL, "") for r in self._rows(all=True)} - {""})
        raise E.ContainerNotFound(f"No container runs the service {service!r} of {self.project}",
                                  container=service, state=f"its containers run: {', '.join(known) or 'nothing'}",
                                  hint="start the project first: app.up()")

    def logs(self, service: str | None = None, *, tail="all") -> Text:
        """`docker compose logs [SERVICE]`: what the project's containers printed, each line after its
        container's name."""
        args = ["logs", "--no-color"] + ([] if tail == "all" else ["--tail", str(int(tail))])
        shown = "logs" + ("" if tail == "all" else f" --tail {int(tail)}") + (f" {service}" if service else "")
        if service is not None:
            self.container(service)  # a clear error for a service with no container
            args.append(service)
        return Text(self._run(*args, twin=shown))

    def exec(self, service: str, command) -> "object":
        """`docker compose exec SERVICE COMMAND`: run a command in the service's running container."""
        lab = self._lab
        name = self.container(service)
        shown = command if isinstance(command, str) else " ".join(command)
        lab._twin(f"{self._cli} exec {service} {shown}")
        with lab.quietly():
            return lab.exec(name, command)

    def down(self, *, volumes: bool = False) -> str:
        """`docker compose down` (``volumes=True``: ``down -v``): stop and remove the project's containers
        and its network; its named volumes, and the data in them, stay unless ``volumes=True``."""
        out = self._run("down", *(["-v"] if volumes else []), twin="down" + (" -v" if volumes else ""))
        from .. import notices

        gone = [ln.split()[1] for ln in out.splitlines() if ln.strip().startswith("Container ")
                and ln.strip().endswith("Removed")]
        notices.removed(gone, by="docker compose down")
        return Text(_summary(out))


def _summary(out: str) -> str:
    """Compose's progress lines, once each, as their last state (``Container nb14-app-web-1  Removed``)."""
    last: dict = {}
    for ln in out.splitlines():
        words = ln.split()
        if len(words) >= 3 and words[0] in ("Container", "Network", "Volume"):
            last[(words[0], words[1])] = " ".join(words[2:])
    return "\n".join(f"{kind} {name}  {state}" for (kind, name), state in last.items()) or "nothing to do"


class ComposeMixin(LabBase):
    """`docker compose` on a project folder (see :class:`dockerlab.lab.Lab`)."""

    def compose(self, folder: str = ".", *, file: str | None = None) -> ComposeApp:
        """The Compose project in ``folder`` (its ``compose.yaml``), named after the folder."""
        self._need("compose", "docker compose", state="nothing was started",
                   hint="read the compose.yaml; each service is one lab.run(..., network=...) of this lesson's first part")
        from ..compose_model import project_name

        if not isinstance(folder, (str, os.PathLike)):
            raise E.InvalidReference(f"A Compose project is a folder, not {folder!r}"[:120], value=repr(folder)[:80],
                                     hint="for example lab.compose('nb14-app')")
        folder = os.fspath(folder)
        path = os.path.realpath(folder if os.path.isabs(folder) else os.path.join(self._cwd, folder))
        if not os.path.isdir(path):
            raise E.InvalidReference(f"The folder {folder!r} does not exist", value=folder, state=f"looked for {path}",
                                     hint="give the folder that holds compose.yaml")
        found = [f for f in ((file,) if file else COMPOSE_FILES) if os.path.isfile(os.path.join(path, f))]
        if not found:
            raise E.InvalidReference(f"The folder {folder!r} has no {file or 'compose.yaml'}", value=folder,
                                     state=f"it holds: {', '.join(sorted(os.listdir(path))) or 'nothing'}",
                                     hint="write the compose.yaml into it first")
        project = self._gate.new_name(project_name(os.path.basename(path)), say=self._say)
        return ComposeApp(self, folder, path, found[0], project)
