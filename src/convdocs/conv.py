"""2-D convolution as CNNs compute it: cross-correlation, no kernel flip."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _sizes, _validate as v
from .arithmetic import effective_size, resolve_padding

# numpy.pad's name for each of PyTorch's padding modes.
_NUMPY_PAD_MODE = {"zeros": "constant", "reflect": "reflect",
                   "replicate": "edge", "circular": "wrap"}


@dataclass(frozen=True)
class ConvPlan:
    """Everything conv2d decides before it multiplies: shared with the step trace."""

    padded: np.ndarray          # the input with its padding, (Hp, Wp) or (Hp, Wp, C)
    kernel: np.ndarray          # (kh, kw) or (kh, kw, C)
    pads: tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))
    stride: tuple[int, int]
    dilation: tuple[int, int]
    out_shape: tuple[int, ...]  # (H', W') or (H', W', C)

    def taps(self):
        """Yield (row offset, col offset, channel or None, weight) in summation order."""
        kh, kw = self.kernel.shape[:2]
        dh, dw = self.dilation
        for i in range(kh):
            for j in range(kw):
                if self.kernel.ndim == 3:
                    for c in range(self.kernel.shape[2]):
                        yield i * dh, j * dw, c, self.kernel[i, j, c]
                else:
                    yield i * dh, j * dw, None, self.kernel[i, j]


def pad(image: np.ndarray, pads, mode: str, *, value: float = 0.0) -> np.ndarray:
    """Pad the two spatial axes; `mode` uses PyTorch's names."""
    widths = tuple(pads) + ((0, 0),) * (image.ndim - 2)
    if not any(any(w) for w in widths):
        return image
    if mode == "zeros":
        return np.pad(image, widths, mode="constant", constant_values=value)
    return np.pad(image, widths, mode=_NUMPY_PAD_MODE[mode])


def plan_conv2d(image, kernel, *, stride=1, padding=0, dilation=1,
                padding_mode="zeros") -> ConvPlan:
    """Validate the arguments of :func:`conv2d` and pad the input."""
    x = v.image(image)
    k = v.real_array(kernel, "kernel", (2, 3))
    if k.ndim == 3 and x.ndim != 3:
        raise ValueError(f"kernel of shape {k.shape} sums over channels, but image is 2-D "
                         f"with no channel axis (image shape {x.shape})")
    if k.ndim == 3 and x.shape[2] != k.shape[2]:
        raise ValueError(f"kernel has {k.shape[2]} channel(s) but image has {x.shape[2]} "
                         f"(kernel shape {k.shape}, image shape {x.shape})")
    stride = v.positive_pair(stride, "stride")
    dilation = v.positive_pair(dilation, "dilation")
    mode = v.choice(padding_mode, "padding_mode", v.PADDING_MODES)
    pads = resolve_padding(padding, k.shape[:2], dilation, stride)
    for axis, name in ((0, "rows"), (1, "cols")):
        n, widest = x.shape[axis], max(pads[axis])
        if mode == "reflect" and widest >= n:
            raise ValueError(f"padding_mode='reflect' needs padding < input size along {name} "
                             f"(got padding {widest} for size {n})")
        if mode == "circular" and widest > n:
            raise ValueError(f"padding_mode='circular' needs padding <= input size along {name} "
                             f"(got padding {widest} for size {n})")
    padded_hw = tuple(x.shape[a] + sum(pads[a]) for a in (0, 1))
    spans = tuple(effective_size(k.shape[a], dilation[a]) for a in (0, 1))
    v.window_fits(f"kernel of shape {k.shape} with dilation={dilation}", spans, padded_hw,
                  f"image shape {x.shape}, padding {pads}")
    # Sizes are checked before anything is built; the output is never larger than
    # the padded input, so one check of the two covers both.
    if not any(map(any, pads)):
        because = f"image of shape {x.shape}"
    elif isinstance(padding, str):
        because = f"padding={padding!r} with dilation={dilation}"
    else:
        because = f"padding={v.show(padding)}"
    v.cells_fit(padded_hw + x.shape[2:], "the padded input", because)
    out_hw = tuple((padded_hw[a] - spans[a]) // stride[a] + 1 for a in (0, 1))
    depthwise = x.ndim == 3 and k.ndim == 2
    out_shape = out_hw + ((x.shape[2],) if depthwise else ())
    v.products_fit(k.shape, out_shape)
    padded = pad(x, pads, mode)
    return ConvPlan(padded, k, pads, stride, dilation, out_shape)


def run_plan(plan: ConvPlan) -> np.ndarray:
    """Add up weight * shifted input, one kernel tap at a time, a block of rows at a time.

    Every output value is ``(w0*x0 + w1*x1) + w2*x2 ...`` in the order of
    :meth:`ConvPlan.taps`, which is exactly the order the step trace uses.
    """
    out = np.empty(plan.out_shape)
    (sh, sw), (oh, ow) = plan.stride, plan.out_shape[:2]
    row_values = max(1, out[0].size)
    block = max(1, _sizes.BLOCK_VALUES // row_values)
    scratch = np.empty((min(block, oh),) + plan.out_shape[1:])
    taps = list(plan.taps())
    for r0 in range(0, oh, block):
        r1 = min(oh, r0 + block)
        acc, tmp = out[r0:r1], scratch[:r1 - r0]
        for n, (di, dj, c, w) in enumerate(taps):
            src = plan.padded[di + r0 * sh: di + (r1 - 1) * sh + 1: sh,
                              dj: dj + (ow - 1) * sw + 1: sw]
            if c is not None:
                src = src[..., c]
            if n == 0:
                np.multiply(src, w, out=acc)
            else:
                np.multiply(src, w, out=tmp)
                np.add(acc, tmp, out=acc)
    return out


def conv2d(image, kernel, *, stride=1, padding=0, dilation=1, padding_mode="zeros"):
    """Slide `kernel` over `image` and write one weighted sum per position.

    This is **cross-correlation**: the kernel is not flipped, which is what
    every CNN library calls convolution. For the equivalent call it returns the
    same numbers as PyTorch's ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    image : array of shape (H, W) or (H, W, C)
        Any real numbers; NaN and inf are refused.
    kernel : array of shape (kh, kw) or (kh, kw, C)
        A 2-D kernel is applied to each channel on its own (output
        ``(H', W')`` or ``(H', W', C)``). A 3-D kernel is one CNN filter: it
        sums across the C channels of the image, so the output is ``(H', W')``.
    stride : int or (rows, cols)
        Step between neighbouring windows.
    padding : int, (rows, cols), "valid", "same" or "full"
        Cells added on *each* side. "same" (stride 1 only) keeps the size;
        "full" adds ``d(k - 1)`` per side so every partial overlap counts.
    dilation : int or (rows, cols)
        Spacing between kernel taps.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
        What the padded cells hold, with PyTorch's meanings.

    Returns
    -------
    ndarray of float64

    Raises
    ------
    TypeError, ValueError
        For bad arguments, with a message that names the argument and its value.
        Among them: a padded input of more than ``convdocs.MAX_CELLS`` values, or
        more than ``convdocs.MAX_PRODUCTS`` multiplications, refused before
        anything is allocated.

    Examples
    --------
    >>> conv2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    array([[19., 25.],
           [37., 43.]])
    >>> conv2d([[1, 2, 3, 4]], [[1, -1]], stride=2)
    array([[-1., -1.]])
    """
    return run_plan(plan_conv2d(image, kernel, stride=stride, padding=padding,
                                dilation=dilation, padding_mode=padding_mode))
