"""Figures of "A tiny CNN at work": every stage of a two-layer network, and how its
receptive field grows."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from .. import cnn, kernels
from ..pool import avg_pool2d
from . import draw, style
from .draw import Layout
from .examples import face
from .panels import signed_norm
from .spec import FigureSpec


def tiny_layers():
    first = (kernels.VERTICAL_EDGES, -kernels.VERTICAL_EDGES, kernels.HORIZONTAL_EDGES,
             -kernels.HORIZONTAL_EDGES)
    # Second layer: 3 x 3 x 4 filters that combine the first layer's maps.
    edges_any = np.ones((3, 3, 4)) / 9          # "an edge of any direction nearby"
    upright = np.zeros((3, 3, 4))               # "more vertical than horizontal structure"
    upright[..., :2] = 1 / 9
    upright[..., 2:] = -1 / 9
    return [cnn.Conv(first, padding="same", name="conv 1"), cnn.ReLU(), cnn.Pool(2),
            cnn.Conv((edges_any, upright), padding="same", name="conv 2"), cnn.ReLU(),
            cnn.Pool(2)]


TIMES = " \u00d7 "
STAGES = ("input", "conv 1", "ReLU", "pool", "conv 2", "ReLU", "pool")   # one column each


def stage_key(n: int) -> str:
    return STAGES[n].replace(" ", "") + str(n)


def tiny_data():
    """The face at 64 x 64 (averaged 2 x 2) and every stage's output."""
    outputs = cnn.forward(avg_pool2d(face(), 2), tiny_layers())
    return {stage_key(n): out for n, out in enumerate(outputs)}


def draw_tiny_cnn(fig, theme, data):
    outs = [data[stage_key(n)] for n in range(len(STAGES))]
    side = 0.96   # inches per map: each pixel of the 64-pixel input is 3 x 3 in the 2x PNG
    lay = Layout(row_gap=0.1)
    lay.add_row([(side, side)] * len(STAGES), gaps=[0.3] * (len(STAGES) - 1), title=0.62)
    for row in range(1, 4):
        lay.add_row([(side, side)] * len(STAGES), gaps=[0.3] * (len(STAGES) - 1), title=0.0)
    rows = lay.build(fig)
    for col, (stage, out) in enumerate(zip(STAGES, outs)):
        draw.title(rows[0][col], f"{stage}\n{TIMES.join(map(str, out.shape))}", theme)
        maps = [out] if out.ndim == 2 else [out[..., c] for c in range(out.shape[2])]
        for row in range(4):
            ax = rows[row][col]
            if row >= len(maps):
                ax.set_visible(False)
                continue
            m = maps[row]
            if out.ndim == 2:
                draw.picture(ax, m, theme, norm=draw.norm_for(m, "gray", 255), role="input")
            elif m.min() < 0:
                draw.picture(ax, m, theme, kind="signed", norm=signed_norm(m, 0.99),
                             role="output")
            else:
                top = float(np.quantile(m, 0.99)) or 1.0
                draw.picture(ax, m, theme, norm=draw.norm_for(m, "gray", top), role="output")


RF_LAYERS = ("conv 3\u00d73", "pool 2\u00d72", "conv 3\u00d73", "pool 2\u00d72")


def receptive_data():
    layers = tiny_layers()
    return {"fields": np.array(cnn.receptive_fields([layers[0], layers[2], layers[3],
                                                      layers[5]]))}


def receptive_caption(data):
    fields = [int(size) for size, _ in data["fields"][1:]]
    return ("How many input pixels one output cell depends on, after each layer of the tiny "
            "CNN: " + "; ".join(f"after {name}, {size} \u00d7 {size}"
                                for name, size in zip(RF_LAYERS, fields))
            + ". Every layer, pooling included, adds its window minus one, times the spacing "
              "between neighbouring cells' views; each 2 \u00d7 2 pooling also doubles that "
              "spacing.")


def draw_receptive_field(fig, theme, data):
    fields = [int(size) for size, _ in data["fields"][1:]]
    n = 16
    cell = 0.3
    lay = Layout()
    lay.add_row([(n * cell, n * cell), (2.4, n * cell)], gaps=[0.3])
    ax, legend = lay.build(fig)[0]
    draw.matrix(ax, np.zeros((n, n)), theme, kind="plain", numbers=False, role="input")
    shades = np.linspace(0.55, 0.15, len(fields))
    for size, alpha, name, k in zip(fields, shades, RF_LAYERS, range(len(fields))):
        ax.add_artist(Rectangle((1, 1), size, size, color=theme.window, alpha=alpha,
                                lw=0, zorder=2))
        draw.frame(ax, 1, 1, size, size, theme.window, lw=1.5)
        legend.text(0.0, 0.9 - k * 0.12, f"after {name}: {size} \u00d7 {size}",
                    transform=legend.transAxes, fontsize=style.LABEL_SIZE, color=theme.text)
    legend.text(0.0, 0.9 - len(fields) * 0.12 - 0.05,
                "one output cell sees\nthe whole shaded square", transform=legend.transAxes,
                fontsize=style.LABEL_SIZE, color=theme.muted, va="top")


FIGURES = (
    FigureSpec(
        "tiny-cnn", title="A tiny CNN at work",
        caption="Two rounds of convolution, ReLU and max pooling on the face, with hand-picked "
                "filters. The first layer finds edges of four kinds (light-to-dark and "
                "dark-to-light, vertical and horizontal); ReLU drops the negative responses; "
                "pooling halves the maps. The second layer combines all four maps: one filter "
                "marks any edge nearby, the other where vertical edges outweigh horizontal "
                "ones. Each stage is smaller and more abstract than the one before.",
        alt="Seven columns of feature maps, left to right: the 64 by 64 face; four 64 by 64 "
            "edge maps on grey; the same four with negatives set to black; four 32 by 32 pooled "
            "maps, visibly coarser; two 32 by 32 second-layer maps; the same after ReLU; and "
            "two final 16 by 16 maps of coarse blocks, bright only where the strongest "
            "structures were, such as the collar and the sides of the face.",
        compute=tiny_data, draw=draw_tiny_cnn),
    FigureSpec(
        "receptive-field", title="The receptive field grows layer by layer",
        caption=receptive_caption,
        alt="A 16 by 16 grid of input pixels with four nested squares anchored at the top-left "
            "corner, each labelled with a layer: 3 by 3 after the first convolution, 4 by 4 "
            "after pooling, 8 by 8 after the second convolution and 10 by 10 after the second "
            "pooling.",
        compute=receptive_data, draw=draw_receptive_field),
)
