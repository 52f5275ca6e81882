"""Lesson 11 of the lab API: published ports (`docker run -p`, `docker port`), and the page a
container serves (`curl`, and a link through JupyterLab's proxy)."""
from __future__ import annotations

import os

from .. import errors as E
from .. import ports as ports_mod
from ..results import Text
from .base import LabBase


class WebMixin(LabBase):
    """`docker port`, `curl`, and the page through JupyterLab (see :class:`dockerlab.lab.Lab`)."""

    def curl(self, url: str, *, timeout: float = 5.0) -> "str":
        """`curl URL` from this machine (where the notebook's kernel runs): the page's text.
        A server that has just started gets ``timeout`` seconds to answer."""
        import time
        import urllib.error
        import urllib.request

        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise E.InvalidReference(f"Not a web address: {url!r}", value=repr(url),
                                     hint="for example 'http://127.0.0.1:8080/'")
        self._twin(f"curl {url}")
        end = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=max(timeout, 1)) as resp:
                    return Text(resp.read().decode("utf-8", "replace"))
            except urllib.error.HTTPError as e:
                return Text(f"HTTP {e.code} {e.reason}\n" + e.read().decode("utf-8", "replace"))
            except (OSError, urllib.error.URLError) as e:
                if time.monotonic() > end:
                    raise E.OperationTimedOut(
                        f"Nothing answered at {url} within {timeout:g} seconds ({getattr(e, 'reason', e)})",
                        seconds=timeout, state="the address is on this machine; no server listens there (yet)",
                        hint="is the container running (lab.ps()) and is the port published (lab.port(name))?") from None
                time.sleep(0.1)

    def browse(self, container: str, port=80, *, confirm: bool = False) -> WebLink:
        """A link (and a frame) that opens the page a container publishes, through JupyterLab's
        ``/proxy/<host port>/``: the learner's browser may be far away, JupyterLab is not."""
        published = self.port(container, port, confirm=confirm)
        return WebLink(published, jupyter_prefix())

    def _port_specs(self, ports, policy) -> list:
        """The ``ports=`` of run: parsed (127.0.0.1 unless said otherwise), public addresses refused
        unless the teacher allows them, and refused on an engine without its own network."""
        specs = ports_mod.parse_ports(ports)
        if specs:
            self._need("ports", "Publishing a port (docker run -p)", state="nothing was done",
                       hint="here a server in a container listens on this machine's own ports: run it without "
                            "ports= and open the port it listens on (above 1024, as you are not root)")
            ports_mod.check_public(specs, policy)
        return specs

    def port(self, container: str, port=None, *, confirm: bool = False):
        """`docker port NAME [PORT]`: where the container's published ports answer on this machine.

        Without ``port``: every mapping (``80/tcp -> 127.0.0.1:8080``). With it: that one
        (a :class:`dockerlab.ports.Published`, with ``.url`` and ``.proxy_path``)."""
        c = self._gate.look(container, "read the ports of", confirm)
        self._twin(f"docker port {c.name}" + (f" {port}" if port is not None else ""))
        found = ports_mod.published(c.inspected)
        if port is None:
            return found
        cport, proto = ports_mod._container_side(port, port)
        hits = [p for p in found if p.container_port == cport and p.proto == proto]
        if not hits:
            raise E.NotFound(f"No public port '{cport}/{proto}' published for {c.name}",
                             state=f"its published ports: {', '.join(map(repr, found)) or 'none'}",
                             hint=f"publish it when you start the container: lab.run(..., ports='8080:{cport}')")
        return hits[0]


class WebLink:
    """A published web page: a link that opens it through JupyterLab (jupyter-server-proxy's
    ``/proxy/<port>/``, so it works on a remote hub and on Binder too) and the page in a frame.
    Its text form is stable (no object address), for nbval."""

    def __init__(self, published: "ports_mod.Published", prefix: str = "/"):
        self.published = published
        self.path = prefix.rstrip("/") + "/" + published.proxy_path

    def __repr__(self) -> str:
        return f"{self.published.url} (in JupyterLab: {self.path})"

    def _repr_html_(self) -> str:
        from html import escape

        href = escape(self.path, quote=True)
        return (f"<p><a href='{href}' target='_blank' rel='noopener'>Open the page through JupyterLab "
                f"({escape(self.path)})</a>: the container's port {self.published.container_port}, published on "
                f"{escape(self.published.url)} of the machine this kernel runs on</p>"
                f"<iframe src='{href}' style='width:100%;height:220px;border:1px solid #ccc' "
                f"title='the page published on port {self.published.host_port}'></iframe>")


def jupyter_prefix() -> str:
    """JupyterLab's base URL as the kernel can know it: JupyterHub and Binder set
    JUPYTERHUB_SERVICE_PREFIX (``/user/NAME/``); a plain `jupyter lab` serves at ``/``."""
    return os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or os.environ.get("DOCKERLAB_JUPYTER_PREFIX") or "/"
