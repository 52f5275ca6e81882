"""Every lab method against the real engine, with its CLI twin and its errors."""
import subprocess
import time

import pytest

from dockerlab import errors as E
from dockerlab import labels


def names(df):
    return list(df["NAMES"])


def test_info_reports_the_engine(lab, capsys):
    info = lab.info()
    assert capsys.readouterr().out == "$ docker info\n"
    assert info["ServerVersion"] == lab.server_version
    text = repr(info)
    driver = "overlay2" if info.image_store == "classic" else "overlayfs\n  driver-type: io.containerd.snapshotter.v1"
    for field in ("Containers:", " Running:", "Images:", f"Storage Driver: {driver}", "Cgroup Version:", "CPUs:"):
        assert field in text
    assert "<table" in info._repr_html_()


def test_pull_shows_progress_like_the_cli(lab, capsys):
    img = lab.pull("busybox")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "$ docker pull busybox"
    assert out[1] == "Using default tag: latest"
    assert out[-1] == "docker.io/library/busybox:latest"
    assert any(line.startswith("Status: ") for line in out)
    assert img.id.startswith("sha256:") and img.size > 0


def test_pull_reports_progress_events_to_a_callback(lab, capsys):
    events = []
    lab.pull("busybox:latest", progress=events.append)
    assert events and any(e.status.startswith("Status:") for e in events)
    assert "Using default tag" not in capsys.readouterr().out  # a tag was given


def test_pull_unknown_image_offline(lab):
    # the classic image store asks Docker Hub after the mirror (offline here: a RegistryError);
    # containerd's store takes the mirror's "not found" (an ImageNotFound). Either way: the typo named.
    want = E.RegistryError if lab.info().image_store == "classic" else E.ImageNotFound
    with pytest.raises(want) as e:
        lab.pull("alpien")
    assert "did you mean 'alpine'" in e.value.hint


def test_run_foreground_returns_output_and_exit_code(lab, capsys):
    res = lab.run("alpine", "sh -c 'echo hello; exit 3'")
    # the twin is what a learner would type; the teacher's default limits, sent with every run, are
    # shown in the lab's first twin and said once; the kit's labels are said once per lab
    out = capsys.readouterr().out
    plan = lab.plan_run("alpine", "sh -c 'echo hello; exit 3'")
    assert plan.full_twin == ("docker run --memory 512m --memory-swap 512m --cpus 1 --pids-limit 256 "
                              "alpine sh -c 'echo hello; exit 3'")
    assert out.startswith("$ " + plan.full_twin + "\n(the kit adds the teacher's default limits to every container")
    assert "(the kit also labels every container it makes: " in out
    assert plan.twin == "docker run alpine sh -c 'echo hello; exit 3'"
    lab.run("alpine", "true", rm=True)  # the next run: as a learner would type it
    assert capsys.readouterr().out.startswith("$ docker run --rm alpine true\n")
    hc = lab.engine.inspect_container(res.container.id)["HostConfig"]
    assert (hc["Memory"], hc["NanoCpus"], hc["PidsLimit"]) == (512 * 2**20, 10**9, 256)
    assert f"--label org.dockerlab.lesson={lab.lesson}" in out
    assert res.output == "hello\n" and res.exit_code == 3
    assert repr(res) == "hello\n(exit code 3)"
    c = lab.container(res.container.id)
    assert c.labels[labels.MANAGED] == "true" and c.labels[labels.SESSION] == lab.session
    assert c.labels[labels.OWNER] == lab.owner and c.labels[labels.LESSON] == lab.lesson
    assert labels.SESSION_PID in c.labels and labels.SESSION_HOST in c.labels


def test_run_never_uses_a_host_shell(lab, tmp_path):
    marker = tmp_path / "pwned"
    res = lab.run("alpine", f"echo $(touch {marker})")
    assert not marker.exists()
    assert res.output.strip() == f"$(touch {marker})"


def test_run_detached_with_name_and_limits(lab, capsys):
    c = lab.run("alpine", "sleep 300", name="lab-web", detach=True, memory="64m", cpus=0.5, pids=50)
    assert capsys.readouterr().out.startswith("$ docker run -d --name lab-web --memory 64m --memory-swap 64m "
                                              "--cpus 0.5 --pids-limit 50 alpine sleep 300\n")
    assert (c.name, c.state) == ("lab-web", "running")
    hc = lab.engine.inspect_container("lab-web")["HostConfig"]
    assert (hc["Memory"], hc["NanoCpus"], hc["PidsLimit"]) == (64 * 2**20, 500_000_000, 50)


def test_run_interactive_keeps_the_shell_open_for_exec(lab):
    c = lab.run("alpine", "/bin/sh", name="lab-it", interactive=True, tty=True)
    assert c.state == "running"
    assert lab.history[-1] == ("docker run -d -it --name lab-it --memory 512m --memory-swap 512m --cpus 1 "
                               "--pids-limit 256 alpine /bin/sh")  # the lab's first run shows the defaults
    assert lab.exec("lab-it", "echo inside").output.strip() == "inside"


def test_run_pulls_a_missing_image_like_docker_run(lab, capsys):
    subprocess.run(["docker", "rmi", "-f", "hello-world"], capture_output=True)
    res = lab.run("hello-world", rm=True)
    out = capsys.readouterr().out
    assert "Unable to find image 'hello-world:latest' locally" in out
    assert "Hello from Docker!" in res.output
    assert lab.ps(all=True, scope="session").empty  # rm=True removed it


def test_alpine_has_no_bash(lab):
    with pytest.raises(E.ExecutableNotFound) as e:
        lab.run("alpine", "/bin/bash", name="lab-bash")
    assert e.value.executable == "/bin/bash"
    assert "alpine ships /bin/sh" in e.value.hint
    assert "dockerlab removed it" in e.value.state
    assert lab.ps(all=True, scope="session").empty


def test_ubuntu_has_bash(lab):
    assert "bash" in lab.run("ubuntu", ["/bin/bash", "-c", "echo $0"]).output


def test_name_conflict(lab):
    first = lab.run("alpine", "sleep 300", name="lab-dup", detach=True)
    with pytest.raises(E.NameConflict) as e:
        lab.run("alpine", "true", name="lab-dup")
    assert e.value.existing_id == first.short_id
    assert "lab.remove('lab-dup', force=True)" in e.value.hint and "The container lab-dup is running" in str(e.value)
    lab.stop("lab-dup", timeout=0)
    with pytest.raises(E.NameConflict) as e:
        lab.run("alpine", "true", name="lab-dup")
    assert "lab.remove('lab-dup'))" in e.value.hint and "The container lab-dup is exited" in str(e.value)


def test_invalid_input_is_refused_before_any_call(lab):
    with lab.api_calls() as trace:  # the engine's calls log is shared (and bounded): count within a trace
        for kwargs in ({"image": "Alpine"}, {"image": "alpine", "name": "–-name"}, {"image": "alpine", "memory": "1x"},
                       {"image": "alpine", "cpus": 99}, {"image": "alpine", "command": 'echo "x'}):
            with pytest.raises(E.InvalidReference):
                lab.run(**kwargs)
    assert len(trace.calls) == 1  # only the engine's CPU count was asked (for cpus=99)


def test_lifecycle_start_stop_restart_kill_remove(lab, capsys):
    lab.run("alpine", "sleep 300", name="lab-life", detach=True)
    assert lab.stop("lab-life", timeout=1).state == "exited"
    assert lab.start("lab-life").state == "running"
    assert lab.restart("lab-life", timeout=1).state == "running"
    killed = lab.kill("lab-life")
    assert killed.state == "exited" and killed.exit_code == 137
    assert "(exit code" not in repr(killed) or "137" in repr(killed)
    assert lab.remove("lab-life") == "lab-life"
    out = capsys.readouterr().out
    for twin in ("$ docker stop -t 1 lab-life", "$ docker start lab-life", "$ docker restart -t 1 lab-life",
                 "$ docker kill lab-life", "$ docker rm lab-life"):
        assert twin in out
    with pytest.raises(E.ContainerNotFound) as e:
        lab.start("lab-life")
    assert "docker ps -a" in e.value.hint


def test_logs_and_exec(lab):
    lab.run("alpine", "sh -c 'echo one; echo two; sleep 300'", name="lab-logs", detach=True)
    deadline = time.time() + 10
    while "two" not in lab.logs("lab-logs") and time.time() < deadline:
        time.sleep(0.1)
    assert lab.logs("lab-logs") == "one\ntwo\n"
    assert lab.logs("lab-logs", tail=1) == "two\n"
    r = lab.exec("lab-logs", "sh -c 'exit 4'")
    assert r.exit_code == 4
    assert lab.exec("lab-logs", "ps").output.splitlines()[1].split()[0] == "1"  # PID 1 is the container's command
    lab.stop("lab-logs", timeout=0)
    with pytest.raises(E.ContainerStateError) as e:
        lab.exec("lab-logs", "true")
    assert "lab.start('lab-logs')" in e.value.hint


def test_ps_and_ps_a(lab, capsys):
    lab.run("alpine", "sleep 300", name="lab-ps-b", detach=True)
    lab.run("alpine", "true", name="lab-ps-a")
    capsys.readouterr()
    running = lab.ps(scope="session")
    everything = lab.ps(all=True, scope="session")
    out = capsys.readouterr().out
    assert names(running) == ["lab-ps-b"]
    assert names(everything) == ["lab-ps-a", "lab-ps-b"]  # sorted by name
    assert list(everything.columns)[:7] == ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
    assert everything.iloc[0]["STATUS"].startswith("Exited (0)")
    assert everything.iloc[1]["STATUS"].startswith("Up")
    assert f"$ docker ps -a --filter label={labels.SESSION}={lab.session}" in out


def test_images_table(lab):
    df = lab.images()
    rows = {(r["REPOSITORY"], r["TAG"]) for _, r in df.iterrows()}
    assert {("alpine", "latest"), ("ubuntu", "latest")} <= rows
    assert list(df.columns)[:5] == ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]
    assert df["SIZE (MB)"].dtype.kind == "f"
    assert list(df["REPOSITORY"]) == sorted(df["REPOSITORY"])


def test_remove_image(lab):
    subprocess.run(["docker", "tag", "busybox", "lab-test-tag:1"], check=True)
    lab.remove_image("lab-test-tag:1")
    assert not lab._has_image("lab-test-tag:1")
    with pytest.raises(E.ImageNotFound):
        lab.remove_image("lab-test-tag:1")


def test_the_kit_never_touches_what_it_did_not_create(lab):
    name = f"foreign-{lab.session}"
    subprocess.run(["docker", "run", "-d", "--name", name, "alpine", "sleep", "300"], check=True,
                   capture_output=True)
    try:
        for action in (lab.stop, lab.kill, lab.remove, lab.restart):
            with pytest.raises(E.NotOwned) as e:
                action(name)
            assert "dockerlab did not create it" in str(e.value) and "confirm=True" in e.value.hint
        with pytest.raises(E.ConfirmationRequired):
            lab.cleanup("engine")
        lab.cleanup("mine")
        assert lab.container(name).state == "running"
        assert lab.stop(name, timeout=0, confirm=True).state == "exited"  # an explicit yes
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)


def test_other_owners_containers_are_refused(lab):
    from dockerlab.lab import Lab

    bob = Lab(lab.engine, owner="bob-" + lab.session, session=lab.session, show_cli=False)
    lab.run("alpine", "sleep 300", name="lab-alice", detach=True)
    with pytest.raises(E.NotOwned) as e:
        bob.stop("lab-alice")
    assert "it belongs to" in str(e.value)
    assert bob.ps(all=True).empty and names(lab.ps()) == ["lab-alice"]
    assert bob.cleanup("mine").removed == []
    assert lab.container("lab-alice").state == "running"


def test_cleanup_reports_what_it_stopped_and_removed(lab):
    lab.run("alpine", "sleep 300", name="lab-clean-run", detach=True)
    lab.run("alpine", "true", name="lab-clean-done")
    report = lab.cleanup()
    assert report.stopped == ["lab-clean-run"]
    assert report.removed == ["lab-clean-done", "lab-clean-run"]
    assert repr(report) == "Stopped 1: lab-clean-run\nRemoved 2: lab-clean-done, lab-clean-run"
    assert lab.ps(all=True, scope="session").empty
    assert repr(lab.cleanup()) == "Nothing to clean up."


def test_rest_and_api_trace(lab, capsys):
    v = lab.rest("/version")
    sock = lab.endpoint.path if lab.endpoint.scheme == "unix" else "/var/run/docker.sock"
    assert capsys.readouterr().out.startswith(f"$ curl --unix-socket {sock} http://localhost/v1.")
    assert v["ApiVersion"] and lab.rest("/containers/json", all=1) is not None
    with lab.api_calls() as trace:
        lab.run("alpine", "true")
    paths = [p for _, p, _ in trace.calls]
    steps = [p.split("?")[0].rsplit("/", 1)[-1] for p in paths]
    assert steps.index("create") < steps.index("start") < steps.index("wait")
    assert list(trace.frame().columns) == ["METHOD", "PATH", "STATUS"]


def test_a_foreground_run_that_outlasts_its_timeout(lab):
    with pytest.raises(E.OperationTimedOut) as e:
        lab.run("alpine", "sleep 30", name="lab-slow", timeout=1)
    assert "lab-slow did not finish within 1 seconds" in str(e.value)
    assert "still running" in e.value.state and "detach=True" in e.value.hint
    assert lab.container("lab-slow").state == "running"
