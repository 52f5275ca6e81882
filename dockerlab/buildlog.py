"""A build's output, read: which Dockerfile steps ran and which came from the cache.

Two builders print two languages, and a learner meets both:

- **BuildKit** (``docker build`` since Docker Engine 23, the only default builder today), with
  ``--progress=plain``::

      #5 [2/3] RUN echo built > /hello
      #5 CACHED
      #6 [builder 1/2] FROM docker.io/library/alpine:latest@sha256:5af4...
      #7 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3

- **the classic builder** (Docker Engine 20.10, and the Engine API's ``/build`` that docker-py
  drives)::

      Step 2/3 : RUN echo built > /hello
       ---> Using cache

:func:`steps` reads either into ``(instruction, cached)`` pairs in the Dockerfile's order, and
:func:`builder_of` says which builder wrote the text. Pure functions of the text: unit-tested on
what real engines printed (``tests/unit/test_buildlog.py``).
"""
from __future__ import annotations

import re

#: "#5 [2/3] RUN ..." or "#6 [builder 1/2] FROM ..." (BuildKit names a stage when it has a name)
_BK_STEP = re.compile(r"^#(\d+) \[(?:(\S+) )?(\d+)/(\d+)\] (.*)$")
_BK_CACHED = re.compile(r"^#(\d+) CACHED$")
_BK_ERROR = re.compile(r"^#(\d+) ERROR: (.*)$")
_CLASSIC_STEP = re.compile(r"^Step \d+/\d+ : (.*)$")
#: what BuildKit writes into a FROM line that the Dockerfile did not say
_FROM_NOISE = re.compile(r"docker\.io/library/|@sha256:[0-9a-f]{64}")


def builder_of(output: str) -> str:
    """"buildkit", "classic", or "" when the text says neither."""
    for line in output.splitlines():
        if line.startswith("#") and (_BK_STEP.match(line) or line.startswith("#0 building with")
                                     or line.startswith("#1 [internal]")):
            return "buildkit"
        if _CLASSIC_STEP.match(line):
            return "classic"
    return ""


def _instruction(text: str) -> str:
    """BuildKit's step text as the Dockerfile says it: ``FROM alpine:latest``, not
    ``FROM docker.io/library/alpine:latest@sha256:...``."""
    text = text.strip()
    if text.upper().startswith("FROM "):
        return _FROM_NOISE.sub("", text)
    return text


def steps(output: str) -> list[tuple[str, bool]]:
    """(instruction, cached?) for each step of the Dockerfile, in the Dockerfile's order."""
    if builder_of(output) == "buildkit":
        by_vertex: dict[str, list] = {}
        order: list[tuple[str, int, int]] = []  # (stage, step number, vertex)
        for line in output.splitlines():
            m = _BK_STEP.match(line)
            if m:
                vertex, stage, i = m.group(1), m.group(2) or "", int(m.group(3))
                if vertex not in by_vertex:
                    by_vertex[vertex] = [_instruction(m.group(5)), False]
                    order.append((stage, i, vertex))
                continue
            m = _BK_CACHED.match(line)
            if m and m.group(1) in by_vertex:
                by_vertex[m.group(1)][1] = True
        # BuildKit runs stages side by side and prints each step as it starts: put them back in the
        # Dockerfile's order, step by step within a stage, and the stages in the order they finish
        # (a stage ends before the one that copies from it; the image's own stage ends last)
        last = {}
        for stage, _, vertex in order:
            last[stage] = max(last.get(stage, 0), int(vertex))
        order.sort(key=lambda t: (last[t[0]], t[1]))
        return [_from_is_kept(*by_vertex[v]) for _, _, v in order]
    out, current = [], None
    for line in output.splitlines():
        m = _CLASSIC_STEP.match(line)
        if m:
            if current is not None:
                out.append(tuple(current))
            current = [m.group(1), False]
        elif current is not None and line.strip() == "---> Using cache":
            current[1] = True
    if current is not None:
        out.append(tuple(current))
    return [_from_is_kept(*step) for step in out]


def _from_is_kept(instruction: str, cached: bool) -> tuple[str, bool]:
    """A FROM step builds nothing: it takes the image as it is, so it counts as from the cache
    (BuildKit prints CACHED for it on some builds and DONE on others; the classic builder never
    says "Using cache" for it)."""
    return instruction, cached or instruction.upper().startswith("FROM ")


def failed_step(output: str) -> str:
    """The instruction whose step failed (BuildKit's ``#N ERROR``), else the last step begun."""
    if builder_of(output) == "buildkit":
        names = {}
        for line in output.splitlines():
            m = _BK_STEP.match(line)
            if m:
                names[m.group(1)] = _instruction(m.group(5))
            m = _BK_ERROR.match(line)
            if m and m.group(1) in names:
                return names[m.group(1)]
        return ""
    found = steps(output)
    return found[-1][0] if found else ""
