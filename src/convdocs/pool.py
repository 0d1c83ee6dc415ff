"""Pooling: summarise each window by its largest value or its mean.

Channels are pooled independently. Padding, ``ceil_mode`` and
``count_include_pad`` follow PyTorch's ``max_pool2d`` and ``avg_pool2d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .arithmetic import output_size
from .conv import pad

POOL_OPS = ("max", "avg")


@dataclass(frozen=True)
class PoolPlan:
    """Everything a pooling call decides before it reduces: shared with the step trace."""

    op: str                     # "max" or "avg"
    padded: np.ndarray          # padded with -inf (max) or 0 (avg), ceil_mode overhang included
    size: tuple[int, int]
    stride: tuple[int, int]
    pads: tuple[int, int]       # per side, before the ceil_mode overhang
    out_shape: tuple[int, ...]
    divisor: np.ndarray | None  # (H', W') cell counts for "avg"

    def taps(self):
        """Yield (row offset, col offset) in reduction order."""
        for i in range(self.size[0]):
            for j in range(self.size[1]):
                yield i, j


def _divisors(n: int, k: int, s: int, p: int, out: int, include_pad: bool) -> np.ndarray:
    """How many cells each window along one axis averages over (PyTorch's rule)."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)
    if not include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, n)
    return (end - start).astype(np.float64)


def plan_pool2d(image, size=2, *, op="max", stride=None, padding=0, ceil_mode=False,
                count_include_pad=True) -> PoolPlan:
    """Validate pooling arguments and pad the input."""
    op = v.choice(op, "op", POOL_OPS)
    x = v.image(image)
    size = v.positive_pair(size, "size")
    stride = size if stride is None else v.positive_pair(stride, "stride")
    pads = v.nonnegative_pair(padding, "padding")
    ceil_mode = v.flag(ceil_mode, "ceil_mode")
    count_include_pad = v.flag(count_include_pad, "count_include_pad")
    for p, k in zip(pads, size):
        if 2 * p > k:
            raise ValueError(f"padding must be at most half the window (got padding={padding} "
                             f"for size={size})")
    for axis in (0, 1):
        if size[axis] > x.shape[axis] + 2 * pads[axis]:
            raise ValueError(f"size {size} is larger than the padded input "
                             f"(image shape {x.shape}, padding {pads})")
    out_hw = tuple(output_size(x.shape[a], size[a], stride=stride[a], padding=pads[a],
                               ceil_mode=ceil_mode) for a in (0, 1))
    # ceil_mode can let the last window hang over the padded edge: pad that too.
    widths = tuple((pads[a], max(pads[a], (out_hw[a] - 1) * stride[a] + size[a]
                                 - x.shape[a] - pads[a])) for a in (0, 1))
    padded = pad(x, widths, "zeros", value=-np.inf if op == "max" else 0.0)
    divisor = None
    if op == "avg":
        rows, cols = (_divisors(x.shape[a], size[a], stride[a], pads[a], out_hw[a],
                                count_include_pad) for a in (0, 1))
        divisor = np.multiply.outer(rows, cols)
    return PoolPlan(op, padded, size, stride, pads, out_hw + x.shape[2:], divisor)


def run_plan(plan: PoolPlan) -> np.ndarray:
    """Reduce one window offset at a time over all windows at once."""
    (sh, sw), (oh, ow) = plan.stride, plan.out_shape[:2]
    views = (plan.padded[i: i + (oh - 1) * sh + 1: sh, j: j + (ow - 1) * sw + 1: sw]
             for i, j in plan.taps())
    out = np.array(next(views), dtype=np.float64)
    reduce = np.maximum if plan.op == "max" else np.add
    for view in views:
        reduce(out, view, out=out)
    if plan.op == "avg":
        divisor = plan.divisor if out.ndim == 2 else plan.divisor[..., None]
        np.divide(out, divisor, out=out)
    return out


def max_pool2d(image, size=2, *, stride=None, padding=0, ceil_mode=False):
    """Keep the largest value of each `size` window.

    Parameters
    ----------
    image : array of shape (H, W) or (H, W, C)
    size : int or (rows, cols)
        Window size.
    stride : int or (rows, cols), optional
        Step between windows; defaults to `size` (windows that tile the image).
    padding : int or (rows, cols)
        Cells of -inf added on each side, at most half the window.
    ceil_mode : bool
        Keep a last, partial window instead of dropping the leftover cells.

    Examples
    --------
    >>> max_pool2d([[1, 2, 0, 0], [3, 4, 0, 5], [0, 0, 1, 1], [0, 9, 1, 1]])
    array([[4., 5.],
           [9., 1.]])
    """
    return run_plan(plan_pool2d(image, size, op="max", stride=stride, padding=padding,
                                ceil_mode=ceil_mode))


def avg_pool2d(image, size=2, *, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Replace each `size` window by its mean.

    Parameters are those of :func:`max_pool2d`, with zeros as padding, plus
    `count_include_pad`: whether padded zeros count in the divisor.

    Examples
    --------
    >>> avg_pool2d([[1, 2, 0, 0], [3, 4, 0, 8], [0, 0, 1, 1], [0, 8, 1, 1]])
    array([[2.5, 2. ],
           [2. , 1. ]])
    """
    return run_plan(plan_pool2d(image, size, op="avg", stride=stride, padding=padding,
                                ceil_mode=ceil_mode, count_include_pad=count_include_pad))


def global_max_pool(image):
    """The largest value of each channel: a float for (H, W), shape (C,) for (H, W, C).

    >>> global_max_pool([[1, 7], [3, 2]])
    7.0
    """
    x = v.image(image)
    out = x.max(axis=(0, 1))
    return float(out) if x.ndim == 2 else out


def global_avg_pool(image):
    """The mean of each channel: a float for (H, W), shape (C,) for (H, W, C).

    >>> global_avg_pool([[1, 7], [3, 1]])
    3.0
    """
    x = v.image(image)
    out = x.mean(axis=(0, 1))
    return float(out) if x.ndim == 2 else out
