"""Lessons 04 and 08 of the lab API: `docker pull`, `docker images`, `docker rmi`, `docker tag`,
`docker image prune`."""
from __future__ import annotations

from .. import args as A
from .. import errors as E
from .. import frames, labels, refs
from ..refs import ImageRef
from ..results import Image
from .base import LabBase


class ImagesMixin(LabBase):
    """Images: pull, list, tag, remove (see :class:`dockerlab.lab.Lab`)."""

    def pull(self, ref: str, *, progress=None, quiet: bool = False) -> Image:
        """`docker pull ref`: download an image (default tag ``latest``).

        ``progress`` is called with each of the engine's progress messages (a
        :class:`~dockerlab.engine.progress.Progress`: ``status``, ``layer``, ``current``,
        ``total``, ``error``; the pull widget uses it); a text summary like the CLI's is printed.
        """
        image = refs.parse_image(A.image_text(ref))
        quiet = A.flag(quiet, "quiet")
        if progress is not None and not callable(progress):
            raise E.InvalidReference(f"progress= is a function called with each event, not {progress!r}"[:120],
                                     value=repr(progress)[:80], hint="leave it out, or use the PullProgress widget")
        self._twin(f"docker pull {ref}")
        self._pull(image, progress=progress, quiet=quiet)
        return self._image(str(image))

    def _pull(self, image: ImageRef, *, progress=None, quiet: bool = False) -> None:
        say = (lambda s: None) if quiet else self._say
        if not image.tag_given and not image.digest:
            say("Using default tag: latest")
        repo, tag = image.name, (image.digest or image.tag)
        last = {}
        for ev in self._gate.pull(repo, tag):  # a failed pull ends with the engine's typed error
            if progress is not None:
                progress(ev)
            status, lid = ev.status, ev.layer
            if ev.failed:
                continue
            if ev.starts:
                say(f"{lid}: {status}")
            elif lid and status in ("Pull complete", "Already exists"):
                if last.get(lid) != status:
                    say(f"{lid}: {status}")
                last[lid] = status
            elif ev.summary:
                say(status)
        say(image.canonical)

    def _image(self, ref: str) -> Image:
        d = self._gate.inspect_image(ref)
        return Image(ref=ref, id=d.get("Id", ""), size=d.get("Size", 0))

    def _has_image(self, ref: str) -> bool:
        try:
            self._gate.inspect_image(ref)
            return True
        except E.ImageNotFound:
            return False

    def images(self):
        """`docker images`: the local images as a DataFrame (sorted by repository, tag)."""
        self._twin("docker images")
        df = frames.images_frame(self._gate.images())
        df.attrs["cli"] = "docker images"
        return df

    def image_inspect(self, image: str) -> dict:
        """`docker image inspect IMAGE`: the engine's document of the image (``["Config"]["User"]``,
        ``["Config"]["Entrypoint"]``, ``["Size"]`` ...)."""
        refs.parse_image(image)
        self._twin(f"docker image inspect {image}")
        return self._gate.inspect_image(image)

    def remove_image(self, ref: str, *, force: bool = False) -> list[str]:
        """`docker rmi ref`."""
        refs.parse_image(A.image_text(ref))
        force = A.flag(force, "force")
        self._twin(f"docker rmi {'-f ' if force else ''}{ref}")
        res = self._gate.remove_image(ref, force=force)
        return [next(iter(r.values())) for r in res or []]

    def tag(self, source: str, target: str) -> Image:
        """`docker tag source target`: give an image one more name (no copy: the same image id)."""
        refs.parse_image(A.image_text(source))
        new = refs.parse_image(A.image_text(target))
        self._twin(f"docker tag {source} {target}")
        self._gate.tag(source, new.name, new.tag)
        return self._image(f"{new.name}:{new.tag}")

    def _forget_images(self, refs_: list[str]) -> list[str]:
        """`docker rmi` each of ``refs_`` that the engine has; one already gone is not an error."""
        gone = []
        for ref in refs_:
            refs.parse_image(ref)
            if not self._has_image(ref):
                continue
            self._twin(f"docker rmi {ref}")
            try:
                self._gate.remove_image(ref)
                gone.append(ref)
            except E.ImageNotFound:
                pass
        return gone

    def prune_images(self, scope: str = "mine", *, confirm: bool = False, quiet: bool = False) -> list[str]:
        """`docker image prune`: remove dangling images (untagged, unused).

        ``scope``: "mine" (default: only images carrying your ``org.dockerlab.owner`` label, the ones
        the kit built for you), "engine" (every dangling image on the engine, whoever made it: needs
        ``confirm=True``, as the plain CLI command does it).
        """
        if scope not in ("mine", "engine"):
            raise E.InvalidReference(f"Unknown scope {scope!r}", value=scope, hint="'mine' or 'engine'")
        if scope == "engine" and not confirm:
            raise E.ConfirmationRequired(
                "prune_images('engine') would remove every dangling image on the engine, other people's too",
                state="nothing was removed",
                hint="if you mean it: lab.prune_images('engine', confirm=True); for your own: lab.prune_images()")
        if not A.flag(quiet, "quiet"):
            self._twin("docker image prune -f" + (f" --filter label={labels.OWNER}={self.owner}" if scope == "mine" else ""))
        removed = []
        for im in self._gate.images(all=False):
            if (im.get("RepoTags") or ["<none>:<none>"]) != ["<none>:<none>"]:
                continue
            if scope == "mine" and (im.get("Labels") or {}).get(labels.OWNER) != self.owner:
                continue
            try:
                self._gate.remove_image(im["Id"])
                removed.append(im["Id"].split(":")[-1][:12])
            except E.DockerLabError:
                pass
        return removed

    def remove_my_images(self) -> list[str]:
        """Remove the images the kit built for you (labelled with your name), every tag of them;
        one still used by a container stays."""
        flt = {"label": labels.label_filter(owner=self.owner)}
        removed = []
        for im in sorted(self._gate.images(filters=flt),
                         key=lambda i: sorted(i.get("RepoTags") or [""])[0]):
            for ref in sorted(im.get("RepoTags") or []) or [im["Id"]]:
                try:
                    self._gate.remove_image(ref)
                    removed.append(ref)
                except E.DockerLabError:
                    break
        return removed
