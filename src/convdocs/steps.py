"""Step-by-step traces of convolution and pooling, for the animations to draw.

A trace is built from the same plan (padding, taps, summation order) as the
operation itself, so every ``Step.result`` equals the matching output value
of :func:`convdocs.conv2d` or the pooling functions bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .conv import ConvPlan, plan_conv2d
from .pool import PoolPlan, plan_pool2d


@dataclass(frozen=True)
class Step:
    """One output cell and the window that produced it.

    Attributes
    ----------
    index : int
        Position in reading order (row by row).
    out : (int, int)
        Output row and column.
    rows, cols : ndarray of int
        Input coordinates of the window's rows and columns. Coordinates below
        0 or past the input's edge are padded cells.
    inside : ndarray of bool, shape (kh, kw)
        True where the window covers a real input pixel.
    values : ndarray, shape (kh, kw) or (kh, kw, C)
        What the window sees, padding included.
    products : ndarray or None
        ``values * kernel`` for convolution; None for pooling.
    result : float or ndarray of shape (C,)
        The output value(s) of this cell.
    divisor : float or None
        For average pooling, how many cells the sum was divided by.
    """

    index: int
    out: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    inside: np.ndarray
    values: np.ndarray
    products: np.ndarray | None
    result: float | np.ndarray
    divisor: float | None = None

    @property
    def coords(self) -> list[tuple[int, int]]:
        """The window's (row, col) input coordinates in reading order."""
        return [(int(r), int(c)) for r in self.rows for c in self.cols]


def _scalar(value):
    return float(value) if np.ndim(value) == 0 else value


def _offsets(taps: int, spacing: int) -> np.ndarray:
    """0, spacing, 2*spacing ... for `taps` taps. With two or more taps the window fits
    the input, so the numbers are small; a single tap is 0 whatever the spacing."""
    return np.arange(taps) * (spacing if taps > 1 else 0)


def _window(padded, pads, top, left, offsets_r, offsets_c, shape):
    rows_p, cols_p = top + offsets_r, left + offsets_c
    rows, cols = rows_p - pads[0], cols_p - pads[1]
    inside = np.logical_and.outer((rows >= 0) & (rows < shape[0]),
                                  (cols >= 0) & (cols < shape[1]))
    return rows, cols, inside, padded[np.ix_(rows_p, cols_p)]


def conv_plan_steps(plan: ConvPlan, shape) -> list[Step]:
    """Trace a convolution plan; `shape` is the unpadded input's, to mark padded cells.

    The engine behind :func:`conv2d_steps` and
    :func:`convdocs.transpose.conv_transpose2d_steps`.
    """
    kernel = plan.kernel
    kh, kw = kernel.shape[:2]
    offsets_r, offsets_c = _offsets(kh, plan.dilation[0]), _offsets(kw, plan.dilation[1])
    weights = kernel[..., None] if (kernel.ndim == 2 and plan.padded.ndim == 3) else kernel
    steps = []
    oh, ow = plan.out_shape[:2]
    for r in range(oh):
        for c in range(ow):
            rows, cols, inside, values = _window(
                plan.padded, (plan.pads[0][0], plan.pads[1][0]), r * plan.stride[0],
                c * plan.stride[1], offsets_r, offsets_c, shape)
            products = values * weights
            if kernel.ndim == 3:   # one filter summing over channels: taps are (i, j, c)
                terms = products.reshape(-1)
            else:                  # each channel on its own: taps are (i, j)
                terms = products.reshape((kh * kw,) + plan.out_shape[2:])
            acc = terms[0]
            for term in terms[1:]:  # the order of ConvPlan.taps(), one rounding per add
                acc = acc + term
            steps.append(Step(len(steps), (r, c), rows, cols, inside, values, products,
                              _scalar(acc)))
    return steps


def conv2d_steps(image, kernel, *, stride=1, padding=0, dilation=1,
                 padding_mode="zeros") -> list[Step]:
    """Trace :func:`convdocs.conv2d`: one :class:`Step` per output cell, in reading order.

    Meant for the small grids an animation shows; it takes the same arguments
    as ``conv2d`` and gives the same numbers. A trace of more than
    ``convdocs.MAX_STEPS`` steps (10,000: 100 x 100 output cells) is refused with a
    ``ValueError`` before any step is built.

    >>> first = conv2d_steps([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])[0]
    >>> first.values.tolist(), first.products.tolist(), first.result
    ([[0.0, 1.0], [3.0, 4.0]], [[0.0, 1.0], [6.0, 12.0]], 19.0)
    """
    plan = plan_conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation,
                       padding_mode=padding_mode)
    v.steps_fit(math.prod(plan.out_shape[:2]), "conv2d_steps", "conv2d", np.shape(image))
    return conv_plan_steps(plan, np.shape(image))


def pool_plan_steps(plan: PoolPlan, shape) -> list[Step]:
    """Trace a pooling plan; `shape` is the unpadded input's, to mark padded cells."""
    kh, kw = plan.size
    offsets_r, offsets_c = np.arange(kh), np.arange(kw)
    steps = []
    oh, ow = plan.out_shape[:2]
    for r in range(oh):
        for c in range(ow):
            rows, cols, inside, values = _window(
                plan.padded, plan.pads, r * plan.stride[0], c * plan.stride[1],
                offsets_r, offsets_c, shape)
            reduce = np.maximum if plan.op == "max" else np.add
            column = values[0]
            for row in values[1:]:           # down each window column first ...
                column = reduce(column, row)
            acc = column[0]
            for value in column[1:]:         # ... then across: the order of pool.run_plan
                acc = reduce(acc, value)
            divisor = None
            if plan.op == "avg":
                divisor = float(plan.divisor[r, c])
                acc = acc / divisor
            steps.append(Step(len(steps), (r, c), rows, cols, inside, values, None,
                              _scalar(acc), divisor))
    return steps


def pool2d_steps(image, size=2, *, op="max", stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True) -> list[Step]:
    """Trace :func:`convdocs.max_pool2d` (``op="max"``) or :func:`convdocs.avg_pool2d`.

    Like :func:`conv2d_steps`, it refuses a trace of more than ``convdocs.MAX_STEPS``
    steps.

    >>> [s.result for s in pool2d_steps([[1, 2, 0, 0], [3, 4, 0, 5]], op="max")]
    [4.0, 5.0]
    """
    plan = plan_pool2d(image, size, op=op, stride=stride, padding=padding,
                       ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    v.steps_fit(math.prod(plan.out_shape[:2]), "pool2d_steps",
                "max_pool2d" if plan.op == "max" else "avg_pool2d", np.shape(image))
    return pool_plan_steps(plan, np.shape(image))
