"""Figures of "A tiny CNN at work": every stage of a two-layer network, its hand-picked
filters and the maps they make, and how its receptive field grows."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from .. import cnn, kernels
from ..pool import avg_pool2d
from . import draw, style
from .draw import Layout
from .examples import face
from .panels import kernel_matrix, number_word, signed_norm
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


# -- the hand-picked filters, and the map each one makes -----------------------------------

def size_text(array) -> str:
    return TIMES.join(str(n) for n in np.shape(array)[:2])


def first_filters_data():
    conv1 = tiny_layers()[0]
    return {"filters": np.stack(conv1.filters), "maps": tiny_data()[stage_key(1)]}


ARROW_DOWN = "\u2193"


def _signed_map(ax, m, theme):
    if m.min() < 0:
        norm = signed_norm(m, 0.99)
        draw.picture(ax, m, theme, kind="signed", norm=norm, role="output")
    else:
        norm = draw.norm_for(m, "gray", float(np.quantile(m, 0.99)) or 1.0)
        draw.picture(ax, m, theme, norm=norm, role="output")
    draw.colour_key_below(ax, norm, theme, kind="signed" if m.min() < 0 else "gray")


def draw_first_filters(fig, theme, data):
    filters, maps = data["filters"], data["maps"]
    n = len(filters)
    side = 1.28    # the 64-pixel maps at 2 CSS px per pixel
    lay = Layout(row_gap=0.35)
    lay.add_row([draw.grid_size(filters[0].shape)] * n, gaps=[0.5 + side - 1.26] * (n - 1))
    lay.add_row([(side, side)] * n, gaps=[0.5] * (n - 1), below=0.45)
    tops, bottoms = lay.build(fig)
    for j, (top, bottom) in enumerate(zip(tops, bottoms)):
        kernel_matrix(top, filters[j], theme)
        draw.frame(top, 0, 0, *filters[j].shape, theme.kernel, lw=2.5)
        draw.title(top, f"filter {j + 1}", theme)
        _signed_map(bottom, maps[..., j], theme)
        draw.title(bottom, f"map {j + 1}", theme)
        a, b = top.get_position(), bottom.get_position()
        fig.text((a.x0 + a.x1) / 2, (a.y0 + b.y1) / 2 - 0.02, ARROW_DOWN, ha="center",
                 va="center", fontsize=16, color=theme.muted)


def second_filters_data():
    data = tiny_data()
    conv2 = tiny_layers()[3]
    return {"inputs": data[stage_key(3)], "filters": np.stack(conv2.filters),
            "maps": data[stage_key(4)]}


def draw_second_filters(fig, theme, data):
    inputs, filters, maps = data["inputs"], data["filters"], data["maps"]
    depth = inputs.shape[2]
    kernel = draw.grid_size(filters.shape[1:3])
    side = kernel[0]
    gaps = [0.2] * (depth - 1) + [0.8]
    lay = Layout(row_gap=0.2)
    lay.add_row([(side, side)] * (depth + 1), gaps=gaps)
    for _ in filters:
        lay.add_row([kernel] * depth + [(side, side)], gaps=gaps, below=0.45)
    rows = lay.build(fig)
    top = float(np.quantile(inputs, 0.99)) or 1.0
    for c, ax in enumerate(rows[0][:depth]):
        draw.picture(ax, inputs[..., c], theme, norm=draw.norm_for(inputs, "gray", top),
                     role="input")
        draw.title(ax, f"pooled map {c + 1}", theme)
    rows[0][depth].set_visible(False)
    for f, row in enumerate(rows[1:]):
        for c, ax in enumerate(row[:depth]):
            kernel_matrix(ax, filters[f][..., c], theme, cell_font=style.NUMBER_SIZE - 1)
            draw.frame(ax, 0, 0, *filters.shape[1:3], theme.kernel, lw=2.5)
            draw.title(ax, f"filter {f + 1} \u00b7 map {c + 1}", theme)
        _signed_map(row[depth], maps[..., f], theme)
        draw.title(row[depth], f"new map {f + 1}", theme)
        draw.operator(fig, lay.gap_centres[f + 1][-1], "\u03a3 \u2192", theme, size=16)


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
        "tiny-cnn-first-filters", title="The first layer's filters, and the maps they make",
        caption=lambda data: (
            f"The tiny CNN's first layer: {number_word(len(data['filters']))} hand-picked "
            f"{size_text(data['filters'][0])} filters, each above the "
            f"{size_text(data['maps'])} map it makes from the face. The first is the "
            f"vertical-edge filter: its map is light where the left of a window is lighter "
            f"than the right. The second is the same filter with its signs flipped, so its map "
            f"is light where the right is lighter. The third and fourth do the same from top "
            f"to bottom."),
        alt=lambda data: (
            f"{number_word(len(data['filters'])).capitalize()} columns. In each, a 3 by 3 grid "
            f"of the numbers 1, 0 and {draw.number(-1)} above the face as a grey picture with "
            f"light and dark edges: vertical edges in the first two, horizontal edges in the "
            f"last two, the light and dark sides swapped between the two of a pair."),
        compute=first_filters_data, draw=draw_first_filters),
    FigureSpec(
        "tiny-cnn-second-filters", title="The second layer's filters read all four maps",
        caption=lambda data: (
            f"The second layer reads the {number_word(data['inputs'].shape[2])} pooled maps "
            f"at once: each of its {number_word(len(data['filters']))} filters is "
            f"{TIMES.join(map(str, data['filters'].shape[1:]))}, one "
            f"{size_text(data['filters'][0])} slice per map, and the products of all the "
            f"slices add up to one {size_text(data['maps'])} map. The first filter weighs "
            f"every cell of every map by a ninth, so its map is light wherever there are "
            f"edges of any kind nearby. The second adds the two vertical-edge maps and "
            f"subtracts the two horizontal ones, so its map is light where vertical edges win "
            f"and dark where horizontal ones do."),
        alt=lambda data: (
            f"A row of {number_word(data['inputs'].shape[2])} grey pooled maps of the face. "
            f"Below, two rows of four 3 by 3 grids of numbers, one under each map: all one "
            f"ninth in the first row; in the second, one ninth under the two vertical-edge "
            f"maps and minus one ninth under the horizontal ones. Each row ends with an arrow "
            f"to the map it makes: edges of every direction light up in the first, the "
            f"vertical ones light and horizontal ones dark in the second."),
        compute=second_filters_data, draw=draw_second_filters),
    FigureSpec(
        "receptive-field", title="The receptive field grows layer by layer",
        caption=receptive_caption,
        alt="A 16 by 16 grid of input pixels with four nested squares anchored at the top-left "
            "corner, each labelled with a layer: 3 by 3 after the first convolution, 4 by 4 "
            "after pooling, 8 by 8 after the second convolution and 10 by 10 after the second "
            "pooling.",
        compute=receptive_data, draw=draw_receptive_field),
)
