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
import functools
from dataclasses import dataclass
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
