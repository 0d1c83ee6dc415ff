"""Convolution arithmetic: how big the output is, and how much padding a word means.

Padding is always counted **per side**, as in Dumoulin & Visin, "A guide to
convolution arithmetic for deep learning" (2016) and in PyTorch. (d2l.ai counts
the total over both sides; the two conventions must not be mixed.)
"""

from __future__ import annotations

from . import _sizes, _validate as v


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
    v.window_fits(f"k={k} with dilation={dilation}", effective_size(k, dilation),
                  n + 2 * padding, f"n={n}, padding={padding}")
    span = n + 2 * padding - effective_size(k, dilation)
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


def transposed_output_size(n: int, k: int, *, stride: int = 1, padding: int = 0,
                           output_padding: int = 0, dilation: int = 1) -> int:
    """Size of the output of a transposed convolution along one axis.

    ``o' = (n - 1)s - 2p + d(k - 1) + a + 1``, PyTorch's formula for
    ``torch.nn.functional.conv_transpose2d``, with `a` the `output_padding`.
    With ``d = 1`` it is Dumoulin & Visin's relationship 14,
    ``o' = s(i' - 1) + a + k - 2p``, which covers their relationships 8-13.
    `stride`, `padding` and `dilation` are those of the *direct* convolution
    being transposed, so with ``output_padding < stride`` this undoes
    :func:`output_size`: the direct convolution maps ``o'`` back to ``n``.

    Parameters
    ----------
    n : int
        Input size along the axis (``i'`` in Dumoulin & Visin).
    k : int
        Kernel size along the axis.
    stride, padding, dilation : int
        As in :func:`convdocs.conv2d`; `padding` is per side.
    output_padding : int
        Extra cells at the bottom (or right) end of the output. A strided
        convolution maps ``s`` input sizes to the same output size; this picks
        one of them. PyTorch requires ``output_padding < max(stride, dilation)``.

    Returns
    -------
    int
        At least 1; a configuration with an empty output is refused.

    Examples
    --------
    Dumoulin & Visin's padded, strided case: a 3x3 kernel with ``s = 2, p = 1``
    maps 5 to 3, and its transpose maps 3 back to 5.

    >>> transposed_output_size(3, 3, stride=2, padding=1)
    5

    The odd case: 6 also maps to 3, and ``output_padding=1`` recovers 6.

    >>> transposed_output_size(3, 3, stride=2, padding=1, output_padding=1)
    6
    >>> transposed_output_size(3, 3, dilation=2)
    7
    """
    n = v.positive_int(n, "n")
    k = v.positive_int(k, "k")
    stride = v.positive_int(stride, "stride")
    padding = v.nonnegative_int(padding, "padding")
    output_padding = v.nonnegative_int(output_padding, "output_padding")
    dilation = v.positive_int(dilation, "dilation")
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding must be smaller than stride or dilation "
            f"(got output_padding={output_padding} with stride={stride}, dilation={dilation})")
    out = _sizes.transposed_span(n, k, stride, padding, output_padding, dilation)
    v.output_not_empty(out, f"padding={padding}", f"n={n}, k={k}, stride={stride}, "
                       f"dilation={dilation}, output_padding={output_padding}")
    return out
