"""The docker CLI's grammar: a shell command's words -> a :class:`DockerCall`, or the CLI's own refusal.

Options are read as pflag (the CLI's flag library) reads them: ``-itd`` is ``-i -t -d``, ``-n3`` and
``-n 3`` and ``--last=3`` are one option with a value, ``--`` ends the options, a boolean takes a
value only after ``=``. ``sudo`` (with its options), ``xargs`` (with its options; the words it reads
from the pipe come after the command's own) and assignments before ``docker`` are taken off first.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CLIRefused, CommandLineError
from . import flags as F
from .shell import Command, Word

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


@dataclass
class DockerCall:
    """One docker command as the CLI reads it.

    ``path``: the canonical command (``("container", "ls")`` for ``docker ps`` and ``docker container
    list``); ``shown``: its name as the CLI prints it (``docker ps``); ``options``: long name -> the
    values given, in order (``True``/``False`` for a boolean); ``args``: the other words.
    """

    path: tuple[str, ...]
    shown: str
    options: dict[str, list] = field(default_factory=dict)
    args: list[Word] = field(default_factory=list)
    global_options: dict[str, list] = field(default_factory=dict)
    sudo: bool = False
    xargs: dict[str, list] | None = None  # the options of an `xargs` that runs it, if one does

    @property
    def name(self) -> str:
        return " ".join(p for p in self.path if p)

    def flag(self, name: str) -> bool:
        """A boolean option's value: the last one given wins (``--all=false`` after ``-a`` is false)."""
        vals = self.options.get(name)
        return bool(vals and vals[-1] is True)

    def value(self, name: str) -> str | None:
        vals = self.options.get(name)
        return vals[-1] if vals else None

    def values(self, name: str) -> list:
        return list(self.options.get(name) or [])

    @property
    def arg_texts(self) -> list[str]:
        return [w.text for w in self.args]


def _refuse(said: str, command: str, hint: str = "") -> CLIRefused:
    return CLIRefused(said, command=command, what=f"the CLI refuses it: `{said}`", hint=hint)


def parse_options(words: list[Word], spec: str, *, interspersed: bool, command: str, optional_values: bool = False):
    """pflag's reading of ``words`` against a flag table: ``(options, args)``, or :class:`CLIRefused`.
    ``optional_values``: a flag with no value in the table may still take one after ``=`` (sudo's
    ``--preserve-env=LIST``), as getopt_long reads it."""
    longs, shorts = F.table(spec)
    opts: dict[str, list] = {}
    args: list[Word] = []
    i = 0

    def put(name: str, value) -> None:
        if value is not True and not longs[name] and not optional_values:  # a boolean given a value with =
            if value in _TRUE:
                value = True
            elif value in _FALSE:
                value = False
            else:
                short = next((f"-{k}, " for k, v in shorts.items() if v == name and k != name), "")
                raise _refuse(f'invalid argument "{value}" for "{short}--{name}" flag: strconv.ParseBool: '
                              f'parsing "{value}": invalid syntax', command, "a yes/no option takes =true or =false")
        opts.setdefault(name, []).append(value)

    while i < len(words):
        w = words[i]
        t = w.text
        i += 1
        if t == "-" or not w.parts or not isinstance(w.parts[0], str) or not w.parts[0].startswith("-"):
            args.append(w)
            if not interspersed:
                args += words[i:]
                break
            continue
        if t == "--":
            args += words[i:]
            break
        if t.startswith("--"):
            name, eq, value = t[2:].partition("=")
            if not name or name.startswith("-") or name.startswith("="):
                raise _refuse(f"bad flag syntax: {t}", command, "a long option is two hyphens and a name: --all")
            if name not in longs:
                raise _refuse(f"unknown flag: --{name}", command, _near(name, longs))
            if longs[name]:
                if not eq:
                    if i >= len(words):
                        raise _refuse(f"flag needs an argument: --{name}", command, f"give it a value: --{name} VALUE")
                    value, i = words[i].text, i + 1
                put(name, value)
            else:
                put(name, value if eq else True)
            continue
        letters = t[1:]
        while letters:
            c = letters[0]
            if c not in shorts:
                raise _refuse(f"unknown shorthand flag: '{c}' in -{letters}", command, _near_short(t, longs))
            name = shorts[c]
            if len(letters) > 2 and letters[1] == "=":
                put(name, letters[2:])
                letters = ""
            elif longs[name]:
                if len(letters) > 1:
                    put(name, letters[1:])
                elif i < len(words):
                    put(name, words[i].text)
                    i += 1
                else:
                    raise _refuse(f"flag needs an argument: '{c}' in -{c}", command, f"give it a value: -{c} VALUE")
                letters = ""
            else:
                put(name, True)
                letters = letters[1:]
    return opts, args


def _near(name: str, longs: dict) -> str:
    close = [n for n in longs if n.startswith(name[:3])] if len(name) > 2 else []
    return f"did you mean --{close[0]}?" if len(close) == 1 else "see the command's --help for its options"


def _near_short(word: str, longs: dict) -> str:
    if word[1:].split("=", 1)[0] in longs:
        return f"a long option takes two hyphens: -{word}"
    return "after one hyphen, each letter is an option of its own; see the command's --help"


_REFERENCES = {("container", "run"): 1, ("container", "create"): 1, ("image", "pull"): 1, ("image", "push"): 1,
               ("image", "tag"): 2}


def _check_references(path, args, shown) -> None:
    """The CLI parses an image reference before it calls the engine: `docker: invalid reference format`."""
    from ..errors import InvalidReference
    from ..refs import parse_image

    for w in args[:_REFERENCES.get(path, 0)]:
        if not w.literal:
            continue
        try:
            parse_image(w.text)
        except InvalidReference as e:
            lower = w.text.lower()
            said = "docker: invalid reference format"
            if lower != w.text and _valid(lower):
                name = w.text.split(":")[0]
                said += f": repository name ({name if '/' in name else 'library/' + name}) must be lowercase"
            raise _refuse(said, shown, e.hint or "an image name is lowercase letters, digits, . _ - / and :tag") from e


def _valid(ref: str) -> bool:
    from ..errors import InvalidReference
    from ..refs import parse_image

    try:
        parse_image(ref)
        return True
    except InvalidReference:
        return False


def _strip_wrappers(cmd: Command):
    """Take off `sudo [options]`, `xargs [options]`, assignments: the docker words, and what wrapped them."""
    words = list(cmd.words)
    sudo, xargs = False, None
    while words:
        head = words[0].text
        if head == "sudo":
            sudo = True
            opts, rest = parse_options(words[1:], F.SUDO, interspersed=False, command="sudo", optional_values=True)
            words = rest
            while words and "=" in words[0].text and words[0].text.split("=", 1)[0].isidentifier():
                words = words[1:]  # sudo VAR=value docker ...
        elif head == "xargs":
            xargs, words = parse_options(words[1:], F.XARGS, interspersed=False, command="xargs", optional_values=True)
        elif head in ("command", "exec", "time", "nohup"):
            words = words[1:]
        elif head == "env":
            words = words[1:]
            while words and "=" in words[0].text and not words[0].text.startswith("-"):
                words = words[1:]
        else:
            break
    return words, sudo, xargs


def is_docker(cmd: Command) -> bool:
    words, _, _ = _strip_wrappers(cmd)
    return bool(words) and words[0].text.rsplit("/", 1)[-1] == "docker"


def parse(cmd: Command) -> DockerCall:
    """Read one simple command as the docker CLI would. Raises :class:`CLIRefused` with the CLI's words."""
    words, sudo, xargs = _strip_wrappers(cmd)
    if not words or words[0].text.rsplit("/", 1)[-1] != "docker":
        prog = words[0].text if words else ""
        raise CommandLineError(f"{prog}: command not found",
                               what=f"{prog!r} is not a docker command: it should start with docker" if prog
                               else "there is no command", hint="start with docker")
    glob, rest = parse_options(words[1:], F.GLOBAL, interspersed=False, command="docker")
    if not rest:
        raise _refuse("docker: 'docker' requires a command", "docker", "for example docker ps")
    head = rest[0].text
    if head in F.ALIASES:
        if len(rest) < 2:
            raise _refuse(f"docker: 'docker {head}' requires a command", f"docker {head}",
                          f"for example docker {head} ls")
        sub = rest[1].text
        canonical = F.ALIASES[head].get(sub, sub)
        path = (head, canonical)
        if path not in F.COMMANDS:
            raise _refuse(f"docker: unknown command: docker {head} {sub}", f"docker {head}",
                          f"see docker {head} --help")
        shown, tail = f"docker {head} {canonical}", rest[2:]
    elif head in F.SHORTCUTS:
        path, shown, tail = F.SHORTCUTS[head], f"docker {head}", rest[1:]
    else:
        raise _refuse(f"docker: unknown command: docker {head}", "docker", "see docker --help for the commands")
    spec, least, most, interspersed = F.COMMANDS[path]
    opts, args = parse_options(tail, spec, interspersed=interspersed, command=shown)
    n = len(args) + (1 if xargs is not None else 0)  # xargs adds the words it reads (at least one, or none at all)
    if most == 0 and args:
        raise _refuse(f"docker: '{shown}' accepts no arguments", shown, "this command takes only options")
    if n < least:
        word = "argument" if least == 1 else "arguments"
        said = (f"docker: '{shown}' requires {least} {word}" if most == least
                else f"docker: '{shown}' requires at least {least} {word}")
        raise _refuse(said, shown, "say which ones: names, ids, or $(...) that prints them")
    if most is not None and len(args) > most:
        raise _refuse(f"docker: '{shown}' requires at most {most} argument{'s' if most != 1 else ''}"
                      if most != least else f"docker: '{shown}' requires {most} argument{'s' if most != 1 else ''}",
                      shown, "see its --help")
    _check_references(path, args, shown)
    for value in opts.get("filter", []):
        if "=" not in str(value):
            short = "-f, " if "f" in F.table(spec)[1] else ""
            raise _refuse(f'invalid argument "{value}" for "{short}--filter" flag: bad format of filter '
                          "(expected name=value)", shown, "a filter is name=value, e.g. label=org.dockerlab.owner=YOU")
    return DockerCall(path, shown, opts, args, glob, sudo, xargs)
