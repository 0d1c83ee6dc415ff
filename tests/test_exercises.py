"""The questions at the end of each chapter: every number in them is recomputed here.

Each chapter page ends with a "Questions" section of collapsible blocks,
``??? question "..."`` followed by an indented answer. For every block, in page order,
this file recomputes the answer with convdocs and checks three things:

* each answer, in bold on the page (``**...**``), is exactly the recomputed one;
* each worked sum or sentence that shows the arithmetic appears word for word;
* the block holds no number that the recomputation does not produce, and every number it
  produces is on the page. Changing any number in a question or its answer breaks the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

import convdocs
from convdocs import cnn, images, kernels
from convdocs.figures import convolution, images_are_numbers, pooling
from convdocs.arithmetic import effective_size
from convdocs.figures.channels import rgb_data
from convdocs.figures.pooling_in_depth import bar, translation_data
from convdocs.conv import plan_conv2d
from convdocs.figures.examples import face, filtered

DOCS = Path(__file__).resolve().parents[1] / "docs"

BLOCK = re.compile(r'^\?\?\?\+? question "(?P<title>[^"\n]*)"\n(?P<body>(?:[ \t]*\n|    .*\n)*)',
                   re.M)
# A number as the pages write it: optional minus sign (U+2212 or "-") right before it,
# thousands separated by commas, optional decimals; not part of a word such as conv2d.
NUMBER = re.compile(r"(?<![\w.,])[\u2212-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|,\d{3})")
MINUS = "\u2212"


def canonical(text: str) -> str:
    """'1,792' -> '1792', '\u22127' -> '-7', '6.25' -> '6.25', '3.0' -> '3'."""
    value = Decimal(text.replace(",", "").replace(MINUS, "-"))
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


def num(value) -> str:
    """A number as the pages write it: a true minus sign, commas in thousands."""
    value = float(value)
    text = f"{abs(int(value)):,}" if value.is_integer() else f"{abs(value):,.10g}"
    return (MINUS if value < 0 else "") + text


def seq(values, last="and") -> str:
    """'1, 2 and 3' (or with ', ' throughout when last is None)."""
    values = [num(v) for v in np.ravel(values)]
    if last is None or len(values) < 2:
        return ", ".join(values)
    return ", ".join(values[:-1]) + f" {last} " + values[-1]


def nested(array) -> str:
    """[[0, 1], [2, 3]] as the pages write a small matrix."""
    return "[" + ", ".join("[" + ", ".join(num(v) for v in row) + "]"
                           for row in np.asarray(array)) + "]"


@dataclass
class Exercise:
    answers: list[str]                 # each appears in bold in the answer
    numbers: set                       # every number the block may contain, and must
    phrases: list[str] = field(default_factory=list)   # arithmetic shown word for word


# -- images-are-numbers --------------------------------------------------------------

def photo_numbers():
    grey, colour = images.photo(), images.photo(gray=False)
    rows, cols = grey.shape
    return Exercise([num(grey.size), num(colour.size)], {rows, cols, grey.size, colour.size},
                    [f"{rows} × {cols}"])


def smiley_counts():
    s = images.smiley()
    levels, counts = np.unique(s, return_counts=True)
    count = dict(zip(levels.tolist(), counts.tolist()))
    face_level = 200
    return Exercise([num(count[face_level])],
                    {s.shape[0], face_level, count[face_level], s.size, s.size - count[face_level],
                     count[60], 60, count[30], 30},
                    [f"{num(count[60])} pixels at 60", f"{num(count[30])} pixels at 30"])


def collar_jump():
    patch = images.photo()[images_are_numbers.PATCH]
    jumps = np.abs(np.diff(patch, axis=1))
    r, c = np.unravel_index(np.argmax(jumps), jumps.shape)
    assert r == patch.shape[0] - 1          # "in the bottom row"
    left, right = patch[r, c], patch[r, c + 1]
    return Exercise([num(jumps.max())], {patch.shape[0], jumps.max(), left, right},
                    [f"{num(left)} on the collar is followed by {num(right)}"])


# -- convolution -------------------------------------------------------------------------

def worked_top_left():
    image, kernel = (convolution.worked_example()[k] for k in ("image", "kernel"))
    window = image[:3, :3]
    assert np.array_equal(kernel[:, 0], [1, 1, 1]) and np.array_equal(kernel[:, 2], [-1, -1, -1])
    left, right = window[:, 0], window[:, 2]
    result = convdocs.conv2d(image, kernel)[0, 0]
    assert result == left.sum() - right.sum()
    shown = (f"({' + '.join(num(v) for v in left)}) − ({' + '.join(num(v) for v in right)}) = "
             f"{num(left.sum())} − {num(right.sum())} = **{num(result)}**")
    return Exercise([num(result)], {*left, *right, left.sum(), right.sum(), result}, [shown])


def valid_size():
    n, k = 26, 3
    o = convdocs.output_size(n, k)
    return Exercise([f"{o} × {o}"], {n, k, o, 1}, [f"{n} − {k} + 1 = {o}"])


def known_answer():
    image = np.arange(9.0).reshape(3, 3)
    kernel = np.array([[0.0, 1.0], [2.0, 3.0]])
    out = convdocs.conv2d(image, kernel)
    window = image[:2, :2].ravel()
    terms = " + ".join(f"{num(x)} × {num(w)}" for x, w in zip(window, kernel.ravel()))
    return Exercise([num(out[0, 0])], {*image.ravel(), *kernel.ravel(), *out.ravel()},
                    [f"the {kernel.shape[0]} × {kernel.shape[1]} filter {nested(kernel)} "
                     f"over the {image.shape[0]} × {image.shape[1]} image {nested(image)}",
                     f"holds {seq(window)}", f"{terms} = **{num(out[0, 0])}**", nested(out),
                     f"{out.shape[0]} × {out.shape[1]} filter fits {out.shape[0]} × "
                     f"{out.shape[1]} times into a {image.shape[0]} × {image.shape[1]}"])


# -- what-filters-see -----------------------------------------------------------------------

def flat_patch():
    value = 7.0
    patch = np.full((3, 3), value)
    out = convdocs.conv2d(patch, kernels.VERTICAL_EDGES)[0, 0]
    column = patch[:, 0].sum()
    return Exercise([num(out)], {value, out, column},
                    [f"{' + '.join([num(value)] * 3)} = {num(column)}"])


def outline_corners():
    grid = images.grid()
    out = convdocs.conv2d(grid, kernels.OUTLINE, padding="same")
    top = out.max()
    where = np.argwhere(out == top)
    squares = ndimage.label(grid)[1]
    r, c = where[0]
    white_neighbours = int(grid[r - 1:r + 2, c - 1:c + 2].sum() - grid[r, c])
    centre = kernels.OUTLINE[1, 1]
    assert len(where) == 4 * squares and grid[r, c] == 1
    assert top == centre * grid[r, c] - white_neighbours
    return Exercise([num(len(where))], {top, grid.shape[0], len(where), squares, grid[r, c],
                                        white_neighbours, centre},
                    [f"{squares} white squares", f"only {white_neighbours} of its "
                     f"{num(centre)} neighbours", f"{num(centre)} × 1 − {white_neighbours} = "
                     f"{num(top)}"])


def parameter_counts():
    img = face()
    n = img.size
    kernel = kernels.VERTICAL_EDGES
    dense, conv = n * n + n, kernel.size + 1
    return Exercise([num(dense), num(conv)], {img.shape[0], kernel.shape[0], n, dense,
                                              kernel.size, 1, conv},
                    [f"has {num(n)} weights for each of its {num(n)} output cells"])


# -- pooling ----------------------------------------------------------------------------------

def max_keeps_value():
    window = np.array([[-9.0, -5.0], [-1.0, 2.0]])
    kept = convdocs.max_pool2d(window, 2)[0, 0]
    furthest = window.ravel()[np.argmax(np.abs(window))]
    after = convdocs.relu(window)
    assert convdocs.max_pool2d(after, 2)[0, 0] == kept
    return Exercise([num(kept), num(furthest)], {*window.ravel(), kept, furthest, *after.ravel()},
                    [f"holds {seq(window)}", f"window would hold {seq(after)}"])


def first_pooling_window():
    x = pooling.pool_example()
    window = x[:2, :2].ravel()
    top = convdocs.max_pool2d(x, 2)[0, 0]
    mean = convdocs.avg_pool2d(x, 2)[0, 0]
    return Exercise([num(top), num(mean)], {*window, top, window.sum(), window.size, mean},
                    [f"holds {seq(window)}",
                     f"({' + '.join(num(v) for v in window)}) ÷ {window.size} = "
                     f"{num(window.sum())} ÷ {window.size} = **{num(mean)}**"])


def bias_and_relu():
    edges = filtered(face(), "outline")
    bias = -100.0
    alive = int(np.count_nonzero(convdocs.relu(edges + bias)))
    assert alive == np.count_nonzero(edges > -bias)
    return Exercise([num(alive)], {bias, edges.size, alive, -bias},
                    [f"bias of {num(bias)}", f"more than {num(-bias)}"])


# -- padding-and-stride -----------------------------------------------------------------------

def padded_strided_size():
    n, k, p, s = 7, 3, 1, 2
    o = convdocs.output_size(n, k, stride=s, padding=p)
    padded = n + 2 * p
    return Exercise([f"{o} × {o}"], {n, k, p, s, o, padded, padded - k, (padded - k) // s},
                    [f"A {n} × {n} input, a {k} × {k} filter, padding {p} on each side, "
                     f"stride {s}.",
                     f"{n} + 2 × {p} = {padded}", f"{padded} − {k} = {padded - k}",
                     f"{padded - k} ÷ {s} = {(padded - k) // s}",
                     f"{(padded - k) // s} + 1 = {o}"])


def same_rings():
    k = 5
    plan = plan_conv2d(np.zeros((9, 9)), np.ones((k, k)), padding="same")
    rings = plan.pads[0][0]
    assert plan.pads == ((rings, rings), (rings, rings))
    return Exercise([num(rings)], {k, 1, rings}, [f"{k} × {k} window reaches {rings} cells"])


def dilated_span():
    k, d, n = 3, 3, 10
    span = effective_size(k, d)
    o = convdocs.output_size(n, k, dilation=d)
    return Exercise([f"{span} × {span}", num(o)], {k, d, n, span, 1, o},
                    [f"A {k} × {k} filter with dilation {d}:", f"sit {d} cells apart",
                     f"{k} + ({k} − 1) × ({d} − 1) = {span}", f"{n} − {span} + 1 = **{o}**",
                     f"output is {o} × {o}"])


def unread_rows():
    n, k, s = 8, 3, 3
    steps = convdocs.conv2d_steps(np.zeros((n, n)), np.ones((k, k)), stride=s)
    o = convdocs.output_size(n, k, stride=s)
    read = sorted({int(r) for st in steps for r in st.rows})
    unread = [r for r in range(n) if r not in read]
    windows = sorted({(int(st.rows[0]), int(st.rows[-1])) for st in steps})
    assert len(windows) == o == 2 and unread == [6, 7]
    return Exercise([f"rows {unread[0]} and {unread[1]}"],
                    {n, k, s, o, (n - k) // s, 0, *[r for w in windows for r in w], *unread},
                    [f"An {n} × {n} input, a {k} × {k} filter, stride {s}, no padding.",
                     f"**rows {unread[0]} and {unread[1]}** (counting from 0)",
                     f"output is {o} × {o}",
                     f"({n} − {k}) ÷ {s} rounds down to {(n - k) // s}",
                     f"rows {windows[0][0]} to {windows[0][1]} and {windows[1][0]} to "
                     f"{windows[1][1]}", f"columns {unread[0]} and {unread[1]}"])


# -- transposed-convolution ------------------------------------------------------------------

def stamp_centre():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = convdocs.conv_transpose2d(x, np.ones((3, 3)), stride=2)
    centre = out[out.shape[0] // 2, out.shape[1] // 2]
    assert centre == x.sum()
    return Exercise([num(centre)], {*x.ravel(), 3, 2, out.shape[0], centre},
                    [f"The input {nested(x)}, a 3 × 3 filter of ones, stride 2.",
                     "sit 2 cells apart", f"{out.shape[0]} × {out.shape[1]} output",
                     f"{' + '.join(num(v) for v in x.ravel())} = {num(centre)}"])


def transposed_size():
    i, k, s, p, a = 4, 3, 2, 1, 1
    o = convdocs.transposed_output_size(i, k, stride=s, padding=p, output_padding=a)
    back = [n for n in range(1, 20) if convdocs.output_size(n, k, stride=s, padding=p) == i]
    assert back == [o - 1, o]
    return Exercise([f"{o} × {o}"], {i, k, s, p, a, o, o - 1},
                    [f"A {i} × {i} input, a {k} × {k} filter, stride {s}, padding {p}, output "
                     f"padding {a}.", f"{s} × ({i} − 1) + {a} + {k} − 2 × {p} = {o}",
                     f"takes {o} × {o} back to {i} × {i}, and so does {o - 1} × {o - 1}"])


def matrix_shape():
    n, k = 4, 3
    kernel = np.arange(1.0, 10.0).reshape(k, k)
    cols = [convdocs.conv2d(np.eye(n * n)[j].reshape(n, n), kernel).ravel() for j in range(n * n)]
    c = np.stack(cols, axis=1)
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.array_equal((c.T @ y.ravel()).reshape(n, n), convdocs.conv_transpose2d(y, kernel))
    weights = {int(np.count_nonzero(row)) for row in c}
    assert weights == {kernel.size}
    rows, columns = c.shape
    return Exercise([f"{rows} rows and {columns} columns"],
                    {n, k, 1, rows, columns, kernel.size, columns - kernel.size},
                    [f"For a {n} × {n} input and a {k} × {k} filter (no padding, stride 1)",
                     f"{kernel.size} weights and {columns - kernel.size} zeros",
                     f"{columns} rows and {rows} columns", f"{rows} numbers into {columns}"])


def no_undo():
    n, k = 4, 3
    x, kernel = np.ones((n, n)), np.ones((k, k))
    y = convdocs.conv2d(x, kernel)
    back = convdocs.conv_transpose2d(y, kernel)
    assert np.all(y == y[0, 0]) and back.shape == x.shape
    corner, centre = back[0, 0], back[1, 1]
    assert np.array_equal(back[1:3, 1:3], np.full((2, 2), centre))
    return Exercise([num(corner), num(centre)],
                    {n, k, y.shape[0], y[0, 0], corner, centre, 1},
                    [f"Convolve a {n} × {n} image of ones with a {k} × {k} filter of ones",
                     f"{y.shape[0]} × {y.shape[1]} map in which every cell is {num(y[0, 0])}",
                     f"{n} × {n} map again"])


# -- channels -----------------------------------------------------------------------------------

def layer_parameters():
    filters, k, channels = 64, 3, 3
    weights = k * k * channels
    total = filters * (weights + 1)
    return Exercise([num(total)], {filters, k, weights, 1, weights + 1, total},
                    [f"{k} × {k} × {channels} = {weights}",
                     f"{filters} × {weights + 1} = **{num(total)}**"])


def bias_then_relu():
    image, kernel = (rgb_data()[k] for k in ("image", "kernel"))
    bias = 1.0
    out = convdocs.conv2d(image, kernel)
    top, after = out[0], convdocs.relu(out + bias)[0]
    return Exercise([seq(after, None)], {bias, *top, *(top + bias), *after},
                    [f"Add a bias of {num(bias)} to the output",
                     f"top row {seq(top, None)} becomes {seq(top + bias, None)}"])


def one_by_one():
    weights = np.array([1.0, 2.0, -1.0])
    pixel = np.array([3.0, 5.0, 2.0])
    out = convdocs.conv2d(pixel.reshape(1, 1, 3), weights.reshape(1, 1, 3))[0, 0]
    products = weights * pixel
    terms = " + ".join(f"({num(w)})" if w < 0 else num(w) for w in weights)
    shown = " + ".join(f"{t} × {num(x)}" for t, x in zip(terms.split(" + "), pixel))
    return Exercise([num(out)], {*weights, *pixel, products[0], products[1], -products[2], out},
                    ["A 1 × 1 filter with weights", f"weights {seq(weights)}",
                     f"are {seq(pixel)}",
                     f"{shown} = {num(products[0])} + {num(products[1])} − "
                     f"{num(-products[2])} = **{num(out)}**"])


def batch_shape():
    batch, side, channels = 8, 224, 3
    photos = np.zeros((batch, side, side, channels))
    torch_shape = photos.transpose(0, 3, 1, 2).shape
    one = photos[0].shape
    return Exercise([f"({', '.join(map(str, torch_shape))})"], {batch, side, channels},
                    [f"{side} × {side} pixels", f"({', '.join(map(str, one))})"])


# -- pooling-in-depth ---------------------------------------------------------------------

def shifted(shift):
    """The translation figure's edge map and pooled map for any shift, left ones included."""
    x = np.zeros((9, 9))
    x[2:6, 2 + shift] = 1.0
    if shift >= 0:
        assert np.array_equal(x, bar(shift))
    edges = convdocs.conv2d(x, kernels.VERTICAL_EDGES, padding="same")
    return edges, convdocs.max_pool2d(edges, 3)


def changed(shift):
    base_edges, base_pooled = (translation_data()["edges 0"], translation_data()["pooled 0"])
    edges, pooled = shifted(shift)
    return int((edges != base_edges).sum()), int((pooled != base_pooled).sum())


def shift_three():
    edges_changed, pooled_changed = changed(3)
    assert changed(1)[0] == edges_changed
    edges, pooled = shifted(3)
    return Exercise([num(edges_changed), num(pooled_changed)],
                    {3, edges_changed, edges.size, 1, pooled_changed, pooled.size},
                    [f"of the {edges.size} edge-map cells, as for a shift of 1",
                     f"of the {pooled.size} pooled cells"])


def shift_left():
    pooled_changed = changed(-1)[1]
    edges0, _ = (translation_data()["edges 0"], translation_data()["pooled 0"])
    edges, pooled = shifted(-1)
    before = int(np.flatnonzero(edges0.max(axis=0) > 0)[0])
    after = int(np.flatnonzero(edges.max(axis=0) > 0)[0])
    return Exercise([num(pooled_changed)], {pooled.size, pooled_changed, before, after},
                    [f"from column {before} to column {after}"])


def overlap_size():
    n, k, s = 9, 3, 2
    o = convdocs.output_size(n, k, stride=s)
    return Exercise([f"{o} × {o}"], {k, s, n, o, (n - k) // s, 1},
                    [f"a {k} × {k} window at stride {s} on a {n} × {n} map",
                     f"({n} − {k}) ÷ {s} = {(n - k) // s}"])


def fourfold_cells():
    n, k, s = 7, 3, 2
    counts = np.zeros((n, n), dtype=int)
    for st in convdocs.pool2d_steps(np.zeros((n, n)), k, stride=s):
        counts[np.ix_(st.rows, st.cols)] += 1
    four = np.argwhere(counts == 4)
    lines = sorted({int(v) for v in four.ravel()})
    return Exercise([num(len(four))], {n, k, s, len(four), *lines, 0, int((counts == 2).sum()),
                                       int((counts == 1).sum())},
                    [f"the {n} × {n} example of overlapping {k} × {k} windows at stride {s}",
                     f"row {lines[0]} or {lines[1]} meets column {lines[0]} or {lines[1]}",
                     f"Another {(counts == 2).sum()} cells are read twice",
                     f"remaining {(counts == 1).sum()} once"])


# -- learning ---------------------------------------------------------------------------------

def top_left_gradient():
    from convdocs.figures.learning import gradients_data
    data = gradients_data()
    x, error = data["input"], data["error"]
    k = error.shape[0]
    met, errors = x[:k, :k].ravel(), error.ravel()
    grad = data["kernel gradient"][0, 0]
    assert grad == convdocs.conv2d(x, error)[0, 0] == (met * errors).sum()
    terms = " + ".join(f"{num(a)} × {num(b)}" for a, b in zip(met, errors))
    return Exercise([num(grad)], {k, *met, *errors, grad},
                    [f"top-left {k} × {k} corner of the input: {seq(met)}",
                     f"the output it helped make, {seq(errors)}", f"{terms} = **{num(grad)}**"])


def products_per_weight():
    from convdocs.figures.learning import training
    (_, face_picture), _, _ = training()
    out = convdocs.conv2d(face_picture, kernels.VERTICAL_EDGES, padding="same")
    rows, cols = face_picture.shape
    assert out.shape == face_picture.shape
    return Exercise([num(out.size)], {rows, cols, out.size},
                    [f"the {rows} × {cols} face", f"{rows} × {cols} = {num(out.size)}"])


def corner_of_input_gradient():
    from convdocs.figures.learning import gradients_data
    data = gradients_data()
    corner, error, weight = (data["input gradient"][0, 0], data["error"][0, 0],
                             data["filter"][0, 0])
    assert corner == error * weight
    return Exercise([num(corner)], {corner, weight, error},
                    [f"input gradient {num(corner)}", f"top-left weight, {num(weight)}",
                     f"{num(error)} × {num(weight)} = **{num(corner)}**"])


# -- tiny-cnn ---------------------------------------------------------------------------------

def third_conv_field():
    from convdocs.figures.tiny_cnn import tiny_layers
    every = tiny_layers()
    layers = [every[0], every[2], every[3], every[5]]   # the convolutions and the poolings
    (before, jump), = cnn.receptive_fields(layers)[-1:]
    k = 3
    (after, _), = cnn.receptive_fields(layers + [cnn.Conv((np.ones((k, k)),))])[-1:]
    assert after == before + (k - 1) * jump
    return Exercise([f"{after} × {after}"], {k, after, jump, 1, (k - 1) * jump, before},
                    [f"Add a third {k} × {k} convolution",
                     f"is {jump} pixels, so a {k} × {k} window",
                     f"({k} − 1) × {jump} = {(k - 1) * jump}",
                     f"{before} + {(k - 1) * jump} = {after}"])


def output_numbers():
    from convdocs.figures.tiny_cnn import STAGES, stage_key, tiny_data
    data = tiny_data()
    outs = [data[stage_key(n)] for n in range(len(STAGES))]
    first, last = outs[0], outs[-1]
    shrink = first.shape[0] // last.shape[0]
    assert first.size // last.size == 8
    return Exercise([num(last.size)], {first.shape[0], first.size, last.shape[0], last.size,
                                       shrink, last.shape[2], 1},
                    [f"{first.shape[0]} × {first.shape[1]} = {num(first.size)}",
                     f"shrank by {shrink} in each direction",
                     f"{last.shape[2]} channels instead of 1"])


def tiny_parameters():
    from convdocs.figures.tiny_cnn import tiny_layers
    convs = [layer for layer in tiny_layers() if isinstance(layer, cnn.Conv)]
    parts, numbers, phrases = [], set(), []
    for layer in convs:
        shape = np.shape(layer.filters[0])
        depth = shape[2] if len(shape) == 3 else 1
        weights = int(np.prod(shape))
        count = len(layer.filters) * (weights + 1)
        parts.append(count)
        numbers |= {len(layer.filters), shape[0], depth, weights, 1, count}
        phrases.append(f"{len(layer.filters)} filters of {shape[0]} × {shape[1]} × {depth}: "
                       f"{len(layer.filters)} × ({weights} + 1) = {count}")
    total = sum(parts)
    return Exercise([num(total)], numbers | {total}, phrases)


def decider_parameters():
    from convdocs import learn
    net = learn.init_net()
    (f1, k, _), (f2, _, _, depth) = net.conv1.shape, net.conv2.shape
    classes, features = net.weights.shape
    one, two, head = net.conv1.size, net.conv2.size, net.weights.size + net.bias.size
    assert one + two + head == sum(p.size for p in net.params().values())
    return Exercise([num(one + two + head)],
                    {f1, k, 1, one, k * k, f2, depth, two, k * k * depth, features, classes,
                     net.bias.size, net.weights.size, head, one + two + head},
                    [f"{f1} filters of {k} × {k} × 1: {f1} × {k * k} = {one}",
                     f"{f2} filters of {k} × {k} × {depth}: {f2} × {k * k * depth} = {two}",
                     f"{net.weights.size} + {net.bias.size} = {head}"])


EXERCISES = {
    "images-are-numbers.md": [photo_numbers, smiley_counts, collar_jump],
    "convolution.md": [worked_top_left, valid_size, known_answer],
    "what-filters-see.md": [flat_patch, outline_corners, parameter_counts],
    "pooling.md": [max_keeps_value, first_pooling_window, bias_and_relu],
    "padding-and-stride.md": [padded_strided_size, same_rings, dilated_span, unread_rows],
    "transposed-convolution.md": [stamp_centre, transposed_size, matrix_shape, no_undo],
    "channels.md": [layer_parameters, bias_then_relu, one_by_one, batch_shape],
    "pooling-in-depth.md": [shift_three, shift_left, overlap_size, fourfold_cells],
    "learning.md": [top_left_gradient, products_per_weight, corner_of_input_gradient],
    "tiny-cnn.md": [third_conv_field, output_numbers, tiny_parameters, decider_parameters],
}


def blocks(page: str) -> list[tuple[str, str]]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [(m["title"], m["body"]) for m in BLOCK.finditer(text)]


def numbers_in(text: str) -> set[str]:
    return {canonical(m) for m in NUMBER.findall(text)}


CASES = [pytest.param(page, n, id=f"{page.removesuffix('.md')}-{n + 1}-{fn.__name__}")
         for page, fns in EXERCISES.items() for n, fn in enumerate(fns)]


@pytest.mark.parametrize("page", EXERCISES)
def test_each_chapter_ends_with_two_to_four_questions(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    found = blocks(page)
    assert 2 <= len(found) <= 4, f"{page}: {len(found)} question blocks"
    assert len(found) == len(EXERCISES[page]), (
        f"{page} has {len(found)} questions, this file checks {len(EXERCISES[page])}")
    section = text.rindex("\n## Questions\n")
    assert text.index('??? question "') > section, f"{page}: a question before '## Questions'"
    assert not re.search(r"^## ", text[section + 2:], re.M), f"{page}: questions are not last"
    assert re.search(r"\nNext: \[[^\]]+\]\([^)]+\)\.\n$", text), f"{page}: no closing Next link"


@pytest.mark.parametrize("page,n", CASES)
def test_every_number_in_a_question_is_recomputed(page, n):
    title, body = blocks(page)[n]
    exercise = EXERCISES[page][n]()
    text = " ".join((title + "\n" + body).split())    # wrapped lines read as one
    for answer in exercise.answers:
        assert f"**{answer}**" in text, f"{page} question {n + 1}: answer **{answer}** missing"
    for phrase in exercise.phrases:
        assert phrase in text, f"{page} question {n + 1}: {phrase!r} missing"
    expected = {canonical(num(v)) for v in exercise.numbers}
    found = numbers_in(text)
    assert found == expected, (f"{page} question {n + 1}: numbers on the page but not "
                               f"recomputed {sorted(found - expected)}; recomputed but not on "
                               f"the page {sorted(expected - found)}")


def test_number_parsing():
    assert numbers_in("conv2d, 3 × 3, \u22127, 1,792 and 6.25; (8, 3, 224, 224).") == {
        "3", "-7", "1792", "6.25", "8", "224"}
    assert canonical("268,451,840") == "268451840" and num(-9.0) == "\u22129"
    assert num(268451840) == "268,451,840" and num(6.25) == "6.25"
