"""Error translation at the engine boundary, with the real exception types the SDK raises."""
import docker.errors as de
import pytest
import requests
import urllib3

from dockerlab import errors as E
from dockerlab.engine.translate import did_you_mean, translate_error

from .fake_engine import FakeEngine


class FakeResponse:
    def __init__(self, status, reason="", text=""):
        self.status_code = status
        self.reason = reason
        self.url = "http+docker://localhost/v1.41/x"
        self.text = text

    def json(self):
        return {"message": self.text}


def api_error(status, explanation, cls=de.APIError):
    return cls("x", response=FakeResponse(status), explanation=explanation)


def test_bare_requests_connection_error_becomes_engine_lost():
    # docker.from_env(version=...) connects lazily: the first call raises a bare requests error
    exc = requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.", FileNotFoundError(2, "No such file or directory")))
    err = translate_error(exc, action="list containers", endpoint="unix:///var/run/docker.sock")
    assert isinstance(err, E.EngineLost)
    assert "stopped answering while trying to list containers" in str(err)
    assert "unix:///var/run/docker.sock" in err.state


def test_a_stream_cut_off_midway_is_engine_lost():
    # requests' iter_lines on a stats stream whose engine died: "Response ended prematurely"
    exc = requests.exceptions.ChunkedEncodingError(urllib3.exceptions.ProtocolError("Response ended prematurely"))
    err = translate_error(exc, action="read the stats of web", endpoint="unix:///var/run/docker.sock")
    assert isinstance(err, E.EngineLost) and "stopped answering while trying to read the stats of web" in str(err)


def test_sdk_version_fetch_permission_error_is_permission_denied():
    exc = de.DockerException("Error while fetching server API version: ('Connection aborted.', "
                             "PermissionError(13, 'Permission denied'))")
    err = translate_error(exc, action="connect")
    assert isinstance(err, E.EnginePermissionDenied)
    assert "docker group" in err.hint and "root-equivalent" in err.hint


def test_name_conflict_names_the_holder():
    exc = api_error(409, 'Conflict. The container name "/web" is already in use by container '
                         '"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef". You have to remove '
                         '(or rename) that container to be able to reuse that name.')
    err = translate_error(exc, action="create a container from alpine", image="alpine", container="web")
    assert isinstance(err, E.NameConflict)
    assert (err.name, err.existing_id) == ("web", "0123456789ab")
    assert "lab.remove('web')" in err.hint


def test_bash_in_alpine_says_alpine_ships_sh():
    exc = api_error(400, 'OCI runtime create failed: runc create failed: unable to start container process: '
                         'exec: "/bin/bash": stat /bin/bash: no such file or directory: unknown')
    err = translate_error(exc, action="start x", image="alpine")
    assert isinstance(err, E.ExecutableNotFound)
    assert err.executable == "/bin/bash"
    assert "/bin/sh" in err.hint and "BusyBox" in err.hint


def test_executable_not_in_path():
    exc = api_error(400, 'OCI runtime create failed: exec: "nosuch": executable file not found in $PATH: unknown')
    err = translate_error(exc, action="start x", image="ubuntu")
    assert isinstance(err, E.ExecutableNotFound) and err.executable == "nosuch"


def test_rate_limit():
    exc = api_error(500, "toomanyrequests: You have reached your pull rate limit.")
    err = translate_error(exc, action="pull alpine:latest", image="alpine:latest")
    assert isinstance(err, E.RateLimited)
    assert "10 pulls per hour per IPv4 address (or IPv6 /64)" in err.state


def test_registry_unreachable_with_did_you_mean():
    exc = api_error(500, 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on '
                         '127.0.0.53:53: no such host')
    err = translate_error(exc, action="pull alpien:latest", image="alpien:latest", known_images=["alpine"])
    assert isinstance(err, E.RegistryUnreachable)
    assert "registry-1.docker.io" in err.what
    assert "'alpine'" in err.hint


def test_image_not_found_suggests_close_names():
    exc = api_error(404, "pull access denied for ubunt, repository does not exist or may require 'docker login'")
    err = translate_error(exc, action="pull ubunt:latest", image="ubunt:latest", known_images=[])
    assert isinstance(err, E.ImageNotFound)
    assert err.suggestions == ["ubuntu"]


def test_container_not_found_and_state_errors():
    err = translate_error(api_error(404, "No such container: ghost", de.NotFound), action="stop ghost",
                          container="ghost")
    assert isinstance(err, E.ContainerNotFound) and "ghost" in str(err)
    err = translate_error(api_error(409, "Container abc is not running"), action="exec in web", container="web")
    assert isinstance(err, E.ContainerStateError) and "lab.start('web')" in err.hint
    err = translate_error(api_error(409, "You cannot remove a running container abc. Stop the container before "
                                         "attempting removal or force remove"), action="remove web", container="web")
    assert isinstance(err, E.ContainerStateError) and "force=True" in err.hint


def test_anything_else_keeps_the_engines_words():
    err = translate_error(api_error(500, "something odd"), action="do a thing")
    assert isinstance(err, E.EngineError)
    assert err.explanation == "something odd" and err.status_code == 500


def test_dockerlab_errors_pass_through():
    original = E.NameConflict("x")
    assert translate_error(original, action="a") is original


def test_did_you_mean():
    assert did_you_mean("ubunt") == ["ubuntu"]
    assert did_you_mean("alpine:3.20") == ["alpine"]
    assert did_you_mean("zzzzzz") == []


def test_error_message_reads_what_state_hint():
    err = E.DockerLabError("It broke", state="nothing changed", hint="try again")
    assert str(err) == "It broke. Nothing changed. Hint: try again."
    assert "<b>DockerLabError</b>" in err._repr_html_()
    assert isinstance(E.ImageNotFound("x"), E.NotFound)
    assert issubclass(E.EngineLost, E.EngineUnavailable)


def test_a_read_timeout_is_not_a_lost_engine():
    exc = requests.exceptions.ConnectionError(urllib3.exceptions.ReadTimeoutError(None, "/wait", "Read timed out."))
    err = translate_error(exc, action="wait for web", container="web")
    assert isinstance(err, E.OperationTimedOut)
    assert "still answers" in err.state
    assert isinstance(translate_error(requests.exceptions.ReadTimeout("x"), action="a"), E.OperationTimedOut)


class _PullEngine(FakeEngine):
    """The fake engine whose pull gives canned progress events, then the engine's last word."""

    def __init__(self, events):
        super().__init__()
        self.events = events

    def pull(self, repository, tag):
        from dockerlab.engine.progress import Progress, raising
        from dockerlab.engine.translate import pull_failed

        # the wire format, typed as every engine types it; the last word made the kit's error, as DockerEngine does
        return raising(map(Progress.of, self.events), lambda message, downloading, output: pull_failed(
            message, image=f"{repository}:{tag}", downloading=downloading))


REFUSED = ('Get "http://127.0.0.1:5056/v2/dlfault/mid/blobs/sha256:ab": dial tcp 127.0.0.1:5056: '
           'connect: connection refused')


@pytest.mark.parametrize("started", [True, False])
def test_a_registry_gone_mid_download_is_cut_off_not_unreachable(started):
    from dockerlab.lab import Lab

    # which error the engine reports last depends on timing: an EOF on the layer it was reading, or
    # "connection refused" when it retried or opened a second layer; the pull saw the download start
    events = [{"status": "Pulling from dlfault/mid", "id": "latest"}, {"status": "Pulling fs layer", "id": "ab"}]
    if started:
        events.append({"status": "Downloading", "id": "ab", "progressDetail": {"current": 2 << 20}})
    events.append({"errorDetail": {"message": REFUSED}, "error": REFUSED})
    lab = Lab(_PullEngine(events), show_cli=False, session="unit", owner="unit")
    with pytest.raises(E.RegistryUnreachable) as ei:
        lab.pull("127.0.0.1:5056/dlfault/mid", quiet=True)
    if started:
        assert ei.value.what.endswith("the download from 127.0.0.1:5056 was cut off midway")
        assert "pull again" in ei.value.hint
    else:  # it never answered: unreachable, as before
        assert ei.value.what.endswith("the registry 127.0.0.1:5056 cannot be reached")


# --- the ordered table: one test per rule, each with a message a real engine sent --------------------
from dockerlab.engine.translate import RULES, translate_message  # noqa: E402

REAL = [  # (rule, status, message, context, expected class, words the error says)
    ("rate limited", 429, "toomanyrequests: You have reached your pull rate limit. You may increase the limit by "
     "authenticating and upgrading: https://www.docker.com/increase-rate-limit", {"action": "pull alpine:latest",
                                                                                  "image": "alpine"},
     E.RateLimited, "too many pulls"),
    ("disk full", 500, "write /var/lib/docker/tmp/GetImageBlob123: no space left on device",
     {"action": "pull alpine:latest", "image": "alpine"}, E.EngineError, "ran out of disk space"),
    ("registry unreachable", 500, 'Get "https://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection '
     "refused", {"action": "pull 127.0.0.1:5999/alpine:latest", "image": "127.0.0.1:5999/alpine"},
     E.RegistryUnreachable, "127.0.0.1:5999"),
    ("executable not found", 400, 'failed to create shim task: OCI runtime create failed: runc create failed: unable '
     'to start container process: exec: "/bin/bash": stat /bin/bash: no such file or directory: unknown',
     {"action": "start abc", "image": "alpine"}, E.ExecutableNotFound, "/bin/bash"),
    ("executable not runnable", 400, "failed to create shim task: OCI runtime create failed: runc create failed: "
     'unable to start container process: exec: "/": permission denied: unknown', {"action": "start abc",
                                                                                  "image": "alpine"},
     E.ExecutableNotFound, "permission denied"),
    ("network not found", 404, "network HOST not found", {"action": "start abc", "image": "alpine"},
     E.NetworkNotFound, "No such network: HOST"),
    ("volume not found", 404, "get nosuchvol: no such volume", {"action": "GET /volumes/nosuchvol"},
     E.VolumeNotFound, "nosuchvol"),
    ("port in use", 500, "driver failed programming external connectivity on endpoint nb11-web (0123abc): Bind for "
     "127.0.0.1:8080 failed: port is already allocated", {"action": "start nb11-web", "image": "nginx"},
     E.PortInUse, "127.0.0.1:8080"),
    # Docker 28.5's words (the kit's engine), then 20.10's: both name the network
    ("network in use", 403, 'error while removing network: network nb14-net has active endpoints (name:"nb14-store" '
     'id:"bff3fe6665a5")', {"action": "remove the network nb14-net"}, E.NetworkInUse, "nb14-net"),
    ("volume in use", 409, "remove nb12-notes: volume is in use - [0123456789abcdef]",
     {"action": "remove the volume nb12-notes"}, E.VolumeInUse, "nb12-notes"),
    ("name conflict", 409, 'Conflict. The container name "/web" is already in use by container '
     '"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef". You have to remove (or rename) that '
     "container to be able to reuse that name.", {"action": "create", "container": "web"}, E.NameConflict,
     "already in use"),
    ("not running", 409, "Container 0123abc is not running", {"action": "exec in web", "container": "web"},
     E.ContainerStateError, "not running"),
    ("being removed", 409, "removal of container 0123abc is already in progress", {"action": "remove web",
                                                                                 "container": "web"},
     E.ContainerStateError, "being removed"),
    ("running", 409, "You cannot remove a running container 0123abc. Stop the container before attempting removal "
     "or force remove", {"action": "remove web", "container": "web"}, E.ContainerStateError, "is running"),
    ("image in use", 409, "conflict: unable to remove repository reference \"alpine\" (must force) - container "
     "0123abc is using its referenced image 4567def", {"action": "remove the image alpine", "image": "alpine"},
     E.ContainerStateError, "used by a container"),
    ("image not found", 404, "manifest for alpine:nope not found: manifest unknown: manifest unknown",
     {"action": "pull alpine:nope", "image": "alpine:nope"}, E.ImageNotFound, "was not found"),
    ("container not found", 404, "No such container: ghost", {"action": "stop ghost", "container": "ghost"},
     E.ContainerNotFound, "ghost"),
    ("permission", 403, "operation not permitted", {"action": "do it"}, E.PermissionDenied, "permission denied"),
    ("bad reference", 400, "invalid reference format", {"action": "create", "image": "Alpine"},
     E.InvalidReference, "invalid reference"),
    ("download cut off", 500, 'Get "http://127.0.0.1:5101/v2/library/alpine/blobs/sha256:abc": EOF',
     {"action": "pull alpine:latest", "image": "alpine"}, E.RegistryUnreachable, "cut off"),
    ("anything else", 500, "something odd", {"action": "do a thing"}, E.EngineError, "could not do a thing"),
]


def test_every_rule_has_a_real_message_test():
    assert [r[0] for r in RULES] == [t[0] for t in REAL]


@pytest.mark.parametrize("rule, status, message, ctx, cls, words", REAL, ids=[t[0] for t in REAL])
def test_each_rule_with_a_real_engine_message(rule, status, message, ctx, cls, words):
    err = translate_message(message, status, **ctx)
    assert type(err) is cls, (rule, type(err).__name__, str(err))
    assert words in str(err) and err.hint


def test_docker_20_10_says_a_network_is_in_use_with_its_id():
    err = translate_message("error while removing network: network nb14-net id 3c5e0a1b2d has active endpoints", 403,
                            action="remove the network nb14-net")
    assert isinstance(err, E.NetworkInUse) and err.network == "nb14-net" and "attached" in err.what


def test_a_network_404_is_not_a_missing_image():
    err = translate_message("network HOST not found", 404, action="start abc", image="alpine")
    assert isinstance(err, E.NetworkNotFound) and "image" not in err.what


def test_a_client_side_python_error_is_never_the_engines():
    err = translate_error(TypeError("unsupported operand type(s) for +: 'int' and 'str'"), action="wait for web")
    assert isinstance(err, E.InvalidReference) and "engine said" not in str(err) and err.hint
    assert "nothing was sent to the engine" in err.state


def test_a_state_reads_as_a_sentence_but_a_name_keeps_its_case():
    from dockerlab import errors as E

    gone = E.ContainerNotFound("No such container: nb05-alpine", container="nb05-alpine",
                               state="nb05-alpine was removed by lab.cleanup() (the cleanup cell)")
    assert "nb05-alpine was removed by lab.cleanup()" in gone.message and "Nb05" not in gone.message
    plain = E.ContainerNotFound("No such container: x", container="x", state="nothing was started")
    assert "Nothing was started." in plain.message
    assert "docker ps lists it." in E.ContainerNotFound("x", container="x", state="docker ps lists it").message
