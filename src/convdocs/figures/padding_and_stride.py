"""Figures of "Padding, stride and dilation": one table of convolution cases, and the
four padding modes. Every size a caption states is computed from the case's data."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import kernels
from ..arithmetic import output_size
from ..conv import conv2d, pad, plan_conv2d
from . import draw
from .animations import ConvAnimation
from .draw import Layout
from .examples import digits, small_photo
from .panels import SMALL_CELL, number_word, pixel_size
from .spec import FigureSpec, Timing

@dataclass(frozen=True)
class ConvCase:
    """One convolution case, animated window by window.

    The input is :func:`~convdocs.figures.examples.digits` of `shape` with
    `seed`. The caption template may use {i} input size, {o} output size,
    {k} kernel size, {n} input rows, {m} output rows, {kk} kernel rows,
    {p} padding rings and {q} the whole number of strides that fit, all
    computed. `show_skipped` hatches input cells that no window reads.
    """

    name: str
    title: str
    seed: int
    shape: tuple[int, int]
    kernel: np.ndarray
    caption: str
    frame_ms: int
    conv: dict = field(default_factory=dict)   # conv2d's keyword arguments
    show_skipped: bool = False


ONES_2X2 = np.ones((2, 2))

CASES = (
    ConvCase("padding-valid", "No padding (valid)", 4, (5, 5), kernels.HORIZONTAL_EDGES,
             "No padding (\"valid\"): the window stays inside the input, so a {i} input gives a "
             "{o} output.", 1200, dict(padding="valid")),
    ConvCase("padding-same", "Same padding", 3, (4, 4), kernels.HORIZONTAL_EDGES,
             "\"Same\" padding: {p} ring of zeros (dashed) lets the window centre on every "
             "input cell, so the output keeps the input's {i} size.", 900, dict(padding="same")),
    ConvCase("padding-full", "Full padding", 2, (2, 2), kernels.HORIZONTAL_EDGES,
             "\"Full\" padding: {p} rings of zeros, so the window counts every partial overlap "
             "and a {i} input grows to {o}.", 900, dict(padding="full")),
    ConvCase("padding-arbitrary", "Arbitrary padding", 1, (3, 3), ONES_2X2,
             "Any amount of padding works: a {k} filter of ones with {p} ring of zeros turns a "
             "{i} input into {o} ({n} + 2 \u00d7 {p} \u2212 {kk} + 1 = {m}).", 900,
             dict(padding=1)),
    ConvCase("stride-2", "Stride 2", 5, (5, 5), kernels.HORIZONTAL_EDGES,
             "Stride 2: the window jumps two cells at a time, across and down, so a padded {i} "
             "input gives only {o} outputs.", 1200, dict(padding=1, stride=2)),
    ConvCase("stride-odd", "Stride 2 that does not fit evenly", 6, (6, 6),
             kernels.HORIZONTAL_EDGES,
             "When the stride does not fit evenly, the last row and column are never read "
             "(hatched): a {i} input with a {k} window at stride 2 gives {o}, because "
             "({n} \u2212 3) \u00f7 2 rounds down to {q}.", 1400, dict(stride=2),
             show_skipped=True),
    ConvCase("dilation-2", "Dilation 2", 0, (7, 7), kernels.HORIZONTAL_EDGES,
             "Dilation 2 spreads the filter's nine taps one cell apart: the window spans "
             "5 \u00d7 5 while still multiplying only nine numbers, and a {i} input gives {o}.",
             1000, dict(dilation=2)),
)


def case_data(case: ConvCase):
    image = digits(case.shape, seed=case.seed)
    return {"image": image, "kernel": case.kernel,
            "output": conv2d(image, case.kernel, **case.conv)}


def _size(shape) -> str:
    return f"{shape[0]} \u00d7 {shape[1]}"


def case_caption(case: ConvCase, data):
    image, kernel, out = data["image"], data["kernel"], data["output"]
    plan = plan_conv2d(image, kernel, **case.conv)
    return case.caption.format(
        i=_size(image.shape), o=_size(out.shape), k=_size(kernel.shape), n=image.shape[0],
        m=out.shape[0], p=plan.pads[0][0], kk=kernel.shape[0],
        q=(image.shape[0] - kernel.shape[0]) // plan.stride[0])


def case_alt(case: ConvCase, data):
    image, kernel, out = data["image"], data["kernel"], data["output"]
    plan = plan_conv2d(image, kernel, **case.conv)
    rings = plan.pads[0][0]
    where = (f"drawn inside {rings} ring{'' if rings == 1 else 's'} of dashed zero padding"
             if rings else "with no padding")
    step = plan.stride[0]
    spread = plan.dilation[0] - 1
    taps = (f", its {number_word(kernel.size)} taps spread {number_word(spread)} "
            f"cell{'' if spread == 1 else 's'} apart")
    return (f"Animation. A {image.shape[0]} by {image.shape[1]} grid of numbers, {where}, "
            f"with a {kernel.shape[0]} by {kernel.shape[1]} filter window moving across it "
            f"{step} cell{'' if step == 1 else 's'} at a time"
            f"{taps if spread else ''}. "
            f"Each stop's sum of products fills one cell of the {out.shape[0]} by "
            f"{out.shape[1]} output."
            + (" The last row and column of the input are hatched: no window reads them."
               if case.show_skipped else ""))


def case_animation(case: ConvCase, data):
    return ConvAnimation(data["image"], data["kernel"], data["output"], **case.conv,
                         products=False, input_max=4, show_skipped=case.show_skipped,
                         cell=SMALL_CELL)


def case_figure(case: ConvCase) -> FigureSpec:
    return FigureSpec(
        case.name, title=case.title,
        caption=lambda data: case_caption(case, data), alt=lambda data: case_alt(case, data),
        compute=lambda: case_data(case), animate=lambda data: case_animation(case, data),
        timing=Timing(frame_ms=case.frame_ms, key=1, strip=(0, 1, -1)))


# A 16 x 16 patch of the half-size photo with the most contrast in the flag's corner
# (a star on the dark field): padding shows best where the border has structure.
CORNER = (slice(16, 32), slice(92, 108))
MODES = ("zeros", "reflect", "replicate", "circular")
RING = 6   # pixels of padding drawn around the patch


def draw_padding_modes(fig, theme, data):
    lay = Layout()
    lay.add_row([pixel_size(data[MODES[0]], 0.055)] * 4, gaps=[0.3] * 3)
    axes, = lay.build(fig)
    for ax, mode in zip(axes, MODES):
        padded = data[mode]
        inner = padded.shape[0] - 2 * RING
        draw.picture(ax, padded, theme, norm=draw.norm_for(padded, "gray", 255))
        draw.frame(ax, RING - 0.5, RING - 0.5, inner, inner, theme.input, lw=2)
        draw.title(ax, mode, theme)


# Dumoulin & Visin's animation configurations (input, kernel, padding per side, stride,
# dilation): the rows of the output-size table. Every output is computed by output_size.
SIZE_ROWS = ((4, 3, 0, 1, 1), (5, 3, 1, 1, 1), (5, 3, 2, 1, 1), (5, 4, 2, 1, 1),
             (5, 3, 0, 2, 1), (5, 3, 1, 2, 1), (6, 3, 1, 2, 1), (7, 3, 0, 1, 2))


def output_size_table() -> dict:
    """The output-size table: its columns, and one row per configuration with its output."""
    return {"columns": ["input", "kernel", "padding (per side)", "stride", "dilation",
                        "output"],
            "rows": [[i, k, p, s, d, output_size(i, k, stride=s, padding=p, dilation=d)]
                     for i, k, p, s, d in SIZE_ROWS]}


TABLES = {"output-size": output_size_table}

FIGURES = (
    *(case_figure(case) for case in CASES),
    FigureSpec(
        "padding-modes", title="Four ways to fill the padding",
        caption="A 16 \u00d7 16 patch of the photo, where the white crown of the cap meets the "
                "dark flag, padded by 6 pixels on every side in each of PyTorch's four modes. "
                "Zeros adds a black frame; reflect mirrors the image at its edge; replicate "
                "repeats the edge pixel outwards; circular wraps around, so the bottom of the "
                "image appears above the top.",
        alt="Four small square pictures of a dark area meeting a white one along a diagonal "
            "edge, each with its "
            "original area outlined in blue and a 6-pixel border around it: a black border, a "
            "mirrored border, a border of stretched edge pixels, and a border copied from the "
            "opposite sides.",
        compute=lambda: {m: pad(small_photo()[CORNER], ((RING, RING), (RING, RING)), m)
                         for m in MODES},
        draw=draw_padding_modes),
)
