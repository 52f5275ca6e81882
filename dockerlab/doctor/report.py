"""The doctor's report: one :class:`Check` per question, a :class:`Report` of them all,
shown as text (a terminal), HTML (a notebook) or JSON (``--json``)."""
from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass, field
from html import escape
from typing import TYPE_CHECKING

from .errors import DoctorInputError

if TYPE_CHECKING:
    from .install import InstallPlan

STATUSES = ("pass", "warn", "fail", "skip")


@dataclass
class Check:
    """One question the doctor asked: its answer, what it saw, and what to do."""

    name: str
    status: str  # pass, warn, fail, skip
    evidence: str
    fix: str = ""
    group: str = ""
    data: dict = field(default_factory=dict)  # the facts, for --json

    def __post_init__(self):
        if self.status not in STATUSES:
            raise DoctorInputError(f"A check's status must be one of {', '.join(STATUSES)}",
                                   state=f"{self.name!r} got {self.status!r}", hint="this is a bug in dockerlab")

    def as_dict(self) -> dict:
        return asdict(self)


_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "skip"}
_COLOUR = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "skip": "#6e7781"}


@dataclass
class Report:
    """All the checks. Text in a terminal, a table in a notebook, a dict for ``--json``."""

    checks: list
    install: "InstallPlan | None" = None
    seconds: float = 0.0

    @property
    def failures(self) -> list:
        return [c for c in self.checks if c.status == "fail"]

    @property
    def warnings(self) -> list:
        return [c for c in self.checks if c.status == "warn"]

    @property
    def ok(self) -> bool:
        """True when the kit can run here (no check failed)."""
        return not self.failures

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def __getitem__(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no check named {name!r}; the checks are: {', '.join(c.name for c in self.checks)}")

    @property
    def show_install(self) -> bool:
        """Install steps help when Docker seems not installed (no CLI, no socket anywhere)."""
        names = {c.name: c for c in self.checks}
        reach = names.get("Engine reachable")
        found = names.get("Engine endpoint")
        no_engine = (reach is not None and reach.status == "fail" and reach.data.get("reason") == "no-socket"
                     and found is not None and found.data.get("chosen_by") == "default")
        cli = names.get("docker CLI")
        return self.install is not None and (no_engine or (cli is not None and cli.status != "pass"))

    def summary(self) -> str:
        nf, nw = len(self.failures), len(self.warnings)
        counts = f"{nf} failure{'s' * (nf != 1)}, {nw} warning{'s' * (nw != 1)}"
        if self.ok:
            return f"{counts}: the kit can run here." + (" The warnings are worth reading." if nw else "")
        return f"{counts}: the kit cannot run yet. Fix the FAIL lines, from the top."

    def text(self, width: int = 100) -> str:
        lines = ["dockerlab doctor: can this machine run the kit?"]
        group = None
        for c in self.checks:
            if c.group != group:
                group = c.group
                lines += ["", group]
            head = f"  {_MARK[c.status]}  {c.name:<20} "
            lines += _wrap(c.evidence, head, width)
            if c.fix and c.status != "pass":
                lines += _wrap(c.fix, " " * 29 + "fix: ", width, indent=" " * 34)
            elif c.fix:
                lines += _wrap(c.fix, " " * 29 + "note: ", width, indent=" " * 35)
        lines += ["", self.summary()]
        if self.show_install:
            lines += ["", "How to install Docker here (also: dockerlab doctor --install):", "",
                      textwrap.indent(self.install.text(), "  ")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__

    def as_dict(self) -> dict:
        from .. import __version__

        return {"ok": self.ok, "exit_code": self.exit_code, "summary": self.summary(),
                "dockerlab": __version__, "seconds": round(self.seconds, 2),
                "counts": {s: sum(c.status == s for c in self.checks) for s in STATUSES},
                "checks": [c.as_dict() for c in self.checks],
                "install": self.install.as_dict() if self.install else None}

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.as_dict(), indent=indent, default=str)

    def _repr_html_(self) -> str:
        rows, group = [], None
        for c in self.checks:
            if c.group != group:
                group = c.group
                rows.append(f"<tr><th colspan='4' style='text-align:left;padding-top:0.6em'>{escape(group)}</th></tr>")
            fix = escape(c.fix) if c.fix else ""
            if fix and c.status == "pass":
                fix = f"<span style='opacity:0.85'>{fix}</span>"  # muted, in the theme's text colour
            rows.append(
                f"<tr class='dockerlab-doctor-{c.status}'>"
                f"<td style='vertical-align:top;text-align:left;font-weight:bold;border-left:4px solid {_COLOUR[c.status]}'>"
                f"{_MARK[c.status]}</td>"
                f"<td style='vertical-align:top;text-align:left;white-space:nowrap'>{escape(c.name)}</td>"
                f"<td style='vertical-align:top;text-align:left;white-space:pre-wrap'>{escape(c.evidence)}</td>"
                f"<td style='vertical-align:top;text-align:left;white-space:pre-wrap'>{fix}</td></tr>")
        colour = _COLOUR["pass" if self.ok else "fail"]
        html = ("<div class='dockerlab-doctor'><table>"
                "<tr><th style='text-align:left'></th><th style='text-align:left'>check</th>"
                "<th style='text-align:left'>what the doctor saw</th><th style='text-align:left'>what to do</th></tr>"
                + "".join(rows) + "</table>"
                f"<p style='border-left:4px solid {colour};padding-left:6px;font-weight:bold'>{escape(self.summary())}</p>")
        if self.show_install:
            html += ("<details open><summary>How to install Docker here</summary>"
                     f"<pre>{escape(self.install.text())}</pre></details>")
        return html + "</div>"


def _wrap(text: str, head: str, width: int, indent: str | None = None) -> list[str]:
    indent = " " * len(head) if indent is None else indent
    out = []
    for i, para in enumerate(str(text).splitlines() or [""]):
        first = head if i == 0 else indent
        lead = para[:len(para) - len(para.lstrip())]
        out += textwrap.wrap(para.strip(), width=width, initial_indent=first + lead,
                             subsequent_indent=indent + lead + ("  " if lead else ""),
                             break_long_words=False, break_on_hyphens=False) or [first.rstrip()]
    return out
