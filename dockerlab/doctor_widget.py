"""The doctor as a widget, for the installation notebook: a Run checks button and the report's table.

    from dockerlab.doctor_widget import DoctorWidget
    DoctorWidget()            # the notebook shows it; click "Run checks"

The widget holds no checking logic: :meth:`DoctorWidget.run` calls
:func:`dockerlab.doctor.run_checks` and shows the :class:`~dockerlab.doctor.Report`'s
own HTML. Outside a widget, ``run_checks()`` alone shows the same table.
"""
from __future__ import annotations

from html import escape

import ipywidgets as W
import traitlets

from . import doctor
from .a11y import box
from .errors import DockerLabError


class DoctorWidget(W.VBox):
    """Run the doctor's checks and show them as a table (pass / warn / fail, evidence, fix)."""

    #: Run a tiny container as part of the checks (``docker run --rm hello-world``).
    smoke = traitlets.Bool(True)
    #: Contact Docker Hub (reachability and pull budget).
    online = traitlets.Bool(True)
    #: "not run", "running", "ok" (the kit can run), "problems" (a check failed), "error".
    status = traitlets.Unicode("not run", read_only=True)
    #: The report's one-line summary ("" before the first run).
    summary = traitlets.Unicode("", read_only=True)

    def __init__(self, *, smoke: bool = True, online: bool = True, checks=None, **options):
        """``options`` go to :func:`~dockerlab.doctor.run_checks` (env, os_release, timeout, ...);
        ``checks`` replaces ``run_checks`` itself (for tests of the widget's state)."""
        super().__init__()
        self._checks = checks or doctor.run_checks
        self.options = dict(options)
        self.report: doctor.Report | None = None
        self.error: Exception | None = None
        self._run = W.Button(description="Run checks", button_style="primary", icon="stethoscope",
                             tooltip="dockerlab doctor")
        self._smoke = W.Checkbox(value=smoke, description="run a test container", indent=False)
        self._online = W.Checkbox(value=online, description="check Docker Hub", indent=False)
        self._status = W.HTML("<i>Press Run checks: the doctor looks at this machine's Docker set-up.</i>")
        self._table = W.HTML()
        self._out = W.Output()  # anything printed during the checks lands here, not in a random cell
        self._run.on_click(self._on_run)
        self._smoke.observe(self._on_option, names="value")
        self._online.observe(self._on_option, names="value")
        self.smoke, self.online = smoke, online
        self.children = [
            W.HTML("<b>dockerlab doctor</b> &mdash; can this machine run the kit?"),
            W.HBox([self._run, self._smoke, self._online]),
            self._status, self._table, self._out,
        ]

    # --- callbacks: only delegate ----------------------------------------------------
    def _on_run(self, _button):
        self.run()

    def _on_option(self, change):
        setattr(self, "smoke" if change["owner"] is self._smoke else "online", bool(change["new"]))

    # --- public, testable --------------------------------------------------------------
    def run(self) -> "doctor.Report | None":
        """Run the checks now and show the table. Returns the report (None if the doctor itself failed)."""
        self._smoke.value, self._online.value = self.smoke, self.online
        self._run.disabled = True
        self.set_trait("status", "running")
        self._status.value = "<i>Checking&hellip;</i>"
        self.error = None
        from .widgets._common import attempt, clear

        clear(self._out)
        try:
            report, err = attempt(self._out, self._checks, smoke=self.smoke, online=self.online, **self.options)
        finally:
            self._run.disabled = False
        if err is not None:  # the doctor must never show a learner a traceback
            self.error, self.report = err, None
            self.set_trait("status", "error")
            self.set_trait("summary", str(err))
            body = err._repr_html_() if isinstance(err, DockerLabError) else f"<b>{escape(type(err).__name__)}</b>: {escape(str(err))}"
            self._status.value = box("error", f"The doctor could not finish: {body}")
            self._table.value = ""
            return None
        self.report = report
        self.set_trait("status", "ok" if self.report.ok else "problems")
        self.set_trait("summary", self.report.summary())
        self._status.value = ""
        self._table.value = self.report._repr_html_()
        return self.report

    @property
    def shown(self) -> str:
        """What the widget shows, as plain text."""
        from .widgets.launcher import plain

        return plain(self._status.value + "\n" + self._table.value)

    def __repr__(self) -> str:
        if self.status in ("not run", "running"):
            return f"DoctorWidget({self.status})"
        return f"DoctorWidget({self.status}: {self.summary})"
