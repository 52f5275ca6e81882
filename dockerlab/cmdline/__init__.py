"""One reader for every command line a learner writes: the shell's words, then the docker CLI's grammar.

``read(line)`` returns the :class:`~dockerlab.cmdline.shell.Script` (pipelines of commands, with the
``$(...)`` inside words parsed too); ``docker_calls(script)`` reads each docker command in it as the
CLI would (:class:`~dockerlab.cmdline.docker.DockerCall`), or raises the CLI's own refusal
(:class:`~dockerlab.errors.CLIRefused`, whose ``said`` is what the CLI prints). The checkers in
:mod:`dockerlab.exercises` judge what the parsed command means, never how it is spelled.
"""
from __future__ import annotations

from .docker import DockerCall, is_docker, parse
from .shell import Command, Param, Script, Word, split

__all__ = ["Command", "DockerCall", "Param", "Script", "Word", "is_docker", "one_docker_call", "parse", "read"]


def read(line: str) -> Script:
    """The command line as a shell splits it; a prompt (``$ `` or ``# ``) in front is taken off."""
    text = line.strip()
    for prompt in ("$ ", "# "):
        if text.startswith(prompt):
            text = text[len(prompt):]
    return split(text)


def one_docker_call(line: str) -> DockerCall:
    """A line that must be exactly one docker command (no pipe, no ``;``): its reading, or the refusal."""
    from ..errors import CommandLineError

    script = read(line)
    if not script.items:
        raise CommandLineError("", what="there is no command in it", hint="write the docker command")
    if len(script.items) > 1 or len(script.items[0][1]) > 1:
        raise CommandLineError("", what="it is more than one command (a pipe, ; or &&)",
                               hint="answer with the one docker command alone")
    return parse(script.items[0][1][0])
