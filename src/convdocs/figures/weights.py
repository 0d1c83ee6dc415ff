"""Learned weights and small numbers, drawn and written the same way on every page that
trains something: filters as signed cells with their weights in them, and numbers that
run from 1.77 down to 10⁻¹⁰."""

from __future__ import annotations

import numpy as np

from . import draw, style

TIMES = " \u00d7 "
SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075"
                                           "\u2076\u2077\u2078\u2079")


def power_text(exponent: int) -> str:
    """10⁻⁶ for -6, and 1 for 0."""
    return "1" if exponent == 0 else "10" + str(exponent).translate(SUPERSCRIPT)


def small_text(value: float) -> str:
    """A positive number for a frame's line: 0.0123, or 1.2 × 10⁻⁵ when it is smaller
    than a thousandth."""
    if value >= 0.001 or value == 0:
        return f"{value:.3g}"
    exponent = int(np.floor(np.log10(value)))
    return f"{value / 10.0 ** exponent:.1f}{TIMES}{power_text(exponent)}"


def weight_text(value: float, decimals: int = 2, *, fixed: bool = False) -> str:
    """A weight to `decimals` places: 0.5, −1, 0 (never −0); with `fixed`, every
    decimal kept (0.50), for columns of numbers that should line up."""
    text = f"{value:.{decimals}f}"
    if not fixed:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return text.replace("-", draw.MINUS)


def weight_cells(ax, values, theme, *, decimals: int = 2, fixed: bool = False,
                 limit: float = 1.0, fontsize: float = style.NUMBER_SIZE,
                 role: str | None = "kernel"):
    """Weights as signed cells (zero mid-grey, the scale ending at ±`limit`) with the
    numbers written in them. Returns every artist it added."""
    values = np.asarray(values, dtype=float)
    norm = draw.norm_for(values, "signed", limit)
    added = draw.matrix(ax, values, theme, kind="signed", norm=norm, numbers=False)
    for (r, c), v in np.ndenumerate(values):
        colour = style.readable_on(theme.signed(norm(v)))
        added.append(ax.text(c + 0.5, r + 0.53, weight_text(v, decimals, fixed=fixed), ha="center",
                             va="center", fontsize=fontsize, color=colour))
    if role:
        added.append(draw.frame(ax, 0, 0, *values.shape, getattr(theme, role), lw=2.5))
    return added
