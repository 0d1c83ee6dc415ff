"""Pooling: summarise each window by its largest value or its mean.

Channels are pooled independently. Padding, ``ceil_mode`` and
``count_include_pad`` follow PyTorch's ``max_pool2d`` and ``avg_pool2d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _sizes, _validate as v
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


def _divisors(n: int, k: int, s: int, p: int, out: int, include_pad: bool) -> np.ndarray:
    """How many cells each window along one axis averages over (PyTorch's rule)."""
    # (A stride past the padded input leaves one window: keep numpy's ints small.)
    start = np.arange(out) * min(s, n + 2 * p) - p
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
    v.window_fits(f"size={size}", size, tuple(x.shape[a] + 2 * pads[a] for a in (0, 1)),
                  f"image shape {x.shape}, padding {pads}")
    out_hw = tuple(output_size(x.shape[a], size[a], stride=stride[a], padding=pads[a],
                               ceil_mode=ceil_mode) for a in (0, 1))
    # ceil_mode can let the last window hang over the padded edge: pad that too.
    widths = tuple((pads[a], max(pads[a], (out_hw[a] - 1) * stride[a] + size[a]
                                 - x.shape[a] - pads[a])) for a in (0, 1))
    # The output is never larger than the padded input: one size check covers both.
    because = (f"padding={v.show(padding)} with size={size}" if any(pads)
               else f"image of shape {x.shape}")
    v.cells_fit(tuple(x.shape[a] + sum(widths[a]) for a in (0, 1)) + x.shape[2:],
                "the padded input", because)
    padded = pad(x, widths, "zeros", value=-np.inf if op == "max" else 0.0)
    divisor = None
    if op == "avg":
        rows, cols = (_divisors(x.shape[a], size[a], stride[a], pads[a], out_hw[a],
                                count_include_pad) for a in (0, 1))
        if np.all(rows == rows[0]) and np.all(cols == cols[0]):   # every window whole
            divisor = np.broadcast_to(rows[0] * cols[0], out_hw)
        else:
            divisor = np.multiply.outer(rows, cols)
    return PoolPlan(op, padded, size, stride, pads, out_hw + x.shape[2:], divisor)


def run_plan(plan: PoolPlan) -> np.ndarray:
    """Reduce the window's rows first (whole padded rows at once), then its columns.

    For a sum that fixes the order: each window column is added top to bottom,
    then the column sums left to right, exactly as the step trace adds them.
    Whole rows keep memory access contiguous, and blocks of rows keep the
    scratch buffer in cache: together they make this as fast as PyTorch.
    """
    (sh, sw), (oh, ow) = plan.stride, plan.out_shape[:2]
    kh, kw = plan.size
    reduce = np.maximum if plan.op == "max" else np.add
    out = np.empty(plan.out_shape)
    block = max(1, _sizes.BLOCK_VALUES // max(1, plan.padded[0].size))
    scratch = np.empty((min(block, oh),) + plan.padded.shape[1:])
    for r0 in range(0, oh, block):
        r1 = min(oh, r0 + block)
        rows = scratch[:r1 - r0]
        views = [plan.padded[i + r0 * sh: i + (r1 - 1) * sh + 1: sh] for i in range(kh)]
        _fold(reduce, views, rows)
        cols = [rows[:, j: j + (ow - 1) * sw + 1: sw] for j in range(kw)]
        _fold(reduce, cols, out[r0:r1])
    if plan.op == "avg":
        divisor = plan.divisor
        if divisor.strides == (0, 0):            # one number for every window
            divisor = divisor[0, 0]
        elif out.ndim == 3:
            divisor = divisor[..., None]
        np.divide(out, divisor, out=out)
    return out


def _fold(reduce, views, out):
    """out = reduce(reduce(v0, v1), v2)..., in that order."""
    if len(views) == 1:
        out[...] = views[0]
        return out
    reduce(views[0], views[1], out=out)
    for view in views[2:]:
        reduce(out, view, out=out)
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

    Raises
    ------
    TypeError, ValueError
        For bad arguments, naming the argument and its value; among them a window
        larger than the padded input (which PyTorch accepts with `ceil_mode`) and
        a padded input of more than ``convdocs.MAX_CELLS`` values.

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


def global_max_pool(image) -> np.ndarray:
    """The largest value of each channel: the two spatial axes reduced away.

    Parameters
    ----------
    image : array of shape (H, W) or (H, W, C)

    Returns
    -------
    ndarray of float64, shape () or (C,)
        Always an array, like ``image.max(axis=(0, 1))`` would be for an array: shape
        () for an (H, W) image, whose one value ``float(out)`` gives, and (C,) for
        (H, W, C).

    Examples
    --------
    >>> global_max_pool([[1, 7], [3, 2]])
    array(7.)
    >>> global_max_pool([[[1, 10], [7, 20]], [[3, 30], [2, 40]]])
    array([ 7., 40.])
    """
    return np.asarray(v.image(image).max(axis=(0, 1)))


def global_avg_pool(image) -> np.ndarray:
    """The mean of each channel: shape () for (H, W), (C,) for (H, W, C).

    Returns an array in every case, as :func:`global_max_pool` does.

    >>> global_avg_pool([[1, 7], [3, 1]])
    array(3.)
    >>> float(global_avg_pool([[1, 7], [3, 1]]))
    3.0
    """
    return np.asarray(v.image(image).mean(axis=(0, 1)))
