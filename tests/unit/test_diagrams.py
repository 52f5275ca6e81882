"""The kit's diagrams: drawn from the data given, shown as PNG in Jupyter, no pyplot state left behind."""
from __future__ import annotations

from dockerlab import diagrams


def _texts(fig) -> str:
    return "\n".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_architecture_draws_what_the_engine_has():
    fig = diagrams.architecture(images=["ubuntu", "alpine"], containers=[("nb02-a", "alpine")],
                                mirror="http://127.0.0.1:5000/")
    text = _texts(fig)
    for word in ("alpine", "ubuntu", "nb02-a\n(from alpine)", "dockerd", "Docker Hub", "http://127.0.0.1:5000/",
                 "REST API", "pull / push", "pull (a mirror is pull-only)", "the default registry"):
        assert word in text, word
    assert text.count("pull / push") == 1  # Docker Hub: both ways; the mirror: pull only
    assert "pull-only" not in _texts(diagrams.architecture(images=["alpine"], containers=[]))
    assert text.index("alpine") < text.index("ubuntu")  # sorted, so the picture is stable


def test_architecture_caps_long_lists():
    fig = diagrams.architecture(images=[f"img{i}" for i in range(9)], containers=[f"c{i}" for i in range(7)])
    text = _texts(fig)
    assert "... 5 more" in text and "... 3 more" in text and "img8" not in text


def test_image_and_containers():
    fig = diagrams.image_and_containers("alpine", [("b", "running"), ("a", "exited")])
    text = _texts(fig)
    assert "image alpine" in text and "a  [exited]" in text and "b  [running]" in text
    assert "2 containers" in fig.axes[0].get_title()


def test_shown_as_png_without_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = diagrams.image_and_containers("alpine", ["one"])
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert plt.get_fignums() == before  # nothing registered with pyplot
