"""Figures of "A tiny CNN at work": every stage of a two-layer network, its hand-picked
filters and the maps they make, how its receptive field grows, and the same network with
learned filters and a head that decides."""

from __future__ import annotations

from functools import cache

import numpy as np
from matplotlib.patches import Rectangle

from .. import cnn, kernels, learn
from ..pool import avg_pool2d
from . import draw, style
from .draw import Layout
from .examples import face
from .panels import kernel_matrix, number_word, signed_norm
from .spec import FigureSpec, Part
from .weights import weight_cells, weight_text


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


def _stage_maps(out):
    return [out] if out.ndim == 2 else [out[..., c] for c in range(out.shape[2])]


def _stage_title(n, out):
    return f"{STAGES[n]}\n{TIMES.join(map(str, out.shape))}"


def _stage_map(ax, out, m, theme):
    if out.ndim == 2:
        draw.picture(ax, m, theme, norm=draw.norm_for(m, "gray", 255), role="input")
    elif m.min() < 0:
        draw.picture(ax, m, theme, kind="signed", norm=signed_norm(m, 0.99), role="output")
    else:
        top = float(np.quantile(m, 0.99)) or 1.0
        draw.picture(ax, m, theme, norm=draw.norm_for(m, "gray", top), role="output")


def draw_tiny_cnn(fig, theme, data):
    outs = [data[stage_key(n)] for n in range(len(STAGES))]
    maps = [_stage_maps(out) for out in outs]
    side = 0.96   # inches per map: each pixel of the 64-pixel input is 3 x 3 in the 2x PNG
    lay = Layout(row_gap=0.1)
    lay.add_row([(side, side)] * len(STAGES), gaps=[0.3] * (len(STAGES) - 1), title=0.62)
    for row in range(1, 4):     # a stage with fewer maps leaves the rest of its column empty
        lay.add_row([(side, side)] * len(STAGES), gaps=[0.3] * (len(STAGES) - 1), title=0.0,
                    empty={col for col, m in enumerate(maps) if row >= len(m)})
    rows = lay.build(fig)
    for col, out in enumerate(outs):
        draw.title(rows[0][col], _stage_title(col, out), theme)
        for row, m in enumerate(maps[col]):
            _stage_map(rows[row][col], out, m, theme)


# What each stage is, as the title of its slide (the tiny CNN goes on slides stage by stage)
STAGE_PARTS = ("the input", "first convolution", "first ReLU", "first pooling",
               "second convolution", "second ReLU", "second pooling")
STAGE_SIDE = 1.6    # inches per map on a stage's slide: four maps fill its width


def draw_stage(n: int):
    """Draw stage `n` of the tiny CNN alone: its maps in a row under its title."""
    def draw_one(fig, theme, data):
        out = data[stage_key(n)]
        maps = _stage_maps(out)
        lay = Layout()
        lay.add_row([(STAGE_SIDE, STAGE_SIDE)] * len(maps), gaps=[0.3] * (len(maps) - 1),
                    title=0.62)
        axes = lay.build(fig)[0]
        for ax, m in zip(axes, maps):
            _stage_map(ax, out, m, theme)
        first, last = axes[0].get_position(), axes[-1].get_position()
        row = fig.add_axes((first.x0, first.y0, last.x1 - first.x0, first.height))
        row.set_axis_off()
        draw.title(row, _stage_title(n, out), theme)
    return draw_one


def tiny_parts(data):
    return tuple(Part(title, draw_stage(n)) for n, title in enumerate(STAGE_PARTS))


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
    # inches per cell: smaller on a phone (no shrinking to fit the column) and on a slide
    # (the grid would be taller than the slide at full size)
    cell = {"phone": 0.2, "slide": 0.22}.get(style.medium().name, 0.3)
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
        # 0.02 of the page figure's height is 0.09 inches: the same drop in a taller layout
        drop = 0.02 if style.medium().name == "page" else 0.09 / fig.get_size_inches()[1]
        fig.text((a.x0 + a.x1) / 2, (a.y0 + b.y1) / 2 - drop, ARROW_DOWN, ha="center",
                 va="center", fontsize=16, color=theme.muted)


def second_filters_data():
    data = tiny_data()
    conv2 = tiny_layers()[3]
    return {"inputs": data[stage_key(3)], "filters": np.stack(conv2.filters),
            "maps": data[stage_key(4)]}


def _pooled_maps(axes, inputs, theme):
    top = float(np.quantile(inputs, 0.99)) or 1.0
    for c, ax in enumerate(axes):
        draw.picture(ax, inputs[..., c], theme, norm=draw.norm_for(inputs, "gray", top),
                     role="input")
        draw.title(ax, f"pooled map {c + 1}", theme)


def _slices(axes, filters, f, theme):
    for c, ax in enumerate(axes):
        kernel_matrix(ax, filters[f][..., c], theme, cell_font=style.NUMBER_SIZE - 1)
        draw.frame(ax, 0, 0, *filters.shape[1:3], theme.kernel, lw=2.5)
        draw.title(ax, f"filter {f + 1} \u00b7 map {c + 1}", theme)


def _new_map(fig, ax, maps, f, theme, sign_at):
    _signed_map(ax, maps[..., f], theme)
    draw.title(ax, f"new map {f + 1}", theme)
    draw.operator(fig, sign_at, "\u03a3 \u2192", theme, size=16)


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
    _pooled_maps(rows[0][:depth], inputs, theme)
    rows[0][depth].set_visible(False)
    for f, row in enumerate(rows[1:]):
        _slices(row[:depth], filters, f, theme)
        _new_map(fig, row[depth], maps, f, theme, lay.gap_centres[f + 1][-1])


# On slides: the pooled maps, then each filter alone, its slices two by two (a row of
# four and the new map is wider than a slide), the map they add up to beside them.

def draw_pooled_maps(fig, theme, data):
    inputs = data["inputs"]
    side = STAGE_SIDE
    lay = Layout()
    lay.add_row([(side, side)] * inputs.shape[2], gaps=[0.3] * (inputs.shape[2] - 1))
    _pooled_maps(lay.build(fig)[0], inputs, theme)


def draw_second_filter(f: int):
    """Draw filter `f` of the second layer alone: its slices two by two, and its map."""
    def draw_one(fig, theme, data):
        filters, maps = data["filters"], data["maps"]
        depth = filters.shape[3]
        kernel = draw.grid_size(filters.shape[1:3])
        across = -(-depth // 2)
        lay = Layout(row_gap=0.2)
        for r in range(0, depth, across):
            n = min(across, depth - r)
            lay.add_row([kernel] * n + [kernel], gaps=[0.3] * (n - 1) + [0.8])
        rows = lay.build(fig)
        _slices([ax for row in rows for ax in row[:-1]], filters, f, theme)
        for row in rows[1:]:
            row[-1].set_visible(False)
        target = rows[0][-1]     # moved down to sit level with the middle of the slices
        top, bottom = rows[0][-2].get_position(), rows[-1][0].get_position()
        box = target.get_position()
        middle = (top.y1 + bottom.y0) / 2
        target.set_position((box.x0, middle - box.height / 2, box.width, box.height))
        _new_map(fig, target, maps, f, theme, ((top.x1 + box.x0) / 2, middle))
    return draw_one


def second_filters_parts(data):
    depth = data["inputs"].shape[2]
    return (Part(f"the {number_word(depth)} pooled maps", draw_pooled_maps),
            *(Part(f"filter {f + 1}", draw_second_filter(f))
              for f in range(len(data["filters"]))))


# -- the network that decides ------------------------------------------------------------

TRAIN, HELD_OUT = 120, 600        # pictures to learn from, and new ones to test on
TRAIN_SEED, HELD_OUT_SEED = 1, 2


@cache
def _decider():
    train, train_labels = learn.patterns(TRAIN, seed=TRAIN_SEED)
    run = learn.train_net(train, train_labels)
    held_out, labels = learn.patterns(HELD_OUT, seed=HELD_OUT_SEED)
    return run, held_out, labels


def decider():
    """The trained network (:func:`convdocs.learn.train_net`'s run), and the held-out
    pictures with their labels."""
    return _decider()


def examples():
    """The first held-out picture of each class (the labels cycle through them)."""
    _, held_out, labels = decider()
    return held_out[:len(learn.CLASSES)], labels[:len(learn.CLASSES)]


def decider_filters_data():
    run, _, _ = decider()
    pictures, _ = examples()
    stages = learn.net_forward(run.net, pictures)
    return {"hand-picked": np.stack(tiny_layers()[0].filters), "learned": run.net.conv1,
            "examples": pictures, "maps": np.transpose(stages["relu1"], (3, 1, 2, 0))}


CLASS_LINES = {name: name.replace(" ", "\n", 1) for name in learn.CLASSES}


def _panel(fig, size, x, y, w, h):
    """An Axes for a panel placed by its top-left corner, in inches from the figure's
    top-left corner."""
    width, height = size
    ax = fig.add_axes((x / width, (height - y - h) / height, w / width, h / height))
    ax.set_axis_off()
    return ax


def draw_decider_filters(fig, theme, data):
    """A grid: the hand-picked and the learned filters in two rows of columns, and under
    each learned filter the map it makes of each example (one row per class). On a phone
    the grid is two blocks of two filters, one above the other, each example's name
    written over its picture."""
    n = len(data["learned"])
    phone = style.medium().name == "phone"
    _decider_grid(fig, theme, data, [range(0, 2), range(2, n)] if phone and n > 2
                  else [range(n)], phone=phone)


def _decider_grid(fig, theme, data, blocks, filters=True, maps=True, phone=False):
    """The grid of draw_decider_filters in `blocks` of filters, one above the other: the
    filters' two rows (with `filters`) and the maps' rows (with `maps`)."""
    hand, learned, pictures, maps_ = (data[k] for k in ("hand-picked", "learned", "examples",
                                                       "maps"))
    kernel = draw.grid_size(learned.shape[1:])[0]
    margin, labels, pitch, small = 0.18, (1.05 if phone else 2.0), kernel + 0.25, 0.8
    name_room = draw.TITLE + 0.15 if phone else 0.0    # an example's name over its picture
    left = {j: margin + labels + 0.45 + (j - block[0]) * pitch for block in blocks
            for j in block}
    rows_y, y = [], margin
    for b in blocks:
        block_rows = []
        for title, height, gap in ((draw.TITLE, kernel, 0.2), (draw.TITLE, kernel, 0.25),
                                   *(((draw.TITLE if k == 0 else name_room), small, 0.15)
                                     for k in range(len(pictures)))):
            block_rows.append(y + title)
            y += title + height + gap
        rows_y.append(block_rows)
        y += 0.35 if b is not blocks[-1] else 0.0
    # Without the filters' rows, the maps' rows move up to where those were; without the
    # maps' rows, the figure ends under the filters'.
    up = 0.0 if filters else rows_y[0][2] - draw.TITLE - margin
    size = (max(left.values()) + kernel + margin,
            (y - 0.15 if maps else rows_y[-1][1] + kernel) + margin - up)
    fig.set_size_inches(*size)
    for b, block in enumerate(blocks):
        rows = [r - up for r in rows_y[b]]
        for (row, label, values, decimals) in ((0, "hand-picked", hand, None),
                                               (1, "learned", learned, 1)):
            if not filters:
                break
            fig.text((margin + labels) / size[0], 1 - (rows[row] + kernel / 2) / size[1],
                     label, ha="right", va="center", fontsize=style.TITLE_SIZE,
                     color=theme.text)
            for j in block:
                ax = _panel(fig, size, left[j], rows[row], kernel, kernel)
                if decimals is None:
                    kernel_matrix(ax, values[j], theme)
                    draw.frame(ax, 0, 0, *values[j].shape, theme.kernel, lw=2.5)
                else:
                    weight_cells(ax, values[j], theme, decimals=decimals,
                                 limit=float(np.abs(values).max()))
                draw.title(ax, f"filter {j + 1}", theme)
        top = float(maps_.max()) or 1.0
        for k, name in enumerate(learn.CLASSES[:len(pictures)] if maps else ()):
            y = rows[2 + k]
            ax = _panel(fig, size, margin + labels - small, y, small, small)
            draw.picture(ax, pictures[k], theme, norm=draw.norm_for(pictures, "gray", 1.0),
                         role="input")
            if phone:
                draw.title(ax, name, theme).pop().set_fontsize(style.LABEL_SIZE)
            else:
                fig.text((margin + labels - small - 0.12) / size[0],
                         1 - (y + small / 2) / size[1], CLASS_LINES[name], ha="right",
                         va="center", fontsize=style.LABEL_SIZE, color=theme.text)
            for j in block:
                ax = _panel(fig, size, left[j] + (kernel - small) / 2, y, small, small)
                draw.picture(ax, maps_[k, ..., j], theme,
                             norm=draw.norm_for(maps_, "gray", top), role="output")
                if k == 0:
                    draw.title(ax, f"map {j + 1}", theme)


def decider_parts(data):
    """On slides: the filters, then the maps of two filters at a time (four maps and the
    examples' names are wider than a slide)."""
    n = len(data["learned"])
    pairs = [range(j, min(j + 2, n)) for j in range(0, n, 2)]

    def maps_of(block):
        return lambda fig, theme, data: _decider_grid(fig, theme, data, [block],
                                                      filters=False)
    return (Part("the filters", lambda fig, theme, data: _decider_grid(
                fig, theme, data, [range(n)], maps=False)),
            *(Part(f"the maps of filters {b[0] + 1} and {b[-1] + 1}", maps_of(b))
              for b in pairs))


def decision_data():
    run, held_out, labels = decider()
    picture = examples()[0][:1]
    s = learn.net_forward(run.net, picture)
    right = int(np.count_nonzero(learn.predict(run.net, held_out) == labels))
    return {"input": picture[0], "layer 1": np.moveaxis(s["pool1"][..., 0], 0, -1),
            "layer 2": np.moveaxis(s["pool2"][..., 0], 0, -1),
            "averages": s["features"][0], "weights": run.net.weights, "bias": run.net.bias,
            "scores": s["scores"][0], "held out": np.array([right, len(labels)], dtype=float)}


def _tiles(ax, maps, theme, columns, gap=0.15):
    """Square maps tiled `columns` across in one panel, each on its own grey scale and
    centred in a cell of its own, so a column of them lines up with a column of numbers."""
    n, size = len(maps), maps[0].shape[0]
    rows = -(-n // columns)
    step = size * (1 + gap)
    for k, m in enumerate(maps):
        r, c = divmod(k, columns)
        x0, y0 = c * step, r * step
        ax.imshow(m, cmap=theme.gray, norm=draw.norm_for(m, "gray", float(m.max()) or 1.0),
                  extent=(x0, x0 + size, y0 + size, y0), interpolation="nearest",
                  resample=False)
        draw.frame(ax, y0, x0, size, size, theme.output, lw=1.8)
    half = gap * size / 2
    ax.set_xlim(-half, columns * step - half)
    ax.set_ylim(rows * step - half, -half)
    ax.set_aspect("equal")


def _column(ax, values, theme, role, decimals=2):
    """A column of numbers in plain cells."""
    values = np.asarray(values, dtype=float)[:, None]
    draw.matrix(ax, values, theme, kind="plain", numbers=False)
    for r, v in enumerate(values[:, 0]):
        ax.text(0.5, r + 0.53, weight_text(v, decimals, fixed=True), ha="center", va="center",
                fontsize=style.NUMBER_SIZE, color=theme.text)
    draw.frame(ax, 0, 0, len(values), 1, getattr(theme, role), lw=2.5)


WIDE = 0.62     # inches per cell of the linear layer: room for "−0.91"


def draw_decision(fig, theme, data):
    x, one, two = data["input"], data["layer 1"], data["layer 2"]
    averages, w, bias, scores = data["averages"], data["weights"], data["bias"], data["scores"]
    classes = len(scores)
    column = (WIDE, WIDE * len(averages))
    lay = Layout(row_gap=0.45)
    lay.add_row([(1.28, 1.28), (2 * WIDE, 2 * WIDE), column, column], gaps=[0.65, 0.65, 0.65],
                title=0.62)
    lay.add_row([(WIDE * w.shape[1], WIDE * classes), column, (WIDE, WIDE * classes),
                 (WIDE, WIDE * classes), (1.9, WIDE * classes)], gaps=[0.5, 0.5, 0.5, 0.15],
                below=0.5, glued=(3,))     # the class names stay beside the scores
    (a, b, c, d), (wa, av, ba, sa, la) = lay.build(fig)
    draw.picture(a, x, theme, norm=draw.norm_for(x, "gray", 1.0), role="input")
    draw.title(a, f"input {size_text(x)}", theme)
    _tiles(b, np.moveaxis(one, -1, 0), theme, columns=2)
    draw.title(b, f"layer 1:\n{one.shape[2]} maps", theme)
    _tiles(c, np.moveaxis(two, -1, 0), theme, columns=1)
    draw.title(c, f"layer 2:\n{two.shape[2]} maps", theme)
    for ax in (d, av):
        _column(ax, averages, theme, "output")
        draw.title(ax, "averages", theme)
    for centre in lay.gap_centres[0]:
        draw.operator(fig, centre, "\u2192", theme)
    weight_cells(wa, w, theme, fixed=True, limit=float(np.abs(w).max()), role="kernel")
    draw.title(wa, "weights", theme)
    _column(ba, bias, theme, "kernel")
    draw.title(ba, "bias", theme)
    _column(sa, scores, theme, "output")
    draw.title(sa, "scores", theme)
    best = int(np.argmax(scores))
    draw.frame(sa, best, 0, 1, 1, theme.window, lw=3)
    for r, name in enumerate(learn.CLASSES):
        la.text(0.0, 1 - (r + 0.5) / classes, ("\u2190 " if r == best else "   ") + name,
                ha="left", va="center", fontsize=style.LABEL_SIZE,
                color=theme.text if r == best else theme.muted, transform=la.transAxes,
                weight="bold" if r == best else "normal")
    signs = ("\u00d7", "+", "=")
    for centre, sign in zip(lay.gap_centres[1], signs):
        draw.operator(fig, centre, sign, theme)
    right, total = (int(v) for v in data["held out"])
    fig.text(0.5, 0.04, f"held-out pictures sorted right: {right} of {total}", ha="center",
             fontsize=style.LABEL_SIZE, color=theme.muted)


def decider_filters_caption(data):
    return ("The tiny CNN's first layer, hand-picked (top) and learned (below it, to one "
            "decimal), when the network is trained to tell vertical stripes, horizontal "
            "stripes and checkerboards apart. Below, the maps the learned filters make of one "
            f"new {size_text(data['examples'][0])} picture of each kind, after ReLU.")


def decider_filters_alt(data):
    return ("A grid of small pictures. The top row holds the four hand-picked edge filters, "
            "the next row four learned filters with irregular numbers. Below, three rows: a "
            "noisy picture of vertical stripes, of horizontal stripes and of a checkerboard, "
            "each followed by the four maps the learned filters make of it.")


def decision_caption(data):
    scores, (right, total) = data["scores"], data["held out"]
    best = int(np.argmax(scores))
    verdict = "right" if best == 0 else "wrong"
    one, two = data["layer 1"], data["layer 2"]
    return (f"A new picture of vertical stripes on its way through the trained network: "
            f"{number_word(one.shape[2])} {size_text(one)} maps after the first layer "
            f"(convolution, ReLU and pooling), {number_word(two.shape[2])} {size_text(two)} "
            f"maps after the second, and their averages. Each class's score is its row of "
            f"weights times the averages, plus its bias. The highest score, "
            f"{scores[best]:.2f}, is for {learn.CLASSES[best]}, which is {verdict}. Of "
            f"{int(total)} new pictures, the network sorts {int(right)} right.")


def decision_alt(data):
    return ("A noisy picture of vertical stripes, an arrow to four small maps, an arrow to "
            "three smaller maps, and an arrow to a column of their three averages. Below, the "
            "weights of the linear layer times the averages plus the bias give three scores, "
            "one per class; the highest is outlined and its class, "
            f"{learn.CLASSES[int(np.argmax(data['scores']))]}, is marked.")

FIGURES = (
    FigureSpec(
        "tiny-cnn", title="A tiny CNN at work",
        caption="Two rounds of convolution, ReLU and max pooling on the face, with hand-picked "
                "filters. The first layer finds edges of four kinds (light-to-dark and "
                "dark-to-light, vertical and horizontal); ReLU drops the negative responses; "
                "pooling halves the maps. The second layer combines all four maps: one filter "
                "marks any edge nearby, the other where vertical edges outweigh horizontal "
                "ones. Each pooling halves the maps, and each round is more abstract than the one before.",
        alt="Seven columns of feature maps, left to right: the 64 by 64 face; four 64 by 64 "
            "edge maps on grey; the same four with negatives set to black; four 32 by 32 pooled "
            "maps, visibly coarser; two 32 by 32 second-layer maps; the same after ReLU; and "
            "two final 16 by 16 maps of coarse blocks, bright only where the strongest "
            "structures were, such as the collar and the sides of the face.",
        compute=tiny_data, draw=draw_tiny_cnn, parts=tiny_parts),
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
        compute=second_filters_data, draw=draw_second_filters,
        parts=second_filters_parts),
    FigureSpec(
        "receptive-field", title="The receptive field grows layer by layer",
        caption=receptive_caption,
        alt="A 16 by 16 grid of input pixels with four nested squares anchored at the top-left "
            "corner, each labelled with a layer: 3 by 3 after the first convolution, 4 by 4 "
            "after pooling, 8 by 8 after the second convolution and 10 by 10 after the second "
            "pooling.",
        compute=receptive_data, draw=draw_receptive_field),
    FigureSpec(
        "decider-filters", title="Hand-picked and learned filters",
        caption=decider_filters_caption, alt=decider_filters_alt,
        compute=decider_filters_data, draw=draw_decider_filters, parts=decider_parts),
    FigureSpec(
        "decider-decision", title="From a picture to a decision",
        caption=decision_caption, alt=decision_alt,
        compute=decision_data, draw=draw_decision),
)
