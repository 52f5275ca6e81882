"""`docker save` archives as udocker can load them.

Docker 25 and later write an OCI image layout (``oci-layout``, ``index.json``, ``blobs/sha256/...``)
with a Docker-style ``manifest.json`` beside it; under the containerd image store (Docker 29's
default) the index lists Docker v2 manifests and gzipped layers. udocker loads the older layout
(one folder per layer with ``json``, ``VERSION`` and ``layer.tar``, and ``repositories``) or an OCI
index of OCI manifests, so it refuses these ("load failed"). :func:`legacy_copy` rewrites such an
archive into the older layout, from its ``manifest.json``: the same layers, the same config, the
same names. An archive already in the older layout is left as it is.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import tempfile


def needs_rewrite(path: str) -> bool:
    """Is this an archive whose layers are blobs (the OCI layout), not ``<id>/layer.tar`` folders?"""
    with tarfile.open(path) as tar:
        names = set(tar.getnames())
        if "manifest.json" not in names or "oci-layout" not in names:
            return False
        manifest = json.load(tar.extractfile("manifest.json"))
    return any(not layer.endswith("/layer.tar") for entry in manifest for layer in entry.get("Layers") or [])


def _add(out: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    out.addfile(info, io.BytesIO(data))


def legacy_copy(path: str, dest_dir: str | None = None) -> str:
    """A copy of the archive at ``path`` in the older `docker save` layout; returns its path
    (the caller removes it)."""
    fd, dest = tempfile.mkstemp(suffix=".tar", dir=dest_dir)
    os.close(fd)
    repositories: dict = {}
    legacy_manifest = []
    with tarfile.open(path) as src, tarfile.open(dest, "w") as out:
        for entry in json.load(src.extractfile("manifest.json")):
            config = src.extractfile(entry["Config"]).read()
            config_name = hashlib.sha256(config).hexdigest() + ".json"
            _add(out, config_name, config)
            parent, layer_names = "", []
            for blob in entry.get("Layers") or []:
                data = src.extractfile(blob).read()
                if data[:2] == b"\x1f\x8b":  # a registry's gzipped layer: udocker wants the tar itself
                    data = gzip.decompress(data)
                # a v1 layer id, chained to its parent as `docker save` made them
                lid = hashlib.sha256((parent + hashlib.sha256(data).hexdigest()).encode()).hexdigest()
                _add(out, f"{lid}/VERSION", b"1.0")
                _add(out, f"{lid}/json", json.dumps({"id": lid, **({"parent": parent} if parent else {})}).encode())
                _add(out, f"{lid}/layer.tar", data)
                layer_names.append(f"{lid}/layer.tar")
                parent = lid
            tags = entry.get("RepoTags") or []
            for ref in tags:
                repo, _, tag = ref.rpartition(":")
                repositories.setdefault(repo, {})[tag] = parent
            legacy_manifest.append({"Config": config_name, "RepoTags": tags, "Layers": layer_names})
        _add(out, "manifest.json", json.dumps(legacy_manifest).encode())
        _add(out, "repositories", json.dumps(repositories).encode())
    return dest
