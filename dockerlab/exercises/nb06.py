"""Checks for 06-lifecycle: `docker ps -a`, and a container stopped on purpose."""
from __future__ import annotations

from . import Verdict, exercise, failed, passed, predict, register


PS_ALL = "nb06.ps-all"
STOPPED = "nb06.stopped"
STATES = "nb06.states"


#: What the docker CLI prints for an argument `docker ps` does not take (CLI 28; CLI 20.10 prints
#: `"docker ps" accepts no arguments.` then `See 'docker ps --help'.`).
NO_ARGUMENTS = "docker: 'docker ps' accepts no arguments"

# docker ps's flags (docker/cli, cli/command/container/list.go): which take a value, which keep "all"
_SHORT_BOOL = {"a": "all", "q": "quiet", "s": "size", "l": "latest"}
_SHORT_VALUE = {"f": "filter", "n": "last"}
_LONG_BOOL = {"all", "quiet", "size", "latest", "no-trunc"}
_LONG_VALUE = {"filter", "last", "format"}


def _words(cmd: str) -> list[str]:
    words = cmd.strip().lstrip("$").split()
    if words[:1] == ["sudo"]:
        words = words[1:]
    return words


def parse_ps(args: list[str]) -> tuple[dict, list[str]]:
    """``docker ps`` options as the CLI reads them (pflag): ``-all`` is ``-a -l -l``, ``-n3`` is ``--last 3``.

    Returns ``(options, arguments)``: options by long name (a value, or True), and the words that
    are not options (the CLI refuses any).
    """
    opts: dict = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        w = args[i]
        i += 1
        if w == "--":
            rest += args[i:]
            break
        if w.startswith("--") and len(w) > 2:
            name, eq, value = w[2:].partition("=")
            if name in _LONG_VALUE:
                if not eq and i < len(args):
                    value, i = args[i], i + 1
                opts[name] = value
            else:
                opts[name] = value if eq else True
        elif w.startswith("-") and len(w) > 1:
            letters = w[1:]
            for j, ch in enumerate(letters):
                if ch in _SHORT_VALUE:
                    value = letters[j + 1:].lstrip("=")
                    if not value and i < len(args):
                        value, i = args[i], i + 1
                    opts[_SHORT_VALUE[ch]] = value
                    break
                opts[_SHORT_BOOL.get(ch, "-" + ch)] = True
        else:
            rest.append(w)  # "-" alone, "a", "foo": arguments
    return opts, rest


@exercise(PS_ALL, "docker ps -a")
def check_ps_all(answer) -> "Verdict":
    """The command that lists every container, stopped ones too (and only that: no -l, -n, filter)."""
    if answer is Ellipsis or answer is None or (isinstance(answer, str) and not answer.strip()):
        return failed(PS_ALL, "there is no answer yet: replace the ... with a command, as a string.",
                      "it starts with 'docker ps'")
    if not isinstance(answer, str):
        return failed(PS_ALL, f"the answer should be the command as a string, not {type(answer).__name__}.",
                      'for example answer = "docker ..."')
    words = _words(answer)
    if words[:1] != ["docker"]:
        return failed(PS_ALL, f"{answer!r} is not a docker command.", "start with 'docker'")
    rest = words[1:]
    if rest[:1] == ["container"] and rest[1:2] and rest[1] in ("ls", "list", "ps"):
        rest = ["ps"] + rest[2:]
    if rest[:1] != ["ps"]:
        return failed(PS_ALL, f"'docker {' '.join(rest[:2])}' does not list containers.", "the listing command is docker ps")
    opts, args = parse_ps(rest[1:])
    if "-" in args:
        return failed(PS_ALL, "that is the seed's typo: with a space, '-' and 'a' are two arguments, and the CLI "
                      f"answers `{NO_ARGUMENTS}`.", "write the flag in one piece: -a")
    if args:
        return failed(PS_ALL, f"the CLI refuses {' '.join(args)!r}: `{NO_ARGUMENTS}`.",
                      "docker ps takes only options (words that start with -)")
    unknown = sorted(k for k in opts if k.startswith("-") or (k not in _LONG_BOOL | _LONG_VALUE))
    if unknown:
        return failed(PS_ALL, f"docker ps has no option {', '.join(unknown)}: the CLI stops with `unknown flag`.",
                      "the flag for 'all' is -a (or --all)")
    if opts.get("latest"):
        return failed(PS_ALL, "-l (--latest) shows only the last container created: `-all` and `-al` are read "
                      "as -a -l, one letter each.", "write -a alone (or --all with two hyphens)")
    if "last" in opts:
        return failed(PS_ALL, f"-n {opts['last']} (--last) shows only the last {opts['last']} containers.",
                      "leave out -n")
    if "filter" in opts:
        return failed(PS_ALL, f"--filter {opts['filter']} keeps only some of the containers.", "leave out the filter")
    if opts.get("all") in (True, "true", "1"):
        return passed(PS_ALL, "It lists running and stopped containers (lab.ps(all=True) here).")
    if not opts:
        return failed(PS_ALL, "plain 'docker ps' lists only the running containers; a stopped one would be missing.",
                      "add the flag that means 'all'")
    return failed(PS_ALL, f"the options {' '.join(rest[1:])!r} do not ask for all containers.", "the flag is -a (or --all)")


@exercise(STOPPED, "stop a container")
def check_stopped(lab, name: str = "nb06-ex") -> "Verdict":
    """``name`` ran ``sleep`` from alpine in the background and was stopped: exit code 137 or 143."""
    from ..errors import ContainerNotFound

    try:
        c = lab.container(name)
    except ContainerNotFound:
        return failed(STOPPED, f"there is no container named {name!r} yet.",
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
    image = c.image.rsplit("/", 1)[-1].split(":")[0]
    if image != "alpine":
        return failed(STOPPED, f"{name} was made from {c.image!r}; the exercise asks for alpine.",
                      f"remove it (lab.remove({name!r})) and run it from alpine")
    if c.exit_code not in (137, 143):
        return failed(STOPPED, f"{name} exited by itself (exit code {c.exit_code}): nothing stopped it.",
                      f"remove it (lab.remove({name!r})), run `sleep 600` with detach=True, then lab.stop({name!r}, timeout=1)")
    how = "SIGKILL after the grace period" if c.exit_code == 137 else "SIGTERM"
    return passed(STOPPED, f"{name} was stopped (exit code {c.exit_code}: {how}); `docker ps -a` still lists it, "
                  "`docker ps` does not.")


@exercise(STATES, "the five states")
def check_states(answer) -> "Verdict":
    """The states a container passes through for create, start, pause, unpause, stop, in order."""
    want = ["created", "running", "paused", "running", "exited"]
    if answer is Ellipsis or answer is None:
        return failed(STATES, "there is no answer yet: replace the ... with a list of five state names.",
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
register(PREDICT_STOP, "predict: the exit code of a stop")


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
