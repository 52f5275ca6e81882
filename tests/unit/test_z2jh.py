"""classroom/z2jh: Kubernetes cannot run here; what can be checked is checked. The values, merged over
the chart's defaults as helm does, pass the chart's own schema (chart-4.4.0/, vendored); the values
the kit reads (DOCKER_HOST, the learner's name, the mirror) are the ones it sets; the sign-in,
culling and read-only mirror are the one-machine classroom's choices."""
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")
Z2JH = Path(__file__).resolve().parents[2] / "classroom" / "z2jh"


def load():
    cfg = yaml.safe_load((Z2JH / "config.yaml").read_text())
    mirror = list(yaml.safe_load_all((Z2JH / "mirror.yaml").read_text()))
    return cfg, mirror


def test_the_learner_reaches_the_sidecar_engine_through_a_shared_socket():
    from dockerlab.endpoints import parse_host

    cfg, _ = load()
    su = cfg["singleuser"]
    host = su["extraEnv"]["DOCKER_HOST"]
    assert parse_host(host) == host  # the kit reads it as it is
    engine = next(c for c in su["extraContainers"] if c["name"] == "engine")
    assert engine["image"].split(":")[0] == "docker" and "dind-rootless" in engine["image"]
    assert f"--host={host}" in engine["args"]
    sock_dir = str(Path(host[len("unix://"):]).parent)
    vol_learner = {m["name"] for m in su["storage"]["extraVolumeMounts"] if m["mountPath"] == sock_dir}
    vol_engine = {m["name"] for m in engine["volumeMounts"] if m["mountPath"] == sock_dir}
    assert vol_learner and vol_learner == vol_engine
    assert any(v["name"] in vol_learner and "emptyDir" in v for v in su["storage"]["extraVolumes"])


def test_the_engine_pulls_from_the_mirror_service_never_docker_hub():
    cfg, docs = load()
    engine = next(c for c in cfg["singleuser"]["extraContainers"] if c["name"] == "engine")
    mirror_arg = next(a for a in engine["args"] if a.startswith("--registry-mirror="))
    url = mirror_arg.split("=", 1)[1]
    svc = next(d for d in docs if d["kind"] == "Service")
    name, ns, port = svc["metadata"]["name"], svc["metadata"]["namespace"], svc["spec"]["ports"][0]["port"]
    assert url == f"http://{name}.{ns}.svc.cluster.local:{port}"
    assert f"--insecure-registry={name}.{ns}.svc.cluster.local:{port}" in engine["args"]
    dep = next(d for d in docs if d["kind"] == "Deployment")
    assert dep["spec"]["template"]["metadata"]["labels"] == svc["spec"]["selector"]
    assert str(port) == cfg["singleuser"]["extraEnv"]["DOCKERLAB_REGISTRY_PORT"]


def test_the_kit_reads_the_learner_and_plain_names_from_these_values(monkeypatch):
    from dockerlab import labels, names

    cfg, _ = load()
    env = cfg["singleuser"]["extraEnv"]
    # KubeSpawner expands {username}; JupyterHub sets JUPYTERHUB_USER in every server
    expanded = {k: str(v).replace("{username}", "alice") for k, v in env.items()}
    expanded["JUPYTERHUB_USER"] = "alice"
    # the kit reads the environment its process started with (the server's, as the spawner set it)
    assert labels.default_owner(expanded) == "alice"
    assert names.decide(expanded, lambda: {"SecurityOptions": ["name=rootless"]}) is False


CHART = Z2JH / "chart-4.4.0"


def merged(over, base):
    """Helm's merge of a values file over the chart's defaults: maps merge, anything else replaces."""
    if isinstance(over, dict) and isinstance(base, dict):
        return {**base, **{k: merged(v, base.get(k)) for k, v in over.items()}}
    return over


def test_the_values_pass_the_charts_own_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    cfg, _ = load()
    values = merged(cfg, yaml.safe_load((CHART / "values.yaml").read_text()))
    jsonschema.validate(values, schema)  # raises, naming the path, on any value the chart refuses
    wrong = merged({"cull": {"timeout": "an hour"}}, values)
    with pytest.raises(jsonschema.ValidationError):  # the check can fail: a wrong type is refused
        jsonschema.validate(wrong, schema)


def test_the_same_sign_in_culling_and_read_only_mirror_as_on_one_machine():
    cfg, docs = load()
    hub = cfg["hub"]["config"]
    assert hub["JupyterHub"]["authenticator_class"] == "native"  # not the dummy one
    assert hub["NativeAuthenticator"]["open_signup"] is False and hub["Authenticator"]["admin_users"]
    assert cfg["cull"]["enabled"] is True and cfg["cull"]["timeout"] > 0
    conf = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
    served = yaml.safe_load(conf["readonly.yml"])
    assert served["storage"]["maintenance"]["readonly"]["enabled"] is True
    assert served["storage"]["delete"]["enabled"] is False
    seed = yaml.safe_load(conf["seed.yml"])
    assert seed["http"]["addr"].startswith("127.0.0.1:")  # the writable one: the pod's loopback only
    svc = next(d for d in docs if d["kind"] == "Service")
    assert [p["targetPort"] for p in svc["spec"]["ports"]] == [int(served["http"]["addr"].rsplit(":", 1)[1])]
