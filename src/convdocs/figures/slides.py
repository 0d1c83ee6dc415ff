"""`convdocs slides`: every figure on 16:9 slides, for teachers' decks and handouts.

Slides are not committed. They are written into ``build/teaching/figures/`` (by default;
``--out DIR`` writes into ``DIR/figures/``), each file atomically, and listed in
``build/teaching/slides.json``. A figure whose record there still matches (same
fingerprint, same data, every file on disk with its recorded hash) is skipped. Only files
that an earlier run of this step listed, still byte for byte as it wrote them, are ever
deleted (when a figure has fewer slides than before, or left the table).

File names (see :func:`convdocs.figures.spec.file_name`): ``NAME.slide.THEME.png``,
``.svg`` and, for an animation, ``.gif``; a figure cut into n slides has
``NAME.slide-K.THEME.png`` and so on for K = 1..n. Every slide is 1920 x 1080 px
(13.333 x 7.5 in at 144 px per inch): the title at 24 pt (48 px), the figure's digits and
labels at 18 pt (36 px) or more. GIFs keep the page animation's timing.

``slides.json`` (UTF-8, one object)::

    {"format": 2,
     "width": 1920, "height": 1080,            # every slide's size in px
     "licence": {"name", "url", "copyright"}, "attribution": "...",
     "figures": [                               # in site order (the figure table's)
       {"name": "convolution", "page": "convolution",
        "title": "...", "caption": "...", "alt": "...",   # the site's words for the figure
        "animated": true,
        "fingerprint": "...", "data": "sha256 of the data",   # what the skip compares
        "parts": [                              # one per slide, in order
          {"index": 1, "count": 1,              # slide K of n
           "title": "...",                      # the title written on the slide
           "part": "...",                       # what the declared part shows ("" for a cut)
           "width": 1920, "height": 1080,
           "files": {"light": {"png": {"path": "figures/convolution.slide.light.png",
                                       "bytes": 12345, "sha256": "..."},
                               "svg": {...}, "gif": {...}},    # gif for animations only
                     "dark": {...}}}]}]}

Paths are relative to the folder that holds ``slides.json``.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import stat
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import build, catalogue, style
from .spec import ATTRIBUTION, COPYRIGHT, LICENCE, LICENCE_URL, file_name

LIST = "slides.json"
FOLDER = "figures"
FORMAT = 2     # 2: each part says what it is called ("part")
KINDS = ("png", "svg", "gif")


def default_out() -> Path:
    """build/teaching/ at the top of the checkout, beside figures/."""
    return build.default_out().parent / "build" / "teaching"


def _code() -> str:
    """The slide code itself, so a change to it renders every slide again."""
    here = Path(__file__)
    return hashlib.sha256(here.read_bytes()).hexdigest()


def fingerprint(spec) -> str:
    return hashlib.sha256((build.figure_fingerprint(spec) + _code()).encode()).hexdigest()


def data_hash(data) -> str:
    return build.sha256(json.dumps(build.describe_data(data), sort_keys=True).encode())


@dataclass
class Done:
    name: str
    entry: dict | None
    files: dict        # path relative to out -> bytes
    seconds: float
    error: str | None = None


def slide_entry(name: str, data=None) -> Done:
    """Render one figure's slides in both themes (runs in a worker)."""
    start = time.perf_counter()
    from . import render
    spec = catalogue.FIGURES[name]
    try:
        data = spec.compute() if data is None else data
        frames = spec.animate(data) if spec.animated else None
        by_theme = {t.name: render.slides(spec, data, t, frames) for t in style.THEMES}
        counts = {len(p) for p in by_theme.values()}
        if len(counts) != 1:
            raise ValueError(f"{name}: the themes cut into different numbers of slides "
                             f"({sorted(counts)})")
        n = counts.pop()
        files, parts = {}, []
        for k in range(n):
            layout = "slide" if n == 1 else f"slide-{k + 1}"
            first = by_theme[style.THEMES[0].name][k]
            part = {"index": k + 1, "count": n, "title": first.title, "part": first.part,
                    "width": render.SLIDE_W, "height": render.SLIDE_H, "files": {}}
            for theme, slides in by_theme.items():
                s = slides[k]
                part["files"][theme] = {}
                for kind in KINDS:
                    content = getattr(s, kind)
                    if content is None:
                        continue
                    path = f"{FOLDER}/{file_name(name, theme, kind, layout)}"
                    files[path] = content
                    part["files"][theme][kind] = {"path": path, "bytes": len(content),
                                                  "sha256": build.sha256(content)}
            parts.append(part)
        entry = {"name": name, "page": spec.page, "title": spec.title,
                 "caption": spec.text("caption", data), "alt": spec.text("alt", data),
                 "animated": spec.animated, "fingerprint": fingerprint(spec),
                 "data": data_hash(data), "parts": parts}
        return Done(name, entry, files, time.perf_counter() - start)
    except Exception as exc:
        detail = "".join(traceback.format_exception_only(exc)).strip()
        return Done(name, None, {}, time.perf_counter() - start,
                    f"{detail}\n{traceback.format_exc(limit=-3)}")


def entry_files(entry: dict):
    """Every file record of a well-formed entry (see `well_formed`)."""
    for part in entry["parts"]:
        for kinds in part["files"].values():
            yield from kinds.values()


def is_current(spec, entry: dict | None, out: Path) -> bool:
    if not entry or entry["fingerprint"] != fingerprint(spec):
        return False
    try:
        if entry["data"] != data_hash(spec.compute()):
            return False
    except Exception:
        return False
    return all(build._regular_file_matches(out / f["path"], f["bytes"], f["sha256"])
               for f in entry_files(entry))


ENTRY_KEYS = {"name", "page", "title", "caption", "alt", "animated", "fingerprint", "data",
              "parts"}
PART_KEYS = {"index", "count", "title", "part", "width", "height", "files"}
FILE_KEYS = {"path", "bytes", "sha256"}
THEMES = [t.name for t in style.THEMES]


def _count(value) -> bool:
    return type(value) is int and value >= 0


def well_formed(entry) -> bool:
    """An entry exactly as `slide_entry` writes it: every key, of its type; parts K of n in
    order; each theme's files of known kinds, each at the path this step writes for that
    figure, part and kind (``figures/NAME.slide[-K].THEME.EXT``), with its size and hash.
    Anything else is stale: rendered again, and never used to delete a file."""
    if not isinstance(entry, dict) or set(entry) != ENTRY_KEYS:
        return False
    name, parts = entry["name"], entry["parts"]
    if not isinstance(name, str) or not build.NAME.fullmatch(name):
        return False
    if not all(isinstance(entry[k], str) for k in ENTRY_KEYS - {"animated", "parts"}) or \
            type(entry["animated"]) is not bool or not isinstance(parts, list) or not parts:
        return False
    for k, part in enumerate(parts, 1):
        if not isinstance(part, dict) or set(part) != PART_KEYS or \
                (part["index"], part["count"]) != (k, len(parts)) or \
                type(part["index"]) is not int or type(part["count"]) is not int or \
                not isinstance(part["title"], str) or not isinstance(part["part"], str) or \
                not (_count(part["width"]) and _count(part["height"])):
            return False
        files = part["files"]
        if not isinstance(files, dict) or set(files) != set(THEMES):
            return False
        layout = "slide" if len(parts) == 1 else f"slide-{k}"
        for theme, kinds in files.items():
            if not isinstance(kinds, dict) or "png" not in kinds or not set(kinds) <= set(KINDS):
                return False
            for kind, f in kinds.items():
                if not isinstance(f, dict) or set(f) != FILE_KEYS or \
                        f["path"] != f"{FOLDER}/{file_name(name, theme, kind, layout)}" or \
                        not _count(f["bytes"]) or not isinstance(f["sha256"], str) or \
                        not build.SHA256.fullmatch(f["sha256"]):
                    return False
    return True


def read_list(out: Path) -> dict[str, dict]:
    """The slide list's well-formed entries by name (of a figure listed twice, neither).
    A missing list is empty; one that is not a convdocs slide list at all is refused."""
    path = out / LIST
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise build.BuildError(f"{path} is not a regular file; move it away so that "
                                   f"`convdocs slides` can write its slide list")
        figures = json.loads(path.read_bytes())["figures"]
        if not isinstance(figures, list):
            raise TypeError("'figures' is not a list")
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise build.BuildError(f"{path} is not a convdocs slide list ({exc}); move it "
                               f"away to render every slide again") from exc
    twice = [n for n, k in collections.Counter(e.get("name") for e in figures
                                               if isinstance(e, dict)).items() if k > 1]
    return {e["name"]: e for e in figures if well_formed(e) and e["name"] not in twice}


def list_bytes(entries: list[dict]) -> bytes:
    licence = {"name": LICENCE, "url": LICENCE_URL, "copyright": COPYRIGHT}
    return (json.dumps({"format": FORMAT, "width": 1920, "height": 1080, "licence": licence,
                        "attribution": ATTRIBUTION, "figures": entries}, indent=1,
                       ensure_ascii=False) + "\n").encode()


def build_slides(only: list[str] | None = None, out: Path | None = None,
                 jobs: int | None = None, force: bool = False, log=print) -> int:
    """Render the slides of every figure that changed. Returns the number that failed."""
    start = time.perf_counter()
    specs = catalogue.FIGURES
    unknown = sorted(set(only or ()) - set(specs))
    if unknown:
        raise build.UnknownFigure(f"--only names unknown figures: {', '.join(unknown)} "
                                  f"(see `convdocs list`)")
    out = build.check_out(out, default_out())
    (out / FOLDER).mkdir(parents=True, exist_ok=True)
    with build.stop_on_signals(), build.locked(out):
        # what a killed run half-wrote: slide files go through figures/.convdocs-tmp/,
        # slides.json through .convdocs-tmp/
        temporaries = (out / FOLDER, out)
        for folder in temporaries:
            build.clear_temporaries(folder)
        old = read_list(out)
        entries = {n: e for n, e in old.items() if n in specs}
        order = list(specs)
        wanted = [n for n in order if not only or n in only]
        todo = []
        for name in wanted:
            current = is_current(specs[name], entries.get(name), out)
            if force or not current:
                todo.append(name)
            else:
                log(f"unchanged  {name}")
        failed = 0
        for done in build._run([(n, None) for n in todo], build.worker_count(jobs, len(todo)),
                               slide_entry, again="run `convdocs slides` again"):
            if done.error:
                failed += 1
                log(f"FAILED     {done.name:34} {done.seconds:6.2f} s\n{done.error}")
                continue
            with build.interrupts_held():
                for path, content in done.files.items():
                    build.atomic_write(out / path, content)
                entries[done.name] = done.entry
                build.atomic_write(out / LIST, list_bytes([entries[n] for n in order
                                                           if n in entries]))
            log(f"rendered   {done.name:34} {done.seconds:6.2f} s")
        kept = {f["path"] for e in entries.values() for f in entry_files(e)}
        listed = list_bytes([entries[n] for n in order if n in entries])
        with build.interrupts_held():
            if not build._regular_file_matches(out / LIST, len(listed), build.sha256(listed)):
                build.atomic_write(out / LIST, listed)
            # only files this step wrote (well-formed entries name nothing else), and only
            # while they are still byte for byte as written
            for entry in old.values():
                for f in entry_files(entry):
                    path = f["path"]
                    if path not in kept and build._regular_file_matches(
                            out / path, f["bytes"], f["sha256"]):
                        (out / path).unlink()
                        log(f"removed    {path}")
        for folder in temporaries:
            with contextlib.suppress(OSError):
                (folder / build.TMP).rmdir()      # empty after a run that finished
    log(f"{len(wanted)} figures: {len(todo) - failed} rendered, {len(wanted) - len(todo)} "
        f"unchanged, {failed} failed in {time.perf_counter() - start:.2f} s")
    return failed
