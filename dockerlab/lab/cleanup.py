"""Lesson 13 of the lab API: cleanup ("kill all running containers", done safely)."""
from __future__ import annotations

from .. import args as A
from .. import errors as E
from .. import notices
from ..results import CleanupReport
from .base import LabBase


class CleanupMixin(LabBase):
    """`docker rm -f $(docker ps -aq --filter ...)` by scope (see :class:`dockerlab.lab.Lab`)."""

    def cleanup(self, scope: str = "session", *, confirm: bool = False, images=False,
                volumes: bool = False) -> CleanupReport:
        """"Kill all running containers", done safely: stop and remove them.

        ``scope``: "session" (default: what this notebook's kernel made),
        "mine" (everything the kit made for you), "kit" (every learner's, needs
        ``confirm=True``), "engine" (every container on the engine, even those
        the kit did not make: needs ``confirm=True``). Other learners' kit
        containers are left, and counted (never named) in ``skipped``, unless the
        teacher's settings allow it (``allow_others``, see :mod:`dockerlab.policy`).
        ``scope="lesson"``: your containers of this lab's lesson, from any kernel (what a lesson's
        "When you are done" cell uses: it works after a restart too).

        ``images=True`` also prunes dangling images (and, with scope "mine", removes the images
        lab.build made for you); ``images=[refs]`` removes those image names (`docker rmi`), each
        only if it is there: a cleanup cell can run any number of times. ``volumes=True`` removes
        the named volumes the kit made for you in that scope that no container uses any more.
        """
        scope = A.scope(scope)
        confirm = A.flag(confirm, "confirm")
        images = A.flag(images, "images") if not isinstance(images, (list, tuple)) else [A.image_text(i) for i in images]
        volumes = A.flag(volumes, "volumes")
        if scope in ("kit", "engine") and not confirm:
            what = "every container on the engine" if scope == "engine" else "every learner's kit containers"
            raise E.ConfirmationRequired(
                f"cleanup(scope={scope!r}) would stop and remove {what}",
                state="nothing was stopped or removed",
                hint=f"if you mean it: lab.cleanup({scope!r}, confirm=True); for your own: lab.cleanup('mine')")
        flt = self._scope_twin(scope)
        self._twin(f"docker rm -f $(docker ps -aq {flt})".replace("  ", " ").replace(" )", ")"))
        report = CleanupReport()
        rows, hidden = self._gate.listing(all=True, filters=self._filters(scope))
        if hidden:  # another learner's work needs the teacher's word too; say how many, never whose
            report.skipped.append((f"{hidden} container{'s' if hidden != 1 else ''} of other learners",
                                   "not yours (a teacher's setting, allow_others, is needed)"))
        for c in sorted(rows, key=lambda c: (c.get("Names") or [""])[0]):
            t = self._gate.row(c, "remove", confirm=True)  # the scope was confirmed above (kit, engine)
            name = t.name
            try:
                if c.get("State") in ("running", "paused", "restarting"):
                    self._gate.on(t, "kill")
                    report.stopped.append(name)
                self._gate.on(t, "remove", force=True)
                report.removed.append(name)
                self.cleaned.add(name)
                self._made.discard(name)
            except (E.ContainerNotFound, E.ContainerStateError):
                continue  # removed (or being removed) by someone else meanwhile: nothing to do
        notices.removed(report.removed, by=notices.BY_CLEANUP)
        if images is True:
            report.images_removed = self.prune_images(quiet=True)
            if scope == "mine":  # and the images the kit built for you (lab.build)
                report.images_removed += self.remove_my_images()
        elif images:
            report.images_removed = self._forget_images(images)
        if self.can("networks") and scope in ("session", "mine", "lesson"):  # the kit's networks of yours, now empty
            report.networks_removed = self.remove_my_networks(scope=scope)
        if volumes and self.can("volumes") and scope in ("session", "mine", "lesson"):  # the kit's volumes of yours
            report.volumes_removed = self.remove_my_volumes(scope=scope)
        return report
