"""The command line: `convdocs build` renders the figures, `convdocs list` names them."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="convdocs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="render every figure that changed into figures/")
    b.add_argument("--only", nargs="+", metavar="NAME", help="render only these figures")
    b.add_argument("--out", metavar="DIR", help="output folder (default: figures/)")
    b.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    b.add_argument("--force", action="store_true", help="render even unchanged figures")
    sub.add_parser("list", help="list the figures: name, page, title")
    args = parser.parse_args(argv)

    from . import build, catalogue
    if args.command == "list":
        for spec in catalogue.FIGURES.values():
            kind = "animated" if spec.animated else "static"
            print(f"{spec.name:34} {spec.page:22} {kind:8}  {spec.title}")
        return 0
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be at least 1 (got {args.jobs})")
    try:
        failed = build.build(only=args.only, out=args.out, jobs=args.jobs, force=args.force)
    except build.UnknownFigure as exc:
        parser.error(str(exc))
    except ValueError as exc:      # a damaged manifest: say which file, change nothing
        print(f"convdocs: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: every file in the output folder is complete, old or new",
              file=sys.stderr)
        return 130
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
