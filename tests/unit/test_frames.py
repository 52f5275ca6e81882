"""Frames shaped like the CLI's tables, from canned Engine API JSON."""
from dockerlab import frames, stats

NOW = 1_800_000_000.0


def test_human_duration_matches_go_units():
    cases = {0.5: "Less than a second", 1: "1 second", 59: "59 seconds", 60: "About a minute",
             119: "About a minute", 120: "2 minutes", 3599: "59 minutes", 3600: "About an hour",
             7200: "2 hours", 47 * 3600: "47 hours", 48 * 3600: "2 days", 15 * 86400: "2 weeks",
             61 * 86400: "2 months", 800 * 86400: "2 years"}
    for seconds, text in cases.items():
        assert frames.human_duration(seconds) == text, seconds


def test_ps_frame_columns_and_sorting():
    containers = [
        {"Id": "b" * 64, "Names": ["/web"], "Image": "alpine", "Command": "sleep 300", "Created": NOW - 120,
         "Status": "Up 2 minutes", "State": "running", "Ports": [{"PrivatePort": 80, "Type": "tcp"}]},
        {"Id": "a" * 64, "Names": ["/api"], "Image": "ubuntu", "Command": "/bin/bash", "Created": NOW - 5,
         "Status": "Exited (0) 1 second ago", "State": "exited", "Ports": []},
    ]
    df = frames.ps_frame(containers, now=NOW)
    assert list(df.columns) == frames.PS_COLUMNS + ["STATE"]
    assert list(df["NAMES"]) == ["api", "web"]
    web = df.iloc[1]
    assert web["CONTAINER ID"] == "b" * 12
    assert web["COMMAND"] == '"sleep 300"'
    assert web["CREATED"] == "2 minutes ago"
    assert web["PORTS"] == "80/tcp"


def test_ps_frame_empty_has_columns():
    df = frames.ps_frame([])
    assert df.empty and list(df.columns)[:7] == frames.PS_COLUMNS


def test_images_frame_splits_tags_and_handles_dangling_and_registry_ports():
    images = [
        {"Id": "sha256:" + "c" * 64, "RepoTags": ["ubuntu:latest", "ubuntu:24.04"], "Created": NOW - 3600,
         "Size": 78_000_000},
        {"Id": "sha256:" + "d" * 64, "RepoTags": None, "Created": NOW, "Size": 5},
        {"Id": "sha256:" + "e" * 64, "RepoTags": ["127.0.0.1:5000/library/alpine:3.20"], "Created": NOW,
         "Size": 1_980_000},
    ]
    df = frames.images_frame(images, now=NOW)
    assert list(df["REPOSITORY"]) == ["127.0.0.1:5000/library/alpine", "<none>", "ubuntu", "ubuntu"]
    assert list(df["TAG"]) == ["3.20", "<none>", "24.04", "latest"]
    assert df.iloc[2]["IMAGE ID"] == "c" * 12
    assert df.iloc[2]["SIZE"] == "78MB" and df.iloc[2]["SIZE (MB)"] == 78.0
    assert df.iloc[2]["CREATED"] == "About an hour ago"


def test_stats_frame_numbers_are_numbers():
    rows = [stats.StatsRow("b" * 12, "web", 12.345, 2**20, 2**30, 0.1, 1, 2, 3, 4, 5),
            stats.StatsRow("a" * 12, "api", 0.0, 0, 2**30, 0.0, 0, 0, 0, 0, 1)]
    df = frames.stats_frame(rows)
    assert list(df["NAME"]) == ["api", "web"]
    assert df.iloc[1]["CPU %"] == 12.35
    assert df.iloc[1]["MEM USAGE (MiB)"] == 1.0
    assert df["PIDS"].dtype.kind == "i"
