"""Figures beyond the article: padding, stride, dilation, channels, pooling in depth and a
tiny CNN. Every number comes from the convdocs operations, as in :mod:`convdocs.story`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from . import cnn, draw, images, kernels, style
from .arithmetic import output_size
from .conv import conv2d, pad, plan_conv2d
from .draw import Layout
from .panels import (KEY, ConvAnimation, PoolAnimation, conv_frames, face, filtered,
                     kernel_matrix, photo_size, pixel_size, pool_frames, signed_norm,
                     signed_picture, small_photo, sum_text)
from .pool import avg_pool2d, global_avg_pool, max_pool2d
from .registry import figure
from .transpose import conv_transpose2d, plan_conv_transpose2d

SMALL = dict(cell=0.36)   # animations with larger grids use slightly smaller cells


def digits(shape, seed):
    """Small whole numbers (0-4) for hand-checkable animations."""
    return images.numbers(shape, high=5, seed=seed)


# -- 1. borders, padding and stride ------------------------------------------------------

CASES = {
    # name: (seed of the input's numbers, input shape, kernel, conv arguments, frame ms,
    #        caption; {i}, {o}, {n}, {m}, {k} and {p} are filled in from the computed sizes)
    "padding-valid": (4, (5, 5), kernels.HORIZONTAL_EDGES, dict(padding="valid"), 1200,
                      "No padding (\"valid\"): the window stays inside the input, so a {i} "
                      "input gives a {o} output."),
    "padding-same": (3, (4, 4), kernels.HORIZONTAL_EDGES, dict(padding="same"), 900,
                     "\"Same\" padding: {p} ring of zeros (dashed) lets the window centre on "
                     "every input cell, so the output keeps the input's {i} size."),
    "padding-full": (2, (2, 2), kernels.HORIZONTAL_EDGES, dict(padding="full"), 900,
                     "\"Full\" padding: {p} rings of zeros, so the window counts every partial "
                     "overlap and a {i} input grows to {o}."),
    "padding-arbitrary": (1, (3, 3), np.ones((2, 2)), dict(padding=1), 900,
                          "Any amount of padding works: a {k} filter of ones with {p} ring of "
                          "zeros turns a {i} input into {o} ({n} + 2 \u00d7 {p} \u2212 {kk} + 1 = {m})."),
    "stride-2": (5, (5, 5), kernels.HORIZONTAL_EDGES, dict(padding=1, stride=2), 1200,
                 "Stride 2: the window jumps two cells at a time, across and down, so a "
                 "padded {i} input gives only {o} outputs."),
    "stride-odd": (6, (6, 6), kernels.HORIZONTAL_EDGES, dict(stride=2), 1400,
                   "When the stride does not fit evenly, the last row and column are never "
                   "read (hatched): a {i} input with a {k} window at stride 2 gives {o}, "
                   "because ({n} \u2212 3) \u00f7 2 rounds down to {q}."),
    "dilation-2": (0, (7, 7), kernels.HORIZONTAL_EDGES, dict(dilation=2), 1000,
                   "Dilation 2 spreads the filter's nine taps one cell apart: the window "
                   "spans 5 \u00d7 5 while still multiplying only nine numbers, and a {i} "
                   "input gives {o}."),
}


def case_caption(name):
    """The case's caption with every size computed from its data."""
    image, kernel, kw = case_data(name)
    out = conv2d(image, kernel, **kw)
    plan = plan_conv2d(image, kernel, **kw)
    size = lambda shape: f"{shape[0]} \u00d7 {shape[1]}"  # noqa: E731
    return CASES[name][5].format(
        i=size(image.shape), o=size(out.shape), k=size(kernel.shape), n=image.shape[0],
        m=out.shape[0], p=plan.pads[0][0], kk=kernel.shape[0],
        q=(image.shape[0] - kernel.shape[0]) // 2)


def case_data(name):
    seed, shape, kernel, kw, _, _ = CASES[name]
    return digits(shape, seed=seed), kernel, kw


def case_alt(name):
    image, kernel, kw = case_data(name)
    out = conv2d(image, kernel, **kw)
    plan = plan_conv2d(image, kernel, **kw)
    rings = plan.pads[0][0]
    where = (f"drawn inside {rings} ring{'' if rings == 1 else 's'} of dashed zero padding"
             if rings else "with no padding")
    step = plan.stride[0]
    return (f"Animation. A {image.shape[0]} by {image.shape[1]} grid of numbers, {where}, "
            f"with a {kernel.shape[0]} by {kernel.shape[1]} filter window moving across it "
            f"{step} cell{'' if step == 1 else 's'} at a time"
            f"{', its nine taps spread one cell apart' if kw.get('dilation') else ''}. "
            f"Each stop's sum of products fills one cell of the {out.shape[0]} by "
            f"{out.shape[1]} output."
            + (" The last row and column of the input are hatched: no window reads them."
               if name == "stride-odd" else ""))


def _register_case(name):
    ms = CASES[name][4]
    title = {"padding-valid": "No padding (valid)", "padding-same": "Same padding",
             "padding-full": "Full padding", "padding-arbitrary": "Arbitrary padding",
             "stride-2": "Stride 2", "stride-odd": "Stride 2 that does not fit evenly",
             "dilation-2": "Dilation 2"}[name]
    figure(name, page="padding-and-stride", title=title, caption=lambda: case_caption(name),
           alt=lambda: case_alt(name), frames=lambda: conv_frames(*case_data(name)[:2],
                                                                  **case_data(name)[2]),
           key_step=1, strip_steps=(0, 1, -1), frame_ms=ms, layers=lambda: case_animation(name),
           data=lambda: {"output": conv2d(*case_data(name)[:2], **case_data(name)[2])},
           )(lambda fig, theme, step: case_animation(name).draw(fig, theme, step))


def case_animation(name):
    image, kernel, kw = case_data(name)
    return ConvAnimation(image, kernel, **kw, products=False, input_max=4,
                         show_skipped=(name == "stride-odd"), **SMALL)


for _case in CASES:
    _register_case(_case)


# A 16 x 16 patch of the half-size photo with the most contrast in the flag's corner
# (a star on the dark field): padding shows best where the border has structure.
CORNER = (slice(16, 32), slice(92, 108))
MODES = ("zeros", "reflect", "replicate", "circular")


@figure("padding-modes", page="padding-and-stride", title="Four ways to fill the padding",
        caption="A 16 \u00d7 16 patch of the photo, where the white crown of the cap meets the "
                "dark flag, padded by 6 pixels on every side in each of PyTorch's four modes. Zeros adds a black frame; reflect "
                "mirrors the image at its edge; replicate repeats the edge pixel outwards; "
                "circular wraps around, so the bottom of the image appears above the top.",
        alt="Four small square pictures of a white curve on a dark field, each with its original area "
            "outlined in blue and a 6-pixel border around it: a black border, a mirrored "
            "border, a border of stretched edge pixels, and a border copied from the opposite "
            "sides.",
        data=lambda: {m: pad(small_photo()[CORNER], ((6, 6), (6, 6)), m) for m in MODES})
def padding_modes(fig, theme, step):
    corner = small_photo()[CORNER]
    lay = Layout()
    lay.add_row([pixel_size(np.zeros((28, 28)), 0.055)] * 4, gaps=[0.3] * 3)
    axes, = lay.build(fig)
    for ax, mode in zip(axes, MODES):
        padded = pad(corner, ((6, 6), (6, 6)), mode)
        draw.picture(ax, padded, theme, norm=draw.norm_for(padded, "gray", 255))
        draw.frame(ax, 5.5, 5.5, 16, 16, theme.input, lw=2)
        draw.title(ax, mode, theme)


# -- 2. transposed convolution ----------------------------------------------------------

TRANSPOSED = {
    # name: (seed of the input's numbers, input size, conv_transpose2d arguments, frame ms, title)
    "transposed-no-padding": (40, 2, dict(), 900, "Transposed: no padding, no strides"),
    "transposed-padding": (42, 3, dict(padding=1), 1100, "Transposed: padding"),
    "transposed-strides": (43, 2, dict(stride=2), 800, "Transposed: stride 2"),
    "transposed-odd": (41, 2, dict(stride=2, padding=1, output_padding=1), 900,
                       "Transposed: stride 2 with output padding"),
}


def transposed_data(name):
    seed, n, kw, _, _ = TRANSPOSED[name]
    return digits((n, n), seed=seed), kernels.SOBEL_TOP, kw


def transposed_animation(name):
    image, kernel, kw = transposed_data(name)
    plan = plan_conv_transpose2d(image, kernel, **kw)
    return ConvAnimation(plan.stretched, plan.kernel, real=plan.is_input, products=False,
                         input_title="stretched input",
                         kernel_title="filter, rotated 180\u00b0", input_max=4, **SMALL)


def busiest_step(name):
    """The first step whose window covers the most real input cells: the key frame."""
    image, kernel, kw = transposed_data(name)
    plan = plan_conv_transpose2d(image, kernel, **kw)
    counts = [plan.is_input[np.ix_(s.rows, s.cols)].sum()
              for s in transposed_animation(name).steps()]
    return int(np.argmax(counts))


def transposed_caption(name):
    image, kernel, kw = transposed_data(name)
    plan = plan_conv_transpose2d(image, kernel, **kw)
    out = conv_transpose2d(image, kernel, **kw)
    s, p, a = plan.stride[0], plan.padding[0], plan.output_padding[0]
    n, k = image.shape[0], kernel.shape[0]
    text = (f"A transposed convolution of a {n} \u00d7 {n} input with a {k} \u00d7 {k} "
            f"filter{f' at stride {s}' if s > 1 else ''}{f', padding {p}' if p else ''}"
            f"{f' and output padding {a}' if a else ''} gives {out.shape[0]} \u00d7 "
            f"{out.shape[1]}: {s} \u00d7 ({n} \u2212 1) + {a} + {k} \u2212 2 \u00d7 {p} = "
            f"{out.shape[0]}. It is drawn as the ordinary convolution that computes it: ")
    parts = []
    if s > 1:
        parts.append(f"{s - 1} zero{'s' if s > 2 else ''} between input cells")
    rings = plan.pads[0][0]
    parts.append(f"{rings} ring{'' if rings == 1 else 's'} of zeros around the input")
    if a:
        parts.append(f"{a} more row and column at the bottom and right")
    return text + ", ".join(parts) + ", and the filter rotated half a turn."


def _register_transposed(name):
    figure(name, page="transposed-convolution", title=TRANSPOSED[name][4],
           caption=lambda: transposed_caption(name),
           alt=lambda: transposed_alt(name),
           frames=lambda: transposed_animation(name).frames(), key_step=busiest_step(name),
           strip_steps=(0, busiest_step(name), -1), frame_ms=TRANSPOSED[name][3],
           layers=lambda: transposed_animation(name),
           data=lambda: {"output": conv_transpose2d(*transposed_data(name)[:2],
                                                    **transposed_data(name)[2])},
           )(lambda fig, theme, step: transposed_animation(name).draw(fig, theme, step))


def transposed_alt(name):
    image, kernel, kw = transposed_data(name)
    plan = plan_conv_transpose2d(image, kernel, **kw)
    out = conv_transpose2d(image, kernel, **kw)
    size = ("larger than" if out.shape[0] > image.shape[0] else
            "the same size as" if out.shape[0] == image.shape[0] else "smaller than")
    k = kernel.shape
    return (f"Animation. The {image.shape[0]} by {image.shape[1]} input's numbers sit in a "
            f"larger {plan.stretched.shape[0]} by {plan.stretched.shape[1]} grid whose other "
            f"cells are dashed zeros. A {k[0]} by {k[1]} window slides over it one cell at a "
            f"time, and each stop's sum fills one cell of the {out.shape[0]} by "
            f"{out.shape[1]} output, which is {size} the input.")


for _name in TRANSPOSED:
    _register_transposed(_name)


# -- 3. channels -----------------------------------------------------------------------------

CHANNELS = ("red", "green", "blue")


def rgb_example():
    image = np.stack([digits((5, 5), seed=20 + c) for c in range(3)], axis=-1)
    kernel = np.stack([kernels.VERTICAL_EDGES, kernels.HORIZONTAL_EDGES, kernels.IDENTITY],
                      axis=-1)
    return image, kernel


@figure("channels-rgb-filter", page="channels", title="One filter across three channels",
        caption=lambda: (
            "A colour image has three channels, so a CNN filter has three slices, one per "
            "channel. Each slice is slid over its own channel, and the three results are added "
            "cell by cell into a single output map. For the top-left cell: "
            + sum_text(rgb_partials()[:, 0, 0]) + " = "
            + draw.number(conv2d(*rgb_example())[0, 0]) + "."),
        alt="Three columns, one per colour channel: a 5 by 5 grid of numbers, below it a 3 by "
            "3 filter slice, and below that the channel's 3 by 3 partial result. The three "
            "partial results are added, plus sign by plus sign, into one 3 by 3 output.",
        data=lambda: {"output": conv2d(*rgb_example())})
def channels_rgb_filter(fig, theme, step):
    image, kernel = rgb_example()
    partials = rgb_partials()
    out = conv2d(image, kernel)
    grid5, grid3 = draw.grid_size((5, 5)), draw.grid_size((3, 3))
    lay = Layout(row_gap=0.2)
    lay.add_row([grid5] * 3, gaps=[0.45] * 2)
    lay.add_row([grid3] * 3, gaps=[0.45 + grid5[0] - grid3[0]] * 2)
    lay.add_row([grid3] * 4, gaps=[0.45] * 3)
    chans, slices, results = lay.build(fig)
    norm = signed_norm(np.concatenate([partials.ravel(), out.ravel()]))
    for c in range(3):
        draw.matrix(chans[c], image[..., c], theme, norm=draw.norm_for(image, "gray", 4),
                    role="input")
        draw.title(chans[c], f"{CHANNELS[c]} channel", theme)
        kernel_matrix(slices[c], kernel[..., c], theme)
        draw.title(slices[c], f"\u2217 filter slice {c + 1}", theme)
        draw.matrix(results[c], partials[c], theme, kind="signed", norm=norm)
        draw.title(results[c], f"= {CHANNELS[c]} result", theme)
    draw.matrix(results[3], out, theme, kind="signed", norm=norm, role="output")
    draw.title(results[3], "output", theme)
    for centre, sign in zip(lay.gap_centres[2], ("+", "+", "=")):
        draw.operator(fig, centre, sign, theme)


def rgb_partials():
    image, kernel = rgb_example()
    return np.stack([conv2d(image[..., c], kernel[..., c]) for c in range(3)])


BANK = ("vertical_edges", "horizontal_edges", "sobel_left", "outline")


def bank_maps():
    return np.stack([filtered(face(), n) for n in BANK], axis=-1)


@figure("channels-filter-bank", page="channels", title="A bank of filters makes a stack of maps",
        caption="A layer of a CNN applies many filters to the same input. Four filters on the "
                "128 \u00d7 128 face give four feature maps, stacked into one 128 \u00d7 128 "
                "\u00d7 4 output: the next layer sees four channels.",
        alt="The grey face on the left; on the right, four grey feature maps side by side, "
            "each labelled with its filter: vertical edges, horizontal edges, Sobel left and "
            "all edges, each highlighting different contours of the same face.",
        data=lambda: {"maps": bank_maps()})
def channels_filter_bank(fig, theme, step):
    img, maps = face(), bank_maps()
    size = photo_size(img)
    lay = Layout()
    lay.add_row([size] + [size] * len(BANK), gaps=[0.6] + [0.15] * (len(BANK) - 1), below=KEY)
    axes, = lay.build(fig)
    draw.picture(axes[0], img, theme, norm=draw.norm_for(img, "gray", 255), role="input")
    draw.title(axes[0], "input", theme)
    for n, (ax, name) in enumerate(zip(axes[1:], BANK)):
        signed_picture(ax, maps[..., n], theme, quantile=0.99)
        draw.title(ax, f"map {n + 1}\n{name.replace('_', ' ')}", theme)
    draw.operator(fig, lay.gap_centres[0][0], "\u2192", theme, size=24)


def one_by_one():
    image = np.stack([digits((4, 4), seed=30 + c) for c in range(3)], axis=-1)
    weights = np.array([1.0, 2.0, -1.0]).reshape(1, 1, 3)   # a hand-picked 1 x 1 x 3 filter
    return image, weights


@figure("conv-1x1", page="channels", title="1 \u00d7 1 convolution mixes channels",
        caption=lambda: (
            "A 1 \u00d7 1 filter looks at one pixel at a time, but through all its channels: "
            "each output cell is a weighted sum of the three numbers stacked at that pixel. "
            "With weights 1, 2 and \u22121, the top-left cell is "
            + one_by_one_sum_text() + ". The image keeps its 4 \u00d7 4 size."),
        alt="Three 4 by 4 grids of numbers for the red, green and blue channels, a column of "
            "three weights 1, 2 and minus 1, and the 4 by 4 output, in which every cell "
            "combines the three numbers at the same position.",
        data=lambda: {"output": conv2d(*one_by_one())})
def conv_1x1(fig, theme, step):
    image, weights = one_by_one()
    out = conv2d(image, weights)
    lay = Layout()
    lay.add_row([draw.grid_size((4, 4))] * 3 + [draw.grid_size((3, 1)),
                                                draw.grid_size((4, 4))],
                gaps=[0.2, 0.2, 0.5, 0.6])
    axes, = lay.build(fig)
    for c in range(3):
        draw.matrix(axes[c], image[..., c], theme, norm=draw.norm_for(image, "gray", 4),
                    role="input")
        draw.title(axes[c], CHANNELS[c], theme)
        draw.frame(axes[c], 0, 0, 1, 1, theme.window)
    kernel_matrix(axes[3], weights.reshape(3, 1), theme)
    draw.title(axes[3], "1\u00d71\u00d73", theme)
    draw.matrix(axes[4], out, theme, kind="signed", norm=signed_norm(out), role="output")
    draw.frame(axes[4], 0, 0, 1, 1, theme.window)
    draw.title(axes[4], "output", theme)
    draw.operator(fig, lay.gap_centres[0][2], "\u00d7", theme)
    draw.operator(fig, lay.gap_centres[0][3], "=", theme)


def one_by_one_sum_text():
    image, weights = one_by_one()
    terms = [f"{sum_text([w])} \u00d7 {draw.number(x)}"
             for w, x in zip(weights.ravel(), image[0, 0])]
    return " + ".join(terms) + " = " + draw.number(conv2d(image, weights)[0, 0])


# -- 4. pooling in depth -------------------------------------------------------------------

def overlap_example():
    return images.numbers((7, 7), high=10, seed=5)


@figure("pooling-overlap", page="pooling-in-depth",
        title="Overlapping windows: 3 \u00d7 3 max pooling at stride 2",
        caption="A 3 \u00d7 3 window moving two cells at a time overlaps its neighbour by one "
                "row or column, so some inputs count in two or four windows. A 7 \u00d7 7 "
                "input gives 3 \u00d7 3.",
        alt=lambda: ("Animation. A 3 by 3 window steps across a 7 by 7 grid of numbers two cells "
                     "at a time, each position overlapping the previous one; the largest number "
                     "in each window fills a 3 by 3 output reading "
                     + ", ".join(draw.number(v) for v in max_pool2d(overlap_example(), 3,
                                                                    stride=2).ravel()) + "."),
        frames=lambda: pool_frames(overlap_example(), 3, stride=2), key_step=1,
        strip_steps=(0, 1, -1), frame_ms=1300, layers=lambda: overlap_animation(),
        data=lambda: {"output": max_pool2d(overlap_example(), 3, stride=2)})
def pooling_overlap(fig, theme, step):
    overlap_animation().draw(fig, theme, step)


def overlap_animation():
    return PoolAnimation(overlap_example(), 3, op="max", stride=2, input_max=9)


VARIANTS = ((2, 2), (3, 2), (3, 3), (2, 1))   # (window, stride)


@figure("pooling-variants", page="pooling-in-depth", title="Window and stride variants",
        caption=lambda: (
            "The same 7 \u00d7 7 input max-pooled four ways. The output size follows the same "
            "rule as convolution: "
            + "; ".join(f"{k} \u00d7 {k} at stride {s} gives {output_size(7, k, stride=s)}"
                        for k, s in VARIANTS)
            + ". " + dropped_text() + "."),
        alt=lambda: ("The 7 by 7 grid of numbers, then four max-pooled results of different "
                     "sizes: " + ", ".join(f"{n} by {n}" for n in variant_sizes())
                     + ", each labelled with its window and stride."),
        data=lambda: {f"{k}x{k}/{s}": max_pool2d(overlap_example(), k, stride=s)
                      for k, s in VARIANTS})
def pooling_variants(fig, theme, step):
    x = overlap_example()
    outs = [max_pool2d(x, k, stride=s) for k, s in VARIANTS]
    cell = 0.3
    lay = Layout()
    lay.add_row([(x.shape[1] * cell, x.shape[0] * cell)] +
                [(o.shape[1] * cell, o.shape[0] * cell) for o in outs],
                gaps=[0.6, 0.35, 0.35, 0.35])
    axes, = lay.build(fig)
    norm = draw.norm_for(x, "gray", 9)
    draw.matrix(axes[0], x, theme, norm=norm, role="input", fontsize=10)
    draw.title(axes[0], "input 7 \u00d7 7", theme)
    for ax, o, (k, s) in zip(axes[1:], outs, VARIANTS):
        draw.matrix(ax, o, theme, norm=norm, role="output", fontsize=10)
        draw.title(ax, f"{k}\u00d7{k}, stride {s}", theme)


def variant_sizes():
    return [output_size(overlap_example().shape[0], k, stride=s) for k, s in VARIANTS]


def dropped_text():
    """Which variants never read the input's last row and column: (o - 1)s + k < n."""
    n = overlap_example().shape[0]
    dropping = [f"{k} \u00d7 {k} at stride {s}" for (k, s), o in zip(VARIANTS, variant_sizes())
                if (o - 1) * s + k < n]
    if not dropping:
        return "Every variant reads every input cell"
    return " and ".join(dropping) + " never read the last row and column"


def relu_maps():
    return cnn.relu(bank_maps())


@figure("global-average-pooling", page="pooling-in-depth", title="Global average pooling",
        caption=lambda: (
            "Global average pooling shrinks each whole feature map to one number, its mean. "
            "Four maps of 128 \u00d7 128 (after ReLU, so no negatives) become four numbers: "
            + ", ".join(f"{v:.1f}" for v in global_avg_pool(relu_maps())) + "."),
        alt="Four grey feature maps of the face, after negative values were set to zero, each "
            "with an arrow to a single cell that holds its average value.",
        data=lambda: {"averages": global_avg_pool(relu_maps())})
def global_average_pooling(fig, theme, step):
    maps = relu_maps()
    means = global_avg_pool(maps)
    size = photo_size(maps[..., 0])
    lay = Layout()
    lay.add_row([size] * 4, gaps=[0.25] * 3, title=0.4)
    lay.add_row([(0.85, 0.42)] * 4, gaps=[0.25 + size[0] - 0.85] * 3, title=0.42)
    maps_ax, cells = lay.build(fig)
    top = float(np.quantile(maps, 0.99))
    for n, (ax, cell) in enumerate(zip(maps_ax, cells)):
        draw.picture(ax, maps[..., n], theme, norm=draw.norm_for(maps, "gray", top),
                     role="output")
        draw.title(ax, f"map {n + 1}\n{BANK[n].replace('_', ' ')}", theme)
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


def translation_outputs(shift):
    edges = conv2d(bar(shift), kernels.VERTICAL_EDGES, padding="same")
    return edges, max_pool2d(edges, 3)


def changed_cells(shift):
    base_c, base_p = translation_outputs(0)
    c, p = translation_outputs(shift)
    return int(np.count_nonzero(c != base_c)), int(np.count_nonzero(p != base_p))


@figure("pooling-translation", page="pooling-in-depth",
        title="Shift the input: convolution follows, pooling barely notices",
        caption=lambda: (
            "A bright bar moved one and two pixels to the right. The vertical-edge output moves "
            "with it: " + " and ".join(f"{changed_cells(s)[0]} of its 81 cells change for a "
                                       f"shift of {s}" for s in SHIFTS[1:]) +
            ". After 3 \u00d7 3 max pooling, " + " and ".join(
                f"{changed_cells(s)[1]} of 9" for s in SHIFTS[1:]) +
            " cells change: the strongest response stays inside the same window. A shift "
            "across a window's border would change it."),
        alt="Three columns for shifts of 0, 1 and 2 pixels. Each column shows a 9 by 9 input "
            "with a short vertical bar, below it the 9 by 9 edge map with numbers (a column of "
            "negative values beside a column of positive ones, further right in each column), "
            "and at the bottom a 3 by 3 max-pooled grid that reads the same in every column.",
        data=lambda: {f"shift{s}": translation_outputs(s)[1] for s in SHIFTS})
def pooling_translation(fig, theme, step):
    cell = 0.28
    edge_panel = (9 * cell, 9 * cell)
    lay = Layout(row_gap=0.15)
    lay.add_row([(9 * 0.15, 9 * 0.15)] * 3, gaps=[0.4 + 9 * (cell - 0.15)] * 2)
    lay.add_row([edge_panel] * 3, gaps=[0.4] * 2)
    lay.add_row([(3 * 0.42, 3 * 0.42)] * 3, gaps=[0.4 + 9 * cell - 3 * 0.42] * 2)
    inputs, edge_axes, pooled_axes = lay.build(fig)
    norm = draw.norm_for(np.array([3.0]), "signed", 3.0)
    for s, a, e, p in zip(SHIFTS, inputs, edge_axes, pooled_axes):
        edges, pooled = translation_outputs(s)
        dc, dp = changed_cells(s)
        draw.matrix(a, bar(s), theme, norm=draw.norm_for(bar(s), "gray", 1), numbers=False,
                    role="input")
        draw.title(a, f"input, shifted {s}", theme)
        draw.matrix(e, edges, theme, kind="signed", norm=norm, role="output", fontsize=10)
        draw.title(e, "vertical edges" + (f": {dc} changed" if s else ""), theme)
        draw.matrix(p, pooled, theme, kind="signed", norm=norm, role="output")
        draw.title(p, "3\u00d73 max pool" + (f": {dp} changed" if s else ""), theme)


# -- 5. a tiny CNN at work ---------------------------------------------------------------------

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


def tiny_input():
    """The face at 64 x 64 (averaged 2 x 2): small enough to show every stage at once."""
    return avg_pool2d(face(), 2)


def tiny_outputs():
    return cnn.forward(tiny_input(), tiny_layers())


@figure("tiny-cnn", page="tiny-cnn", title="A tiny CNN at work",
        caption="Two rounds of convolution, ReLU and max pooling on the face, with hand-picked "
                "filters. The first layer finds edges of four kinds (light-to-dark and "
                "dark-to-light, vertical and horizontal); ReLU drops the negative responses; "
                "pooling halves the maps. The second layer combines all four maps: one filter "
                "marks any edge nearby, the other where vertical edges outweigh horizontal ones. Each "
                "stage is smaller and more abstract than the one before.",
        alt="Seven columns of feature maps, left to right: the 64 by 64 face; four 64 by 64 "
            "edge maps on grey; the same four with negatives set to black; four 32 by 32 pooled "
            "maps, visibly coarser; two 32 by 32 second-layer maps; the same after ReLU; and "
            "two final 16 by 16 maps of coarse blocks, bright only where the strongest "
            "structures were, such as the collar and the sides of the face.",
        data=lambda: {s.replace(" ", "") + str(i): o for i, (s, o) in
                      enumerate(zip(STAGES, tiny_outputs()))})
def tiny_cnn(fig, theme, step):
    outs = tiny_outputs()
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


def rf_layers():
    layers = tiny_layers()
    return [layers[0], layers[2], layers[3], layers[5]]


@figure("receptive-field", page="tiny-cnn", title="The receptive field grows layer by layer",
        caption=lambda: (
            "How many input pixels one output cell depends on, after each layer of the tiny "
            "CNN: " + "; ".join(f"after {name}, {size} \u00d7 {size}" for name, (size, _) in
                                zip(RF_LAYERS, cnn.receptive_fields(rf_layers())[1:]))
            + ". Every layer, pooling included, adds its window minus one, times the spacing "
              "between neighbouring cells' views; each 2 \u00d7 2 pooling also doubles that "
              "spacing."),
        alt="A 16 by 16 grid of input pixels with four nested squares anchored at the top-left "
            "corner, each labelled with a layer: 3 by 3 after the first convolution, 4 by 4 "
            "after pooling, 8 by 8 after the second convolution and 10 by 10 after the second "
            "pooling.",
        data=lambda: {"fields": np.array(cnn.receptive_fields(rf_layers()))})
def receptive_field(fig, theme, step):
    fields = cnn.receptive_fields(rf_layers())[1:]
    n = 16
    cell = 0.3
    lay = Layout()
    lay.add_row([(n * cell, n * cell), (2.4, n * cell)], gaps=[0.3])
    ax, legend = lay.build(fig)[0]
    draw.matrix(ax, np.zeros((n, n)), theme, kind="plain", numbers=False, role="input")
    shades = np.linspace(0.55, 0.15, len(fields))
    for (size, _), alpha, name, k in zip(fields, shades, RF_LAYERS, range(len(fields))):
        ax.add_artist(Rectangle((1, 1), size, size, color=theme.window, alpha=alpha,
                                lw=0, zorder=2))
        draw.frame(ax, 1, 1, size, size, theme.window, lw=1.5)
        legend.text(0.0, 0.9 - k * 0.12, f"after {name}: {size} \u00d7 {size}",
                    transform=legend.transAxes, fontsize=style.LABEL_SIZE, color=theme.text)
    legend.text(0.0, 0.9 - len(fields) * 0.12 - 0.05,
                "one output cell sees\nthe whole shaded square", transform=legend.transAxes,
                fontsize=style.LABEL_SIZE, color=theme.muted, va="top")
