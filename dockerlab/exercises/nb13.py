"""Checks for 13-cleanup: a safe "kill all" command line, and removing only what should go."""
from __future__ import annotations

from ..cmdline import meaning, read
from ..errors import CLIRefused, CommandLineError
from . import Verdict, blank, exercise, failed, no_answer, passed, predict, predicting


SAFE = "nb13.safe-command"
PRUNE = "nb13.prune"
PREDICT_RM = "nb13.predict-rm"
HINT = "docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner=YOU)"

#: filters every one of the learner's containers passes anyway (they narrow nothing of theirs)
_IMPLIED = {("label", "org.dockerlab.managed=true"), ("label", "org.dockerlab.managed"),
            ("label", "org.dockerlab.owner"), ("label", "org.dockerlab.session")}


def _judge_listing(ls: meaning.Listing):
    """``None`` if the listing prints the ids of all and only the learner's containers, else ``(reason, hint)``."""
    shown = ls.call.shown
    if not ls.ids_only:
        return (f"without -q, `{shown}` prints a table, and docker rm would get its words (CONTAINER, ID...) as names.",
                "-q prints only the ids")
    if ls.latest:
        return ("-l (--latest) lists only the latest container created: the others would stay.", "leave out -l")
    if ls.last is not None:
        return (f"-n {ls.last} (--last) lists only the last {ls.last} containers: the others would stay.",
                "leave out -n")
    if not ls.all:
        return ("without -a, docker ps lists only running containers: the stopped ones would stay.", "add -a")
    mine = [f for f in ls.labels() if not f.negated and f.value.split("=", 1)[0] in
            ("org.dockerlab.owner", "org.dockerlab.session") and "=" in f.value and f.value.split("=", 1)[1]]
    negated = [f for f in ls.filters if f.negated]
    if negated:
        return (f"--filter {negated[0]} selects the containers WITHOUT that label: everyone else's, not yours.",
                "label=..., with = (not !=)")
    if not ls.filters:
        return ("it has no filter, so it removes EVERY container on the engine, other people's and other tools' too.",
                "add a label filter: --filter label=org.dockerlab.owner=YOU")
    if len({f.value for f in mine}) > 1:
        return ("label filters must all hold: no container has both " + " and ".join(sorted({f.value for f in mine}))
                + ", so it lists none.", "keep one owner label")
    narrowing = [f for f in ls.filters if (f.key, f.value) not in _IMPLIED and f not in mine]
    if mine and narrowing:
        return (f"--filter {narrowing[0]} keeps only some of your containers: the others would stay.",
                "the owner label alone selects all of yours")
    if mine:
        return None
    keys = {f.value.split("=", 1)[0] for f in ls.labels()}
    if "org.dockerlab.managed" in keys:
        return ("label=org.dockerlab.managed=true selects every learner's kit containers, not only yours: on a "
                "shared engine that is the very mistake this notebook is about.",
                "filter on your own label: label=org.dockerlab.owner=YOU")
    for key in ("org.dockerlab.owner", "org.dockerlab.session"):
        if key in keys:
            return (f"label={key} with no value matches every container that has that label, everyone's.",
                    f"give the value: label={key}=YOU")
    return (f"--filter {ls.filters[0]} does not select the kit's owner label, so it may list containers the kit "
            "did not make, or miss some of yours.", "filter on label=org.dockerlab.owner=YOU (or org.dockerlab.session=...)")


@exercise(SAFE, "a safe kill-all")
def check_safe_command(answer) -> "Verdict":
    """A command line that stops and removes all and only the learner's containers, e.g.
    `docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner=YOU)` (or `... | xargs docker rm -f`)."""
    if answer is None or blank(answer):
        return no_answer(SAFE, "there is no answer yet: replace the ... with a command line, as a string.", HINT)
    if not isinstance(answer, str):
        return failed(SAFE, f"the answer should be a command line (a string), not {type(answer).__name__}.", HINT)
    try:
        return _judge(meaning.docker_calls(read(answer)))
    except CLIRefused as e:
        return failed(SAFE, f"the CLI refuses it: `{e.said}`.", e.hint or HINT)
    except CommandLineError as e:
        return failed(SAFE, f"{e.what}.", e.hint)


def _judge(calls) -> "Verdict":
    """The verdict on the parsed command line (a CLIRefused from an inner command goes up)."""
    stopped = []  # listings stopped or killed by an earlier command: a plain rm works on them afterwards
    removed = False
    for k, (i, j, call, cmd) in enumerate(calls):
        if call is None:
            continue
        if call.path in (("container", "stop"), ("container", "kill")):
            stopped += meaning.source_of(call, _before(calls, k)).listings
            continue
        if call.path == ("image", "rm"):
            return failed(SAFE, f"`{call.shown}` removes images, not containers.", "docker rm (docker container rm)")
        if call.path in (("container", "prune"), ("system", "prune")):
            more = " (and everyone's unused networks, images and build cache)" if call.path[0] == "system" else ""
            return failed(SAFE, f"`{call.shown}` removes only stopped containers, everyone's unless filtered{more}: "
                          "your running ones would stay.", HINT)
        if call.path != ("container", "rm"):
            continue
        src = meaning.source_of(call, _before(calls, k))
        if src.others:
            return failed(SAFE, f"docker rm is given {src.others[0]!r}, which does not list containers.",
                          "give it the ids a docker ps -aq ... prints")
        if src.names and not src.listings:
            return failed(SAFE, f"it removes only the container(s) named {', '.join(src.names)}.",
                          "let an inner docker ps list them: " + HINT)
        for ls in src.listings:
            bad = _judge_listing(ls)
            if bad:
                return failed(SAFE, *bad)
        if src.names:
            return failed(SAFE, f"it also removes {', '.join(src.names)}, whoever's it is.", "remove only what the listing prints")
        if not call.flag("force") and not all(_same(ls, stopped) for ls in src.listings):
            return failed(SAFE, "docker rm refuses to remove a running container unless forced.", "docker rm -f")
        removed = True
    if not removed:
        if stopped:
            return failed(SAFE, "it stops the containers but does not remove them.", "docker rm -f removes them too")
        return failed(SAFE, "it removes no container: the command that does is docker rm.", HINT)
    return passed(SAFE, "Only the containers with your owner label are listed, stopped ones too, so all of yours and "
                  "only they are removed.")


def _before(calls, k):
    """The docker command before ``calls[k]`` in the same pipe (what an ``xargs`` reads), if any."""
    i, j = calls[k][0], calls[k][1]
    if j and calls[k - 1][0] == i:
        return calls[k - 1][2]
    return None


def _same(ls, stopped) -> bool:
    key = lambda x: (x.all, x.latest, x.last, sorted(str(f) for f in x.filters))  # noqa: E731
    return any(key(ls) == key(s) for s in stopped)


@exercise(PRUNE, "remove only the exited")
def check_prune(lab, stopped=("nb13-ex-1", "nb13-ex-2"), keep: str = "nb13-ex-keep") -> "Verdict":
    """The stopped containers are removed, the running one is kept (and still runs)."""
    from ..errors import ContainerNotFound

    left = []
    for name in stopped:
        try:
            lab.container(name)
            left.append(name)
        except ContainerNotFound:
            pass
    cleaned = getattr(lab, "cleaned", ())
    if all(n in cleaned for n in (*stopped, keep)) and not left:
        return failed(PRUNE, "the cleanup cell removed the exercise's containers.",
                      "run the exercise's setup cell again, then remove only the exited ones")
    try:
        k = lab.container(keep)
    except ContainerNotFound:
        return failed(PRUNE, f"{keep} is gone: it was running and should have been kept.",
                      "run the exercise's setup cell again, then remove only the exited ones")
    if k.state != "running":
        return failed(PRUNE, f"{keep} is {k.state}: it should still be running.",
                      f"lab.start({keep!r}), and remove only containers whose STATE is exited")
    if left == list(stopped):  # as the setup cell left them: nothing done yet, not a try
        return no_answer(PRUNE, f"nothing is removed yet: {', '.join(left)} are still there.",
                         "lab.ps(all=True, scope='session') shows their STATE; lab.remove(name) removes one")
    if left:
        return failed(PRUNE, f"still there: {', '.join(left)}.",
                      "lab.ps(all=True, scope='session') shows their STATE; lab.remove(name) removes one")
    return passed(PRUNE, f"{', '.join(stopped)} removed, {keep} still running.")


_REFUSED = ("refused", "refuses", "it refuses", "error", "an error", "fails", "it fails", "nothing", "no",
            "stays", "it stays", "kept", "not removed", "refuse")
_REMOVED = ("removed", "removes it", "it is removed", "gone", "deleted", "yes", "stopped and removed")


def compare_rm(guess, observed: str):
    """A prediction of what `docker rm` does to a running container: the engine refuses (409), and the
    container runs on. Right: a word for "refused"; the verdict says what -f does instead."""
    if not isinstance(guess, str) or not guess.strip():
        return False, 'predict in words: "removed" or "refused"'
    g = " ".join(guess.strip().lower().rstrip(".!").split())
    if g in _REFUSED:
        ok = observed == "refused"
    elif g in _REMOVED:
        ok = observed == "removed"
    else:
        return False, 'answer "removed" or "refused"'
    if ok:
        return True, ("The engine answers 409 (\"stop the container before removing\"), and it runs on: "
                      "docker rm -f stops it with SIGKILL first, and docker stop then docker rm lets it end cleanly.")
    return False, ("a running container is never removed by a plain docker rm: the engine refuses, "
                   "so that work in progress is not lost by accident; -f is how you insist")


@predicting(PREDICT_RM, "predict: docker rm of a running container")
def predict_rm(lab, prediction, name: str = "nb13-guess"):
    """Predict, then run: `docker rm nb13-guess` (no -f) while it runs `sleep 600`: removed or refused?"""
    from ..errors import ContainerStateError, DockerLabError

    def action():
        try:
            lab.remove(name, force=True)  # a run interrupted earlier left it
        except DockerLabError:
            pass
        lab.run("alpine", "sleep 600", name=name, detach=True)
        try:
            lab.remove(name)
            return "removed"
        except ContainerStateError:
            return "refused"
        finally:
            try:
                lab.remove(name, force=True)
            except DockerLabError:
                pass

    return predict(PREDICT_RM, prediction, action, compare_rm, owner=getattr(lab, "owner", None))
