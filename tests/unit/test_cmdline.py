"""The command reader: words as a POSIX shell splits them, docker commands as the CLI reads them."""
from __future__ import annotations

import pytest

from dockerlab import errors as E
from dockerlab.cmdline import one_docker_call, parse, read
from dockerlab.cmdline import meaning


def words(line):
    return [[w.text for w in c.words] for p in read(line).pipelines for c in p]


@pytest.mark.parametrize("line,want", [
    ("docker ps -a", [["docker", "ps", "-a"]]),
    ("docker ps -a --format 'table {{.ID}}'", [["docker", "ps", "-a", "--format", "table {{.ID}}"]]),
    ('docker ps --format "{{.Names}}\\t{{.ID}}"', [["docker", "ps", "--format", "{{.Names}}\\t{{.ID}}"]]),
    ("echo a\\ b 'c d' \"e f\"", [["echo", "a b", "c d", "e f"]]),
    ("echo ''", [["echo", ""]]),
    ("docker ps -a | head -3", [["docker", "ps", "-a"], ["head", "-3"]]),
    ("docker stop x && docker rm x; docker ps || true", [["docker", "stop", "x"], ["docker", "rm", "x"],
                                                      ["docker", "ps"], ["true"]]),
    ("docker ps -a 2>/dev/null >out.txt", [["docker", "ps", "-a"]]),
    ("docker ps -a # every container", [["docker", "ps", "-a"]]),
    ("docker ps \\\n  -a", [["docker", "ps", "-a"]]),
    ("DOCKER_HOST=unix:///x.sock docker ps", [["docker", "ps"]]),
    ("echo $USER ${HOME}", [["echo", "$USER", "$HOME"]]),
    ("docker rm -f $(docker ps -aq)", [["docker", "rm", "-f", "$(docker ps -aq)"]]),
    ("docker rm -f `docker ps -aq`", [["docker", "rm", "-f", "$(docker ps -aq)"]]),
    ('docker rm "$(docker ps -q)"', [["docker", "rm", "$(docker ps -q)"]]),
])
def test_words_as_a_shell_splits_them(line, want):
    assert words(line) == want


def test_substitutions_are_parsed_too_and_nest():
    script = read("docker rm -f $(docker ps -aq --filter \"label=a=$(whoami)\")")
    inner = script.pipelines[0][0].words[3].scripts[0]
    assert [w.text for w in inner.pipelines[0][0].words][:3] == ["docker", "ps", "-aq"]
    depths = [d for _, d in script.commands()]
    assert depths == [0, 1, 2]
    assert read("A=1 B=2 docker ps").pipelines[0][0].assignments == ["A=1", "B=2"]


@pytest.mark.parametrize("line,said", [
    ("docker ps 'a", "unexpected EOF while looking for matching `''"),
    ('docker ps "a', "unexpected EOF while looking for matching `\"'"),
    ("docker rm $(docker ps -q", "never closed"),
    ("docker rm `docker ps -q", "matching ``'"),
    ("docker ps |", "a `|` with no command after it"),
    ("| docker ps", "unexpected token `|'"),
    ("docker ps &&", "`&&` with no command after it"),
    ("docker ps >", "names no file"),
])
def test_what_the_shell_cannot_read(line, said):
    with pytest.raises(E.ShellSyntaxError) as e:
        read(line)
    assert said in e.value.said and e.value.hint


@pytest.mark.parametrize("line,path,options,args", [
    ("docker ps -a", ("container", "ls"), {"all": [True]}, []),
    ("docker container list --all", ("container", "ls"), {"all": [True]}, []),
    ("docker container ps -aq", ("container", "ls"), {"all": [True], "quiet": [True]}, []),
    ("docker ps -all", ("container", "ls"), {"all": [True], "latest": [True, True]}, []),
    ("docker ps -n3", ("container", "ls"), {"last": ["3"]}, []),
    ("docker ps -n=3 --last 4", ("container", "ls"), {"last": ["3", "4"]}, []),
    ("docker ps -aqf label=x=y", ("container", "ls"), {"all": [True], "quiet": [True], "filter": ["label=x=y"]}, []),
    ("docker ps --all=false", ("container", "ls"), {"all": [False]}, []),
    ("docker ps -a=true", ("container", "ls"), {"all": [True]}, []),
    ("sudo -E docker ps -a", ("container", "ls"), {"all": [True]}, []),
    ("sudo -u root -E docker ps", ("container", "ls"), {}, []),
    ("docker -H unix:///x.sock --context c -D ps", ("container", "ls"), {}, []),
    ("docker run -itd --name=web -e A=1 -p 127.0.0.1:8080:80 --memory=64m nginx", ("container", "run"),
     {"interactive": [True], "tty": [True], "detach": [True], "name": ["web"], "env": ["A=1"],
      "publish": ["127.0.0.1:8080:80"], "memory": ["64m"]}, ["nginx"]),
    ("docker run --rm alpine ls -la /", ("container", "run"), {"rm": [True]}, ["alpine", "ls", "-la", "/"]),
    ("docker run -- alpine", ("container", "run"), {}, ["alpine"]),
    ("docker rm x -f", ("container", "rm"), {"force": [True]}, ["x"]),
    ("docker container remove x", ("container", "rm"), {}, ["x"]),
    ("docker rmi alpine", ("image", "rm"), {}, ["alpine"]),
    ("docker image ls", ("image", "ls"), {}, []),
    ("docker images -q alpine", ("image", "ls"), {"quiet": [True]}, ["alpine"]),
    ("docker image prune -af", ("image", "prune"), {"all": [True], "force": [True]}, []),
    ("docker system prune --volumes -f", ("system", "prune"), {"volumes": [True], "force": [True]}, []),
    ("docker volume create data", ("volume", "create"), {}, ["data"]),
    ("docker exec -it web sh -c 'echo hi'", ("container", "exec"), {"interactive": [True], "tty": [True]},
     ["web", "sh", "-c", "echo hi"]),
    ("docker logs -n 5 -f web", ("container", "logs"), {"tail": ["5"], "follow": [True]}, ["web"]),
    ("docker stats --no-stream", ("container", "stats"), {"no-stream": [True]}, []),
    ("docker build -t me/app:v1 .", ("image", "build"), {"tag": ["me/app:v1"]}, ["."]),
    ("docker tag alpine me/alpine:v1", ("image", "tag"), {}, ["alpine", "me/alpine:v1"]),
    ("docker start -ai our_container", ("container", "start"), {"attach": [True], "interactive": [True]},
     ["our_container"]),
    ("docker info --format '{{.ServerVersion}}'", ("system", "info"), {"format": ["{{.ServerVersion}}"]}, []),
])
def test_the_clis_reading(line, path, options, args):
    call = one_docker_call(line)
    assert (call.path, call.options, call.arg_texts) == (path, options, args)


@pytest.mark.parametrize("line,said", [
    ("docker run --name x -itx ubuntu bash", "unknown shorthand flag: 'x' in -x"),
    ("docker run -name x ubuntu", "unknown shorthand flag: 'n' in -name"),
    ("docker ps --al", "unknown flag: --al"),
    ("docker run --name", "flag needs an argument: --name"),
    ("docker run alpine -e", None),  # after the image, -e is the container's: no refusal
    ("docker ps -f", "flag needs an argument: 'f' in -f"),
    ("docker ps - a", "docker: 'docker ps' accepts no arguments"),
    ("docker container ls x", "docker: 'docker container ls' accepts no arguments"),
    ("docker rm", "docker: 'docker rm' requires at least 1 argument"),
    ("docker tag alpine", "docker: 'docker tag' requires 2 arguments"),
    ("docker logs a b", "docker: 'docker logs' requires 1 argument"),
    ("docker run –-name x -it ubuntu bash", "docker: invalid reference format"),
    ("docker run Ubuntu", "docker: invalid reference format: repository name (library/Ubuntu) must be lowercase"),
    ("docker pull ubuntu:", "docker: invalid reference format"),
    ("docker ps --all=yes", 'invalid argument "yes" for "-a, --all" flag: strconv.ParseBool: parsing "yes": invalid syntax'),
    ("docker ps --no-trunc=yes", 'invalid argument "yes" for "--no-trunc" flag'),
    ("docker ps --filter status", 'invalid argument "status" for "-f, --filter" flag: bad format of filter'),
    ("docker lsit", "docker: unknown command: docker lsit"),
    ("docker container lsit", "docker: unknown command: docker container lsit"),
    ("docker", "docker: 'docker' requires a command"),
    ("docker ---all ps", "bad flag syntax: ---all"),
    ("docker -a ps", "unknown shorthand flag: 'a' in -a"),
])
def test_the_clis_refusals_in_its_words(line, said):
    if said is None:
        assert one_docker_call(line).arg_texts == ["alpine", "-e"]
        return
    with pytest.raises(E.CLIRefused) as e:
        one_docker_call(line)
    assert e.value.said.startswith(said), e.value.said
    assert e.value.hint


def test_not_docker_or_more_than_one_command():
    with pytest.raises(E.CommandLineError, match="start with docker"):
        one_docker_call("ps -a")
    with pytest.raises(E.CommandLineError, match="more than one command"):
        one_docker_call("docker ps -a | head")
    with pytest.raises(E.CommandLineError, match="no command"):
        one_docker_call("   ")


def test_what_a_listing_selects():
    ls = meaning.listing(parse(read("docker ps -aq --filter label=a=b -f label!=c --filter status=exited -n 2")
                               .pipelines[0][0]))
    assert (ls.all, ls.ids_only, ls.latest, ls.last) == (True, True, False, 2)
    assert [str(f) for f in ls.filters] == ["label=a=b", "label!=c", "status=exited"]
    assert meaning.listing(parse(read("docker ps --format '{{ .ID }}'").pipelines[0][0])).ids_only
    assert meaning.listing(parse(read("docker ps -n -1").pipelines[0][0])).last is None


def test_what_an_rm_is_given():
    calls = meaning.docker_calls(read("docker ps -aq | xargs -r docker rm -f"))
    src = meaning.source_of(calls[1][2], calls[0][2])
    assert len(src.listings) == 1 and src.listings[0].all and not src.names
    rm = meaning.docker_calls(read("docker rm -f web $(docker ps -q) $(cat ids)"))[0][2]
    src = meaning.source_of(rm)
    assert src.names == ["web"] and len(src.listings) == 1 and src.others == ["$(cat ids)"]
