"""Lesson 14 on a real engine: networks where names resolve, and Compose through the gate.

Every refusal is tried as a learner would try it (a compose file that asks for what lab.run refuses,
a network of someone else's), and what is refused leaves nothing behind."""
from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
import uuid
from pathlib import Path

import pytest

from dockerlab import errors as E
from dockerlab import labels
from dockerlab.exercises import nb14
from tests.engine.raw import raw

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture
def net_lab(lab):
    if not lab.can("networks"):
        pytest.skip("this engine has no networks")
    return lab


@pytest.fixture
def compose_lab(lab):
    if not lab.can("compose"):
        pytest.skip("this machine's docker CLI has no Compose v2 plugin")
    return lab


def _ask(store: str) -> list[str]:
    return ["sh", "-c", f"printf 'INCR visits\\r\\n' | nc -w 2 {store} 6379"]


def test_names_resolve_on_a_network_of_ones_own_and_not_on_the_default_bridge(net_lab):
    lab, tag = net_lab, uuid.uuid4().hex[:6]
    net, store = f"t14-net-{tag}", f"t14-store-{tag}"
    made = lab.network_create(net)
    assert made.name == net and made["Labels"][labels.OWNER] == lab.owner
    assert lab.network_create(net).name == net  # a rerun of the cell: the same network, no error
    lab.run("redis", name=store, network=net, detach=True)
    assert "Ready to accept connections" in lab.wait_for_log(store, "Ready to accept connections")
    assert lab.run("busybox", _ask(store), network=net, rm=True).output.strip() == ":1"
    on_bridge = lab.run("busybox", f"ping -c 1 -W 1 {store}", rm=True)
    assert on_bridge.exit_code == 1 and "bad address" in on_bridge.output
    table = lab.network_inspect(net).containers()
    assert list(table["NAME"]) == [store] and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", table["IPv4 ADDRESS"][0])
    with pytest.raises(E.NetworkInUse, match="still attached"):
        lab.network_remove(net)
    lab.remove(store, force=True)
    assert lab.network_remove(net) == net
    with pytest.raises(E.NetworkNotFound):
        lab.network_inspect(net)


def test_cleanup_removes_the_sessions_networks_after_its_containers(net_lab):
    lab = net_lab
    net = f"t14-clean-{uuid.uuid4().hex[:6]}"
    lab.network_create(net)
    lab.run("busybox", "sleep 600", name=f"{net}-c", network=net, detach=True)
    report = lab.cleanup()
    assert report.networks_removed == [net] and f"Removed networks 1: {net}" in repr(report)


def test_a_launch_joins_only_a_network_of_the_learners_own(net_lab):
    lab, tag = net_lab, uuid.uuid4().hex[:6]
    engine = raw(lab)
    other = engine.create_network(f"t14-bob-{tag}", labels=labels.make_labels(owner="bob-" + tag, session="x"))
    foreign = engine.create_network(f"t14-foreign-{tag}", labels={})
    try:
        for name, words in ((f"t14-bob-{tag}", "another learner"), (f"t14-foreign-{tag}", "did not create")):
            with pytest.raises(E.GuardRefused, match=words):
                lab.run("busybox", "true", network=name)
            with pytest.raises((E.NotOwned, E.GuardRefused)):
                lab.network_remove(name)
        with pytest.raises(E.GuardRefused, match="--network host"):
            lab.run("busybox", "true", network="host")
        with pytest.raises(E.GuardRefused):
            lab.network_remove("bridge", confirm=True)
        assert lab.ps(all=True, scope="session").empty  # nothing was launched
    finally:
        for n in (other, foreign):
            engine.remove_network(n["Id"])


def test_the_engines_dns_sends_no_outside_name_off_the_machine(net_lab):
    """On a user-defined network the engine's DNS server answers containers' names; a name it does not
    know it would forward to the machine's own resolver. The kit's engines forward to 127.0.0.1, where
    nothing answers: no query leaves (test_ports_isolation proves no packet from a container does)."""
    lab = net_lab
    net = f"t14-dns-{uuid.uuid4().hex[:6]}"
    lab.network_create(net)
    conf = lab.run("busybox", "cat /etc/resolv.conf", network=net, rm=True).output
    assert "nameserver 127.0.0.11" in conf
    if "ExtServers:" in conf:  # Docker 25 and later say where it forwards
        assert re.search(r"ExtServers: \[(host\()?127\.0\.0\.1\)?\]", conf), conf
    looked = lab.run("busybox", "nslookup example.com", network=net, rm=True, timeout=30)
    # Docker 28: the engine's server fails it at once (SERVFAIL); 20.10 lets the question time out
    said = ("SERVFAIL", "can't find", "no servers could be reached")
    assert looked.exit_code != 0 and any(w in looked.output for w in said), looked.output


# --- Compose -----------------------------------------------------------------------------------------
@pytest.fixture
def app_dir(tmp_path):
    """A copy of lesson 14's app, in a folder named after the test (its project name)."""
    where = tmp_path / f"t14-app-{uuid.uuid4().hex[:6]}"
    shutil.copytree(NOTEBOOKS / "nb14-app", where)
    return where


def _up(lab, app_dir, monkeypatch):
    monkeypatch.chdir(app_dir.parent)
    lab._cwd = str(app_dir.parent)
    lab.build(str(app_dir / "web"), tag="nb14/counter:v1", quiet=True)
    app = lab.compose(app_dir.name)
    app.up()
    lab.wait_for_log(app.container("store"), "Ready to accept connections")
    return app, lab.port(app.container("web"), 80).host_port  # the engine picked it ("127.0.0.1::80")


def _visits(lab, port) -> int:
    return int(re.search(r'id="count">(\d+)<', lab.curl(f"http://127.0.0.1:{port}/", timeout=10)).group(1))


def test_the_lessons_app_counts_and_down_keeps_the_count_until_down_v(compose_lab, app_dir, monkeypatch, capsys):
    lab = compose_lab
    app, port = _up(lab, app_dir, monkeypatch)
    try:
        assert capsys.readouterr().out.count(f"$ docker compose -f {app_dir.name}/compose.yaml up -d") == 1
        ps = app.ps()
        assert sorted(ps["SERVICE"]) == ["store", "web"] and set(ps["STATE"]) == {"running"}
        assert [_visits(lab, port) for _ in range(2)] == [1, 2]
        # the kit's labels on all Compose made: lab.ps() sees the containers, cleanup could find the rest
        mine = lab.ps(scope="session")
        assert sorted(mine["NAMES"]) == sorted(f"{app.project}-{s}-1" for s in ("store", "web"))
        net = lab.network_inspect(f"{app.project}_default")
        vol = lab.volume_inspect(f"{app.project}_counts")
        for lab_ in (net["Labels"], vol["Labels"]):
            assert lab_[labels.OWNER] == lab.owner and lab_[labels.SESSION] == lab.session
        assert str(app.exec("store", "redis-cli get visits")).strip() == "2"
        assert "url:/" in app.logs("web")
        # a third container on the app's network reaches the store by its service name (exercise 1)
        third = f"{app.project}-third"
        lab.run("busybox", _ask("store"), name=third, network=f"{app.project}_default")
        v = nb14.check_third(lab, name=third, network=f"{app.project}_default")
        assert v.ok, v
        lab.remove(third)
        # down: no container and no network left, the volume and its count kept (exercise 2)
        assert not nb14.check_down(lab, project=app.project, volume=f"{app.project}_counts").ok
        out = app.down()
        assert f"Network {app.project}_default  Removed" in out
        v = nb14.check_down(lab, project=app.project, volume=f"{app.project}_counts")
        assert v.ok, v
        app.up()
        lab.wait_for_log(app.container("store"), "Ready to accept connections")
        port = lab.port(app.container("web"), 80).host_port  # a new container: the engine picks again
        assert _visits(lab, port) == 4  # 2 visits, the third container's INCR, and this one
        app.down(volumes=True)
        with pytest.raises(E.VolumeNotFound):
            lab.volume_inspect(f"{app.project}_counts")
        assert "down -v" in str(nb14.check_down(lab, project=app.project, volume=f"{app.project}_counts"))
    finally:
        app.down(volumes=True)


def test_a_wrong_third_container_is_removed_by_the_check_so_the_next_try_can_use_its_name(net_lab):
    lab = net_lab
    name = f"t14-wrong-{uuid.uuid4().hex[:6]}"
    lab.run("busybox", "true", name=name)  # on the default bridge: not the app's network
    v = nb14.check_third(lab, name=name, network="nb14-app_default")
    assert not v.ok and "removed" in str(v)
    with pytest.raises(E.ContainerNotFound):
        lab.engine.inspect_container(name)


@pytest.mark.parametrize("service, words", [
    ("    privileged: true\n", "privileged"),
    ("    network_mode: host\n", "--network host"),
    ("    pid: host\n", "--pid host"),
    ("    cap_add: [SYS_ADMIN]\n", "cap_add"),
    ("    volumes: [\"/etc:/host-etc\"]\n", "/etc"),
    ("    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n", "docker.sock"),
    ("    ports: [\"8099:80\"]\n", "every address"),
    ("    labels: {org.dockerlab.owner: someone}\n", "org.dockerlab"),
    ("    build: .\n", "build"),
])
def test_a_compose_file_cannot_ask_for_what_lab_run_refuses(compose_lab, tmp_path, monkeypatch, service, words):
    lab = compose_lab
    folder = tmp_path / f"t14-bad-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    (folder / "compose.yaml").write_text("services:\n  evil:\n    image: busybox\n    command: sleep 600\n" + service)
    monkeypatch.chdir(tmp_path)
    lab._cwd = str(tmp_path)
    app = lab.compose(folder.name)
    with pytest.raises(E.GuardRefused) as e:
        app.up()
    assert words in str(e.value) and "nothing was started" in str(e.value).lower()
    left = raw(lab).containers(all=True, filters={"label": [f"com.docker.compose.project={app.project}"]})
    assert left == []


def test_variables_and_short_forms_are_read_as_compose_reads_them(compose_lab, tmp_path, monkeypatch):
    """Fix by parsing: ${VAR} and the long form of a mount are the same ask as the short form."""
    lab = compose_lab
    folder = tmp_path / f"t14-var-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    (folder / ".env").write_text("WHERE=/etc\n")
    (folder / "compose.yaml").write_text(textwrap.dedent("""\
        services:
          sneaky:
            image: busybox
            volumes:
              - type: bind
                source: ${WHERE}
                target: /x
        """))
    monkeypatch.chdir(tmp_path)
    lab._cwd = str(tmp_path)
    with pytest.raises(E.GuardRefused, match="/etc"):
        lab.compose(folder.name).up()


def test_a_broken_compose_file_says_composes_own_words(compose_lab, tmp_path, monkeypatch):
    lab = compose_lab
    folder = tmp_path / f"t14-broken-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    (folder / "compose.yaml").write_text("services:\n  web:\n    image: busybox\n    portz: [1]\n")
    monkeypatch.chdir(tmp_path)
    lab._cwd = str(tmp_path)
    with pytest.raises(E.ComposeFailed, match="portz"):
        lab.compose(folder.name).up()


def test_the_terminals_docker_compose_sees_the_same_project(compose_lab, app_dir, monkeypatch):
    """The twin is what a learner types in the Terminal: `docker compose -f FOLDER/compose.yaml ps` there
    lists the containers lab.compose started (the project is named after the folder, as Compose names it)."""
    lab = compose_lab
    app, _ = _up(lab, app_dir, monkeypatch)
    try:
        env = {"DOCKER_HOST": lab.endpoint.url, "PATH": "/usr/bin:/bin:/usr/local/bin"}
        out = subprocess.run(["docker", "compose", "-f", f"{app_dir.name}/compose.yaml", "ps", "--format",
                              "{{.Name}}"], cwd=app_dir.parent, env=env, capture_output=True, text=True, timeout=60)
        assert sorted(out.stdout.split()) == sorted(f"{app.project}-{s}-1" for s in ("store", "web")), out.stderr
    finally:
        app.down(volumes=True)


def test_only_a_question_about_compose_asks_the_docker_cli(engine_lab, monkeypatch):
    """`docker compose version` is a process of its own: a lab that never needs Compose never starts it."""
    from dockerlab.engine import compose_cli
    from dockerlab.lab import Lab

    asked = []
    real = compose_cli.available
    monkeypatch.setattr(compose_cli, "available", lambda url: asked.append(url) or real(url))
    lab = Lab(raw(engine_lab).__class__(raw(engine_lab).endpoint), show_cli=False)
    assert lab.can("ports") is True and lab.can("networks") is True and lab.can("teleport") is False
    assert asked == []
    lab.can("compose")
    lab.can("compose")
    assert len(asked) == 1
