"""Figures of "How filters learn": a convolution's two gradients worked on small numbers,
and a random 3 x 3 filter that learns to be the vertical-edge filter."""

from __future__ import annotations

from functools import cache

import numpy as np

from .. import images, kernels, learn
from ..conv import conv2d
from . import draw, style
from .draw import Layout
from .examples import close_face, digits
from .panels import arithmetic_line, kernel_matrix, signed_norm
from .spec import FigureSpec, Timing
from .weights import TIMES, power_text, small_text, weight_cells, weight_text

TARGET = kernels.VERTICAL_EDGES


def size_text(array) -> str:
    return TIMES.join(str(n) for n in np.shape(array)[:2])


# -- the two gradients, on numbers you can check by hand ------------------------------------

def wrong_filter() -> np.ndarray:
    """The vertical-edge filter with one weight wrong: its centre is 1 instead of 0."""
    k = TARGET.copy()
    k[1, 1] = 1.0
    return k


def gradients_data():
    x = digits((5, 5), seed=11)
    k = wrong_filter()
    error = conv2d(x, k) - conv2d(x, TARGET)           # output minus target
    kernel_grad, input_grad = learn.conv2d_grads(x, k, error)
    return {"input": x, "error": error, "kernel gradient": kernel_grad, "filter": k,
            "input gradient": input_grad}


def gradients_caption(data):
    g = data["kernel gradient"]
    n = data["error"].size
    return (f"Top: the error of each of the {n} outputs (output minus target, for the "
            f"vertical-edge filter with its centre weight set to 1) slides over the "
            f"{size_text(data['input'])} input like a filter. Each of the {g.size} results "
            f"adds up the input cells one weight met, each times the error of the output it "
            f"helped make; the centre weight, the wrong one, gets the largest, "
            f"{draw.number(g.max())}. Times 2 \u00f7 {n} (the mean over {n} outputs, and the "
            f"square's 2), this is the kernel's gradient. Bottom: each error stamps the filter "
            f"back onto the cells its window read, and the stamps add up: the input's "
            f"gradient, a transposed convolution.")


def draw_gradients(fig, theme, data):
    x, error, kg, k, ig = (data[n] for n in ("input", "error", "kernel gradient", "filter",
                                              "input gradient"))
    lay = Layout(row_gap=0.35)
    size = draw.grid_size
    lay.add_row([size(x.shape), size(error.shape), size(kg.shape)], gaps=[0.7, 0.7],
                below=0.45)
    lay.add_row([size(error.shape), size(k.shape), size(ig.shape)], gaps=[0.7, 0.7],
                below=0.45)
    (a, e, g), (e2, f, i) = lay.build(fig)
    limit = float(np.abs(np.concatenate([error.ravel(), ig.ravel()])).max()) or 1.0
    draw.matrix(a, x, theme, norm=draw.norm_for(x, "gray", float(x.max()) or 1.0),
                role="input")
    draw.title(a, "input", theme)
    for ax in (e, e2):
        draw.matrix(ax, error, theme, kind="signed", norm=signed_norm(error), role="window")
        draw.title(ax, "error", theme)
    draw.matrix(g, kg, theme, kind="signed", norm=signed_norm(kg), role="kernel")
    draw.title(g, "kernel gradient", theme)
    kernel_matrix(f, k, theme)
    draw.frame(f, 0, 0, *k.shape, theme.kernel, lw=2.5)
    draw.title(f, "filter", theme)
    draw.matrix(i, ig, theme, kind="signed", norm=draw.norm_for(ig, "signed", limit),
                role="input")
    draw.title(i, "input gradient", theme)
    rows = (((a, e, g), "\u22c6", 40, "conv2d(input, error)"),
            ((e2, f, i), "\u2192", 20, "conv_transpose2d(error, filter)"))
    for (panels, sign, size, text), (first, second) in zip(rows, lay.gap_centres):
        draw.operator(fig, first, sign, theme, size=size)
        draw.operator(fig, second, "=", theme)
        lowest = min(ax.get_position().y0 for ax in panels)
        fig.text(0.5, lowest - 0.3 / fig.get_size_inches()[1], text, ha="center", va="center",
                 fontsize=style.LABEL_SIZE, color=theme.muted, family="monospace")


# -- a filter that learns ---------------------------------------------------------------------

FRAME_STEPS = (0, 1, 2, 3, 5, 8, 12, 20, 30, 50, 75, 100, 150, 200, 300)


@cache
def _training():
    pictures = (images.grid(), close_face() / 255)     # both from 0 (black) to 1 (white)
    targets = tuple(conv2d(p, TARGET, padding="same") for p in pictures)
    run = learn.learn_filter(pictures, targets, steps=FRAME_STEPS[-1])
    return pictures, targets, run


def training():
    """The grid and the face (grey levels divided by 255), their targets, and the run."""
    return _training()


def learning_data():
    (grid, face), (grid_target, face_target), run = training()
    chosen = run.kernels[list(FRAME_STEPS)]
    return {"steps": np.array(FRAME_STEPS, dtype=float), "kernels": chosen, "target": TARGET,
            "losses": run.losses, "misses": np.abs(chosen - TARGET).max(axis=(1, 2)),
            "grid outputs": np.stack([conv2d(grid, k, padding="same") for k in chosen]),
            "grid target": grid_target,
            "face outputs": np.stack([conv2d(face, k, padding="same") for k in chosen]),
            "face target": face_target}


KERNEL_CELL = 0.56      # inches: room for "−0.53" in 11-point digits
PICTURE = 1.56          # inches per picture: the grid at 6 px per pixel


class FilterLearning:
    """The filter, its outputs and the loss curve, one frame per chosen step."""

    def __init__(self, data):
        self.d = data
        self.frames = len(data["steps"])

    def static(self, fig, theme):
        d = self.d
        lay = Layout(row_gap=0.2)
        k = (3 * KERNEL_CELL, 3 * KERNEL_CELL)
        lay.add_row([k, k, (2.9, k[1])], gaps=[0.45, 0.95], below=0.3, lead=True)
        lay.add_row([(PICTURE, PICTURE)] * 4, gaps=[0.25, 0.55, 0.25], title=0.45, below=0.8)
        (k_ax, t_ax, loss_ax), pictures = lay.build(fig)
        weight_cells(t_ax, d["target"], theme)
        draw.title(t_ax, "target", theme)
        norms = {}
        for (ax, name, target) in ((pictures[1], "grid", d["grid target"]),
                                   (pictures[3], "face", d["face target"])):
            norms[name] = signed_norm(target)
            draw.picture(ax, target, theme, kind="signed", norm=norms[name], role="output")
            draw.title(ax, f"{name}, target", theme)
            draw.colour_key_below(ax, norms[name], theme)
        for ax, target in ((pictures[0], d["grid target"]), (pictures[2], d["face target"])):
            h, w = target.shape    # the moving layer draws here: fix the frame it draws into
            ax.set_xlim(-0.5, w - 0.5)
            ax.set_ylim(h - 0.5, -0.5)
            ax.set_aspect("equal")
        self._loss_axes(loss_ax, theme)
        return dict(fig=fig, theme=theme, kernel=k_ax, loss=loss_ax, norms=norms,
                    grid=pictures[0], face=pictures[2])

    def _loss_axes(self, ax, theme):
        losses, last = self.d["losses"], float(self.d["steps"][-1])
        ax.set_axis_on()
        ax.set_yscale("log")
        low, high = float(losses.min()), float(losses.max())
        ax.set_ylim(low / 4, high * 4)
        ax.set_xlim(-0.04 * last, 1.04 * last)
        decades = range(int(np.ceil(np.log10(low / 4))), int(np.floor(np.log10(high * 4))) + 1)
        shown = [e for e in decades if e % 3 == 0]
        ax.set_yticks([10.0 ** e for e in shown], [power_text(e) for e in shown])
        ax.set_yticks([], minor=True)
        ax.set_xticks(np.linspace(0, last, 4))
        ax.set_xticklabels([str(round(t)) for t in np.linspace(0, last, 4)])
        ax.tick_params(labelsize=style.LABEL_SIZE, colors=theme.muted, length=3)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(theme.cell_line)
        ax.set_facecolor(theme.background)
        draw.title(ax, "loss (log scale) by step", theme)

    def moving(self, ctx, step) -> list:
        d, theme = self.d, ctx["theme"]
        added = weight_cells(ctx["kernel"], d["kernels"][step], theme)
        n = d["steps"][step]
        added += draw.title(ctx["kernel"], f"filter, step {draw.number(n)}", theme)
        for name in ("grid", "face"):
            ax = ctx[name]
            out = d[f"{name} outputs"][step]
            added.append(ax.imshow(out, cmap=theme.signed, norm=ctx["norms"][name],
                                   interpolation="nearest", resample=False))
            added.append(draw.frame(ax, -0.5, -0.5, *out.shape, theme.output, lw=2.5))
            added += draw.title(ax, f"{name}, this filter", theme)
        losses = d["losses"]
        x = np.arange(len(losses))
        seen = x <= n
        added += ctx["loss"].plot(x[seen], losses[seen], color=theme.text, lw=1.5, zorder=3)
        now = float(losses[np.flatnonzero(seen)[-1]]) if seen.any() else float(losses[0])
        added += ctx["loss"].plot([n], [now], "o", color=theme.window, ms=7, zorder=4)
        added.append(arithmetic_line(
            ctx["fig"], theme, f"step {draw.number(n)}: loss {small_text(now)}, "
                               f"largest miss {small_text(float(d['misses'][step]))}"))
        return added


LOSS_WORDS = ((1e12, "a trillion"), (1e9, "a billion"), (1e6, "a million"),
              (1e3, "a thousand"), (10, "ten"))


def factor_words(ratio: float) -> str:
    """"more than a billion" for a ratio above 10⁹, and so on."""
    for limit, words in LOSS_WORDS:
        if ratio > limit:
            return f"more than {words}"
    return "less than ten"


def learning_caption(data):
    steps, losses, misses = data["steps"], data["losses"], data["misses"]
    last = draw.number(steps[-1])
    return (f"A {size_text(data['target'])} filter starts from random numbers and learns, by "
            f"gradient descent, to give the vertical-edge filter's output on the "
            f"{size_text(data['grid target'])} grid and the {size_text(data['face target'])} "
            f"face. The loss, the mean squared difference from the targets, starts at "
            f"{losses[0]:.2f} and falls by a factor of {factor_words(losses[0] / losses[-1])} "
            f"in {last} steps; by then every weight is within about {about(misses[-1])} of the "
            f"target's.")


def about(value: float) -> str:
    """A small positive number to one significant digit, written out: 0.0001."""
    decimals = max(0, -int(np.floor(np.log10(value))))
    return f"{value:.{decimals}f}"


def learning_alt(data):
    return ("Animation. Left, a 3 by 3 filter whose nine numbers change from random values, "
            f"step by step, to {', '.join(weight_text(v) for v in data['target'][0])} in every "
            "row, next to the target filter; right, a loss curve on a log scale that falls "
            "steeply, wobbles, then drops in a straight line. Below, the filter's outputs on "
            "the grid and on the face, beside the targets, change from a muddled, embossed "
            "look into the targets: light on the left edge of every line, dark on the right.")


FIGURES = (
    FigureSpec(
        "learning-gradients", title="The two gradients of a convolution",
        caption=gradients_caption,
        alt=lambda data: (
            f"Two rows of number grids. Top: a {size_text(data['input'])} input, a star, a "
            f"{size_text(data['error'])} error grid, an equals sign and the "
            f"{size_text(data['kernel gradient'])} kernel gradient, labelled conv2d(input, "
            f"error). Bottom: the same error grid, an arrow, the filter and the "
            f"{size_text(data['input gradient'])} input gradient, labelled "
            f"conv_transpose2d(error, filter)."),
        compute=gradients_data, draw=draw_gradients),
    FigureSpec(
        "filter-learning", title="A filter that learns",
        caption=learning_caption, alt=learning_alt, compute=learning_data,
        animate=FilterLearning, timing=Timing(frame_ms=800, key=-1, strip=(0, 5, -1))),
)
