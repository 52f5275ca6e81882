"""``dockerlab doctor``: the command line (``--json``, ``--offline``, ``--no-smoke``, ``--install``, ``--seed``)."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
from dataclasses import asdict

from ..errors import DockerLabError
from .checks import system
from .checks.base import Ctx, read
from .install import install_commands
from .errors import DoctorInputError
from .runner import run_checks
from .seed import explain_seed_steps


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dockerlab doctor",
                                description="Check this machine's Docker set-up and say what to fix. "
                                            "Exit code 0 when the kit can run here, 1 when it cannot.")
    p.add_argument("--json", action="store_true", help="print the report as JSON (for scripts and teachers)")
    p.add_argument("--offline", action="store_true", help="do not contact Docker Hub")
    p.add_argument("--no-smoke", action="store_true", help="do not run the tiny test container")
    p.add_argument("--install", action="store_true", help="print Docker's install steps for this system and stop")
    p.add_argument("--seed", action="store_true", help="explain the tutorial's install steps line by line and stop")
    p.add_argument("--os-release", default="/etc/os-release", metavar="PATH",
                   help="read this file instead of /etc/os-release (to preview another distribution's steps)")
    p.add_argument("--for-others", action="store_true", default=None,
                   help="also check what other users of this machine need (the default as root)")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for each endpoint (default 3)")
    return p


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # argparse printed the problem (or --help)
        return int(e.code or 0)
    try:
        if args.seed:
            steps = explain_seed_steps()
            if args.json:
                print(json.dumps([asdict(s) for s in steps], indent=2))
            else:
                print("The tutorial's install steps, then and now:\n")
                print("\n\n".join(repr(s) for s in steps))
            return 0
        if args.install:
            text = read(args.os_release)
            if text is None and platform.system() == "Linux":
                raise DoctorInputError(f"Cannot read {args.os_release}", state="the doctor needs it to name your release",
                                       hint="pass --os-release PATH to a readable os-release file")
            ctx = Ctx(None, args.os_release, "/proc/version", (), args.timeout)
            system._check_wsl(ctx)
            plan = install_commands(text, wsl=bool(ctx.wsl))
            print(json.dumps(plan.as_dict(), indent=2) if args.json else plan.text())
            return 0
        report = run_checks(os_release=args.os_release, smoke=not args.no_smoke, online=not args.offline,
                            timeout=args.timeout,
                            for_others=os.getuid() == 0 if args.for_others is None else args.for_others)
    except DockerLabError as e:
        if args.json:
            print(json.dumps({"ok": False, "error": type(e).__name__, "message": str(e)}, indent=2))
        else:
            print(f"dockerlab doctor: {e}", file=sys.stderr)
        return 2
    try:
        print(report.to_json() if args.json else report.text(width=shutil.get_terminal_size((100, 20)).columns))
        sys.stdout.flush()
    except BrokenPipeError:  # `dockerlab doctor | head`: the reader left; the exit code still says it all
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return report.exit_code
