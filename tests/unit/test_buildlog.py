"""A build's output read into steps, for both builders, on what real engines printed.

The BuildKit logs in data/buildkit/ are `docker buildx build --progress=plain` against Docker
Engine 28.5.2 (buildx 0.29.1, the containerd image store): ok.log is the second build of a
three-step Dockerfile (RUN and COPY cached), fail.log a RUN that exits 3, copy.log a COPY of a
file the context lacks, from.log a FROM image nobody has, multi.log a two-stage build."""
from pathlib import Path

import pytest

from dockerlab import buildlog
from dockerlab.lab.build import BuildResult
from dockerlab.engine.translate import build_failed as _build_error

DATA = Path(__file__).with_name("data") / "buildkit"


def log(name: str) -> str:
    return (DATA / f"{name}.log").read_text()


CLASSIC = """Step 1/3 : FROM alpine
 ---> 5af4e0ef0f12
Step 2/3 : RUN echo built > /hello
 ---> Using cache
 ---> 1f0c3a2b4d5e
Step 3/3 : CMD ["cat","/hello"]
 ---> Running in 0a1b2c3d4e5f
 ---> 6a7b8c9d0e1f
Successfully built 6a7b8c9d0e1f
"""


def test_which_builder_wrote_it():
    assert buildlog.builder_of(log("ok")) == "buildkit"
    assert buildlog.builder_of(CLASSIC) == "classic"
    assert buildlog.builder_of("") == "" and buildlog.builder_of("hello\n") == ""


def test_buildkit_steps_and_cache():
    assert buildlog.steps(log("ok")) == [("FROM alpine:latest", True), ("RUN echo built > /hello", True),
                                         ("COPY note.txt /note.txt", True)]
    # a first build: the RUN ran (its output is a line of its own), FROM counts as kept
    assert buildlog.steps(log("fail")) == [("FROM alpine:latest", True), ("RUN echo one", False),
                                           ("RUN exit 3", False)]


def test_classic_steps_and_cache():
    assert buildlog.steps(CLASSIC) == [("FROM alpine", True), ("RUN echo built > /hello", True),
                                       ('CMD ["cat","/hello"]', False)]


def test_multi_stage_steps_come_back_in_the_dockerfiles_order():
    # BuildKit printed the final stage's FROM first; the builder stage finishes before it
    assert [s for s, _ in buildlog.steps(log("multi"))] == [
        "FROM alpine:latest", "RUN echo made > /out", "FROM busybox:latest", "COPY --from=builder /out /out"]


@pytest.mark.parametrize("name, step, words", [
    ("fail", "RUN exit 3", "RUN step failed"),
    ("copy", "COPY missing.txt /m", "COPY takes files from the build context"),
    ("from", "", "the FROM image is not here"),
])
def test_buildkit_failures_name_the_step_and_the_fix(name, step, words):
    out = log(name)
    assert buildlog.failed_step(out) == step
    msg = [line for line in out.splitlines() if line.startswith("ERROR: ")][-1][len("ERROR: failed to build: "):]
    err = _build_error("x:v1", msg, out)
    assert words in err.hint, err.hint
    assert err.step == step
    assert (f"at step '{step}'" in str(err)) == bool(step)


def test_build_result_says_which_builder_ran():
    r = BuildResult("x:v1", "sha256:" + "1" * 64, log("ok"))
    assert r.builder == "buildkit" and r.rebuilt == [] and len(r.cached) == 3
    assert "builder='buildkit'" in repr(r)
    assert BuildResult("x:v1", "", CLASSIC).builder == "classic"


@pytest.mark.parametrize("created_by, shown", [
    ("/bin/sh -c #(nop)  CMD [\"hello\"]", 'CMD ["hello"]'),                      # classic
    ("/bin/sh -c chmod +x /usr/local/bin/hello", "RUN chmod +x /usr/local/bin/hello"),
    ("RUN /bin/sh -c chmod +x /usr/local/bin/hello # buildkit",                  # BuildKit (Docker 28.5)
     "RUN chmod +x /usr/local/bin/hello # buildkit"),
    ("|1 NAME=x /bin/sh -c echo $NAME", "RUN |1 NAME=x echo $NAME"),               # a RUN with a build ARG:
    ("RUN |2 A=1 B=2 /bin/sh -c echo $A # buildkit", "RUN |2 A=1 B=2 echo $A # buildkit"),  # shown, as the CLI does
    ("COPY hello.sh /usr/local/bin/hello # buildkit", "COPY hello.sh /usr/local/bin/hello # buildkit"),
    ('CMD ["hello"]', 'CMD ["hello"]'),
])
def test_history_shows_each_layer_as_its_dockerfile_line(created_by, shown):
    from dockerlab.lab.build import history_frame

    df = history_frame([{"Id": "<missing>", "Created": 0, "CreatedBy": created_by, "Size": 0}], now=0)
    assert df["CREATED BY"][0] == shown
