"""Convolution arithmetic: how big the output is, and how much padding a word means.

Padding is always counted **per side**, as in Dumoulin & Visin, "A guide to
convolution arithmetic for deep learning" (2016) and in PyTorch. (d2l.ai counts
the total over both sides; the two conventions must not be mixed.)
"""

from __future__ import annotations

from . import _validate as v


def effective_size(k: int, dilation: int = 1) -> int:
    """The span a kernel of `k` taps covers when `dilation - 1` gaps sit between taps.

    >>> effective_size(3, dilation=2)
    5
    """
    return k + (k - 1) * (dilation - 1)


def output_size(n: int, k: int, *, stride: int = 1, padding: int = 0,
                dilation: int = 1, ceil_mode: bool = False) -> int:
    """Size of the output along one axis.

    ``o = floor((n + 2p - k - (k - 1)(d - 1)) / s) + 1`` with `p` counted per side,
    which is Dumoulin & Visin's relationship 15 and covers their relationships
    1-7 as special cases. With ``ceil_mode=True`` the division rounds up, as
    pooling does in PyTorch, except that a window may not start in the
    right-hand padding.

    Parameters
    ----------
    n : int
        Input size along the axis.
    k : int
        Kernel (or pooling window) size along the axis.
    stride, padding, dilation : int
        As in :func:`convdocs.conv2d`; `padding` is per side.
    ceil_mode : bool
        Round the division up instead of down.

    Examples
    --------
    The "odd" case: with stride 2 the last row of a 6-row input is skipped.

    >>> output_size(6, 3, stride=2, padding=1)
    3
    >>> output_size(7, 3, dilation=2)
    3
    >>> output_size(5, 2, stride=2, ceil_mode=True)
    3
    """
    n = v.positive_int(n, "n")
    k = v.positive_int(k, "k")
    stride = v.positive_int(stride, "stride")
    padding = v.nonnegative_int(padding, "padding")
    dilation = v.positive_int(dilation, "dilation")
    ceil_mode = v.flag(ceil_mode, "ceil_mode")
    span = n + 2 * padding - effective_size(k, dilation)
    if span < 0:
        raise ValueError(
            f"k must fit in the padded input: effective size {effective_size(k, dilation)} "
            f"> {n + 2 * padding} (n={n}, padding={padding}, dilation={dilation})")
    out = -(-span // stride) + 1 if ceil_mode else span // stride + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1  # the last window would start in the right-hand padding
    return out


def resolve_padding(padding: object, kernel_shape: tuple[int, int],
                    dilation: tuple[int, int], stride: tuple[int, int]
                    ) -> tuple[tuple[int, int], tuple[int, int]]:
    """Turn a padding argument into ((top, bottom), (left, right)).

    ``"same"`` pads ``d(k - 1)`` in total, putting the odd cell (for even
    kernels) at the bottom and right, as PyTorch does.

    >>> resolve_padding("same", (4, 3), (1, 1), (1, 1))
    ((1, 2), (1, 1))
    >>> resolve_padding("full", (3, 3), (1, 1), (2, 2))
    ((2, 2), (2, 2))
    """
    if isinstance(padding, str):
        word = v.choice(padding, "padding", v.PADDING_WORDS)
        totals = [d * (k - 1) for k, d in zip(kernel_shape, dilation)]
        if word == "valid":
            return (0, 0), (0, 0)
        if word == "full":
            return (totals[0], totals[0]), (totals[1], totals[1])
        if stride != (1, 1):
            raise ValueError(f"padding='same' needs stride 1 (got stride={stride})")
        return tuple((t // 2, t - t // 2) for t in totals)  # type: ignore[return-value]
    rows, cols = v.nonnegative_pair(padding, "padding")
    return (rows, rows), (cols, cols)
