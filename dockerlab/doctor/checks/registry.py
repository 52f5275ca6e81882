"""The Registry checks: the engine's registry mirrors, Docker Hub and its pull budget."""
from __future__ import annotations

import contextlib
import json
import re

from ..install import DOCS
from ..report import Check
from .base import Ctx, check


def _http_get(url: str, timeout: float, headers: dict | None = None, method: str = "GET"):
    """(status, headers, reason) of an HTTP request; status 0 and the reason when it could not be made."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read(65536)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers or {}), b""
    except urllib.error.URLError as e:
        return 0, {}, str(getattr(e, "reason", e))
    except (OSError, ValueError) as e:
        return 0, {}, str(e)


def parse_ratelimit(value: str | None) -> tuple[int, int] | None:
    """``"10;w=3600"`` (Docker Hub's RateLimit headers) -> (10, 3600 seconds); ``"100;w=21600"`` was the old limit."""
    if not value:
        return None
    m = re.match(r"\s*(\d+)\s*(?:;\s*w=(\d+))?", value)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


@check("Registry mirror", group="Registry", needs=("engine",))
def _check_mirror(ctx: Ctx) -> Check:
    mirrors = list((ctx.info.get("RegistryConfig") or {}).get("Mirrors") or [])
    if not mirrors:
        return Check("Registry mirror", "pass", "none configured: pulls go to Docker Hub", group="Registry",
                     data={"mirrors": []})
    results = []
    for m in mirrors:
        status, _, body = _http_get(m.rstrip("/") + "/v2/", ctx.timeout)
        results.append({"mirror": m, "status": status, "error": "" if status else str(body)})
    up = [r for r in results if r["status"] in (200, 401)]
    ev = "; ".join(f"{r['mirror']} " + (f"answers (HTTP {r['status']} on /v2/)" if r["status"] in (200, 401)
                                         else f"does not answer ({r['error'] or 'HTTP ' + str(r['status'])})")
                   for r in results)
    data = {"mirrors": mirrors, "results": results}
    if up:
        return Check("Registry mirror", "pass", ev, group="Registry", data=data,
                     fix="the engine asks the mirror first; names the mirror lacks fall through to Docker Hub")
    return Check("Registry mirror", "warn", ev, group="Registry", data=data,
                 fix="the engine is configured with a mirror that does not answer (checked from this machine); "
                     "pulls fall back to Docker Hub. Start the mirror (dockerlab mirror) or remove it from daemon.json")


def _resolves(host: str, timeout: float) -> bool:
    """Whether ``host`` resolves within ``timeout`` (a silent DNS server can block for much longer)."""
    import socket
    import threading

    found = []

    def look():
        with contextlib.suppress(OSError):
            found.append(bool(socket.getaddrinfo(host, 443)))

    t = threading.Thread(target=look, daemon=True)
    t.start()
    t.join(timeout)
    return bool(found)


#: Docker Hub's limit for anonymous pulls (Docker's docs, 2025); a logged-in free account gets more.
HUB_ANONYMOUS_LIMIT = "10 pulls per hour per IPv4 address (or IPv6 /64)"


@check("Docker Hub", group="Registry", needs=("engine",))
def _check_hub(ctx: Ctx) -> Check:
    name = "Docker Hub"
    if not ctx.online:
        return Check(name, "skip", "not checked (offline: --offline, or online=False)", group="Registry")
    if not _resolves("registry-1.docker.io", ctx.timeout):
        status, body = 0, "Name or service not known (or no answer from DNS)"
    else:
        status, _, body = _http_get("https://registry-1.docker.io/v2/", ctx.timeout)
    if status == 0:
        reason = str(body)
        if "Name or service not known" in reason or "nodename nor servname" in reason or "Temporary failure" in reason:
            reason = "the name registry-1.docker.io does not resolve (no internet, or no DNS)"
        has_mirror = bool((ctx.info.get("RegistryConfig") or {}).get("Mirrors"))
        return Check(name, "warn", f"unreachable from here: {reason}", group="Registry",
                     data={"reachable": False, "error": str(body), "mirror": has_mirror},
                     fix=("pulls work only for images already on the engine or in the mirror" if has_mirror
                          else "pulls will fail; images already on the engine still run (docker images lists them)"))
    data = {"reachable": True, "status": status}
    # the pull-rate budget, as Docker documents it: a token for ratelimitpreview/test, then a HEAD on its manifest
    tok_status, _, tok_body = _http_get("https://auth.docker.io/token?service=registry.docker.io"
                                        "&scope=repository:ratelimitpreview/test:pull", ctx.timeout)
    budget = ""
    if tok_status == 200:
        with contextlib.suppress(ValueError, AttributeError):
            token = json.loads(tok_body).get("token", "")
            hs, hdrs, _ = _http_get("https://registry-1.docker.io/v2/ratelimitpreview/test/manifests/latest",
                                    ctx.timeout, headers={"Authorization": f"Bearer {token}"}, method="HEAD")
            low = {k.lower(): v for k, v in hdrs.items()}
            limit, remaining = parse_ratelimit(low.get("ratelimit-limit")), parse_ratelimit(low.get("ratelimit-remaining"))
            if limit and remaining:
                hours = limit[1] / 3600 if limit[1] else 0
                budget = f"; pull budget: {remaining[0]} of {limit[0]} left" + (f" per {hours:g} h" if hours else "")
                data.update(limit=limit[0], remaining=remaining[0], window_seconds=limit[1])
                if remaining[0] < 10:
                    return Check(name, "warn", f"reachable (HTTP {status}){budget}", group="Registry", data=data,
                                 fix="almost no pulls left from this address (anonymous: "
                                     f"{HUB_ANONYMOUS_LIMIT}): log in (docker login) or use a mirror ({DOCS['rate-limit']})")
            elif hs:
                budget = f"; no rate limit reported for this address (anonymous: {HUB_ANONYMOUS_LIMIT})"
    return Check(name, "pass", f"registry-1.docker.io reachable (HTTP {status} on /v2/){budget}", group="Registry",
                 data=data)
