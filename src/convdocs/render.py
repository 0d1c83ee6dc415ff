"""Render registry entries to file contents in memory: PNG, SVG, GIF and frame strips.

This module decides formats, resolution and metadata; it writes nothing to
disk (:mod:`convdocs.build` does, atomically). Every output is deterministic:
no dates, no version strings, fixed SVG ids, bundled fonts only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib
import numpy as np
import oxipng
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from . import style
from .registry import FigureSpec
from .style import Theme

PNG_METADATA = {"Software": None}
SVG_METADATA = {"Date": None, "Creator": None}
GIF_COLOURS = 64
STRIP_GAP = 16            # pixels between frames in a strip
HOLD = 2.5                # the first and last frames stay this many times longer
# oxipng effort: level 2 for figures saved by matplotlib; level 0 for the large
# frame strips and key frames, where level 2 costs 5x the time for 6% of size.
PNG_LEVEL, FRAME_PNG_LEVEL = 2, 0


@dataclass(frozen=True)
class File:
    """One output file: its name relative to figures/, bytes, and pixel size."""

    path: str
    data: bytes
    width: int
    height: int
    kind: str            # "png", "svg", "gif" or "frames"
    theme: str


def draw(spec: FigureSpec, theme: Theme, step: int | None) -> Figure:
    """A fresh Figure with `spec` drawn into it for `theme` (and animation `step`)."""
    with matplotlib.rc_context(style.rc(theme)):
        fig = Figure()
        FigureCanvasAgg(fig)
        spec.draw(fig, theme, step)
    return fig


def png_bytes(fig: Figure, dpi: int = style.PNG_DPI) -> bytes:
    """Save a drawn figure as an optimised, deterministic PNG."""
    buf = io.BytesIO()
    # oxipng recompresses everything, so the first encoding only needs to be fast.
    fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA,
                pil_kwargs={"compress_level": 1})
    return oxipng.optimize_from_memory(buf.getvalue(), level=PNG_LEVEL)


def _svg(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata=SVG_METADATA)
    return buf.getvalue()


def _image(fig: Figure) -> Image.Image:
    return Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())


def raster(spec: FigureSpec, theme: Theme, step: int | None, dpi: int) -> Image.Image:
    """Render one frame to an RGB image at `dpi`, the way the build renders it."""
    if spec.layers is not None:
        return composited(spec, theme, [step], dpi)[0]
    fig = draw(spec, theme, step)
    with matplotlib.rc_context(style.rc(theme)):
        fig.set_dpi(dpi)
        fig.canvas.draw()
        return _image(fig)


def _artists(fig: Figure) -> list:
    found = list(fig.texts) + list(fig.artists)
    for ax in fig.axes:
        found += ax.images + ax.collections + ax.lines + ax.patches + ax.texts + ax.artists
    return found


def composited(spec: FigureSpec, theme: Theme, steps, dpi: int) -> list[Image.Image]:
    """Frames of a layered animation: the static layer is drawn once, and each frame is
    that background with the step's moving artists drawn over it (in z-order)."""
    anim = spec.layers()
    frames = []
    with matplotlib.rc_context(style.rc(theme)):
        fig = Figure()
        FigureCanvasAgg(fig)
        ctx = anim.static(fig, theme)
        fig.set_dpi(dpi)
        fig.canvas.draw()
        background = fig.canvas.copy_from_bbox(fig.bbox)
        for step in steps:
            before = set(map(id, _artists(fig)))
            anim.moving(ctx, step)
            new = [a for a in _artists(fig) if id(a) not in before]
            fig.canvas.restore_region(background)
            for artist in sorted(new, key=lambda a: a.get_zorder()):
                fig.draw_artist(artist)
            frames.append(_image(fig))
            for artist in new:
                artist.remove()
    return frames


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


def durations(spec: FigureSpec, n: int) -> list[int]:
    """Milliseconds per frame: the first and last frames are held longer."""
    ms = [spec.frame_ms] * n
    ms[0] = ms[-1] = int(spec.frame_ms * HOLD)
    return ms


def _gif(frames: list[Image.Image], ms: list[int], picks: list[int]) -> bytes:
    # Every frame is the same background plus one step's moving parts, so the first
    # step, the key step and the finished frame hold all the colours there are.
    palette = palette_for([frames[i] for i in picks])
    indexed = [quantize(f, palette) for f in frames]
    buf = io.BytesIO()
    indexed[0].save(buf, format="GIF", save_all=True, append_images=indexed[1:],
                    duration=ms, loop=0, optimize=True, disposal=1)
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


def _png_image(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return oxipng.optimize_from_memory(buf.getvalue(), level=FRAME_PNG_LEVEL)


def strip_steps(spec: FigureSpec, n: int) -> list[int]:
    """The frames of the print strip: by default the first, the key and the last."""
    return [s % n for s in (spec.strip_steps or (0, spec.key_index(n), n - 1))]


def palette_steps(spec: FigureSpec, n: int) -> list[int]:
    """The frames the GIF's shared palette is computed from: the strip's and the key frame."""
    return sorted(set(strip_steps(spec, n)) | {spec.key_index(n)})


def file_name(spec: FigureSpec, theme: Theme, kind: str) -> str:
    ext = {"png": "png", "svg": "svg", "gif": "gif", "frames": "frames.png"}[kind]
    return f"{spec.name}.{theme.name}.{ext}"


def render(spec: FigureSpec) -> list[File]:
    """Every file of one figure, in both themes."""
    files = []
    for theme in style.THEMES:
        with matplotlib.rc_context(style.rc(theme)):   # savefig reads rcParams too
            files += _render_theme(spec, theme)
    return files


def _render_theme(spec: FigureSpec, theme: Theme) -> list[File]:
    files, key = [], None
    if spec.animated:
        n = spec.frames()
        key = spec.key_index(n)
        if spec.layers is not None:
            big = composited(spec, theme, range(n), style.PNG_DPI)
        else:
            big = [raster(spec, theme, step, style.PNG_DPI) for step in range(n)]
        frames = [gif_frame(f) for f in big]
        picks = strip_steps(spec, n)
        gif = _gif(frames, durations(spec, n), palette_steps(spec, n))
        files.append(File(file_name(spec, theme, "gif"), gif, frames[0].width,
                          frames[0].height, "gif", theme.name))
        strip = _strip([big[s] for s in picks], theme.background)
        files.append(File(file_name(spec, theme, "frames"), _png_image(_print_colours(strip)),
                          strip.width, strip.height, "frames", theme.name))
    fig = draw(spec, theme, key)
    # An animation's static PNG is its key frame exactly as the GIF's frames are drawn.
    png = _png_image(big[key]) if spec.animated else png_bytes(fig)
    with Image.open(io.BytesIO(png)) as img:
        size = img.size
    files.append(File(file_name(spec, theme, "png"), png, *size, "png", theme.name))
    w, h = (round(v * style.PAGE_DPI) for v in fig.get_size_inches())
    files.append(File(file_name(spec, theme, "svg"), _svg(fig), w, h, "svg", theme.name))
    return files
