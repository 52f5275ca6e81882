"""Checks for 08-images: reading the image table, and tagging an image."""
from __future__ import annotations

import math

from . import Verdict, blank, exercise, failed, no_answer, passed, predict, predicting


LARGEST = "nb08.largest"
TAG = "nb08.tag"


@exercise(LARGEST, "the largest image")
def check_largest(answer, images) -> "Verdict":
    """``answer`` names the repository of the largest image in ``images`` (a `lab.images()` frame)."""
    if answer is None or blank(answer):
        return no_answer(LARGEST, "there is no answer yet: replace the ... with a repository name, as a string.",
                      "look at the SIZE column, or sort: images.sort_values('SIZE (MB)')")
    if not isinstance(answer, str):
        return failed(LARGEST, f"the answer should be a repository name (a string), not {type(answer).__name__}.",
                      'for example "busybox"')
    if images is None or len(images) == 0:
        return failed(LARGEST, "the image table is empty, so nothing is the largest.", "pass lab.images()")
    from ..errors import DockerLabError
    from ..refs import parse_image

    def repo(text):
        try:
            return parse_image(str(text)).name
        except DockerLabError:
            return str(text).strip()

    table = images.assign(_repo=[repo(r) for r in images["REPOSITORY"]])
    try:
        said = parse_image(answer)
    except DockerLabError as e:
        return failed(LARGEST, f"{answer.strip()!r} is not an image name: {e.what}.", 'for example "busybox"')
    sizes = table.groupby("_repo")["SIZE (MB)"].max()
    if said.name not in sizes.index:
        return failed(LARGEST, f"there is no repository {said.name!r} in the table.",
                      f"choose one of: {', '.join(sorted(sizes.index))}")
    if said.tag_given or said.digest:
        mine = table[table["_repo"] == said.name]
        tags = set(mine["TAG"].astype(str)) if "TAG" in mine else set()
        if said.tag_given and not said.digest and said.tag not in tags:
            return failed(LARGEST, f"the engine has no {said.name}:{said.tag}; its tags of {said.name} are "
                          f"{', '.join(sorted(tags)) or 'none'}.", "answer with the repository alone, or a tag the table shows")
    top = sizes.max()
    if sizes[said.name] >= top:
        return passed(LARGEST, f"{said.name} is the largest: {sizes[said.name]:g} MB.")
    return failed(LARGEST, f"{said.name} is {sizes[said.name]:g} MB; another image is larger.",
                  "compare the SIZE (MB) column row by row")


@exercise(TAG, "docker tag")
def check_tag(lab, ref: str = "nb08-ex/busybox:v1", source: str = "busybox") -> "Verdict":
    """The engine has ``ref``, and it is the same image as ``source`` (a tag, not a copy)."""
    from ..errors import ImageNotFound

    from ..errors import DockerLabError

    repo = ref.rsplit(":", 1)[0]
    space = repo.split("/", 1)[0] + "/"

    def untag(tags) -> str:
        # a wrong try leaves nothing behind: the check removes the names it made up
        done = []
        for t in tags:
            try:
                lab.engine.remove_image(t)
                done.append(t)
            except DockerLabError:
                pass
        return f" (The check removed {', '.join(done)}.)" if done else ""

    try:
        have = lab.engine.inspect_image(ref)
    except ImageNotFound:
        near = sorted(t for im in lab.engine.images() for t in im.get("RepoTags") or []
                      if t.startswith(space) and t != ref)
        if near:
            return failed(TAG, f"the engine has no image {ref!r}, but {', '.join(near)}.{untag(near)}",
                          f"the name must be exactly {ref}: lab.tag({source!r}, {ref!r})")
        return no_answer(TAG, f"the engine has no image {ref!r} yet.", "`docker tag SOURCE TARGET` is lab.tag(source, target)")
    try:
        want = lab.engine.inspect_image(source)
    except ImageNotFound:
        return failed(TAG, f"the engine has no {source!r} image to compare with.", f"lab.pull({source!r})")
    if have.get("Id") != want.get("Id"):
        others = [t for t in have.get("RepoTags") or [] if t != ref]
        also = f" (it is the image of {', '.join(others)})" if others else ""
        return failed(TAG, f"{ref} is not the {source} image{also}.{untag([ref])}", f"tag {source} itself")
    return passed(TAG, f"{ref} and {source} are two names of one image, id {want['Id'].split(':')[-1][:12]}.")


PREDICT_TAG = "nb08.predict-tag"


def compare_tag_mb(guess, grew_mb: float):
    if isinstance(guess, bool) or not isinstance(guess, (int, float)) or math.isnan(guess):
        return False, "predict a number of MB"
    if abs(guess - grew_mb) <= 0.1:
        return True, "a tag is a name pointing at the same image id: nothing is copied."
    return False, "does `docker tag` copy the image's layers, or only add a name?"


@predicting(PREDICT_TAG, "predict: the disk a tag costs")
def predict_tag_mb(lab, prediction, source: str = "alpine", target: str = "nb08-guess/alpine:v1"):
    """Predict, then run: how many MB more do the engine's images take after `docker tag alpine ...`?"""
    from ..errors import DockerLabError

    def layers() -> int:
        return int(lab.engine.df().get("LayersSize") or 0)

    def action():
        try:
            lab.remove_image(target)
        except DockerLabError:
            pass
        before = layers()
        lab.tag(source, target)
        grew = round((layers() - before) / 1e6, 2)
        lab.remove_image(target)
        return grew

    return predict(PREDICT_TAG, prediction, action, compare_tag_mb, owner=getattr(lab, "owner", None))
