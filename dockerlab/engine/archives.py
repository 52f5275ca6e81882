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


# --- reading an image's layers (lesson 15: what a later `RUN rm` does not remove) -------------------
def _layers(src: tarfile.TarFile):
    """(number from 1, the instruction that made it, its tar) for each layer of the archive's first image,
    oldest first: the layers of ``manifest.json`` (the older layout's ``<id>/layer.tar`` or the OCI
    layout's blobs, plain or gzipped), named by the config's history entries that are no empty layer."""
    entry = json.load(src.extractfile("manifest.json"))[0]
    config = json.load(src.extractfile(entry["Config"]))
    made_by = [h.get("created_by", "") for h in config.get("history") or [] if not h.get("empty_layer")]
    for i, blob in enumerate(entry.get("Layers") or []):
        with tarfile.open(fileobj=src.extractfile(blob), mode="r:*") as layer:
            yield i + 1, made_by[i] if i < len(made_by) else "", layer


def _name(member: tarfile.TarInfo) -> str:
    name = member.name[2:] if member.name.startswith("./") else member.name
    return name.strip("/")


def find_in_layers(path: str, wanted: str, *, limit: int = 4096) -> list[dict]:
    """What each layer of the image in the `docker save` archive at ``path`` does to the file ``wanted``:
    ``{"layer", "created_by", "state", "text"}``, state "written" (``text``: its first ``limit`` bytes),
    "deleted" (a whiteout: the file is hidden from the layers above, not taken out of the ones below)
    or "" (this layer leaves it alone)."""
    wanted = wanted.strip("/")
    whiteouts, here = set(), wanted
    while here:  # its own whiteout, a folder's above it, or an opaque folder above it
        folder, _, base = here.rpartition("/")
        whiteouts.add(f"{folder}/.wh.{base}".strip("/"))
        if here != wanted:
            whiteouts.add(f"{here}/.wh..wh..opq")
        here = folder
    rows = []
    with tarfile.open(path) as src:
        for n, made_by, layer in _layers(src):
            state, text = "", ""
            for m in layer:
                name = _name(m)
                if name == wanted and m.isfile():
                    state = "written"
                    text = layer.extractfile(m).read(limit).decode("utf-8", "replace")
                elif name in whiteouts and state != "written":
                    state = "deleted"
            rows.append({"layer": n, "created_by": made_by, "state": state, "text": text})
    return rows


def layers_holding(path: str, needle: bytes, *, chunk: int = 1 << 20) -> list[tuple[int, str, str]]:
    """(layer, the instruction that made it, file) for every file of every layer of the archive's image
    whose bytes hold ``needle``."""
    hits = []
    keep = max(len(needle) - 1, 0)
    with tarfile.open(path) as src:
        for n, made_by, layer in _layers(src):
            for m in layer:
                if not m.isfile():
                    continue
                f, tail = layer.extractfile(m), b""
                while True:
                    block = f.read(chunk)
                    if not block:
                        break
                    if needle in tail + block:
                        hits.append((n, made_by, _name(m)))
                        break
                    tail = (tail + block)[-keep:] if keep else b""
    return hits
