"""Build figures/: render what changed, write atomically, keep the manifest true.

What the build promises (README, "What the build promises"):

* **Atomic files.** Every file is written to a temporary file beside it and
  renamed over it, with Ctrl-C and SIGTERM held off while a figure's files and
  the manifest are replaced. An interrupted or failing build leaves every file
  old-and-complete or new-and-complete.
* **Nothing lost.** The build deletes only files that its own manifest says it
  wrote, whose bytes are still the ones it wrote, for figures that left the
  table. It never deletes by name pattern, never follows a symlink, and never
  touches a file it does not know.
* **A manifest is evidence, not truth.** A figure is current only if its record
  is complete and well formed, sealed by its own hash (a hand-edited caption
  breaks the seal), lists exactly the files the figure has, and every file on
  disk is a regular file with the recorded size and hash. Anything else is
  rendered again. Paths in a manifest are plain names inside the folder.
* **Data computed once.** A figure's data is computed once per build and drawn,
  captioned and recorded from that one computation; data the record check had to
  compute is handed to the worker rather than computed again.
  ``.convdocs-cache/checked.json`` (local, never committed) remembers which
  records this code has already checked against freshly computed data, so a
  build with nothing to do computes nothing.
* **One build at a time** per output folder, enforced by a lock.
* **Workers never outlive the build**: at most one per CPU and per figure to
  render; they die with the parent, whatever signal ends it.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import catalogue, style
from .fingerprint import fingerprint
from .spec import (ATTRIBUTION, COPYRIGHT, EXTENSIONS, LICENCE, LICENCE_URL, file_name,
                   file_names)

MANIFEST = "manifest.json"
LOCK = ".convdocs-build.lock"
CACHE = ".convdocs-cache"   # local memory of checked records; deleting it costs one recompute
CHECKED = "checked.json"
SMALL_DATA = 144      # arrays up to this many values are written into the manifest
ENTRY_KEYS = {"name", "title", "caption", "alt", "page", "animated", "fingerprint", "files",
              "data", "record"}
PLAYER_KEY = "player"     # an animation's entry also has its player's layout, per theme
PHONE_PLAYER_KEY = "player_phone"   # ... and its phone player's layout, per theme
FILE_KEYS = {"path", "layout", "theme", "kind", "width", "height", "bytes", "sha256"}
LAYOUTS = ("page", "phone")
THEMES = [t.name for t in style.THEMES]
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
SHA256 = re.compile(r"[0-9a-f]{64}")


class BuildError(Exception):
    """A build that cannot go on; the message says which file and what to do."""


class UnknownFigure(BuildError):
    """`--only` named a figure the table does not have."""


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


def seal(entry: dict) -> str:
    """The hash of an entry's own content, stored in it as ``record``."""
    body = {k: v for k, v in entry.items() if k != "record"}
    return sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())


# -- the manifest -------------------------------------------------------------------------

def read_manifest(out: Path) -> dict[str, dict]:
    """The manifest's well-formed entries by name. A missing manifest is empty; one that is
    not a convdocs manifest at all is refused (the build cannot know what it wrote)."""
    path = out / MANIFEST
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return {}
    if not stat.S_ISREG(info.st_mode):
        raise BuildError(f"{path} is not a regular file; move it away so the build can "
                         f"write its manifest")
    try:
        figures = json.loads(path.read_bytes())["figures"]
        if not isinstance(figures, list):
            raise TypeError("'figures' is not a list")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise BuildError(f"{path} is not a convdocs manifest ({exc}); move it away or delete "
                         f"it to render every figure again") from exc
    entries, seen = {}, set()
    for entry in figures:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:            # two records of one figure: trust neither
            entries.pop(name, None)
            continue
        seen.add(name)
        if well_formed(entry):
            entries[name] = entry
    return entries


def well_formed(entry: dict) -> bool:
    """Complete, typed, sealed, and naming only the files this build would write for it:
    ``NAME.THEME.EXT`` for its own name, a theme and a kind, plain names in the folder; an
    animation also has its player's layout."""
    keys = ENTRY_KEYS | {PLAYER_KEY, PHONE_PLAYER_KEY} if entry.get("animated") is True \
        else ENTRY_KEYS
    if set(entry) != keys or entry.get("record") != seal(entry):
        return False
    name, files = entry["name"], entry["files"]
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return False
    if not isinstance(files, list) or not files:
        return False
    for f in files:
        if not isinstance(f, dict) or set(f) != FILE_KEYS:
            return False
        if f["theme"] not in THEMES or f["kind"] not in EXTENSIONS or \
                f["layout"] not in LAYOUTS:
            return False
        if f["path"] != file_name(name, f["theme"], f["kind"], f["layout"]):
            return False
        for key in ("width", "height", "bytes"):
            if type(f[key]) is not int or f[key] < 0:
                return False
        if not isinstance(f["sha256"], str) or not SHA256.fullmatch(f["sha256"]):
            return False
    if len({f["path"] for f in files}) != len(files):
        return False
    atlases = {(f["layout"], f["theme"]): f for f in files if f["kind"] == "player"}
    for key, layout in ((PLAYER_KEY, "page"), (PHONE_PLAYER_KEY, "phone")):
        if key in entry and not (isinstance(entry[key], dict) and set(entry[key]) == set(THEMES)
                                 and all(_player_fits(entry[key][theme],
                                                      atlases.get((layout, theme)))
                                         for theme in THEMES)):
            return False
    return True


PLAYER_LAYOUT_KEYS = {"width", "height", "key", "ms", "frames"}
PLAYER_BOXES = re.compile(r"(\d+,\d+,\d+,\d+,\d+,\d+( \d+,\d+,\d+,\d+,\d+,\d+)*)?")


def _player_fits(layout, atlas: dict | None) -> bool:
    """A player layout as render.player_atlas writes it, for this atlas file: one duration
    and one box list per frame, the key frame among them, and every box inside the frame
    and the atlas. (The site's hook checks the same before a page gets the numbers.)"""
    if atlas is None or not isinstance(layout, dict) or set(layout) != PLAYER_LAYOUT_KEYS:
        return False
    w, h, key, ms, frames = (layout[k] for k in ("width", "height", "key", "ms", "frames"))
    if not all(type(v) is int and v > 0 for v in (w, h)) or type(key) is not int:
        return False
    if not isinstance(ms, list) or not ms or not all(type(v) is int and v > 0 for v in ms):
        return False
    if not isinstance(frames, list) or len(frames) != len(ms) or not 0 <= key < len(ms):
        return False
    if w > atlas["width"] or h > atlas["height"]:
        return False
    for boxes in frames:
        if not isinstance(boxes, str) or not PLAYER_BOXES.fullmatch(boxes):
            return False
        for box in boxes.split():
            x, y, bw, bh, ax, ay = map(int, box.split(","))
            if x + bw > w or y + bh > h or ax + bw > atlas["width"] or ay + bh > atlas["height"]:
                return False
    return True


def manifest_bytes(entries: list[dict]) -> bytes:
    """The manifest: every figure's entry, the tables the pages show, and the themes'
    colours for the browser."""
    themes = {t.name: style.palette(t) for t in style.THEMES}
    licence = {"name": LICENCE, "url": LICENCE_URL, "copyright": COPYRIGHT}
    return (json.dumps({"licence": licence, "attribution": ATTRIBUTION, "figures": entries,
                        "tables": catalogue.tables(), "themes": themes},
                       indent=1, ensure_ascii=False) + "\n").encode()


def figure_fingerprint(spec) -> str:
    return fingerprint(catalogue.page_module(spec.page), spec.name)


def _regular_file_matches(path: Path, size: int, digest: str) -> bool:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_size != size:
        return False
    return sha256(path.read_bytes()) == digest


def _raster_size_matches(path: Path, f: dict) -> bool:
    """Whether a raster file (PNG, GIF, WebP) has the width and height its record says: a
    resealed hand edit of them would otherwise reach the pages' <img> attributes. Reads
    the header only; an SVG's size is the renderer's to say."""
    if f["kind"] == "svg":
        return True
    from PIL import Image     # imported here: only a build that checks records needs it
    try:
        with Image.open(path) as img:
            return img.size == (f["width"], f["height"])
    except Exception:
        return False


def words_digest(caption: str, alt: str, data: dict) -> str:
    """One hash of what a record says in words and numbers."""
    return sha256(json.dumps([caption, alt, data], sort_keys=True,
                             ensure_ascii=False).encode())


CHECKED_MAX = 1 << 20    # bytes: far more than 47 records need; a bigger file is not ours


def read_checked(out: Path) -> dict[str, dict]:
    """Records this code has already checked: name -> fingerprint and words digest.
    Anything unreadable counts as nothing checked: a symlink, a FIFO, a device or a folder
    is not opened (O_NOFOLLOW, O_NONBLOCK, then a regular-file check), and a file too big
    or too deeply nested to be this cache is ignored."""
    try:
        cache = out / CACHE
        if cache.is_symlink() or not cache.is_dir():
            return {}
        fd = os.open(cache / CHECKED, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return {}
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > CHECKED_MAX:
            return {}
        with os.fdopen(fd, "rb", closefd=False) as fh:
            checked = json.loads(fh.read(CHECKED_MAX + 1).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    finally:
        os.close(fd)
    if not isinstance(checked, dict):
        return {}
    return {n: c for n, c in checked.items() if isinstance(c, dict)
            and set(c) == {"fingerprint", "words"} and all(isinstance(v, str) for v in c.values())}


def write_checked(out: Path, checked: dict[str, dict]) -> None:
    """Write the cache, unless its folder or file is anything but this build's own (a
    symlink, a file, a folder where the file goes): a cache that cannot be written costs
    time only, and the build never writes through a symlink."""
    text = json.dumps(dict(sorted(checked.items())), indent=1).encode()
    cache = out / CACHE
    with contextlib.suppress(OSError, BuildError):
        if cache.is_symlink() or (cache.exists() and not cache.is_dir()):
            return
        cache.mkdir(exist_ok=True)
        path = cache / CHECKED
        if not _regular_file_matches(path, len(text), sha256(text)):
            atomic_write(path, text, tmpdir=out / TMP)


NOT_COMPUTED = None


def is_current(spec, fp: str, entry: dict | None, out: Path,
               checked: dict[str, dict] | None = None):
    """Whether the record proves the figure's files are the ones this code would write:
    its fingerprint, its words and its data are what the code gives now, and its files
    are on disk as recorded. Returns ``(current, data)``: the data when it had to be
    computed (so the build need not compute it again), else None.

    Checking the words means computing the data, which for two figures means training a
    network. `checked` remembers records already checked at this fingerprint; a record
    whose words changed since (a resealed hand edit) is computed and checked again."""
    if entry is None or entry["fingerprint"] != fp:
        return False, NOT_COMPUTED
    if (entry["title"], entry["page"], entry["animated"]) != (spec.title, spec.page,
                                                             spec.animated):
        return False, NOT_COMPUTED
    if {f["path"] for f in entry["files"]} != set(file_names(spec, THEMES)):
        return False, NOT_COMPUTED
    if not all(_regular_file_matches(out / f["path"], f["bytes"], f["sha256"])
               and _raster_size_matches(out / f["path"], f) for f in entry["files"]):
        return False, NOT_COMPUTED
    checked = {} if checked is None else checked
    words = words_digest(entry["caption"], entry["alt"], entry["data"])
    if checked.get(spec.name) == {"fingerprint": fp, "words": words}:
        return True, NOT_COMPUTED
    try:
        data = spec.compute()
        now = (spec.text("caption", data), spec.text("alt", data), describe_data(data))
    except Exception:       # the figure is broken: render it, and let that report why
        return False, NOT_COMPUTED
    if (entry["caption"], entry["alt"], entry["data"]) != now:
        checked.pop(spec.name, None)
        return False, data
    checked[spec.name] = {"fingerprint": fp, "words": words}
    return True, data


# -- files --------------------------------------------------------------------------------

TMP = ".convdocs-tmp"     # the build's temporary files, beside figures, emptied by each build


def atomic_write(path: Path, data: bytes, tmpdir: Path | None = None) -> None:
    """Write `data` to a temporary file in the folder's ``.convdocs-tmp/`` (the same file
    system), or in `tmpdir`, then rename it over `path`. An error names `path`."""
    if path.is_symlink() or path.is_dir():
        raise BuildError(f"{path} is a {'symlink' if path.is_symlink() else 'folder'}; the "
                         f"build writes a file there: move it away")
    tmpdir = path.parent / TMP if tmpdir is None else tmpdir
    tmpdir.mkdir(exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=tmpdir, prefix=f"{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if exc.filename is None:      # a full disk says so on write, without a name
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def clear_temporaries(out: Path) -> None:
    """Empty the build's temporary folder (left full only by a build killed mid-write).
    Called with the lock held: no other build is writing there."""
    tmpdir = out / TMP
    if tmpdir.is_symlink() or (tmpdir.exists() and not tmpdir.is_dir()):
        raise BuildError(f"{tmpdir} is not the build's folder of temporary files; move it away")
    if tmpdir.is_dir():
        shutil.rmtree(tmpdir)


HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def interrupts_held():
    """Hold off Ctrl-C, SIGTERM and SIGHUP while a figure's files and the manifest are
    replaced: a signal that comes meanwhile is noted and delivered afterwards. (Blocking
    it in the thread is not enough: another thread, oxipng's or the worker pool's, may
    take it.) Outside the main thread, where Python cannot change handlers, nothing is
    held."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending = []
    old = {s: signal.signal(s, lambda signum, frame: pending.append(signum)) for s in HELD}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if pending:
            signal.raise_signal(pending[0])


@contextlib.contextmanager
def locked(out: Path):
    """One build at a time per folder: an exclusive lock on ``out/.convdocs-build.lock``."""
    path = out / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BuildError(f"{path} is a symlink; remove it") from exc
        raise
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another convdocs build is writing to {out}; wait for it to "
                             f"finish, or build into another folder with --out") from None
        yield
    finally:
        os.close(fd)    # closing releases the lock


@dataclass
class Result:
    name: str
    entry: dict | None
    files: list
    seconds: float
    error: str | None = None


def render_entry(name: str, data=NOT_COMPUTED) -> Result:
    """Render one figure in memory and describe it for the manifest (runs in a worker).
    `data` is the figure's computed data, or None to compute it here."""
    start = time.perf_counter()
    from .render import render   # imported here: a build with nothing to do never needs it

    spec = catalogue.FIGURES[name]
    try:
        if data is NOT_COMPUTED:
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
            "files": [{"path": f.path, "layout": f.medium, "theme": f.theme, "kind": f.kind,
                       "width": f.width, "height": f.height, "bytes": len(f.data),
                       "sha256": sha256(f.data)} for f in files],
            "data": describe_data(data),
        }
        if spec.animated:    # where each frame's tiles are in the player's atlas
            for key, layout in ((PLAYER_KEY, "page"), (PHONE_PLAYER_KEY, "phone")):
                entry[key] = {f.theme: f.layout for f in files
                              if f.kind == "player" and f.medium == layout}
        entry["record"] = seal(entry)
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
        atomic_write(out / MANIFEST, manifest_bytes([entries[n] for n in order
                                                     if n in entries]))


def remove_stale(old: dict[str, dict], entries: dict[str, dict], out: Path) -> list[str]:
    """Delete files the old manifest says this build wrote and the new one no longer lists
    (a figure left the table, or no longer has that file), if each is a name this build
    writes for that figure and still the regular file it wrote, byte for byte."""
    kept = {f["path"] for e in entries.values() for f in e["files"]}
    removed = []
    for entry in old.values():
        for f in entry["files"]:
            own = file_name(entry["name"], f["theme"], f["kind"], f.get("layout", "page"))
            if f["path"] != own or own in kept or own in (MANIFEST, LOCK):
                continue
            path = out / own
            if not _regular_file_matches(path, f["bytes"], f["sha256"]):
                continue
            path.unlink()
            removed.append(own)
    return sorted(removed)


# -- workers ------------------------------------------------------------------------------

def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:      # not Linux
        return os.cpu_count() or 1


def worker_count(jobs: int | None, todo: int) -> int:
    """--jobs, by default every CPU, never more than the CPUs or the figures to render."""
    return max(1, min(jobs or cpus(), cpus(), todo))


def _worker_init(parent: int):
    # Ctrl-C is the parent's to handle. If the parent dies by any signal, SIGKILL
    # included, the kernel sends this worker SIGKILL (Linux's PR_SET_PDEATHSIG).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    if os.getppid() != parent:    # the parent died before prctl took effect
        os._exit(1)
    keep_freed_memory()


# glibc's mallopt parameters, and the values for a worker that draws frame after frame
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
KEEP_FREED = ((M_MMAP_THRESHOLD, 32 << 20), (M_TRIM_THRESHOLD, 1 << 30), (M_TOP_PAD, 64 << 20))


def keep_freed_memory() -> None:
    """Let this process reuse the memory it frees instead of handing it back to the system.

    A worker allocates and frees images of several MB for every frame. By default glibc
    maps each from the system and unmaps it when freed, so every frame costs page faults
    on fresh zeroed pages: a clean build spent 8 % of its time in the kernel. Kept in the
    heap (allocations up to 32 MB; freed memory handed back only beyond 1 GB), the next
    frame reuses it, and a worker keeps its peak (about 320 MB) until it ends. Set in
    workers only: a run with one worker draws in the calling process, whose allocator is
    left alone. Nothing changes where glibc is not the C library."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        for param, value in KEEP_FREED:
            libc.mallopt(param, value)


def _kill(pool: cf.ProcessPoolExecutor) -> None:
    """End every worker now; what they were rendering is thrown away, not written."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()
    # A figure's data still in the pipe to a dead worker must not hold up the exit: the
    # queue's feeder thread would wait for a reader that is gone.
    with contextlib.suppress(Exception):
        pool._call_queue.cancel_join_thread()
    pool.shutdown(wait=False, cancel_futures=True)


def heaviest_first(todo: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The figures to render, animations (each about ten stills' work) before stills, so
    that the last figure a worker picks up is a light one."""
    return sorted(todo, key=lambda item: not catalogue.FIGURES[item[0]].animated)


def _run(todo: list[tuple[str, object]], workers: int, work=None, again: str = "build again"):
    """Yield `work(name, data)` (default :func:`render_entry`) for each figure of `todo` as
    it finishes, in worker processes when there is more than one. `todo` pairs each
    figure's name with its data, or None when nobody computed it yet.

    With workers, the animations go first, each worker computing its data; meanwhile this
    process computes the data of the still figures, which it hands over with them. Stills
    that share an expensive computation (the trained network of the tiny CNN's figures)
    then share it here, instead of each worker that draws one of them doing it again.
    `again` is what to tell the user to do when a worker dies."""
    work = work or render_entry
    if workers == 1:
        for name, data in todo:
            yield work(name, data)
        return
    # Fresh interpreters, not forks: a fork copies a parent that may have started
    # oxipng's thread pool (a notebook, a test), and such a child can spin forever.
    context = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                  initializer=_worker_init, initargs=(os.getpid(),))
    try:
        futures = []
        for name, data in heaviest_first(todo):
            if data is NOT_COMPUTED and not catalogue.FIGURES[name].animated:
                data = _computed(name)
            futures.append(pool.submit(work, name, data))
        for future in cf.as_completed(futures):
            yield future.result()
    except cf.process.BrokenProcessPool as exc:
        _kill(pool)
        raise BuildError(f"a worker process died (out of memory, or killed); every file is "
                         f"complete, old or new: {again}, with fewer --jobs if memory is "
                         f"short") from exc
    except BaseException:
        _kill(pool)
        raise
    pool.shutdown(wait=True)


def _computed(name: str):
    """The figure's data, or None if computing it fails (the worker then computes it again
    and reports the error with the figure's name)."""
    try:
        return catalogue.FIGURES[name].compute()
    except Exception:
        return NOT_COMPUTED


class Stop(BaseException):
    """SIGTERM or SIGHUP: stop like Ctrl-C does. `signum` says which."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum, frame):
    raise Stop(signum)


# -- the build ----------------------------------------------------------------------------

def build(only: list[str] | None = None, out: Path | None = None, jobs: int | None = None,
          force: bool = False, log=print) -> int:
    """Render every figure that is out of date. Returns the number that failed."""
    start = time.perf_counter()
    specs = catalogue.FIGURES
    unknown = sorted(set(only or ()) - set(specs))
    if unknown:
        raise UnknownFigure(f"--only names unknown figures: {', '.join(unknown)} "
                            f"(see `convdocs list`)")
    out = check_out(out, default_out())
    out.mkdir(parents=True, exist_ok=True)
    with stop_on_signals(), locked(out):
        return _build(specs, only, out, jobs, force, log, start)


def check_out(out, default: Path) -> Path:
    """The output folder --out names, or `default`; refused, naming --out and its value,
    when it is empty, a dangling symlink or a file."""
    if out is not None and not str(out).strip():
        raise BuildError(f"--out is empty ({str(out)!r}); give a folder, or leave --out out "
                         f"for {default}")
    out = Path(out) if out is not None else default
    if out.is_symlink() and not out.exists():
        raise BuildError(f"--out {out} is a symlink to nothing (or to itself); give a folder")
    if out.exists() and not out.is_dir():
        raise BuildError(f"--out {out} is a file, not a folder; give a folder")
    return out


@contextlib.contextmanager
def stop_on_signals():
    """SIGTERM and SIGHUP raise :class:`Stop` inside this block, so they end a run the way
    Ctrl-C does: temporary files removed, every file complete."""
    previous = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM,
                                                                     signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _build(specs, only, out, jobs, force, log, start) -> int:
    clear_temporaries(out)
    old = read_manifest(out)
    order = list(specs)
    entries = {n: e for n, e in old.items() if n in specs}
    wanted = [n for n in order if not only or n in only]
    checked = read_checked(out)
    todo = []
    for name in wanted:
        current, data = is_current(specs[name], figure_fingerprint(specs[name]),
                                   entries.get(name), out, checked)
        if not current:
            entries.pop(name, None)     # its record is not evidence of anything any more
        if force or not current:
            todo.append((name, data))
        else:
            log(f"unchanged  {name}")
    failed = 0
    workers = worker_count(jobs, len(todo))
    if jobs and jobs > workers and todo:
        log(f"--jobs {jobs}: using {workers} workers ({cpus()} CPUs, {len(todo)} to render)")
    for result in _run(todo, workers):
        if result.error:
            failed += 1
            log(f"FAILED     {result.name:34} {result.seconds:6.2f} s\n{result.error}")
            continue
        commit(result, entries, order, out)
        entry = result.entry
        checked[result.name] = {"fingerprint": entry["fingerprint"], "words": words_digest(
            entry["caption"], entry["alt"], entry["data"])}
        log(f"rendered   {result.name:34} {result.seconds:6.2f} s")
    listed = manifest_bytes([entries[n] for n in order if n in entries])
    path = out / MANIFEST
    with interrupts_held():
        if not _regular_file_matches(path, len(listed), sha256(listed)):
            atomic_write(path, listed)
        gone = {n: e for n, e in old.items() if n not in specs}
        for n, e in old.items():      # files a current figure no longer has
            if n in entries and e is not entries[n]:
                gone[n] = e
        for name in remove_stale(gone, entries, out):
            log(f"removed    {name}")
    write_checked(out, {n: c for n, c in checked.items() if n in entries})
    with contextlib.suppress(OSError):
        (out / TMP).rmdir()         # empty after a build that finished
    log(f"{len(wanted)} figures: {len(todo) - failed} rendered, {len(wanted) - len(todo)} "
        f"unchanged, {failed} failed in {time.perf_counter() - start:.2f} s")
    return failed
