"""MkDocs hook: publish the teaching kit and expand ``[[teaching-kit]]`` into its links.

``make slides`` writes the decks, the handout and the zips into ``build/teaching/`` with a
record of them, ``teaching.json`` (file, bytes, sha256, slides). This hook publishes exactly
the files that record lists, under ``teaching/``, and turns a ``[[teaching-kit]]`` line into
a list of download links with their sizes. It must run before ``figures.py``, which refuses
any other ``[[...]]`` line, so mkdocs.yml lists it first.

A site built without the kit (``mkdocs build`` alone, as the site tests do) says so on the
page instead of linking to files that are not there. ``exclude_docs: /hooks/`` keeps this
file off the site; like ``figures.py`` it never imports convdocs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from pathlib import Path
from urllib.parse import quote

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.teaching")
PLACEHOLDER = "[[teaching-kit]]"
FENCE = re.compile(r"^(`{3,}|~{3,})")
NAME = re.compile(r"[a-z0-9][a-z0-9.-]*\.(pptx|pdf|zip)\Z")
ORDER = {"deck": 0, "handout": 1, "zip": 2}
THEMES = ("light", "dark")
_state: dict = {"dir": None, "files": []}


def _fail(message: str):
    raise PluginError(f"teaching kit: {message}")


def read_record(teaching: Path) -> list[dict] | None:
    """The files ``teaching.json`` lists, checked against the disk; None without a kit."""
    path = teaching / "teaching.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        _fail(f"{path} cannot be read ({exc}): run `make slides`")
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, list) or not files:
        _fail(f"{path}: 'files' must be a non-empty list: run `make slides`")
    seen = set()
    for f in files:
        name = f.get("file") if isinstance(f, dict) else None
        if not isinstance(name, str) or not NAME.match(name):
            _fail(f"{path}: {name!r} is not a file name the kit writes: run `make slides`")
        if f.get("kind") not in ORDER or type(f.get("bytes")) is not int:
            _fail(f"{path}: {name} has no kind or size: run `make slides`")
        # theme and slides go into the page's Markdown: only values the kit writes
        if f.get("theme", "light") not in THEMES or ("slides" in f and (
                type(f["slides"]) is not int or not 0 < f["slides"] < 100_000)):
            _fail(f"{path}: {name} has a bad theme or slide count: run `make slides`")
        if name in seen:
            _fail(f"{path}: {name} is listed twice: run `make slides`")
        seen.add(name)
        target = teaching / name
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            _fail(f"build/teaching/{name} is listed in teaching.json but missing: "
                  f"run `make slides`")
        if not stat.S_ISREG(mode):
            _fail(f"build/teaching/{name} is not a regular file: run `make slides`")
        data = target.read_bytes()
        if len(data) != f["bytes"] or hashlib.sha256(data).hexdigest() != f.get("sha256"):
            _fail(f"build/teaching/{name} is not the file teaching.json records: "
                  f"run `make slides`")
    return sorted(files, key=lambda f: (ORDER[f["kind"]], f.get("theme") != "light"))


def size(n: int) -> str:
    """Bytes for a reader: ``840 kB``, ``10.4 MB``."""
    if n < 1_000_000:
        return f"{max(1, round(n / 1000))} kB"
    return f"{n / 1_000_000:.1f} MB"


def label(f: dict) -> str:
    theme = f.get("theme", "light")
    if f["kind"] == "deck":
        return (f"**Slides, {theme}** (PowerPoint, 16:9, {f.get('slides', '?')} slides, "
                f"one section per chapter)")
    if f["kind"] == "handout":
        return "**Handout** (PDF, A4, every figure as vector with its caption)"
    return f"**All {theme} figure files** (zip: page, phone and slide files, README with alt text)"


def kit_markdown(files: list[dict] | None, prefix: str) -> str:
    if files is None:
        return ("!!! note \"Teaching kit\"\n    This copy of the site was built without the "
                "teaching kit. Run `make slides` (or `make docs`) to make the decks, the "
                "handout and the zips, then build the site again.")
    lines = []
    for f in files:
        url = prefix + "teaching/" + quote(f["file"])
        lines.append(f"- {label(f)}: [{f['file']}]({url}), {size(f['bytes'])}")
    return "\n".join(lines)


def expand(markdown: str, files: list[dict] | None, prefix: str) -> str:
    out, fence = [], None
    for line in markdown.split("\n"):
        m = FENCE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif line.strip().startswith(fence[0] * len(fence)) and not line.strip(fence[0]):
                fence = None
        if fence is None and line.rstrip() == PLACEHOLDER:
            out.append(kit_markdown(files, prefix))
        else:
            out.append(line)
    return "\n".join(out)


def on_config(config):
    _state["dir"] = Path(config.config_file_path).parent / "build" / "teaching"
    _state["files"] = read_record(_state["dir"])
    if _state["files"] is None:
        log.info("no build/teaching/teaching.json: the site links to no teaching kit "
                 "(run `make slides`)")
    return config


def on_files(files, config):
    for f in _state["files"] or []:
        files.append(File(f"teaching/{f['file']}", str(_state["dir"].parent), config.site_dir,
                          config.use_directory_urls))
    return files


def on_page_markdown(markdown, page, config, files):
    # a Markdown link relative to the page's source file, which MkDocs checks and rewrites
    prefix = "../" * page.file.src_uri.count("/")
    return expand(markdown, _state["files"], prefix)
