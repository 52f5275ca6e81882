"""Checks for 05-run: a learner's answer in, a Verdict out (never an exception)."""
from __future__ import annotations

import shlex

from ..errors import DockerLabError
from ..refs import _DASHES, parse_image
from .. import names
from . import failed, passed

NOT_YET = "replace the ... with your answer, then run the cell again"


def check_alpine_shell(answer):
    """Exercise 1: the path of the shell alpine ships (``/bin/sh``)."""
    ex = "Exercise 1 (alpine's shell)"
    if answer is ...:
        return failed(ex, "There is no answer yet.", NOT_YET)
    if not isinstance(answer, str):
        return failed(ex, f"Write the path as text, not a {type(answer).__name__}.", 'for example "/usr/bin/env"')
    a = answer.strip()
    if a in ("/bin/bash", "bash", "/usr/bin/bash"):
        return failed(ex, "That is the tutorial's mistake: alpine has no bash.",
                      "look at what `ls /bin/sh /bin/bash` printed in alpine")
    if a in ("sh", "ash", "/bin/ash"):
        return failed(ex, f"{a!r} is right in spirit (BusyBox's ash answers as sh), but the exercise asks for the path.",
                      "a path starts with /")
    if a != "/bin/sh":
        return failed(ex, f"Alpine has no shell at {a!r} that the lesson showed.", "the lesson listed /bin/sh")
    return passed(ex, "Alpine's shell is /bin/sh (BusyBox ash); `docker run -it alpine /bin/sh` works.")


def check_fixed_command(answer):
    """Exercise 2: the seed's `docker run –-name our_container -it ubuntu /bin/bash`, fixed."""
    ex = "Exercise 2 (fix the en dash)"
    if answer is ...:
        return failed(ex, "There is no answer yet.", NOT_YET)
    if not isinstance(answer, str):
        return failed(ex, f"Write the command as text, not a {type(answer).__name__}.",
                      'for example "docker run ..."')
    bad = sorted({c for c in answer if c in _DASHES})
    if bad:
        return failed(ex, f"It still has {', '.join(f'U+{ord(c):04X}' for c in bad)}, a dash that only looks like a hyphen.",
                      "type two plain hyphens: --name")
    try:
        words = shlex.split(answer.replace("sudo ", "", 1))
    except ValueError as e:
        return failed(ex, f"It cannot be split into words: {e}.", "close every quote")
    if words[:2] != ["docker", "run"]:
        return failed(ex, "It should start with `docker run`.", "docker run --name our_container -it ...")
    args = words[2:]
    name, flags, rest, i = None, set(), [], 0
    while i < len(args):
        w = args[i]
        if w == "--name" and i + 1 < len(args):
            name, i = args[i + 1], i + 2
            continue
        if w.startswith("--name="):
            name = w.split("=", 1)[1]
        elif w.startswith("-") and not rest:
            flags.update(w.lstrip("-") if not w.startswith("--") else [w])
        else:
            rest.append(w)
        i += 1
    if name != "our_container":
        return failed(ex, f"The container's name is {name!r}, not 'our_container'." if name else "it has no --name option.",
                      "options go before the image: --name our_container")
    if not ({"i", "t"} <= flags or {"--interactive", "--tty"} <= flags):
        return failed(ex, "It lost the -it options.", "keep -it (or -i -t) before the image")
    if not rest:
        return failed(ex, "It names no image.", "the image, ubuntu, goes after the options")
    try:
        img = parse_image(rest[0])
    except DockerLabError as e:
        return failed(ex, f"{rest[0]!r} is not an image: {e.what}.", "the image goes after the options")
    if img.repository != "ubuntu":
        return failed(ex, f"It runs {img.repository}, not ubuntu.", "keep the image: ubuntu")
    if rest[1:] != ["/bin/bash"]:
        return failed(ex, f"The command is {' '.join(rest[1:]) or 'missing'}, not /bin/bash.", "end with /bin/bash")
    return passed(ex, "Plain hyphens: the CLI reads --name as an option again.")


def check_named_shell(lab, name: str = "nb05-mine"):
    """Exercise 3: a running ubuntu container called ``name`` with bash, started with -it."""
    ex = "Exercise 3 (your own named container)"
    try:
        d = names.inspect(lab, name)
    except DockerLabError:
        return failed(ex, f"There is no container named {name!r} on the engine.",
                      f"start it with lab.run(...), giving name={name!r} and the -it options (see how nb05-ubuntu was started)")
    cfg, st = d.get("Config") or {}, d.get("State") or {}
    image = cfg.get("Image", "")
    try:
        repo = parse_image(image).repository
    except DockerLabError:
        repo = image
    if repo != "ubuntu":
        return failed(ex, f"{name} runs {image}, not ubuntu.", f"remove it (lab.remove({name!r}, force=True)) and run ubuntu")
    cmd = cfg.get("Cmd") or []
    if cmd[:1] not in (["/bin/bash"], ["bash"]):
        return failed(ex, f"{name} runs {' '.join(cmd) or 'the image default'}, not /bin/bash.",
                      f"remove it (lab.remove({name!r}, force=True)) and pass \"/bin/bash\" as the command")
    if not (cfg.get("OpenStdin") and cfg.get("Tty")):
        return failed(ex, f"{name} was started without -it (interactive={bool(cfg.get('OpenStdin'))}, tty={bool(cfg.get('Tty'))}).",
                      "bash with no input open exits at once; pass interactive=True, tty=True")
    if st.get("Status") != "running":
        return failed(ex, f"{name} is {st.get('Status')}, not running.", f"lab.start({name!r})")
    return passed(ex, f"{name} runs bash from ubuntu, waiting for input (lab.exec({name!r}, ...) talks to it).")
