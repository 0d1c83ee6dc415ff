"""Render a figure to file contents in memory: PNG, SVG, GIF and frame strips.

This module decides formats, resolution and metadata; it writes nothing to
disk (:mod:`convdocs.figures.build` does, atomically). It knows only the
figure spec and the style. Every output is deterministic: no dates, no
version strings, fixed SVG ids, bundled fonts only, and none of the user's
matplotlib settings.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import oxipng
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image, PngImagePlugin

from . import style
from .spec import ATTRIBUTION, SOURCE_URL, FigureSpec, Timing
from .spec import file_name as spec_file_name
from .style import Theme

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
# oxipng effort: level 2 with libdeflate at 10 for figures saved by matplotlib (its
# default compressor, level 11, costs 1.6x the time for 2.5% less size); level 0 for the
# large frame strips and key frames, where level 2 costs 5x the time for 6% of size.
PNG_LEVEL, FRAME_PNG_LEVEL = 2, 0
PNG_DEFLATE = oxipng.Deflaters.libdeflater(10)


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


def _blank() -> Figure:
    fig = Figure()
    FigureCanvasAgg(fig)
    return fig


def draw(spec: FigureSpec, data, theme: Theme, step: int | None = None, frames=None) -> Figure:
    """A fresh Figure with `spec` drawn into it in one pass, for `theme` (and, for an
    animation, `step`; `frames` is the animation object when the caller has one)."""
    with style.context(theme):
        fig = _blank()
        if spec.animated:
            frames = frames or spec.animate(data)
            frames.moving(frames.static(fig, theme), step)
        else:
            spec.draw(fig, theme, data)
    return fig


def png_bytes(fig: Figure, dpi: int = style.PNG_DPI, metadata: dict | None = None) -> bytes:
    """Save a drawn figure as an optimised, deterministic PNG."""
    buf = io.BytesIO()
    # oxipng recompresses everything, so the first encoding only needs to be fast.
    fig.savefig(buf, format="png", dpi=dpi, metadata=metadata or PNG_METADATA,
                pil_kwargs={"compress_level": 1})
    return oxipng.optimize_from_memory(buf.getvalue(), level=PNG_LEVEL, deflate=PNG_DEFLATE)


def _svg(fig: Figure, metadata: dict) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata=metadata)
    return buf.getvalue()


def _image(fig: Figure) -> Image.Image:
    return Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())


def raster(fig: Figure, theme: Theme, dpi: int) -> Image.Image:
    """A drawn figure as an RGB image at `dpi`."""
    with style.context(theme):
        fig.set_dpi(dpi)
        fig.canvas.draw()
        return _image(fig)


def layered(frames, theme: Theme, steps, dpi: int) -> list[Image.Image]:
    """Frames of an animation drawn in layers: the static layer once, then for each step
    that background with the artists the step returns drawn over it (in z-order)."""
    images = []
    with style.context(theme):
        fig = _blank()
        ctx = frames.static(fig, theme)
        fig.set_dpi(dpi)
        fig.canvas.draw()
        background = fig.canvas.copy_from_bbox(fig.bbox)
        for step in steps:
            added = frames.moving(ctx, step)
            fig.canvas.restore_region(background)
            for artist in sorted(added, key=lambda a: a.get_zorder()):
                fig.draw_artist(artist)
            images.append(_image(fig))
            for artist in added:
                artist.remove()
    return images


def gif_frame(frame_2x: Image.Image) -> Image.Image:
    """A GIF frame: the 2x render averaged 2 x 2 down to page size."""
    return frame_2x.reduce(style.GIF_SCALE)


def palette_for(frames: list[Image.Image]) -> Image.Image:
    """One small palette shared by every frame, chosen from all of them at once."""
    width = max(f.width for f in frames)
    sheet = Image.new("RGB", (width, sum(f.height for f in frames)))
    y = 0
    for f in frames:
        sheet.paste(f, (0, y))
        y += f.height
    return sheet.quantize(colors=GIF_COLOURS, method=Image.Quantize.MEDIANCUT,
                          dither=Image.Dither.NONE)


def quantize(frame: Image.Image, palette: Image.Image) -> Image.Image:
    return frame.quantize(palette=palette, dither=Image.Dither.NONE)


def durations(timing: Timing, n: int) -> list[int]:
    """Milliseconds per frame: the first and last frames are held longer."""
    ms = [timing.frame_ms] * n
    ms[0] = ms[-1] = int(timing.frame_ms * HOLD)
    return ms


def _gif(frames: list[Image.Image], ms: list[int], picks: list[int], comment: str) -> bytes:
    # Every frame is the same background plus one step's moving parts, so the first
    # step, the key step and the finished frame hold all the colours there are.
    palette = palette_for([frames[i] for i in picks])
    indexed = [quantize(f, palette) for f in frames]
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


def _png_image(img: Image.Image, metadata: dict) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in metadata.items():
        if value is not None:
            info.add_itxt(key, value)    # international text: the copyright sign is not Latin-1
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1, pnginfo=info)
    return oxipng.optimize_from_memory(buf.getvalue(), level=FRAME_PNG_LEVEL)


def thumbnail(static_2x: Image.Image) -> Image.Image:
    """The static picture shrunk to THUMB_WIDTH pixels across, in 64 colours."""
    height = max(1, round(static_2x.height * THUMB_WIDTH / static_2x.width))
    small = static_2x.resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)
    return small.quantize(colors=GIF_COLOURS, method=Image.Quantize.MEDIANCUT,
                          dither=Image.Dither.NONE)


def palette_steps(timing: Timing, n: int, data) -> list[int]:
    """The frames the GIF's shared palette is computed from: the strip's and the key frame."""
    return sorted(set(timing.strip_steps(n, data)) | {timing.key_index(n, data)})


def file_name(name: str, theme: Theme, kind: str) -> str:
    return spec_file_name(name, theme.name, kind)


def render(spec: FigureSpec, data=None) -> list[File]:
    """Every file of one figure, in both themes, from its data (computed once here unless
    the caller passes it)."""
    data = spec.compute() if data is None else data
    frames = spec.animate(data) if spec.animated else None
    files = []
    for theme in style.THEMES:
        with style.context(theme):   # savefig reads rcParams too
            files += _render_theme(spec, data, frames, theme)
    return files


def _render_theme(spec: FigureSpec, data, frames, theme: Theme) -> list[File]:
    files, key = [], None
    png_meta = png_metadata(spec.title)
    if frames is not None:
        timing, n = spec.timing, frames.frames
        key = timing.key_index(n, data)
        big = layered(frames, theme, range(n), style.PNG_DPI)
        small = [gif_frame(f) for f in big]
        gif = _gif(small, durations(timing, n), palette_steps(timing, n, data),
                   f"{spec.title}. {ATTRIBUTION}")
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
    fig = draw(spec, data, theme, key, frames)
    # An animation's static PNG is its key frame exactly as the GIF's frames are drawn.
    png = _png_image(big[key], png_meta) if frames is not None else \
        png_bytes(fig, metadata=png_meta)
    with Image.open(io.BytesIO(png)) as img:
        size = img.size
        thumb = thumbnail(img.convert("RGB"))
    files.append(File(file_name(spec.name, theme, "png"), png, *size, "png", theme.name))
    files.append(File(file_name(spec.name, theme, "thumb"), _png_image(thumb, png_meta),
                      thumb.width, thumb.height, "thumb", theme.name))
    w, h = (round(v * style.PAGE_DPI) for v in fig.get_size_inches())
    files.append(File(file_name(spec.name, theme, "svg"), _svg(fig, svg_metadata(spec.title)),
                      w, h, "svg", theme.name))
    return files


# -- the site's player: every 2x frame, as the key frame plus each frame's changed tiles -----

PLAYER_TILE = 16          # 2x pixels: frames are compared with the key frame tile by tile
PLAYER_WASTE = 8          # tiles: two boxes merge when that adds at most this many unchanged
WEBP_MAX = 16383          # pixels: the longest side a WebP image can have


def changed_tiles(frame: np.ndarray, base: np.ndarray, tile: int = PLAYER_TILE) -> np.ndarray:
    """Which `tile` x `tile` tiles of `frame` (H, W, 3) differ from `base` in any pixel."""
    h, w = frame.shape[:2]
    rows, cols = -(-h // tile), -(-w // tile)
    # One comparison over each row's bytes, then a maximum over contiguous runs: about
    # four times faster than reducing the colour axis first (bench: every animation).
    diff = np.zeros((rows * tile, cols * tile * 3), np.uint8)
    np.not_equal(frame.reshape(h, w * 3), base.reshape(h, w * 3),
                 out=diff[:h, :w * 3].view(bool))
    return diff.reshape(rows, tile, cols, tile * 3).max(axis=3).max(axis=1).astype(bool)


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
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row.astype(np.int8), [0]))))
        boxes += [(int(c0), r, int(c1), r + 1) for c0, c1 in zip(edges[::2], edges[1::2])]
    if len(boxes) < 2:
        return boxes
    unchanged = np.pad((~changed).astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))

    def cost(c0, r0, c1, r1):   # unchanged tiles inside boxes, from the summed-area table
        return unchanged[r1, c1] - unchanged[r0, c1] - unchanged[r1, c0] + unchanged[r0, c0]

    def union_with(b, i):       # the bounding boxes of box i with every box, as 4 columns
        return (np.minimum(b[i, 0], b[:, 0]), np.minimum(b[i, 1], b[:, 1]),
                np.maximum(b[i, 2], b[:, 2]), np.maximum(b[i, 3], b[:, 3]))

    b = np.array(boxes, dtype=np.int64)
    own = cost(*b.T)
    union = (np.minimum.outer(b[:, 0], b[:, 0]), np.minimum.outer(b[:, 1], b[:, 1]),
             np.maximum.outer(b[:, 2], b[:, 2]), np.maximum.outer(b[:, 3], b[:, 3]))
    extra = cost(*union) - own[:, None] - own[None, :]
    while len(b) > 1:
        pairs = np.argwhere(np.triu(extra <= waste, 1))
        for i, j in pairs[np.lexsort((pairs[:, 1], pairs[:, 0], extra[tuple(pairs.T)]))]:
            u = (min(b[i, 0], b[j, 0]), min(b[i, 1], b[j, 1]),
                 max(b[i, 2], b[j, 2]), max(b[i, 3], b[j, 3]))
            overlaps = (u[0] < b[:, 2]) & (b[:, 0] < u[2]) & (u[1] < b[:, 3]) & (b[:, 1] < u[3])
            if overlaps.sum() == 2:           # only i and j themselves
                b[i] = u
                b, own = np.delete(b, j, axis=0), np.delete(own, j)
                extra = np.delete(np.delete(extra, j, axis=0), j, axis=1)
                own[i] = cost(*b[i])
                row = cost(*union_with(b, i)) - own[i] - own
                extra[i, :], extra[:, i] = row, row
                break
        else:
            break
    return sorted((tuple(int(v) for v in box) for box in b), key=lambda c: (c[1], c[0]))


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
    """Lossless WebP: exact pixels, and a third of a PNG's bytes for these frames. (Less
    effort saves little time here: method 4 takes 12 % less, for atlases 8 % larger.)"""
    buf = io.BytesIO()
    img.save(buf, format="WEBP", lossless=True, quality=100, method=5, exact=True)
    return buf.getvalue()
