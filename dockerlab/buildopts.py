"""The options of `docker build` beyond ``-t`` (lesson 15): ``--build-arg``, ``--target``, ``--secret``.

Each is checked once, before anything is built: the names (:func:`target`, :func:`secret_specs`;
``build_args=`` by :func:`dockerlab.args.env`, the same rule as ``-e``), and where a secret's file may
come from (:func:`admit_secrets`, applied by the gate): the folders a bind mount may come from
(:func:`dockerlab.policy.default_roots`, or the teacher's ``bind_roots``), as
:func:`dockerlab.policy.check_bind` decides for ``-v``. A secret's *value* is never part of a twin nor
of an error: only its id and its file's name are; :func:`masker` hides the value from what a build prints.
"""
from __future__ import annotations

import os
import re
import stat

from . import errors as E
from . import policy

_STAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_SECRET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: BuildKit refuses a secret larger than this (500 kB)
MAX_SECRET_BYTES = 500 * 1024


def target(value) -> str | None:
    """``target=``: the name of a stage (``FROM ubuntu AS build``), or None for the last stage."""
    if value is None:
        return None
    if not isinstance(value, str) or not _STAGE.match(value):
        shown = repr(value)[:80]
        raise E.InvalidReference(f"target= names a stage of the Dockerfile (FROM ... AS NAME), not {shown}",
                                 value=shown, hint="for example target='build' for the line 'FROM ubuntu AS build'")
    return value


def secret_specs(value) -> dict[str, str]:
    """``secrets=``: ``{id: path of the file}`` (``--secret id=ID,src=PATH``), paths as given."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise E.InvalidReference(f"secrets= is a dict of id to file, not {type(value).__name__}",
                                 value=type(value).__name__, hint="for example secrets={'token': 'nb15-app/token.txt'}")
    out = {}
    for sid, src in value.items():
        if not isinstance(sid, str) or not _SECRET_ID.match(sid):
            shown = repr(sid)[:80]
            raise E.InvalidReference(f"A secret's id is a short name (letters, digits, . _ -), not {shown}",
                                     value=shown,
                                     hint="the id is what the Dockerfile says: RUN --mount=type=secret,id=token ...")
        if isinstance(src, os.PathLike):
            src = os.fspath(src)
        if not isinstance(src, str) or not src.strip() or "\x00" in src:
            raise E.InvalidReference(f"The secret {sid!r} names no file", value=type(src).__name__,
                                     hint=f"secrets={{{sid!r}: 'path/to/the/file'}}: the value is the file's name, "
                                          "never the secret itself")
        if any(ch in src for ch in ',"\n'):  # the CLI reads id=...,src=... as CSV
            raise E.InvalidReference(f"The file of the secret {sid!r} has a comma, a quote or a line break in its name",
                                     value=sid, hint="rename the file (docker build --secret cannot name it)")
        out[sid] = src
    return out


def admit_secrets(specs: dict[str, str], *, cwd: str, settings) -> dict[str, str]:
    """``{id: real path}`` for each secret whose file may be read, or the refusal that says why (the rule
    of bind mounts: under the learner's folders, no link out of them, a plain file)."""
    roots = settings.bind_roots if settings.bind_roots is not None else policy.default_roots(cwd)
    out = {}
    for sid, src in specs.items():
        real = os.path.realpath(src if os.path.isabs(src) else os.path.join(cwd, src))
        try:
            st = os.stat(real)
        except OSError:
            raise E.InvalidReference(f"The file of the secret {sid!r} does not exist: {src}", value=sid,
                                     state=f"looked for {real}; nothing was built",
                                     hint="write the secret into a file of yours first (its name is what secrets= "
                                          "takes)") from None
        why = None
        if not stat.S_ISREG(st.st_mode):
            why = "it is not a plain file"
        elif st.st_nlink > 1:
            why = "it is a hard link (the same file has another name, possibly outside your folders)"
        elif not any(real == r or real.startswith(r.rstrip("/") + "/") for r in roots):
            why = "it is outside the folders a build may read from: " + (", ".join(roots) or "none")
        elif st.st_size > MAX_SECRET_BYTES:
            why = f"it is {st.st_size:,} bytes; BuildKit takes secrets of up to {MAX_SECRET_BYTES:,}"
        if why:
            if real != os.path.normpath(os.path.join(cwd, src)):
                why = f"it leads to {real}; {why}"
            raise E.GuardRefused(f"Refusing the secret {sid!r} from {src}: {why}", guard="bind_roots",
                                 state="nothing was built",
                                 hint="keep the secret in a file under your home or the notebook's folder; a teacher "
                                      "lists other folders in bind_roots")
        out[sid] = real
    return out


def masker(paths):
    """A function that hides the secrets in ``paths`` (their text, and each line of it of 4 characters or
    more) from a line of output: what a build prints never shows a secret, even a RUN that echoes it."""
    values = set()
    for p in paths:
        try:
            with open(p, "rb") as f:
                text = f.read(MAX_SECRET_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        values.update(v for v in [text.strip(), *(line.strip() for line in text.splitlines())] if len(v) >= 4)
    ordered = sorted(values, key=len, reverse=True)  # the whole value before its lines

    def mask(text: str) -> str:
        for v in ordered:
            text = text.replace(v, "****")
        return text

    return mask
