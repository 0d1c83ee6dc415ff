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

    {"format": 1,
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
           "width": 1920, "height": 1080,
           "files": {"light": {"png": {"path": "figures/convolution.slide.light.png",
                                       "bytes": 12345, "sha256": "..."},
                               "svg": {...}, "gif": {...}},    # gif for animations only
                     "dark": {...}}}]}]}

Paths are relative to the folder that holds ``slides.json``.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import build, catalogue, style
from .spec import ATTRIBUTION, COPYRIGHT, LICENCE, LICENCE_URL, file_name

LIST = "slides.json"
FOLDER = "figures"
FORMAT = 1
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
            part = {"index": k + 1, "count": n, "title": by_theme[style.THEMES[0].name][k].title,
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
    for part in entry.get("parts", ()):
        for kinds in part.get("files", {}).values():
            yield from kinds.values()


def is_current(spec, entry: dict | None, out: Path) -> bool:
    if not entry or entry.get("fingerprint") != fingerprint(spec):
        return False
    try:
        if entry.get("data") != data_hash(spec.compute()):
            return False
    except Exception:
        return False
    return all(isinstance(f, dict) and build._regular_file_matches(out / f["path"], f["bytes"],
                                                                    f["sha256"])
               for f in entry_files(entry))


def read_list(out: Path) -> dict[str, dict]:
    try:
        figures = json.loads((out / LIST).read_bytes())["figures"]
        return {e["name"]: e for e in figures if isinstance(e, dict) and "name" in e}
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError) as exc:
        raise build.BuildError(f"{out / LIST} is not a convdocs slide list ({exc}); move it "
                               f"away to render every slide again") from exc


def list_bytes(entries: list[dict]) -> bytes:
    licence = {"name": LICENCE, "url": LICENCE_URL, "copyright": COPYRIGHT}
    return (json.dumps({"format": FORMAT, "width": 1920, "height": 1080, "licence": licence,
                        "attribution": ATTRIBUTION, "figures": entries}, indent=1,
                       ensure_ascii=False) + "\n").encode()


def _run(names: list[str], workers: int):
    if workers == 1:
        for name in names:
            yield slide_entry(name)
        return
    context = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                  initializer=build._worker_init, initargs=(os.getpid(),))
    try:
        futures = [pool.submit(slide_entry, n) for n in names]
        for future in cf.as_completed(futures):
            yield future.result()
    except BaseException:
        build._kill(pool)
        raise
    pool.shutdown(wait=True)


def build_slides(only: list[str] | None = None, out: Path | None = None,
                 jobs: int | None = None, force: bool = False, log=print) -> int:
    """Render the slides of every figure that changed. Returns the number that failed."""
    start = time.perf_counter()
    specs = catalogue.FIGURES
    unknown = sorted(set(only or ()) - set(specs))
    if unknown:
        raise build.UnknownFigure(f"--only names unknown figures: {', '.join(unknown)} "
                                  f"(see `convdocs list`)")
    out = Path(out) if out else default_out()
    (out / FOLDER).mkdir(parents=True, exist_ok=True)
    with build.locked(out):
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
        for done in _run(todo, build.worker_count(jobs, len(todo))):
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
        for name, entry in old.items():     # only files this step wrote and still as written
            for f in entry_files(entry):
                path = f.get("path", "")
                if path in kept or not path.startswith(f"{FOLDER}/") or \
                        "/" in path[len(FOLDER) + 1:]:
                    continue
                if build._regular_file_matches(out / path, f["bytes"], f["sha256"]):
                    (out / path).unlink()
                    log(f"removed    {path}")
        listed = list_bytes([entries[n] for n in order if n in entries])
        if not build._regular_file_matches(out / LIST, len(listed), build.sha256(listed)):
            build.atomic_write(out / LIST, listed)
        tmp = out / FOLDER / build.TMP
        for folder in (tmp, out / build.TMP):
            try:
                folder.rmdir()
            except OSError:
                pass
    log(f"{len(wanted)} figures: {len(todo) - failed} rendered, {len(wanted) - len(todo)} "
        f"unchanged, {failed} failed in {time.perf_counter() - start:.2f} s")
    return failed
