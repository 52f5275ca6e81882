"""``dockerlab bake``: put the lesson images into a daemonless (udocker) image store at build time.

Binder runs ``binder/postBuild`` once, when it builds the repository's image; whatever is in the
home folder then is part of that image, which Binder caches and starts for every user. Baking the
lesson images there means a Binder session pulls nothing at run time: Docker Hub allows anonymous
users 10 pulls per hour per IPv4 address (or IPv6 /64), and Binder's users share a few addresses.

Where each image comes from, the first that works:

1. ``--archives DIR`` (or ``DOCKERLAB_BAKE_ARCHIVES``): a ``docker save`` archive ``DIR/NAME.tar``
   (offline; the kit's tests use the stand-in archives of ``scripts/provision-udocker``);
2. ``mirror.gcr.io``: Google's pull-through cache of Docker Hub's official images, which does not
   share Docker Hub's anonymous limit;
3. Docker Hub itself.

It says which one it used for each image, and exits 1 (a failed Binder build, visible to the
repository's owner) when an image could not be had from any of them.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# The images the lessons use (scripts/provision-engine builds an offline stand-in of each;
# tests/unit/test_bake.py keeps the script's list the same as this one)
from .mirror import LESSON_IMAGES

MIRROR = "mirror.gcr.io"


def _pulled(engine, repository: str) -> str | None:
    """Pull ``repository:latest``; None when it worked, else the engine's last word."""
    last = None
    for ev in engine.pull(repository, "latest"):
        if ev.failed:
            last = ev.error
            break  # its words; the engine's typed error after it is not needed here
    return last


def bake(engine, images=LESSON_IMAGES, *, archives: Path | None = None, say=print) -> list[str]:
    """Bake each image into ``engine``'s store; return the images that could not be had."""
    missing = []
    for name in images:
        ref = f"{name}:latest"
        tar = archives / f"{name}.tar" if archives else None
        if tar is not None and tar.is_file():
            with open(tar, "rb") as fh:
                engine.load_images(fh)
            say(f"{ref}: loaded from the archive {tar}")
            continue
        why = _pulled(engine, f"{MIRROR}/library/{name}")
        if why is None:
            engine.tag(f"{MIRROR}/library/{name}:latest", name, "latest")
            engine.remove_image(f"{MIRROR}/library/{name}:latest")
            say(f"{ref}: pulled from {MIRROR} (Google's cache of Docker Hub's official images)")
            continue
        say(f"{ref}: {MIRROR} did not serve it ({why.splitlines()[0][:120]}); trying Docker Hub")
        why = _pulled(engine, name)
        if why is None:
            say(f"{ref}: pulled from Docker Hub")
            continue
        say(f"{ref}: NOT baked: Docker Hub did not serve it either ({why.splitlines()[0][:120]})")
        missing.append(name)
    return missing


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="dockerlab bake", description=__doc__.split("\n\n")[0])
    ap.add_argument("--archives", default=os.environ.get("DOCKERLAB_BAKE_ARCHIVES") or None,
                    help="a folder of `docker save` archives NAME.tar to load instead of pulling")
    ap.add_argument("images", nargs="*", default=list(LESSON_IMAGES), help="default: the lesson images")
    args = ap.parse_args(argv)
    from .engine.udocker import UdockerEngine
    from .errors import DockerLabError

    os.environ.setdefault("DOCKERLAB_UDOCKER_PRELOAD", "0")  # this is the preload, done once, at build time
    try:
        engine = UdockerEngine(source="dockerlab bake")
        missing = bake(engine, args.images, archives=Path(args.archives) if args.archives else None)
    except DockerLabError as e:
        print(f"dockerlab bake: {e}", file=sys.stderr)
        return 1
    if missing:
        print(f"dockerlab bake: could not bake {', '.join(missing)}: the lessons would pull them at run time; "
              "build again later", file=sys.stderr)
        return 1
    (engine.meta / ".preloaded").write_text("\n".join(f"{i}:latest" for i in args.images) + "\n")
    print(f"dockerlab bake: {len(args.images)} images in {engine.home}; a session pulls nothing at run time")
    return 0
