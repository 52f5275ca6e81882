"""The teacher's guards: defaults, where settings come from, and every refusal (no engine)."""
from __future__ import annotations

import pytest

from dockerlab import guards
from dockerlab.errors import DockerLabError, GuardRefused, InvalidReference

MiB = 1024**2


def policy(env=None, files=()):
    return guards.load(env=env or {}, files=list(files))


def test_defaults_are_on():
    p = policy()
    lim = guards.apply(policy=p)
    assert (lim.memory, lim.cpus, lim.pids) == (512 * MiB, 1.0, 256)
    assert p.max_running == 50 and not p.allow_privileged


def test_learner_may_ask_within_the_maximum():
    lim = guards.apply(memory=64 * MiB, cpus=0.5, pids=64, policy=policy())
    assert (lim.memory, lim.cpus, lim.pids) == (64 * MiB, 0.5, 64)


@pytest.mark.parametrize("kw, guard", [({"memory": 4096 * MiB}, "max_memory"), ({"pids": 5000}, "max_pids"),
                                      ({"pids": -1}, "max_pids")])
def test_asking_beyond_the_maximum_is_refused_not_lowered(kw, guard):
    with pytest.raises(GuardRefused) as ei:
        guards.apply(**kw, policy=policy())
    assert ei.value.guard == guard and ei.value.hint and "no container was launched" in ei.value.state


def test_env_overrides_file_overrides_system(tmp_path):
    user = tmp_path / "guards.toml"
    user.write_text('default_memory = "128m"\nmax_running = 3\ndefault_pids = "none"\n')
    system = tmp_path / "system.toml"
    system.write_text('default_memory = "1g"\ndefault_cpus = 0.5\nmax_pids = "unlimited"\n')
    p = policy(env={"DOCKERLAB_MAX_RUNNING": "2"}, files=[user, system])
    assert p.default_memory == 128 * MiB and p.default_cpus == 0.5 and p.max_running == 2
    assert p.default_pids is None and p.max_pids is None
    assert p.sources["max_running"] == "DOCKERLAB_MAX_RUNNING" and p.sources["default_memory"] == str(user)
    lim = guards.apply(policy=p)
    assert lim.pids is None  # both default and maximum removed: unlimited, as the CLI
    rows = {k: (v, src) for k, v, src in p.describe()}
    assert rows["default_memory"] == ("128MiB", str(user)) and rows["max_pids"][0] == "unlimited"


def test_a_guards_section_is_accepted(tmp_path):
    f = tmp_path / "g.toml"
    f.write_text('[guards]\nmax_memory = "256m"\n')
    assert policy(files=[f]).max_memory == 256 * MiB
    # the default (512m) is above the maximum: the maximum wins
    assert guards.apply(policy=policy(files=[f])).memory == 256 * MiB


@pytest.mark.parametrize("text", ['max_memory = "lots"', 'max_running = 0', 'allow_privileged = "maybe"',
                                  'colour = "blue"', 'max_memory = ', 'default_cpus = -1'])
def test_bad_settings_are_refused_with_a_hint(tmp_path, text):
    f = tmp_path / "g.toml"
    f.write_text(text + "\n")
    with pytest.raises(GuardRefused) as ei:
        policy(files=[f])
    assert ei.value.hint and str(f) in str(ei.value)


def test_bad_env_setting_is_refused():
    with pytest.raises(GuardRefused) as ei:
        policy(env={"DOCKERLAB_DEFAULT_PIDS": "many"})
    assert "DOCKERLAB_DEFAULT_PIDS" in str(ei.value)


def test_running_cap():
    p = policy(env={"DOCKERLAB_MAX_RUNNING": "3"})
    guards.check_running(2, owner="alice", policy=p)
    with pytest.raises(GuardRefused) as ei:
        guards.check_running(3, owner="alice", policy=p)
    assert ei.value.guard == "max_running" and "cleanup" in ei.value.hint


@pytest.mark.parametrize("kw, guard", [
    ({"privileged": True}, "allow_privileged"),
    ({"network": "host"}, "allow_host_network"),
    ({"pid": "host"}, "allow_host_pid"),
    ({"volumes": ["/var/run/docker.sock:/var/run/docker.sock"]}, "allow_docker_socket"),
    ({"volumes": ["/run/docker.sock:/d.sock:ro"]}, "allow_docker_socket"),
    ({"volumes": {"/var/run/../run/docker.sock": {"bind": "/s", "mode": "ro"}}}, "allow_docker_socket"),
    ({"volumes": ["/:/host"]}, "allow_root_mount"),
    ({"volumes": ["//:/host:ro"]}, "allow_root_mount"),
])
def test_dangerous_options_are_refused_by_default(kw, guard):
    with pytest.raises(GuardRefused) as ei:
        guards.check_options(**kw, policy=policy())
    e = ei.value
    assert e.guard == guard and "Refusing" in e.what and guard in e.hint


def test_a_teacher_may_allow_them():
    p = policy(env={"DOCKERLAB_ALLOW_PRIVILEGED": "1", "DOCKERLAB_ALLOW_HOST_NETWORK": "yes"})
    hc = guards.check_options(privileged=True, network="host", volumes=["/srv/data:/data:ro"], policy=p)
    assert hc == {"privileged": True, "network_mode": "host", "binds": ["/srv/data:/data:ro"]}


def test_harmless_options_pass():
    hc = guards.check_options(network="none", volumes=["mydata:/data", "/tmp/x:/x"], policy=policy())
    assert hc == {"network_mode": "none", "binds": ["mydata:/data:rw", "/tmp/x:/x:rw"]}


@pytest.mark.parametrize("volumes", ["nocolon", [":/x"], [1], 3, {"a": "b"}, ["a:b:c:d"]])
def test_bad_volumes_are_invalid_reference(volumes):
    with pytest.raises(InvalidReference):
        guards.check_options(volumes=volumes, policy=policy())


def test_every_refusal_is_a_dockerlab_error():
    assert issubclass(GuardRefused, DockerLabError)


def test_a_symlink_to_root_or_a_smuggled_colon_is_refused(tmp_path):
    link = tmp_path / "innocent"
    link.symlink_to("/")
    with pytest.raises(GuardRefused) as ei:
        guards.check_options(volumes=[f"{link}:/h"], policy=policy())
    assert ei.value.guard == "allow_root_mount" and str(link) in ei.value.what
    with pytest.raises(InvalidReference):  # '/:/x' as a dict key would reach the engine as '/:/x:...'
        guards.check_options(volumes={"/:/x": {"bind": "/y"}}, policy=policy())
