"""The ``dockerlab`` command: ``dockerlab doctor`` and friends."""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="dockerlab", description="dockerlab: learn Docker by doing")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("version", help="print the kit's and the engine's versions")
    args = parser.parse_args(argv)
    if args.command == "version":
        import dockerlab

        print(f"dockerlab {dockerlab.__version__}")
        try:
            lab = dockerlab.connect(show_cli=False)
        except dockerlab.DockerLabError as e:
            print(e, file=sys.stderr)
            return 1
        print(lab)
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
