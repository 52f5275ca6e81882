"""The stand-ins for the engine, and the rows of lessons 04-07 (checker_tables.py has the rest and the index).

Every row is ``(input, right)``; ``x`` in a ``_call(x, row)`` is a namespace holding the exercise modules.
"""
from __future__ import annotations

from types import SimpleNamespace

from dockerlab import errors as E


# --- stand-ins for the engine -----------------------------------------------------------------
class Engine:
    def __init__(self, containers=None, images=None, mirrors=(), kernel="6.1.0-13-amd64", volumes=None):
        self.c = dict(containers or {})
        self.i = dict(images or {})
        self.mirrors = list(mirrors)
        self.kernel = kernel
        self.v = dict(volumes or {})

    def inspect_container(self, ref):
        if ref not in self.c:
            raise E.ContainerNotFound(f"No such container: {ref}", container=ref)
        return self.c[ref]

    def inspect_image(self, ref):
        ref = ref if ":" in ref.rsplit("/", 1)[-1] else ref + ":latest"
        if ref not in self.i:
            raise E.ImageNotFound(f"No such image: {ref}", image=ref)
        return self.i[ref]

    def images(self):
        return [{"Id": d["Id"], "RepoTags": [r]} for r, d in self.i.items()]

    def remove_image(self, ref):
        self.i.pop(ref if ":" in ref.rsplit("/", 1)[-1] else ref + ":latest", None)

    def info(self):
        return {"RegistryConfig": {"Mirrors": self.mirrors}, "KernelVersion": self.kernel}

    def inspect_volume(self, name):
        if name not in self.v:
            raise E.VolumeNotFound(f"No such volume: {name}", volume=name)
        return {"Name": name}

    def containers(self, all=False, filters=None):
        vol = (filters or {}).get("volume")
        return [{"Names": ["/" + n]} for n, d in self.c.items() if vol and vol in d.get("Volumes", ())]


class Lab:
    def __init__(self, engine=None, owner="me", can=("build", "ports", "volumes", "limits"), runs=None):
        self.engine = engine or Engine()
        self.owner = owner
        self._can = set(can)
        self.runs = runs or {}
        self.show_cli = True
        self.cleaned = ()

    def can(self, feature):
        return feature in self._can

    def container(self, ref):
        from dockerlab.lab import Container

        return Container.from_inspect(self.engine.inspect_container(ref))

    def remove(self, name, force=False):
        self.engine.c.pop(name, None)

    def run(self, image, command=None, **kw):
        out = self.runs.get(image)
        if out is None:
            raise E.ImageNotFound(f"No such image: {image}", image=image)
        return SimpleNamespace(output=out[0], exit_code=out[1])


def container(name, state="running", image="alpine", exit_code=0, nano_cpus=0, memory=0, cmd=None,
              tty=False, stdin=False, ports=None, volumes=()):
    return {"Id": "f" * 64, "Name": "/" + name, "Volumes": list(volumes),
            "Config": {"Image": image, "Cmd": cmd, "Tty": tty, "OpenStdin": stdin,
                       "Labels": {"org.dockerlab.managed": "true"}},
            "State": {"Status": state, "ExitCode": exit_code, "OOMKilled": False},
            "HostConfig": {"NanoCpus": nano_cpus, "Memory": memory},
            "NetworkSettings": {"Ports": ports or {}}}


# --- nb04 ------------------------------------------------------------------------------------------
MIRROR = ["http://127.0.0.1:5000/"]
MIRROR_ROWS = [
    (("http://127.0.0.1:5000", MIRROR), True), (("http://127.0.0.1:5000/", MIRROR), True),
    (("127.0.0.1:5000", MIRROR), True), (("127.0.0.1:5000/", MIRROR), True),
    (("  http://127.0.0.1:5000  ", MIRROR), True), (("HTTP://127.0.0.1:5000", MIRROR), True),
    (("http://10.0.2.2:5000", ["http://10.0.2.2:5000"]), True),
    (("https://mirror.gcr.io", ["https://mirror.gcr.io/"]), True),
    (("mirror.gcr.io", ["https://mirror.gcr.io"]), True),
    ((None, []), True), (("none", []), True), (("None", []), True),
    (("http://127.0.0.1:5000", ["http://a.example:1", "http://127.0.0.1:5000"]), True),
    (("http://localhost:5000", ["http://localhost:5000"]), True),
    (("http://127.0.0.1:5000", ["http://127.0.0.1:5000"]), True),
    (("http://[::1]:5000", ["http://[::1]:5000/"]), True),
    (("https://127.0.0.1:5000", MIRROR), False), (("127.0.0.1:5001", MIRROR), False),
    (("http://127.0.0.1", MIRROR), False), (("docker.io", MIRROR), False),
    (("https://registry-1.docker.io", MIRROR), False), ((5000, MIRROR), False), ((None, MIRROR), False),
    (("http://127.0.0.1:5000", []), False), (("ftp://127.0.0.1:5000", MIRROR), False),
    (("http://127.0.0.1:5000/library/alpine", MIRROR), False), (("http://127.0.0.1:5000:5000", MIRROR), False),
    ((["http://127.0.0.1:5000"], MIRROR), False), (("http://127.0.0.2:5000", MIRROR), False),
    (("https://mirror.gcr.io", MIRROR), False), (("http//127.0.0.1:5000", MIRROR), False),
    (("https://10.0.2.2:5000", ["http://10.0.2.2:5000"]), False), ((..., MIRROR), False),
]

DEFAULT_TAG_ROWS = [(a, True) for a in [
    "ubuntu:latest", " ubuntu:latest", "ubuntu:latest ", "docker.io/library/ubuntu:latest", "library/ubuntu:latest",
    "docker.io/ubuntu:latest", "index.docker.io/library/ubuntu:latest", "ubuntu:latest\n", "\tubuntu:latest",
    "docker.io/library/ubuntu:latest ", "library/ubuntu:latest ", " docker.io/ubuntu:latest",
    "  ubuntu:latest  ", "ubuntu:latest\t", "\nubuntu:latest"]] + [(a, False) for a in [
    "ubuntu", "ubuntu:24.04", "ubuntu:newest", "Ubuntu:latest", "ubuntu:LATEST", "alpine:latest", "latest",
    "ubuntu:", ":latest", "ubuntu latest", "ubuntu@latest", "docker pull ubuntu", 42, None, ..., "",
    "ubuntu:latest:latest", "debian:latest"]]


def _pulled(ref, id_="sha256:1"):
    return SimpleNamespace(ref=ref, id=id_, size=1)  # what lab.pull returns


def _pull_call(x, row):
    answer, have = row
    return x.nb04.check_pull(answer, Lab(Engine(images={k: {"Id": v} for k, v in have.items()})))


BUSY = {"busybox:latest": "sha256:1"}
PULL_ROWS = [((_pulled(r), BUSY), True) for r in [
    "busybox:latest", "busybox", "docker.io/library/busybox:latest", "library/busybox:latest",
    "docker.io/busybox:latest", "busybox:latest ", "docker.io/library/busybox", "library/busybox"]] + [
    ((_pulled("busybox:latest"), dict(BUSY, **{"alpine:latest": "sha256:2"})), True),
    ((_pulled("busybox"), dict(BUSY, **{"busybox:1.36": "sha256:3"})), True),
    ((_pulled("busybox:latest"), dict(BUSY, **{"ubuntu:latest": "sha256:4"})), True),
    ((_pulled("busybox:latest"), dict(BUSY, **{"nb08-ex/busybox:v1": "sha256:1"})), True),
    ((_pulled("busybox"), dict(BUSY, **{"hello-world:latest": "sha256:5"})), True),
    ((_pulled("docker.io/busybox"), BUSY), True), ((_pulled("busybox:latest"), dict(BUSY, **{"busybox:musl": "sha256:6"})), True),
] + [((_pulled(r), BUSY), False) for r in ["alpine:latest", "busybox:1.36", "busybox:musl", "bussybox:latest",
                                           "ubuntu", "quay.io/busybox:latest", "busybox@sha256:" + "a" * 64]] + [
    ((a, BUSY), False) for a in [..., None, "busybox", 42, "busybox:latest"]] + [
    ((_pulled("busybox:latest"), {}), False), ((_pulled("busybox:latest", "sha256:old"), {"busybox:latest": "sha256:9"}), False),
    ((_pulled("busybox:latest"), {"alpine:latest": "sha256:1"}), False)]


# --- nb05 ------------------------------------------------------------------------------------------
SHELL_ROWS = [(a, True) for a in ["/bin/sh", " /bin/sh", "/bin/sh ", "/bin/ash", "/bin/sh\n", "\t/bin/sh", "/bin//sh",
                                  "/bin/./sh", "//bin/sh", "/bin/../bin/sh", " /bin/ash ", "/bin/ash\n", "/bin//ash",
                                  "/./bin/sh", "/bin/sh\t"]] + [
    (a, False) for a in ["/bin/bash", "bash", "sh", "ash", "/usr/bin/bash", "/bin/zsh", "sh.exe", 1, None, ...,
                         "", "bin/sh", "/bin/dash", "/bin/fish", "/usr/bin/sh"]]

C = "our_container"
FIX_RIGHT = [
    f"docker run --name {C} -it ubuntu /bin/bash", f"docker run --name={C} -it ubuntu /bin/bash",
    f"docker run -it --name {C} ubuntu /bin/bash", f"docker run -i -t --name {C} ubuntu /bin/bash",
    f"docker run --interactive --tty --name {C} ubuntu /bin/bash", f"docker run --interactive -t --name {C} ubuntu /bin/bash",
    f"sudo docker run --name {C} -it ubuntu /bin/bash", f"sudo -E docker run --name {C} -it ubuntu /bin/bash",
    f"docker container run --name {C} -it ubuntu /bin/bash", f"docker run -ti --name {C} ubuntu /bin/bash",
    f"docker run --name '{C}' -it ubuntu /bin/bash", f'docker run --name "{C}" -it ubuntu "/bin/bash"',
    f"docker run --name {C} -it ubuntu:latest /bin/bash", f"docker run --name {C} -it docker.io/library/ubuntu /bin/bash",
    f"docker run -e TERM=xterm --name {C} -it ubuntu /bin/bash", f"docker run -it --name {C} ubuntu bash",
    f"docker -D run --name {C} -it ubuntu /bin/bash", f"docker run --name {C} -it -- ubuntu /bin/bash",
    f"docker run --name {C} -it -w /root ubuntu /bin/bash", f"docker run --name {C} --tty --interactive ubuntu /bin/bash",
    f"$ docker run --name {C} -it ubuntu /bin/bash", f"docker run -it --name {C} --memory=64m ubuntu /bin/bash",
]
FIX_WRONG = [
    f"docker run –-name {C} -it ubuntu /bin/bash", f"docker run —name {C} -it ubuntu /bin/bash",
    f"docker run -name {C} -it ubuntu /bin/bash", f"docker run --name {C} -itx ubuntu /bin/bash",
    f"docker run --name {C} ubuntu /bin/bash", f"docker run --name {C} -i ubuntu /bin/bash",
    f"docker run --name {C} -t ubuntu /bin/bash", f"docker run --name my_container -it ubuntu /bin/bash",
    "docker run -it ubuntu /bin/bash", f"docker run --name {C} -it alpine /bin/sh",
    f"docker run ubuntu --name {C} -it /bin/bash", f"docker run --name {C} -it Ubuntu /bin/bash",
    f"docker run --name -it {C} ubuntu /bin/bash", f"docker create --name {C} -it ubuntu /bin/bash",
    f"docker run --name {C} -it ubuntu /bin/bash'", f"docker run --name {C} -it -e ubuntu /bin/bash",
    f"docker run --name {C} --it ubuntu /bin/bash", f"docker rnu --name {C} -it ubuntu /bin/bash",
    f"docker run --interactive=false -t --name {C} ubuntu /bin/bash",
    f"docker run --name {C} --name other -it ubuntu /bin/bash", f"docker run --name {C} -itd ubuntu /bin/bash",
    ..., "", f"docker start -ai {C}",
]
FIX_ROWS = [(a, True) for a in FIX_RIGHT] + [(a, False) for a in FIX_WRONG]


def _named(x, d):
    lab = Lab(Engine(containers={"nb05-mine": d} if d else {}))
    return x.nb05.check_named_shell(lab, "nb05-mine")


def _shell(image="ubuntu", cmd=("/bin/bash",), tty=True, stdin=True, state="running"):
    return container("nb05-mine", state, image=image, cmd=list(cmd) if cmd else None, tty=tty, stdin=stdin)


NAMED_ROWS = [(_shell(image=i, cmd=c), True) for i in ("ubuntu", "ubuntu:latest", "ubuntu:24.04",
                                                        "docker.io/library/ubuntu")
              for c in (("/bin/bash",), ("bash",), ("/bin/bash", "-l"), ("bash", "--norc"))] + [
    (_shell(image="alpine"), False), (_shell(image="busybox"), False), (_shell(cmd=("/bin/sh",)), False),
    (_shell(cmd=None), False), (_shell(tty=False), False), (_shell(stdin=False), False),
    (_shell(tty=False, stdin=False), False), (_shell(state="exited"), False), (_shell(state="created"), False),
    (_shell(state="paused"), False), (None, False), (_shell(image="debian"), False),
    (_shell(cmd=("sleep", "600")), False), (_shell(image="ubuntu-like"), False), (_shell(cmd=("sh", "-c", "bash")), False)]


def _terminal(check):
    def call(x, d):
        lab = Lab(Engine(containers={"our_container": d} if d else {}))
        return getattr(x.nb05, check)(lab)
    return call


NEVER, ONCE = "0001-01-01T00:00:00Z", "2026-12-07T10:00:03.5Z"


def _ours(state="exited", image="ubuntu", cmd=("/bin/bash",), tty=True, stdin=True, code=0, finished=ONCE):
    d = container("our_container", state, image=image, exit_code=code, cmd=list(cmd) if cmd else None,
                  tty=tty, stdin=stdin)
    d["Config"]["Labels"] = {}  # made in the Terminal: no kit label
    d["State"]["FinishedAt"] = finished
    return d


_UBUNTUS = ("ubuntu", "ubuntu:latest", "ubuntu:24.04", "docker.io/library/ubuntu", "127.0.0.1:5000/library/ubuntu")
_BASHES = (("/bin/bash",), ("bash",), ("/bin/bash", "-l"))
#: step 1 (exit): stopped because bash ended, whatever its last exit code
EXIT_ROWS = [(_ours(image=i, cmd=c, code=k), True) for i in _UBUNTUS for c in _BASHES for k in (0, 130)][:16] + [
    (None, False), (_ours(state="running"), False), (_ours(state="running", finished=NEVER), False),
    (_ours(state="paused"), False), (_ours(state="created", finished=NEVER), False),
    (_ours(image="alpine", cmd=("/bin/sh",)), False), (_ours(image="alpine"), False), (_ours(cmd=("/bin/sh",)), False),
    (_ours(cmd=None), False), (_ours(tty=False), False), (_ours(stdin=False), False),
    (_ours(tty=False, stdin=False), False), (_ours(image="busybox"), False), (_ours(cmd=("sleep", "600")), False),
    (_ours(image="ubuntu-like"), False), (_ours(cmd=("sh", "-c", "bash")), False), (_ours(state="restarting"), False)]
#: step 2 (start -ai, then Ctrl-P Ctrl-Q): running, and stopped once before
DETACH_ROWS = [(_ours(state="running", image=i, cmd=c, code=k), True)
               for i in _UBUNTUS for c in _BASHES for k in (0, 130)][:16] + [
    (None, False), (_ours(state="exited"), False), (_ours(state="exited", code=137), False),
    (_ours(state="running", finished=NEVER), False), (_ours(state="running", finished=""), False),
    (_ours(state="paused"), False), (_ours(state="created", finished=NEVER), False),
    (_ours(state="running", image="alpine"), False), (_ours(state="running", cmd=("/bin/sh",)), False),
    (_ours(state="running", tty=False), False), (_ours(state="running", stdin=False), False),
    (_ours(state="running", cmd=None), False), (_ours(state="running", image="busybox"), False),
    (_ours(state="running", cmd=("sleep", "600")), False), (_ours(state="running", image="debian"), False),
    (_ours(state="running", tty=False, stdin=False), False)]


# --- nb06 ------------------------------------------------------------------------------------------
PS_RIGHT = [
    "docker ps -a", "docker ps --all", "sudo docker ps -a", "sudo -E docker ps -a", "docker container ls -a",
    "docker container ps -a", "docker container list --all", "docker ps -a --format 'table {{.ID}}'",
    'docker ps -a --format "{{.Names}}\\t{{.Status}}"', "docker ps -a --no-trunc", "docker ps -aq", "docker ps -qa",
    "docker ps -a -s", "docker -H unix:///var/run/docker.sock ps -a", "docker --context default ps -a",
    "docker ps --all=true", "docker ps -a=true", "$ docker ps -a", "docker ps --quiet --all",
    "DOCKER_HOST=unix:///run/docker.sock docker ps -a", "docker ps --format '{{.ID}}' -a", "docker ps -a -n -1",
]
PS_WRONG = [
    "docker ps", "docker ps - a", "docker ps -all", "docker ps -al", "docker ps -la", "docker ps -a -l",
    "docker ps -a -n 3", "docker ps -an3", "docker ps -a --filter status=exited", "docker ps -a -f name=web",
    "docker ps a", "docker ps -x", "docker ps --al", "docker ps —a", "docker ps -A", "docker images -a",
    "docker container ls", "docker ps --all=false", "docker list -a", "dokcer ps -a", "docker ps -a extra",
    "docker ps -a --format", "docker -a ps", "docker ps -a | head -3", "sudo docker ps", ..., "", 42,
    "docker ps -a'",
]
PS_ROWS = [(a, True) for a in PS_RIGHT] + [(a, False) for a in PS_WRONG]


def _stopped(x, d):
    return x.nb06.check_stopped(Lab(Engine(containers={"nb06-ex": d} if d else {})), "nb06-ex")


STOPPED_ROWS = [(container("nb06-ex", "exited", image=i, exit_code=c), True)
                for i in ("alpine", "alpine:latest", "alpine:3.20", "docker.io/library/alpine",
                          "127.0.0.1:5000/library/alpine", "docker.io/library/alpine:3.20", "library/alpine",
                          "alpine:edge") for c in (137, 143)] + [
    (container("nb06-ex", "exited", exit_code=0), False), (container("nb06-ex", "exited", exit_code=1), False),
    (container("nb06-ex", "exited", exit_code=2), False), (container("nb06-ex", "exited", exit_code=130), False),
    (container("nb06-ex", "running"), False), (container("nb06-ex", "paused"), False),
    (container("nb06-ex", "created"), False), (container("nb06-ex", "restarting"), False),
    (container("nb06-ex", "dead"), False), (None, False),
    (container("nb06-ex", "exited", image="busybox", exit_code=137), False),
    (container("nb06-ex", "exited", image="ubuntu", exit_code=143), False),
    (container("nb06-ex", "exited", image="alpine-like", exit_code=137), False),
    (container("nb06-ex", "exited", image="nb08/alpine:lesson", exit_code=137), False),
    (container("nb06-ex", "exited", exit_code=255), False)]

W = ["created", "running", "paused", "running", "exited"]
STATES_ROWS = [(a, True) for a in [
    W, tuple(W), [s.upper() for s in W], [s.title() for s in W], [f" {s} " for s in W], iter(W),
    ["Created", "RUNNING", "paused", "running", "exited"], [s + "\n" for s in W], list(map(str.capitalize, W)),
    ("created", "running", "paused", "running", "EXITED"), [s.center(10) for s in W],
    ["\tcreated", "running", "paused", "running", "exited"], ["created ", "running ", "paused", "running", "exited"],
    ["CREATED", "running", "PAUSED", "running", "exited"], ["created", "Running", "Paused", "Running", "Exited"]]] + [
    (a, False) for a in [
    ["created", "running", "paused", "running", "stopped"], ["created", "running", "exited"],
    ["running", "running", "paused", "running", "exited"], "created running paused running exited",
    ..., None, ["created", "running", "paused", "unpaused", "exited"], ["created", "started", "paused", "running", "exited"],
    ["created", "running", "frozen", "running", "exited"], ["new", "running", "paused", "running", "exited"],
    W + ["removed"], ["created", "running", "paused", "exited", "exited"], [], 5,
    ["created", "running", "paused", "running", "dead"]]]


# --- nb07 ------------------------------------------------------------------------------------------
CPU_ROWS = [(a, True) for a in [50, 50.0, 50.2, 49.8, 50.4, 49.6, 50.49, 49.51, 50.1, 49.9, 50.3, 49.7, 50.25,
                                 49.75, 50.0001]] + [
    (a, False) for a in [25, 0.5, 0.25, 100, "50", True, ..., None, 12.5, 200, 1, 0, -50, float("nan"), 51]]


def _limits(x, d):
    return x.nb07.check_limits(Lab(Engine(containers={"nb07-ex": d} if d else {})), "nb07-ex")


MIB = 2 ** 20
LIMITS_ROWS = [(container("nb07-ex", nano_cpus=250_000_000, memory=32 * MIB, image=i), True)
               for i in ("alpine", "alpine:latest", "busybox", "ubuntu", "alpine:3.20")] + [
    (dict(container("nb07-ex", memory=32 * MIB), HostConfig={"CpuQuota": q, "CpuPeriod": p, "Memory": 32 * MIB}), True)
    for q, p in ((25000, 100000), (50000, 200000), (12500, 50000), (250000, 1000000), (2500, 10000))] + [
    (container("nb07-ex", nano_cpus=250_000_000, memory=32 * MIB, cmd=c), True)
    for c in (["sleep", "600"], ["sleep", "infinity"], ["top"], ["sh", "-c", "sleep 600"], ["tail", "-f", "/dev/null"])] + [
    (None, False), (container("nb07-ex", memory=32 * MIB), False),
    (container("nb07-ex", nano_cpus=500_000_000, memory=32 * MIB), False),
    (container("nb07-ex", nano_cpus=250_000_000, memory=512 * MIB), False),
    (container("nb07-ex", nano_cpus=250_000_000), False),
    (container("nb07-ex", "exited", nano_cpus=250_000_000, memory=32 * MIB), False),
    (container("nb07-ex", "created", nano_cpus=250_000_000, memory=32 * MIB), False),
    (container("nb07-ex", nano_cpus=250_000_000, memory=32 * 10 ** 6), False),
    (container("nb07-ex", nano_cpus=1_000_000_000, memory=32 * MIB), False),
    (container("nb07-ex", nano_cpus=2_500_000_000, memory=32 * MIB), False),
    (container("nb07-ex", nano_cpus=250_000_000, memory=64 * MIB), False),
    (container("nb07-ex", nano_cpus=25_000_000, memory=32 * MIB), False),
    (container("nb07-ex", nano_cpus=250_000_000, memory=32 * 1024), False),
    (container("nb07-ex", "paused", nano_cpus=250_000_000, memory=32 * MIB), False),
    (container("nb07-ex", nano_cpus=250_000_000, memory=3 * MIB), False)]

# compare_cpu(guess, measured): the verdict states a tolerance of 3 points
PREDICT_CPU_ROWS = [((g, m), True) for g, m in [
    (25, 24.8), (25, 25.3), (25, 12.0), (24, 25.1), (26, 24.9), (13, 12.0), (22, 24.5), (28, 25.3), (25.0, 23.9),
    (23, 25.0), (27.5, 25.0), (25, 0.0), (20, 19.0), (25.3, 25.3), (24.5, 27.0)]] + [
    ((g, m), False) for g, m in [
    (33, 25.3), (12.5, 25.1), (100, 24.9), (50, 25.0), ("25", 25.0), (True, 25.0), (30, 25.0), (20, 25.3),
    (0, 25.0), (75, 25.0), (10, 25.0), (40, 25.2), (35, 26.0), (float("nan"), 25.0), (None, 25.0)]]
