"""Two learners on one shared engine, same names, at the same time: each gets their own."""
import uuid
from concurrent.futures import ThreadPoolExecutor

from dockerlab import labels
from dockerlab.lab import Lab


def reap(engine, session):
    for c in engine.containers(all=True, filters={"label": [f"{labels.SESSION}={session}"]}):
        engine.remove(c["Id"], force=True)



def test_two_learners_same_name_each_their_own(engine_lab, monkeypatch, capsys):
    monkeypatch.setenv("DOCKERLAB_QUALIFY_NAMES", "1")
    session = "t" + uuid.uuid4().hex[:11]
    tag = session[-5:]
    alice = Lab(engine_lab.engine, session=session, owner=f"alice{tag}", show_cli=True)
    bob = Lab(engine_lab.engine, session=session, owner=f"bob{tag}", show_cli=True)
    try:
        with ThreadPoolExecutor(2) as pool:  # at the same moment, the same name
            a, b = pool.map(lambda lab: lab.run("alpine", "sleep 30", name="nb05-web", detach=True), (alice, bob))
        assert (a.name, b.name) == (f"alice{tag}-nb05-web", f"bob{tag}-nb05-web")
        out = capsys.readouterr().out
        assert f"--name alice{tag}-nb05-web" in out  # the twin prints the real name
        assert f"start with 'alice{tag}-'" in out  # and says which names are the learner's
        # addressing the plain name gets one's own
        assert alice.container("nb05-web").id == a.id and bob.container("nb05-web").id == b.id
        assert bob.exec("nb05-web", "echo hi").output.strip() == "hi"
        assert alice.stop("nb05-web", timeout=0).state == "exited"
        assert bob.container("nb05-web").state == "running"  # bob's untouched
        mine = " ".join(map(str, alice.ps(all=True).to_numpy().ravel()))
        assert f"alice{tag}-nb05-web" in mine and "bob" not in mine
    finally:
        reap(engine_lab.engine, session)
