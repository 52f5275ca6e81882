"""Translate what the SDK, requests and urllib3 raise into the kit's errors.

A pure function over exception objects, unit-tested with real exception types.
"""
from __future__ import annotations

import re

from .. import errors as E

_RAW_CONNECTION_ERRORS: tuple = ()


def _raw_connection_errors() -> tuple:
    global _RAW_CONNECTION_ERRORS
    if not _RAW_CONNECTION_ERRORS:
        import requests
        import urllib3

        _RAW_CONNECTION_ERRORS = (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,  # a stream cut off: "Response ended prematurely"
            urllib3.exceptions.ProtocolError,
            urllib3.exceptions.MaxRetryError,
            ConnectionError,
        )
    return _RAW_CONNECTION_ERRORS


def _is_read_timeout(exc) -> bool:
    """A read that timed out (the engine is there, just slow), not a connection that failed."""
    import requests
    import urllib3

    if isinstance(exc, (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError)):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        return any(isinstance(a, urllib3.exceptions.ReadTimeoutError) for a in exc.args)
    return False


def _explanation(exc) -> str:
    expl = getattr(exc, "explanation", None)
    if isinstance(expl, bytes):
        expl = expl.decode("utf-8", "replace")
    return str(expl or exc)


def _status(exc):
    try:
        return exc.status_code
    except Exception:
        return None


def _client_side(exc) -> bool:
    """A Python error raised on this side before (or instead of) a request: never "the engine said"."""
    import json

    import requests

    return (isinstance(exc, (TypeError, ValueError, AttributeError, KeyError, OverflowError))
            and not isinstance(exc, (requests.RequestException, json.JSONDecodeError)))


def translate_error(exc: BaseException, *, action: str, image: str = "", container: str = "",
                    endpoint: str = "", known_images=()) -> E.DockerLabError:
    """The kit's error for ``exc``, raised while doing ``action`` (for example "run alpine").

    First what the transport says (a timeout, a lost or refused connection, a client-side
    Python error); then the engine's words, through :func:`translate_message`'s table."""
    import docker.errors as de

    if isinstance(exc, E.DockerLabError):
        return exc
    if _is_read_timeout(exc):
        return E.OperationTimedOut(
            f"The engine did not finish while trying to {action} in the time allowed", container=container,
            state="the engine still answers; the operation may still be going on",
            hint="look at what is still running: lab.ps(all=True), lab.logs(name); a larger timeout= waits longer")
    if isinstance(exc, _raw_connection_errors()) or (
        isinstance(exc, de.DockerException) and not isinstance(exc, de.APIError)
        and "Error while fetching server API version" in str(exc)
    ):
        text = str(exc)
        if "Permission denied" in text or "PermissionError" in text:
            return E.EnginePermissionDenied(
                f"The engine refused the connection while trying to {action}: permission denied",
                reason="permission-denied", state=f"endpoint {endpoint}" if endpoint else "",
                hint="add yourself to the docker group (sudo usermod -aG docker $USER; it is root-equivalent), "
                     "or use rootless Docker")
        return E.EngineLost(
            f"The Docker engine stopped answering while trying to {action}",
            reason="lost", state=(f"it was reached at {endpoint} before; " if endpoint else "")
            + "nothing you made is lost on the engine's side if it comes back",
            hint="check that the Docker daemon is still running (dockerlab doctor), then run the cell again; "
                 "dockerlab reconnects by itself")
    if _client_side(exc):
        return E.InvalidReference(
            f"Could not {action}: {type(exc).__name__}: {exc}"[:300], value=str(exc)[:80],
            state="the kit found it on this side; nothing was sent to the engine",
            hint="check the values passed (their types and sizes); lab's methods say what each takes: help(lab.run)")
    status = 404 if isinstance(exc, de.ImageNotFound) and _status(exc) is None else _status(exc)
    return translate_message(_explanation(exc), status, action=action, image=image, container=container,
                             known_images=known_images)


# --- the engine's words: an ordered table of rules ------------------------------------------------------
class _Msg:
    """One engine message and what the kit was doing (what every rule reads)."""

    def __init__(self, text, status, action, image, container, known_images):
        self.text = str(text or "")
        self.low = self.text.lower()
        self.status = status
        self.action = action
        self.image = image
        self.container = container
        self.known = list(known_images or ())


def _rate_limited(m):
    return E.RateLimited(
        f"Docker Hub refused to {m.action}: too many pulls (toomanyrequests)",
        state=("anonymous users get 10 pulls per hour per IPv4 address (or IPv6 /64), Docker's limit since 2025; "
               "a classroom shares one address"),
        hint="wait, 'docker login' (more pulls), or ask your teacher for the classroom mirror (dockerlab mirror)")


def _registry_unreachable(m):
    host = re.search(r"https?://([\w.:\[\]-]+)", m.text) or re.search(r"lookup ([\w.-]+)", m.text) \
        or re.search(r"dial tcp ([\w.:\[\]-]+)", m.text)
    return registry_unreachable(m.action, host.group(1) if host else "the registry", image=m.image, known=m.known)


def registry_unreachable(action: str, where: str, *, image: str = "", known=()) -> E.RegistryUnreachable:
    """No route to the registry ``where`` (an engine's words, or udocker's own finding)."""
    sugg = [s for s in did_you_mean(image, known) if s != image.rsplit(":", 1)[0]] if image else []
    hint = "work offline with images already here (lab.images()), or use a classroom mirror"
    if sugg:
        hint = f"did you mean {' or '.join(repr(s) for s in sugg)}? Otherwise " + hint
    return E.RegistryUnreachable(
        f"Could not {action}: the registry {where} cannot be reached",
        state="the engine has no route to it (offline, a proxy, or a firewall), "
              "so it cannot tell whether the image exists there", hint=hint)


def _exe_not_found(m):
    exe = re.search(r'exec: "([^"]+)"', m.text) or re.search(r"stat ([^:\s]+): no such file", m.text)
    return executable_not_found(m.image, exe.group(1) if exe else "the command")


def executable_not_found(image: str, executable: str) -> E.ExecutableNotFound:
    """The image has no such program (an engine's words, or udocker's own finding)."""
    hint = "list what the image has: lab.run(image, 'ls /bin')"
    if "bash" in executable and ("alpine" in image or "busybox" in image):
        hint = (f"{image or 'alpine'} ships /bin/sh (BusyBox), not bash: use '/bin/sh'. "
                "The tutorial's 'docker run -it alpine /bin/bash' fails the same way")
    return E.ExecutableNotFound(
        f"The image {image or '?'} has no {executable}", image=image, executable=executable,
        state="the container was created but its command could not start", hint=hint)


def _exe_not_runnable(m):
    exe = re.search(r'exec: "([^"]+)"', m.text)
    exe_name = exe.group(1) if exe else "the command"
    return E.ExecutableNotFound(
        f"The image {m.image or '?'} cannot run {exe_name}: permission denied (a folder, or a file that is not "
        "executable)", image=m.image, executable=exe_name,
        state="the container was created but its command could not start",
        hint="name a program: lab.run(image, 'ls /') lists the folder instead")


def _network_not_found(m):
    net = re.search(r"network ([^\s]+) not found", m.text)
    name = net.group(1) if net else "?"
    return E.NetworkNotFound(
        f"No such network: {name}", network=name,
        state="the engine has no network of that name (names are case-sensitive)",
        hint="for example network='none' or 'bridge' (lab.rest('/networks') lists them)")


def _volume_not_found(m):
    vol = re.search(r"(?:get |volume )([\w.-]+): no such volume", m.text) or re.search(r"no such volume: ([\w.-]+)", m.text)
    name = vol.group(1) if vol else "?"
    return E.VolumeNotFound(f"No such volume: {name}", volume=name, state="the engine has no volume of that name",
                            hint="a volume named in volumes=['name:/path'] is created by the run itself")


def _port_in_use(m):
    found = re.search(r"(?:Bind for |listen tcp4? )([\d.\[\]:]+?:\d+)", m.text)
    where = found.group(1) if found else "that host port"
    return E.PortInUse(
        f"Cannot publish {where}: it is already taken on this machine", port=where,
        state="another container (yours or another learner's) or program listens there; the container was "
              "created but not started",
        hint="publish on another host port (ports='8081:80'), or let the engine choose one (ports='80', then "
             "lab.port(name)); lab.ps() shows your containers' ports")


def _network_in_use(m):
    net = re.search(r"network ([\w.-]+) (?:id \w+ )?has active endpoints", m.text)
    name = net.group(1) if net else ""
    return E.NetworkInUse(f"Cannot remove the network {name}: containers are still attached to it".replace("  ", " "),
                          network=name, state=m.text,
                          hint="remove its containers first (lab.network_inspect(name) lists them), then the network")


def _volume_in_use(m):
    vol = m.action.rsplit(" ", 1)[-1]
    return E.VolumeInUse(f"Cannot remove the volume {vol}: a container uses it", volume=vol, state=m.text,
                         hint="remove the containers that mount it first (lab.remove(name)); the data stays "
                              "in the volume until the volume itself is removed")


def _name_conflict(m):
    found = re.search(r'name "/?([^"]+)" is already in use by container "?([0-9a-f]{12,64})', m.text)
    name, cid = (found.group(1), found.group(2)[:12]) if found else (m.container, "")
    return E.NameConflict(
        f"The name {name!r} is already in use by container {cid}", name=name, existing_id=cid,
        state="names are unique on an engine, even for stopped containers",
        hint=f"remove the old one (lab.remove({name!r})), or choose another name")


def _not_running(m):
    return E.ContainerStateError(
        f"Cannot {m.action}: the container is not running", container=m.container, status="not running",
        hint=f"start it first: lab.start({m.container!r})" if m.container else "start it first")


def _being_removed(m):
    return E.ContainerStateError(
        f"Cannot {m.action}: the container is already being removed", container=m.container, status="removing",
        hint="wait a moment and list containers again (lab.ps(all=True))")


def _running(m):
    return E.ContainerStateError(
        f"Cannot {m.action}: the container is running", container=m.container, status="running",
        hint="stop it first, or remove it with force=True (docker rm -f)")


def _image_in_use(m):
    return E.ContainerStateError(
        f"Cannot {m.action}: the image is used by a container", status="in use",
        state=m.text, hint="remove the containers made from it first, or pass force=True")


def _disk_full(m):
    return E.EngineError(
        f"The engine ran out of disk space while trying to {m.action}", explanation=m.text, status_code=m.status,
        state="the disk that holds Docker's images and containers is full; the engine discarded what it "
              "was writing, and what was there before is intact",
        hint="see what uses the space with lab.system_df() (docker system df); free some with "
             "lab.cleanup('mine', images=True) or 'docker image prune'; then try again")


def _image_not_found_rule(m):
    return image_not_found(m.image, m.action, m.text, m.known)


def _container_not_found(m):
    what = m.container or "the container"
    return E.ContainerNotFound(
        f"No such container: {what}", container=m.container,
        state="it may have been removed, or the name is misspelt",
        hint="list them with lab.ps(all=True) (docker ps -a)")


def _permission(m):
    return E.PermissionDenied(f"The engine refused to {m.action}: permission denied", state=m.text,
                              hint="this engine (or its security profile) does not allow it for you")


def _bad_reference(m):
    return E.InvalidReference(f"invalid reference format: {m.image!r}", value=m.image,
                              hint="lowercase letters, digits and . _ - /, then an optional :tag")


def _cut_off(m):
    host = re.search(r"https?://([\w.:\[\]-]+)", m.text)
    return download_cut_off(m.action, host.group(1) if host else "the registry")


def _other(m):
    return E.EngineError(f"The engine could not {m.action}", explanation=m.text, status_code=m.status,
                         state=f"the engine said: {m.text}",
                         hint="read the engine's words above; lab.ps(all=True) shows your containers' states")


_NET_WORDS = ("no such host", "dial tcp", "i/o timeout", "connection refused", "network is unreachable")
_IMAGE_404 = ("manifest unknown", "pull access denied", "repository does not exist", "not found", "no such image")

#: (name, when, error): the first rule whose ``when`` holds translates the message. The order
#: matters (a 404 for a network is not a missing image; a full disk is said before anything else
#: its message also mentions). Each rule is unit-tested with a real engine message.
RULES = [
    ("rate limited", lambda m: "toomanyrequests" in m.low or "rate limit" in m.low, _rate_limited),
    ("disk full", lambda m: "no space left on device" in m.low, _disk_full),
    ("registry unreachable", lambda m: any(w in m.low for w in _NET_WORDS)
     and ("pull" in m.action or "push" in m.action or "registry" in m.low or "lookup" in m.low), _registry_unreachable),
    ("executable not found", lambda m: "executable file not found" in m.low
     or ("no such file or directory" in m.low and "exec" in m.low) or ("stat /" in m.low and "no such file" in m.low),
     _exe_not_found),
    ("executable not runnable", lambda m: "exec:" in m.low and "permission denied" in m.low, _exe_not_runnable),
    ("network not found", lambda m: re.search(r"network [^\s]+ not found", m.low) is not None, _network_not_found),
    ("volume not found", lambda m: "no such volume" in m.low, _volume_not_found),
    ("port in use", lambda m: "port is already allocated" in m.low
     or ("address already in use" in m.low and "bind" in m.low), _port_in_use),
    ("network in use", lambda m: "network" in m.action and "active endpoints" in m.low, _network_in_use),
    ("volume in use", lambda m: "volume" in m.action and m.status == 409 and "in use" in m.low, _volume_in_use),
    ("name conflict", lambda m: m.status == 409 and "is already in use" in m.low, _name_conflict),
    ("not running", lambda m: m.status == 409 and ("is not running" in m.low or "is paused" in m.low
                                                   or "is restarting" in m.low), _not_running),
    ("being removed", lambda m: m.status == 409 and "already in progress" in m.low, _being_removed),
    ("running", lambda m: m.status == 409 and ("cannot remove a running container" in m.low
                                               or "stop the container before" in m.low), _running),
    ("image in use", lambda m: m.status == 409 and "conflict: unable to" in m.low and "image" in m.low, _image_in_use),
    ("image not found", lambda m: bool(m.image) and "container" not in m.low
     and (m.status == 404 or any(w in m.low for w in _IMAGE_404)), _image_not_found_rule),
    ("container not found", lambda m: m.status == 404, _container_not_found),
    ("permission", lambda m: m.status == 403 or "permission denied" in m.low, _permission),
    ("bad reference", lambda m: m.status == 400 and bool(m.image) and "invalid reference format" in m.low,
     _bad_reference),
    ("download cut off", lambda m: ("pull" in m.action or "load" in m.action) and re.search(
        r"(\": eof|unexpected eof|connection reset by peer|broken pipe|use of closed network connection)$",
        m.low.strip()) is not None, _cut_off),
    ("anything else", lambda m: True, _other),
]


def translate_message(message: str, status: int | None = None, *, action: str, image: str = "",
                      container: str = "", known_images=()) -> E.DockerLabError:
    """The kit's error for an engine's message and HTTP status (an API error, or a pull's or a
    load's ``error`` event): the first rule of :data:`RULES` that matches."""
    m = _Msg(message, status, action, image, container, known_images)
    for _name, when, make in RULES:
        if when(m):
            return make(m)
    raise AssertionError("the last rule matches everything")


def download_cut_off(action: str, where: str) -> E.RegistryUnreachable:
    """A pull whose layers were downloading when the registry stopped answering. The engine's last
    word depends on timing (an EOF on the layer it was reading, or "connection refused" on a retry
    or a second layer), so the pull, which saw the download start, also calls this."""
    return E.RegistryUnreachable(
        f"Could not {action}: the download from {where} was cut off midway",
        state="the registry or the network stopped answering during the pull; the engine discarded the "
              "partial download, and the images you already had are untouched",
        hint="run the pull again when the registry (or the network) is back: finished layers are not "
             "downloaded twice")


COMMON_IMAGES = ("alpine", "ubuntu", "debian", "busybox", "hello-world", "nginx", "python", "redis", "postgres")


def did_you_mean(name: str, known=()) -> list[str]:
    import difflib

    base = name.split("@")[0]
    base = base.rsplit(":", 1)[0] if ":" in base.rsplit("/", 1)[-1] else base
    pool = list(dict.fromkeys(list(known) + list(COMMON_IMAGES)))
    return difflib.get_close_matches(base, pool, n=3, cutoff=0.6)


def image_not_found(image: str, action: str, expl: str, known) -> E.ImageNotFound:
    """No such image, here or on the registry (an engine's words, or udocker's own finding)."""
    sugg = [s for s in did_you_mean(image, known) if s != image.rsplit(":", 1)[0]]
    hint = f"did you mean {' or '.join(repr(s) for s in sugg)}?" if sugg else \
        "check the spelling and the tag on the registry; local images: lab.images()"
    return E.ImageNotFound(
        f"The image {image!r} was not found", image=image, suggestions=sugg,
        state=f"not here, and the registry does not have it ({expl.strip()})" if "pull" in action or "run" in action
        else "it is not among the local images",
        hint=hint)


def pull_failed(message: str, *, image: str, downloading: bool = False, known=()) -> E.DockerLabError:
    """A pull's error message (the stream's last event) as the kit's error. ``downloading``: layers were
    under way, so a registry that stops answering went away mid-pull (it was not unreachable)."""
    from .. import refs

    status = 404 if ("not found" in message or "manifest unknown" in message) else 500
    err = translate_message(message, status, action=f"pull {image}", image=image, known_images=known)
    if downloading and isinstance(err, E.RegistryUnreachable) and "cut off" not in err.what:
        return download_cut_off(f"pull {image}", refs.parse_image(image).registry or "the registry")
    return err


def build_failed(tag: str, message: str, output: str) -> E.BuildFailed:
    """A build's error (the classic builder's words, or BuildKit's) as the kit's, with the step it stopped at."""
    from .. import buildlog

    step = buildlog.failed_step(output)
    hint = "fix that line of the Dockerfile and build again: the steps before it come from the cache"
    low = message.lower()
    if "returned a non-zero code" in low or "did not complete successfully" in low or "executor failed running" in low:
        hint = "the command of that RUN step failed: its output is just above; " + hint
    elif "copy failed" in low or "failed to calculate checksum" in low or "no such file or directory" in low:
        hint = "COPY takes files from the build context (the folder you build): is the file in it? " + hint
    elif ("not found" in low or "pull access denied" in low or "manifest unknown" in low
          or "failed to resolve source metadata" in low):
        hint = "the FROM image is not here and the registry does not have it: check its name (lab.images())"
    return E.BuildFailed(f"Building {tag} failed" + (f" at step '{step}'" if step else "") + f": {message.strip()}",
                         step=step, output=output, state="no image was tagged; the steps that succeeded are cached",
                         hint=hint)
