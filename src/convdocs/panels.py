"""Composite panels shared by the figure modules: kernels, signed pictures, and the
animated convolution and pooling frames.

Each animation frame is a pure function of (arguments, step): step ``k`` highlights
the k-th window of the step trace and fills the output up to it; the step after
the last one shows the finished output.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import numpy as np
from matplotlib.patches import Rectangle

from . import draw, images, kernels, style
from .conv import conv2d, plan_conv2d
from .draw import Layout
from .pool import avg_pool2d, max_pool2d, plan_pool2d
from .steps import conv2d_steps, pool2d_steps

PIXEL = 0.1          # inches per pixel for small pictures such as the grid (26 px -> 2.6 in)
KEY = 0.5            # inches reserved below a signed picture for its colour key
KERNEL_CELL = 0.34   # inches per cell for the small kernels of the summary sheets
LINE_Y = 0.06        # figure fraction: the baseline of an animation's arithmetic line


# -- shared data -------------------------------------------------------------------

@cache
def small_photo() -> np.ndarray:
    """The photo at half size (300 x 256), averaged 2x2 by our own pooling."""
    return avg_pool2d(images.photo(), 2)


FACE = (slice(80, 208), slice(64, 192))   # a 128 x 128 crop of the half-size photo


def face() -> np.ndarray:
    return small_photo()[FACE]


def close_face() -> np.ndarray:
    """A 96 x 96 crop of the face: eyes, glasses, nose and mouth."""
    return face()[4:100, 16:112]


def filtered(image, name, **kwargs):
    """`image` through the named catalogue kernel, padded to keep its size."""
    return conv2d(image, kernels.get(name).values, padding="same", **kwargs)


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
    draw.matrix(ax, values, theme, kind="plain", numbers=False, role="kernel")
    for (r, c), v in np.ndenumerate(values):
        ax.text(c + 0.5, r + 0.53, kernel_text(v), ha="center", va="center",
                fontsize=cell_font, color=theme.text)


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


def arithmetic_line(fig, theme, text, *, done=False):
    fig.text(0.5, LINE_Y, text, ha="center", fontsize=style.LABEL_SIZE,
             color=theme.muted if done else theme.text)


def hatch_cells(ax, mask, theme):
    """Cross-hatch the cells of `mask`: cells no window ever reads."""
    for r, c in zip(*np.nonzero(mask)):
        ax.add_artist(Rectangle((c, r), 1, 1, fill=False, hatch="//", ec=theme.window,
                                lw=0, zorder=4))


# -- animations -------------------------------------------------------------------------

class Animation:
    """An animation drawn in two layers: `static` once, `moving(ctx, step)` per frame.

    ``draw(fig, theme, step)`` draws both, so a frame is a pure function of the
    step; the renderer uses the layers to draw the static part only once.
    """

    def steps(self) -> list:
        raise NotImplementedError

    def frames(self) -> int:
        """One frame per step, then one with the finished output."""
        return len(self.steps()) + 1

    def current(self, step):
        steps = self.steps()
        return steps[step] if step is not None and step < len(steps) else None

    def draw(self, fig, theme, step):
        self.moving(self.static(fig, theme), step)


class ConvAnimation(Animation):
    """A convolution, step by step: window, products, sum, output filling up.

    The input panel shows the padded input the window slides over, padding in
    dashed cells. `real` overrides which of those cells are real input (the
    transposed convolution's zero-stretched input uses this). With
    `show_skipped`, real cells that no window reads are cross-hatched.
    """

    def __init__(self, image, kernel, *, stride=1, padding=0, dilation=1,
                 padding_mode="zeros", real=None, products=True, cell=draw.CELL,
                 input_title="input", kernel_title="filter", input_max=None,
                 show_skipped=False):
        self.image, self.kernel_in = image, kernel
        self.kernel_title = kernel_title
        self.kw = dict(stride=stride, padding=padding, dilation=dilation,
                       padding_mode=padding_mode)
        self.plan = plan_conv2d(image, kernel, **self.kw)
        self.out = conv2d(image, kernel, **self.kw)
        self.real, self.products, self.cell = real, products, cell
        self.input_title, self.input_max, self.show_skipped = input_title, input_max, show_skipped
        self.dilated = self.kw["dilation"] not in (1, (1, 1))

    @cache
    def steps(self):
        return conv2d_steps(self.image, self.kernel_in, **self.kw)

    def static(self, fig, theme):
        plan, out, cell = self.plan, self.out, self.cell
        kernel, padded = plan.kernel, plan.padded
        (top, _), (left, _) = plan.pads
        real = self.real
        if real is None:
            real = np.zeros(padded.shape, bool)
            real[top:top + np.shape(self.image)[0], left:left + np.shape(self.image)[1]] = True
        size = lambda shape: (shape[1] * cell, shape[0] * cell)  # noqa: E731
        panels = [size(padded.shape), size(kernel.shape)] + \
            ([size(kernel.shape)] if self.products else []) + [size(out.shape)]
        lay = Layout()
        lay.add_row(panels, gaps=[0.5, 0.5, 0.7] if self.products else [0.5, 0.7], below=0.55)
        axes, = lay.build(fig)
        a, k, o = axes[0], axes[1], axes[-1]
        font = style.NUMBER_SIZE if cell >= draw.CELL else style.NUMBER_SIZE - 1
        limit = self.input_max if self.input_max is not None else \
            max(float(np.max(np.abs(padded))), 1.0)
        draw.matrix(a, padded, theme, norm=draw.norm_for(padded, "gray", limit), padded=~real,
                    fontsize=font)
        if real.all():
            draw.frame(a, 0, 0, *padded.shape, theme.input, lw=2.5)
        else:
            draw.frame(a, top, left, *np.shape(self.image)[:2], theme.input, lw=2.5)
        draw.title(a, self.input_title, theme)
        kernel_matrix(k, kernel, theme, cell_font=font)
        draw.title(k, self.kernel_title, theme)
        draw.title(o, f"output {out.shape[0]} \u00d7 {out.shape[1]}", theme)
        centres = lay.gap_centres[0]
        draw.operator(fig, centres[0], "\u00d7", theme)
        if self.products:
            draw.operator(fig, centres[1], "=", theme)
        draw.operator(fig, centres[-1], "\u03a3 \u2192", theme, size=16)
        if self.show_skipped:
            read = np.zeros(padded.shape, bool)
            for s in self.steps():
                read[np.ix_(s.rows + top, s.cols + left)] = True
            hatch_cells(a, real & ~read, theme)
        return dict(fig=fig, theme=theme, axes=axes, font=font, offset=(top, left))

    def moving(self, ctx, step):
        fig, theme, axes, font = ctx["fig"], ctx["theme"], ctx["axes"], ctx["font"]
        a, o = axes[0], axes[-1]
        out, kernel = self.out, self.plan.kernel
        current = self.current(step)
        done = len(self.steps()) if current is None else current.index + 1
        hidden = (np.arange(out.size) >= done).reshape(out.shape)
        draw.matrix(o, out, theme, kind="signed", norm=signed_norm(out), hidden=hidden,
                    role="output", fontsize=font)
        if current is None:
            if self.products:
                draw.matrix(axes[2], np.zeros(kernel.shape), theme, kind="plain",
                            numbers=False)
                draw.title(axes[2], "products", theme)
            arithmetic_line(fig, theme, "done: every output cell is one window's sum",
                            done=True)
            return
        top, left = ctx["offset"]
        rows, cols = current.rows + top, current.cols + left
        if self.dilated:
            for r in rows:
                for c in cols:
                    draw.frame(a, r, c, 1, 1, theme.window, lw=2.2)
        else:
            draw.frame(a, rows[0], cols[0], *kernel.shape, theme.window)
        if self.products:
            draw.matrix(axes[2], current.products, theme, kind="plain", role="window",
                        fontsize=font)
            draw.title(axes[2], "window \u00d7 filter", theme)
        draw.frame(o, *current.out, 1, 1, theme.window)
        arithmetic_line(fig, theme,
                        f"{sum_text(current.products)} = {draw.number(current.result)}")


def conv_frames(image, kernel, **kw) -> int:
    """Frames of a convolution animation: one per output cell, then the finished output."""
    return len(conv2d_steps(image, kernel, **kw)) + 1


def pool_text(step, op):
    vals = [draw.number(v) for v in np.ravel(step.values) if np.isfinite(v)]
    if op == "max":
        return f"max({', '.join(vals)}) = {draw.number(step.result)}"
    return (f"({' + '.join(vals)}) \u00f7 {draw.number(step.divisor)} = "
            f"{draw.number(step.result)}")


class PoolAnimation(Animation):
    """Pooling, step by step, for any window and stride (without padding: the input
    panel draws the image itself, with no padded cells around it)."""

    def __init__(self, image, size=2, *, op="max", stride=None, padding=0, ceil_mode=False,
                 input_max=None):
        self.image = np.asarray(image, dtype=float)
        self.size, self.op = size, op
        self.kw = dict(stride=stride, padding=padding, ceil_mode=ceil_mode)
        self.plan = plan_pool2d(image, size, op=op, **self.kw)
        self.out = (max_pool2d if op == "max" else avg_pool2d)(image, size, **self.kw)
        self.input_max = input_max

    @cache
    def steps(self):
        return pool2d_steps(self.image, self.size, op=self.op, **self.kw)

    def static(self, fig, theme):
        image, out, plan = self.image, self.out, self.plan
        norm = draw.norm_for(image, "gray", self.input_max or float(image.max()) or 1.0)
        lay = Layout()
        lay.add_row([draw.grid_size(image.shape), draw.grid_size(out.shape)], gaps=[1.6],
                    below=0.55)
        (a, o), = lay.build(fig)
        draw.matrix(a, image, theme, norm=norm, role="input")
        draw.title(a, "input", theme)
        draw.title(o, "max pooled" if self.op == "max" else "average pooled", theme)
        kh, kw = plan.size
        label = f"{kh} \u00d7 {kw} {self.op}"
        if plan.stride != plan.size:
            label += f"\nstride {plan.stride[0]}"
        draw.operator(fig, lay.gap_centres[0][0], f"{label}\n\u2192", theme, size=15)
        return dict(fig=fig, theme=theme, axes=(a, o), norm=norm)

    def moving(self, ctx, step):
        fig, theme, (a, o), norm = ctx["fig"], ctx["theme"], ctx["axes"], ctx["norm"]
        out = self.out
        kh, kw = self.plan.size
        current = self.current(step)
        done = len(self.steps()) if current is None else current.index + 1
        hidden = (np.arange(out.size) >= done).reshape(out.shape)
        draw.matrix(o, out, theme, norm=norm, hidden=hidden, role="output")
        if current is None:
            arithmetic_line(fig, theme, f"done: each output cell summarises one {kh} \u00d7 "
                                        f"{kw} window", done=True)
            return
        draw.frame(a, current.rows[0], current.cols[0], kh, kw, theme.window)
        draw.frame(o, *current.out, 1, 1, theme.window)
        arithmetic_line(fig, theme, pool_text(current, self.op))


def pool_frames(image, size=2, **kw) -> int:
    return len(pool2d_steps(image, size, **kw)) + 1
