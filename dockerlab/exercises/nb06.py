"""Checks for 06-lifecycle: `docker ps -a`, and a container stopped on purpose."""
from __future__ import annotations

from . import Verdict, blank, discard, exercise, failed, no_answer, passed, predict, predicting


PS_ALL = "nb06.ps-all"
STOPPED = "nb06.stopped"
STATES = "nb06.states"


#: What the docker CLI prints for an argument `docker ps` does not take (CLI 28; CLI 20.10 prints
#: `"docker ps" accepts no arguments.` then `See 'docker ps --help'.`).
NO_ARGUMENTS = "docker: 'docker ps' accepts no arguments"

def _read(answer, exercise, hint):
    """The answer as one docker command (:mod:`dockerlab.cmdline`), or the verdict that says why it is not."""
    from ..cmdline import one_docker_call
    from ..errors import CLIRefused, CommandLineError

    try:
        return one_docker_call(answer), None
    except CLIRefused as e:
        return e, failed(exercise, f"the CLI refuses it: `{e.said}`.", e.hint or hint)
    except CommandLineError as e:
        return e, failed(exercise, f"{e.what}.", e.hint or hint)


@exercise(PS_ALL, "docker ps -a")
def check_ps_all(answer) -> "Verdict":
    """The command that lists every container, stopped ones too (and only that: no -l, -n, filter)."""
    if answer is None or blank(answer):
        return no_answer(PS_ALL, "there is no answer yet: replace the ... with a command, as a string.",
                         "it starts with 'docker ps'")
    if not isinstance(answer, str):
        return failed(PS_ALL, f"the answer should be the command as a string, not {type(answer).__name__}.",
                      'for example answer = "docker ..."')
    call, verdict = _read(answer, PS_ALL, "the flag for 'all' is -a (or --all)")
    if verdict is not None:
        if "accepts no arguments" in getattr(call, "said", "") and any(w.text == "-" for w in _words(answer)):
            return failed(PS_ALL, "that is the tutorial's typo: with a space, '-' and 'a' are two arguments, and the CLI "
                          f"answers `{NO_ARGUMENTS}`.", "write the flag in one piece: -a")
        from ..refs import _DASHES

        bad = sorted({c for c in answer if c in _DASHES})
        if bad and hasattr(call, "said"):
            return failed(PS_ALL, f"the CLI says `{call.said}`: {', '.join(f'U+{ord(c):04X}' for c in bad)} only looks "
                          "like a hyphen, so the word is an argument, not an option.", "type a plain hyphen: -a")
        return verdict
    if call.path != ("container", "ls"):
        return failed(PS_ALL, f"`{call.shown}` does not list containers.", "the listing command is docker ps")
    if call.flag("latest"):
        return failed(PS_ALL, "-l (--latest) shows only the last container created: `-all` and `-al` are read "
                      "as -a -l, one letter each.", "write -a alone (or --all with two hyphens)")
    last = call.value("last")
    if last is not None and str(last).strip() != "-1":
        return failed(PS_ALL, f"-n {last} (--last) shows only the last {last} containers.", "leave out -n")
    if call.values("filter"):
        return failed(PS_ALL, f"--filter {call.value('filter')} keeps only some of the containers.", "leave out the filter")
    if call.flag("all"):
        return passed(PS_ALL, "It lists running and stopped containers (lab.ps(all=True) here).")
    if "all" in call.options:
        return failed(PS_ALL, "--all=false is plain docker ps: only the running containers.", "-a alone means all")
    return failed(PS_ALL, f"without -a, `{call.shown}` lists only the running containers; a stopped one would be missing.",
                  "add the flag that means 'all'")


def _words(answer: str):
    from ..cmdline import read

    return [w for p in read(answer).pipelines for c in p for w in c.words]


@exercise(STOPPED, "stop a container")
def check_stopped(lab, name: str = "nb06-ex") -> "Verdict":
    """``name`` ran ``sleep`` from alpine in the background and was stopped: exit code 137 or 143."""
    from ..errors import ContainerNotFound

    try:
        c = lab.container(name)
    except ContainerNotFound:
        return no_answer(STOPPED, f"there is no container named {name!r} yet.",
                      f"lab.run('alpine', 'sleep 600', name={name!r}, detach=True), then lab.stop(...)")
    if c.state == "running":
        return failed(STOPPED, f"{name} is still running.", f"stop it: lab.stop({name!r}, timeout=1)")
    if c.state == "created":
        return failed(STOPPED, f"{name} was created but never started, so it never ran.",
                      f"start it with lab.start({name!r}), then stop it")
    if c.state == "paused":
        return failed(STOPPED, f"{name} is paused: frozen, not stopped; its processes still exist.",
                      f"lab.unpause({name!r}), then lab.stop({name!r}, timeout=1)")
    if c.state != "exited":
        return failed(STOPPED, f"{name} is {c.state}, not exited.", "run it again with detach=True, then stop it")
    from ..errors import DockerLabError
    from ..refs import parse_image

    try:  # alpine from any registry (a mirror's 127.0.0.1:5000/library/alpine too), any tag
        image = parse_image(c.image).repository.removeprefix("library/")
    except DockerLabError:
        image = c.image
    if image != "alpine":
        return discard(lab, STOPPED, name, f"{name} was made from {c.image!r}; the exercise asks for alpine.",
                       "run it from alpine")
    if c.exit_code not in (137, 143):
        return discard(lab, STOPPED, name, f"{name} exited by itself (exit code {c.exit_code}): nothing stopped it.",
                       f"run `sleep 600` with detach=True, then lab.stop({name!r}, timeout=1)")
    how = "SIGKILL after the grace period" if c.exit_code == 137 else "SIGTERM"
    return passed(STOPPED, f"{name} was stopped (exit code {c.exit_code}: {how}); `docker ps -a` still lists it, "
                  "`docker ps` does not.")


@exercise(STATES, "the five states")
def check_states(answer) -> "Verdict":
    """The states a container passes through for create, start, pause, unpause, stop, in order."""
    want = ["created", "running", "paused", "running", "exited"]
    if answer is None or blank(answer):
        return no_answer(STATES, "there is no answer yet: replace the ... with a list of five state names.",
                      'for example ["created", ...]')
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return failed(STATES, "the answer should be a list of five state names.", 'for example ["created", ...]')
    got = [str(s).strip().lower() for s in answer]
    if len(got) != len(want):
        return failed(STATES, f"there are {len(got)} states in your list; five steps give five states.",
                      "one state after each of: create, start, pause, unpause, stop")
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            if g == "stopped":
                return failed(STATES, "Docker calls a stopped container 'exited' (its main process ended).",
                              "use the names lab.container(...).state shows")
            step = ["create", "start", "pause", "unpause", "stop"][i]
            return failed(STATES, f"after {step} the state is not {g!r}.", "try the steps on a container and look "
                          "at lab.container(name).state after each")
    return passed(STATES)


PREDICT_STOP = "nb06.predict-stop"


@predicting(PREDICT_STOP, "predict: the exit code of a stop")
def predict_stop_code(lab, prediction, name: str = "nb06-guess"):
    """Predict, then run: `docker run -d alpine sleep 600`, then `docker stop -t 1`: which exit code?"""
    from ..errors import DockerLabError

    def action():
        try:
            lab.remove(name, force=True)
        except DockerLabError:
            pass
        lab.run("alpine", "sleep 600", name=name, detach=True)
        return lab.stop(name, timeout=1).exit_code

    def compare(guess, code):
        try:
            g = int(guess)
        except (TypeError, ValueError):
            return False, "predict a number (an exit code)"
        if g == code:
            return True, f"{code} = 128 + {code - 128}: sleep, PID 1, ignored SIGTERM, so SIGKILL (9) ended it."
        if g == 143:
            return False, "143 is 128 + 15 (SIGTERM): what happens to SIGTERM sent to a PID 1 with no handler?"
        if g == 0:
            return False, "0 means the program ended by itself, fine; did sleep choose to end?"
        return False, "an exit code above 128 means 'killed by signal (code - 128)'"

    return predict(PREDICT_STOP, prediction, action, compare, owner=getattr(lab, "owner", None))
