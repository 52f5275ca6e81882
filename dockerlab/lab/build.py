"""Lesson 10 of the lab API: `docker build`, `docker history`, `docker push`.

Same rules as the rest of the Lab: every call prints its CLI twin, reaches the engine through
the gate, and raises only :class:`~dockerlab.errors.DockerLabError` (a failed build's is made
by the engine layer, :func:`dockerlab.engine.translate.build_failed`).
"""
from __future__ import annotations

import os
import re

from .. import buildlog, buildopts, errors as E
from .. import labels, refs, twin
from ..results import engine_mirrors
from .base import LabBase

#: the labels a built image gets (the gate sets them): the kit's mark and its owner, stable ones only
#: (no session or pid), so that a rebuild by the same learner hits the cache to the last step. The
#: legacy builder adds each as a step of its own (``LABEL org.dockerlab.managed=true``), as
#: `docker build --label` does.
BUILD_LABEL_KEYS = (labels.MANAGED, labels.OWNER)


def build_source(source: str, cwd: str | None = None) -> tuple[str | None, str | None]:
    """(folder, None) when ``source`` names a folder (the build context), (None, text) when it is
    the text of a Dockerfile (a build with no files to COPY). Raises when it is neither."""
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str) or not source.strip():
        raise E.InvalidReference(f"Nothing to build from: {source!r}", value=repr(source),
                                 hint="give a folder that holds a Dockerfile, or the text of a Dockerfile")
    text = source.strip()
    first = text.splitlines()[0].strip().upper()
    if "\n" in text or first.startswith(("FROM ", "# SYNTAX", "ARG ")):
        if not re.search(r"^\s*FROM\s+\S", text, re.I | re.M):
            raise E.InvalidReference("This Dockerfile has no FROM line", value=text.splitlines()[0],
                                     hint="a Dockerfile starts FROM an image: 'FROM alpine' (or 'FROM scratch')")
        return None, source
    path = source if os.path.isabs(source) else os.path.join(cwd or os.getcwd(), source)
    if not os.path.isdir(path):
        what = "is a file, not a folder" if os.path.exists(path) else "does not exist"
        raise E.InvalidReference(f"The build context {source!r} {what}", value=source,
                                 state=f"looked for {path}",
                                 hint="give the folder that holds the Dockerfile (docker build -t NAME FOLDER)")
    if not os.path.isfile(os.path.join(path, "Dockerfile")):
        raise E.InvalidReference(f"The folder {source!r} has no Dockerfile", value=source,
                                 state=f"it holds: {', '.join(sorted(os.listdir(path))) or 'nothing'}",
                                 hint="write the Dockerfile into it first")
    return path, None


def _shown_path(folder: str) -> str:
    """A folder as a twin shows it: relative to here, unless that climbs out."""
    shown = os.path.relpath(folder)
    return folder if shown.startswith("..") else shown


def history_frame(rows: list[dict], now: float | None = None):
    """`docker history` as a DataFrame: newest layer first, as the CLI prints it."""
    import time

    import pandas as pd

    from ..frames import ago

    now = time.time() if now is None else now
    out = []
    for r in rows:
        iid = r.get("Id") or ""
        created_by = _instruction_of(r.get("CreatedBy") or "")
        out.append({"IMAGE": iid.split(":")[-1][:12] if iid.startswith("sha256:") else "<missing>",
                    "CREATED": ago(r.get("Created") or 0, now), "CREATED BY": created_by.strip(),
                    "SIZE": refs.format_bytes(r.get("Size") or 0, binary=False) if r.get("Size") else "0B",
                    "SIZE (B)": int(r.get("Size") or 0), "COMMENT": r.get("Comment") or ""})
    return pd.DataFrame(out, columns=["IMAGE", "CREATED", "CREATED BY", "SIZE", "SIZE (B)", "COMMENT"])


def _instruction_of(created_by: str) -> str:
    """A layer's CreatedBy as its Dockerfile line: the classic builder writes
    ``/bin/sh -c #(nop)  CMD ...`` and ``/bin/sh -c chmod ...``, BuildKit ``RUN /bin/sh -c chmod ... # buildkit``
    (its ``# buildkit`` mark stays: `docker history` shows it too). The build arguments a RUN saw stay
    too (``RUN |1 NAME=x echo $NAME``), as `docker history` shows them: why a secret is never a build arg."""
    text = created_by.replace("/bin/sh -c #(nop) ", "").strip()
    m = re.match(r"^(?:RUN )?(\|\d+ (?:\S+ )*?)?/bin/sh -c (.*)$", text, re.S)
    return f"RUN {m.group(1) or ''}{m.group(2)}" if m else text


class BuildResult:
    """What `docker build` gave: the image (its id and tag), the output, which builder ran
    ("buildkit" or "classic") and which steps were cached."""

    def __init__(self, tag: str, image_id: str, output: str, builder: str = ""):
        self.tag = tag
        self.id = image_id
        self.output = output
        self.builder = builder or buildlog.builder_of(output)

    @property
    def steps(self) -> list[tuple[str, bool]]:
        """(step line, cached?) for each step of the Dockerfile, in order."""
        return buildlog.steps(self.output)

    @property
    def cached(self) -> list[str]:
        return [s for s, hit in self.steps if hit]

    @property
    def rebuilt(self) -> list[str]:
        return [s for s, hit in self.steps if not hit and not s.upper().startswith("FROM ")]

    def __repr__(self) -> str:
        return f"BuildResult(tag={self.tag!r}, builder={self.builder!r}, steps={len(self.steps)}, " \
               f"cached={len(self.cached)})"


class BuildMixin(LabBase):
    """`docker build`, `docker history`, `docker push` (see :class:`dockerlab.lab.Lab`)."""

    def build(self, source: str, *, tag: str, nocache: bool = False, pull: bool = False, quiet: bool = False,
              build_args: dict | None = None, target: str | None = None,
              secrets: dict | None = None) -> BuildResult:
        """`docker build -t TAG FOLDER`: build an image from a Dockerfile, and name it ``tag``.

        ``source`` is a folder (the build context: the Dockerfile and the files it COPYs),
        or the text of a Dockerfile (nothing to COPY then). The builder's output is printed
        as the CLI prints it: BuildKit's ``#5 [2/4] RUN ...`` and ``#5 CACHED`` (through the docker
        CLI's buildx, as `docker build` on Docker 23 and later), or the classic builder's
        ``Step 1/4 : FROM alpine`` and `` ---> Using cache`` where the CLI has no buildx
        (:attr:`builder` says which). The image gets the kit's labels (yours), so cleanup can find it.

        ``build_args={"NAME": "v"}`` (``--build-arg NAME=v``) sets the Dockerfile's ``ARG NAME``;
        ``target="build"`` (``--target build``) builds only up to the stage ``FROM ... AS build``;
        ``secrets={"token": "path/to/file"}`` (``--secret id=token,src=path/to/file``) lets a
        ``RUN --mount=type=secret,id=token`` read the file at ``/run/secrets/token`` while that step runs,
        and puts it in no layer. Secrets need BuildKit, and a file under your folders; their text is never
        printed (a RUN that echoes it shows ``****``).
        """
        self._need("build", "Building an image (docker build)", state="nothing was done",
                   hint="the daemonless engine has no builder: build where a Docker Engine runs, then load the "
                        "image here")
        new = refs.parse_image(tag)
        folder, text = build_source(source)
        specs = buildopts.secret_specs(secrets)
        if specs and self.builder != "buildkit":
            raise E.needs_buildkit("A build secret (docker build --secret)", engine=self._gate.kind)
        shown = _shown_path(folder) if folder else "-"
        kit = {labels.MANAGED: "true", labels.OWNER: self.owner}  # what the gate puts on the image
        # checked by the gate (the secrets' files too) before the twin: a refusal builds nothing and shows nothing
        events = self._gate.build(tag=f"{new.name}:{new.tag}", path=folder, dockerfile_text=text, nocache=nocache,
                                  pull=pull, build_args=build_args, target=target, secrets=specs, cwd=self._cwd)
        flags = ["build", "--no-cache" if nocache else "", "--pull" if pull else "",
                 *(f"--build-arg {twin.q(f'{k}={v}')}" for k, v in (build_args or {}).items()),
                 f"--target {twin.q(target)}" if target else "",
                 *(f"--secret {twin.q(f'id={k},src={v}')}" for k, v in specs.items()),
                 *(f"--label {twin.q(f'{k}={v}')}" for k, v in kit.items()), f"-t {twin.q(tag)}",
                 twin.q(shown) if folder else "- <<'EOF' ... EOF"]
        self._twin(twin.join(*flags))
        mask = buildopts.masker(os.path.join(self._cwd, p) for p in specs.values()) if specs else (lambda t: t)
        lines: list[str] = []
        image_id, pending = "", ""
        say = (lambda s: None) if quiet else self._say
        try:  # a failed build ends with the engine's BuildFailed, after its last words
            for ev in events:
                if ev.stream:  # the engine sends pieces of lines: print each line once it is whole
                    lines.append(mask(ev.stream))
                    pending += ev.stream
                    while "\n" in pending:
                        line, pending = pending.split("\n", 1)
                        say(mask(line))
                image_id = ev.image_id or image_id
        except E.BuildFailed as e:
            if specs:  # its step and output as printed: masked
                raise e.refine(what=mask(e.what), state=mask(e.state), step=mask(e.step), output=mask(e.output))
            raise
        finally:
            if pending:
                say(mask(pending))
        return BuildResult(f"{new.name}:{new.tag}", image_id, "".join(lines))

    @property
    def builder(self) -> str:
        """Which builder :meth:`build` uses: "buildkit" (through the docker CLI's buildx, as
        `docker build` on Docker 23 and later) or "classic" (the Engine API's own builder, where
        this machine's CLI has no buildx); "" on an engine that cannot build."""
        return self._gate.builder

    def image_history(self, image: str):
        """`docker history IMAGE` (also `docker image history`): the image's layers, newest first, as a
        DataFrame: the instruction that made each one and the bytes it added.
        (``lab.history`` is already the list of CLI twins this lab ran.)"""
        refs.parse_image(image)
        self._need("build", "docker history", state="nothing was done", hint="lab.images() shows the image and its size")
        self._twin(f"docker history {image}")
        df = history_frame(self._gate.history(image))
        df.attrs["cli"] = f"docker history {image}"
        return df

    @property
    def registry(self) -> str:
        """The classroom registry (``host:port``): the engine's first registry mirror, else ``""``."""
        mirrors = engine_mirrors(self._gate.info())
        return re.sub(r"^https?://", "", mirrors[0]) if mirrors else ""

    def registry_ref(self, path: str) -> str:
        """The image ``path`` (``"library/hello-world"``) as pulled from the classroom registry
        (``f"{lab.registry}/{path}"``), or from Docker Hub where the engine has no registry mirror."""
        return f"{self.registry}/{path}" if self.registry else path

    def push(self, ref: str, *, quiet: bool = False) -> str:
        """`docker push REF`: upload an image to the registry its name starts with (tag it first:
        ``lab.tag("nb10/hello:v1", f"{lab.registry}/nb10/hello:v1")``). Returns the pushed digest."""
        image = refs.parse_image(ref)
        if not image.registry:
            raise E.InvalidReference(
                f"{ref!r} names no registry, so docker push would send it to Docker Hub", value=ref,
                state="nothing was pushed",
                hint=f"tag it with the classroom registry's address first: lab.tag({ref!r}, "
                     f"'{self.registry or '127.0.0.1:5000'}/{image.name.split('/', 1)[-1]}:{image.tag}')")
        self._need("push", f"Pushing {ref}", state="nothing was done", hint="push from a machine with a Docker Engine")
        self._twin(f"docker push {ref}")
        say = (lambda s: None) if quiet else self._say
        repo = image.name if image.name.startswith(image.registry) else f"{image.registry}/{image.name}"
        say(f"The push refers to repository [{repo}]")
        digest, last = "", {}
        for ev in self._gate.push(repo, image.tag):
            if ev.failed:
                raise E.RegistryError(f"Could not push {ref}: {ev.error}", state="the registry has not got this image",
                                      hint=f"is the registry up? lab.rest('/info') shows the mirrors; the "
                                           f"classroom registry is {self.registry or 'not configured'}")
            status, lid = ev.status, ev.layer
            if ev.layer_done and last.get(lid) != status:
                last[lid] = status
                say(f"{lid}: {status}")
            elif ev.digest:
                say(status)
                digest = ev.digest
        return digest
