"""The teaching kit: two slide decks, a vector handout and two zips of figure files.

``convdocs slides`` lays every figure out as 1920x1080 slide files and lists them in
``build/teaching/slides.json``; this module assembles what a teacher downloads from them,
into the same folder:

- ``convdocs-light.pptx`` and ``convdocs-dark.pptx``: a title slide, then one slide per
  figure part, one PowerPoint section per chapter in site order. Each slide has the title,
  the picture (the GIF for an animation, so it plays) with the alt text as its description,
  the caption in the speaker notes, and the credit line.
- ``convdocs-handout-light.pdf``: every figure, drawn from its SVG as vector paths, with its
  title and caption; an animation also gets its print strip.
- ``convdocs-figures-light.zip`` and ``convdocs-figures-dark.zip``: the page and slide files
  of one theme, with a README that states the licence and lists the alt text.
- ``teaching.json``: what was written (file, bytes, sha256, slides) for the site.

Every file is a pure function of its inputs (fixed zip times, fixed document dates), so a
rebuild is byte-identical, and a file whose inputs did not change is not written again.
Files are written whole (a temporary file in the folder's ``.convdocs-tmp/``, then
``os.replace``), one run at a time per folder (the build's lock, which ``convdocs slides``
takes too); a run empties ``.convdocs-tmp/`` first, so what a killed run half-wrote goes,
and removes it when done. Nothing else in the folder is touched. python-pptx, reportlab
and svglib are imported only when a file is made, so ``import convdocs`` never loads them;
matplotlib is loaded only to draw the handout's animation frames.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KitError", "SlideFigure", "SlidePart", "assemble", "read_slides"]

THEMES = ("light", "dark")
KIT_VERSION = 1            # bump to rebuild every file after a change of layout
# One fixed moment for every date inside the files: the zip format's earliest.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
SLIDE_W, SLIDE_H = 1920, 1080   # pixels of a full-screen 16:9 slide
EMU_PER_PX = 914400 // 144       # 13.333 in x 7.5 in is 1920 x 1080 at 144 px per inch


class KitError(Exception):
    """The inputs of the teaching kit are missing or malformed; the message says which."""


# -- reading what `convdocs slides` wrote --------------------------------------------------

SLIDES_FORMAT = 2     # the format of slides.json this module reads (slides.FORMAT)


@dataclass(frozen=True)
class SlidePart:
    """One slide of a figure: its files by theme and kind ("png", "svg", "gif"), the title
    written on it ("Title: the part (1/3)" for a declared part), and the declared part's
    name ("the part"; "" for a slide cut from a figure that declares no parts)."""

    files: dict            # theme -> kind -> Path
    width: int
    height: int
    sha256: dict           # theme -> kind -> hex digest, as slides.json states it
    title: str
    part: str = ""


@dataclass(frozen=True)
class SlideFigure:
    name: str
    page: str
    title: str
    caption: str
    alt: str
    animated: bool
    parts: tuple[SlidePart, ...]


def _need(entry: dict, key: str, kind, where: str):
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise KitError(f"{where}: {key!r} must be a non-empty {kind.__name__} "
                       f"(got {value!r}): run `make slides`")
    return value


def read_slides(teaching: Path) -> list[SlideFigure]:
    """The figures that ``convdocs slides`` laid out, in site order, from ``slides.json``.

    This is the one place that knows that file's format: a ``figures`` list whose entries
    have ``name``, ``page``, ``title``, ``caption``, ``alt``, ``animated`` and ``parts``;
    each part has ``title`` (the title written on the slide), ``part`` (what a declared
    part is called, or ""), ``width``, ``height`` and ``files``, a theme -> kind ->
    ``{"path", "sha256"}`` map with paths relative to the folder of ``slides.json``; and
    ``format`` is :data:`SLIDES_FORMAT`.
    """
    teaching = Path(teaching)
    path = teaching / "slides.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KitError(f"{path} is missing: run `make slides`, which renders the slide "
                       f"files and slides.json first") from None
    except (OSError, ValueError) as exc:
        raise KitError(f"{path} cannot be read ({exc}): run `make slides`") from None
    if not isinstance(doc, dict) or doc.get("format") != SLIDES_FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        raise KitError(f"{path} is in format {found!r}, not {SLIDES_FORMAT}: run `make slides`")
    entries = doc.get("figures")
    if not isinstance(entries, list) or not entries:
        raise KitError(f"{path}: 'figures' must be a non-empty list (got "
                       f"{type(entries).__name__}): run `make slides`")
    figures, seen = [], set()
    for i, e in enumerate(entries):
        where = f"{path}: figure {i}"
        name = _need(e, "name", str, where)
        where = f"{path}: figure {name!r}"
        if name in seen:
            raise KitError(f"{where} is listed twice: run `make slides`")
        seen.add(name)
        parts = []
        for k, p in enumerate(_need(e, "parts", list, where)):
            pw = f"{where}, part {k + 1}"
            files, digests = {}, {}
            for theme in THEMES:
                kinds = _need(_need(p, "files", dict, pw), theme, dict, pw)
                files[theme], digests[theme] = {}, {}
                for kind, f in kinds.items():
                    rel = _need(f, "path", str, f"{pw}, {theme} {kind}")
                    if (Path(rel).is_absolute() or ".." in Path(rel).parts
                            or "\\" in rel or not Path(rel).parts):
                        raise KitError(f"{pw}, {theme} {kind}: {rel!r} is not a path inside "
                                       f"{teaching}: run `make slides`")
                    files[theme][kind] = teaching / rel
                    digests[theme][kind] = _need(f, "sha256", str, f"{pw}, {theme} {kind}")
                if "png" not in files[theme]:
                    raise KitError(f"{pw}: no {theme} png file: run `make slides`")
            width, height = _need(p, "width", int, pw), _need(p, "height", int, pw)
            if (width, height) != (SLIDE_W, SLIDE_H):
                raise KitError(f"{pw}: slides must be {SLIDE_W}x{SLIDE_H} (got "
                               f"{width}x{height}): run `make slides`")
            name_of_part = p.get("part")
            if not isinstance(name_of_part, str):
                raise KitError(f"{pw}: 'part' must be a string (got {name_of_part!r}): run "
                               f"`make slides`")
            parts.append(SlidePart(files, width, height, digests,
                                   _need(p, "title", str, pw), name_of_part))
        if not parts:
            raise KitError(f"{where} has no parts: run `make slides`")
        figures.append(SlideFigure(name, _need(e, "page", str, where),
                                   _need(e, "title", str, where),
                                   _need(e, "caption", str, where),
                                   _need(e, "alt", str, where),
                                   bool(e.get("animated", False)), tuple(parts)))
    return figures


def read_manifest(figures_dir: Path) -> dict:
    path = Path(figures_dir) / "manifest.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["by_name"] = {e["name"]: e for e in doc["figures"]}
        doc["themes"]["light"]["background"], doc["themes"]["dark"]["text"]
    except FileNotFoundError:
        raise KitError(f"{path} is missing: run `make figures`") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KitError(f"{path} cannot be read ({exc!r}): run `make regen`") from None
    return doc


def chapter_titles(pages, docs_dir: Path | None) -> dict[str, str]:
    """Each page's title: the first ``# `` heading of ``docs/PAGE.md``, else its name."""
    titles = {}
    for page in pages:
        title = page.replace("-", " ").capitalize()
        md = docs_dir / f"{page}.md" if docs_dir else None
        if md and md.is_file():
            for line in md.read_text(encoding="utf-8").splitlines():
                if line.startswith("# "):
                    title = line[2:].strip()
                    break
        titles[page] = title
    return titles


# -- writing files: whole, deterministic, only when their inputs changed ---------------------

def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fixed_zip(entries: list[tuple[str, bytes]], *, compress: bool = True) -> bytes:
    """A zip of `entries` in the given order with fixed times and permissions."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o100644 << 16
            info.create_system = 3     # unix, so the permissions above are read as such
            z.writestr(info, data, compresslevel=9 if compress else None)
    return buf.getvalue()


def repack(zip_bytes: bytes) -> bytes:
    """The same zip (an OOXML package) with every entry's time fixed, order kept."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()]
    return fixed_zip(entries)


def _file_digest(path: Path) -> str:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):    # a symlink could point anywhere
            raise KitError(f"{path} is not a regular file: run `make slides`")
        return sha256(path.read_bytes())
    except FileNotFoundError:
        raise KitError(f"{path} is missing: run `make slides`") from None


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version
    found = {}
    for dist in ("python-pptx", "reportlab", "svglib", "lxml"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = None
    return found


def inputs_key(*parts) -> str:
    """A digest of everything a file is made from, to skip a rebuild that changes nothing."""
    source = Path(__file__).read_bytes()
    blob = json.dumps([KIT_VERSION, sha256(source), _versions(), *parts], sort_keys=True,
                      default=str).encode()
    return sha256(blob)


# -- the decks ---------------------------------------------------------------------------

P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
SECTION_EXT = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"   # PowerPoint 2010's sections
DECK_TITLE = "Convolution and pooling"


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor
    return RGBColor.from_string(hex_colour.lstrip("#")[:6].upper())


def _text(slide, box, text, size, colour, *, bold=False, align="l", anchor="t",
          title=False):
    """A text box at `box` = (left, top, width, height) in slide pixels; with `title`, the
    slide's title placeholder, which outlines and screen readers take as the slide's name."""
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Emu, Pt
    left, top, width, height = (Emu(v * EMU_PER_PX) for v in box)
    if title:
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = left, top, width, height
    else:
        shape = slide.shapes.add_textbox(left, top, width, height)
    frame = shape.text_frame
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.word_wrap = True
    frame.vertical_anchor = {"t": MSO_ANCHOR.TOP, "m": MSO_ANCHOR.MIDDLE,
                             "b": MSO_ANCHOR.BOTTOM}[anchor]
    for margin in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, margin, 0)
    for i, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = {"l": PP_ALIGN.LEFT, "c": PP_ALIGN.CENTER}[align]
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = _rgb(colour)
    return shape


# Where things go on a 1920 x 1080 slide, in pixels. A slide file is already a whole slide,
# its title drawn at 48 px and its digits at 36 px or more, so the picture fills the slide
# at its own size (shrinking it would shrink the digits). The slide's title placeholder sits
# just above the slide: outlines and screen readers name the slide by it, and the audience
# does not see the title twice. The credit line goes in the picture's bottom margin.
MARGIN = 64
TITLE_BOX = (MARGIN, -100, SLIDE_W - 2 * MARGIN, 88)        # off the slide, above it
PICTURE_BOX = (0, 0, SLIDE_W, SLIDE_H)
CREDIT_BOX = (MARGIN, 1046, SLIDE_W - 2 * MARGIN, 30)       # 12 pt, in the slide's margin


TITLE_SIZES = (28, 26, 24, 22, 20)    # points; 28 pt is 56 px on a 1920-px slide


def title_size(text: str) -> int:
    """The largest title size at which `text` fits on one line of the title band, measured
    with DejaVu Sans Bold, wider than the usual slide fonts (Calibri, Carlito, Arial)."""
    from PIL import ImageFont
    path = str(_font_path() / "DejaVuSans-Bold.ttf")
    for size in TITLE_SIZES:
        if ImageFont.truetype(path, size * 2).getlength(text) <= TITLE_BOX[2]:
            return size
    return TITLE_SIZES[-1]


def _fit(width: int, height: int, box) -> tuple[int, int, int, int]:
    left, top, bw, bh = box
    scale = min(bw / width, bh / height)
    w, h = round(width * scale), round(height * scale)
    return left + (bw - w) // 2, top + (bh - h) // 2, w, h


def _sections_xml(prs, sections: list[tuple[str, list[int]]]) -> None:
    """Write PowerPoint sections (``p14:sectionLst`` in presentation.xml's ``p:extLst``)."""
    import uuid

    from lxml import etree
    from pptx.oxml.ns import qn

    pres = prs.part._element
    ext_lst = pres.find(qn("p:extLst"))
    if ext_lst is None:
        ext_lst = etree.SubElement(pres, qn("p:extLst"))   # extLst is the last child
    for old in ext_lst.findall(qn("p:ext")):
        if old.get("uri") == SECTION_EXT:
            ext_lst.remove(old)
    ext = etree.SubElement(ext_lst, qn("p:ext"))
    ext.set("uri", SECTION_EXT)
    lst = etree.SubElement(ext, f"{{{P14}}}sectionLst", nsmap={"p14": P14})
    for name, ids in sections:
        section = etree.SubElement(lst, f"{{{P14}}}section")
        section.set("name", name)
        # a fixed id per name, in the braced GUID form PowerPoint writes
        section.set("id", "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "convdocs:" + name))
                    .upper() + "}")
        id_lst = etree.SubElement(section, f"{{{P14}}}sldIdLst")
        for sid in ids:
            etree.SubElement(id_lst, f"{{{P14}}}sldId").set("id", str(sid))


def part_alt(figure: SlideFigure, k: int) -> str:
    """The description of slide `k` (from 1) of `figure`'s picture: the figure's alt text,
    which describes the whole figure, said to be that for a slide that shows a part."""
    n = len(figure.parts)
    if n == 1:
        return figure.alt
    shows = figure.parts[k - 1].part
    return f"Part {k} of {n} of the figure{': ' + shows if shows else ''}. The whole " \
           f"figure: {figure.alt}"


def deck_bytes(figures: list[SlideFigure], theme: str, colours: dict, attribution: str,
               chapters: dict[str, str], version: str) -> tuple[bytes, int]:
    """A 16:9 deck of `figures` in `theme`; returns its bytes and its number of slides."""
    import datetime as dt

    from pptx import Presentation
    from pptx.util import Emu

    background, text, muted = colours["background"], colours["text"], colours["muted"]
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W * EMU_PER_PX), Emu(SLIDE_H * EMU_PER_PX)
    title_only = prs.slide_layouts[5]

    def new_slide():
        slide = prs.slides.add_slide(title_only)
        fill = slide.background.fill
        fill.solid()
        fill.fore_color.rgb = _rgb(background)
        return slide

    slide = new_slide()
    sections = [("convdocs", [slide.slide_id])]
    count = sum(len(f.parts) for f in figures)
    _text(slide, (MARGIN * 2, 300, SLIDE_W - 4 * MARGIN, 160), DECK_TITLE, 54, text, bold=True,
          align="c", anchor="b", title=True)
    _text(slide, (MARGIN * 2, 480, SLIDE_W - 4 * MARGIN, 200),
          f"{len(figures)} figures on {count} slides, chapter by chapter, from convdocs "
          f"{version}.\nThe speaker notes hold each figure's caption.", 24, muted, align="c")
    _text(slide, CREDIT_BOX, attribution, 12, muted, align="c")
    notes = slide.notes_slide.notes_text_frame
    notes.text = ("Every figure is computed by the tested convdocs library. Captions are in "
                  "the notes; each picture's alt text is set as its description.")

    for figure in figures:
        chapter = chapters.get(figure.page, figure.page)
        if sections[-1][0] != chapter:
            sections.append((chapter, []))
        for k, part in enumerate(figure.parts, 1):
            slide = new_slide()
            sections[-1][1].append(slide.slide_id)
            # the title written on the slide image: a declared part's own name, or "(2/3)"
            _text(slide, TITLE_BOX, part.title, title_size(part.title), text, bold=True,
                  anchor="m", title=True)
            kind = "gif" if figure.animated and "gif" in part.files[theme] else "png"
            path = part.files[theme][kind]
            left, top, w, h = _fit(part.width, part.height, PICTURE_BOX)
            pic = slide.shapes.add_picture(str(path), Emu(left * EMU_PER_PX),
                                           Emu(top * EMU_PER_PX), Emu(w * EMU_PER_PX),
                                           Emu(h * EMU_PER_PX))
            c_nv_pr = pic._element.nvPicPr.cNvPr
            c_nv_pr.set("name", f"{figure.name} {k}")
            c_nv_pr.set("descr", part_alt(figure, k))
            _text(slide, CREDIT_BOX, attribution, 12, muted)
            slide.notes_slide.notes_text_frame.text = figure.caption

    _sections_xml(prs, sections)
    props = prs.core_properties
    fixed = dt.datetime(*FIXED_DATE)
    props.title = f"convdocs: {DECK_TITLE.lower()} ({theme})"
    props.author = props.last_modified_by = "convdocs"
    props.subject = attribution
    props.keywords = "convolution; pooling; CNN; teaching"
    props.comments = "Made by convdocs.figures.teaching from the figure files; CC BY 4.0."
    props.created = props.modified = fixed
    props.last_printed = fixed
    props.revision = 1
    buf = io.BytesIO()
    prs.save(buf)
    return repack(buf.getvalue()), len(prs.slides)


# -- the handout ---------------------------------------------------------------------------

def _font_path() -> Path:
    """matplotlib's DejaVu Sans, the figures' font, found without importing matplotlib."""
    import importlib.util
    spec = importlib.util.find_spec("matplotlib")
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "mpl-data" / "fonts" / "ttf"


def _register_fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    ttf = _font_path()
    for name, file in (("DejaVuSans", "DejaVuSans.ttf"),
                       ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(ttf / file)))
    return "DejaVuSans", "DejaVuSans-Bold"


SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e-?\d+)?")
_OPACITY = re.compile(r"(?<![\w-])opacity:\s*([\d.]+)")
_PATTERN_FILL = re.compile(r"fill:\s*url\(#([\w-]+)\)")


def svg_for_svglib(svg: bytes) -> bytes:
    """matplotlib's SVG with the two things svglib does not draw spelled out:

    - ``opacity`` on a shape becomes ``fill-opacity`` and ``stroke-opacity`` (the
      receptive-field figure's nested squares);
    - a hatch, a ``<pattern>`` fill, becomes the pattern's lines, repeated over the shape
      and clipped to it (stride-odd's skipped cells).
    """
    from lxml import etree
    root = etree.fromstring(svg, etree.XMLParser(huge_tree=True))
    defs = root.find(f"{SVG}defs")
    patterns = {p.get("id"): p for p in root.iter(f"{SVG}pattern")
                if p.get("patternUnits") == "userSpaceOnUse"}
    for n, el in enumerate(list(root.iter(f"{SVG}path"))):
        style = el.get("style", "")
        if _OPACITY.search(style):
            style = _OPACITY.sub(r"fill-opacity: \1; stroke-opacity: \1", style)
            el.set("style", style)
        m = _PATTERN_FILL.search(style)
        if not m or m.group(1) not in patterns or el.getparent().tag == f"{SVG}pattern":
            continue
        pattern = patterns[m.group(1)]
        w, h = float(pattern.get("width")), float(pattern.get("height"))
        xs = [float(v) for v in _NUMBER.findall(el.get("d"))]
        x0, x1, y0, y1 = min(xs[0::2]), max(xs[0::2]), min(xs[1::2]), max(xs[1::2])
        clip = etree.SubElement(defs, f"{SVG}clipPath", id=f"hatch-clip-{n}")
        etree.SubElement(clip, f"{SVG}path", d=el.get("d"))
        group = etree.Element(f"{SVG}g", {"clip-path": f"url(#hatch-clip-{n})"})
        for tx in range(int(x0 // w) * int(w), int(x1) + 1, int(w)):
            for ty in range(int(y0 // h) * int(h), int(y1) + 1, int(h)):
                for line in pattern.iter(f"{SVG}path"):
                    etree.SubElement(group, f"{SVG}path", d=line.get("d"),
                                     transform=f"translate({tx} {ty})",
                                     style=line.get("style", "") + "; fill: none")
        el.set("style", _PATTERN_FILL.sub("fill: none", style))
        el.addnext(group)
    return etree.tostring(root)


def _svg_drawing(source: Path | bytes, max_w: float, max_h: float):
    """An SVG file (or its bytes) as a reportlab Drawing of vector paths, scaled to fit."""
    from svglib.svglib import svg2rlg
    svg = source if isinstance(source, bytes) else source.read_bytes()
    drawing = svg2rlg(io.BytesIO(svg_for_svglib(svg)))
    if drawing is None:
        raise KitError(f"{source if isinstance(source, Path) else 'an SVG'} is not an SVG "
                       f"that svglib can read: run `make regen`")
    scale = min(max_w / drawing.width, max_h / drawing.height, 1.0)
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    drawing.hAlign = "CENTER"
    return drawing


def strip_svgs(name: str) -> list[tuple[int, int, bytes, bool]]:
    """The print-strip frames of animation `name` as light SVGs: (step, frames, svg, is key).

    Drawn by the figure renderer (matplotlib), the same code as the strip PNG, so the
    handout can keep them vector; imported here only, so the decks never load matplotlib.
    """
    from . import catalogue, render, style
    spec = catalogue.FIGURES[name]
    data = spec.compute()
    frames = spec.animate(data)
    n = frames.frames
    key = spec.timing.key_index(n, data)
    out = []
    for step in spec.timing.strip_steps(n, data):
        fig = render.draw(spec, data, style.LIGHT, step, frames)
        buf = io.BytesIO()
        with style.context(style.LIGHT):
            fig.savefig(buf, format="svg", metadata=render.svg_metadata(spec.title))
        out.append((step, n, buf.getvalue(), step == key))
    return out


def handout_bytes(manifest: dict, figures_dir: Path, names: list[str],
                  chapters: dict[str, str], version: str) -> bytes:
    """A4 pages: each figure's title, its SVG as vector, its caption; an animation's print
    strip below. Page order is `names` (the slide order), grouped under chapter headings."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (KeepTogether, Paragraph,
                                    SimpleDocTemplate, Spacer)
    from xml.sax.saxutils import escape

    regular, bold = _register_fonts()
    ink = colors.HexColor(manifest["themes"]["light"]["text"])
    grey = colors.HexColor(manifest["themes"]["light"]["muted"])
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13, textColor=ink)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=grey)
    head = ParagraphStyle("head", parent=body, fontName=bold, fontSize=12, leading=15,
                          spaceBefore=6, spaceAfter=4)
    chapter_style = ParagraphStyle("chapter", parent=head, fontSize=17, leading=21,
                                   spaceBefore=0, spaceAfter=8)
    cover = ParagraphStyle("cover", parent=chapter_style, fontSize=26, leading=32)

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=18 * mm, invariant=1,
                            title="convdocs: figures handout (light)", author="convdocs",
                            subject=manifest["attribution"], creator="convdocs.figures.teaching",
                            producer="convdocs.figures.teaching")
    width = doc.width
    attribution = manifest["attribution"]

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(grey)
        canvas.drawString(18 * mm, 10 * mm, attribution)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc_.page))
        canvas.restoreState()

    story = [Paragraph(f"convdocs: {DECK_TITLE.lower()}", cover),
             Paragraph(f"A handout of all {len(names)} figures, with their captions, from "
                       f"convdocs {escape(version)}. Every figure is drawn as vector paths, "
                       f"so the digits stay sharp at any zoom; an animation is shown as a "
                       f"strip of its first, key and last frames.", body), Spacer(1, 6 * mm)]
    current = None
    for name in names:
        entry = manifest["by_name"].get(name)
        if entry is None:
            raise KitError(f"figure {name!r} is in slides.json but not in "
                           f"{figures_dir / 'manifest.json'}: run `make figures`")
        files = {f["kind"]: f for f in entry["files"]
                 if f["theme"] == "light" and f.get("layout", "page") == "page"}
        block = []
        if entry["page"] != current:     # a chapter's heading stays with its first figure
            current = entry["page"]
            block.append(Paragraph(escape(chapters.get(current, current)), chapter_style))
        block.append(Paragraph(escape(entry["title"]), head))
        if entry["animated"]:
            # the print strip, drawn again as vector: first, key and last frames
            strip = strip_svgs(name)
            for step, n, svg, key in strip:
                label = f"Step {step + 1} of {n}" + (" (the key frame)" if key else "")
                block += [Paragraph(label, small),
                          _svg_drawing(svg, width, (207 * mm) / len(strip)),
                          Spacer(1, 1.5 * mm)]
        else:
            block.append(_svg_drawing(figures_dir / files["svg"]["path"], width, 120 * mm))
        block += [Spacer(1, 2 * mm), Paragraph(escape(entry["caption"]), body)]
        story += [KeepTogether(block), Spacer(1, 7 * mm)]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# -- the zips --------------------------------------------------------------------------------

ZIP_KINDS = ("png", "svg", "gif", "frames")   # thumbnails and player atlases are site-only


def zip_readme(manifest: dict, figures: list[SlideFigure], theme: str, version: str) -> str:
    lic = manifest["licence"]
    lines = [
        f"convdocs figures, {theme} theme (convdocs {version})",
        "",
        "page/    the figures as the site shows them: NAME.THEME.png (2x), .svg,",
        "         and for an animation .gif and .frames.png (a print strip of its frames)",
        "phone/   the same figures drawn for a phone's 358 px column: NAME.phone.THEME.png",
        "         (2x), and for an animation .gif",
        "slides/  the same figures laid out for a 1920x1080 slide: NAME.slide.THEME.png,",
        "         .svg, and .gif for an animation; a dense figure is split into",
        "         NAME.slide-1, NAME.slide-2, ...",
        "",
        f"Licence: {lic['name']} ({lic['url']}), {lic['copyright']}.",
        "Use, share and adapt the figures, also commercially, as long as you credit them:",
        f"  {manifest['attribution']}",
        "The code that draws them is MIT-licensed. Grace Hopper's portrait, used in",
        "several figures, is a U.S. Navy photograph in the public domain.",
        "",
        "Each figure's title, alt text (paste it into the picture's description) and caption:",
    ]
    for f in figures:
        lines += ["", f"{f.name}: {f.title}", f"  alt: {f.alt}", f"  caption: {f.caption}"]
    return "\n".join(lines) + "\n"


def zip_entries(manifest: dict, figures_dir: Path, figures: list[SlideFigure], theme: str,
                version: str) -> list[tuple[str, Path | bytes]]:
    top = f"convdocs-figures-{theme}"
    entries: dict[str, Path | bytes] = {
        f"{top}/README.txt": zip_readme(manifest, figures, theme, version).encode()}
    for f in figures:
        entry = manifest["by_name"].get(f.name)
        if entry is None:
            raise KitError(f"figure {f.name!r} is in slides.json but not in "
                           f"{figures_dir / 'manifest.json'}: run `make figures`")
        for file in entry["files"]:
            if file["theme"] == theme and file["kind"] in ZIP_KINDS:
                # page files in page/, phone files (NAME.phone.THEME.*) in phone/
                folder = file.get("layout", "page")
                entries[f"{top}/{folder}/{file['path']}"] = figures_dir / file["path"]
        for part in f.parts:
            for path in part.files[theme].values():
                entries[f"{top}/slides/{path.name}"] = path
    return sorted(entries.items())


def _read(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return source.read_bytes()
    except FileNotFoundError:
        raise KitError(f"{source} is missing: run `make slides`") from None


# -- the whole kit ---------------------------------------------------------------------------

DECK = "convdocs-{theme}.pptx"
HANDOUT = "convdocs-handout-light.pdf"
ZIP = "convdocs-figures-{theme}.zip"
RECORD = "teaching.json"


def _previous(teaching: Path) -> dict:
    try:
        doc = json.loads((teaching / RECORD).read_text(encoding="utf-8"))
        return {f["file"]: f for f in doc["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def assemble(teaching: Path, figures_dir: Path, *, docs_dir: Path | None = None,
             force: bool = False, log=print) -> dict:
    """Write the decks, the handout, the zips and ``teaching.json`` into `teaching`.

    A file whose inputs (and this module) are unchanged since it was written, and which
    still has the bytes recorded for it, is left alone unless `force`. Returns the record.
    One run at a time per folder (`build.locked`); SIGTERM and SIGHUP stop it as Ctrl-C
    does, with every file complete.
    """
    from . import build

    teaching = Path(teaching)
    if not teaching.is_dir():
        read_slides(teaching)     # says that slides.json is missing: run `make slides`
    with build.stop_on_signals(), build.locked(teaching):
        build.clear_temporaries(teaching)      # what a killed run half-wrote
        doc = _assemble(teaching, Path(figures_dir), docs_dir, force, log)
        with contextlib.suppress(OSError):
            (teaching / build.TMP).rmdir()     # empty after a run that finished
    return doc


def _assemble(teaching: Path, figures_dir: Path, docs_dir: Path | None, force: bool,
              log) -> dict:
    from .. import __version__
    from .build import atomic_write  # into .convdocs-tmp/, then renamed

    figures = read_slides(teaching)
    manifest = read_manifest(figures_dir)
    pages = list(dict.fromkeys(f.page for f in figures))
    chapters = chapter_titles(pages, docs_dir)
    previous = _previous(teaching)
    slide_digests = {}
    for f in figures:
        for part in f.parts:
            for theme in THEMES:
                for kind, path in part.files[theme].items():
                    actual = _file_digest(path)
                    if actual != part.sha256[theme][kind]:
                        raise KitError(f"{path} does not match its sha256 in "
                                       f"{teaching / 'slides.json'}: run `make slides`")
                    slide_digests[str(path.relative_to(teaching))] = actual
    listing = [[f.name, f.page, f.title, f.caption, f.alt, f.animated,
                [[part.title, {t: {k: str(p.relative_to(teaching))
                                   for k, p in part.files[t].items()} for t in THEMES}]
                 for part in f.parts]] for f in figures]
    page_digests = {e["name"]: [e.get("fingerprint"), [[x["path"], x["sha256"]]
                                                        for x in e["files"]]]
                    for e in manifest["figures"] if e["name"] in {f.name for f in figures}}
    common = [__version__, listing, slide_digests, manifest["attribution"], chapters]

    record = []

    def make(name: str, key_parts, build) -> None:
        key = inputs_key(name, *key_parts)
        old = previous.get(name)
        path = teaching / name
        if (not force and old and old.get("inputs") == key and path.is_file()
                and path.stat().st_size == old.get("bytes")
                and _file_digest(path) == old.get("sha256")):
            record.append(old)
            log(f"teaching: {name} is up to date")
            return
        data, extra = build()
        atomic_write(path, data)
        record.append({"file": name, "bytes": len(data), "sha256": sha256(data),
                       **extra, "inputs": key})
        log(f"teaching: wrote {name} ({len(data):,} bytes)")

    for theme in THEMES:
        colours = manifest["themes"][theme]

        def deck(theme=theme, colours=colours):
            data, slides = deck_bytes(figures, theme, colours, manifest["attribution"],
                                      chapters, __version__)
            return data, {"kind": "deck", "theme": theme, "slides": slides}
        make(DECK.format(theme=theme), [common, theme, colours], deck)

    names = [f.name for f in figures]

    def handout():
        data = handout_bytes(manifest, figures_dir, names, chapters, __version__)
        return data, {"kind": "handout", "theme": "light", "figures": len(names)}
    make(HANDOUT, [__version__, names, chapters, page_digests, manifest["attribution"],
                   manifest["themes"]["light"]], handout)

    for theme in THEMES:
        def archive(theme=theme):
            entries = zip_entries(manifest, figures_dir, figures, theme, __version__)
            data = fixed_zip([(n, _read(s)) for n, s in entries])
            return data, {"kind": "zip", "theme": theme, "entries": len(entries)}
        make(ZIP.format(theme=theme), [common, page_digests, manifest["licence"], theme],
             archive)

    doc = {"version": KIT_VERSION, "convdocs": __version__, "files": record}
    data = (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()
    target = teaching / RECORD
    if not target.is_file() or target.read_bytes() != data:
        atomic_write(target, data)
    return doc


def default_paths() -> tuple[Path, Path, Path | None]:
    """figures/, build/teaching/ and docs/ of the checkout this package lives in, else of the
    current folder."""
    top = Path(__file__).resolve().parents[3]
    if not (top / "mkdocs.yml").is_file():
        top = Path.cwd()
    docs = top / "docs"
    return top / "figures", top / "build" / "teaching", docs if docs.is_dir() else None

