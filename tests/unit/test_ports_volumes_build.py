"""Pure logic of lessons 10-12: -p values, -v values, the build source, history rows, build output."""
from __future__ import annotations

import pytest

from dockerlab import errors as E
from dockerlab import ports
from dockerlab.guards import Policy
from dockerlab.lab.build import BuildResult, build_source, history_frame
from dockerlab.engine.translate import build_failed as _build_error
from dockerlab.lab.volumes import parse_mounts, volumes_frame


@pytest.mark.parametrize("value, cli", [
    ("8080:80", "127.0.0.1:8080:80"),          # the kit's default address: this machine only
    ("80", "127.0.0.1::80"),                    # any free host port
    ("127.0.0.1:8080:80", "127.0.0.1:8080:80"),
    ("127.0.0.1::80", "127.0.0.1::80"),
    ("5353:53/udp", "127.0.0.1:5353:53/udp"),
    ("[::1]:8080:80", "[::1]:8080:80"),
    ("0.0.0.0:8080:80", "0.0.0.0:8080:80"),
    (80, "127.0.0.1::80"),
])
def test_port_values_and_their_twin(value, cli):
    assert ports.parse_one(value).cli() == cli


@pytest.mark.parametrize("bad", ["", "http:80", "8080:", "70000:80", "8080:80/sctp", "1.2.3:80:80", "x:y:z:80",
                                 True, 3.5, {"80": "high"}])
def test_bad_port_values_are_refused_with_a_hint(bad):
    with pytest.raises(E.InvalidReference) as ei:
        ports.parse_ports(bad)
    assert "8080:80" in ei.value.hint


def test_port_forms_dict_list_and_bindings():
    specs = ports.parse_ports({80: 8080, "53/udp": ("127.0.0.1", 5353), 443: None})
    assert [s.cli() for s in specs] == ["127.0.0.1:8080:80", "127.0.0.1:5353:53/udp", "127.0.0.1::443"]
    assert ports.host_config(specs) == {"port_bindings": {"80/tcp": [("127.0.0.1", 8080)],
                                                          "53/udp": [("127.0.0.1", 5353)],
                                                          "443/tcp": [("127.0.0.1",)]}}
    assert ports.exposed(specs) == [(53, "udp"), 80, 443]
    assert ports.host_config([]) == {}
    with pytest.raises(E.InvalidReference, match="already given"):
        ports.parse_ports(["8080:80", "8080:81"])


def test_public_ports_need_the_teacher():
    public = ports.parse_ports(["0.0.0.0:8080:80"])
    with pytest.raises(E.GuardRefused) as ei:
        ports.check_public(public, Policy())
    assert ei.value.guard == "allow_public_ports" and "127.0.0.1:8080:80" in ei.value.hint
    ports.check_public(public, Policy(allow_public_ports=True))
    ports.check_public(ports.parse_ports("8080:80"), Policy())  # loopback: always fine


def test_published_ports_from_inspect_like_docker_port():
    inspect = {"NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}],
                                             "443/tcp": None, "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "5353"}]}}}
    found = ports.published(inspect)
    assert str(found) == "53/udp -> 127.0.0.1:5353\n80/tcp -> 127.0.0.1:8080"
    web = [p for p in found if p.container_port == 80][0]
    assert repr(web) == "127.0.0.1:8080" and web.url == "http://127.0.0.1:8080/" and web.proxy_path == "proxy/8080/"
    assert str(ports.published({})) == ""


def test_mounts_named_volumes_and_folders(tmp_path):
    m = parse_mounts(["data:/data", "./files:/srv:ro", "/abs/x:/x", "sub/dir:/y"], cwd=str(tmp_path))
    assert [(x.kind, x.source, x.target, x.mode) for x in m] == [
        ("volume", "data", "/data", "rw"), ("bind", str(tmp_path / "files"), "/srv", "ro"),
        ("bind", "/abs/x", "/x", "rw"), ("bind", str(tmp_path / "sub/dir"), "/y", "rw")]
    assert [x.cli() for x in m] == ["-v data:/data", '-v "$PWD"/files:/srv:ro', "-v /abs/x:/x", '-v "$PWD"/sub/dir:/y']
    assert m[1].bind == f"{tmp_path}/files:/srv:ro"
    assert parse_mounts({"/h": {"bind": "/c", "mode": "ro"}})[0].bind == "/h:/c:ro"
    assert parse_mounts(None) == []


@pytest.mark.parametrize("bad", ["data", "data:relative", "data:/x:rx", "bad name:/x", "", ":/x", 5, ["a:/b", None]])
def test_bad_mounts_are_refused(bad):
    with pytest.raises(E.InvalidReference):
        parse_mounts(bad)


def test_build_source_folder_or_dockerfile_text(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    assert build_source(str(tmp_path)) == (str(tmp_path), None)
    assert build_source("FROM alpine\nCMD [\"true\"]\n") == (None, "FROM alpine\nCMD [\"true\"]\n")
    with pytest.raises(E.InvalidReference, match="no FROM"):
        build_source("RUN echo\nCMD x\n")
    with pytest.raises(E.InvalidReference, match="does not exist"):
        build_source(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(E.InvalidReference, match="has no Dockerfile"):
        build_source(str(tmp_path / "empty"))


BUILD_OUTPUT = """Step 1/3 : FROM alpine
 ---> 39bb023a5c43
Step 2/3 : COPY hello.sh /hello.sh
 ---> Using cache
 ---> b2c86f9d6dcc
Step 3/3 : RUN chmod +x /hello.sh
 ---> Running in 916d0724ccb7
Removing intermediate container 916d0724ccb7
 ---> 5f6528ea30d1
Successfully built 5f6528ea30d1
"""


def test_build_result_knows_which_steps_were_cached():
    r = BuildResult("x:v1", "sha256:" + "5" * 64, BUILD_OUTPUT)
    assert r.steps == [("FROM alpine", True), ("COPY hello.sh /hello.sh", True), ("RUN chmod +x /hello.sh", False)]
    assert r.cached == ["FROM alpine", "COPY hello.sh /hello.sh"] and r.rebuilt == ["RUN chmod +x /hello.sh"]
    err = _build_error("x:v1", "The command '/bin/sh -c chmod +x /hello.sh' returned a non-zero code: 1", BUILD_OUTPUT)
    assert err.step == "RUN chmod +x /hello.sh" and "RUN step failed" in err.hint


def test_history_and_volume_tables():
    rows = [{"Id": "sha256:" + "a" * 64, "Created": 100, "CreatedBy": '/bin/sh -c #(nop)  CMD ["/hello.sh"]', "Size": 0},
            {"Id": "<missing>", "Created": 50, "CreatedBy": "/bin/sh -c chmod +x /hello.sh", "Size": 35}]
    df = history_frame(rows, now=160)
    assert list(df["IMAGE"]) == ["aaaaaaaaaaaa", "<missing>"]
    assert list(df["CREATED BY"]) == ['CMD ["/hello.sh"]', "RUN chmod +x /hello.sh"]
    assert list(df["SIZE (B)"]) == [0, 35] and df["CREATED"][0] == "About a minute ago"
    vols = volumes_frame([{"Driver": "local", "Name": "b"}, {"Driver": "local", "Name": "a"}])
    assert list(vols["VOLUME NAME"]) == ["a", "b"]


def test_port_in_use_is_translated_with_a_hint():
    import docker.errors
    import requests

    from dockerlab.engine.translate import translate_error

    resp = requests.Response()
    resp.status_code = 500
    exc = docker.errors.APIError("500 Server Error", response=resp, explanation=(
        "driver failed programming external connectivity on endpoint nb11-web (abc): "
        "Bind for 127.0.0.1:8080 failed: port is already allocated"))
    err = translate_error(exc, action="start nb11-web")
    assert isinstance(err, E.PortInUse) and err.port == "127.0.0.1:8080"
    assert "8081:80" in err.hint


def test_a_teacher_allows_public_ports_by_environment_or_file(tmp_path):
    from dockerlab import guards

    assert guards.load(env={}, files=[]).allow_public_ports is False
    assert guards.load(env={"DOCKERLAB_ALLOW_PUBLIC_PORTS": "1"}, files=[]).allow_public_ports is True
    f = tmp_path / "guards.toml"
    f.write_text("allow_public_ports = true\n")
    assert guards.load(env={}, files=[f]).allow_public_ports is True


def test_a_web_link_says_where_it_goes_in_its_own_text():
    from dockerlab.lab.web import WebLink
    from dockerlab.ports import Published

    link = WebLink(Published(80, "tcp", "127.0.0.1", 8080), prefix="/user/ann/")
    html = link._repr_html_()
    text = html.split("<a ", 1)[1].split("</a>")[0]
    assert "href='/user/ann/proxy/8080/'" in text and "Open the page through JupyterLab (/user/ann/proxy/8080/)" in text
    assert "http://127.0.0.1:8080/" not in text  # the link's words name where it goes, not another address
    assert "port 80, published on http://127.0.0.1:8080/" in html
