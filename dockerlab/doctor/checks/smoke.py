"""The Smoke test: run a tiny container (``docker run --rm hello-world``) and remove it."""
from __future__ import annotations

import contextlib
import time
import uuid

from ...errors import DockerLabError
from ..report import Check
from .base import Ctx, check


@check("Smoke test", group="Smoke test", needs=("engine",), option=("smoke", "not run (--no-smoke)"))
def _check_smoke(ctx: Ctx) -> Check:
    image = ctx.smoke_image
    if image is None:
        image = "hello-world" if ctx.lab._has_image("hello-world") else "alpine"
    name = f"doctor-smoke-{uuid.uuid4().hex[:8]}"
    command = None if image == "hello-world" else "true"
    cli = f"docker run --rm --name {name} {image}" + (f" {command}" if command else "")
    t0 = time.monotonic()
    data = {"image": image, "container": name, "cli": cli}
    try:
        res = ctx.lab.run(image, command, name=name, rm=True, timeout=60)
    except DockerLabError as e:
        return Check("Smoke test", "fail", f"$ {cli}\n{type(e).__name__}: {e.what}" + (f". {e.state}" if e.state else ""),
                     fix=e.hint or "the engine answers but cannot run a container; see the engine's log",
                     group="Smoke test", data=data)
    finally:
        with contextlib.suppress(Exception):  # never leave the smoke container behind
            ctx.lab.engine.remove(name, force=True)
    secs = time.monotonic() - t0
    data.update(seconds=round(secs, 2), exit_code=res.exit_code)
    first = next((ln for ln in str(res.output).splitlines() if ln.strip()), "")
    ok = res.exit_code == 0 and (image != "hello-world" or "Hello from Docker" in res.output)
    ev = (f"$ {cli} -> exit code {res.exit_code} in {secs:.1f} s" + (f", printed {first!r}" if first else "")
          + "; the container was removed")
    if ok:
        standin = ""
        with contextlib.suppress(Exception):
            labels = (ctx.lab.engine.inspect_image(image).get("Config") or {}).get("Labels") or {}
            if labels.get("org.dockerlab.standin") == "true":
                standin = "the image is dockerlab's offline stand-in for " + labels.get("org.dockerlab.standin.of", image)
        return Check("Smoke test", "pass", ev, group="Smoke test", data=data, fix=standin)
    return Check("Smoke test", "fail", ev, group="Smoke test", data=data,
                 fix="the engine created the container but it did not run as expected; read the output above "
                     "and the engine's log (journalctl -u docker, or /var/log/dockerd.log)")
