"""The ``dockerlab`` command. Each subcommand lives in its own module, which
has ``main(argv) -> int``; this file only dispatches, so it rarely changes."""
from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "classroom": ("dockerlab.classroom.cli", "run a JupyterHub for N learners, a rootless engine each"),
    "doctor": ("dockerlab.doctor", "check this machine's Docker set-up and say what to fix"),
    "mirror": ("dockerlab.mirror", "run a classroom registry mirror and seed it with the lesson images"),
    "bake": ("dockerlab.bake", "put the lesson images into the daemonless engine's store (Binder's postBuild)"),
    "version": ("dockerlab.__main__", "print the kit's and the engine's versions"),
}


def version_main(argv) -> int:
    import dockerlab

    print(f"dockerlab {dockerlab.__version__}")
    try:
        lab = dockerlab.connect(show_cli=False)
    except dockerlab.DockerLabError as e:
        print(e, file=sys.stderr)
        return 1
    print(lab)
    return 0


def usage() -> str:
    lines = ["usage: dockerlab COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<8} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name == "version":
        return version_main(rest)
    if name not in COMMANDS:
        print(f"dockerlab: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(COMMANDS[name][0])
    except ImportError:
        print(f"dockerlab: the {name!r} command is not installed in this version", file=sys.stderr)
        return 2
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
