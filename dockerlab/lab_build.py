"""Lessons 10-11 of the lab API: `docker build`, `docker history`, `docker push`, `docker port`.

A mixin that :class:`dockerlab.lab.Lab` inherits, kept apart so that the Lab's own
module stays readable. Same rules as the Lab: every call prints its CLI twin, works on
the engine backend's dicts, and raises only :class:`~dockerlab.errors.DockerLabError`.
"""
from __future__ import annotations

import os
import re

from . import buildlog, errors as E
from . import labels, ports as ports_mod, refs, twin

#: the labels a built image gets: the kit's mark and its owner, stable ones only (no session or pid),
#: so that a rebuild by the same learner hits the cache to the last step. The legacy builder adds
#: each as a step of its own (``LABEL org.dockerlab.managed=true``), as `docker build --label` does.
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


def history_frame(rows: list[dict], now: float | None = None):
    """`docker history` as a DataFrame: newest layer first, as the CLI prints it."""
    import time

    import pandas as pd

    from .frames import ago

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
    (its ``# buildkit`` mark stays: `docker history` shows it too)."""
    text = created_by.replace("/bin/sh -c #(nop) ", "").strip()
    m = re.match(r"^(?:RUN )?(?:\|\d+ \S+ )?/bin/sh -c (.*)$", text, re.S)
    return f"RUN {m.group(1)}" if m else text


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


class BuildMixin:
    """`docker build`, `docker history`, `docker push`, `docker port` (see :class:`dockerlab.lab.Lab`)."""

    def build(self, source: str, *, tag: str, nocache: bool = False, pull: bool = False,
              quiet: bool = False) -> BuildResult:
        """`docker build -t TAG FOLDER`: build an image from a Dockerfile, and name it ``tag``.

        ``source`` is a folder (the build context: the Dockerfile and the files it COPYs),
        or the text of a Dockerfile (nothing to COPY then). The builder's output is printed
        as the CLI prints it: BuildKit's ``#5 [2/4] RUN ...`` and ``#5 CACHED`` (through the docker
        CLI's buildx, as `docker build` on Docker 23 and later), or the classic builder's
        ``Step 1/4 : FROM alpine`` and `` ---> Using cache`` where the CLI has no buildx
        (:attr:`builder` says which). The image gets the kit's labels (yours), so cleanup can find it.
        """
        self._need_feature("build", "Building an image (docker build)",
                   hint="the daemonless engine has no builder: build where a Docker Engine runs, then load the "
                        "image here")
        new = refs.parse_image(tag)
        folder, text = build_source(source)
        shown = os.path.relpath(folder) if folder else "-"
        if shown.startswith(".."):
            shown = folder
        all_labels = labels.make_labels(owner=self.owner, session=self.session, lesson=self.lesson)
        kit = {k: all_labels[k] for k in BUILD_LABEL_KEYS}
        flags = ["build", "--no-cache" if nocache else "", "--pull" if pull else "",
                 *(f"--label {twin.q(f'{k}={v}')}" for k, v in kit.items()), f"-t {twin.q(tag)}",
                 twin.q(shown) if folder else "- <<'EOF' ... EOF"]
        self._twin(twin.join(*flags))
        lines: list[str] = []
        image_id, pending = "", ""
        say = (lambda s: None) if quiet else self._say
        for ev in self._engine.build(tag=f"{new.name}:{new.tag}", path=folder, dockerfile_text=text, labels=kit,
                                    nocache=nocache, pull=pull):
            if ev.stream:  # the engine sends pieces of lines: print each line once it is whole
                lines.append(ev.stream)
                pending += ev.stream
                while "\n" in pending:
                    line, pending = pending.split("\n", 1)
                    say(line)
            image_id = ev.image_id or image_id
            if ev.failed:
                if pending:
                    say(pending)
                raise _build_error(tag, ev.error, "".join(lines))
        if pending:
            say(pending)
        return BuildResult(f"{new.name}:{new.tag}", image_id, "".join(lines))

    @property
    def builder(self) -> str:
        """Which builder :meth:`build` uses: "buildkit" (through the docker CLI's buildx, as
        `docker build` on Docker 23 and later) or "classic" (the Engine API's own builder, where
        this machine's CLI has no buildx); "" on an engine that cannot build."""
        return self._engine.builder if self.can("build") else ""

    def _need_feature(self, feature: str, what: str, *, hint: str = "") -> None:
        if self.can(feature):
            return
        why = getattr(self._engine, "limitations", {}).get(feature, f"the {self._engine.kind} engine cannot")
        raise E.NotAvailableOnEngine(f"{what} is not available on this engine, because {why}", feature=feature,
                                     engine=self._engine.kind, state="nothing was done", hint=hint)

    def image_history(self, image: str):
        """`docker history IMAGE` (also `docker image history`): the image's layers, newest first, as a
        DataFrame: the instruction that made each one and the bytes it added.
        (``lab.history`` is already the list of CLI twins this lab ran.)"""
        refs.parse_image(image)
        if not hasattr(self._engine, "history"):
            raise E.NotAvailableOnEngine(
                f"docker history is not available on this engine ({self._engine.kind}): it keeps no layer history",
                feature="history", engine=self._engine.kind, state="nothing was done",
                hint="lab.images() shows the image and its size")
        self._twin(f"docker history {image}")
        df = history_frame(self._engine.history(image))
        df.attrs["cli"] = f"docker history {image}"
        return df

    @property
    def registry(self) -> str:
        """The classroom registry (``host:port``): the engine's first registry mirror, else ``""``."""
        from .mirror import engine_mirrors

        mirrors = engine_mirrors(self._engine.info())
        return re.sub(r"^https?://", "", mirrors[0]) if mirrors else ""

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
        self._need_feature("push", f"Pushing {ref}", hint="push from a machine with a Docker Engine")
        self._twin(f"docker push {ref}")
        say = (lambda s: None) if quiet else self._say
        repo = image.name if image.name.startswith(image.registry) else f"{image.registry}/{image.name}"
        say(f"The push refers to repository [{repo}]")
        digest, last = "", {}
        for ev in self._engine.push(repo, image.tag):
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

    def curl(self, url: str, *, timeout: float = 5.0) -> "str":
        """`curl URL` from this machine (where the notebook's kernel runs): the page's text.
        A server that has just started gets ``timeout`` seconds to answer."""
        import time
        import urllib.error
        import urllib.request

        from .lab import Text

        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise E.InvalidReference(f"Not a web address: {url!r}", value=repr(url),
                                     hint="for example 'http://127.0.0.1:8080/'")
        self._twin(f"curl {url}")
        end = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=max(timeout, 1)) as resp:
                    return Text(resp.read().decode("utf-8", "replace"))
            except urllib.error.HTTPError as e:
                return Text(f"HTTP {e.code} {e.reason}\n" + e.read().decode("utf-8", "replace"))
            except (OSError, urllib.error.URLError) as e:
                if time.monotonic() > end:
                    raise E.OperationTimedOut(
                        f"Nothing answered at {url} within {timeout:g} seconds ({getattr(e, 'reason', e)})",
                        seconds=timeout, state="the address is on this machine; no server listens there (yet)",
                        hint="is the container running (lab.ps()) and is the port published (lab.port(name))?") from None
                time.sleep(0.1)

    def browse(self, container: str, port=80, *, confirm: bool = False) -> WebLink:
        """A link (and a frame) that opens the page a container publishes, through JupyterLab's
        ``/proxy/<host port>/``: the learner's browser may be far away, JupyterLab is not."""
        published = self.port(container, port, confirm=confirm)
        return WebLink(published, jupyter_prefix())

    def remove_my_images(self) -> list[str]:
        """Remove the images the kit built for you (labelled with your name), every tag of them;
        one still used by a container stays."""
        flt = {"label": labels.label_filter(owner=self.owner)}
        removed = []
        for im in sorted(self._engine.images(filters=flt) if _takes_filters(self._engine) else [],
                         key=lambda i: sorted(i.get("RepoTags") or [""])[0]):
            for ref in sorted(im.get("RepoTags") or []) or [im["Id"]]:
                try:
                    self._engine.remove_image(ref)
                    removed.append(ref)
                except E.DockerLabError:
                    break
        return removed

    def _port_specs(self, ports, policy) -> list:
        """The ``ports=`` of run: parsed (127.0.0.1 unless said otherwise), public addresses refused
        unless the teacher allows them, and refused on an engine without its own network."""
        specs = ports_mod.parse_ports(ports)
        if specs:
            self._need_feature("ports", "Publishing a port (docker run -p)",
                       hint="here a server in a container listens on this machine's own ports: run it without "
                            "ports= and open the port it listens on (above 1024, as you are not root)")
            ports_mod.check_public(specs, policy)
        return specs

    def port(self, container: str, port=None, *, confirm: bool = False):
        """`docker port NAME [PORT]`: where the container's published ports answer on this machine.

        Without ``port``: every mapping (``80/tcp -> 127.0.0.1:8080``). With it: that one
        (a :class:`dockerlab.ports.Published`, with ``.url`` and ``.proxy_path``)."""
        c = self._visible(container, "read the ports of", confirm)
        self._twin(f"docker port {c.name}" + (f" {port}" if port is not None else ""))
        found = ports_mod.published(self._engine.inspect_container(c.id))
        if port is None:
            return found
        cport, proto = ports_mod._container_side(port, port)
        hits = [p for p in found if p.container_port == cport and p.proto == proto]
        if not hits:
            raise E.NotFound(f"No public port '{cport}/{proto}' published for {c.name}",
                             state=f"its published ports: {', '.join(map(repr, found)) or 'none'}",
                             hint=f"publish it when you start the container: lab.run(..., ports='8080:{cport}')")
        return hits[0]


class WebLink:
    """A published web page: a link that opens it through JupyterLab (jupyter-server-proxy's
    ``/proxy/<port>/``, so it works on a remote hub and on Binder too) and the page in a frame.
    Its text form is stable (no object address), for nbval."""

    def __init__(self, published: "ports_mod.Published", prefix: str = "/"):
        self.published = published
        self.path = prefix.rstrip("/") + "/" + published.proxy_path

    def __repr__(self) -> str:
        return f"{self.published.url} (in JupyterLab: {self.path})"

    def _repr_html_(self) -> str:
        from html import escape

        href = escape(self.path, quote=True)
        return (f"<p><a href='{href}' target='_blank' rel='noopener'>Open {escape(self.published.url)} "
                f"(through JupyterLab: {escape(self.path)})</a></p>"
                f"<iframe src='{href}' style='width:100%;height:220px;border:1px solid #ccc' "
                f"title='the page published on port {self.published.host_port}'></iframe>")


def jupyter_prefix() -> str:
    """JupyterLab's base URL as the kernel can know it: JupyterHub and Binder set
    JUPYTERHUB_SERVICE_PREFIX (``/user/NAME/``); a plain `jupyter lab` serves at ``/``."""
    return os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or os.environ.get("DOCKERLAB_JUPYTER_PREFIX") or "/"


def _takes_filters(engine) -> bool:
    import inspect

    try:
        return "filters" in inspect.signature(engine.images).parameters
    except (TypeError, ValueError):
        return False


def _build_error(tag: str, msg: str, output: str) -> E.BuildFailed:
    step = buildlog.failed_step(output)
    hint = "fix that line of the Dockerfile and build again: the steps before it come from the cache"
    low = msg.lower()
    # the classic builder's words, then BuildKit's
    if "returned a non-zero code" in low or "did not complete successfully" in low or "executor failed running" in low:
        hint = "the command of that RUN step failed: its output is just above; " + hint
    elif "copy failed" in low or "failed to calculate checksum" in low or "no such file or directory" in low:
        hint = "COPY takes files from the build context (the folder you build): is the file in it? " + hint
    elif ("not found" in low or "pull access denied" in low or "manifest unknown" in low
          or "failed to resolve source metadata" in low):
        hint = "the FROM image is not here and the registry does not have it: check its name (lab.images())"
    return E.BuildFailed(f"Building {tag} failed" + (f" at step '{step}'" if step else "") + f": {msg.strip()}",
                         step=step, output=output, state="no image was tagged; the steps that succeeded are cached",
                         hint=hint)
