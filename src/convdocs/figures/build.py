"""Build figures/: render what changed, write atomically, keep the manifest consistent.

Each figure's manifest entry records a fingerprint of its inputs (see
:func:`convdocs.figures.fingerprint.fingerprint`) and the data it shows. A figure
is rendered again only when its fingerprint changed, a file is missing or a
file's bytes no longer match the manifest. Rendering happens in memory (in worker processes); files and
the manifest are then replaced with interrupts held off, so an interrupted or
failing build leaves every file old-and-complete or new-and-complete.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import catalogue
from .fingerprint import fingerprint

MANIFEST = "manifest.json"
THEMED = (".light.", ".dark.")
SMALL_DATA = 144      # arrays up to this many values are written into the manifest


def default_out() -> Path:
    """figures/ at the top of the checkout this package lives in, else in the current folder."""
    top = Path(__file__).resolve().parents[3]
    return top / "figures" if (top / "mkdocs.yml").is_file() else Path("figures")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def describe_data(arrays: dict) -> dict:
    """Shape, exact hash and (for small arrays) the values a figure shows."""
    out = {}
    for key, value in arrays.items():
        arr = np.ascontiguousarray(value, dtype=np.float64)
        item = {"shape": list(arr.shape), "sha256": sha256(arr.tobytes())}
        if arr.size <= SMALL_DATA:
            item["values"] = arr.tolist()
        out[key] = item
    return out


class UnknownFigure(ValueError):
    """`--only` named a figure the registry does not have."""


def read_manifest(out: Path) -> dict[str, dict]:
    path = out / MANIFEST
    if not path.exists():
        return {}
    try:
        return {e["name"]: e for e in json.loads(path.read_text())["figures"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a convdocs manifest ({exc}); delete it to rebuild "
                         f"every figure") from exc


def manifest_bytes(entries: list[dict]) -> bytes:
    """The manifest: every figure's entry, and the tables the pages show."""
    return (json.dumps({"figures": entries, "tables": catalogue.tables()}, indent=1,
                       ensure_ascii=False) + "\n").encode()


def figure_fingerprint(spec) -> str:
    return fingerprint(catalogue.page_module(spec.page), spec.name)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def interrupts_held():
    """Hold off Ctrl-C and SIGTERM while a figure's files and the manifest are replaced."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def is_current(fp: str, entry: dict | None, out: Path) -> bool:
    if not entry or entry.get("fingerprint") != fp:
        return False
    for f in entry["files"]:
        path = out / f["path"]
        if not path.is_file() or sha256(path.read_bytes()) != f["sha256"]:
            return False
    return True


@dataclass
class Result:
    name: str
    entry: dict | None
    files: list
    seconds: float
    error: str | None = None


def render_entry(name: str) -> Result:
    """Render one figure in memory and describe it for the manifest (runs in a worker)."""
    start = time.perf_counter()
    from .render import render   # imported here: a build with nothing to do never needs it

    spec = catalogue.FIGURES[name]
    try:
        data = spec.compute()
        files = render(spec, data)
        entry = {
            "name": spec.name,
            "title": spec.title,
            "caption": spec.text("caption", data),
            "alt": spec.text("alt", data),
            "page": spec.page,
            "animated": spec.animated,
            "fingerprint": figure_fingerprint(spec),
            "files": [{"path": f.path, "theme": f.theme, "kind": f.kind, "width": f.width,
                       "height": f.height, "bytes": len(f.data), "sha256": sha256(f.data)}
                      for f in files],
            "data": describe_data(data),
        }
        return Result(name, entry, files, time.perf_counter() - start)
    except Exception as exc:  # reported by name; the other figures still build
        detail = "".join(traceback.format_exception_only(exc)).strip()
        tb = traceback.format_exc(limit=-3)
        return Result(name, None, [], time.perf_counter() - start, f"{detail}\n{tb}")


def commit(result: Result, entries: dict[str, dict], order: list[str], out: Path) -> None:
    """Replace one figure's files, then the manifest, with interrupts held off."""
    with interrupts_held():
        for f in result.files:
            atomic_write(out / f.path, f.data)
        entries[result.name] = result.entry
        keep = [entries[n] for n in order if n in entries]
        atomic_write(out / MANIFEST, manifest_bytes(keep))


def remove_stale(entries: dict[str, dict], out: Path) -> list[str]:
    """Delete themed files that no manifest entry names (a renamed or removed figure)."""
    named = {f["path"] for e in entries.values() for f in e["files"]}
    stale = [p for p in sorted(out.iterdir())
             if any(t in p.name for t in THEMED) and p.name not in named]
    for p in stale:
        p.unlink()
    return [p.name for p in stale]


def build(only: list[str] | None = None, out: Path | None = None, jobs: int | None = None,
          force: bool = False, log=print) -> int:
    """Render every figure that is out of date. Returns the number that failed."""
    start = time.perf_counter()
    specs = catalogue.FIGURES
    unknown = sorted(set(only or ()) - set(specs))
    if unknown:
        raise UnknownFigure(f"only names unknown figures: {', '.join(unknown)} "
                            f"(see `convdocs list`)")
    out = Path(out) if out else default_out()
    out.mkdir(parents=True, exist_ok=True)
    entries = read_manifest(out)
    order = list(specs)
    entries = {n: e for n, e in entries.items() if n in specs}
    wanted = [n for n in order if not only or n in only]
    todo = []
    for name in wanted:
        if force or not is_current(figure_fingerprint(specs[name]), entries.get(name), out):
            todo.append(name)
        else:
            log(f"unchanged  {name}")
    failed = 0
    for result in _run(todo, jobs):
        if result.error:
            failed += 1
            log(f"FAILED     {result.name:34} {result.seconds:6.2f} s\n{result.error}")
            continue
        commit(result, entries, order, out)
        log(f"rendered   {result.name:34} {result.seconds:6.2f} s")
    listed = manifest_bytes([entries[n] for n in order if n in entries])
    path = out / MANIFEST
    if not path.exists() or path.read_bytes() != listed:  # e.g. a figure was removed
        with interrupts_held():
            atomic_write(path, listed)
    if not only and not failed:
        for name in remove_stale(entries, out):
            log(f"removed    {name}")
    log(f"{len(wanted)} figures: {len(todo) - failed} rendered, {len(wanted) - len(todo)} "
        f"unchanged, {failed} failed in {time.perf_counter() - start:.2f} s")
    return failed


def _run(names: list[str], jobs: int | None):
    """Yield results as they finish, in worker processes when jobs > 1."""
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(names) <= 1:
        for name in names:
            yield render_entry(name)
        return
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                initializer=_ignore_sigint) as pool:
        futures = [pool.submit(render_entry, n) for n in names]
        try:
            for future in cf.as_completed(futures):
                yield future.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _ignore_sigint():
    # Ctrl-C is the parent's to handle: it stops committing and cancels the rest.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
