"""The teacher's guards: defaults, where settings come from, and every refusal (no engine)."""
from __future__ import annotations

import pytest

from dockerlab import errors as E
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


def test_every_refusal_is_a_dockerlab_error():
    assert issubclass(GuardRefused, DockerLabError)


def test_settings_come_only_from_sources_the_learner_cannot_change(monkeypatch, tmp_path):
    """os.environ at run time, or a file in the learner's home, changes nothing (issue 15)."""
    monkeypatch.setenv("DOCKERLAB_ALLOW_OTHERS", "1")
    monkeypatch.setenv("DOCKERLAB_ALLOW_DOCKER_SOCKET", "1")
    monkeypatch.setenv("DOCKERLAB_GUARDS_FILE", str(tmp_path / "mine.toml"))
    (tmp_path / "mine.toml").write_text("allow_others = true\n")
    monkeypatch.setattr(guards, "SYSTEM_FILE", tmp_path / "absent.toml")
    for key in list(guards.START_ENV):
        if key.startswith("DOCKERLAB_") and key != "DOCKERLAB_ALLOW_OWNER_CHOICE":
            monkeypatch.delitem(guards.START_ENV, key)
    p = guards.load()
    assert not p.allow_others and not p.allow_docker_socket
    monkeypatch.setitem(guards.START_ENV, "DOCKERLAB_ALLOW_OTHERS", "1")  # what the hub started it with
    assert guards.load().allow_others and guards.load().sources["allow_others"] == "DOCKERLAB_ALLOW_OTHERS"


def test_bind_roots_setting():
    assert policy(env={"DOCKERLAB_BIND_ROOTS": "none"}).bind_roots == ()
    assert policy(env={"DOCKERLAB_BIND_ROOTS": "/srv/a:/srv/b/"}).bind_roots == ("/srv/a", "/srv/b")
    assert policy().bind_roots is None
    with pytest.raises(GuardRefused):
        policy(env={"DOCKERLAB_BIND_ROOTS": "relative/path"})


def test_one_v_grammar_parses_and_the_policy_decides(tmp_path):
    from dockerlab import mounts
    from dockerlab import policy as policy_mod

    p = policy(env={"DOCKERLAB_BIND_ROOTS": str(tmp_path)})
    values = [f"{tmp_path}:/d:ro", "v:/v"]
    parsed = mounts.parse_mounts(values)
    assert policy_mod.check_launch(volumes=values, policy=p).host_config == \
        policy_mod.check_launch(binds=parsed, policy=p).host_config == {"binds": [f"{tmp_path}:/d:ro", "v:/v:rw"]}
    with pytest.raises(GuardRefused):
        policy_mod.check_launch(volumes=["/run:/h"], policy=p)
    for bad in ("v:/", "x" * 129 + ":/d", "v:/d:rx", "v:d"):  # what both grammars refused before
        with pytest.raises(E.InvalidReference):
            mounts.parse_mounts([bad])
