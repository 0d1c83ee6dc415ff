"""Composite panels shared by the page modules: panel sizes, kernels, signed pictures
with their colour keys, and the pieces of text the animations and captions share.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from matplotlib.patches import Rectangle

from . import draw, style

PIXEL = 0.1          # inches per pixel for small pictures such as the grid (26 px -> 2.6 in)
KEY = 0.5            # inches reserved below a signed picture for its colour key
KERNEL_CELL = 0.34   # inches per cell for the small kernels of the summary sheets
SMALL_CELL = 0.36    # inches per cell in animations whose grids are larger than usual
LINE_Y = 0.06        # figure fraction: the baseline of an animation's arithmetic line


# -- panel sizes ------------------------------------------------------------------------

def photo_size(image, scale: float = 1.0):
    """Panel size that shows one image pixel per CSS pixel (times `scale`).

    Drawn at the page's 100 pixels per inch, a photo pixel becomes exactly a
    2 x 2 block in the 2x PNG: sharp, and cheap to compress.
    """
    return image.shape[1] * scale / style.PAGE_DPI, image.shape[0] * scale / style.PAGE_DPI


def pixel_size(image, pixel: float = PIXEL):
    return image.shape[1] * pixel, image.shape[0] * pixel


# -- kernels and signed pictures --------------------------------------------------------

def kernel_text(value: float) -> str:
    """Kernel entries as people write them: integers, or fractions such as 1/16."""
    if float(value).is_integer():
        return draw.number(value)
    frac = Fraction(value).limit_denominator(64)
    return draw.number(frac.numerator) + "/" + str(frac.denominator)


def kernel_matrix(ax, values, theme, cell_font=style.NUMBER_SIZE):
    """A kernel: plain cells, its entries written as integers or fractions."""
    added = draw.matrix(ax, values, theme, kind="plain", numbers=False, role="kernel")
    for (r, c), v in np.ndenumerate(values):
        added.append(ax.text(c + 0.5, r + 0.53, kernel_text(v), ha="center", va="center",
                             fontsize=cell_font, color=theme.text))
    return added


def kernel_panel(ax, kernel, theme, width, cell=KERNEL_CELL, font=9):
    """A kernel drawn with small cells, centred in a panel `width` inches wide."""
    kernel_matrix(ax, kernel, theme, cell_font=font)
    spare = (width / cell - kernel.shape[1]) / 2
    ax.set_xlim(-spare, kernel.shape[1] + spare)
    ax.set_ylim(kernel.shape[0] + 0.05, -0.05)


def signed_norm(values, quantile: float | None = None):
    """Zero at mid-grey; the scale ends at the largest magnitude (or a high quantile of it)."""
    mags = np.abs(values)
    top = float(np.quantile(mags, quantile)) if quantile else float(mags.max())
    return draw.norm_for(values, "signed", top or 1.0)


def signed_picture(ax, values, theme, *, quantile=None, role="output", norm=None):
    """A signed result: zero at mid-grey, with a colour key underneath."""
    norm = norm or signed_norm(values, quantile)
    draw.picture(ax, values, theme, kind="signed", norm=norm, role=role)
    draw.colour_key_below(ax, norm, theme)
    return norm


def sum_text(products) -> str:
    terms = [draw.number(p) for p in np.ravel(products)]
    return " + ".join(f"({t})" if t.startswith(draw.MINUS) else t for t in terms)


LINE_BOTTOM = 0.1    # inches: off the page, the line's bottom edge (it may wrap to two lines)


def arithmetic_line(fig, theme, text, *, done=False):
    colour = theme.muted if done else theme.text
    if style.medium().name != "page":     # a taller, wrapped figure: keep it at the bottom
        return fig.text(0.5, LINE_BOTTOM / fig.get_size_inches()[1], text, ha="center",
                        va="bottom", fontsize=style.LABEL_SIZE, color=colour)
    return fig.text(0.5, LINE_Y, text, ha="center", fontsize=style.LABEL_SIZE, color=colour)


def hatch_cells(ax, mask, theme):
    """Cross-hatch the cells of `mask`: cells no window ever reads."""
    for r, c in zip(*np.nonzero(mask)):
        ax.add_artist(Rectangle((c, r), 1, 1, fill=False, hatch="//", ec=theme.window,
                                lw=0, zorder=4))




NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")


def number_word(n: int) -> str:
    """Small counts in words, as prose writes them ("nine stops"); larger ones in digits."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)
