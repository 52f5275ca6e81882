"""Right and wrong answers for every check, as learners write them: one table per check.

Each table is ``(call, rows)``: ``call(x, row_input)`` runs the check from ``x`` (a namespace holding the
exercise modules, so the same rows can be run against another version of the checkers), and every row
is ``(input, right)``. The engine's state a check reads comes from the stand-ins in checker_rows.py,
with the rows of lessons 04-07.
"""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from .checker_rows import (CPU_ROWS, DEFAULT_TAG_ROWS, DETACH_ROWS, EXIT_ROWS, FIX_ROWS, LIMITS_ROWS, MIRROR_ROWS, NAMED_ROWS,
                           PREDICT_CPU_ROWS, PS_ROWS, PULL_ROWS, SHELL_ROWS, STATES_ROWS, STOPPED_ROWS, Engine, Lab,
                           _limits, _named, _pull_call, _stopped, _terminal, container)
from .checker_rows_predict import (KEPT_PREDICT_ROWS, NO_PORT_ROWS, PULL_LAYERS_ROWS, REBUILT_ROWS, RM_ROWS,
                                   STILL_THERE_ROWS)

ALL = ("build", "ports", "volumes", "limits")


# --- nb08 ------------------------------------------------------------------------------------------
IMAGES = pd.DataFrame({"REPOSITORY": ["alpine", "busybox", "hello-world", "ubuntu"],
                       "TAG": ["latest", "latest", "latest", "latest"], "SIZE (MB)": [7.8, 4.3, 0.01, 78.1]})
LARGEST_ROWS = [((a, IMAGES), True) for a in [
    "ubuntu", "ubuntu:latest", " ubuntu", "ubuntu ", "docker.io/library/ubuntu", "library/ubuntu",
    "docker.io/ubuntu", "ubuntu\n", "docker.io/library/ubuntu:latest", "library/ubuntu:latest"]] + [
    (("alpine", IMAGES.assign(**{"SIZE (MB)": [80.0, 4.3, 0.01, 78.1]})), True),
    (("busybox", IMAGES.assign(**{"SIZE (MB)": [7.8, 90.0, 0.01, 78.1]})), True),
    (("ubuntu:24.04", IMAGES.assign(TAG=["latest", "latest", "latest", "24.04"])), True),
    (("ubuntu", IMAGES.assign(TAG=["latest", "latest", "latest", "24.04"])), True),
    (("hello-world", IMAGES.assign(**{"SIZE (MB)": [7.8, 4.3, 100.0, 78.1]})), True)] + [
    ((a, IMAGES), False) for a in [
    "alpine", "busybox", "hello-world", "debian", "ubuntu:24.04", "ubuntu:22.04", "Ubuntu", 78.1, ..., None,
    "ubuntu:noble", "ubunt", "docker.io/library/alpine", "127.0.0.1:5000/library/ubuntu"]] + [
    (("ubuntu", IMAGES.iloc[0:0]), False)]


def _tag(x, images):
    return x.nb08.check_tag(Lab(Engine(images={k: {"Id": v, "RepoTags": [k]} for k, v in images.items()})))


B, A = "sha256:b", "sha256:a"
TAG_ROWS = [({"busybox:latest": B, "nb08-ex/busybox:v1": B, **extra}, True) for extra in [
    {}, {"alpine:latest": A}, {"nb08-ex/busybox:v2": A}, {"busybox:1.36": B}, {"other/busybox:v1": B},
    {"ubuntu:latest": "sha256:u"}, {"nb08/alpine:lesson": A}, {"hello-world:latest": "sha256:h"},
    {"nb08-ex/alpine:v1": A}, {"busybox:musl": "sha256:m"}, {"x:1": B}, {"nb08-ex/other:v1": B},
    {"a:1": A, "b:1": B}, {"nb08-ex/busybox:latest": B}, {"busybox:stable": B}]] + [
    ({"busybox:latest": B}, False), ({"busybox:latest": B, "nb08-ex/busybox:v1": A}, False),
    ({"busybox:latest": B, "nb08-ex/busybox:v2": B}, False), ({"nb08-ex/busybox:v1": A}, False), ({}, False),
    ({"busybox:latest": B, "nb08-ex/busybox:V1": B}, False), ({"busybox:latest": B, "nb08ex/busybox:v1": B}, False),
    ({"busybox:latest": B, "nb08-ex/busybox:latest": B}, False), ({"busybox:latest": B, "busybox:v1": B}, False),
    ({"busybox:latest": B, "nb08-ex/busybox:v1": "sha256:c"}, False), ({"alpine:latest": A}, False),
    ({"busybox:latest": B, "nb08-ex/busy:v1": B}, False), ({"busybox:latest": B, "nb08-ex/busybox:1": B}, False),
    ({"busybox:latest": B, "nb08-ex/busybox:v1.0": B}, False), ({"busybox:latest": B, "nb08/busybox:v1": B}, False)]

PREDICT_TAG_ROWS = [((g, m), True) for g, m in [(0, 0.0), (0.0, 0.0), (0.05, 0.0), (0, 0.01), (0.1, 0.0), (0, 0.05),
                                                  (0.02, 0.02), (-0.05, 0.0), (0.09, 0.0), (0, 0.1), (0.01, 0.0),
                                                  (0.0, 0.08), (0.03, 0.0), (0.06, 0.0), (0.04, 0.04)]] + [
    ((g, m), False) for g, m in [(2, 0.0), ("0", 0.0), (7.8, 0.0), (4.3, 0.0), (1, 0.0), (True, 0.0), (100, 0.0),
                                 (3.6, 0.0), (0.5, 0.0), (None, 0.0), (float("nan"), 0.0), (-1, 0.0), (8, 0.0),
                                 (0.2, 0.0), (5, 0.0)]]


# --- nb09 ------------------------------------------------------------------------------------------
TIMES = [0.30, 0.33, 0.345, 0.36, 1.2, 0.31, 0.5]   # median 0.345 s, mean 0.478
MEDIAN_ROWS = [((a, TIMES), True) for a in [345, 345.0, 346.5, 343.5, 344, 346, 345.2, 344.8, 343, 347, 345.9,
                                            344.1, 345.5, 348, 342]] + [
    ((a, TIMES), False) for a in [0.345, 478, 300, "345", ..., None, True, 3450, 34.5, 1200, 310, 0, -345, 360,
                                  float("nan")]] + [((345, []), False)]

K = "6.1.0-13-amd64"
KERNEL_ROWS = [((a, K), True) for a in [K, K + "\n", " " + K, K + " ", "\t" + K, K + "\r\n", "\n" + K + "\n",
                                        "  " + K + "  "]] + [
    ((a, a), True) for a in ["6.10.14-linuxkit", "5.15.153.1-microsoft-standard-WSL2", "6.8.0-45-generic",
                             "4.19.0-26-amd64", "6.5.0", "6.1.0-31-cloud-amd64", "6.6.32-linuxkit"]] + [
    ((a, K), False) for a in ["ubuntu 24.04", "5.15.0-1", "24.04", "Linux", "6.1.0", "6.1.0-13", ..., None,
                              "alpine", "6.1.0-13-AMD64", "Linux 6.1.0-13-amd64", "6.1.0-12-amd64", "#1 SMP", "x86_64",
                              "Debian 6.1.55-1"]]

# predict, then run: an idle sleep under --memory 1g; docker stats measured it at the second number (MiB)
PREDICT_USED_ROWS = [((g, m), True) for g, m in [(0.5, 0.45), (0.45, 0.45), (1, 0.45), (0, 0.45), (2, 0.45),
                                                   (0.3, 0.57), (1.5, 0.57), (0.6, 0.32), (2.4, 0.5), (0.1, 0.9),
                                                   (3, 1.2), (5, 4.0), (8, 6.0), (0.25, 0.25), (12, 10.0)]] + [
    ((g, m), False) for g, m in [(1024, 0.45), (1000, 0.45), (512, 0.45), ("0.5", 0.45), (None, 0.45), (True, 0.45),
                                 (float("nan"), 0.45), (-1, 0.45), (256, 0.45), (128, 0.45), (10, 0.45), (3, 0.45),
                                 (-0.5, 0.45), (1024.0, 0.6), (float("inf"), 0.45), (..., 0.45), (1, 10.0)]]

# --- nb10 ------------------------------------------------------------------------------------------
STEPS = [("FROM alpine", True), ("COPY hello.sh /usr/local/bin/hello", False),
         ("RUN chmod +x /usr/local/bin/hello", False), ('CMD ["hello"]', False)]
BUILD = SimpleNamespace(steps=STEPS, rebuilt=[s for s, hit in STEPS if not hit])
FIRST_ROWS = [((a, BUILD), True) for a in [
    "COPY hello.sh /usr/local/bin/hello", " COPY hello.sh /usr/local/bin/hello", "COPY hello.sh /usr/local/bin/hello ",
    "COPY  hello.sh  /usr/local/bin/hello", "COPY hello.sh\t/usr/local/bin/hello", "COPY hello.sh /usr/local/bin/hello\n",
    "\tCOPY hello.sh /usr/local/bin/hello", "COPY   hello.sh /usr/local/bin/hello", "COPY hello.sh   /usr/local/bin/hello",
    "  COPY hello.sh /usr/local/bin/hello  "]] + [
    ((a, SimpleNamespace(steps=s, rebuilt=[x for x, hit in s if not hit])), True) for a, s in [
        ("RUN chmod +x /usr/local/bin/hello", [STEPS[0], (STEPS[1][0], True), STEPS[2], STEPS[3]]),
        ('CMD ["hello"]', [STEPS[0], (STEPS[1][0], True), (STEPS[2][0], True), STEPS[3]]),
        ("RUN apk add curl", [("FROM alpine", True), ("RUN apk add curl", False)]),
        ("COPY . /app", [("FROM alpine", True), ("COPY . /app", False), ("RUN make", False)]),
        ("RUN make", [("FROM alpine", True), ("COPY . /app", True), ("RUN make", False)])]] + [
    ((a, BUILD), False) for a in [
    "FROM alpine", "RUN chmod +x /usr/local/bin/hello", 'CMD ["hello"]', "hello.sh", "COPY", 3, ..., None,
    "Step 2/4 : COPY hello.sh /usr/local/bin/hello", "copy hello.sh /usr/local/bin/hello", "RUN echo hi"]] + [
    (("COPY hello.sh /usr/local/bin/hello", None), False),
    (("COPY hello.sh /usr/local/bin/hello", SimpleNamespace(steps=[(s, True) for s, _ in STEPS], rebuilt=[])), False),
    (("COPY hello.sh /usr/local/bin/hello", SimpleNamespace(steps=[], rebuilt=[])), False),
    (("ADD hello.sh /usr/local/bin/hello", BUILD), False)]


def _build(x, row):
    images, runs, can, owner_label = row
    imgs = {k: {"Id": "sha256:s", "Config": {"Labels": ({"org.dockerlab.owner": "me"} if owner_label else {})}}
            for k in images}
    return x.nb10.check_build(Lab(Engine(images=imgs), can=can, runs=runs), "nb10-ex/shout:v1")


REF = "nb10-ex/shout:v1"
ALL = ("build", "ports", "volumes", "limits")
BUILD_ROWS = [(([REF], {REF: (out, 0)}, ALL, lab), True) for out in
              ("HELLO\n", "HELLO", "HELLO WORLD\n", ">> HELLO <<\n", "HELLO\r\n") for lab in (True, False)] + [
    (([REF, "alpine:latest"], {REF: ("HELLO\n", 0)}, ALL, False), True),
    (([REF, "nb10-ex/shout:v2"], {REF: ("HELLO\n", 0)}, ALL, False), True),
    (([REF], {REF: ("HELLO\n", 0)}, ("build",), False), True),
    (([REF], {REF: ("HELLO\nHELLO\n", 0)}, ALL, False), True),
    (([REF], {REF: ("say HELLO\n", 0)}, ALL, True), True)] + [
    (([], {}, ALL, False), False), (([REF], {REF: ("hello\n", 0)}, ALL, True), False),
    (([REF], {REF: ("", 0)}, ALL, True), False), (([REF], {}, ALL, True), False),
    (([REF], {REF: ("HELLO\n", 0)}, ("ports",), True), False), ((["nb10-ex/shout:v2"], {}, ALL, True), False),
    ((["nb10-ex/shout:latest"], {}, ALL, True), False), (([REF], {REF: ("Hello\n", 0)}, ALL, True), False),
    (([REF], {REF: ("HELO\n", 0)}, ALL, False), False), ((["shout:v1"], {}, ALL, True), False),
    (([REF], {REF: ("H E L L O\n", 0)}, ALL, True), False), (([REF], {REF: ("/bin/sh: hello: not found\n", 127)}, ALL, True), False),
    ((["nb10/shout:v1"], {}, ALL, False), False), (([REF], {REF: ("HELL\n", 0)}, ALL, False), False),
    (([REF], {REF: ("\n", 0)}, ALL, False), False)]


# --- nb11 ------------------------------------------------------------------------------------------
def _ports(host_port, ip="127.0.0.1", cport="80/tcp"):
    return {cport: [{"HostIp": ip, "HostPort": str(host_port)}]}


def _which(x, row):
    answer, ports = row
    lab = Lab(Engine(containers={"nb11-web2": container("nb11-web2", image="nginx", ports=ports)} if ports is not None else {}))
    return x.nb11.check_which_port(answer, lab)


WHICH_ROWS = [((a, _ports(8081)), True) for a in [8081, "8081", " 8081", "8081 ", "8081\n"]] + [
    ((a, _ports(p)), True) for a, p in [(8080, 8080), (32768, 32768), (49153, 49153), ("18080", 18080), (8888, 8888),
                                        (1024, 1024), (9000, 9000), (" 9000 ", 9000), (55555, 55555), (8090, 8090)]] + [
    ((a, _ports(8081)), False) for a in [80, 8080, "80", "port 8081", "8081/tcp", "127.0.0.1:8081", 8081.0, True,
                                         ..., None, -8081, 0, 65536, "eighty"]] + [
    ((8081, {}), False), ((8081, None), False)]


_SERVER = []


def page_port() -> int:
    """A page served on 127.0.0.1 (an ephemeral port, this process only): what the published port answers."""
    if not _SERVER:
        import http.server
        import threading

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the handler's name
                body = b"<html><head><title>Welcome to nginx!</title></head></html>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        _SERVER.append(server)
    return _SERVER[0].server_address[1]


def _publish(x, row):
    spec, can = row
    port = page_port()
    d = None
    if spec is not None:
        state, image, ports = spec
        ports = {k: None if v is None else [dict(b, HostPort=str(port) if b["HostPort"] == "P" else b["HostPort"])
                                            for b in v] for k, v in ports.items()}
        d = container("nb11-ex", state, image=image, ports=ports)
    return x.nb11.check_publish(Lab(Engine(containers={"nb11-ex": d} if d else {}), can=can), "nb11-ex", port)


P80 = {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "P"}]}
PUBLISH_ROWS = [((("running", image, dict(P80, **extra)), ALL), True) for image in ("nginx", "nginx:alpine", "httpd")
                for extra in ({}, {"443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18443"}]},
                              {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}]}, {"443/tcp": None},
                              {"81/tcp": []})] + [
    ((("running", "nginx", {"80/tcp": []}), ALL), False),
    ((("running", "nginx", _ports(8091)), ALL), False),
    ((("running", "nginx", {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "P"}]}), ALL), False),
    ((("exited", "nginx", P80), ALL), False), ((("created", "nginx", P80), ALL), False),
    ((None, ALL), False), ((("running", "nginx", P80), ("build",)), False),
    ((("paused", "nginx", P80), ALL), False), ((("running", "nginx", _ports(80)), ALL), False),
    ((("running", "nginx", _ports(8080)), ALL), False), ((("running", "nginx", {}), ALL), False),
    ((("running", "nginx", _ports(18090)), ALL), False),
    ((("running", "nginx", {"443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "P"}]}), ALL), False),
    ((("running", "nginx", _ports(809)), ALL), False), ((("restarting", "nginx", P80), ALL), False)]


# --- nb12 ------------------------------------------------------------------------------------------
def _kept(x, row):
    volumes, users, out, can = row
    eng = Engine(volumes={v: {} for v in volumes},
                 containers={u: container(u, "exited", volumes=["nb12-ex"]) for u in users})
    lab = Lab(eng, can=can, runs={"alpine": out} if out else {})
    return x.nb12.check_kept(lab)


KEPT_ROWS = [((["nb12-ex"], [], (o, 0), ALL), True) for o in ("42", "42\n", " 42 ", "42\r\n", "\n42\n")] + [
    ((["nb12-ex", v], [], ("42\n", 0), ALL), True) for v in ("other", "nb12-other", "data", "x", "y")] + [
    ((["nb12-ex"], [], ("42\n", 0), c), True) for c in (("volumes",), ("volumes", "build"), ("volumes", "ports"),
                                                        ("volumes", "limits"), ALL)] + [
    (([], [], None, ALL), False), ((["nb12-ex"], ["nb12-writer"], ("42\n", 0), ALL), False),
    ((["nb12-ex"], [], ("", 1), ALL), False), ((["nb12-ex"], [], ("41\n", 0), ALL), False),
    ((["nb12-ex"], [], ("42\n", 0), ("build",)), False), ((["other"], [], ("42\n", 0), ALL), False),
    ((["nb12-ex"], ["a", "b"], ("42\n", 0), ALL), False), ((["nb12-ex"], [], ("forty-two\n", 0), ALL), False),
    ((["nb12-ex"], [], ("4 2\n", 0), ALL), False), ((["nb12-ex"], [], ("420\n", 0), ALL), False),
    ((["nb12-ex"], [], ("cat: can't open '/data/answer.txt': No such file or directory\n", 1), ALL), False),
    ((["nb12-ex"], [], ("", 0), ALL), False), ((["nb12-ex"], [], ("42 42\n", 0), ALL), False),
    ((["nb12-ex"], [], ("0\n", 0), ALL), False), ((["nb12"], [], ("42\n", 0), ALL), False)]

SURVIVES_ROWS = [(a, True) for a in [
    {"volume", "bind"}, ["volume", "bind"], ("bind", "volume"), {"Volume", "Bind"}, {" volume ", "bind"},
    ["VOLUME", "BIND"], frozenset({"volume", "bind"}), ["bind", "volume"], ["volume", "bind", "volume"],
    {"volume ", " bind"}, ("Volume", "bind"), iter(["volume", "bind"]), {"volume\n", "bind"}, ["Bind", "Volume"],
    {"BIND", "volume"}]] + [(a, False) for a in [
    {"layer"}, {"volume"}, {"bind"}, {"layer", "volume", "bind"}, "volume", ..., None, {"volumes", "bind"},
    {"volume", "mount"}, set(), {"layer", "volume"}, 42, {"container"}, ["image"], {"tmpfs", "volume", "bind"}]]


# --- nb13 ------------------------------------------------------------------------------------------
OWN = "--filter label=org.dockerlab.owner=alice"
SAFE_RIGHT = [
    "docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner=me)",
    "docker rm -f $(docker ps -aqf label=org.dockerlab.owner=me)",
    "docker rm -f $(docker ps -a -q -f label=org.dockerlab.owner=alice)",
    "docker rm --force $(docker ps --all --quiet --filter label=org.dockerlab.owner=alice)",
    f"docker container rm -f $(docker container ls -aq {OWN})",
    f"sudo docker rm -f $(sudo docker ps -aq {OWN})",
    f"docker rm -f `docker ps -aq {OWN}`",
    f"docker ps -aq {OWN} | xargs docker rm -f",
    f"docker ps -aq {OWN} | xargs -r docker rm -f",
    'docker rm -f $(docker ps -aq --filter "label=org.dockerlab.owner=alice")',
    "docker rm -f $(docker ps -aq --filter 'label=org.dockerlab.owner=alice')",
    f"docker rm -fv $(docker ps -aq {OWN})",
    "docker rm -f $(docker ps -aq --filter=label=org.dockerlab.owner=alice)",
    "docker rm -f $(docker ps -qa --filter label=org.dockerlab.session=abc123)",
    f"docker rm -f $(docker ps -aq {OWN} --filter label=org.dockerlab.managed=true)",
    f"docker rm -f $(docker ps -aq --no-trunc {OWN})",
    "docker container remove -f $(docker ps -aq -f label=org.dockerlab.owner=alice)",
    "docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner=$USER)",
    f"docker stop $(docker ps -aq {OWN}) && docker rm $(docker ps -aq {OWN})",
    f"docker rm $(docker ps -aq {OWN}) -f",
    f"docker rm -f $(docker ps -a --format '{{{{.ID}}}}' {OWN})",
    f"$ docker rm -f $(docker ps -aq {OWN})",
]
SAFE_WRONG = [
    "docker rm -f $(docker ps -aq)", f"docker rm -f $(docker ps -q {OWN})", f"docker rm -f $(docker ps -a {OWN})",
    f"docker rm $(docker ps -aq {OWN})",
    "docker rm -f $(docker ps -aq --filter status=exited --filter label=org.dockerlab.owner=me)",
    "docker rm -f $(docker ps -alq --filter label=org.dockerlab.owner=me)",
    "docker rm -f $(docker ps -aq -n 3 --filter label=org.dockerlab.owner=me)",
    "docker rm -f $(docker ps -aq --filter label=org.dockerlab.managed=true)",
    "docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner)",
    "docker rm -f $(docker ps -aq --filter name=nb13)", "docker rm -f $(docker ps -aq --filter label=owner=me)",
    "docker rm -f $(docker images -q)", f"docker rmi -f $(docker ps -aq {OWN})", f"docker kill $(docker ps -q {OWN})",
    f"docker container prune -f {OWN}", f"docker rm -f $(docker ps -aq {OWN}",
    "docker rm -f $(docker ps -aq --filter label!=org.dockerlab.owner=me)",
    f"docker rm -f $(docker ps -aq {OWN}) $(docker ps -aq)", "docker rm -f nb13-ex-1",
    f"docker ps -aq {OWN} | docker rm -f", "docker system prune -af",
    "docker rm -f $(docker ps -aq --filter label=org.dockerlab.owner=me --filter label=org.dockerlab.owner=bob)",
    f"docker ps -aq {OWN} | xargs docker rm", f"docker rm -f $(docker ps -aq {OWN} --filter status=running)",
    f"docker rm -f $(docker ps -aq {OWN} --filter name=nb13)", f"docker stop $(docker ps -aq {OWN})",
    ..., "", 42, f"docker rm -f $(docker ps -aqx {OWN})",
]
SAFE_ROWS = [(a, True) for a in SAFE_RIGHT] + [(a, False) for a in SAFE_WRONG]


def _prune(x, names):
    eng = Engine(containers={n: container(n, s) for n, s in names.items()})
    return x.nb13.check_prune(Lab(eng))


PRUNE_ROWS = [({"nb13-ex-keep": "running", **extra}, True) for extra in [
    {}, {"other": "exited"}, {"nb13-ex-3": "exited"}, {"web": "running"}, {"a": "created"}, {"b": "paused"},
    {"nb13-ex-10": "exited"}, {"x": "running", "y": "exited"}, {"nb12-ex": "exited"}, {"nb13-ex-1x": "exited"},
    {"c": "dead"}, {"d": "restarting"}, {"nb13-ex": "exited"}, {"ex-1": "exited"}, {"nb13-ex-keep2": "exited"}]] + [
    (n, False) for n in [
    {"nb13-ex-keep": "running", "nb13-ex-1": "exited", "nb13-ex-2": "exited"},
    {"nb13-ex-keep": "running", "nb13-ex-1": "exited"}, {"nb13-ex-keep": "running", "nb13-ex-2": "exited"},
    {}, {"nb13-ex-keep": "exited"}, {"nb13-ex-keep": "paused"}, {"nb13-ex-keep": "created"},
    {"nb13-ex-1": "exited"}, {"nb13-ex-2": "exited", "nb13-ex-keep": "exited"}, {"other": "running"},
    {"nb13-ex-keep": "running", "nb13-ex-1": "running"}, {"nb13-ex-keep": "dead"},
    {"nb13-ex-keep": "restarting", "nb13-ex-1": "exited"}, {"nb13-ex-keep": "exited", "nb13-ex-1": "exited"},
    {"nb13-ex-keep": "running", "nb13-ex-2": "created"}]]


def _which_call(name):
    return lambda x, row: getattr(getattr(x, name.split(".")[0]), name.split(".")[1])(*row)


def _one(name):
    return lambda x, a: getattr(getattr(x, name.split(".")[0]), name.split(".")[1])(a)


def _compare(name):
    """A predict question's compare: ``(prediction, what the engine did)`` in, its ok out."""
    return lambda x, row: getattr(getattr(x, name.split(".")[0]), name.split(".")[1])(*row)[0]


#: check -> (how to call it, rows)
TABLES = {
    "nb04.check_pull": (_pull_call, PULL_ROWS),
    "nb04.check_default_tag": (_one("nb04.check_default_tag"), DEFAULT_TAG_ROWS),
    "nb04.check_mirror": (lambda x, r: x.nb04.check_mirror(r[0], Lab(Engine(mirrors=r[1]))), MIRROR_ROWS),
    "nb04.compare_pull_layers": (_compare("nb04.compare_pull_layers"), PULL_LAYERS_ROWS),
    "nb05.check_alpine_shell": (_one("nb05.check_alpine_shell"), SHELL_ROWS),
    "nb05.check_fixed_command": (_one("nb05.check_fixed_command"), FIX_ROWS),
    "nb05.check_named_shell": (_named, NAMED_ROWS),
    "nb05.check_terminal_exit": (_terminal("check_terminal_exit"), EXIT_ROWS),
    "nb05.check_terminal_detach": (_terminal("check_terminal_detach"), DETACH_ROWS),
    "nb06.check_ps_all": (_one("nb06.check_ps_all"), PS_ROWS),
    "nb06.check_stopped": (_stopped, STOPPED_ROWS),
    "nb06.check_states": (_one("nb06.check_states"), STATES_ROWS),
    "nb07.check_cpu_percent": (_one("nb07.check_cpu_percent"), CPU_ROWS),
    "nb07.check_limits": (_limits, LIMITS_ROWS),
    "nb07.compare_cpu": (lambda x, r: x.nb07.compare_cpu(*r)[0], PREDICT_CPU_ROWS),
    "nb08.check_largest": (_which_call("nb08.check_largest"), LARGEST_ROWS),
    "nb08.check_tag": (_tag, TAG_ROWS),
    "nb08.compare_tag_mb": (lambda x, r: x.nb08.compare_tag_mb(*r)[0], PREDICT_TAG_ROWS),
    "nb09.check_median_ms": (_which_call("nb09.check_median_ms"), MEDIAN_ROWS),
    "nb09.check_kernel": (lambda x, r: x.nb09.check_kernel(r[0], engine_release=r[1]), KERNEL_ROWS),
    "nb09.compare_used_mib": (lambda x, r: x.nb09.compare_used_mib(*r)[0], PREDICT_USED_ROWS),
    "nb10.check_first_rebuilt": (_which_call("nb10.check_first_rebuilt"), FIRST_ROWS),
    "nb10.check_build": (_build, BUILD_ROWS),
    "nb10.compare_rebuilt": (_compare("nb10.compare_rebuilt"), REBUILT_ROWS),
    "nb11.check_which_port": (_which, WHICH_ROWS),
    "nb11.check_publish": (_publish, PUBLISH_ROWS),
    "nb11.compare_no_port": (_compare("nb11.compare_no_port"), NO_PORT_ROWS),
    "nb12.check_kept": (_kept, KEPT_ROWS),
    "nb12.check_survives": (_one("nb12.check_survives"), SURVIVES_ROWS),
    "nb12.compare_kept": (_compare("nb12.compare_kept"), KEPT_PREDICT_ROWS),
    "nb13.compare_rm": (_compare("nb13.compare_rm"), RM_ROWS),
    "nb13.check_safe_command": (_one("nb13.check_safe_command"), SAFE_ROWS),
    "nb13.check_prune": (_prune, PRUNE_ROWS),
    "nb15.compare_rm": (_compare("nb15.compare_rm"), STILL_THERE_ROWS),
}


def outcome(check: str, x, row_input) -> bool:
    """Whether the check said right (a Verdict's ok, or a compare's bool); an exception counts as 'wrong'."""
    call, _ = TABLES[check]
    try:
        got = call(x, row_input)
    except Exception:  # noqa: BLE001 - an old checker that raises has not judged
        return None
    return bool(getattr(got, "ok", got))
