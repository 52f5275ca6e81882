"""What a Compose project may ask for: the model `docker compose config` gives, checked as `lab.run` is.

The gate reads a project the way Compose itself does: ``docker compose config --format json``
resolves the file (its short forms, ``${VARIABLES}``, ``env_file``, ``extends``, relative paths)
into one model, and :func:`check` decides on that model, never on the text. A Compose file
cannot ask for what :meth:`dockerlab.lab.Lab.run` would refuse: every service key is on an
allow-list, and each launch option goes through :func:`dockerlab.policy.check_launch` (privileged
mode, the host's namespaces, bind mounts outside the learner's folders, joins of containers and
networks that are not the learner's own), ports publish on 127.0.0.1 only, the teacher's default
limits apply, and the kit's labels go on every service, network and volume. The model that was
checked is the one Compose then runs (the gate writes it to a file and passes only that file), so
the project cannot change between the check and the launch.
"""
from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
from dataclasses import dataclass, field

from . import errors as E
from . import guards, labels, policy, refs
from .ports import PUBLIC

#: The service keys the kit lets through: each is harmless, or checked below.
SERVICE_KEYS = frozenset({
    "image", "command", "entrypoint", "environment", "ports", "expose", "volumes", "depends_on", "networks",
    "restart", "working_dir", "labels", "healthcheck", "stop_grace_period", "stop_signal", "tty", "stdin_open",
    "init", "hostname", "container_name", "network_mode", "pid", "ipc", "read_only", "tmpfs", "cap_drop",
    "pull_policy", "user", "mem_limit", "cpus", "pids_limit", "deploy", "env_file", "extra_hosts", "platform",
    "logging", "privileged", "scale"})
#: Why some keys are refused (any other key is refused as one the kit does not check).
_WHY = {**policy._WHY, "build": "the kit builds with lab.build (your image carries your labels)",
        "cgroup_parent": "it moves the container out of the engine's limits", "uts": "",
        "sysctls": "it changes the kernel's settings for the container", "runtime": "it picks another runtime",
        "links": "a link can reach a container outside the project", "external_links": "",
        "secrets": "", "configs": "", "devices": policy._WHY["devices"], "gpus": "it hands the host's GPUs over",
        "device_cgroup_rules": "it opens devices of the host", "oom_kill_disable": "a runaway container could "
        "take the machine's memory", "user": ""}
_TOP_KEYS = frozenset({"name", "services", "networks", "volumes", "version"})
_NET_DRIVERS = ("", "bridge")
_LOG_DRIVERS = ("", "json-file", "local", "none")
#: The Compose commands that start containers (the teacher's max_running counts them first).
STARTING = ("up", "start", "restart", "create", "run")


@dataclass
class Checked:
    """A project the gate may hand to Compose: the model to run, its services and what it makes."""

    model: dict
    services: list = field(default_factory=list)
    networks: list = field(default_factory=list)  # the engine's names of the networks it makes
    volumes: list = field(default_factory=list)   # the engine's names of the volumes it makes


def _refuse(what: str, why: str, hint: str = "") -> E.GuardRefused:
    return E.GuardRefused(f"Refusing this compose file: {what}" + (f": {why}" if why else ""), guard="compose",
                          hint=hint or "remove it from compose.yaml: a lesson never needs it")


def _reserved(where: str, lab: dict | None) -> None:
    for k in (lab or {}):
        if str(k).startswith(labels.NAMESPACE + "."):
            raise _refuse(f"{where} sets the label {k}", "the org.dockerlab.* labels are the kit's own",
                          hint="use label names of your own; the kit labels the project itself")


def check(model: dict, **kw) -> Checked:
    """The checked, labelled model of a project (:func:`_check`); any refusal says nothing was started."""
    try:
        return _check(model, **kw)
    except (E.GuardRefused, E.NotOwned, E.NetworkNotFound) as e:
        raise e.refine(state=f"{e.state + '; ' if e.state and 'launched' not in e.state else ''}nothing was "
                             "started: the project is as it was") from None


def _check(model: dict, *, owner: str, session: str, lesson: str, cwd: str, settings: guards.Policy,
          join=None, network_ok=None, volume_ok=None, qualifying: bool = False) -> Checked:
    """The checked, labelled model of a project, or the kit's refusal of the first thing it may not ask.

    ``join(ref, key)`` resolves a ``container:<ref>`` join (the owner's own only); ``network_ok(name)`` /
    ``volume_ok(name)`` refuse an ``external`` network or volume that is not the owner's."""
    if not isinstance(model, dict) or not isinstance(model.get("services"), dict) or not model["services"]:
        raise E.InvalidReference("This compose file has no services", value=str(model.get("name", ""))[:80],
                                 hint="a compose.yaml lists its containers under services:")
    extra = sorted(set(model) - _TOP_KEYS)
    if extra:
        raise _refuse(f"the top-level key {extra[0]!r}", _WHY.get(extra[0], "") or "the kit checks only services, "
                      "networks and volumes")
    out = copy.deepcopy(model)
    kit = labels.make_labels(owner=owner, session=session, lesson=lesson)
    checked = Checked(out)
    checked.networks = _parts("network", out, kit, network_ok, _check_network)
    checked.volumes = _parts("volume", out, kit, volume_ok, _check_volume)
    for name, svc in out["services"].items():
        out["services"][name] = _service(name, svc or {}, kit=kit, cwd=cwd, settings=settings, join=join,
                                         network_ok=network_ok, qualifying=qualifying, volume_ok=volume_ok, model=out)
        checked.services.append(name)
    return checked


def _parts(kind: str, model: dict, kit: dict, ok, check_one) -> list[str]:
    """The project's own networks (or volumes), checked by ``check_one`` and labelled; an ``external`` one
    only if ``ok(name)`` accepts it (the owner's own). Returns the engine's names of those it makes."""
    made = []
    for name, spec in (model.get(f"{kind}s") or {}).items():
        spec = spec or {}
        _reserved(f"the {kind} {name}", spec.get("labels"))
        if spec.get("external"):
            if ok is not None:
                ok(spec.get("name") or name)
            continue
        check_one(name, spec)
        spec["labels"] = {**(spec.get("labels") or {}), **kit}
        model[f"{kind}s"][name] = spec
        made.append(spec.get("name") or name)
    return made


def _check_network(name: str, net: dict) -> None:
    if str(net.get("driver") or "") not in _NET_DRIVERS:
        raise _refuse(f"the network {name} uses the driver {net['driver']!r}", "only bridge networks are "
                      "checked by the kit (others reach the host's own interfaces)")
    if net.get("driver_opts") or (net.get("ipam") or {}).get("config"):
        raise _refuse(f"the network {name} sets driver options or addresses", "the engine picks them")


def _check_volume(name: str, vol: dict) -> None:
    if vol.get("driver") not in (None, "", "local") or vol.get("driver_opts"):
        raise _refuse(f"the volume {name} sets a driver or its options", "a local volume is all a lesson "
                      "needs (driver options can mount any folder of the host)")


def _service(name: str, svc: dict, *, kit: dict, cwd: str, settings, join, network_ok, qualifying, volume_ok,
             model) -> dict:
    for key in sorted(svc):
        if svc[key] is None or key in SERVICE_KEYS:
            continue
        raise _refuse(f"the service {name} asks for {key}", _WHY.get(key) or "the kit lets through only the "
                      "options it checks", hint=("build it first with lab.build(folder, tag=...), then name the "
                                                 "image: image: that-tag") if key == "build" else "")
    if not svc.get("image"):
        raise _refuse(f"the service {name} names no image", "", hint="give it one: image: redis")
    _reserved(f"the service {name}", svc.get("labels"))
    if svc.get("container_name") and qualifying:
        raise _refuse(f"the service {name} sets container_name", "on a shared engine names are qualified with "
                      "yours", hint="leave it out: Compose names it <project>-<service>-1")
    if (svc.get("deploy") or {}).keys() - {"resources"} or (svc.get("deploy") or {}).get("resources", {}).keys() - {"limits"}:
        raise _refuse(f"the service {name} sets deploy options beyond resources.limits", "")
    if int(svc.get("scale") or 1) != 1:
        raise _refuse(f"the service {name} asks for {svc['scale']} copies", "one container per service here")
    log_driver = str((svc.get("logging") or {}).get("driver") or "")
    if log_driver not in _LOG_DRIVERS:
        raise _refuse(f"the service {name} sends its logs to {log_driver!r}", "logs stay on this machine")
    modes = {}
    for key in ("network_mode", "pid", "ipc"):
        value = svc.get(key)
        if value and not str(value).startswith("service:"):
            modes[{"network_mode": "network"}.get(key, key)] = str(value)
    roots = settings.bind_roots if settings.bind_roots is not None else policy.default_roots(cwd)
    for v in svc.get("volumes") or []:
        kind = v.get("type")
        if kind == "bind":  # the source as the engine resolves it, inside the learner's folders only
            policy.check_bind(str(v.get("source", "")), str(v.get("target", "")), "ro" if v.get("read_only") else "rw",
                              roots=roots, policy=settings)
        elif kind == "volume":
            src = v.get("source")
            if src and src not in (model.get("volumes") or {}) and volume_ok is not None:
                volume_ok(src)  # a volume outside the project: the owner's own only
        elif kind != "tmpfs":
            raise _refuse(f"the service {name} mounts a {kind}", "the kit checks volumes, bind mounts and tmpfs")
    # privileged mode and the namespaces, decided as lab.run's are (the kit's words for --privileged, --pid host...)
    policy.check_launch(privileged=bool(svc.get("privileged")), join=join, network_ok=network_ok, policy=settings,
                        **modes)
    for p in svc.get("ports") or []:
        ip = str(p.get("host_ip") or "")
        if ip in PUBLIC and not settings.allow_public_ports:
            shown = f"{p.get('published') or ''}:{p.get('target')}"
            raise _refuse(f"the service {name} publishes {shown} on every address of this machine",
                          "anyone who can reach the machine could reach it",
                          hint=f"publish on this machine only: \"127.0.0.1:{shown}\" (JupyterLab's proxy opens it)")
    svc["labels"] = {**(svc.get("labels") or {}), **kit}
    _limits(name, svc, settings)
    return svc


def _limits(name: str, svc: dict, settings) -> None:
    """The teacher's limits, as lab.run applies them: what the service asks (within the maxima), else
    the defaults; written as the service keys Compose sends (mem_limit, cpus, pids_limit)."""
    lim = ((svc.pop("deploy", None) or {}).get("resources") or {}).get("limits") or {}
    mem = svc.get("mem_limit") or lim.get("memory")
    cpus = svc.get("cpus") or lim.get("cpus")
    pids = svc.get("pids_limit") or lim.get("pids")
    try:
        limits = guards.apply(memory=refs.parse_memory(mem) if mem not in (None, "") else None,
                              cpus=float(cpus) if cpus not in (None, "") else None,
                              pids=int(pids) if pids not in (None, "") else None, policy=settings)
    except E.GuardRefused as e:
        raise e.refine(state=f"the service {name} was not started; nothing of the project was") from None
    for key, value in (("mem_limit", limits.memory), ("cpus", limits.cpus), ("pids_limit", limits.pids)):
        if value is None:
            svc.pop(key, None)
        else:
            svc[key] = value


def parse_config(raw: str) -> dict:
    """The model `docker compose config --format json` printed (its JSON first, any warning after)."""
    try:
        model, _ = json.JSONDecoder().raw_decode(raw[raw.index("{"):])
    except ValueError:
        raise E.ComposeFailed("docker compose config gave no model", output=raw, state="nothing was started",
                              hint="run `docker compose config` in the Terminal to see what it says") from None
    return model


def check_running(mine: list[dict], project: str, checked: Checked, owner: str, settings) -> None:
    """``max_running`` with the project's services: the owner's running containers outside it, plus
    one per service."""
    others = [c for c in mine if (c.get("Labels") or {}).get(labels.COMPOSE_PROJECT) != project]
    guards.check_running(len(others) + len(checked.services) - 1, owner=owner, policy=settings)


@contextlib.contextmanager
def checked_file(checked: Checked):
    """The checked model in a file of its own, for ``docker compose -f`` (gone afterwards)."""
    with tempfile.TemporaryDirectory(prefix="dockerlab-compose-") as where:
        path = os.path.join(where, "compose.checked.json")
        with open(path, "w") as f:
            json.dump(checked.model, f)
        yield path


def project_name(folder_name: str) -> str:
    """Compose's own default project name for a folder: lower case, only ``a-z0-9_-``, starting
    with a letter or digit (what `docker compose` derives from the folder)."""
    import re

    name = re.sub(r"[^a-z0-9_-]", "", folder_name.lower()).lstrip("_-")
    if not name:
        raise E.InvalidReference(f"The folder {folder_name!r} gives no Compose project name", value=folder_name,
                                 hint="name the folder with letters and digits, e.g. nb14-app")
    return name
