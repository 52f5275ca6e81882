"""An image made straight in a registry (blobs and a manifest over the registry's HTTP API), so
that no engine has its layers: a pull of it downloads every byte. Building and pushing from the
engine under test does not give that on the containerd image store, which keeps the layers'
content after `docker rmi` until its garbage collector runs (a pull then says "Already exists")."""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import urllib.request

MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def _layer(name: str, size: int) -> bytes:
    """A gzipped tar of one file of random bytes (random: its compressed size stays ``size``)."""
    import gzip

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, io.BytesIO(os.urandom(size)))
    return gzip.compress(raw.getvalue(), mtime=0), raw.getvalue()


def _upload(base: str, repo: str, blob: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    req = urllib.request.Request(f"{base}/v2/{repo}/blobs/uploads/", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=30) as resp:
        where = resp.headers["Location"]
    if where.startswith("/"):
        where = base + where
    sep = "&" if "?" in where else "?"
    req = urllib.request.Request(f"{where}{sep}digest={digest}", method="PUT", data=blob,
                                 headers={"Content-Type": "application/octet-stream"})
    urllib.request.urlopen(req, timeout=60).close()
    return digest


def push_random_image(registry: str, repo: str, tag: str, sizes=(2 * 2**20, 2**20)) -> str:
    """Make ``registry/repo:tag`` with one layer per size; returns the reference."""
    base = f"http://{registry}"
    layers, diff_ids = [], []
    for i, size in enumerate(sizes):
        gz, tar = _layer(f"layer{i}", size)
        layers.append({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(gz),
                       "digest": _upload(base, repo, gz)})
        diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    manifest = {"schemaVersion": 2, "mediaType": MANIFEST,
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                           "digest": _upload(base, repo, config)},
                "layers": layers}
    req = urllib.request.Request(f"{base}/v2/{repo}/manifests/{tag}", method="PUT",
                                 data=json.dumps(manifest).encode(), headers={"Content-Type": MANIFEST})
    urllib.request.urlopen(req, timeout=30).close()
    return f"{registry}/{repo}:{tag}"
