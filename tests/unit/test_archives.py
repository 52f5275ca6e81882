"""`docker save` archives of Docker 25+ (the OCI layout; under the containerd store, Docker v2
manifests and gzipped layers, as Docker 28.5 wrote the stand-ins') rewritten into the older layout
udocker loads."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

from dockerlab.engine import archives


def _add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _layer_tar(files: dict) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        for name, data in files.items():
            _add(t, name, data)
    return raw.getvalue()


def oci_archive(path, layers):
    """The shape of `docker save alpine:latest` on Docker 28.5 with the containerd store."""
    blobs = [gzip.compress(_layer_tar(files)) for files in layers]
    config = json.dumps({"os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    sha = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
    with tarfile.open(path, "w") as tar:
        for b in [config, *blobs]:
            _add(tar, f"blobs/sha256/{sha(b)}", b)
        _add(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        _add(tar, "index.json", json.dumps({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": "sha256:" + "4" * 64,
             "annotations": {"io.containerd.image.name": "docker.io/library/alpine:latest",
                             "org.opencontainers.image.ref.name": "latest"}}]}).encode())
        _add(tar, "manifest.json", json.dumps([{"Config": f"blobs/sha256/{sha(config)}", "RepoTags": ["alpine:latest"],
                                                "Layers": [f"blobs/sha256/{sha(b)}" for b in blobs]}]).encode())
    return config


def test_an_oci_layout_archive_is_rewritten_with_the_same_layers_and_names(tmp_path):
    src = tmp_path / "alpine.tar"
    config = oci_archive(src, [{"bin/sh": b"busybox"}, {"etc/os-release": b"ID=alpine\n"}])
    assert archives.needs_rewrite(str(src))
    out = archives.legacy_copy(str(src), str(tmp_path))
    with tarfile.open(out) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert manifest[0]["RepoTags"] == ["alpine:latest"] and len(manifest[0]["Layers"]) == 2
        assert tar.extractfile(manifest[0]["Config"]).read() == config
        first, second = (name.split("/")[0] for name in manifest[0]["Layers"])
        assert json.load(tar.extractfile(f"{second}/json")) == {"id": second, "parent": first}
        assert "parent" not in json.load(tar.extractfile(f"{first}/json"))
        with tarfile.open(fileobj=tar.extractfile(f"{second}/layer.tar")) as layer:  # the tar itself, not gzip
            assert layer.extractfile("etc/os-release").read() == b"ID=alpine\n"
        assert json.load(tar.extractfile("repositories")) == {"alpine": {"latest": second}}
    assert not archives.needs_rewrite(out)  # the older layout is left as it is


def test_an_archive_in_the_older_layout_is_not_touched(tmp_path):
    path = tmp_path / "old.tar"
    with tarfile.open(path, "w") as tar:
        _add(tar, "manifest.json", json.dumps([{"Config": "c.json", "RepoTags": ["a:b"], "Layers": ["x/layer.tar"]}]).encode())
        _add(tar, "repositories", b"{}")
    assert not archives.needs_rewrite(str(path))
