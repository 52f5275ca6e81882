"""Bad input, fuzzed with hypothesis, on the parsing the kit does itself.

For every input: either a valid result (checked to be usable) or a
DockerLabError with a hint; never another exception. Examples per test:
DOCKERLAB_FUZZ_EXAMPLES (default 200; the counts run are printed with -s).
"""
from __future__ import annotations

import math
import os
import string
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerlab import endpoints, guards, refs
from dockerlab.errors import DockerLabError

N = int(os.environ.get("DOCKERLAB_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=N, deadline=None, suppress_health_check=list(HealthCheck), database=None)
RAN: Counter = Counter()  # inputs tried, per parser
OUTCOME: Counter = Counter()  # (parser, "ok" | error class)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    total = sum(RAN.values())
    print(f"\nfuzz: {total} inputs: " + ", ".join(f"{k} {v}" for k, v in sorted(RAN.items())))
    print("fuzz outcomes: " + ", ".join(f"{k[0]}:{k[1]} {v}" for k, v in sorted(OUTCOME.items())))


def outcome(parser: str, fn, *args, **kw):
    """Run ``fn``; return its result, or None after checking the error is a DockerLabError with a hint."""
    RAN[parser] += 1
    try:
        got = fn(*args, **kw)
    except DockerLabError as e:
        OUTCOME[(parser, type(e).__name__)] += 1
        assert e.hint, f"{parser}({args!r}) gave {type(e).__name__} without a hint: {e}"
        assert e.what and str(e)
        return None
    OUTCOME[(parser, "ok")] += 1
    return got


# --- strategies: junk, and near-misses of valid input ----------------------------------------------
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
ref_alphabet = string.ascii_letters + string.digits + "._-/:@ " + DASHES + "é\u00a0\t\n"
component = st.from_regex(r"[a-z0-9]{1,8}([._-]{1,2}[a-z0-9]{1,6}){0,2}", fullmatch=True)
near_ref = st.builds(
    lambda reg, path, tag, dig: (reg + "/" if reg else "") + "/".join(path) + (":" + tag if tag else "") + (dig or ""),
    st.sampled_from(["", "localhost", "localhost:5000", "127.0.0.1:5000", "docker.io", "ghcr.io", "Quay.IO",
                     "[::1]:5000", "my_registry", "UPPER"]),
    st.lists(component, min_size=1, max_size=3),
    st.one_of(st.just(""), st.from_regex(r"[\w][\w.-]{0,20}", fullmatch=True), st.text(max_size=10)),
    st.one_of(st.none(), st.just("@sha256:" + "a" * 64), st.just("@sha256:xyz"), st.text(max_size=5).map(lambda t: "@" + t)),
)
junk = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.binary(max_size=8), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@FUZZ
@given(st.one_of(st.text(alphabet=ref_alphabet, max_size=40), st.text(max_size=40), near_ref, junk))
def test_image_references(value):
    r = outcome("parse_image", refs.parse_image, value)
    if r is not None:
        # usable: its short and canonical forms parse back to the same image
        again = refs.parse_image(str(r))
        assert (again.registry, again.repository, again.digest) == (r.registry, r.repository, r.digest)
        assert again.tag == r.tag or r.digest
        assert refs.parse_image(r.canonical).repository == r.repository
        assert " " not in str(r) and not any(c in str(r) for c in DASHES)


@FUZZ
@given(st.one_of(st.text(alphabet=string.ascii_letters + string.digits + "_.-/ " + DASHES + "é", max_size=30),
                 st.text(max_size=30), junk))
def test_container_names(value):
    name = outcome("check_name", refs.check_name, value)
    if name is not None:
        assert len(name) >= 2 and not name.startswith("/")
        assert refs._NAME_RE.match(name)


@FUZZ
@given(st.one_of(st.text(alphabet=string.printable + DASHES + "\"'\\", max_size=40), st.text(max_size=40),
                 st.lists(st.one_of(st.text(max_size=8), st.integers(), st.none()), max_size=4), junk))
def test_commands(value):
    args = outcome("split_command", refs.split_command, value)
    if args is not None:
        assert isinstance(args, list) and all(isinstance(a, str) for a in args)


memory_text = st.builds(lambda n, u, s: f"{n}{u}{s}", st.one_of(st.integers(-5, 10**15), st.floats(0, 1e6)),
                        st.sampled_from(["", "b", "k", "m", "g", "t", "K", "M", "G", "mb", "MiB", "gib", "x", " m", "e3"]),
                        st.sampled_from(["", " ", "\n"]))


@FUZZ
@given(st.one_of(memory_text, st.text(max_size=12), st.integers(-10, 10**20), st.floats(allow_nan=True), junk))
def test_memory_limits(value):
    n = outcome("parse_memory", refs.parse_memory, value)
    if n is not None:
        assert isinstance(n, int) and 6 * 1024**2 <= n <= 2**63 - 1


@FUZZ
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10**6), st.text(max_size=10),
                 st.sampled_from(["0.5", "1", "nan", "inf", "-1", "1e-9", "2.0", " 1 ", "١"]), junk),
       st.one_of(st.none(), st.integers(1, 64)))
def test_cpu_limits(value, host_cpus):
    n = outcome("parse_cpus", refs.parse_cpus, value, host_cpus=host_cpus)
    if n is not None:
        assert isinstance(n, float) and math.isfinite(n) and 0.01 <= n and (not host_cpus or n <= host_cpus)
        assert int(n * 1e9) > 0  # usable as NanoCpus


@FUZZ
@given(st.one_of(st.integers(-10, 2**70), st.text(max_size=12), st.sampled_from(["64", "-1", "0", " 7 ", "١٢", "1_000"]),
                 junk))
def test_pids_limits(value):
    n = outcome("parse_pids", refs.parse_pids, value)
    if n is not None:
        assert isinstance(n, int) and (n == -1 or 1 <= n <= 2**63 - 1)


host_near = st.builds(lambda s, h, p, rest: f"{s}{h}{p}{rest}",
                      st.sampled_from(["", "unix://", "unix:", "tcp://", "ssh://", "http://", "https://", "npipe://",
                                       "fd://", "TCP://", "/", "//", "unix:///"]),
                      st.sampled_from(["", "localhost", "127.0.0.1", "[::1]", "[::1", "user@host", "docker.sock",
                                       "var/run/docker.sock", "exa mple", "é.com", "h:o:s:t"]),
                      st.sampled_from(["", ":2375", ":0", ":65536", ":-1", ":abc", ":", ":99999999999"]),
                      st.sampled_from(["", "/", "/path", "?x=1", "#f", " ", "\n"]))


@FUZZ
@given(st.one_of(host_near, st.text(max_size=40), st.text(alphabet=string.printable, max_size=30)))
def test_docker_host_values(value):
    url = outcome("parse_host", endpoints.parse_host, value)
    if url is not None:
        assert url.split("://", 1)[0] in ("unix", "tcp", "ssh")
        ep = endpoints.Endpoint(url, "DOCKER_HOST")
        assert ep.scheme in ("unix", "tcp", "ssh")
        # the probe classifies it without raising (no engine needed: nothing listens at fuzzed addresses
        # on port 1..., and unix paths do not exist); only cheap, local probes are tried
        if ep.scheme == "unix":
            assert endpoints.probe(ep, timeout=0.2).reason in ("ok", "no-socket", "refused", "permission-denied", "error")


guard_values = st.one_of(st.text(max_size=10), st.integers(-3, 10**12), st.floats(allow_nan=True), st.booleans(),
                         st.sampled_from(["none", "512m", "1.5", "true", "off", "-1"]))


@FUZZ
@given(st.sampled_from(["DOCKERLAB_DEFAULT_MEMORY", "DOCKERLAB_MAX_CPUS", "DOCKERLAB_MAX_PIDS", "DOCKERLAB_MAX_RUNNING",
                        "DOCKERLAB_ALLOW_PRIVILEGED", "DOCKERLAB_DEFAULT_PIDS"]), guard_values,
       st.one_of(st.none(), st.sampled_from(["64m", "4g", 100, 0.5])), st.one_of(st.none(), st.integers(-2, 10**5)))
def test_guard_settings_and_requests(var, value, memory, pids):
    def go():
        policy = guards.load(env={var: str(value)}, files=[])
        mem = refs.parse_memory(memory)
        return guards.apply(memory=mem, pids=refs.parse_pids(pids), policy=policy)

    lim = outcome("guards", go)
    if lim is not None:
        assert lim.memory is None or lim.memory >= 6 * 1024**2
        assert lim.pids is None or lim.pids >= 1


volume = st.one_of(st.text(alphabet="/:.abcdoker_-sv ", max_size=30),
                   st.builds(lambda a, b, m: f"{a}:{b}{m}", st.sampled_from(["/", "//", "/var/run/docker.sock", "/run/docker.sock",
                                                                            "/var/run/../run/docker.sock", "data", "/tmp/x",
                                                                            "/home/u/podman.sock", "", "/."]),
                             st.sampled_from(["/x", "/var/run/docker.sock", "", "rel"]), st.sampled_from(["", ":ro", ":rw", ":z:y"])))


@FUZZ
@given(st.booleans(), st.one_of(st.none(), st.sampled_from(["host", "none", "bridge", " host ", ""]), st.text(max_size=6), st.integers()),
       st.one_of(st.none(), st.sampled_from(["host", "container:x", ""]), st.text(max_size=6)),
       st.one_of(st.none(), volume, st.lists(volume, max_size=3), st.dictionaries(volume, st.one_of(
           st.fixed_dictionaries({"bind": st.text(max_size=8)}), st.text(max_size=3)), max_size=2), junk))
def test_dangerous_options(privileged, network, pid, volumes):
    from dockerlab import policy as pol

    launch = outcome("check_launch", pol.check_launch, privileged=privileged, network=network, pid=pid,
                     volumes=volumes, policy=guards.load(env={}, files=[]))
    hc = launch.host_config if launch is not None else None
    if hc is not None:
        assert not hc.get("privileged") and hc.get("network_mode") != "host" and hc.get("pid_mode") != "host"
        for b in hc.get("binds", []):
            src = b.split(":")[0]
            assert not (src.startswith("/") and (src.strip("/") in ("", ".") or src.endswith("docker.sock")))
            assert not src.startswith("/") or os.path.exists(src)  # the engine would create a missing one, as root
