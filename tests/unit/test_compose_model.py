"""The Compose project checks (dockerlab.compose_model): a compose file cannot ask for what lab.run refuses.

The models are in the shape `docker compose config --format json` prints (Compose 2.40)."""
import copy
import os

import pytest

from dockerlab import compose_model as cm
from dockerlab import errors as E
from dockerlab import guards, labels

#: `docker compose config --format json` of notebooks/nb14-app/compose.yaml (Compose 2.40.3)
APP = {
    "name": "nb14-app",
    "networks": {"default": {"name": "nb14-app_default", "ipam": {}}},
    "services": {
        "store": {"command": None, "entrypoint": None, "image": "redis", "networks": {"default": None},
                  "volumes": [{"type": "volume", "source": "counts", "target": "/data", "volume": {}}]},
        "web": {"command": None, "entrypoint": None, "image": "nb14/counter:v1", "init": True,
                "depends_on": {"store": {"condition": "service_started", "required": True}},
                "environment": {"STORE_HOST": "store"}, "networks": {"default": None},
                "ports": [{"mode": "ingress", "host_ip": "127.0.0.1", "target": 80, "published": "8014",
                           "protocol": "tcp"}]},
    },
    "volumes": {"counts": {"name": "nb14-app_counts"}},
}


def check(model, tmp_path=None, **kw):
    kw.setdefault("settings", guards.Policy())
    return cm.check(model, owner="ada", session="s1", lesson="14-x", cwd=str(tmp_path or os.getcwd()), **kw)


def with_service(**keys):
    m = copy.deepcopy(APP)
    m["services"]["web"].update(keys)
    return m


def test_the_lessons_app_passes_and_everything_it_makes_carries_the_kits_labels():
    c = check(APP)
    assert c.services == ["store", "web"] and c.networks == ["nb14-app_default"] and c.volumes == ["nb14-app_counts"]
    for part in (c.model["services"]["web"], c.model["services"]["store"], c.model["networks"]["default"],
                 c.model["volumes"]["counts"]):
        assert part["labels"][labels.OWNER] == "ada" and part["labels"][labels.SESSION] == "s1"
        assert part["labels"][labels.LESSON] == "14-x"
    assert APP["services"]["web"].get("labels") is None  # the model given is not changed


def test_the_teachers_default_limits_apply_as_they_do_to_lab_run():
    web = check(APP).model["services"]["web"]
    p = guards.Policy()
    assert (web["mem_limit"], web["cpus"], web["pids_limit"]) == (p.default_memory, p.default_cpus, p.default_pids)


def test_a_limit_above_the_teachers_maximum_is_refused_and_names_the_service():
    with pytest.raises(E.GuardRefused, match="memory") as e:
        check(with_service(mem_limit="64g"))
    assert "web" in e.value.state


def test_deploy_resources_limits_are_read_as_the_services_limits():
    web = check(with_service(deploy={"resources": {"limits": {"memory": "128m", "cpus": "0.5"}}})).model["services"]["web"]
    assert web["mem_limit"] == 128 * 1024**2 and web["cpus"] == 0.5 and "deploy" not in web


@pytest.mark.parametrize("key, value, words", [
    ("privileged", True, "privileged"),
    ("network_mode", "host", "host"),
    ("pid", "host", "host"),
    ("ipc", "host", "host"),
    ("cap_add", ["SYS_ADMIN"], "cap_add"),
    ("devices", ["/dev/kmsg:/dev/kmsg"], "devices"),
    ("security_opt", ["seccomp=unconfined"], "security_opt"),
    ("userns_mode", "host", "userns_mode"),
    ("volumes_from", ["other"], "volumes_from"),
    ("sysctls", {"net.ipv4.ip_forward": "1"}, "sysctls"),
    ("cgroup_parent", "/", "cgroup_parent"),
    ("build", {"context": "/"}, "build"),
    ("something_new", 1, "something_new"),
])
def test_a_service_cannot_ask_for_what_lab_run_refuses(key, value, words):
    with pytest.raises(E.GuardRefused) as e:
        check(with_service(**{key: value}))
    assert words in str(e.value) and e.value.hint


def test_host_network_privileged_stay_a_teachers_switch():
    p = guards.Policy(allow_host_network=True, allow_privileged=True)
    check(with_service(network_mode="host", privileged=True), settings=p)


def test_a_port_on_every_address_is_refused_with_the_line_to_write_instead():
    m = with_service(ports=[{"mode": "ingress", "target": 80, "published": "8014", "protocol": "tcp"}])
    with pytest.raises(E.GuardRefused) as e:
        check(m)
    assert '"127.0.0.1:8014:80"' in e.value.hint
    check(m, settings=guards.Policy(allow_public_ports=True))


def test_a_bind_mount_outside_the_learners_folders_is_refused(tmp_path):
    m = with_service(volumes=[{"type": "bind", "source": "/etc", "target": "/x", "bind": {}}])
    with pytest.raises(E.GuardRefused, match="/etc"):
        check(m, tmp_path)
    sock = with_service(volumes=[{"type": "bind", "source": "/var/run/docker.sock", "target": "/s", "bind": {}}])
    with pytest.raises(E.GuardRefused):
        check(sock, tmp_path)


def test_a_bind_mount_of_the_learners_own_folder_passes(tmp_path):
    (tmp_path / "site").mkdir()
    m = with_service(volumes=[{"type": "bind", "source": str(tmp_path / "site"), "target": "/www", "bind": {}}])
    check(m, tmp_path, settings=guards.Policy(bind_roots=(str(tmp_path),)))


def test_the_kits_labels_cannot_be_set_by_the_file_to_pass_as_someone_else():
    for m in (with_service(labels={labels.OWNER: "bob"}),):
        with pytest.raises(E.GuardRefused, match="org.dockerlab"):
            check(m)
    net = copy.deepcopy(APP)
    net["networks"]["default"]["labels"] = {labels.OWNER: "bob"}
    with pytest.raises(E.GuardRefused, match="org.dockerlab"):
        check(net)


def test_an_external_network_or_volume_must_be_the_learners_own():
    asked = []

    def not_mine(name):
        asked.append(name)
        raise E.GuardRefused(f"Refusing --network {name}: it belongs to another learner", guard="network")

    m = copy.deepcopy(APP)
    m["networks"]["default"] = {"name": "bob-net", "external": True}
    with pytest.raises(E.GuardRefused, match="another learner"):
        check(m, network_ok=not_mine)
    assert asked == ["bob-net"]
    v = copy.deepcopy(APP)
    v["volumes"]["counts"] = {"name": "bob-data", "external": True}
    with pytest.raises(E.GuardRefused):
        check(v, volume_ok=not_mine)


def test_a_container_join_goes_through_the_gates_join():
    joined = []

    def join(ref, key):
        joined.append((ref, key))
        return "0" * 64

    check(with_service(network_mode="container:nb14-store"), join=join)
    assert joined == [("nb14-store", "network")]


def test_other_network_drivers_and_options_are_refused():
    for net in ({"name": "x", "driver": "macvlan"}, {"name": "x", "driver_opts": {"parent": "eth0"}},
                {"name": "x", "ipam": {"config": [{"subnet": "10.0.0.0/8"}]}}):
        m = copy.deepcopy(APP)
        m["networks"]["default"] = net
        with pytest.raises(E.GuardRefused):
            check(m)


def test_top_level_secrets_and_logs_sent_away_are_refused():
    m = copy.deepcopy(APP)
    m["secrets"] = {"s": {"file": "/etc/shadow"}}
    with pytest.raises(E.GuardRefused, match="secrets"):
        check(m)
    with pytest.raises(E.GuardRefused, match="syslog"):
        check(with_service(logging={"driver": "syslog", "options": {"syslog-address": "udp://1.2.3.4:514"}}))


def test_container_name_is_refused_on_a_shared_engine_only():
    check(with_service(container_name="web"))
    with pytest.raises(E.GuardRefused, match="container_name"):
        check(with_service(container_name="web"), qualifying=True)


def test_no_services_is_a_clear_error():
    with pytest.raises(E.InvalidReference, match="no services"):
        check({"name": "x", "services": {}})


@pytest.mark.parametrize("folder, want", [("nb14-app", "nb14-app"), ("My App", "myapp"), ("_x.y", "xy")])
def test_the_project_is_named_after_its_folder_as_compose_names_it(folder, want):
    assert cm.project_name(folder) == want


def test_max_running_counts_the_projects_services():
    mine = [{"Labels": {}} for _ in range(9)]
    checked = check(APP)
    with pytest.raises(E.GuardRefused, match="max_running|already runs"):
        cm.check_running(mine, "nb14-app", checked, "ada", guards.Policy(max_running=10))
    cm.check_running(mine[:8], "nb14-app", checked, "ada", guards.Policy(max_running=10))


def test_config_output_with_a_warning_after_it_is_read():
    import json

    assert cm.parse_config(json.dumps(APP) + "\nWARN[0000] something")["name"] == "nb14-app"
    with pytest.raises(E.ComposeFailed):
        cm.parse_config("no model here")
