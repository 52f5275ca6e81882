"""Checks for 05-run: a learner's answer in, a Verdict out (never an exception)."""
from __future__ import annotations

from ..errors import DockerLabError
from ..refs import _DASHES, parse_image
from . import blank, discard, exercise, failed, no_answer, passed, predict, predicting

NOT_YET = "replace the ... with your answer, then run the cell again"

# each check's verdict names it by its key, as show_solution() and progress() do
ALPINE_SHELL = "nb05.alpine-shell"
FIX_DASH = "nb05.fix-dash"
NAMED_SHELL = "nb05.named-shell"
TERMINAL_EXIT = "nb05.terminal-exit"
TERMINAL_DETACH = "nb05.terminal-detach"


@exercise(ALPINE_SHELL, "alpine's shell")
def check_alpine_shell(answer):
    """Exercise 1: the path of a shell alpine ships: ``/bin/sh``, or ``/bin/ash`` (the same BusyBox ash)."""
    ex = ALPINE_SHELL
    if blank(answer):
        return no_answer(ex, "There is no answer yet.", NOT_YET)
    if not isinstance(answer, str):
        return failed(ex, f"Write the path as text, not a {type(answer).__name__}.", 'for example "/usr/bin/env"')
    import posixpath

    a = answer.strip()
    if a.startswith("/"):  # /bin//sh, /bin/./sh and //bin/sh name the same file
        a = "/" + posixpath.normpath(a).lstrip("/")
    if a in ("/bin/bash", "bash", "/usr/bin/bash"):
        return failed(ex, "That is the tutorial's mistake: alpine has no bash.",
                      "look at what `ls /bin/sh /bin/bash` printed in alpine")
    if a in ("sh", "ash"):
        return failed(ex, f"{a!r} is right in spirit (BusyBox's ash answers as sh), but the exercise asks for the path.",
                      "a path starts with /")
    if a == "/bin/ash":
        return passed(ex, "/bin/ash is BusyBox's ash, and /bin/sh is the same program: "
                      "`docker run -it alpine /bin/ash` works, and so does /bin/sh.")
    if a != "/bin/sh":
        return failed(ex, f"Alpine has no shell at {a!r} that the lesson showed.", "the lesson listed /bin/sh")
    return passed(ex, "Alpine's shell is /bin/sh (BusyBox ash); `docker run -it alpine /bin/sh` works.")


@exercise(FIX_DASH, "fix the en dash")
def check_fixed_command(answer):
    """Exercise 2: the seed's `docker run –-name our_container -it ubuntu /bin/bash`, fixed: a command the CLI
    accepts that runs bash from ubuntu, interactive with a terminal, in a container named our_container."""
    from ..cmdline import one_docker_call
    from ..errors import CLIRefused, CommandLineError

    ex = FIX_DASH
    if blank(answer):
        return no_answer(ex, "There is no answer yet.", NOT_YET)
    if not isinstance(answer, str):
        return failed(ex, f"Write the command as text, not a {type(answer).__name__}.",
                      'for example "docker run ..."')
    bad = sorted({c for c in answer if c in _DASHES})
    try:
        call = one_docker_call(answer)
    except CLIRefused as e:
        if bad:
            return failed(ex, f"The CLI still says `{e.said}`: it has {', '.join(f'U+{ord(c):04X}' for c in bad)}, "
                          "a dash that only looks like a hyphen, so the word is not an option.", "type two plain hyphens: --name")
        return failed(ex, f"The CLI refuses it: `{e.said}`.", e.hint or "docker run --name our_container -it ubuntu /bin/bash")
    except CommandLineError as e:
        return failed(ex, f"{e.what[:1].upper()}{e.what[1:]}.", e.hint or "close every quote")
    if call.path == ("container", "create"):
        return failed(ex, "`docker create` makes the container but never starts it: no shell to type in.",
                      "docker run creates and starts it")
    if call.path != ("container", "run"):
        return failed(ex, f"It runs `{call.shown}`, not docker run.", "docker run --name our_container -it ...")
    if bad:
        return failed(ex, f"It still has {', '.join(f'U+{ord(c):04X}' for c in bad)}, a dash that only looks like a hyphen.",
                      "type two plain hyphens: --name")
    image, command = call.args[0].text, call.arg_texts[1:]
    if image.startswith("-"):
        return failed(ex, f"{image!r} stands where the image goes.", "the image, ubuntu, goes after the options")
    if command[:1] and command[0].startswith("-"):
        return failed(ex, f"{' '.join(command)!r} comes after the image, so it goes to the container, not to docker.",
                      "options go before the image")
    name = call.value("name")
    if name != "our_container":
        return failed(ex, f"The container's name is {name!r}, not 'our_container'." if name else "It has no --name option.",
                      "options go before the image: --name our_container")
    missing = [f for f, opt in (("-i", "interactive"), ("-t", "tty")) if not call.flag(opt)]
    if missing:
        return failed(ex, f"It lost {' and '.join(missing)}: without -i bash gets no input, without -t no terminal.",
                      "keep -it (or -i -t, or --interactive --tty) before the image")
    if call.flag("detach"):
        return failed(ex, "With -d the shell runs in the background: you never get its prompt.", "leave out -d")
    try:
        img = parse_image(image)
    except DockerLabError as e:
        return failed(ex, f"{image!r} is not an image: {e.what}.", "the image goes after the options")
    if img.repository != "ubuntu":
        return failed(ex, f"It runs {img.repository}, not ubuntu.", "keep the image: ubuntu")
    if command not in (["/bin/bash"], ["bash"]):
        return failed(ex, f"The command is {' '.join(command) or 'missing'}, not /bin/bash.", "end with /bin/bash")
    return passed(ex, "Plain hyphens: the CLI reads --name as an option again.")


@exercise(NAMED_SHELL, "your own named container")
def check_named_shell(lab, name: str = "nb05-mine"):
    """Exercise 3: a running ubuntu container called ``name`` with bash, started with -it."""
    ex = NAMED_SHELL
    try:
        d = lab.engine.inspect_container(name)  # through the gate: your own name first
    except DockerLabError:
        return no_answer(ex, f"There is no container named {name!r} on the engine.",
                      f"start it with lab.run(...), giving name={name!r} and the -it options (see how nb05-ubuntu was started)")
    cfg, st = d.get("Config") or {}, d.get("State") or {}
    image = cfg.get("Image", "")

    def wrong(reason: str, hint: str):  # a wrong try leaves nothing behind: the name is free for the next one
        return discard(lab, ex, name, reason, hint)

    try:
        repo = parse_image(image).repository
    except DockerLabError:
        repo = image
    if repo != "ubuntu":
        return wrong(f"{name} runs {image}, not ubuntu.", "run ubuntu")
    cmd = cfg.get("Cmd") or []
    if cmd[:1] not in (["/bin/bash"], ["bash"]):
        return wrong(f"{name} runs {' '.join(cmd) or 'the image default'}, not /bin/bash.",
                     "pass \"/bin/bash\" as the command")
    if not (cfg.get("OpenStdin") and cfg.get("Tty")):
        return wrong(f"{name} was started without -it (interactive={bool(cfg.get('OpenStdin'))}, tty={bool(cfg.get('Tty'))}).",
                     "bash with no input open exits at once; pass interactive=True, tty=True")
    if st.get("Status") != "running":
        return failed(ex, f"{name} is {st.get('Status')}, not running.", f"lab.start({name!r})")
    return passed(ex, f"{name} runs bash from ubuntu, waiting for input (lab.exec({name!r}, ...) talks to it).")


PREDICT_STATE = "nb05.predict-state"


@predicting(PREDICT_STATE, "predict: sh without -it")
def predict_state(lab, prediction, name: str = "nb05-guess"):
    """Predict, then run: `docker run -d --name nb05-guess alpine sh` (no -i, no -t): its state a moment later?"""
    import time

    def action():
        try:
            lab.remove(name, force=True)
        except DockerLabError:
            pass
        lab.run("alpine", "sh", name=name, detach=True)
        for _ in range(50):  # the shell ends at once; give the engine a moment to notice
            state = lab.container(name).state
            if state != "running":
                break
            time.sleep(0.1)
        return state

    def compare(guess, state):
        g = str(guess).strip().lower()
        if g == state:
            return True, ("With no -i its input is closed: sh reads end-of-input and exits, and the "
                          "container with it." if state == "exited" else "")
        if g == "stopped" and state == "exited":
            return False, "right idea: Docker's word for a stopped container is 'exited'"
        return False, "without -i the shell has no input: what does a shell do at the end of its input?"

    return predict(PREDICT_STATE, prediction, action, compare, owner=getattr(lab, "owner", None))



# --- the tutorial's interactive shell, in JupyterLab's Terminal -------------------------------------------
TERMINAL_RUN = "docker run -it --name our_container ubuntu /bin/bash"
_NEVER = "0001-01-01T00:00:00Z"  # the engine's time for "never" (FinishedAt of a container never stopped)


def _terminal_shell(lab, name: str, ex: str):
    """(inspect, None) for the learner's terminal container, or (None, the verdict that says what is missing)."""
    try:
        d = lab.engine.inspect_container(name)  # a look: the Terminal's containers carry no kit label
    except DockerLabError:
        return None, no_answer(ex, f"There is no container named {name!r} on the engine yet.",
                               f"in JupyterLab's Terminal (File → New → Terminal) type: {TERMINAL_RUN}")
    cfg = d.get("Config") or {}
    try:
        repo = parse_image(cfg.get("Image", "")).repository
    except DockerLabError:
        repo = cfg.get("Image", "")
    cmd = cfg.get("Cmd") or []
    if repo != "ubuntu" or cmd[:1] not in (["/bin/bash"], ["bash"]) or not (cfg.get("OpenStdin") and cfg.get("Tty")):
        got = f"{cfg.get('Image', '?')} {' '.join(cmd)}".strip()
        return None, failed(ex, f"{name} is not the tutorial's shell: it runs {got!r}"
                            + ("" if cfg.get("OpenStdin") and cfg.get("Tty") else ", without -it") + ".",
                            f"remove it (docker rm -f {name}) and type: {TERMINAL_RUN}")
    return d, None


@exercise(TERMINAL_EXIT, "leave with exit")
def check_terminal_exit(lab, name: str = "our_container"):
    """Exercise 5, step 1: in the Terminal, ``docker run -it --name our_container ubuntu /bin/bash``, then
    ``exit``: the container stopped, because bash (its process 1) ended. Judged from the engine's state."""
    ex = TERMINAL_EXIT
    d, verdict = _terminal_shell(lab, name, ex)
    if verdict is not None:
        return verdict
    st = d.get("State") or {}
    if st.get("Status") == "running":
        return failed(ex, f"{name} is still running: bash has not ended.",
                      "at the root@...:/# prompt type exit (Ctrl-P Ctrl-Q leaves it running: that is step 2)")
    if st.get("Status") != "exited":
        return failed(ex, f"{name} is {st.get('Status')}, not exited.", f"docker start -ai {name}, then exit")
    return passed(ex, f"{name} exited (code {st.get('ExitCode')}): `exit` ended bash, the container's only "
                  "process, so the container stopped. It is kept: `docker ps -a` lists it.")


@exercise(TERMINAL_DETACH, "come back, then detach")
def check_terminal_detach(lab, name: str = "our_container"):
    """Exercise 5, step 2: ``docker start -ai our_container`` (back in the same shell), then Ctrl-P Ctrl-Q:
    the container runs on without you. Judged from the engine: running, and stopped once before."""
    ex = TERMINAL_DETACH
    d, verdict = _terminal_shell(lab, name, ex)
    if verdict is not None:
        return verdict
    st = d.get("State") or {}
    if st.get("Status") != "running":
        return failed(ex, f"{name} is {st.get('Status')}: you left with exit (or it was stopped).",
                      f"docker start -ai {name}, then hold Ctrl and press P, then Q")
    if (st.get("FinishedAt") or _NEVER).startswith("0001-"):
        return failed(ex, f"{name} runs, but it never stopped: step 1 (exit) comes first.",
                      f"docker attach {name}, type exit, then docker start -ai {name} and Ctrl-P Ctrl-Q")
    return passed(ex, f"{name} runs on after you left: Ctrl-P Ctrl-Q detached your terminal and bash kept running. "
                  f"`docker attach {name}` takes you back; `docker rm -f {name}` removes it when you are done.")
