"""The Lab's arguments, checked at the API's edge, before the engine sees anything.

Each function returns the value to use or raises an :class:`~dockerlab.errors.InvalidReference`
with a hint: a learner's typo never reaches the engine as a Python TypeError, and a value the
engine cannot take (a command of 70,000 characters wedges a container's start) is refused with why.
"""
from __future__ import annotations

import math
import re

from .errors import InvalidReference

#: The most command-line text (all arguments together) and environment text the kit sends. Linux
#: takes 128 KiB per argument, but the engine stores the command in the container's JSON, and
#: past 64 KiB a start (or an exec) wedges; the kit stays well below.
MAX_COMMAND_BYTES = 32 * 1024
MAX_ENV_BYTES = 32 * 1024
MAX_LABELS_BYTES = 16 * 1024
#: The longest wait the kit asks the engine for (a day); ``None`` means this bound.
MAX_TIMEOUT = 24 * 3600.0

_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,255}$")
_LABEL_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,254}$")


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def container_ref(ref) -> str:
    """A container's name, id or id prefix, as the engine can look it up ('/' would list them all)."""
    if not isinstance(ref, str):
        raise InvalidReference(f"A container is named by text (its name or id), not {type(ref).__name__} {_shown(ref)}",
                               value=_shown(ref), hint="for example lab.stop('web'); lab.ps(all=True) lists yours")
    ref = ref.strip().lstrip("/") if ref.strip().startswith("/") and len(ref.strip()) > 1 else ref.strip()
    if not _REF.match(ref):
        raise InvalidReference(f"{_shown(ref)} is not a container name or id", value=_shown(ref),
                               hint="names are letters, digits, '_', '.', '-' (lab.ps(all=True) lists yours)")
    return ref


def flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidReference(f"{name}= is True or False, not {_shown(value)}", value=_shown(value),
                               hint=f"for example {name}=True")
    return value


def seconds(value, name: str = "timeout", *, allow_none: bool = True, minimum: float = 0.001) -> float | None:
    """A number of seconds: finite, positive, at most a day (``None``: no limit, when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < minimum or value > MAX_TIMEOUT:
        raise InvalidReference(
            f"{name}= is a number of seconds between {minimum:g} and {MAX_TIMEOUT:g}, not {_shown(value)}",
            value=_shown(value), hint=f"for example {name}=30" + ("; None waits without limit" if allow_none else ""))
    return float(value)


def whole(value, name: str, *, minimum: int = 0, maximum: int = 10**6, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidReference(f"{name}= is a whole number from {minimum} to {maximum}, not {_shown(value)}",
                               value=_shown(value), hint=f"for example {name}=10")
    return value


def command_size(args: list[str], what: str = "The command") -> list[str]:
    size = sum(len(a.encode("utf-8", "replace")) + 1 for a in args)
    if size > MAX_COMMAND_BYTES:
        raise InvalidReference(
            f"{what} is {size:,} bytes long; the kit sends at most {MAX_COMMAND_BYTES:,}",
            value=f"{size} bytes", state="nothing was sent to the engine (a command past 64 KiB wedges it)",
            hint="put long input in a file and mount it (volumes=), or pipe it in with lab.exec")
    for a in args:
        if "\x00" in a:
            raise InvalidReference(f"{what} contains a NUL byte", value=_shown(a),
                                   hint="a command-line argument cannot hold a NUL byte; remove it")
    return args


def env(value, *, option: str = "env", flag: str = "-e", noun: str = "an environment variable name") -> dict | None:
    """``env=``: a dict of names to values (``{'A': '1'}``); also ``build_args=`` (``--build-arg``), whose
    names follow the same rule."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidReference(f"{option}= is a dict like {{'GREETING': 'hi'}}, not {type(value).__name__} {_shown(value)}",
                               value=_shown(value), hint=f"write {option}={{'A': '1'}} (the CLI's {flag} A=1)")
    out, size = {}, 0
    for k, v in value.items():
        if not isinstance(k, str) or not _ENV_KEY.match(k):
            raise InvalidReference(f"{_shown(k)} is not {noun}", value=_shown(k),
                                   hint="names are letters, digits and '_', not starting with a digit")
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise InvalidReference(f"The value of {k} is {type(v).__name__}, not text", value=_shown(v),
                                   hint=f"write {option}={{{k!r}: 'text'}}")
        v = str(v)
        if "\x00" in v:
            raise InvalidReference(f"The value of {k} contains a NUL byte", value=_shown(v), hint="remove it")
        size += len(k) + len(v.encode("utf-8", "replace")) + 2
        out[k] = v
    if size > MAX_ENV_BYTES:
        raise InvalidReference(f"{option}= is {size:,} bytes; the kit sends at most {MAX_ENV_BYTES:,}", value=f"{size} bytes",
                               hint="put large data in a file and mount it (volumes=)")
    return out


def user_labels(value) -> dict | None:
    """``labels_=``: a dict of label names to text values."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidReference(f"labels_= is a dict like {{'team': 'blue'}}, not {type(value).__name__} {_shown(value)}",
                               value=_shown(value), hint="write labels_={'team': 'blue'} (the CLI's --label team=blue)")
    out, size = {}, 0
    for k, v in value.items():
        if not isinstance(k, str) or not _LABEL_KEY.match(k):
            raise InvalidReference(f"{_shown(k)} is not a label name", value=_shown(k),
                                   hint="label names are letters, digits, '.', '_', '/', '-'")
        if not isinstance(v, str) or "\x00" in v:
            raise InvalidReference(f"The label {k} needs a text value, not {_shown(v)}", value=_shown(v),
                                   hint=f"write labels_={{{k!r}: 'text'}}")
        size += len(k) + len(v)
        out[k] = v
    if size > MAX_LABELS_BYTES:
        raise InvalidReference(f"labels_= is {size:,} bytes; the kit sends at most {MAX_LABELS_BYTES:,}",
                               value=f"{size} bytes", hint="labels are short tags, not data")
    return out


def scope(value, allowed=("session", "lesson", "mine", "kit", "engine")) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidReference(f"Unknown scope {_shown(value)}", value=_shown(value),
                               hint="one of " + ", ".join(repr(a) for a in allowed))
    return value


def signal(value) -> str:
    """A signal as the engine takes it: a Linux signal's name (``TERM``, ``SIGHUP``) or number."""
    import signal as signals

    names = {s.name[3:] for s in signals.Signals if s.name.startswith("SIG") and not s.name.startswith("SIG_")}
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 64:
        return str(value)
    text = value.strip().upper() if isinstance(value, str) else ""
    if text.startswith("SIG"):
        text = text[3:]
    if text not in names:
        raise InvalidReference(f"{_shown(value)} is not a signal", value=_shown(value),
                               hint="for example signal='TERM', 'KILL', 'HUP' or 'INT' (or its number, 1 to 64)")
    return text


def image_text(value, what: str = "An image reference") -> str:
    if not isinstance(value, str):
        raise InvalidReference(f"{what} is text like 'alpine:3.19', not {type(value).__name__} {_shown(value)}",
                               value=_shown(value), hint="for example lab.pull('alpine')")
    if len(value) > 512 or "\x00" in value:
        raise InvalidReference(f"{what} is too long or holds a NUL byte: {_shown(value)}", value=_shown(value),
                               hint="for example 'alpine:3.19'")
    return value
