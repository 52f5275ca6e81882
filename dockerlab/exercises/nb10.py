"""Checks for 10-build-an-image: reading the build cache, and building an image of your own."""
from __future__ import annotations

from . import Verdict, blank, exercise, failed, no_answer, passed

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
