"""What a parsed command line does: which containers a `docker ps` lists, which a `docker rm` removes.

The docker CLI's rules (docker/cli ``container/list.go``, the engine's filters): ``-a`` adds the stopped
containers, ``-l`` keeps only the latest, ``-n N`` the last N, ``-q`` (or ``--format '{{.ID}}'``)
prints only ids; filters with different keys must all hold, and several ``label`` filters must all
hold too, while several values of another key (``status=exited --filter status=running``) are alternatives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import docker
from .docker import DockerCall
from .shell import Script, Word

_ID_ONLY = re.compile(r"^\s*\{\{\s*\.ID\s*\}\}\s*$")


@dataclass
class Filter:
    key: str
    value: str
    negated: bool = False  # label!=...

    def __str__(self) -> str:
        return f"{self.key}{'!=' if self.negated else '='}{self.value}"


@dataclass
class Listing:
    """The containers a `docker ps` (`docker container ls`) prints, as the CLI would select them."""

    call: DockerCall
    all: bool = False
    latest: bool = False
    last: int | None = None
    ids_only: bool = False
    filters: list[Filter] = field(default_factory=list)

    def labels(self) -> list[Filter]:
        return [f for f in self.filters if f.key == "label"]


def listing(call: DockerCall) -> Listing:
    """``docker ps -aqf label=x`` -> ``Listing(all=True, ids_only=True, filters=[label=x])``."""
    last = call.value("last")
    try:
        n = int(last) if last is not None else None
    except ValueError:
        n = None
    fmt = call.value("format")
    filters = []
    for text in call.values("filter"):
        key, sep, value = str(text).partition("=")
        negated = key.endswith("!")
        filters.append(Filter(key.rstrip("!").strip().lower(), value if sep else "", negated))
    return Listing(call, all=call.flag("all"), latest=call.flag("latest"),
                   last=n if n is not None and n >= 0 else None,
                   ids_only=call.flag("quiet") or bool(fmt and _ID_ONLY.match(fmt)), filters=filters)


@dataclass
class Source:
    """Where a `docker rm` gets the containers it removes: names typed, or what a command prints."""

    names: list[str] = field(default_factory=list)   # literal names or ids
    listings: list[Listing] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # a substitution that is not a docker ps (its text)


def docker_calls(script: Script) -> list[tuple[int, int, DockerCall | None, object]]:
    """Every top-level command: ``(pipeline index, position, DockerCall or None, the command)``.
    A docker command the CLI refuses raises :class:`~dockerlab.errors.CLIRefused`."""
    out = []
    for i, pipeline in enumerate(script.pipelines):
        for j, cmd in enumerate(pipeline):
            out.append((i, j, docker.parse(cmd) if docker.is_docker(cmd) else None, cmd))
    return out


def _inner_listing(script: Script, into: Source, text: str) -> None:
    pipelines = script.pipelines
    if len(pipelines) == 1 and len(pipelines[0]) == 1 and docker.is_docker(pipelines[0][0]):
        call = docker.parse(pipelines[0][0])
        if call.path == ("container", "ls"):
            into.listings.append(listing(call))
            return
    into.others.append(text)


def source_of(rm: DockerCall, before: DockerCall | None = None) -> Source:
    """The containers ``rm`` is given: its words (a ``$(docker ps ...)`` is read as a Listing), and, when an
    ``xargs`` runs it, what the command ``before`` it in the pipe prints."""
    src = Source()
    for w in rm.args:
        _word_source(w, src)
    if rm.xargs is not None:
        if before is not None and before.path == ("container", "ls"):
            src.listings.append(listing(before))
        else:
            src.others.append(before.shown if before else "the input")
    return src


def _word_source(w: Word, src: Source) -> None:
    if w.scripts:
        for s in w.scripts:
            _inner_listing(s, src, f"$({s.source})")
    else:
        src.names.append(w.text)
