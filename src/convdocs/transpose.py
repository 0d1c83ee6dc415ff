"""Transposed convolution, computed as the direct convolution Dumoulin & Visin draw.

A transposed convolution scatters: every input value adds ``value * kernel``
into the output, the copies ``s`` cells apart. The same numbers come out of an
ordinary convolution with stride 1 (Dumoulin & Visin, 2016, section 4), which
is what the explainer animates and what this module computes:

1. *stretch* the input by inserting ``s - 1`` zeros between neighbouring cells;
2. pad each side with ``d(k - 1) - p`` zeros, plus `output_padding` more at the
   bottom and right (a negative amount crops instead);
3. slide the kernel, **rotated by 180 degrees**, over it with stride 1 and the
   same dilation, using :func:`convdocs.conv.plan_conv2d` and
   :func:`convdocs.conv.run_plan`.

`stride`, `padding`, `dilation` and `output_padding` mean what they mean in
``torch.nn.functional.conv_transpose2d``: the first three describe the direct
convolution being transposed (so `padding` *removes* ``p`` cells from each
side of the full scatter), and the result equals PyTorch's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _sizes, _validate as v
from .conv import ConvPlan, plan_conv2d, run_plan
from .steps import Step, conv_plan_steps


@dataclass(frozen=True)
class TransposePlan:
    """The equivalent direct convolution of a transposed convolution, ready to draw.

    Attributes
    ----------
    image_shape : tuple of int
        Shape of the original input, ``(H, W)`` or ``(H, W, C)``.
    stretched : ndarray, shape (Hs, Ws) or (Hs, Ws, C)
        The input with ``s - 1`` zeros between cells and its padding (or
        cropping): what the flipped kernel slides over with stride 1.
    is_input : ndarray of bool, shape (Hs, Ws)
        True where `stretched` holds a value of the original input; False for
        inserted zeros and padding.
    input_index : ndarray of int, shape (Hs, Ws, 2)
        For a cell where `is_input` is True, the (row, col) of the original
        input it holds; ``(-1, -1)`` elsewhere.
    kernel : ndarray, shape (kh, kw)
        The kernel rotated by 180 degrees: ``kernel[i, j] = original[kh-1-i, kw-1-j]``.
    pads : ((int, int), (int, int))
        ``((top, bottom), (left, right))`` cells added around the zero-inserted
        input: ``d(k - 1) - p`` per side, plus `output_padding` at the bottom
        and right. Negative numbers are cells cropped off.
    stride, padding, output_padding, dilation : (int, int)
        The arguments, as (rows, cols) pairs.
    conv : ConvPlan
        The plan of the stride-1 convolution over `stretched` (no padding of
        its own), which :func:`conv_transpose2d` runs.

    All arrays are read-only: the animation and the computation share them.
    """

    image_shape: tuple[int, ...]
    stretched: np.ndarray
    is_input: np.ndarray
    input_index: np.ndarray
    kernel: np.ndarray
    pads: tuple[tuple[int, int], tuple[int, int]]
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    conv: ConvPlan

    @property
    def out_shape(self) -> tuple[int, ...]:
        """Shape of the result: ``(H', W')`` or ``(H', W', C)``."""
        return self.conv.out_shape


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _landing(n: int, s: int, top: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The input cells that land on a stretched axis of `length` cells, and where.

    Input cell i lands at ``top + s*i``. The arithmetic is in Python's ints, and numpy
    sees only positions inside the axis and, when two or more cells land, a stride
    smaller than it, so a huge stride cannot overflow.
    """
    first = max(0, -(top // s))                  # the first i with top + s*i >= 0
    last = min(n - 1, (length - 1 - top) // s)   # the last i with top + s*i < length
    kept = np.arange(first, last + 1)
    if kept.size == 0:
        return kept, kept
    return kept, (top + s * first) + (s if kept.size > 1 else 0) * np.arange(kept.size)


def plan_conv_transpose2d(image, kernel, *, stride=1, padding=0, output_padding=0,
                          dilation=1) -> TransposePlan:
    """Validate the arguments of :func:`conv_transpose2d` and build its equivalent convolution.

    Takes the same arguments as :func:`conv_transpose2d`; see
    :class:`TransposePlan` for what it returns.

    Examples
    --------
    Stride 2 puts one zero between input cells; a 2x2 kernel with no padding
    adds ``d(k - 1) - p = 1`` zero on each side.

    >>> plan = plan_conv_transpose2d([[1, 2], [3, 4]], [[1, 2], [3, 4]], stride=2)
    >>> plan.stretched
    array([[0., 0., 0., 0., 0.],
           [0., 1., 0., 2., 0.],
           [0., 0., 0., 0., 0.],
           [0., 3., 0., 4., 0.],
           [0., 0., 0., 0., 0.]])
    >>> plan.input_index[3, 3].tolist(), plan.kernel.tolist(), plan.out_shape
    ([1, 1], [[4.0, 3.0], [2.0, 1.0]], (4, 4))
    """
    x = v.image(image)
    k = v.real_array(kernel, "kernel", (2, 3))
    if k.ndim == 3:
        raise ValueError(
            f"kernel must be 2-D (kh, kw) for a transposed convolution: a 3-D kernel "
            f"(kh, kw, C) that sums over channels is not supported by conv_transpose2d "
            f"(got kernel shape {k.shape})")
    stride = v.positive_pair(stride, "stride")
    padding = v.nonnegative_pair(padding, "padding")
    output_padding = v.nonnegative_pair(output_padding, "output_padding")
    dilation = v.positive_pair(dilation, "dilation")
    for axis, name in ((0, "rows"), (1, "cols")):
        if output_padding[axis] >= max(stride[axis], dilation[axis]):
            raise ValueError(
                f"output_padding must be smaller than stride or dilation along {name} "
                f"(got output_padding={output_padding} with stride={stride}, "
                f"dilation={dilation})")
        size = _sizes.transposed_span(x.shape[axis], k.shape[axis], stride[axis],
                                      padding[axis], output_padding[axis], dilation[axis])
        v.output_not_empty(size, f"padding={padding}",
                           f"image shape {x.shape}, kernel shape {k.shape}, stride={stride}, "
                           f"dilation={dilation}, output_padding={output_padding}", name)

    pads, lengths = [], []
    for axis in (0, 1):
        side = dilation[axis] * (k.shape[axis] - 1) - padding[axis]
        pads.append((side, side + output_padding[axis]))
        lengths.append((x.shape[axis] - 1) * stride[axis] + 1 + sum(pads[-1]))
    # Sizes are checked before anything is built (the output is never larger).
    because = f"stride={stride} with dilation={dilation}"
    v.cells_fit(tuple(lengths) + x.shape[2:], "the stretched input", because)
    v.cells_fit(tuple(lengths) + (2,), "the stretched input's index map", because)
    kept, where = zip(*(_landing(x.shape[a], stride[a], pads[a][0], lengths[a]) for a in (0, 1)))
    cells = np.ix_(where[0], where[1])
    stretched = np.zeros(tuple(lengths) + x.shape[2:])
    stretched[cells] = x[np.ix_(kept[0], kept[1])]
    is_input = np.zeros(tuple(lengths), dtype=bool)
    is_input[cells] = True
    input_index = np.full(tuple(lengths) + (2,), -1, dtype=np.intp)
    input_index[cells] = np.stack(np.meshgrid(kept[0], kept[1], indexing="ij"), axis=-1)
    flipped = np.ascontiguousarray(k[::-1, ::-1])
    conv = plan_conv2d(_frozen(stretched), _frozen(flipped), dilation=dilation)
    return TransposePlan(x.shape, stretched, _frozen(is_input), _frozen(input_index), flipped,
                         (pads[0], pads[1]), stride, padding, output_padding, dilation, conv)


def conv_transpose2d(image, kernel, *, stride=1, padding=0, output_padding=0, dilation=1):
    """Transposed convolution, with the numbers of ``torch.nn.functional.conv_transpose2d``.

    Each input value adds ``value * kernel`` into the output at its own
    position times the stride; then `padding` cells are cut off each side.
    It is the adjoint (the gradient with respect to the input) of
    :func:`convdocs.conv2d` with the same kernel, stride, padding and dilation,
    and it maps an input of ``conv2d``'s output size back to ``conv2d``'s input
    size. It is computed as the equivalent direct convolution: see
    :func:`plan_conv_transpose2d`.

    Parameters
    ----------
    image : array of shape (H, W) or (H, W, C)
        Any real numbers; NaN and inf are refused. Channels are transformed
        independently (PyTorch's ``groups=C`` with one kernel per channel).
    kernel : array of shape (kh, kw)
        Applied to each channel on its own. 3-D kernels are not supported.
    stride : int or (rows, cols)
        Stride of the direct convolution: the spacing, in the output, between
        the copies of the kernel that neighbouring input cells scatter.
    padding : int or (rows, cols)
        Padding of the direct convolution, per side: that many cells are
        removed from each side of the output.
    output_padding : int or (rows, cols)
        Cells added at the bottom and right of the output, to pick which of the
        input sizes that a strided convolution maps to the same size comes back.
        Must be smaller than `stride` or `dilation` (PyTorch's rule).
    dilation : int or (rows, cols)
        Spacing between kernel taps.

    Returns
    -------
    ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = (H - 1)s - 2p + d(kh - 1) + output_padding + 1``, likewise for
        ``W'``; see :func:`convdocs.arithmetic.transposed_output_size`.

    Raises
    ------
    TypeError, ValueError
        For bad arguments, naming the argument and its value; among them a
        stretched input of more than ``convdocs.MAX_CELLS`` values (a huge
        `stride` or `dilation`), refused before anything is allocated.

    Examples
    --------
    With a kernel of ones and stride 1, each output cell counts the input
    cells whose 3x3 copy of the kernel covers it:

    >>> conv_transpose2d([[1, 1], [1, 1]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]])
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])

    With stride 2 the copies start 2 cells apart and overlap in row and column 2:

    >>> conv_transpose2d([[1, 2], [3, 4]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]], stride=2)
    array([[ 1.,  1.,  3.,  2.,  2.],
           [ 1.,  1.,  3.,  2.,  2.],
           [ 4.,  4., 10.,  6.,  6.],
           [ 3.,  3.,  7.,  4.,  4.],
           [ 3.,  3.,  7.,  4.,  4.]])
    """
    return run_plan(plan_conv_transpose2d(image, kernel, stride=stride, padding=padding,
                                          output_padding=output_padding,
                                          dilation=dilation).conv)


def conv_transpose2d_steps(image, kernel, *, stride=1, padding=0, output_padding=0,
                           dilation=1) -> list[Step]:
    """Trace :func:`conv_transpose2d` as its equivalent direct convolution.

    Returns what :func:`convdocs.conv2d_steps` returns for the stride-1
    convolution of ``plan.kernel`` (the flipped kernel) over ``plan.stretched``,
    where ``plan = plan_conv_transpose2d(...)`` with the same arguments. So:

    * ``Step.rows`` and ``Step.cols`` are coordinates in ``plan.stretched``, not
      in the original image; the window of output cell ``(r, c)`` starts at
      ``(r, c)``. ``plan.input_index[np.ix_(step.rows, step.cols)]`` maps them
      back to the image.
    * ``Step.inside`` is True everywhere (every cell of `stretched` exists);
      which cells hold input values is ``plan.is_input[np.ix_(step.rows, step.cols)]``.
    * ``Step.values`` are cells of `stretched`, ``Step.products`` are
      ``values * plan.kernel``, and ``Step.result`` equals the output of
      :func:`conv_transpose2d` at ``Step.out`` bit for bit.

    Examples
    --------
    The stretched input here is the 2x2 image with one zero on each side; the
    flipped kernel is [[4, 3], [2, 1]]. The first window sees only the image's
    corner, the middle one all four values: 1*4 + 2*3 + 3*2 + 4*1 = 20.

    >>> steps = conv_transpose2d_steps([[1, 2], [3, 4]], [[1, 2], [3, 4]])
    >>> steps[0].values.tolist(), steps[0].products.tolist(), steps[0].result
    ([[0.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, 1.0]], 1.0)
    >>> steps[4].out, steps[4].products.tolist(), steps[4].result
    ((1, 1), [[4.0, 6.0], [6.0, 4.0]], 20.0)
    """
    plan = plan_conv_transpose2d(image, kernel, stride=stride, padding=padding,
                                 output_padding=output_padding, dilation=dilation)
    v.steps_fit(math.prod(plan.out_shape[:2]), "conv_transpose2d_steps", "conv_transpose2d",
                plan.image_shape)
    return conv_plan_steps(plan.conv, plan.stretched.shape)
