"""MkDocs hooks: serve the figures the manifest lists, and turn references into markup.

This is site glue, outside the convdocs package: it reads ``figures/manifest.json``
and never imports the figure code. MkDocs assembles; ``convdocs build`` renders.

* The files the manifest lists are added to the site under ``figures/``; nothing
  is copied into docs/, so the site cannot drift from the committed figures. A
  listed file that is missing, not a regular file, or a symlink fails the build;
  unlisted files in figures/ are not published.
* A line ``[[figure NAME]]`` becomes the figure's light and dark pictures with
  the manifest's alt text and caption. A figure with phone files (``"layout":
  "phone"``) offers them to narrow screens through ``<picture>``; each scheme's
  picture is a lightbox link to the page-size PNG, with the caption. An unknown
  NAME fails the build.
* An animation's ``<figure>`` also carries ``data-cd-player``: the JSON the site's
  player (``docs/assets/player/``) needs to play it from its atlases (the phone
  atlas too, with the media query that picks it), every number checked here.
  Without JavaScript the page shows the GIF, as the markup says.
* ``[[gallery]]`` becomes every figure with its caption, alt text and downloads.
* ``[[table NAME]]`` becomes a table the figure build computed (such as
  ``output-size``), from the manifest's ``tables``.
* Anything else that looks like a reference (``[[`` then a word) outside code
  (a typo, an unclosed reference, trailing text, an indented or listed
  reference) fails the strict build with its page and line; ``[[0, 1]]`` is
  a matrix and stays. References inside code blocks and code spans are left as they are.
* Every manifest field that reaches the page is escaped; names must be plain.
* Notebook pages lose the CDN scripts nbconvert adds (MathJax, Mermaid) and
  JupyterLab's inlined stylesheets; ``docs/assets/convdocs.css`` styles them. Their
  output images, which nbconvert inlines as base64 (and the lightbox link repeats),
  become files beside the page, lazy and sized.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import stat
from pathlib import Path
from urllib.parse import quote

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

DIRECTIVE = re.compile(r"\[\[(figure|table) ([a-z0-9][a-z0-9-]*)\]\]|\[\[gallery\]\]")
NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
FENCE = re.compile(r"^(`{3,}|~{3,})")                 # superfences: at the margin
CLOSING = re.compile(r"^(`{3,}|~{3,})[ \t]*$")         # a bare fence, nothing after it
REFERENCE_LIKE = re.compile(r"\[\[\s*[A-Za-z]")      # [[figure, [[ gallery, [[tabel ...
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
SEP = " \u00b7 "
KIND_LABEL = {"png": "PNG", "svg": "SVG", "gif": "GIF", "frames": "frames (PNG)"}
DOWNLOADS = ("png", "svg", "gif", "frames")      # the kinds offered for download, in order
PLAYER_BOXES = re.compile(r"(?:\d{1,5}(?:,\d{1,5}){5}(?: \d{1,5}(?:,\d{1,5}){5})*)?\Z")
MAX_SIDE = 16383                    # pixels: the longest side of a WebP image
# Narrow screens get the phone layouts (designed for a 358 px column) below Material's
# 45em breakpoint. From 720 px up the column is never narrower than 686 px, the column a
# desktop shows the page layouts in (measured at 720 to 1440 px); below it the column is
# the viewport less 32 px, so a page layout would shrink past anything a desktop shows.
# The same query is in docs/assets/convdocs.css (the player's room) and reaches the player
# in its data.
PHONE_MEDIA = "(max-width: 44.9375em)"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")

_state: dict = {}


def _fail(message: str):
    raise PluginError(message)


def _manifest(figures: Path) -> dict:
    path = figures / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries, tables = data["figures"], data.get("tables", {})
        if not isinstance(entries, list) or not isinstance(tables, dict):
            raise TypeError("'figures' must be a list and 'tables' a mapping")
    except FileNotFoundError:
        _fail(f"{path} is missing: run `make figures` (or `convdocs build`) first")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        _fail(f"{path} is not a convdocs manifest ({exc}): run `make regen` to write it again")
    licence, attribution = data.get("licence"), data.get("attribution")
    if not isinstance(licence, dict) or not isinstance(attribution, str):
        _fail(f"{path} has no licence and attribution: run `make regen`")
    if not str(licence.get("url", "")).startswith("https://"):
        _fail(f"{path}: the licence's url must be an https:// address: run `make regen`")
    for name, table in tables.items():
        if not (isinstance(table, dict) and isinstance(table.get("columns"), list)
                and isinstance(table.get("rows"), list)
                and all(isinstance(r, list) and len(r) == len(table["columns"])
                        for r in table["rows"])):
            _fail(f"{path}: table {str(name)[:40]!r} is not columns and rows of that many "
                  f"cells: run `make regen`")
    manifest = {}
    for n, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not NAME.match(name):
            _fail(f"{path}: figure {n + 1} has no plain name (lowercase letters, digits and "
                  f"dashes): run `make regen`")
        for key in ("title", "caption", "alt", "page", "animated", "files"):
            if key not in entry:
                _fail(f"{path}: figure {name!r} has no {key!r}: run `make regen`")
        if not NAME.match(str(entry["page"])):
            _fail(f"{path}: figure {name!r} has no plain page name: run `make regen`")
        if not isinstance(entry["files"], list):
            _fail(f"{path}: figure {name!r} has no list of files: run `make regen`")
        for f in entry["files"]:
            if not isinstance(f, dict) or Path(str(f.get("path", ""))).name != f.get("path") \
                    or f["path"] in ("", ".", "..") or "\x00" in f["path"]:
                _fail(f"{path}: figure {name!r} lists a file outside figures/: run `make regen`")
            if any(type(f.get(k)) is not int or f[k] < 0 for k in ("width", "height", "bytes")):
                _fail(f"{path}: figure {name!r} has a file whose width, height or size is not "
                      f"a whole number: run `make regen`")
        if name in manifest:
            _fail(f"{path}: figure {name!r} is listed twice: run `make regen`")
        manifest[name] = entry
    return {"figures": manifest, "tables": tables, "licence": licence,
            "attribution": attribution}


def on_config(config):
    figures = Path(config.config_file_path).parent / "figures"
    manifest = _manifest(figures)
    _state["figures_dir"] = figures
    _state["manifest"] = manifest["figures"]
    _state["tables"] = manifest["tables"]
    _state["licence"], _state["attribution"] = manifest["licence"], manifest["attribution"]
    # The footer states both licences; the figures' attribution line is the manifest's.
    name = html.escape(str(manifest["licence"].get("name", "")))
    config.copyright = (f"Code: MIT licence. Figures: {name}; credit them as "
                        f"\u201c{html.escape(manifest['attribution'])}\u201d")
    return config


def on_files(files, config):
    """Publish exactly the files the manifest lists: regular files, never symlinks."""
    figures = _state["figures_dir"]
    for entry in _state["manifest"].values():
        for f in entry["files"]:
            path = figures / f["path"]
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                _fail(f"figures/{f['path']} is listed in the manifest but missing: run "
                      f"`make figures`")
            if not stat.S_ISREG(mode):
                _fail(f"figures/{f['path']} is not a regular file (a symlink or a folder); "
                      f"the site publishes only the files the build wrote: run `make regen`")
            files.append(File(f"figures/{f['path']}", str(figures.parent), config.site_dir,
                              config.use_directory_urls))
    return files


def _prefix(page) -> str:
    """The relative path from a page's URL back to the site root."""
    return "../" * page.url.count("/")


def _url(prefix: str, path: str) -> str:
    return html.escape(prefix + "figures/" + quote(path), quote=True)


def _layout(f: dict) -> str:
    """A file's layout: "page" (the default) or "phone"."""
    return f.get("layout", "page")


def _find(entry, theme, kinds, layout="page"):
    for f in entry["files"]:
        if f.get("theme") == theme and f.get("kind") in kinds and _layout(f) == layout:
            return f
    return None


def _file(entry, theme, kinds, layout="page"):
    f = _find(entry, theme, kinds, layout)
    if f is None:
        _fail(f"figures/manifest.json: figure {entry['name']!r} has no {theme} "
              f"{'/'.join(kinds)} file{'' if layout == 'page' else ' for ' + layout}: "
              f"run `make regen`")
    return f


def phone_player(entry: dict):
    """The phone player layout of an animation, if the manifest has one."""
    return entry.get("player_phone")


def _count(value, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{value!r} is not a whole number from {low} to {high}")
    return value


def _player_layout(entry: dict, layouts, prefix: str, layout_name: str) -> dict:
    """One layout's player data (page or phone), every number checked."""
    if not isinstance(layouts, dict) or set(layouts) != {"light", "dark"}:
        raise ValueError("it needs a layout for light and one for dark")
    shared, themes = None, {}
    for theme in ("light", "dark"):
        layout, atlas = layouts[theme], _find(entry, theme, ("player",), layout_name)
        if atlas is None:
            raise ValueError(f"it has no {theme} player file"
                             f"{'' if layout_name == 'page' else ' for ' + layout_name}")
        aw, ah = _count(atlas["width"], 1, MAX_SIDE), _count(atlas["height"], 1, MAX_SIDE)
        w, h = _count(layout["width"], 1, aw), _count(layout["height"], 1, ah)
        ms = [_count(v, 1, 60_000) for v in layout["ms"]]
        frames = layout["frames"]
        if not 1 <= len(ms) <= 1000 or not isinstance(frames, list) \
                or len(frames) != len(ms):
            raise ValueError("it needs one duration and one box list per frame")
        frame = (w, h, _count(layout["key"], 0, len(ms) - 1), ms)
        if shared not in (None, frame):
            raise ValueError("its light and dark frames differ in size, key or timing")
        shared = frame
        for boxes in frames:
            if not isinstance(boxes, str) or not PLAYER_BOXES.match(boxes):
                raise ValueError(f"{str(boxes)[:40]!r} is not a list of x,y,w,h,ax,ay")
            for box in boxes.split():
                x, y, bw, bh, ax, ay = map(int, box.split(","))
                if x + bw > w or y + bh > h or ax + bw > aw or ay + bh > ah:
                    raise ValueError(f"the box {box} is outside the frame or the atlas")
        themes[theme] = {"src": prefix + "figures/" + quote(atlas["path"]), "frames": frames}
    w, h, key, ms = shared
    return {"width": w, "height": h, "key": key, "ms": ms, "themes": themes}


def player_data(entry: dict, prefix: str) -> dict | None:
    """What the player needs to play an animation: per theme the atlas's URL and, per
    frame, the boxes copied over the key frame; the frame size, key frame and durations;
    and, when the manifest has a phone layout, the same for it under "phone" with the
    media query that picks it. None for a still figure (or an animation recorded without
    a player). Anything out of shape or out of bounds fails the build: the page gets only
    checked numbers."""
    if not entry["animated"] or entry.get("player") is None:
        return None
    try:
        data = _player_layout(entry, entry["player"], prefix, "page")
        if phone_player(entry) is not None:
            data["phone"] = _player_layout(entry, phone_player(entry), prefix, "phone")
            data["media"] = PHONE_MEDIA
    except (KeyError, TypeError, ValueError) as exc:
        _fail(f"figures/manifest.json: figure {entry['name']!r} has a bad player layout "
              f"({exc}): run `make regen`")
    return data


def _size(f: dict) -> tuple[int, int]:
    """The CSS size a file is shown at: PNGs are 2x, GIFs 1x."""
    scale = 1 if f["kind"] == "gif" else 2
    return int(f["width"]) // scale, int(f["height"]) // scale


def picture_html(entry: dict, theme: str, prefix: str, caption: str) -> str:
    """One scheme's picture: the phone file for narrow screens when there is one, else the
    page file, inside a lightbox link to the page-size PNG that shows the caption.

    Every URL carries ``#only-THEME``: Material hides ``img[src$="#only-dark"]`` in the
    light scheme (and so on), and a hidden lazy image fetches none of its sources. The
    ``<source>``'s width and height are the phone file's, so the picture keeps its room
    whichever file it shows."""
    kinds = ("gif",) if entry["animated"] else ("png",)
    page, phone = _file(entry, theme, kinds), _find(entry, theme, kinds, "phone")
    alt = html.escape(str(entry["alt"]), quote=True)
    w, h = _size(page)
    source = ""
    if phone is not None:
        pw, ph = _size(phone)
        source = (f'<source media="{PHONE_MEDIA}" srcset="{_url(prefix, phone["path"])}'
                  f'#only-{theme}" width="{pw}" height="{ph}">')
    # The lightbox shows the page-size PNG (an animation's key frame): 2x pixels to zoom
    # into, the bytes the build checks, fetched only when the reader opens it.
    big = _file(entry, theme, ("png",))
    # cd-nozoom: glightbox would wrap the <img> itself and split it from its <picture>.
    return (f'<a class="glightbox cd-zoom cd-{theme}-only" href="{_url(prefix, big["path"])}" '
            f'data-type="image" data-width="auto" data-height="auto" data-gallery="{theme}" '
            f'data-desc-position="bottom" data-description="{caption}">'
            f'<picture>{source}<img class="cd-nozoom" src="{_url(prefix, page["path"])}'
            f'#only-{theme}" alt="{alt}" width="{w}" height="{h}" loading="lazy" '
            f'decoding="async"></picture></a>')


def figure_html(entry: dict, prefix: str) -> str:
    """Light and dark pictures of one figure, with its alt text and caption; an animation's
    figure also carries its player's data."""
    caption = html.escape(str(entry["caption"]))
    # glightbox puts data-description into the lightbox as HTML: escape the escaped text.
    imgs = [picture_html(entry, theme, prefix, html.escape(caption, quote=True))
            for theme in ("light", "dark")]
    name = entry["name"]            # a plain name: checked when the manifest was read
    player = player_data(entry, prefix)
    attrs = ""
    if player is not None:   # and the player's room, kept while it loads (player.css)
        attrs = (' data-cd-player="' + html.escape(json.dumps(player, separators=(",", ":")),
                                                   quote=True) + '"')
        w, h = player["width"], player["height"]
        pw, ph = (player["phone"]["width"], player["phone"]["height"]) if "phone" in player \
            else (w, h)
        imgs.append(f'<span class="cd-player-space" style="--cd-w:{w // 2}px;--cd-ar:{w}/{h};'
                    f'--cd-phone-w:{pw // 2}px;--cd-phone-ar:{pw}/{ph}" '
                    f'aria-hidden="true"></span>')
    return (f'<figure class="cd-figure" id="fig-{name}"{attrs}>\n' + "\n".join(imgs) +
            f'\n<figcaption>{caption} {download_links(entry, prefix)}</figcaption>\n'
            "</figure>")


def _label(f: dict) -> str:
    return KIND_LABEL[f["kind"]] + ("" if _layout(f) == "page" else f" ({_layout(f)})")


def download_links(entry: dict, prefix: str) -> str:
    """The figure's page files in the scheme on show (CSS hides the other scheme's links);
    the gallery offers the phone files too."""
    spans = []
    for theme in ("light", "dark"):
        links = [f'<a href="{_url(prefix, f["path"])}" download>{KIND_LABEL[f["kind"]]}</a>'
                 for kind in DOWNLOADS for f in entry["files"]
                 if f.get("theme") == theme and f.get("kind") == kind
                 and _layout(f) == "page"]
        spans.append(f'<span class="cd-more cd-{theme}-only">Download ({theme}): '
                     f'{SEP.join(links)}</span>')
    return " ".join(spans)


def _lookup(name: str, where: str) -> dict:
    entry = _state["manifest"].get(name)
    if entry is None:
        _fail(f"{where}: [[figure {name}]] names no figure in figures/manifest.json "
              f"(see `convdocs list`)")
    return entry


def _markdown_text(text: str) -> str:
    """Text that Markdown shows as it is, on one line: whitespace runs (newlines too)
    become one space, HTML is escaped, and so are Markdown's specials."""
    one_line = " ".join(str(text).split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def licence_html() -> str:
    """The figures' licence and the exact line to credit them with, from the manifest."""
    licence = _state["licence"]
    url = html.escape(str(licence.get("url", "")), quote=True)
    name = html.escape(str(licence.get("name", "")))
    return (f'<p class="cd-licence">The figures are licensed <a href="{url}">{name}</a>. '
            f'Credit them with this line: <q class="cd-attribution">'
            f'{html.escape(_state["attribution"])}</q></p>\n')


def thumbnail_index(prefix: str) -> str:
    """A grid of small pictures, one per figure, each a link to its entry below."""
    cells = []
    for entry in _state["manifest"].values():
        title = html.escape(str(entry["title"]))
        imgs = [f'<img src="{_url(prefix, f["path"])}#only-{f["theme"]}" alt="" '
                f'width="{int(f["width"])}" height="{int(f["height"])}" loading="lazy" '
                f'decoding="async">'
                for f in entry["files"] if f.get("kind") == "thumb" and _layout(f) == "page"]
        cells.append(f'<a class="cd-thumb" href="#{entry["name"]}">{"".join(imgs)}'
                     f'<span>{title}</span></a>')
    return ('<nav class="cd-thumbs" aria-label="Every figure, as a small picture">\n'
            + "\n".join(cells) + "\n</nav>\n")


def gallery_markdown(prefix: str) -> str:
    parts = [licence_html(), thumbnail_index(prefix)]
    for entry in _state["manifest"].values():
        rows = []
        for theme in ("light", "dark"):
            links = [f'<a class="cd-download" href="{_url(prefix, f["path"])}" download>'
                     f'{_label(f)}</a> <small>{int(f["width"])}'
                     f'\u00d7{int(f["height"])}, {int(f["bytes"]) / 1000:.0f} kB</small>'
                     for kind in DOWNLOADS for f in entry["files"]
                     if f.get("theme") == theme and f.get("kind") == kind]
            rows.append(f"<li><strong>{theme}</strong>: {SEP.join(links)}</li>")
        page = entry["page"]
        parts.append(
            f'## {_markdown_text(entry["title"])} {{ #{entry["name"]} }}\n\n'
            f'{figure_html(entry, prefix)}\n\n'
            f'<p class="cd-alt"><strong>Alt text:</strong> '
            f'{html.escape(str(entry["alt"]))}</p>\n'
            f'<ul class="cd-downloads">{"".join(rows)}</ul>\n'
            f'<p class="cd-name">Name: <code>{entry["name"]}</code>, on the '
            f'<a href="{prefix}{"" if page == "index" else page + "/"}">'
            f'{page.replace("-", " ")}</a> page.</p>\n')
    return "\n".join(parts)


def table_markdown(name: str, where: str) -> str:
    """A Markdown table the figure build computed; the last column is the result."""
    table = _state["tables"].get(name)
    if table is None:
        _fail(f"{where}: [[table {name}]] names no table in figures/manifest.json")
    lines = ["| " + " | ".join(_markdown_text(c) for c in table["columns"]) + " |",
             "| " + " | ".join("---:" for _ in table["columns"]) + " |"]
    for row in table["rows"]:
        cells = [_markdown_text(v) for v in row[:-1]] + [f"**{_markdown_text(row[-1])}**"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def expand(markdown: str, src: str, prefix: str) -> str:
    """Replace each reference line; fail on any other ``[[`` outside code."""
    out, fence = [], None
    for number, line in enumerate(markdown.split("\n"), start=1):
        opener = FENCE.match(line)
        if fence:
            closing = CLOSING.match(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opener:
            fence = opener.group(1)
            out.append(line)
            continue
        where = f"{src}, line {number}"
        visible = CODE_SPAN.sub("", line)
        if not REFERENCE_LIKE.search(visible):
            out.append(line)
            continue
        m = DIRECTIVE.fullmatch(line.rstrip())
        if not m:
            _fail(f"{where}: {line.strip()!r} is not a reference: write [[figure NAME]], "
                  f"[[table NAME]] or [[gallery]] alone on a line, at its start")
        kind, name = m.group(1), m.group(2)
        if kind == "figure":
            out.append(figure_html(_lookup(name, where), prefix))
        elif kind == "table":
            out.append(table_markdown(name, where))
        else:
            out.append(gallery_markdown(prefix))
    return "\n".join(out)


def on_page_markdown(markdown, page, config, files):
    return expand(markdown, page.file.src_uri, _prefix(page))


CODE_HTML = re.compile(r"<(pre|code)\b.*?</\1>", re.S | re.I)
LEFTOVER = re.compile(r"\[\[\s*(figure|table|gallery)\b")


def on_page_content(html_text, page, config, files):
    """A safety net behind :func:`expand`: a reference that reached the page as text, outside
    code, fails the build (say, inside a fence that Markdown closed and this hook did not)."""
    visible = CODE_HTML.sub("", html_text)
    leftover = LEFTOVER.search(visible)
    if leftover:
        _fail(f"{page.file.src_uri}: the page shows {visible[leftover.start():][:40]!r} as "
              f"text: a figure reference was not expanded; put it alone on a line, outside "
              f"code")
    return html_text


# -- notebook pages -----------------------------------------------------------------

# nbconvert's MathJax loader and its Mermaid module both load from CDNs; the notebook uses
# neither, so the whole script blocks go.
CDN_SCRIPT = re.compile(r"<script\b(?:(?!</script>).)*?(?:cdnjs|mathjax|mermaid)"
                        r"(?:(?!</script>).)*</script>|<script src=\"\">\s*</script>", re.S | re.I)
# nbconvert inlines JupyterLab's whole stylesheet (about 600 KB; 120 KB even when pruned to
# the classes in use), and restyling the page's 3,000 elements with it blocked the main
# thread for half a second on Lighthouse's phone. convdocs.css styles the few notebook
# classes the page uses instead, with Material's own code colours in both schemes.
JUPYTER_STYLE = re.compile(r'<style type="text/css">.*?</style>|<style>(?:(?!</style>).)*?'
                           r'(?:jp-|linenos)(?:(?!</style>).)*</style>', re.S)


DATA_PNG = re.compile(r'data:image/png;base64,([A-Za-z0-9+/=]+)')
DATA_IMG = re.compile(r'<img ([^>]*?)src="data:image/png;base64,([A-Za-z0-9+/=]+)(#[\w-]*)?"')


def _notebook_images(output: str, page, config) -> str:
    """Write each inlined PNG once as a file beside the page and point every use of it
    there; the images get their size and load lazily. The notebook's page was 507 kB,
    two thirds of it four pictures in base64, each twice (image and lightbox link)."""
    names: dict[str, tuple[str, int, int]] = {}

    def file_for(data: str) -> tuple[str, int, int]:
        if data not in names:
            raw = base64.b64decode(data)
            if raw[:8] != b"\x89PNG\r\n\x1a\n" or raw[12:16] != b"IHDR":
                _fail(f"{page.file.src_uri}: an output image is not a PNG")
            name = f"output-{hashlib.sha256(raw).hexdigest()[:16]}.png"
            out_dir = Path(config.site_dir) / page.url
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / name).write_bytes(raw)
            names[data] = (name, int.from_bytes(raw[16:20], "big"),
                           int.from_bytes(raw[20:24], "big"))
        return names[data]

    def img(m):
        name, w, h = file_for(m.group(2))
        return (f'<img {m.group(1)}width="{w}" height="{h}" loading="lazy" decoding="async" '
                f'src="{name}{m.group(3) or ""}"')

    output = DATA_IMG.sub(img, output)
    output = DATA_PNG.sub(lambda m: file_for(m.group(1))[0], output)
    # A picture for one scheme is hidden in the other, and so must be its lightbox link:
    # left in the tab order with no visible name, it is an empty link (Lighthouse: 97).
    return SCHEME_LINK.sub(lambda m: f'<a class="glightbox cd-{m.group(3)}-only"{m.group(1)}'
                                     f'href="{m.group(2)}"', output)


SCHEME_LINK = re.compile(r'<a class="glightbox"([^>]*?)href="([^"]*#only-(light|dark))"')


def on_post_page(output, page, config):
    # Material fetches the repository's star count from GitHub's API at page load:
    # a third-party request, so the repository link stays but loses that component.
    output = output.replace(' class="md-source" data-md-component="source"', ' class="md-source"')
    # Material's search dialog has no accessible name.
    output = output.replace('data-md-component="search" role="dialog">',
                            'data-md-component="search" role="dialog" aria-label="Search">')
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    output = CDN_SCRIPT.sub("", output)
    nb_url = getattr(page, "nb_url", None)
    if nb_url:
        link = (f'<a href="{nb_url}" title="Download this notebook" class="md-button '
                f'cd-notebook-download" download>Download the notebook (.ipynb)</a>')
        output = output.replace('<article class="md-content__inner md-typeset">',
                                '<article class="md-content__inner md-typeset">' + link, 1)
    # after the stylesheets go: JupyterLab's has PNGs of its own in data: URLs
    return _notebook_images(JUPYTER_STYLE.sub("", output), page, config)
