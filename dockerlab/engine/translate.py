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


def translate_error(exc: BaseException, *, action: str, image: str = "", container: str = "",
                    endpoint: str = "", known_images=()) -> E.DockerLabError:
    """The kit's error for ``exc``, raised while doing ``action`` (for example "run alpine")."""
    import docker.errors as de

    if isinstance(exc, E.DockerLabError):
        return exc
    if _is_read_timeout(exc):
        return E.OperationTimedOut(
            f"The engine did not finish while trying to {action} in the time allowed", container=container,
            state="the engine still answers; the operation may still be going on",
            hint="wait longer (a larger timeout=), or look at it: lab.ps(all=True), lab.logs(name)")
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
    expl = _explanation(exc)
    low = expl.lower()
    status = _status(exc)

    if "toomanyrequests" in low or "rate limit" in low:
        return E.RateLimited(
            f"Docker Hub refused to {action}: too many pulls (toomanyrequests)",
            state=("anonymous users get 10 pulls per hour per IPv4 address (or IPv6 /64), Docker's limit since 2025; "
                   "a classroom shares one address"),
            hint="wait, 'docker login' (more pulls), or ask your teacher for the classroom mirror (dockerlab mirror)")
    if ("no such host" in low or "dial tcp" in low or "i/o timeout" in low or "connection refused" in low
            or "network is unreachable" in low) and ("pull" in action or "registry" in low or "lookup" in low):
        host = re.search(r"lookup ([\w.-]+)", expl) or re.search(r"https?://([\w.:-]+)", expl)
        where = host.group(1) if host else "the registry"
        sugg = [s for s in did_you_mean(image, known_images) if s != image.rsplit(":", 1)[0]] if image else []
        hint = "work offline with images already here (lab.images()), or use a classroom mirror"
        if sugg:
            hint = f"did you mean {' or '.join(repr(s) for s in sugg)}? Otherwise " + hint
        return E.RegistryUnreachable(
            f"Could not {action}: the registry {where} cannot be reached",
            state="the engine has no route to it (offline, a proxy, or a firewall), "
                  "so it cannot tell whether the image exists there", hint=hint)
    if ("executable file not found" in low or ("no such file or directory" in low and "exec" in low)
            or ("stat /" in low and "no such file" in low)):
        exe = re.search(r'exec: "([^"]+)"', expl) or re.search(r"stat ([^:\s]+): no such file", expl)
        exe_name = exe.group(1) if exe else "the command"
        hint = "list what the image has: lab.run(image, 'ls /bin')"
        if "bash" in exe_name and ("alpine" in image or "busybox" in image):
            hint = (f"{image or 'alpine'} ships /bin/sh (BusyBox), not bash: use '/bin/sh'. "
                    "The tutorial's 'docker run -it alpine /bin/bash' fails the same way")
        return E.ExecutableNotFound(
            f"The image {image or '?'} has no {exe_name}", image=image, executable=exe_name,
            state="the container was created but its command could not start", hint=hint)
    if "port is already allocated" in low or ("address already in use" in low and "bind" in low):
        m = re.search(r"(?:Bind for |listen tcp4? )([\d.\[\]:]+?:\d+)", expl)
        where = m.group(1) if m else "that host port"
        return E.PortInUse(
            f"Cannot publish {where}: it is already taken on this machine", port=where,
            state="another container (yours or another learner's) or program listens there; the container was "
                  "created but not started",
            hint="publish on another host port (ports='8081:80'), or let the engine choose one (ports='80', then "
                 "lab.port(name)); lab.ps() shows your containers' ports")
    if "volume" in action and (status == 404 or "no such volume" in low):
        name = re.search(r"no such volume:? ?([\w.-]+)", expl, re.I)
        vol = name.group(1) if name else action.rsplit(" ", 1)[-1]
        return E.VolumeNotFound(f"No such volume: {vol}", volume=vol,
                                state="it may have been removed, or the name is misspelt",
                                hint="list them with lab.volumes() (docker volume ls)")
    if "volume" in action and status == 409 and "in use" in low:
        vol = action.rsplit(" ", 1)[-1]
        return E.VolumeInUse(f"Cannot remove the volume {vol}: a container uses it", volume=vol, state=expl,
                             hint="remove the containers that mount it first (lab.remove(name)); the data stays "
                                  "in the volume until the volume itself is removed")
    if status == 409 and "is already in use" in low:
        m = re.search(r'name "/?([^"]+)" is already in use by container "?([0-9a-f]{12,64})', expl)
        name, cid = (m.group(1), m.group(2)[:12]) if m else (container, "")
        return E.NameConflict(
            f"The name {name!r} is already in use by container {cid}", name=name, existing_id=cid,
            state="names are unique on an engine, even for stopped containers",
            hint=f"remove the old one (lab.remove({name!r})), or choose another name")
    if status == 409 and ("is not running" in low or "is paused" in low or "is restarting" in low):
        return E.ContainerStateError(
            f"Cannot {action}: the container is not running", container=container, status="not running",
            hint=f"start it first: lab.start({container!r})" if container else "start it first")
    if status == 409 and "already in progress" in low:
        return E.ContainerStateError(
            f"Cannot {action}: the container is already being removed", container=container, status="removing",
            hint="wait a moment and list containers again (lab.ps(all=True))")
    if status == 409 and ("cannot remove a running container" in low or "stop the container before" in low
                          or "you cannot remove a running container" in low):
        return E.ContainerStateError(
            f"Cannot {action}: the container is running", container=container, status="running",
            hint="stop it first, or remove it with force=True (docker rm -f)")
    if status == 409 and "conflict: unable to" in low and "image" in low:
        return E.ContainerStateError(
            f"Cannot {action}: the image is used by a container", status="in use",
            state=expl, hint="remove the containers made from it first, or pass force=True")
    if isinstance(exc, de.ImageNotFound) or (
        image and (status == 404 or "manifest unknown" in low or "pull access denied" in low
                   or "repository does not exist" in low or "not found" in low) and "container" not in low):
        return _image_not_found(image, action, expl, known_images)
    if isinstance(exc, de.NotFound) or status == 404:
        what = container or "the container"
        return E.ContainerNotFound(
            f"No such container: {what}", container=container,
            state="it may have been removed, or the name is misspelt",
            hint="list them with lab.ps(all=True) (docker ps -a)")
    if status == 403 or "permission denied" in low:
        return E.PermissionDenied(f"The engine refused to {action}: permission denied", state=expl)
    if status == 400 and image and "invalid reference format" in low:
        return E.InvalidReference(f"invalid reference format: {image!r}", value=image)
    if "no space left on device" in low:
        return E.EngineError(
            f"The engine ran out of disk space while trying to {action}", explanation=expl, status_code=status,
            state="the disk that holds Docker's images and containers is full; the engine discarded what it "
                  "was writing, and what was there before is intact",
            hint="see what uses the space with lab.system_df() (docker system df); free some with "
                 "lab.cleanup('mine', images=True) or 'docker image prune'; then try again")
    if ("pull" in action or "load" in action) and re.search(
            r"(\": eof|unexpected eof|connection reset by peer|broken pipe|use of closed network connection)$", low.strip()):
        host = re.search(r"https?://([\w.:\[\]-]+)", expl)
        return download_cut_off(action, host.group(1) if host else "the registry")
    return E.EngineError(f"The engine could not {action}", explanation=expl, status_code=status,
                         state=f"the engine said: {expl}")


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


def _image_not_found(image: str, action: str, expl: str, known) -> E.ImageNotFound:
    sugg = [s for s in did_you_mean(image, known) if s != image.rsplit(":", 1)[0]]
    hint = f"did you mean {' or '.join(repr(s) for s in sugg)}?" if sugg else \
        "check the spelling and the tag on the registry; local images: lab.images()"
    return E.ImageNotFound(
        f"The image {image!r} was not found", image=image, suggestions=sugg,
        state=f"not here, and the registry does not have it ({expl.strip()})" if "pull" in action or "run" in action
        else "it is not among the local images",
        hint=hint)
