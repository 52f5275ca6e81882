"""Checks for 15-a-good-image: a small multi-stage image, an image that does not run as root, a build
that used a secret and kept it out of every layer; and a predict question about `RUN rm`.

Each check judges the image on the engine, so one built in a terminal counts as much as one from
lab.build. A wrong image cannot become right where it stands: the check removes it (the learner's
own only), so the next try builds the same name afresh, and says so
(:func:`dockerlab.exercises.discard_image`, the rule of :func:`~dockerlab.exercises.discard` for images).
"""
from __future__ import annotations

from pathlib import Path

from . import Verdict, discard_image, exercise, failed, gone, needs, no_answer, passed, predict, predicting

SMALL = "nb15.small"
NOT_ROOT = "nb15.not-root"
NO_SECRET = "nb15.no-secret"
PREDICT_RM = "nb15.predict-rm"
#: the final image of Exercise 1 stays under this many bytes (``docker image inspect -f '{{.Size}}'``)
SMALL_BYTES = 10_000_000
_ROOT_USERS = ("", "root", "0", "root:root", "0:0", "root:0", "0:root")


def _image(lab, exercise_key: str, ref: str, hint: str):
    """The engine's inspect of ``ref``, or the verdict that says there is none yet (or no builder)."""
    from ..errors import ImageNotFound

    if not lab.can("build"):
        return None, failed(exercise_key, "this engine cannot build images (no docker build here).",
                            "try this exercise where a Docker Engine runs")
    try:
        return lab.engine.inspect_image(ref), None
    except ImageNotFound:
        return None, no_answer(exercise_key, f"the engine has no image {ref!r} yet.", hint)


def _output(lab, ref: str, command=None) -> tuple[int, str]:
    from ..errors import DockerLabError

    try:
        res = lab.run(ref, command, rm=True)
    except DockerLabError as e:
        return -1, e.what
    return res.exit_code, res.output


@exercise(SMALL, "a small multi-stage image")
def check_small(lab, ref: str = "nb15-ex/small:v2", expected: str = "version 2.0") -> "Verdict":
    """``ref`` is under :data:`SMALL_BYTES` and running it prints ``expected`` (the multi-stage build of
    nb15-multistage with ``build_args={"VERSION": "2.0"}``)."""
    hint = f'lab.build("nb15-multistage", tag={ref!r}, build_args={{"VERSION": "2.0"}})'
    img, verdict = _image(lab, SMALL, ref, hint)
    if verdict is not None:
        return verdict
    size = int(img.get("Size") or 0)
    if size >= SMALL_BYTES:
        return discard_image(lab, SMALL, ref, img, f"the layers of {ref} are {size / 1e6:.1f} MB, not under "
                             f"{SMALL_BYTES / 1e6:.0f} MB: the build stage's toolchain is still in it.",
                             "build every stage (no target=): only the last one's FROM and COPY --from make the image")
    code, out = _output(lab, ref)
    if expected not in out:
        return discard_image(lab, SMALL, ref, img, f"running {ref} printed {out.strip()[:120]!r}, not {expected!r}.",
                             'the build stage reads ARG VERSION: build_args={"VERSION": "2.0"}')
    return passed(SMALL, f"The layers of {ref} are {size / 1e6:.1f} MB and it prints {expected}: the toolchain "
                         "stayed in the build stage.")


@exercise(NOT_ROOT, "an image that does not run as root")
def check_not_root(lab, ref: str = "nb15-ex/user:v1") -> "Verdict":
    """``ref`` names a user (``Config.User``) that is not root, and ``id -u`` in its container is not 0."""
    img, verdict = _image(lab, NOT_ROOT, ref, f"lab.build('FROM alpine\\nUSER 1000\\n', tag={ref!r})")
    if verdict is not None:
        return verdict
    user = str((img.get("Config") or {}).get("User") or "")
    if user.strip() in _ROOT_USERS:
        said = f"USER {user}" if user else "no USER line"
        return discard_image(lab, NOT_ROOT, ref, img, f"{ref} has {said}, so its containers run as root.",
                             "add a USER line with a user that is not root: USER 1000 (or a name in /etc/passwd)")
    code, out = _output(lab, ref, ["id", "-u"])
    uid = out.strip().splitlines()[-1].strip() if out.strip() else ""
    if code != 0 or not uid.isdigit():
        return discard_image(lab, NOT_ROOT, ref, img, f"`id -u` did not run in {ref}: {out.strip()[:120]!r}.",
                             "start FROM alpine (it has id), then USER 1000")
    if uid == "0":
        return discard_image(lab, NOT_ROOT, ref, img, f"{ref} says USER {user}, and that user is root (uid 0).",
                             "a user with another uid: USER 1000")
    return passed(NOT_ROOT, f"{ref} runs as USER {user} (uid {uid}), not root.")


@exercise(NO_SECRET, "a secret used by a build, in no layer")
def check_no_secret(lab, ref: str = "nb15-ex/secret:v1", secret: str = "nb15-app/token.txt") -> "Verdict":
    """The build of ``ref`` read the secret (its ``/token-length`` holds the size of the file ``secret``),
    and no layer, nor the image's history, holds the secret's text."""
    hint = (f"RUN --mount=type=secret,id=token wc -c < /run/secrets/token > /token-length, then "
            f"lab.build(..., tag={ref!r}, secrets={{'token': {secret!r}}})")
    img, verdict = _image(lab, NO_SECRET, ref, hint)
    if verdict is not None:
        return verdict
    text = Path(secret).read_text().strip()
    with lab.quietly(record=False):
        hits = lab.layers_holding(ref, text)
        history = " ".join(str(r.get("CreatedBy") or "") for r in lab.engine.history(ref))
    if len(hits) or text in history:
        where = f"layer {hits['LAYER'].iloc[0]} ({hits['CREATED BY'].iloc[0][:60]})" if len(hits) else "its history"
        return discard_image(lab, NO_SECRET, ref, img, f"the secret is in {ref}: {where}.",
                             "no COPY of the token, no ARG with it: RUN --mount=type=secret,id=token reads it")
    code, out = _output(lab, ref, ["cat", "/token-length"])
    size = str(len(Path(secret).read_bytes()))
    if out.strip() != size:
        return discard_image(lab, NO_SECRET, ref, img, f"{ref}'s /token-length says {out.strip()[:80]!r}, not {size}: "
                             "the build did not read the secret.", hint)
    return passed(NO_SECRET, f"The build of {ref} read the {size}-byte secret, and no layer holds it.")


def _as_yes_no(answer):
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, str):
        return {"true": True, "yes": True, "false": False, "no": False}.get(answer.strip().lower())
    return None


def compare_rm(guess, still_there: bool):
    """A prediction of whether the image still holds a file a later ``RUN rm`` removed."""
    said = _as_yes_no(guess)
    if said is None:
        return False, "predict True (the image still holds it) or False"
    if said == still_there:
        return True, ("RUN rm made a layer of its own that only hides the file; the layer of the RUN that wrote it "
                      "is unchanged, and goes wherever the image goes." if still_there else "")
    if still_there:
        return False, "each RUN adds a layer on top; does the layer below change?"
    return False, "this engine's image no longer holds it"


#: the question's Dockerfile: a file written, then removed by the next step
GUESS_DOCKERFILE = """\
FROM alpine
RUN echo "nb15 guess" > /guess.txt
RUN rm /guess.txt
"""


@predicting(PREDICT_RM, "predict: a file removed by a later RUN")
def predict_rm(lab, prediction, ref: str = "nb15-guess/rm:v1"):
    """Predict, then run: build :data:`GUESS_DOCKERFILE`; does the image still hold /guess.txt?"""
    def action():
        needs(lab, "build", "Building an image (docker build)")
        try:
            lab.build(GUESS_DOCKERFILE, tag=ref, quiet=True)
            layers = lab.find_in_layers(ref, "/guess.txt")
            return bool((layers["FILE"] == "written").any())
        finally:
            gone(lab.remove_image, ref)

    return predict(PREDICT_RM, prediction, action, compare_rm, owner=getattr(lab, "owner", None))
