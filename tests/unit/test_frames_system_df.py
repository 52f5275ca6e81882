"""`docker system df` from canned /system/df JSON: the docker CLI's arithmetic
(cli/command/formatter/disk_usage.go), checked against what the CLI printed for
the same engine state."""
from __future__ import annotations

from dockerlab.frames import DF_COLUMNS, _human_size, system_df_frame

# An engine with 4 images (alpine used by 3 containers, 2 of them running) and one volume in use.
DF = {
    "LayersSize": 10277110,
    "Images": [
        {"Id": "sha256:a", "RepoTags": ["alpine:latest"], "Size": 1984397, "SharedSize": 0, "Containers": 3},
        {"Id": "sha256:b", "RepoTags": ["busybox:latest"], "Size": 1984360, "SharedSize": 0, "Containers": 0},
        {"Id": "sha256:h", "RepoTags": ["hello-world:latest"], "Size": 1983306, "SharedSize": 0, "Containers": 0},
        {"Id": "sha256:u", "RepoTags": ["ubuntu:latest"], "Size": 4325047, "SharedSize": 0, "Containers": 0},
    ],
    "Containers": [
        {"Id": "1", "State": "running", "SizeRw": 1000000},
        {"Id": "2", "State": "paused", "SizeRw": 2000000},
        {"Id": "3", "State": "exited", "SizeRw": 4000000},
    ],
    "Volumes": [{"Name": "v1", "UsageData": {"Size": 5000, "RefCount": 1}},
                {"Name": "v2", "UsageData": {"Size": 7000, "RefCount": 0}},
                {"Name": "v3", "UsageData": {"Size": -1, "RefCount": 0}}],
    "BuildCache": [{"ID": "x", "Size": 3000, "InUse": False, "Shared": False},
                   {"ID": "y", "Size": 1000, "InUse": True, "Shared": False},
                   {"ID": "z", "Size": 9000, "InUse": False, "Shared": True}],
}


def test_columns_and_rows():
    df = system_df_frame(DF)
    assert list(df.columns) == DF_COLUMNS + ["SIZE (B)", "RECLAIMABLE (B)"]
    assert list(df["TYPE"]) == ["Images", "Containers", "Local Volumes", "Build Cache"]


def test_images_row_matches_the_cli():
    row = system_df_frame(DF).iloc[0]
    # the CLI printed, for the same state: Images 4 1 10.28MB 8.293MB (80%)
    assert (row["TOTAL"], row["ACTIVE"], row["SIZE"], row["RECLAIMABLE"]) == (4, 1, "10.28MB", "8.293MB (80%)")
    assert row["RECLAIMABLE (B)"] == 10277110 - 1984397


def test_containers_volumes_and_cache():
    df = system_df_frame(DF).set_index("TYPE")
    c = df.loc["Containers"]
    assert (c["TOTAL"], c["ACTIVE"], c["SIZE (B)"], c["RECLAIMABLE (B)"]) == (3, 2, 7000000, 4000000)
    assert c["RECLAIMABLE"] == "4MB (57%)"
    v = df.loc["Local Volumes"]
    assert (v["TOTAL"], v["ACTIVE"], v["SIZE (B)"], v["RECLAIMABLE (B)"]) == (3, 1, 12000, 7000)
    b = df.loc["Build Cache"]
    assert (b["TOTAL"], b["ACTIVE"], b["SIZE (B)"], b["RECLAIMABLE (B)"]) == (3, 1, 4000, 3000)
    assert b["RECLAIMABLE"] == "3kB"  # the CLI shows no percentage for the build cache


def test_empty_engine():
    df = system_df_frame({"LayersSize": 0, "Images": [], "Containers": [], "Volumes": None, "BuildCache": None})
    assert list(df["TOTAL"]) == [0, 0, 0, 0]
    assert list(df["RECLAIMABLE"]) == ["0B"] * 4


def test_human_size_like_go_units():
    assert _human_size(0) == "0B"
    assert _human_size(999) == "999B"
    assert _human_size(10277110) == "10.28MB"
    assert _human_size(8292713) == "8.293MB"
    assert _human_size(1.5e9) == "1.5GB"
