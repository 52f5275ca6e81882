"""``dockerlab doctor``: can this machine run the kit? If not, what to do.

Most first-day failures are set-up problems, not Docker lessons: no engine,
an engine that is not running, permission denied on the socket, the wrong
context, a stale install. :func:`run_checks` looks at the machine the way a
helpful teacher would and returns a :class:`Report`: one :class:`Check` per
question, each with a status (``pass``, ``warn``, ``fail``; ``skip`` when a
check needs something that failed before it), the evidence it saw, and the fix.

    from dockerlab.doctor import run_checks
    run_checks()                     # a table in a notebook, text in a terminal

    $ dockerlab doctor               # the same, in a terminal; exit 0 when the kit can run
    $ dockerlab doctor --json        # for scripts and teachers
    $ dockerlab doctor --install     # Docker's install steps for this system
    $ dockerlab doctor --seed        # the seed tutorial's old steps, explained line by line

Engine discovery is not repeated here: the endpoint comes from
:func:`dockerlab.endpoints.candidates` and :func:`~dockerlab.endpoints.probe`,
the connection from :func:`dockerlab.connect`, so the doctor sees exactly what
the lessons will see. Every input (the os-release file, the environment, the
``/proc`` files) can be injected, so the tests drive real situations.

The package, one module a concern: :mod:`~dockerlab.doctor.report` (Check,
Report and their text, HTML and JSON), :mod:`~dockerlab.doctor.install` (the
operating system and Docker's install steps), :mod:`~dockerlab.doctor.seed`
(the seed tutorial's steps explained), :mod:`~dockerlab.doctor.checks` (the
checks, one module a group, each declaring the facts it needs and provides),
:mod:`~dockerlab.doctor.runner` (orders the checks by those declarations and
runs them), :mod:`~dockerlab.doctor.cli` (the command line) and
:mod:`~dockerlab.doctor.errors` (its one error, which every other module may raise).
"""
from __future__ import annotations

from .checks.base import DISCOVERY_VARS
from .checks.client import blocked_for_others
from .checks.registry import HUB_ANONYMOUS_LIMIT, parse_ratelimit
from .cli import main
from .errors import DoctorInputError
from .install import (DEB_ARCH, DEBIAN_OLD, DEBIAN_RELEASES, DOCKER_APT_ARCHES, DOCS, SECURITY_NOTE, UBUNTU_OLD,
                      UBUNTU_RELEASES, InstallPlan, apt_family, dpkg_architecture, install_commands, lsb_codename,
                      parse_os_release)
from .report import STATUSES, Check, Report
from .runner import run_checks
from .seed import SEED_STEPS, SeedStep, explain_seed_steps

__all__ = ["Check", "DEBIAN_OLD", "DEBIAN_RELEASES", "DEB_ARCH", "DISCOVERY_VARS", "DOCKER_APT_ARCHES", "DOCS",
           "DoctorInputError", "HUB_ANONYMOUS_LIMIT", "InstallPlan", "Report", "SECURITY_NOTE", "SEED_STEPS",
           "STATUSES", "SeedStep", "UBUNTU_OLD", "UBUNTU_RELEASES", "apt_family", "blocked_for_others",
           "dpkg_architecture", "explain_seed_steps", "install_commands", "lsb_codename", "main",
           "parse_os_release", "parse_ratelimit", "run_checks"]
