"""Diagrams the kit draws itself (matplotlib), instead of pasted pictures.

- :func:`architecture`: clients -> REST API -> dockerd (images, containers) <-> registries,
  the seed's "Docker Architecture Diagram", drawn from what this engine really has
  when you pass it the lab's images and containers.
- :func:`image_and_containers`: one image and the many containers made from it.

Both return a matplotlib ``Figure`` (made without pyplot, so it is shown once:
as the cell's result), or save it with ``fig.savefig(...)``. A notebook shows it as
``<img alt=...>``: ``fig.alt`` says what it draws in words, ``fig.table`` lists what it names.
"""
from __future__ import annotations

CLIENT = "#dbe9f6"
HOST = "#f3f3f3"
IMAGE = "#fde9c9"
CONTAINER = "#d9f2d9"
REGISTRY = "#eadcf3"
EDGE = "#444444"


def _figure(size):
    """A Figure outside pyplot: nothing global, the notebook shows what the function returns."""
    from matplotlib.figure import Figure

    class Diagram(Figure):
        def _repr_png_(self) -> bytes:  # Jupyter shows it as a picture, with or without pyplot
            import io

            buf = io.BytesIO()
            self.savefig(buf, format="png", dpi=80)
            return buf.getvalue()

        def _repr_html_(self) -> str:  # the same picture with its text alternative (preferred by JupyterLab)
            from .a11y import figure_html

            return figure_html(self._repr_png_(), self.alt, self.table,
                               summary="What the diagram shows, as a table")

    Diagram.alt, Diagram.table = "A diagram.", None

    fig = Diagram(figsize=size)
    return fig, fig.subplots()


def _box(ax, x, y, w, h, text="", color=HOST, *, size=10, weight="normal", title=False, edge=EDGE, style="round,pad=0.006"):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=style, facecolor=color, edgecolor=edge, linewidth=1.2))
    if text:
        if title:
            ax.text(x + w / 2, y + h - 0.03, text, ha="center", va="top", fontsize=size, weight="bold")
        else:
            ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size, weight=weight)


def _arrow(ax, start, end, text="", *, color=EDGE, both=False, offset=(0, 0.025), size=8.5, rad=0.0):
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="<|-|>" if both else "-|>", color=color, lw=1.5,
                                shrinkA=2, shrinkB=2, connectionstyle=f"arc3,rad={rad}"))
    if text:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, text, ha="center", va="bottom", fontsize=size, color=color,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))


def _short(items, n):
    items = list(items)
    return items if len(items) <= n else items[: n - 1] + [f"... {len(items) - n + 1} more"]


def architecture(images=("alpine", "ubuntu"), containers=(("web", "alpine"), ("db", "ubuntu"), ("job", "alpine")),
                 *, socket="/var/run/docker.sock", mirror: str | None = None, title: str | None = None):
    """The client-server architecture as a figure.

    ``images``: image names on the engine; ``containers``: (name, image) pairs
    (or names); ``mirror``: a registry mirror the engine uses (drawn as the
    private registry).
    """
    images = _short(sorted(images), 5)
    containers = [(c, "") if isinstance(c, str) else tuple(c)[:2] for c in containers]
    containers = [(c, "") if isinstance(c, str) else c for c in _short(sorted(containers), 5)]
    fig, ax = _figure((11, 5.6))
    ax.set_xlim(-0.02, 1.12)
    ax.set_ylim(-0.02, 1.0)
    ax.axis("off")
    ax.set_title(title or "Docker's architecture: clients talk to the engine, the engine to registries", fontsize=12)

    # clients, each talking to dockerd over the REST API
    _box(ax, 0.0, 0.10, 0.23, 0.78, "Clients", CLIENT, title=True, size=11)
    for i, (t, sub) in enumerate([("docker CLI", "$ docker run alpine"), ("dockerlab (Python SDK)", "lab.run('alpine')"),
                                  ("curl, any HTTP client", "GET /v1.41/version")]):
        y = 0.64 - i * 0.23
        _box(ax, 0.02, y, 0.19, 0.15, "", "white")
        ax.text(0.115, y + 0.10, t, ha="center", va="center", fontsize=9.5, weight="bold")
        ax.text(0.115, y + 0.045, sub, ha="center", va="center", fontsize=8, family="monospace")
        _arrow(ax, (0.21, y + 0.075), (0.33, 0.77), "REST API" if i == 0 else "", both=True, offset=(-0.01, 0.03))

    # the Docker host: dockerd, its images and containers
    _box(ax, 0.31, 0.0, 0.47, 0.93, "Docker host (the server)", HOST, title=True, size=11)
    _box(ax, 0.33, 0.70, 0.43, 0.14, "", "#c9d7e8")
    ax.text(0.545, 0.80, "dockerd: the Docker Engine (daemon)", ha="center", va="center", fontsize=10.5, weight="bold")
    ax.text(0.545, 0.74, f"answers the REST API on {socket}", ha="center", va="center", fontsize=8, family="monospace")
    _box(ax, 0.33, 0.06, 0.19, 0.54, "Images", IMAGE, title=True)
    for i, name in enumerate(images):
        _box(ax, 0.35, 0.46 - i * 0.085, 0.15, 0.06, name, "white", size=9)
    _box(ax, 0.57, 0.06, 0.19, 0.54, "Containers", CONTAINER, title=True)
    for i, (name, image) in enumerate(containers):
        label = f"{name}\n(from {image})" if image else name
        _box(ax, 0.59, 0.45 - i * 0.085, 0.15, 0.07, label, "white", size=8)
    _arrow(ax, (0.425, 0.70), (0.425, 0.60), "stores", offset=(0.0, -0.035))
    _arrow(ax, (0.665, 0.70), (0.665, 0.60), "creates, starts, stops", offset=(0.0, -0.035))
    _arrow(ax, (0.52, 0.33), (0.57, 0.33), "run", offset=(0, 0.005))
    ax.text(0.545, 0.015, "an image is a read-only template; a container is a copy of it with its own writable layer",
            ha="center", va="bottom", fontsize=8, style="italic")

    # registries, as dockerd sees them (buildx, `docker manifest`, skopeo or crane talk to them too)
    _box(ax, 0.86, 0.10, 0.24, 0.78, "Registries", REGISTRY, title=True, size=11)
    _box(ax, 0.88, 0.55, 0.20, 0.2, "", "white")
    ax.text(0.98, 0.69, "Docker Hub", ha="center", fontsize=10, weight="bold")
    ax.text(0.98, 0.59, "the default registry\n(docker.io)", ha="center", fontsize=8)
    _box(ax, 0.88, 0.16, 0.20, 0.3, "", "white")
    ax.text(0.98, 0.39, "private registry", ha="center", fontsize=10, weight="bold")
    ax.text(0.98, 0.22, (f"here: a mirror at\n{mirror}" if mirror else "your company's,\nor a classroom mirror"),
            ha="center", fontsize=8)
    fig.alt = (f"Diagram: {title or 'Docker architecture'}. Clients (the docker CLI, dockerlab's Python SDK, any HTTP "
               f"client) talk over the REST API to dockerd, the Docker Engine on the Docker host, which answers on "
               f"{socket}. dockerd stores images ({', '.join(images) or 'none'}) and creates, starts and stops "
               f"containers ({', '.join(n + (f' from {i}' if i else '') for n, i in containers) or 'none'}); "
               "a container is a copy of an image with its own writable layer. dockerd pulls images from registries "
               "(Docker Hub, the default, and a private registry"
               + (f": here a pull-only mirror at {mirror})" if mirror else ") and pushes to them") + ".")
    fig.table = (["part", "what it is here"],
                 [["clients", "docker CLI; dockerlab (Python SDK); curl, any HTTP client"],
                  ["engine", f"dockerd, answering the REST API on {socket}"],
                  ["images", ", ".join(images) or "none"],
                  ["containers", ", ".join(n + (f" (from {i})" if i else "") for n, i in containers) or "none"],
                  ["registries", "Docker Hub (docker.io); " + (f"a mirror at {mirror} (pull only)" if mirror
                                                              else "a private registry (pull and push)")]])
    _arrow(ax, (0.88, 0.65), (0.76, 0.79), "pull / push", both=True, offset=(0.0, 0.0))
    if mirror:  # a mirror only serves pulls: the engine never pushes to it
        _arrow(ax, (0.88, 0.31), (0.76, 0.72), "pull (a mirror is pull-only)", offset=(0.0, -0.06))
    else:
        _arrow(ax, (0.88, 0.31), (0.76, 0.72), "pull / push", both=True, offset=(0.0, -0.06))
    fig.tight_layout()
    return fig


def image_and_containers(image: str, containers, *, title: str | None = None):
    """One image on the left, an arrow to each container made from it on the right.

    ``containers``: names, or (name, state) pairs, e.g. from ``lab.ps()``.
    """
    rows = [(c, "") if isinstance(c, str) else tuple(c)[:2] for c in containers]
    rows = sorted(rows)
    n = max(len(rows), 1)
    fig, ax = _figure((8, max(2.2, 0.55 * n + 1)))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, n)
    ax.axis("off")
    ax.set_title(title or f"One image, {len(rows)} container{'s' * (len(rows) != 1)}: "
                 "each is the image's files plus a writable layer of its own", fontsize=11)
    _box(ax, 0.05, n / 2 - 0.35, 0.28, 0.7, f"image {image}\n(read-only)", IMAGE, size=11, weight="bold")
    for i, (name, state) in enumerate(rows):
        y = n - 1 - i + 0.2
        color = CONTAINER if state in ("", "running") else "#eeeeee"
        _box(ax, 0.62, y, 0.33, 0.6, f"{name}" + (f"  [{state}]" if state else ""), color, size=10)
        _arrow(ax, (0.33, n / 2), (0.62, y + 0.3))
    fig.alt = (f"Diagram: one image, {image} (read-only), with an arrow to each of {len(rows)} container"
               f"{'s' * (len(rows) != 1)} made from it: "
               + (", ".join(name + (f" ({state})" if state else "") for name, state in rows) or "none")
               + ". Each container is the image's files plus a writable layer of its own.")
    fig.table = (["container", "state", "image"], [[name, state or "", image] for name, state in rows])
    fig.tight_layout()
    return fig
