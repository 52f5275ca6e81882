"""Checks for 10-build-an-image: reading the build cache, and building an image of your own."""
from __future__ import annotations

from . import Verdict, blank, compare_count, exercise, failed, gone, needs, no_answer, passed, predict, predicting

FIRST_REBUILT = "nb10.first-rebuilt"
BUILD = "nb10.build"


@exercise(FIRST_REBUILT, "the first step run again")
def check_first_rebuilt(answer, build) -> "Verdict":
    """``answer`` is the first step the engine ran again (not from the cache) in ``build`` (a BuildResult)."""
    if answer is None or blank(answer):
        return no_answer(FIRST_REBUILT, "there is no answer yet: replace the ... with a line of the Dockerfile, as a string.",
                         _uncached_hint(build))
    if not isinstance(answer, str):
        return failed(FIRST_REBUILT, f"the answer should be a Dockerfile line (a string), not {type(answer).__name__}.",
                      'for example "RUN chmod +x /usr/local/bin/hello"')
    if build is None or not getattr(build, "steps", None):
        return failed(FIRST_REBUILT, "there is no build to compare with.", "run the cells of section 3 first")
    rebuilt = build.rebuilt
    if not rebuilt:
        return failed(FIRST_REBUILT, "every step of that build came from the cache.",
                      "BuildKit's cache outlives the image: give hello.sh a message it never had and build again "
                      "(or empty the cache: docker builder prune)")
    want = rebuilt[0]
    said = " ".join(answer.split())
    if said == " ".join(want.split()):
        after = len(rebuilt) - 1
        return passed(FIRST_REBUILT, f"'{want}' is the first step whose input changed; the {after} step(s) after it "
                                     "were run again too, because each layer builds on the one before.")
    if said in [" ".join(s.split()) for s, _ in build.steps]:
        return failed(FIRST_REBUILT, f"'{said}' is a step of that build, but not the first one run again.",
                      _uncached_hint(build))
    where = "'#N [i/n] '" if getattr(build, "builder", "") == "buildkit" else "'Step N/M : '"
    return failed(FIRST_REBUILT, f"'{said}' is not a step of that build.", f"copy the line after {where} exactly")


def _uncached_hint(build) -> str:
    """Where the output says a step ran again, in the words of the builder that printed it."""
    if getattr(build, "builder", "") == "classic":
        return "look for the first step without ' ---> Using cache' under it"
    return "look for the first step '#N [i/n] ...' whose own number has no '#N CACHED' line under it"


@exercise(BUILD, "build an image")
def check_build(lab, ref: str = "nb10-ex/shout:v1", expected: str = "HELLO") -> "Verdict":
    """The engine has ``ref`` and running it prints ``expected``: judged from the engine, so an image built
    in a terminal (`docker build -t nb10-ex/shout:v1 .`) counts as much as one from lab.build."""
    from ..errors import DockerLabError, ImageNotFound

    if not lab.can("build"):
        return failed(BUILD, "this engine cannot build images (no docker build here).",
                      "try this exercise where a Docker Engine runs")
    try:
        lab.engine.inspect_image(ref)
    except ImageNotFound:
        return no_answer(BUILD, f"the engine has no image {ref!r} yet.",
                      f"write a Dockerfile (FROM alpine, CMD [...]) and lab.build(folder_or_text, tag={ref!r})")
    try:
        res = lab.run(ref, rm=True)
    except DockerLabError as e:
        return failed(BUILD, f"{ref} does not run: {e.what}", "check its CMD line")
    if expected not in res.output:
        return failed(BUILD, f"running {ref} printed {res.output.strip()!r}, not {expected!r}.",
                      f'CMD ["echo", "{expected}"] is one way')
    return passed(BUILD, f"{ref} runs and prints {expected}.")


PREDICT_CACHE = "nb10.predict-cache"

#: the question's Dockerfile: two RUN steps, then a CMD; the second build changes only the CMD
GUESS_DOCKERFILE = """\
FROM alpine
RUN echo "built with dockerlab" > /etc/motd
RUN wc -c /etc/motd > /etc/motd.size
CMD {cmd}
"""
GUESS_CMDS = ('["cat", "/etc/motd"]', '["cat", "/etc/motd.size"]')


def compare_rebuilt(guess, rebuilt: int):
    """A prediction of how many steps (FROM aside) a rebuild runs again when only the CMD line changed:
    right when it is the number the builder ran again (not CACHED)."""
    return compare_count(guess, rebuilt, "steps", _why_rebuilt, _rebuilt_hint)


def _why_rebuilt(rebuilt: int) -> str:
    if rebuilt == 0:
        return ("CMD makes no layer: it is part of the image's configuration. The two RUN lines and everything "
                "under them were the same as before, so BuildKit took both from the cache (CACHED); only the "
                "configuration, with its new CMD, is new.")
    return f"This builder ran {rebuilt} step(s) again (the classic builder makes a step of CMD too)."


def _rebuilt_hint(said: int, rebuilt: int) -> str:
    if rebuilt:
        return f"this builder ran {rebuilt} step(s) again: look for the steps without CACHED (or ' ---> Using cache')"
    if said >= 2:
        return "a step runs again when its own line changed, or a step above it: here only the last line, CMD, changed"
    return "which steps make a layer? Is CMD one of them (section 1's table)?"


@predicting(PREDICT_CACHE, "predict: a rebuild with a new CMD")
def predict_rebuilt(lab, prediction, repo: str = "nb10-guess/cmd"):
    """Predict, then run: build a Dockerfile, change only its CMD line, build again: how many steps
    (FROM aside) does the second build run again?"""
    tags = (f"{repo}:v1", f"{repo}:v2")

    def action():
        needs(lab, "build", "Building an image (docker build)")
        with lab.quietly(record=False):  # an interrupted run's images, if any: no twin for what is not there
            for tag in tags:
                gone(lab.remove_image, tag)
        try:
            lab.build(GUESS_DOCKERFILE.format(cmd=GUESS_CMDS[0]), tag=tags[0], quiet=True)
            return len(lab.build(GUESS_DOCKERFILE.format(cmd=GUESS_CMDS[1]), tag=tags[1]).rebuilt)
        finally:
            for tag in tags:
                gone(lab.remove_image, tag)

    return predict(PREDICT_CACHE, prediction, action, compare_rebuilt, owner=getattr(lab, "owner", None))
