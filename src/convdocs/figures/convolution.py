"""Figures of "Convolution": an input and a filter, then the convolution step by step."""

from __future__ import annotations

from .. import images, kernels
from ..conv import conv2d
from . import draw
from .animations import ConvAnimation
from .draw import Layout
from .panels import kernel_matrix, number_word
from .spec import FigureSpec, Timing


def worked_example():
    """The worked example: a 5x5 image of small numbers and the vertical-edge filter."""
    image, kernel = images.numbers((5, 5), high=5, seed=0), kernels.VERTICAL_EDGES
    return {"image": image, "kernel": kernel, "output": conv2d(image, kernel)}


def input_and_filter():
    example = worked_example()
    return {"image": example["image"], "kernel": example["kernel"]}


def draw_input_and_filter(fig, theme, data):
    image, kernel = data["image"], data["kernel"]
    lay = Layout()
    lay.add_row([draw.grid_size(image.shape), draw.grid_size(kernel.shape)], gaps=[0.9])
    (a, b), = lay.build(fig)
    draw.matrix(a, image, theme, norm=draw.norm_for(image, "gray", 4), role="input")
    draw.title(a, "input image", theme)
    kernel_matrix(b, kernel, theme)
    draw.title(b, "filter", theme)


def convolution_caption(data):
    out, kernel = data["output"], data["kernel"]
    centre = out[out.shape[0] // 2, out.shape[1] // 2]
    taps = number_word(kernel.size)
    return (f"The filter slides over the input one cell at a time. At each stop it multiplies "
            f"the {taps} numbers under it by its {taps} weights and adds the products up; for "
            f"the centre cell they add up to {draw.number(centre)}. "
            f"{number_word(out.size).capitalize()} stops fill the {out.shape[0]} \u00d7 "
            f"{out.shape[1]} output.")


def convolution_alt(data):
    image, kernel, out = data["image"], data["kernel"], data["output"]
    return (f"Animation. A highlighted {kernel.shape[0]} by {kernel.shape[1]} window moves "
            f"across the {image.shape[0]} by {image.shape[1]} input, row by row. For each "
            f"position the {number_word(kernel.size)} products of window and filter are shown, "
            f"with their sum, and that sum appears in the matching cell of the {out.shape[0]} "
            f"by {out.shape[1]} output. The finished output reads "
            f"{', '.join(draw.number(v) for v in out.ravel())}; negative numbers are drawn "
            f"darker than the mid-grey zero.")


FIGURES = (
    FigureSpec(
        "input-and-filter", title="An input image and a filter",
        caption="The input is a 5 \u00d7 5 image of small numbers; the filter is a 3 \u00d7 3 "
                "grid of weights: +1 on the left, 0 in the middle, \u22121 on the right.",
        alt="Two grids side by side. On the left, a 5 by 5 input image with a number from 0 to "
            "4 in each cell, shaded from black (0) to white (4). On the right, a 3 by 3 filter "
            "whose columns hold 1, 0 and minus 1.",
        compute=input_and_filter, draw=draw_input_and_filter),
    FigureSpec(
        "convolution", title="The convolution, step by step",
        caption=convolution_caption, alt=convolution_alt, compute=worked_example,
        animate=lambda d: ConvAnimation(d["image"], d["kernel"], d["output"]),
        timing=Timing(frame_ms=1800, key=4, strip=(0, 4, -1))),
)
