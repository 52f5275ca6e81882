"""The engine's JSON as each engine sends it, read the same: events and image inspect.

REAL_28 messages were captured from Docker Engine 28.5.2 (API 1.51, the containerd image store);
the Docker 29 shapes are the same messages less what Docker 29 dropped (moby/moby#50832: events
lose the top-level ``status``, ``id`` and ``from``) or lacks (image inspect under the containerd
store can lack parts of ``Config``)."""
from __future__ import annotations

import copy

import pytest

from dockerlab.engine.events import Event
from dockerlab.lab import Container

CID = "4990767af75ea204069de768d5c5100f75664ca06b549edb27626fe05cf191ee"
REAL_28_START = {
    "status": "start", "id": CID, "from": "alpine", "Type": "container", "Action": "start",
    "Actor": {"ID": CID, "Attributes": {"image": "alpine", "name": "kind_almeida", "org.dockerlab.test": "ev"}},
    "scope": "local", "time": 1796646584, "timeNano": 1796646584284180771}


def docker29(ev: dict) -> dict:
    out = copy.deepcopy(ev)
    for legacy in ("status", "id", "from"):
        out.pop(legacy, None)
    return out


@pytest.mark.parametrize("shape", [REAL_28_START, docker29(REAL_28_START)], ids=["engine-28", "engine-29"])
def test_an_event_reads_the_same_on_both(shape):
    ev = Event.of(shape)
    assert (ev.type, ev.action, ev.id, ev.name) == ("container", "start", CID, "kind_almeida")
    assert ev.attributes["image"] == "alpine" and ev.time_ns == 1796646584284180771


def test_a_die_event_of_docker29_keeps_its_exit_code():
    die = docker29({**REAL_28_START, "status": "die", "Action": "die",
                    "Actor": {"ID": CID, "Attributes": {"name": "x", "exitCode": "3"}}})
    ev = Event.of(die)
    assert ev.action == "die" and ev.attributes["exitCode"] == "3" and ev.id == CID


def test_an_old_engines_event_without_actor_still_reads():
    ev = Event.of({"status": "destroy", "id": CID, "from": "alpine", "time": 10})
    assert (ev.action, ev.id, ev.type, ev.attributes["image"], ev.time_ns) == ("destroy", CID, "container", "alpine",
                                                                               10 * 10**9)
    assert Event.of("garbage") == Event()


# a container inspect from Docker 28.5 (trimmed), and the same with a partial Config
REAL_28_INSPECT = {"Id": CID, "Name": "/kind_almeida",
                   "State": {"Status": "exited", "ExitCode": 0, "OOMKilled": False},
                   "Config": {"Image": "alpine", "Labels": {"org.dockerlab.managed": "true"}, "Cmd": ["true"]},
                   "LogPath": "/var/lib/docker/containers/x/x-json.log"}


@pytest.mark.parametrize("config", [REAL_28_INSPECT["Config"], {"Image": "alpine"}, None, {}])
def test_a_container_from_an_inspect_with_a_partial_config(config):
    d = {**REAL_28_INSPECT, "Config": config}
    c = Container.from_inspect(d)
    assert c.name == "kind_almeida" and c.state == "exited" and isinstance(c.labels, dict)
    assert c.image == ((config or {}).get("Image") or "")
