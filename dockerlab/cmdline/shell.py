"""A command line split into words as a POSIX shell does, and into commands joined by ``|``, ``;``, ``&&``.

Quotes (single, double), backslashes, ``$(...)`` and backticks (nested command lines, parsed too),
``$NAME`` and ``${NAME}`` (kept as written: the checker does not know the learner's environment),
assignments before a command (``DOCKER_HOST=... docker ps``), redirections (``2>/dev/null``) and
comments. Nothing is run and nothing is expanded: a substitution stays a :class:`Script` inside its word.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ShellSyntaxError

_OPERATORS = ("&&", "||", ";;", ";", "&", "|", "\n")
_SPECIAL = set(" \t\n;&|<>()")


@dataclass
class Param:
    """``$NAME`` or ``${NAME}``: a value the shell fills in; the checker only knows its name."""

    name: str


@dataclass
class Word:
    """One word after quote removal: literal text, ``Param`` and nested ``Script`` parts in order."""

    parts: list = field(default_factory=list)
    source: str = ""

    @property
    def literal(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    @property
    def text(self) -> str:
        """The word's text; a substitution or a parameter is shown as it was written."""
        out = []
        for p in self.parts:
            out.append(p if isinstance(p, str) else f"${p.name}" if isinstance(p, Param) else f"$({p.source})")
        return "".join(out)

    @property
    def scripts(self) -> list["Script"]:
        return [p for p in self.parts if isinstance(p, Script)]

    def __str__(self) -> str:
        return self.text


@dataclass
class Command:
    """A simple command: ``NAME=value`` assignments, then words (``words[0]`` is the program)."""

    assignments: list[str] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)


@dataclass
class Script:
    """Pipelines joined by ``;``, ``&&``, ``||``, ``&``: ``items`` is ``[(operator before it, pipeline), ...]``."""

    items: list[tuple[str, list[Command]]] = field(default_factory=list)
    source: str = ""

    @property
    def pipelines(self) -> list[list[Command]]:
        return [p for _, p in self.items]

    def commands(self):
        """Every simple command, the nested ones (in substitutions) too: ``(command, depth)``."""
        for pipeline in self.pipelines:
            for cmd in pipeline:
                yield cmd, 0
                for w in cmd.words:
                    for s in w.scripts:
                        for inner, depth in s.commands():
                            yield inner, depth + 1


def split(line: str) -> Script:
    """Parse ``line`` as a shell would; raise :class:`~dockerlab.errors.ShellSyntaxError` if it cannot."""
    if not isinstance(line, str):
        raise TypeError(f"a command line is text, not {type(line).__name__}")
    parser = _Parser(line)
    script = parser.script(end="")
    return script


class _Parser:
    def __init__(self, text: str):
        self.s = text
        self.i = 0

    def fail(self, what: str, hint: str) -> None:
        raise ShellSyntaxError(what, what=f"the shell cannot read this line: {what}", hint=hint)

    def peek(self, n: int = 1) -> str:
        return self.s[self.i:self.i + n]

    # --- commands and operators -------------------------------------------------------------
    def script(self, end: str) -> Script:
        start = self.i
        items: list[tuple[str, list[Command]]] = []
        op, pipeline, cmd = "", [], Command()
        while True:
            self.blanks()
            c = self.peek()
            if c == "" or (end and c == end):
                if c == "" and end:
                    self.fail(f"the `$(` opened at character {start} is never closed by `)`", "close it with )")
                break
            if c == "#":
                while self.peek() not in ("", "\n"):
                    self.i += 1
                continue
            oper = next((o for o in _OPERATORS if self.s.startswith(o, self.i)), None)
            if oper:
                self.i += len(oper)
                if not cmd.words and not cmd.assignments:
                    if oper == "\n" and not pipeline:
                        continue
                    self.fail(f"syntax error near unexpected token `{oper.strip() or 'newline'}'",
                              "put a command on each side of it")
                pipeline.append(cmd)
                cmd = Command()
                if oper != "|":
                    items.append((op, pipeline))
                    op, pipeline = ("" if oper == "\n" else oper), []
                continue
            if c in "()":
                self.fail(f"syntax error near unexpected token `{c}'", "a $ goes before ( for a command substitution: $(...)")
            if self.redirect():
                continue
            w = self.word()
            if not cmd.words and _is_assignment(w):
                cmd.assignments.append(w.text)
            else:
                cmd.words.append(w)
        if cmd.words or cmd.assignments:
            pipeline.append(cmd)
        elif pipeline:
            self.fail("syntax error: a `|` with no command after it", "put a command after the |")
        if pipeline:
            items.append((op, pipeline))
        elif op in ("&&", "||"):
            self.fail(f"syntax error: `{op}` with no command after it", f"put a command after the {op}")
        src = self.s[start:self.i]
        return Script(items, src)

    def blanks(self) -> None:
        while True:
            if self.peek() in (" ", "\t"):
                self.i += 1
            elif self.peek(2) == "\\\n":
                self.i += 2
            else:
                return

    def redirect(self) -> bool:
        j = self.i
        while j < len(self.s) and self.s[j].isdigit():
            j += 1
        rest = self.s[j:]
        for op in ("&>>", "&>", ">>", ">&", "<&", ">", "<"):
            if rest.startswith(op) and (j == self.i or op[0] in "<>"):
                self.i = j + len(op)
                self.blanks()
                if self.peek() in ("", "\n", ";", "|", "&"):
                    self.fail(f"syntax error: the redirection `{op}` names no file", "write a file after it, e.g. 2>/dev/null")
                self.word()
                return True
        return False

    # --- words ---------------------------------------------------------------------------------
    def word(self) -> Word:
        start = self.i
        parts: list = []
        buf: list[str] = []

        def flush():
            if buf:
                parts.append("".join(buf))
                buf.clear()

        while self.i < len(self.s):
            c = self.s[self.i]
            if c in _SPECIAL:
                break
            if c == "\\":
                nxt = self.s[self.i + 1:self.i + 2]
                self.i += 2
                if nxt != "\n":
                    buf.append(nxt)
            elif c == "'":
                end = self.s.find("'", self.i + 1)
                if end < 0:
                    self.fail("unexpected EOF while looking for matching `''", "close the quote with '")
                buf.append(self.s[self.i + 1:end])
                self.i = end + 1
            elif c == '"':
                self.i += 1
                self.double_quoted(buf, flush, parts)
            elif c == "$" or c == "`":
                self.expansion(c, buf, flush, parts)
            else:
                buf.append(c)
                self.i += 1
        flush()
        if not parts and self.i > start:
            parts.append("")  # '' or "": an empty word, still a word
        return Word(parts, self.s[start:self.i])

    def double_quoted(self, buf, flush, parts) -> None:
        while True:
            if self.i >= len(self.s):
                self.fail('unexpected EOF while looking for matching `"\'', 'close the quote with "')
            c = self.s[self.i]
            if c == '"':
                self.i += 1
                return
            if c == "\\" and self.s[self.i + 1:self.i + 2] in ('"', "\\", "$", "`", "\n"):
                if self.s[self.i + 1] != "\n":
                    buf.append(self.s[self.i + 1])
                self.i += 2
            elif c in "$`":
                self.expansion(c, buf, flush, parts)
            else:
                buf.append(c)
                self.i += 1

    def expansion(self, c, buf, flush, parts) -> None:
        """At ``$`` or a backtick, in a word or in double quotes: a part of its own, or a plain ``$``."""
        sub = self.dollar()
        if sub is None:
            buf.append(c)
            self.i += 1
        else:
            flush()
            parts.append(sub)

    def dollar(self):
        """At ``$`` or a backtick: a nested Script, a Param, or None (a plain ``$``)."""
        s, i = self.s, self.i
        if s[i] == "`":
            j, inner = i + 1, []
            while j < len(s) and s[j] != "`":
                if s[j] == "\\" and s[j + 1:j + 2] in ("`", "\\", "$"):
                    j += 1
                inner.append(s[j])
                j += 1
            if j >= len(s):
                self.fail("unexpected EOF while looking for matching ``'", "close the backquote with `")
            self.i = j + 1
            nested = split("".join(inner))
            return nested
        if s.startswith("$((", i):
            end = s.find("))", i)
            if end < 0:
                self.fail("the arithmetic `$((` is never closed", "close it with ))")
            self.i = end + 2
            return Param(s[i + 3:end])
        if s.startswith("$(", i):
            self.i = i + 2
            nested = self.script(end=")")
            self.i += 1  # the )
            return nested
        if s.startswith("${", i):
            end = s.find("}", i)
            if end < 0:
                self.fail("bad substitution: `${` is never closed", "close it with }")
            self.i = end + 1
            return Param(s[i + 2:end])
        j = i + 1
        if j < len(s) and (s[j].isalpha() or s[j] == "_"):
            while j < len(s) and (s[j].isalnum() or s[j] == "_"):
                j += 1
            self.i = j
            return Param(s[i + 1:j])
        if j < len(s) and s[j] in "@*#?$!-0123456789":
            self.i = j + 1
            return Param(s[j])
        return None


def _is_assignment(w: Word) -> bool:
    head = w.parts[0] if w.parts else ""
    if not isinstance(head, str) or "=" not in head or w.source[:1] in ("'", '"'):
        return False
    name = head.split("=", 1)[0]
    return bool(name) and (name[0].isalpha() or name[0] == "_") and all(ch.isalnum() or ch == "_" for ch in name)
