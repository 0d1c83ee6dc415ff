"""Figures of "Pooling in depth": overlapping windows, window and stride variants,
global average pooling, and what a shift of the input does to pooled maps."""

from __future__ import annotations

import numpy as np

from .. import cnn, images, kernels
from ..arithmetic import output_size
from ..conv import conv2d
from ..pool import global_avg_pool, max_pool2d
from . import draw, style
from .animations import PoolAnimation
from .draw import Layout
from .examples import BANK, bank_maps, face
from .panels import photo_size
from .spec import FigureSpec, Part, Timing


def overlap_example():
    return images.numbers((7, 7), high=10, seed=5)


def overlap_data():
    x = overlap_example()
    return {"input": x, "output": max_pool2d(x, 3, stride=2)}


def overlap_alt(data):
    return ("Animation. A 3 by 3 window steps across a 7 by 7 grid of numbers two cells at a "
            "time, each position overlapping its neighbours by one row or column; the largest "
            "number in each "
            "window fills a 3 by 3 output reading "
            + ", ".join(draw.number(v) for v in data["output"].ravel()) + ".")


VARIANTS = ((2, 2), (3, 2), (3, 3), (2, 1))   # (window, stride)


def variant_key(k, s) -> str:
    return f"{k}x{k}/{s}"


def variants_data():
    x = overlap_example()
    return {"input": x, **{variant_key(k, s): max_pool2d(x, k, stride=s) for k, s in VARIANTS}}


def variants_caption(data):
    n = data["input"].shape[0]
    return (f"The same {n} \u00d7 {n} input max-pooled four ways. The output size follows the "
            "same rule as convolution: "
            + "; ".join(f"{k} \u00d7 {k} at stride {s} gives {output_size(n, k, stride=s)}"
                        for k, s in VARIANTS)
            + ". " + dropped_text(n) + ".")


def dropped_text(n: int) -> str:
    """Which variants never read the input's last row and column: (o - 1)s + k < n."""
    dropping = [f"{k} \u00d7 {k} at stride {s}" for k, s in VARIANTS
                if (output_size(n, k, stride=s) - 1) * s + k < n]
    if not dropping:
        return "Every variant reads every input cell"
    return " and ".join(dropping) + " never read the last row and column"


def draw_variants(fig, theme, data):
    x = data["input"]
    outs = [data[variant_key(k, s)] for k, s in VARIANTS]
    cell = 0.3
    lay = Layout()
    lay.add_row([(x.shape[1] * cell, x.shape[0] * cell)] +
                [(o.shape[1] * cell, o.shape[0] * cell) for o in outs],
                gaps=[0.6, 0.35, 0.35, 0.35])
    axes, = lay.build(fig)
    norm = draw.norm_for(x, "gray", 9)
    draw.matrix(axes[0], x, theme, norm=norm, role="input", fontsize=10)
    draw.title(axes[0], f"input {x.shape[0]} \u00d7 {x.shape[1]}", theme)
    for ax, o, (k, s) in zip(axes[1:], outs, VARIANTS):
        draw.matrix(ax, o, theme, norm=norm, role="output", fontsize=10)
        draw.title(ax, f"{k}\u00d7{k}, stride {s}", theme)


def global_pool_data():
    maps = cnn.relu(bank_maps(face()))
    return {"maps": maps, "averages": global_avg_pool(maps)}


def draw_global_pool(fig, theme, data):
    maps, means = data["maps"], data["averages"]
    size = photo_size(maps[..., 0])
    lay = Layout()
    lay.add_row([size] * 4, gaps=[0.25] * 3, title=0.4)
    lay.add_row([(0.85, 0.42)] * 4, gaps=[0.25 + size[0] - 0.85] * 3, title=0.42)
    maps_ax, cells = lay.build(fig)
    top = float(np.quantile(maps, 0.99))
    for n, (ax, cell) in enumerate(zip(maps_ax, cells)):
        draw.picture(ax, maps[..., n], theme, norm=draw.norm_for(maps, "gray", top),
                     role="output")
        draw.title(ax, f"map {n + 1}\n{kernels.get(BANK[n]).label}", theme)
        draw.matrix(cell, np.array([[means[n]]]), theme, kind="plain", numbers=False)
        cell.text(0.5, 0.55, f"{means[n]:.1f}", ha="center", va="center",
                  fontsize=style.NUMBER_SIZE, color=theme.text)
        draw.frame(cell, 0, 0, 1, 1, theme.output, lw=2)
        cell.set_aspect("auto")
        draw.title(cell, "\u2193 mean", theme)


def bar(shift: int) -> np.ndarray:
    """A short bright vertical bar on black, moved `shift` pixels to the right."""
    x = np.zeros((9, 9))
    x[2:6, 2 + shift] = 1.0
    return x


SHIFTS = (0, 1, 2)
TRANSLATION_POOL = 3


def translation_data():
    data = {}
    for s in SHIFTS:
        x = bar(s)
        edges = conv2d(x, kernels.VERTICAL_EDGES, padding="same")
        data |= {f"input {s}": x, f"edges {s}": edges,
                 f"pooled {s}": max_pool2d(edges, TRANSLATION_POOL)}
    return data


def changed_cells(data, shift):
    """How many cells of the edge map and of the pooled map differ from the unshifted ones."""
    return tuple(int(np.count_nonzero(data[f"{kind} {shift}"] != data[f"{kind} 0"]))
                 for kind in ("edges", "pooled"))


def translation_caption(data):
    cells = data["edges 0"].size
    pooled = data["pooled 0"].size
    return ("A bright bar moved one and two pixels to the right. The vertical-edge output "
            "moves with it: " + " and ".join(f"{changed_cells(data, s)[0]} of its {cells} "
                                            f"cells change for a shift of {s}"
                                            for s in SHIFTS[1:]) +
            f". After {TRANSLATION_POOL} \u00d7 {TRANSLATION_POOL} max pooling, " + " and ".join(
                f"{changed_cells(data, s)[1]} of {pooled}" for s in SHIFTS[1:]) +
            " cells change: the largest value, in the positive column, stays inside the same "
            "window. A shift across a window's border would change it.")


def _translation_panels(axes, data, s, theme):
    """One shift's input, edge map and pooled map, each with its title."""
    a, e, p = axes
    x, edges, pooled = data[f"input {s}"], data[f"edges {s}"], data[f"pooled {s}"]
    dc, dp = changed_cells(data, s)
    norm = draw.norm_for(np.array([3.0]), "signed", 3.0)
    draw.matrix(a, x, theme, norm=draw.norm_for(x, "gray", 1), numbers=False, role="input")
    draw.title(a, f"input, shifted {s}", theme)
    draw.matrix(e, edges, theme, kind="signed", norm=norm, role="output", fontsize=10)
    draw.title(e, "vertical edges" + (f": {dc} changed" if s else ""), theme)
    draw.matrix(p, pooled, theme, kind="signed", norm=norm, role="output")
    draw.title(p, f"{TRANSLATION_POOL}\u00d7{TRANSLATION_POOL} max pool"
               + (f": {dp} changed" if s else ""), theme)


def draw_translation(fig, theme, data):
    cell = 0.28
    edge_panel = (9 * cell, 9 * cell)
    lay = Layout(row_gap=0.15)
    lay.add_row([(9 * 0.15, 9 * 0.15)] * 3, gaps=[0.4 + 9 * (cell - 0.15)] * 2)
    lay.add_row([edge_panel] * 3, gaps=[0.4] * 2)
    lay.add_row([(3 * 0.42, 3 * 0.42)] * 3, gaps=[0.4 + 9 * cell - 3 * 0.42] * 2)
    for s, *axes in zip(SHIFTS, *lay.build(fig)):
        _translation_panels(axes, data, s, theme)


def draw_shift(s: int):
    """On a slide, one shift at a time: its input, edge map and pooled map in a row."""
    def draw_one(fig, theme, data):
        cell = 0.28
        lay = Layout(margin=0.7)     # room for the last title, wider than its panel
        lay.add_row([(9 * 0.15, 9 * 0.15), (9 * cell, 9 * cell), (3 * 0.42, 3 * 0.42)],
                    gaps=[0.6, 0.6])
        _translation_panels(lay.build(fig)[0], data, s, theme)
    return draw_one


def translation_parts(data):
    return tuple(Part(f"shift {s}" if s else "no shift",
                      draw_shift(s)) for s in SHIFTS)


FIGURES = (
    FigureSpec(
        "pooling-overlap", title="Overlapping windows: 3 \u00d7 3 max pooling at stride 2",
        caption="A 3 \u00d7 3 window moving two cells at a time overlaps its neighbour by one "
                "row or column, so some inputs count in two or four windows. A 7 \u00d7 7 "
                "input gives 3 \u00d7 3.",
        alt=overlap_alt, compute=overlap_data,
        animate=lambda data: PoolAnimation(data["input"], data["output"], 3, op="max",
                                           stride=2, input_max=9),
        timing=Timing(frame_ms=1300, key=1, strip=(0, 1, -1))),
    FigureSpec(
        "pooling-variants", title="Window and stride variants",
        caption=variants_caption,
        alt=lambda data: ("The 7 by 7 grid of numbers, then four max-pooled results of "
                          "different sizes: "
                          + ", ".join(f"{data[variant_key(k, s)].shape[0]} by "
                                      f"{data[variant_key(k, s)].shape[1]}"
                                      for k, s in VARIANTS)
                          + ", each labelled with its window and stride."),
        compute=variants_data, draw=draw_variants),
    FigureSpec(
        "global-average-pooling", title="Global average pooling",
        caption=lambda data: (
            "Global average pooling shrinks each whole feature map to one number, its mean. "
            "Four maps of 128 \u00d7 128 (after ReLU, so no negatives) become four numbers: "
            + ", ".join(f"{v:.1f}" for v in data["averages"]) + "."),
        alt="Four grey feature maps of the face, after negative values were set to zero, each "
            "with an arrow to a single cell that holds its average value.",
        compute=global_pool_data, draw=draw_global_pool),
    FigureSpec(
        "pooling-translation",
        title="Shift the input: convolution follows, pooling barely notices",
        caption=translation_caption,
        alt="Three columns for shifts of 0, 1 and 2 pixels. Each column shows a 9 by 9 input "
            "with a short vertical bar, below it the 9 by 9 edge map with numbers (a column of "
            "negative values beside a column of positive ones, further right in each column), "
            "and at the bottom a 3 by 3 max-pooled grid that reads the same in every column.",
        compute=translation_data, draw=draw_translation, parts=translation_parts),
)
