"""Render a figure to file contents in memory: PNG, SVG, GIF and frame strips.

This module decides formats, resolution and metadata; it writes nothing to
disk (:mod:`convdocs.figures.build` does, atomically). It knows only the
figure spec and the style. Every output is deterministic: no dates, no
version strings, fixed SVG ids, bundled fonts only, and none of the user's
matplotlib settings.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np
import oxipng
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation
from PIL import Image, PngImagePlugin

from . import style
from .spec import ATTRIBUTION, SOURCE_URL, FigureSpec, Part, Timing
from .spec import file_name as spec_file_name
from .style import Medium, Theme

PNG_METADATA = {"Software": None}


def png_metadata(title: str) -> dict:
    """PNG text chunks: the figure's title, its licence and where it comes from."""
    return {"Software": None, "Title": title, "Copyright": ATTRIBUTION, "Source": SOURCE_URL}


def svg_metadata(title: str) -> dict:
    """SVG Dublin Core metadata: title and rights; no date, so the bytes stay the same."""
    return {"Date": None, "Creator": None, "Title": title, "Rights": ATTRIBUTION,
            "Source": SOURCE_URL}
GIF_COLOURS = 64
THUMB_WIDTH = 240         # CSS pixels of a gallery thumbnail (1x: an index, not a figure)
STRIP_GAP = 16            # pixels between frames in a strip
HOLD = 2.5                # the first and last frames stay this many times longer
# oxipng for every RGB file matplotlib draws (page, key frame, phone): level 2 with
# libdeflate at 7, trying only two row filters, none and Paeth. Measured on the 188 files
# of a build: the filter choice before (Bigrams at level 0 for phone files and key frames,
# six filters at level 2 for the page's) took 2.3-2.6x the time; the page's still PNGs
# were 3.5 % smaller with it, the phone's 2 % larger. A page file over PNG_BUDGET bytes
# is compressed again with libdeflate at 10.
PNG_OXIPNG = {"level": 2, "deflate": oxipng.Deflaters.libdeflater(7),
              "filter": [oxipng.RowFilter.NoOp, oxipng.RowFilter.Paeth]}
PNG_DEFLATE_TIGHT = oxipng.Deflaters.libdeflater(10)
PNG_BUDGET = 150_000      # bytes: the most a page's PNG should weigh
# Lossless WebP for the player's atlases, page and phone. Measured on all 64 atlases:
# method 6 at quality (effort) 75 takes 39 % of the time of method 5 at 100 for 5 % more
# bytes, and is both faster and 16 % smaller than method 1 at 50 (pixels are the same).
PLAYER_WEBP = {"method": 6, "quality": 75}


@dataclass(frozen=True)
class File:
    """One output file: its name relative to figures/, bytes, and pixel size."""

    path: str
    data: bytes
    width: int
    height: int
    kind: str            # "png", "svg", "gif", "frames" or "player"
    theme: str
    layout: dict | None = field(default=None, compare=False)   # a player atlas's layout
    medium: str = "page"  # the layout the file is for: "page" or "phone"


def _blank() -> Figure:
    fig = Figure()
    FigureCanvasAgg(fig)
    return fig


def draw(spec: FigureSpec, data, theme: Theme, step: int | None = None, frames=None,
         medium: Medium = style.PAGE, part: Part | None = None) -> Figure:
    """A fresh Figure with `spec` drawn into it in one pass, for `theme` (and, for an
    animation, `step`; `frames` is the animation object when the caller has one), laid out
    for `medium`; only `part` of it, one of the slide parts it declares, when given."""
    with style.context(theme), style.drawing_for(medium):
        fig = _blank()
        if spec.animated:
            frames = frames or spec.animate(data)
            ctx = frames.static(fig, theme)
            fit_text(fig, medium)
            fit_text(fig, medium, frames.moving(ctx, step))
        else:
            (part or spec).draw(fig, theme, data)
            fit_text(fig, medium)
    return fig


# -- the one place that adapts a drawing to a medium ---------------------------------------

def scale(fig: Figure, medium: Medium) -> float:
    """How much of its design size `fig` is shown at in `medium`: 1, or less on a phone
    when even the wrapped figure is wider than the column."""
    if medium.name != "phone":
        return 1.0
    width = fig.get_size_inches()[0] * medium.px_per_inch
    return min(1.0, medium.width_px / width)


def css_px_per_point(fig: Figure, medium: Medium) -> float:
    """Pixels of the medium that one point of text becomes, as the figure is shown."""
    return medium.px_per_inch * scale(fig, medium) / 72


def file_dpi(fig: Figure, medium: Medium) -> float:
    """The dpi to save `fig` at for `medium`'s files."""
    return medium.px_per_inch * scale(fig, medium) * medium.file_scale


TEXT_MARGIN = 0.08    # design inches kept clear at the figure's sides when text is wrapped


def _walk(artist):
    """`artist` and everything under it, except the axis of an Axes that draws none:
    listing an axis's children makes its ticks, which took most of the time of fitting a
    slide's text, and text that is never drawn needs no fitting."""
    if isinstance(artist, Axis) and not (artist.axes.axison and artist.get_visible()):
        return
    yield artist
    for child in artist.get_children():
        yield from _walk(child)


def _texts(fig: Figure, artists=None):
    roots = [fig] if artists is None else [a for a in artists if isinstance(a, Artist)]
    return [t for root in roots for t in _walk(root)
            if isinstance(t, Text) and t.get_text().strip()]


def fit_text(fig: Figure, medium: Medium, artists=None):
    """Make the text of `fig` (or only of `artists`, a frame's moving layer) readable in
    `medium`: no text under the medium's smallest size as the figure is shown there, and
    no line wider than the figure (it is broken at spaces). Nothing changes on the page.
    Returns `artists`."""
    if medium.name == "page":
        return artists
    smallest = medium.min_text_px / css_px_per_point(fig, medium)
    texts = _texts(fig, artists)
    for t in texts:
        if t.get_fontsize() < smallest:
            t.set_fontsize(smallest)
    renderer = fig.canvas.get_renderer()
    for t in texts:
        if not _breakable(t.get_text()):   # a cell's number: nothing to break, no measuring
            continue
        room = _room(t, renderer, fig)
        if room is not None:
            _break_lines(t, renderer, room)
    return artists


def _room(t: Text, renderer, fig: Figure) -> float | None:
    """How wide text `t` may be, in display pixels, to stay inside the figure (keeping
    TEXT_MARGIN) where it is anchored, when it is wider than that; None when it fits, and
    for rotated text."""
    if t.get_rotation() % 180:
        return None
    box = t.get_window_extent(renderer)
    left, right = TEXT_MARGIN * fig.dpi, fig.bbox.width - TEXT_MARGIN * fig.dpi
    if box.x0 >= left and box.x1 <= right:
        return None
    ha = t.get_horizontalalignment()
    if ha == "center":
        middle = (box.x0 + box.x1) / 2
        room = 2 * max(min(middle - left, right - middle), 0.0)
    else:
        room = right - box.x0 if ha == "left" else box.x1 - left
    return room if box.width > room else None


def _breakable(text: str) -> bool:
    """Whether :func:`_break_lines` could change `text`: only at a space."""
    return " " in text


def _break_lines(t: Text, renderer, room: float) -> None:
    words, lines = t.get_text().replace("\n", " \n ").split(" "), []
    line = ""
    for word in words:
        if word == "\n":
            lines.append(line)
            line = ""
            continue
        trial = f"{line} {word}" if line else word
        t.set_text(trial)
        if line and t.get_window_extent(renderer).width > room:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    t.set_text("\n".join(lines))


def png_bytes(fig: Figure, dpi: float = style.PNG_DPI, metadata: dict | None = None) -> bytes:
    """Save a drawn figure as an optimised, deterministic PNG."""
    return _png_image(drawn_at(fig, dpi), metadata or PNG_METADATA, dpi, budget=PNG_BUDGET)


def drawn_at(fig: Figure, dpi: float) -> Image.Image:
    """`fig` drawn at `dpi` as an RGB image; the figure keeps its own dpi."""
    own = fig.dpi
    fig.set_dpi(dpi)
    try:
        fig.canvas.draw()
        return _image(fig)
    finally:
        fig.set_dpi(own)


def _svg(fig: Figure, metadata: dict, dpi: float | None = None) -> bytes:
    """The figure as SVG; `dpi` is the resolution of the pictures embedded in it (by
    default matplotlib's "figure": the dpi the figure was made with, whatever it was
    drawn at since)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata=metadata, dpi="figure" if dpi is None else dpi)
    return buf.getvalue()


def _image(fig: Figure) -> Image.Image:
    """The canvas as an RGB image (PIL drops the alpha channel seven times faster than a
    strided numpy copy)."""
    rgba = np.asarray(fig.canvas.buffer_rgba())
    return Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0,
                            1).convert("RGB")


def raster(fig: Figure, theme: Theme, dpi: int) -> Image.Image:
    """A drawn figure as an RGB image at `dpi`, in `theme`'s settings."""
    with style.context(theme):
        return drawn_at(fig, dpi)


def layered(frames, theme: Theme, steps, dpi: float | None,
            medium: Medium = style.PAGE, visit=None) -> list[Image.Image]:
    """Frames of an animation drawn in layers: the static layer once, then for each step
    that background with the artists the step returns drawn over it (in z-order).
    `dpi` None is the dpi of `medium`'s files. `visit(step, fig)`, when given, is called
    with the whole figure of each step (static and moving artists, as :func:`draw` makes
    it), so a caller can save the key frame's SVG without drawing the figure again."""
    images = []
    with style.context(theme), style.drawing_for(medium):
        fig = _blank()
        ctx = frames.static(fig, theme)
        fit_text(fig, medium)
        fig.set_dpi(file_dpi(fig, medium) if dpi is None else dpi)
        fig.canvas.draw()
        background = fig.canvas.copy_from_bbox(fig.bbox)
        for step in steps:
            added = fit_text(fig, medium, frames.moving(ctx, step))
            fig.canvas.restore_region(background)
            for artist in sorted(added, key=lambda a: a.get_zorder()):
                fig.draw_artist(artist)
            images.append(_image(fig))
            if visit is not None:
                visit(step, fig)
            for artist in added:
                artist.remove()
    return images


def keep_svg(key: int, title: str, found: dict):
    """A `visit` for :func:`layered` that puts into `found` the SVG of step `key` ("svg"),
    pictures at the page's dpi, exactly as :func:`draw` and :func:`_svg` would make it,
    the figure's size in inches ("inches") and its breaks ("breaks")."""
    def visit(step, fig):
        if step == key:
            found.update(svg=_svg(fig, svg_metadata(title), dpi=style.PAGE_DPI),
                         inches=fig.get_size_inches(),
                         breaks=getattr(fig, "convdocs_breaks", ()))
    return visit


def gif_frame(frame_2x: Image.Image) -> Image.Image:
    """A GIF frame: the 2x render averaged 2 x 2 down to page size."""
    return frame_2x.reduce(style.GIF_SCALE)


def palette_for(frames: list[Image.Image], theme: Theme | None = None) -> Image.Image:
    """One small palette shared by every frame, chosen from all of them at once (a median
    cut of their pixels), holding `theme`'s colours and the frames' other main colours
    exactly (:func:`_exact`). Every other row and column is enough: a quarter of the
    pixels, the same colours in nearly the same shares (measured on the 64 page and phone
    GIFs: the key frames' mean error against their PNGs stayed 0.24 levels, and the median
    cut took a third of the time)."""
    pixels = Image.fromarray(np.concatenate([np.asarray(f)[::2, ::2].reshape(-1, 3)
                                             for f in frames])[None])
    cut = pixels.quantize(colors=GIF_COLOURS, method=Image.Quantize.MEDIANCUT,
                          dither=Image.Dither.NONE)
    first = [] if theme is None else \
        [tuple(round(255 * v) for v in to_rgb(c)) for c in style.named_colours(theme)]
    return _exact(cut, pixels, first)


EXACT_SHARE = 0.001       # a colour on this share of the pixels is kept exactly ...
EXACT_MOST = 24           # ... up to this many of the GIF_COLOURS


def _exact(palette: Image.Image, pixels: Image.Image, first=()) -> Image.Image:
    """`palette` changed so that the colours `first` that `pixels` have (a theme's: the
    background, the text, the roles), then their most common other colours (cell fills),
    come out of :func:`quantize` exactly.

    A median cut gives each colour box its average, so a light figure's white background
    came out (252, 252, 252), and Pillow maps a pixel to the palette entry nearest the
    corner of its 4 x 4 x 4 block of colours, not to the nearest of the colour itself.
    So each common colour goes into the palette, and any other entry at least as near its
    block's corner is replaced by it. A common colour whose corner is nearer another, more
    common one cannot be exact and is left to the cut."""
    size = pixels.width * pixels.height
    pal = np.array(palette.getpalette(), dtype=np.int64).reshape(-1, 3)
    corner = lambda c: c & ~3  # noqa: E731
    near = lambda a, b: int(((a - b) ** 2).sum())  # noqa: E731
    counts = sorted(pixels.getcolors(size), reverse=True)
    present = {colour for _, colour in counts}
    common = [colour for count, colour in counts[:EXACT_MOST] if count >= EXACT_SHARE * size]
    kept = []
    for colour in [c for c in first if c in present] + common:
        e = np.array(colour, dtype=np.int64)
        if len(kept) < EXACT_MOST and all(
                near(a, corner(e)) > near(e, corner(e)) and
                near(e, corner(a)) > near(a, corner(a)) for a in kept):
            kept.append(e)
    fixed = []
    for e in kept:         # into the palette, in place of the nearest entry not yet taken
        order = np.argsort(((pal - e) ** 2).sum(axis=1), kind="stable")
        fixed.append(next(int(i) for i in order if i not in fixed))
        pal[fixed[-1]] = e
    for i, e in zip(fixed, kept):
        to_corner = ((pal - corner(e)) ** 2).sum(axis=1)
        for j in np.flatnonzero(to_corner <= to_corner[i]):
            if j not in fixed:
                pal[j] = e
    out = Image.new("P", (1, 1))
    out.putpalette(pal.astype(np.uint8).ravel().tolist())
    return out


def quantize(frame: Image.Image, palette: Image.Image) -> Image.Image:
    return frame.quantize(palette=palette, dither=Image.Dither.NONE)


def durations(timing: Timing, n: int) -> list[int]:
    """Milliseconds per frame: the first and last frames are held longer."""
    ms = [timing.frame_ms] * n
    ms[0] = ms[-1] = int(timing.frame_ms * HOLD)
    return ms


def _gif(frames: list[Image.Image], ms: list[int], picks: list[int], comment: str,
         theme: Theme) -> bytes:
    # Every frame is the same background plus one step's moving parts, so the first
    # step, the key step and the finished frame hold all the colours there are.
    palette = palette_for([frames[i] for i in picks], theme)
    return _gif_indexed([quantize(f, palette) for f in frames], ms, comment)


def _gif_indexed(indexed: list[Image.Image], ms: list[int], comment: str) -> bytes:
    """A looping GIF of frames already in one palette."""
    buf = io.BytesIO()
    indexed[0].save(buf, format="GIF", save_all=True, append_images=indexed[1:],
                    duration=ms, loop=0, optimize=True, disposal=1,
                    comment=comment.encode("utf-8"))
    return buf.getvalue()


def _strip(frames: list[Image.Image], background: str) -> Image.Image:
    width = max(f.width for f in frames)
    height = sum(f.height for f in frames) + STRIP_GAP * (len(frames) - 1)
    sheet = Image.new("RGB", (width, height), background)
    y = 0
    for f in frames:
        sheet.paste(f, (0, y))
        y += f.height + STRIP_GAP
    return sheet


def _print_colours(strip: Image.Image) -> Image.Image:
    """The print strip in 256 colours (no dither): flat graphics look the same at half
    the bytes. The GIF's key frame and the static PNG stay exact."""
    return strip.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


def _png_image(img: Image.Image, metadata: dict, dpi: float | None = None,
               optimise: bool = True, budget: int | None = None) -> bytes:
    """`img` as a PNG with `metadata` (and `dpi`, when given): oxipng-optimised
    (:data:`PNG_OXIPNG`, and harder when the file is over `budget` bytes) for the committed
    files; zlib's level 6 alone for slides, which are built, not committed (a third of the
    time, about 11 % more bytes), and for indexed images (print strips, thumbnails), where
    it is a quarter of oxipng's time and 2 % smaller."""
    if img.mode == "RGB":
        png = _rgb_png(img, metadata, dpi, level=0 if optimise else 6)
        if not optimise:
            return png
    else:
        info = PngImagePlugin.PngInfo()
        for key, value in metadata.items():
            if value is not None:
                info.add_itxt(key, value)   # international text: © is not Latin-1
        # Indexed images are done at zlib 6; any other mode (RGBA, L) is stored for
        # oxipng, as RGB is.
        optimise = optimise and img.mode != "P"
        buf = io.BytesIO()
        img.save(buf, format="PNG", compress_level=0 if optimise else 6, pnginfo=info,
                 **({} if dpi is None else {"dpi": (dpi, dpi)}))
        png = buf.getvalue()
        if not optimise:
            return png
    png = oxipng.optimize_from_memory(png, **PNG_OXIPNG)
    if budget is not None and len(png) > budget:
        png = oxipng.optimize_from_memory(png, **(PNG_OXIPNG | {"deflate": PNG_DEFLATE_TIGHT}))
    return png


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + \
        struct.pack(">I", zlib.crc32(kind + data))


def _rgb_png(img: Image.Image, metadata: dict, dpi: float | None, level: int) -> bytes:
    """An RGB image as a PNG: every row unfiltered, zlib at `level` (0 stores it, the
    fastest way into oxipng), then the text chunks (iTXt: UTF-8) and the resolution as
    Pillow writes them. Pillow's own writer chooses a filter for each row: measured on the
    132 slide PNGs, it took about 1.5 times the time, for 3.5 % more bytes."""
    pixels = np.asarray(img)
    h, w = pixels.shape[:2]
    rows = np.zeros((h, 1 + 3 * w), np.uint8)        # filter byte 0: none
    rows[:, 1:] = pixels.reshape(h, 3 * w)
    head = [_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))]
    for key, value in metadata.items():
        if value is not None:
            head.append(_chunk(b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" +
                               value.encode("utf-8")))
    if dpi is not None:
        per_metre = int(dpi / 0.0254 + 0.5)
        head.append(_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    return b"".join([b"\x89PNG\r\n\x1a\n", *head,
                     _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)),
                     _chunk(b"IEND", b"")])


def thumbnail(static_2x: Image.Image) -> Image.Image:
    """The static picture shrunk to THUMB_WIDTH pixels across, in 64 colours."""
    height = max(1, round(static_2x.height * THUMB_WIDTH / static_2x.width))
    small = static_2x.resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)
    return small.quantize(colors=GIF_COLOURS, method=Image.Quantize.MEDIANCUT,
                          dither=Image.Dither.NONE)


def palette_steps(timing: Timing, n: int, data) -> list[int]:
    """The frames the GIF's shared palette is computed from: the strip's and the key frame."""
    return sorted(set(timing.strip_steps(n, data)) | {timing.key_index(n, data)})


def file_name(name: str, theme: Theme, kind: str, layout: str = "page") -> str:
    return spec_file_name(name, theme.name, kind, layout)


def render(spec: FigureSpec, data=None) -> list[File]:
    """Every committed file of one figure, page and phone layouts, in both themes, from its
    data (computed once here unless the caller passes it)."""
    data = spec.compute() if data is None else data
    frames = spec.animate(data) if spec.animated else None
    files = []
    for theme in style.THEMES:
        with style.context(theme):   # savefig reads rcParams too
            files += _render_theme(spec, data, frames, theme)
            files += _render_phone(spec, data, frames, theme)
    return files


def _render_phone(spec: FigureSpec, data, frames, theme: Theme) -> list[File]:
    """The phone layout: a 2x PNG and, for an animation, its 1x GIF and player atlas."""
    phone, files, key = style.PHONE, [], None
    png_meta = png_metadata(spec.title)
    name = lambda kind: file_name(spec.name, theme, kind, "phone")  # noqa: E731
    if frames is not None:
        timing, n = spec.timing, frames.frames
        key = timing.key_index(n, data)
        big = layered(frames, theme, range(n), None, phone)
        small = [gif_frame(f) for f in big]
        gif = _gif(small, durations(timing, n), palette_steps(timing, n, data),
                   f"{spec.title}. {ATTRIBUTION}", theme)
        files.append(File(name("gif"), gif, small[0].width, small[0].height, "gif",
                          theme.name, medium="phone"))
        atlas, layout = player_atlas(big, key, durations(timing, n))
        files.append(File(name("player"), _webp_image(atlas), atlas.width,
                          atlas.height,
                          "player", theme.name, layout, medium="phone"))
        image, dpi = big[key], None
    else:
        fig = draw(spec, data, theme, medium=phone)
        dpi = file_dpi(fig, phone)
        image = drawn_at(fig, dpi)
    files.append(File(name("png"), _png_image(image, png_meta, dpi),
                      *image.size, "png", theme.name, medium="phone"))
    return files


def _render_theme(spec: FigureSpec, data, frames, theme: Theme) -> list[File]:
    files, key = [], None
    png_meta = png_metadata(spec.title)
    if frames is not None:
        timing, n = spec.timing, frames.frames
        key = timing.key_index(n, data)
        svg = {}
        big = layered(frames, theme, range(n), style.PNG_DPI,
                      visit=keep_svg(key, spec.title, svg))
        small = [gif_frame(f) for f in big]
        gif = _gif(small, durations(timing, n), palette_steps(timing, n, data),
                   f"{spec.title}. {ATTRIBUTION}", theme)
        files.append(File(file_name(spec.name, theme, "gif"), gif, small[0].width,
                          small[0].height, "gif", theme.name))
        strip = _strip([big[s] for s in timing.strip_steps(n, data)], theme.background)
        files.append(File(file_name(spec.name, theme, "frames"),
                          _png_image(_print_colours(strip), png_meta), strip.width,
                          strip.height,
                          "frames", theme.name))
        atlas, layout = player_atlas(big, key, durations(timing, n))
        files.append(File(file_name(spec.name, theme, "player"), _webp_image(atlas),
                          atlas.width, atlas.height, "player", theme.name, layout))
        # An animation's static PNG is its key frame exactly as the GIF's frames are drawn.
        png = _png_image(big[key], png_meta, budget=PNG_BUDGET)
        image = big[key]
    else:
        fig = draw(spec, data, theme)
        svg = {"svg": _svg(fig, svg_metadata(spec.title)), "inches": fig.get_size_inches()}
        image = drawn_at(fig, style.PNG_DPI)
        png = _png_image(image, png_meta, style.PNG_DPI, budget=PNG_BUDGET)
    thumb = thumbnail(image)
    files.append(File(file_name(spec.name, theme, "png"), png, *image.size, "png",
                      theme.name))
    files.append(File(file_name(spec.name, theme, "thumb"), _png_image(thumb, png_meta),
                      thumb.width, thumb.height, "thumb", theme.name))
    w, h = (round(v * style.PAGE_DPI) for v in svg["inches"])
    files.append(File(file_name(spec.name, theme, "svg"), svg["svg"], w, h, "svg", theme.name))
    return files


# -- the site's player: every 2x frame, as the key frame plus each frame's changed tiles -----

PLAYER_TILE = 16          # 2x pixels: frames are compared with the key frame tile by tile
PLAYER_WASTE = 8          # tiles: two boxes merge when that adds at most this many unchanged
WEBP_MAX = 16383          # pixels: the longest side a WebP image can have


def changed_tiles(frame: np.ndarray, base: np.ndarray, tile: int = PLAYER_TILE) -> np.ndarray:
    """Which `tile` x `tile` tiles of `frame` (H, W, 3) differ from `base` in any pixel."""
    h, w = frame.shape[:2]
    rows, cols = -(-h // tile), -(-w // tile)
    # One comparison over each row's bytes, into rows padded to whole tiles; then, read as
    # the widest words that split a tile's row (a 16-pixel tile's row, 48 bytes, is six
    # 8-byte words), an OR down each tile's rows and an any across its words: ten times
    # faster than a maximum over the bytes.
    diff = np.zeros((rows * tile, cols * tile * 3), np.uint8)
    np.not_equal(frame.reshape(h, w * 3), base.reshape(h, w * 3),
                 out=diff[:h, :w * 3].view(bool))
    word = next(t for t in (np.uint64, np.uint32, np.uint16, np.uint8)
                if tile * 3 % np.dtype(t).itemsize == 0)
    words = np.bitwise_or.reduce(diff.view(word).reshape(rows, tile, -1), axis=1)
    return words.reshape(rows, cols, -1).any(axis=2)


def runs(mask: np.ndarray, offset: int = 0) -> list[tuple[int, int]]:
    """The runs of True in a 1-D `mask`, as [start, stop) pairs shifted by `offset`."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [(int(a) + offset, int(b) + offset) for a, b in zip(edges[::2], edges[1::2])]


def tile_boxes(changed: np.ndarray, waste: int = PLAYER_WASTE) -> list[tuple[int, int, int, int]]:
    """Boxes (col0, row0, col1, row1) in tiles that cover every changed tile and no tile twice.

    Each row's runs of changed tiles start as boxes. Then, smallest cost first, two
    boxes merge into their bounding box when it overlaps no other box and holds at most
    `waste` unchanged tiles more than the two did: fewer boxes to record, a few more
    pixels to store. (The table of merge costs is updated, not rebuilt, after a merge:
    only the merged box's row and column change.)
    """
    boxes = []
    for r, row in enumerate(changed):
        boxes += [(c0, r, c1, r + 1) for c0, c1 in runs(row)]
    if len(boxes) < 2:
        return boxes
    unchanged = np.pad((~changed).astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))

    def cost(c0, r0, c1, r1):   # unchanged tiles inside boxes, from the summed-area table
        return unchanged[r1, c1] - unchanged[r0, c1] - unchanged[r1, c0] + unchanged[r0, c0]

    def union_with(b, i):       # the bounding boxes of box i with every box, as 4 columns
        return (np.minimum(b[i, 0], b[:, 0]), np.minimum(b[i, 1], b[:, 1]),
                np.maximum(b[i, 2], b[:, 2]), np.maximum(b[i, 3], b[:, 3]))

    b = np.array(boxes, dtype=np.int64)
    n = len(b)
    own = cost(*b.T)
    union = (np.minimum.outer(b[:, 0], b[:, 0]), np.minimum.outer(b[:, 1], b[:, 1]),
             np.maximum.outer(b[:, 2], b[:, 2]), np.maximum.outer(b[:, 3], b[:, 3]))
    extra = cost(*union) - own[:, None] - own[None, :]
    # Each pair once (i < j); a merged-away box becomes empty, its pairs NEVER, so indices
    # (and with them the order of ties) stay those of the first boxes.
    extra[np.tril_indices(n)] = NEVER
    alive = np.ones(n, bool)
    while True:
        # The cheapest pair, the first in (cost, i, j) order, as np.argmin reads rows.
        i, j = divmod(int(np.argmin(extra)), n)
        if extra[i, j] > waste:
            break
        u = _merged(b, i, j)
        if _overlaps(b, u) != 2:
            # It would swallow part of another box, and will for as long as boxes i and j
            # stay as they are (a box only grows, or is swallowed by one that holds it);
            # a merge that changes either recomputes its row.
            extra[i, j] = NEVER
            continue
        b[i], b[j], alive[j] = u, 0, False
        extra[j, :] = extra[:, j] = NEVER
        own[i] = cost(*b[i])
        row = cost(*union_with(b, i)) - own[i] - own
        row[~alive] = NEVER
        extra[i, i + 1:], extra[:i, i] = row[i + 1:], row[:i]
    return sorted((tuple(int(v) for v in box) for box in b[alive]), key=lambda c: (c[1], c[0]))


NEVER = np.iinfo(np.int64).max


def _merged(b, i, j):
    return (min(b[i, 0], b[j, 0]), min(b[i, 1], b[j, 1]), max(b[i, 2], b[j, 2]),
            max(b[i, 3], b[j, 3]))


def _overlaps(b, u) -> int:
    """How many boxes of `b` overlap box `u` (empty boxes overlap nothing)."""
    return int(((u[0] < b[:, 2]) & (b[:, 0] < u[2]) & (u[1] < b[:, 3]) &
                (b[:, 1] < u[3])).sum())


def _shelves(sizes: list[tuple[int, int]], width: int) -> tuple[list[tuple[int, int]], int]:
    """Places for boxes of `sizes` on shelves `width` wide, tallest first: their (x, y)
    and the height used."""
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i][1], -sizes[i][0], i))
    places, x, y, shelf = [None] * len(sizes), 0, 0, 0
    for i in order:
        w, h = sizes[i]
        if x + w > width:
            x, y, shelf = 0, y + shelf, 0
        places[i] = (x, y)
        x, shelf = x + w, max(shelf, h)
    return places, y + shelf


def player_atlas(frames: list[Image.Image], key: int, ms: list[int]) -> tuple[Image.Image, dict]:
    """Every frame of an animation in one image: the key frame at the top, then for each
    frame the boxes of tiles where it differs from the key frame.

    Frame k is the key frame with frame k's boxes copied over it, so a player draws any
    frame with a few same-size copies: pixel for pixel the 2x frame. The layout records,
    per frame, one ``"x,y,w,h,ax,ay"`` per box (where it goes, its size, where it is in
    the atlas), boxes separated by spaces; and the frame's duration in ms.
    """
    base = np.asarray(frames[key])
    width, height = frames[key].size
    boxes = []
    for k, frame in enumerate(frames):
        pixels = np.asarray(frame)
        for c0, r0, c1, r1 in tile_boxes(changed_tiles(pixels, base)):
            x, y = c0 * PLAYER_TILE, r0 * PLAYER_TILE
            w, h = min(c1 * PLAYER_TILE, width) - x, min(r1 * PLAYER_TILE, height) - y
            boxes.append((k, x, y, w, h))
    columns = 1
    while True:   # wider shelves until the atlas fits a WebP's longest side
        places, used = _shelves([(w, h) for _, _, _, w, h in boxes], columns * width)
        if height + used <= WEBP_MAX:
            break
        columns += 1
    atlas = Image.new("RGB", (columns * width, height + used))
    atlas.paste(frames[key], (0, 0))
    layout = [[] for _ in frames]
    for (k, x, y, w, h), (ax, ay) in zip(boxes, places):
        atlas.paste(frames[k].crop((x, y, x + w, y + h)), (ax, height + ay))
        layout[k].append(f"{x},{y},{w},{h},{ax},{height + ay}")
    return atlas, {"width": width, "height": height, "key": key, "ms": list(ms),
                   "frames": [" ".join(boxes) for boxes in layout]}


def _webp_image(img: Image.Image) -> bytes:
    """Lossless WebP: exact pixels, and a third of a PNG's bytes for these frames
    (:data:`PLAYER_WEBP` trades encoding time for bytes, never pixels)."""
    buf = io.BytesIO()
    img.save(buf, format="WEBP", lossless=True, exact=True, **PLAYER_WEBP)
    return buf.getvalue()


# -- slides: 16:9, 1920 x 1080, the figure enlarged under its title -------------------------

SLIDE_W, SLIDE_H = 1920, 1080
SLIDE_TITLE_PT = 24        # 48 px at 144 px per inch
SLIDE_TITLE_TOP = 0.3      # slide inches above the title
SLIDE_BAND = 130           # px at the top for the title
SLIDE_PAD = 8              # px of background kept around each piece of a figure
SLIDE_MIN_GAP = 48         # px: the least blank a squeezed gap between rows of panels keeps


@dataclass(frozen=True)
class SlidePart:
    """One slide of a figure: a 1920 x 1080 PNG and SVG (and GIF, for an animation), the
    title written on it ("Title (2/3)" for the second of three), and what the declared part
    it shows is called ("" when the figure was cut, not declared in parts)."""

    index: int             # 1..n
    count: int             # n
    title: str
    png: bytes
    svg: bytes
    gif: bytes | None
    width: int = SLIDE_W
    height: int = SLIDE_H
    part: str = ""


def slide_area() -> tuple[int, int, int, int]:
    """Where a figure may go on a slide: (x0, y0, x1, y1) in px, under the title."""
    margin = round(style.SLIDE_MARGIN * style.SLIDE_DPI)
    return margin, SLIDE_BAND, SLIDE_W - margin, SLIDE_H - margin


def _cuts(used: np.ndarray, start: int, stop: int, room: int,
          breaks=()) -> list[tuple[int, int]]:
    """Split [start, stop) into spans no longer than `room`, cutting where `used` is False
    (no ink across): at one of `breaks` (where the figure's lines of panels meet) when one
    fits, the nearest the even split; else in the widest blank band."""
    spans = []
    while stop - start > room:
        k = -(-(stop - start) // room)
        target = start + (stop - start) / k
        fits = [b for b in breaks if start < b <= start + room and not used[b]]
        if fits:
            cut = min(fits, key=lambda b: abs(b - target))
            spans.append((start, cut))
            start = cut
            continue
        window = ~used[start + 1:start + room + 1]
        # Runs of blank lines; cut in the middle of the widest (the space between rows
        # of panels, not between a panel and its title), the nearest the target on a tie.
        blanks = runs(window, start + 1)
        if blanks:
            a, b = max(blanks, key=lambda r: (r[1] - r[0], -abs((r[0] + r[1]) / 2 - target)))
            cut = (a + b) // 2
        else:
            cut = start + room
        spans.append((start, cut))
        start = cut
    spans.append((start, stop))
    return spans


def squeezed_rows(used: np.ndarray, room: int, least: int = SLIDE_MIN_GAP):
    """Spans [(y0, y1), ...] of rows to keep so that the inked rows of `used` (True where
    a row has ink) fit `room`, taking rows out of the middle of the blank bands between
    them, widest first, and leaving each band at least `least` rows; None when the ink
    already fits or cannot be made to. A figure a little too tall for a slide keeps its
    size and loses some blank, instead of being cut into a slide of one line."""
    rows = np.flatnonzero(used)
    if not rows.size or rows[-1] + 1 - rows[0] <= room:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    bands = runs(~used[top:bottom], top)
    excess = bottom - top - room
    if sum(max(b - a - least, 0) for a, b in bands) < excess:
        return None
    take = {}
    for a, b in sorted(bands, key=lambda band: (band[0] - band[1], band[0])):   # widest first
        if excess <= 0:
            break
        take[a] = min(b - a - least, excess)
        excess -= take[a]
    spans, start = [], 0
    for a, b in sorted(bands):
        if take.get(a, 0) > 0:
            cut = a + (b - a - take[a]) // 2          # the middle of the band goes
            spans.append((start, cut))
            start = cut + take[a]
    spans.append((start, len(used)))
    return spans


def _trim(ink: np.ndarray, box):
    x0, y0, x1, y1 = box
    rows = np.flatnonzero(ink[y0:y1, x0:x1].any(axis=1))
    cols = np.flatnonzero(ink[y0:y1, x0:x1].any(axis=0))
    if not rows.size:
        return None
    return x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1


def slide_pieces(ink: np.ndarray, breaks=()) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of a figure's image that each fit the slide's area at full
    size: bands cut across blank rows (preferably at `breaks`, px from the top), and a band
    still too wide cut at blank columns. `ink` is True where any frame differs from the
    background."""
    ax0, ay0, ax1, ay1 = slide_area()
    room_w, room_h = ax1 - ax0 - 2 * SLIDE_PAD, ay1 - ay0 - 2 * SLIDE_PAD
    whole = _trim(ink, (0, 0, ink.shape[1], ink.shape[0]))
    if whole is None:
        return [(0, 0, ink.shape[1], ink.shape[0])]
    boxes = []
    for y0, y1 in _cuts(ink.any(axis=1), whole[1], whole[3], room_h, breaks):
        band = _trim(ink, (whole[0], y0, whole[2], y1))
        if band is None:
            continue
        for x0, x1 in _cuts(ink[band[1]:band[3]].any(axis=0), band[0], band[2], room_w):
            piece = _trim(ink, (x0, band[1], x1, band[3]))
            if piece is not None:
                boxes.append(piece)
    return boxes


def _slide_title(text: str, theme: Theme) -> tuple[Image.Image, bytes]:
    """An empty slide with its title: the 1920 x 1080 image and the SVG. Only the band the
    title takes is drawn in pixels (drawing a whole empty slide took a tenth of the slides'
    time); the title hangs from the top, so it lands on the same pixels either way."""
    dpi = style.SLIDE_DPI
    with style.context(theme):
        fig = _blank()
        fig.set_dpi(dpi)
        fig.set_size_inches(SLIDE_W / dpi, SLIDE_H / dpi)
        t = fig.text(0.5, 1.0, text, ha="center", va="top", fontsize=SLIDE_TITLE_PT,
                     color=theme.text, transform=fig.transFigure +
                     ScaledTranslation(0, -SLIDE_TITLE_TOP, fig.dpi_scale_trans))
        renderer = fig.canvas.get_renderer()
        room = SLIDE_W - 2 * style.SLIDE_MARGIN * dpi
        if t.get_window_extent(renderer).width > room:
            _break_lines(t, renderer, room)
        svg = _svg(fig, svg_metadata(text))
        band = min(SLIDE_H, SLIDE_H - math.floor(t.get_window_extent(renderer).y0) + 2)
        fig.set_size_inches(SLIDE_W / dpi, band / dpi)
        image = Image.new("RGB", (SLIDE_W, SLIDE_H), theme.background)
        image.paste(raster(fig, theme, dpi), (0, 0))
    return image, svg


_SVG_ROOT = re.compile(r'<svg [^>]*?width="([\d.]+)pt" height="([\d.]+)pt" '
                       r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def _nested_svgs(figure_svg: bytes, box, at, px_per_pt: float, spans=None) -> str:
    """The figure's SVG on a slide: cropped to `box` and placed at `at`. `spans` are the
    rows kept of a squeezed figure (`box` is then in squeezed rows): each span of the box
    is its own crop of the SVG, placed where its rows are in the slide's PNG."""
    if spans is None:
        return _nested_svg(figure_svg, box, at, px_per_pt)
    x0, y0, x1, y1 = box
    parts, offset = [], 0
    for k, (a, b) in enumerate(spans):
        lo, hi = max(y0, offset), min(y1, offset + b - a)
        if lo < hi:
            parts.append(_nested_svg(figure_svg, (x0, a + lo - offset, x1, a + hi - offset),
                                     (at[0], at[1] + lo - y0), px_per_pt, prefix=f"f{k}-"))
        offset += b - a
    return "".join(parts)


def _nested_svg(figure_svg: bytes, box, at, px_per_pt: float, prefix: str = "f-") -> str:
    """The figure's SVG as an element of a slide: cropped to `box` (figure px), placed at
    `at` (slide px), its ids prefixed so they cannot clash with the title's."""
    text = figure_svg.decode()
    text = text[text.index("<svg "):]
    x0, y0, x1, y1 = (v / px_per_pt for v in box)
    x, y = at
    scale = SLIDE_W / (SLIDE_W / style.SLIDE_DPI * 72)    # slide px per slide pt: 2
    w, h = (box[2] - box[0]) / scale, (box[3] - box[1]) / scale
    root = (f'<svg x="{x / scale:.3f}" y="{y / scale:.3f}" width="{w:.3f}" '
            f'height="{h:.3f}" viewBox="{x0:.3f} {y0:.3f} {x1 - x0:.3f} {y1 - y0:.3f}"')
    text = _SVG_ROOT.sub(lambda m: root, text, count=1)
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = text.replace('href="#', f'href="#{prefix}').replace("url(#", f"url(#{prefix}")
    return text


def _ink(arrays: list[np.ndarray], theme: Theme) -> np.ndarray:
    """Where any of the (H, W, 3) frames is not the background. A pixel is background in
    every frame exactly when its per-channel minimum and maximum over the frames both
    are, which is two fast element-wise reductions instead of one per frame."""
    bg = np.array([round(255 * v) for v in to_rgb(theme.background)], dtype=np.uint8)
    low, high = arrays[0].copy(), arrays[0].copy()
    for a in arrays[1:]:
        np.minimum(low, a, out=low)
        np.maximum(high, a, out=high)
    # Bits that differ from the background, in place: a third of the time of comparing
    # and reducing over the colour axis.
    np.bitwise_xor(low, bg, out=low)
    np.bitwise_xor(high, bg, out=high)
    np.bitwise_or(low, high, out=low)
    return (low[..., 0] | low[..., 1] | low[..., 2]) != 0


def slide_title(title: str, i: int, n: int, part: tuple[Part, int, int] | None) -> str:
    """The title written on slide `i` of `n` cut from a figure, or on a declared `part`
    (part, k, n): "Title: what the part shows (k/n)"."""
    if part is not None:
        p, k, count = part
        return f"{title}: {p.title} ({k}/{count})"
    return title if n == 1 else f"{title} ({i}/{n})"


def slides(spec: FigureSpec, data, theme: Theme, frames=None,
           part: tuple[Part, int, int] | None = None) -> list[SlidePart]:
    """A figure on 16:9 slides (1920 x 1080 px, 144 px per inch): its title at 24 pt and
    the figure drawn for :data:`convdocs.figures.style.SLIDE`, enlarged 18/11 times, so
    11 pt digits are 18 pt (36 px). A figure that declares its parts (FigureSpec.parts)
    has one slide per part, titled by it; any other figure too big for one slide at that
    size is cut into several, across blank rows (and columns), never shrunk. An
    animation's slides also have a GIF of every frame at 1920 x 1080, with the page GIF's
    timing. `part` is (part, k, n): draw only part k of n, on one slide."""
    if part is None and spec.parts is not None:
        declared = spec.parts(data)
        return [s for k, p in enumerate(declared, 1)
                for s in slides(spec, data, theme, frames, (p, k, len(declared)))]
    slide = style.SLIDE
    frames = frames or (spec.animate(data) if spec.animated else None)
    dpi = slide.px_per_inch
    key = None
    if frames is not None:
        n = frames.frames
        key = spec.timing.key_index(n, data)
        drawn = {}
        arrays = [np.asarray(i) for i in layered(frames, theme, range(n), dpi, slide,
                                                   visit=keep_svg(key, spec.title, drawn))]
    else:
        fig = draw(spec, data, theme, medium=slide, part=part and part[0])
        arrays = [np.asarray(raster(fig, theme, dpi))]
        with style.context(theme):       # the SVG's ids are hashed with the style's salt
            drawn = {"svg": _svg(fig, svg_metadata(spec.title)),
                     "breaks": getattr(fig, "convdocs_breaks", ())}
    figure_svg = drawn["svg"]
    ink = _ink(arrays, theme)
    breaks = [round(y * dpi) for y in drawn["breaks"]]
    ax0, ay0, ax1, ay1 = slide_area()
    spans = squeezed_rows(ink.any(axis=1), ay1 - ay0 - 2 * SLIDE_PAD)
    if spans is not None:               # the figure fits one slide with less blank in it
        keep = np.concatenate([np.arange(a, b) for a, b in spans])
        arrays, ink, breaks = [a[keep] for a in arrays], ink[keep], []
    boxes = slide_pieces(ink, [b for b in breaks if 0 < b < ink.shape[0]])
    if part is not None and len(boxes) > 1:
        raise ValueError(f"{spec.name}: slide part {part[1]} ({part[0].title!r}) needs "
                         f"{len(boxes)} slides; a declared part must fit one")
    key_image = arrays[key if key is not None else 0]
    parts, palette = [], None
    if frames is not None:
        # One palette for every part's GIF: the figure's colours where it has ink in the
        # frames the page GIF's palette comes from, and the title's (below).
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        inked = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)) \
            if rows.size else (slice(None), slice(None))
        picks = palette_steps(spec.timing, len(arrays), data)
        palette_sheet = [arrays[i][inked] for i in picks]
    for i, box in enumerate(boxes, 1):
        x0, y0, x1, y1 = box = (max(box[0] - SLIDE_PAD, 0), max(box[1] - SLIDE_PAD, 0),
                                min(box[2] + SLIDE_PAD, ink.shape[1]),
                                min(box[3] + SLIDE_PAD, ink.shape[0]))
        title = slide_title(spec.title, i, len(boxes), part)
        canvas, title_svg = _slide_title(title, theme)
        at = (ax0 + (ax1 - ax0 - (x1 - x0)) // 2, ay0 + (ay1 - ay0 - (y1 - y0)) // 2)

        def place(pixels, onto):
            page = onto.copy()
            piece = Image.fromarray(np.ascontiguousarray(pixels[y0:y1, x0:x1]))
            page.paste(piece if onto.mode == "RGB" else quantize(piece, palette), at)
            return page
        png = _png_image(place(key_image, canvas), png_metadata(title), optimise=False)
        outer = title_svg.decode()
        svg = (outer[:outer.rindex("</svg>")] +
               _nested_svgs(figure_svg, box, at, dpi / 72, spans) + "</svg>\n").encode()
        gif = None
        if frames is not None:
            if palette is None:
                palette = palette_for(palette_sheet + [canvas.crop((0, 0, SLIDE_W, ay0))],
                                      theme)
            # A colour's index in the palette depends on the colour alone, not on where
            # it is: the empty slide is mapped once, and each frame only where the
            # figure is.
            backdrop = quantize(canvas, palette)
            gif = _gif_indexed([place(a, backdrop) for a in arrays],
                               durations(spec.timing, len(arrays)), f"{title}. {ATTRIBUTION}")
        parts.append(SlidePart(*(part[1:] if part else (i, len(boxes))), title, png, svg,
                               gif, part=part[0].title if part else ""))
    return parts
