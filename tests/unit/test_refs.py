import pytest

from dockerlab import refs
from dockerlab.errors import InvalidReference


@pytest.mark.parametrize("ref,short,canonical", [
    ("alpine", "alpine:latest", "docker.io/library/alpine:latest"),
    ("ubuntu:24.04", "ubuntu:24.04", "docker.io/library/ubuntu:24.04"),
    ("library/alpine", "alpine:latest", "docker.io/library/alpine:latest"),
    ("docker.io/library/alpine:3.20", "alpine:3.20", "docker.io/library/alpine:3.20"),
    ("jupyter/base-notebook", "jupyter/base-notebook:latest", "docker.io/jupyter/base-notebook:latest"),
    ("127.0.0.1:5000/library/alpine", "127.0.0.1:5000/library/alpine:latest", "127.0.0.1:5000/library/alpine:latest"),
    ("localhost/x", "localhost/x:latest", "localhost/x:latest"),
    ("ghcr.io/a/b@sha256:" + "a" * 64, "ghcr.io/a/b@sha256:" + "a" * 64, "ghcr.io/a/b@sha256:" + "a" * 64),
])
def test_parse_image_valid(ref, short, canonical):
    parsed = refs.parse_image(ref)
    assert str(parsed) == short
    assert parsed.canonical == canonical


def test_default_tag_is_latest_and_remembered():
    assert refs.parse_image("alpine").tag_given is False
    assert refs.parse_image("alpine:latest").tag_given is True


def test_uppercase_repository_suggests_lowercase():
    with pytest.raises(InvalidReference) as e:
        refs.parse_image("Alpine")
    assert "invalid reference format" in str(e.value)
    assert "try 'alpine'" in e.value.hint


def test_en_dash_from_the_seed_is_explained():
    # the seed's `docker run –-name our_container ...` puts "–-name" where the image goes
    with pytest.raises(InvalidReference) as e:
        refs.parse_image("–-name")
    assert "en dash" in e.value.hint and "--name" in e.value.hint


@pytest.mark.parametrize("bad", ["", "  ", "alpine bash", "-it", "a:b:c", "UPPER/case", "alpine:"])
def test_parse_image_invalid(bad):
    with pytest.raises(InvalidReference) as e:
        refs.parse_image(bad)
    assert e.value.hint or e.value.what


def test_parse_image_rejects_non_text():
    with pytest.raises(InvalidReference):
        refs.parse_image(None)


def test_check_name():
    assert refs.check_name("our_container") == "our_container"
    assert refs.check_name("/web-1") == "web-1"
    for bad in ["a", "-x", "has space", "x/y", "–name"]:
        with pytest.raises(InvalidReference):
            refs.check_name(bad)


def test_split_command_like_a_shell_without_one():
    assert refs.split_command('sh -c "echo hi; ls"') == ["sh", "-c", "echo hi; ls"]
    assert refs.split_command(["echo", "a b"]) == ["echo", "a b"]
    assert refs.split_command(None) == []
    # `$(...)` and `;` stay words: nothing runs on the host
    assert refs.split_command("echo $(rm -rf /); ls") == ["echo", "$(rm", "-rf", "/);", "ls"]
    with pytest.raises(InvalidReference) as e:
        refs.split_command('echo "unclosed')
    assert "quote" in e.value.hint
    with pytest.raises(InvalidReference):
        refs.split_command(["echo", 3])


@pytest.mark.parametrize("value,expected", [("256m", 256 * 2**20), ("1g", 2**30), ("64MiB", 64 * 2**20),
                                            (7 * 2**20, 7 * 2**20), ("512M", 512 * 2**20), (None, None)])
def test_parse_memory(value, expected):
    assert refs.parse_memory(value) == expected


@pytest.mark.parametrize("bad", ["lots", "1x", "5m", True, [1]])
def test_parse_memory_invalid(bad):
    with pytest.raises(InvalidReference):
        refs.parse_memory(bad)


def test_parse_cpus_and_pids():
    assert refs.parse_cpus("0.5") == 0.5
    assert refs.parse_cpus(None) is None
    with pytest.raises(InvalidReference) as e:
        refs.parse_cpus(4, host_cpus=2)
    assert "2 CPUs" in str(e.value)
    for bad in [0, -1, "x", float("nan"), True]:
        with pytest.raises(InvalidReference):
            refs.parse_cpus(bad)
    assert refs.parse_pids(100) == 100 and refs.parse_pids(-1) == -1
    for bad in [0, -5, "x", 1.5, True]:
        with pytest.raises(InvalidReference):
            refs.parse_pids(bad)


def test_format_bytes_like_the_cli():
    assert refs.format_bytes(0) == "0B"
    assert refs.format_bytes(1536) == "1.5KiB"
    assert refs.format_bytes(1_980_000, binary=False) == "1.98MB"
    assert refs.format_bytes(5 * 2**30) == "5GiB"
