"""Kernel > Interrupt during a long foreground `lab.run`, in a real IPython kernel (SIGINT, as
JupyterLab sends it): the cell says what happened and what still runs, with no traceback
through requests/urllib3; a run that takes long says so after a few seconds. And the
lesson's leftovers of an earlier run are replaced, nothing else."""
from __future__ import annotations

import contextlib
import time
import uuid

import pytest
from jupyter_client.manager import start_new_kernel

from dockerlab import errors as E
from dockerlab import labels
from dockerlab.lab import Lab
from tests.engine.raw import raw

pytestmark = [pytest.mark.engine, pytest.mark.timeout(120)]


def _collect(kc, msg_id, until: float) -> tuple[list[dict], bool]:
    """iopub messages of one execution until it is idle (or the deadline)."""
    msgs = []
    while time.monotonic() < until:
        try:
            m = kc.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return msgs, True
    return msgs, False


def _text(msgs) -> str:
    parts = []
    for m in msgs:
        c = m["content"]
        if m["msg_type"] == "stream":
            parts.append(c["text"])
        elif m["msg_type"] == "error":
            parts.append(f"[error {c['ename']}]\n" + "\n".join(c["traceback"]))
        elif m["msg_type"] in ("execute_result", "display_data"):
            parts.append(c["data"].get("text/plain", ""))
    return "\n".join(parts)


@contextlib.contextmanager
def _kernel_with_a_lab(engine_lab, then: str = ""):
    """A real IPython kernel whose `lab` is connected (then ``then`` run); shut down and reaped after."""
    session = "i" + uuid.uuid4().hex[:11]
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        setup = (f"import time, dockerlab\nlab = dockerlab.connect(lesson='interrupt-test', session={session!r}, "
                 f"owner='tester-{session}')\n{then}")
        _, ok = _collect(kc, kc.execute(setup), time.monotonic() + 60)
        assert ok
        yield km, kc, f"tester-{session}"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        from tests.conftest import reap

        reap(raw(engine_lab), session)


def test_interrupting_a_long_foreground_run(engine_lab):
    name = "int-" + uuid.uuid4().hex[:6]
    with _kernel_with_a_lab(engine_lab) as (km, kc, _):
        t0 = time.monotonic()
        msg_id = kc.execute(f"lab.run('alpine', 'sleep 1000', name={name!r})")
        first, done = _collect(kc, msg_id, t0 + 8)
        assert not done, "the foreground run ended by itself"
        assert f"({name} is still running after 5 s" in _text(first) and "Kernel > Interrupt" in _text(first)
        km.interrupt_kernel()  # SIGINT, what Kernel > Interrupt sends
        rest, done = _collect(kc, msg_id, time.monotonic() + 30)
        assert done, "the kernel did not come back after the interrupt"
        shown = _text(first + rest)
        assert f"Interrupted: Stopped waiting for {name} (Kernel > Interrupt)." in shown, shown
        assert f"{name} is still running" in shown and f"lab.stop({name!r})" in shown, shown
        for noise in ("urllib3", "requests", "Traceback", "socket.py"):
            assert noise not in shown, f"{noise!r} in what the cell shows:\n{shown}"
        assert raw(engine_lab).inspect_container(name)["State"]["Status"] == "running"
        # following the hint works
        _, ok = _collect(kc, kc.execute(f"lab.stop({name!r}, timeout=0)"), time.monotonic() + 30)
        assert ok and raw(engine_lab).inspect_container(name)["State"]["Status"] == "exited"


def test_an_interrupt_anywhere_says_what_still_runs_never_a_traceback(engine_lab):
    """Ctrl-C in a cell of the learner's own (a sleep), not in a wait of the kit's: the kit's words."""
    name = "int-" + uuid.uuid4().hex[:6]
    with _kernel_with_a_lab(engine_lab, f"lab.run('alpine', 'sleep 300', name={name!r}, detach=True)\n") as (km, kc, _):
        msg_id = kc.execute("for i in range(1000):\n    time.sleep(0.05)")
        time.sleep(1.5)
        km.interrupt_kernel()
        msgs, done = _collect(kc, msg_id, time.monotonic() + 30)
        assert done, "the kernel did not come back after the interrupt"
        shown = _text(msgs)
        assert "KeyboardInterrupt: the cell stopped (Kernel > Interrupt)." in shown, shown
        assert f"Still running from this notebook: {name}" in shown and "the cleanup cell removes them" in shown
        assert "Traceback" not in shown and "File " not in shown, shown


def test_leftovers_of_the_same_lesson_are_replaced_nothing_else(engine_lab, capsys):
    owner = "tester-" + uuid.uuid4().hex[:8]
    sessions = ["l" + uuid.uuid4().hex[:11] for _ in range(3)]
    mk = lambda s, lesson="05-run", who=owner: Lab(raw(engine_lab), lesson=lesson, owner=who, session=s,
                                                  show_cli=False)
    earlier = mk(sessions[0])
    name = "lo-" + uuid.uuid4().hex[:6]
    stranger = None
    try:
        old = earlier.run("alpine", "sleep 300", name=name, detach=True)
        time.sleep(0.05)
        # connected after it was made (a restarted kernel, or the connect cell run again)
        now, elsewhere = mk(sessions[1]), mk(sessions[2], lesson="06-lifecycle")
        capsys.readouterr()
        new = now.run("alpine", "sleep 300", name=name, detach=True)  # an earlier run's leftover: replaced
        assert new.id != old.id and new.state == "running"
        assert f"(removed {name}, left over from an earlier run of this lesson)" in capsys.readouterr().out
        with pytest.raises(E.NameConflict):  # this lab made it itself: a real conflict (05 shows one)
            now.run("alpine", "true", name=name)
        with pytest.raises(E.NameConflict):  # another lesson's
            elsewhere.run("alpine", "true", name=name)
        with pytest.raises(E.NameConflict):  # another learner's
            mk(sessions[2], who=owner + "-other").create("alpine", "true", name=name)
        assert raw(engine_lab).inspect_container(name)["Id"] == new.id
        # one the kit did not make is never touched
        plain = "lo-plain-" + uuid.uuid4().hex[:6]
        stranger = raw(engine_lab).create_container(image="alpine", command=["true"], name=plain,
                                                      labels={}, host_config={})
        with pytest.raises(E.NameConflict):
            mk(sessions[2]).create("alpine", "true", name=plain)
        assert raw(engine_lab).inspect_container(plain)["Id"] == stranger
        # create() replaces the lesson's leftovers too
        again = mk(sessions[2]).create("alpine", "true", name=name)
        assert again.id != new.id and again.state == "created"
    finally:
        from tests.conftest import reap

        for s in sessions:
            reap(raw(engine_lab), s)
        if stranger:
            raw(engine_lab).remove(stranger, force=True)


def test_after_a_kernel_restart_the_next_connect_says_what_the_exit_removed(engine_lab, tmp_path, monkeypatch):
    """Kernel > Restart: the old kernel's exit removes its containers; the notebook's next connect (the
    cleanup cell's, or the top's) says which, instead of a bare 'Nothing to clean up'."""
    monkeypatch.setenv("DOCKERLAB_PROGRESS_FILE", str(tmp_path / "progress.jsonl"))  # the kernels inherit it
    name = "rst-" + uuid.uuid4().hex[:6]
    run = f"lab.run('alpine', 'sleep 300', name={name!r}, detach=True)\n"
    with _kernel_with_a_lab(engine_lab, run) as (km, kc, owner):
        assert raw(engine_lab).inspect_container(name)["State"]["Status"] == "running"
        km.restart_kernel(now=False)  # a graceful restart: the old kernel's atexit hook runs
        kc.wait_for_ready(timeout=60)
        with pytest.raises(E.ContainerNotFound):
            raw(engine_lab).inspect_container(name)
        cleanup_cell = (f"import dockerlab\ndockerlab.connect(lesson='interrupt-test', owner={owner!r})"
                        ".cleanup('lesson')")
        msgs, ok = _collect(kc, kc.execute(cleanup_cell), time.monotonic() + 60)
        assert ok
        shown = _text(msgs)
        assert "when this notebook's last kernel stopped" in shown and name in shown, shown
