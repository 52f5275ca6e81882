"""The kit's image table on Docker 29's API (1.52, containerd image store): same columns, same meaning.

Docker 29's CLI prints IMAGE, ID, DISK USAGE, CONTENT SIZE, EXTRA; the API still sends Id, RepoTags,
Created and Size (VirtualSize is gone since API 1.44), so the kit's frame needs no other input.
"""
from __future__ import annotations

from dockerlab import frames

# one entry of GET /v1.52/images/json on Docker 29.0 with the containerd image store (the shape of the API docs)
DOCKER29_ALPINE = {
    "Id": "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",  # the index digest
    "ParentId": "", "RepoTags": ["alpine:latest"],
    "RepoDigests": ["alpine@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"],
    "Created": 1752677036, "Size": 12_776_546, "SharedSize": -1, "Labels": None, "Containers": -1,
    "Manifests": [{"ID": "sha256:" + "e" * 64, "Available": True, "Kind": "image",
                   "Size": {"Total": 12_776_546, "Content": 3_802_452}}],
    "Descriptor": {"mediaType": "application/vnd.oci.image.index.v1+json", "size": 9218,
                   "digest": "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"},
}


def test_images_frame_reads_docker29():
    df = frames.images_frame([DOCKER29_ALPINE], now=1752677036 + 3600)
    row = df.iloc[0]
    assert (row["REPOSITORY"], row["TAG"], row["IMAGE ID"]) == ("alpine", "latest", "4bcff63911fc")
    assert row["SIZE (MB)"] == 12.78 and row["CREATED"] == "About an hour ago"
