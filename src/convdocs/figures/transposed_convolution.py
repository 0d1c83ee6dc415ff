"""Figures of "Transposed convolution": each case drawn as the ordinary convolution that
computes it (zero-stretched input, extra padding, the filter rotated half a turn)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import kernels
from ..transpose import conv_transpose2d, plan_conv_transpose2d
from .animations import ConvAnimation
from .examples import digits
from .panels import SMALL_CELL
from .spec import FigureSpec, Timing


@dataclass(frozen=True)
class TransposedCase:
    """One transposed convolution of an n x n input of digits with Sobel-top."""

    name: str
    title: str
    seed: int
    n: int
    frame_ms: int
    conv: dict = field(default_factory=dict)   # conv_transpose2d's keyword arguments


CASES = (
    TransposedCase("transposed-no-padding", "Transposed: no padding, no strides", 40, 2, 900),
    TransposedCase("transposed-padding", "Transposed: padding", 42, 3, 1100, dict(padding=1)),
    TransposedCase("transposed-strides", "Transposed: stride 2", 43, 2, 800, dict(stride=2)),
    TransposedCase("transposed-odd", "Transposed: stride 2 with output padding", 41, 2, 900,
                   dict(stride=2, padding=1, output_padding=1)),
)


def case_data(case: TransposedCase):
    image, kernel = digits((case.n, case.n), seed=case.seed), kernels.SOBEL_TOP
    return {"image": image, "kernel": kernel,
            "output": conv_transpose2d(image, kernel, **case.conv)}


def case_animation(case: TransposedCase, data):
    plan = plan_conv_transpose2d(data["image"], data["kernel"], **case.conv)
    return ConvAnimation(plan.stretched, plan.kernel, data["output"], real=plan.is_input,
                         products=False, input_title="stretched input",
                         kernel_title="filter, rotated 180\u00b0", input_max=4, cell=SMALL_CELL)


def busiest_step(case: TransposedCase, data) -> int:
    """The first step whose window covers the most real input cells: the key frame."""
    plan = plan_conv_transpose2d(data["image"], data["kernel"], **case.conv)
    counts = [plan.is_input[np.ix_(s.rows, s.cols)].sum()
              for s in case_animation(case, data).steps]
    return int(np.argmax(counts))


def case_caption(case: TransposedCase, data):
    image, kernel, out = data["image"], data["kernel"], data["output"]
    plan = plan_conv_transpose2d(image, kernel, **case.conv)
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


def case_alt(case: TransposedCase, data):
    image, kernel, out = data["image"], data["kernel"], data["output"]
    plan = plan_conv_transpose2d(image, kernel, **case.conv)
    size = ("larger than" if out.shape[0] > image.shape[0] else
            "the same size as" if out.shape[0] == image.shape[0] else "smaller than")
    k = kernel.shape
    return (f"Animation. The {image.shape[0]} by {image.shape[1]} input's numbers sit in a "
            f"larger {plan.stretched.shape[0]} by {plan.stretched.shape[1]} grid whose other "
            f"cells are dashed zeros. A {k[0]} by {k[1]} window slides over it one cell at a "
            f"time, and each stop's sum fills one cell of the {out.shape[0]} by "
            f"{out.shape[1]} output, which is {size} the input.")


def case_figure(case: TransposedCase) -> FigureSpec:
    return FigureSpec(
        case.name, title=case.title,
        caption=lambda data: case_caption(case, data), alt=lambda data: case_alt(case, data),
        compute=lambda: case_data(case), animate=lambda data: case_animation(case, data),
        timing=Timing(frame_ms=case.frame_ms, key=lambda data: busiest_step(case, data)))


FIGURES = tuple(case_figure(case) for case in CASES)
