"""The command line: `convdocs build` renders the figures, `convdocs slides` their slides,
`convdocs list` names them, `convdocs deck` assembles the teaching kit from the slide files.

Problems end in a one-line message naming the file or the option and what to do,
with exit status 1 (2 for a usage error), and no traceback unless ``--debug``.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys

HINTS = {
    errno.ENOSPC: "free some space and build again",
    errno.EDQUOT: "free some space and build again",
    errno.EACCES: "check the folder's permissions, or build elsewhere with --out",
    errno.EPERM: "check the folder's permissions, or build elsewhere with --out",
    errno.EROFS: "the file system is read-only: build elsewhere with --out",
    errno.EISDIR: "a folder stands where a file goes: move it away",
    errno.ENOTDIR: "a file stands where a folder goes: move it away",
}


def _os_message(exc: OSError) -> str:
    where = exc.filename or "the output folder"
    hint = HINTS.get(exc.errno, "see the message above")
    return (f"cannot write {where}: {exc.strerror or exc}; {hint}. Every figure file is "
            f"complete, old or new")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="convdocs", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="render every figure that changed into figures/")
    b.add_argument("--only", nargs="+", metavar="NAME", help="render only these figures")
    b.add_argument("--out", metavar="DIR", help="output folder (default: figures/)")
    b.add_argument("--jobs", type=int, metavar="N",
                   help="worker processes (default and most: the CPUs, and the figures to "
                        "render)")
    b.add_argument("--force", action="store_true", help="render even unchanged figures")
    b.add_argument("--debug", action="store_true", help="show tracebacks")
    sub.add_parser("list", help="list the figures: name, page, title")
    d = sub.add_parser("deck", help="assemble the teaching kit (decks, handout, zips) from "
                                    "the slide files into build/teaching/")
    d.add_argument("--out", metavar="DIR",
                   help="the slides' folder, as for `convdocs slides --out`: reads "
                        "DIR/slides.json, writes the kit into DIR (default: build/teaching/)")
    d.add_argument("--force", action="store_true", help="rebuild even unchanged files")
    d.add_argument("--debug", action="store_true", help="show tracebacks")
    sl = sub.add_parser("slides", help="render every figure on 1920 x 1080 slides into "
                                       "build/teaching/figures/ (listed in slides.json)")
    sl.add_argument("--only", nargs="+", metavar="NAME", help="render only these figures")
    sl.add_argument("--out", metavar="DIR", help="output folder (default: build/teaching/)")
    sl.add_argument("--jobs", type=int, metavar="N", help="worker processes")
    sl.add_argument("--force", action="store_true", help="render even unchanged slides")
    sl.add_argument("--debug", action="store_true", help="show tracebacks")
    args = parser.parse_args(argv)

    from . import build, catalogue
    if args.command == "list":
        for spec in catalogue.FIGURES.values():
            kind = "animated" if spec.animated else "static"
            print(f"{spec.name:34} {spec.page:22} {kind:8}  {spec.title}")
        return 0
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        parser.error(f"--jobs must be at least 1 (got {args.jobs})")
    from . import slides, teaching
    try:
        if args.command == "deck":
            figures, out, docs = teaching.default_paths()
            if args.out is not None:
                out = build.check_out(args.out, out)
            teaching.assemble(out, figures, docs_dir=docs, force=args.force)
            failed = 0
        elif args.command == "slides":
            failed = slides.build_slides(only=args.only, out=args.out, jobs=args.jobs,
                                         force=args.force)
        else:
            failed = build.build(only=args.only, out=args.out, jobs=args.jobs,
                                 force=args.force)
    except build.UnknownFigure as exc:
        parser.error(str(exc))
    except (build.BuildError, teaching.KitError, OSError) as exc:
        if args.debug:
            raise
        text = _os_message(exc) if isinstance(exc, OSError) else str(exc)
        if args.command == "deck" and args.out is not None:   # make slides writes elsewhere
            text = text.replace("`make slides`", f"`convdocs slides --out {args.out}`")
        print(f"convdocs: {text}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, build.Stop) as exc:
        # A second Ctrl-C now ends the process at once, by the signal, quietly.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        print("convdocs: interrupted; every file in the output folder is complete, old or new",
              file=sys.stderr)
        return 128 + getattr(exc, "signum", signal.SIGINT)   # 130 for Ctrl-C, 143 for SIGTERM
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
