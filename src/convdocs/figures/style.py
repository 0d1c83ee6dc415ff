"""The look of every figure: two designed themes, one colour per role, honest colour maps.

Roles keep one hue in both themes (Okabe & Ito's colour-blind-safe set);
the dark theme uses lighter shades of the same hues on the site's dark
background, and never inverts the image data itself. Two hues are adjusted:
the light filter orange is darkened (Okabe-Ito's #e69f00 has 2.3:1 on white,
under WCAG's 3:1 for graphics) and the dark input blue is lifted (#56b4e9 and
the output green were hard to tell apart for tritanopes); tests/test_figures.py
checks contrast and distance under simulated colour vision.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from dataclasses import dataclass, fields
from pathlib import Path

import matplotlib
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb

# Base size: 1 inch is 100 CSS pixels on the page; files are written at 2x.
PAGE_DPI = 100
PNG_DPI = 2 * PAGE_DPI
GIF_SCALE = 2                 # GIF frames are the 2x renders reduced 2 x 2 (page size, 1x)

FONT = "DejaVu Sans"          # resolved from matplotlib's own font files, never the system's
NUMBER_SIZE = 11              # points: digits in cells
LABEL_SIZE = 11
TITLE_SIZE = 12


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str
    cell_line: str
    input: str      # the image a filter reads
    kernel: str     # the filter
    output: str     # what the filter builds
    window: str     # the window being read right now
    signed: LinearSegmentedColormap   # zero at mid-grey
    gray: LinearSegmentedColormap     # pixel intensities, black to white


def _signed_map(name: str) -> LinearSegmentedColormap:
    # Deep violet (negative) -> mid-grey (zero) -> pale yellow (positive):
    # lightness rises monotonically, so it also reads in greyscale and for
    # every kind of colour vision.
    return LinearSegmentedColormap.from_list(name, ["#2d1160", "#808080", "#fcf4b6"])


_GRAY = LinearSegmentedColormap.from_list("convdocs-gray", ["#000000", "#ffffff"])

LIGHT = Theme(
    name="light", background="#ffffff", text="#1f2328", muted="#59636e", cell_line="#8c959f",
    input="#0072b2", kernel="#b86e00", output="#009e73", window="#cc79a7",
    signed=_signed_map("convdocs-signed"), gray=_GRAY,
)
DARK = Theme(
    name="dark", background="#1e2129", text="#e6edf3", muted="#9aa5b1", cell_line="#6e7781",
    input="#6aa8ff", kernel="#f0b43c", output="#3cc49a", window="#e49ac4",
    signed=_signed_map("convdocs-signed-dark"), gray=_GRAY,
)
THEMES = (LIGHT, DARK)


def named_colours(theme: Theme) -> list[str]:
    """The theme's own colours, background first: background, text, lines and roles."""
    return [getattr(theme, f.name) for f in fields(Theme)
            if f.name != "name" and isinstance(getattr(theme, f.name), str)]


def rc(theme: Theme) -> dict:
    """matplotlib settings for a theme: fonts, colours, and deterministic output."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "font.size": LABEL_SIZE,
        "axes.titlesize": TITLE_SIZE,
        "text.color": theme.text,
        "axes.labelcolor": theme.text,
        "axes.edgecolor": theme.text,
        "xtick.color": theme.muted,
        "ytick.color": theme.muted,
        "figure.facecolor": theme.background,
        "axes.facecolor": theme.background,
        "savefig.facecolor": theme.background,
        "figure.dpi": PAGE_DPI,
        "svg.hashsalt": "convdocs",
        "svg.fonttype": "path",
        "path.simplify": False,
        "image.interpolation": "nearest",
        "image.resample": False,
    }


@contextlib.contextmanager
def context(theme: Theme):
    """matplotlib's own defaults plus :func:`rc`, whatever the user's matplotlibrc,
    style or rcParams say; everything is restored on exit."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(rc(theme))
        _check_font()
        yield


@functools.cache
def _check_font() -> None:
    """Refuse to draw if matplotlib's font cache sends DejaVu Sans to another file (a
    damaged or doctored cache in MPLCONFIGDIR would change every figure's text)."""
    from matplotlib import font_manager
    found = Path(font_manager.findfont(font_manager.FontProperties(family=[FONT]),
                                       fallback_to_default=False))
    own = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    if found.resolve() != own.resolve():
        raise RuntimeError(f"matplotlib's font cache finds {FONT!r} at {found}, not at its own "
                           f"{own}: delete the fontlist-*.json files in "
                           f"{matplotlib.get_cachedir()} and build again")


def readable_on(fill_rgb) -> str:
    """Black or white text, whichever reads better on `fill_rgb`."""
    r, g, b = to_rgb(fill_rgb)[:3]
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if lum > 0.45 else "#ffffff"


def palette(theme: Theme) -> dict:
    """A theme's colours for the browser (the playground): roles, text, and the signed
    colour map as its 256 matplotlib colours, so zero is the same mid-grey everywhere."""
    lut = theme.signed(list(range(theme.signed.N)))
    return {"background": theme.background, "text": theme.text, "muted": theme.muted,
            "cell_line": theme.cell_line, "input": theme.input, "kernel": theme.kernel,
            "output": theme.output, "window": theme.window,
            "signed": [to_hex(rgba) for rgba in lut]}


# -- layouts: where a figure is shown ------------------------------------------------------
#
# One figure is drawn for three media. Drawing code sizes everything in *design inches*
# (one matrix cell is draw.CELL inches) and text in points; a medium says how many pixels a
# design inch becomes there, how wide the figure may be, and how small text may get.
#
# * page: the site's wide column, 100 CSS px per inch, files 2x. Today's figures, unchanged.
# * phone: a 358 CSS px column. Rows too wide are wrapped (draw.Layout.build); a figure
#   still too wide is shown smaller, at 358 px, with its text enlarged so nothing is under
#   11 CSS px at that size. Files are 2x (PNG width / 2 = CSS width <= 358).
# * slide: a 16:9 slide, 13.333 x 7.5 in at 144 px per inch = 1920 x 1080. The figure is
#   drawn enlarged 18/11 times (11 pt digits become 18 pt = 36 px), under a 24 pt title;
#   text under 11 pt is raised to 11 pt first. A figure taller than the slide is split
#   into several slides, never shrunk: into the parts it declares (FigureSpec.parts), or
#   else cut across blank rows. One only a little too tall loses blank rows between its
#   rows of panels (each gap keeps 48 px) and stays on one slide.

@dataclass(frozen=True)
class Medium:
    """Where a figure is shown; see the notes above."""

    name: str
    width_px: float           # the widest the figure may be there, in the medium's px
    px_per_inch: float        # px per design inch at full size
    min_text_px: float        # no text smaller than this, in the medium's px
    file_scale: int = 1       # files are this many times the medium's px (2x PNGs)
    height_px: float = 0.0    # a fixed canvas height (slides), else 0
    title_px: float = 0.0     # the figure's title on the canvas (slides), else none

    @property
    def wrap_width(self) -> float:
        """Design inches a row may span before draw.Layout wraps it (page: never)."""
        if self.name == "page":
            return float("inf")
        return self.width_px / self.px_per_inch

    @property
    def shows_margins(self) -> bool:
        """Whether a figure's blank margins are shown (a phone shows the whole figure; a
        slide shows the figure's ink, cropped)."""
        return self.name != "slide"


SLIDE_DPI = 144                                   # 1920 px across 13.333 in
SLIDE_SCALE = 18 / NUMBER_SIZE                    # 11 pt digits become 18 pt on a slide
SLIDE_MARGIN = 0.3                                # slide inches around the figure
PAGE = Medium("page", width_px=float("inf"), px_per_inch=PAGE_DPI, min_text_px=11,
              file_scale=2)
PHONE = Medium("phone", width_px=358, px_per_inch=PAGE_DPI, min_text_px=11, file_scale=2)
SLIDE = Medium("slide", width_px=1920 - 2 * SLIDE_MARGIN * SLIDE_DPI - 16,
               px_per_inch=SLIDE_DPI * SLIDE_SCALE, min_text_px=36, height_px=1080,
               title_px=48)
MEDIA = (PAGE, PHONE, SLIDE)

_medium: contextvars.ContextVar[Medium] = contextvars.ContextVar("convdocs_medium",
                                                                 default=PAGE)


def medium() -> Medium:
    """The medium being drawn for. The renderer sets it (:func:`drawing_for`); drawing code
    that must lay out differently asks here. Outside the renderer it is the page."""
    return _medium.get()


@contextlib.contextmanager
def drawing_for(m: Medium):
    """Draw for medium `m` inside this block (the renderer's one switch)."""
    token = _medium.set(m)
    try:
        yield m
    finally:
        _medium.reset(token)
