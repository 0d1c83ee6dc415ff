"""Sizes the operations share: a size formula and the engines' block size.

Private to the package: conv, pool, transpose and arithmetic import from here
rather than from each other's private names.
"""

from __future__ import annotations

# Rows are processed in blocks of about this many output values, so that the running
# sum and the scratch buffer stay in cache while every tap is added.
BLOCK_VALUES = 1 << 15  # 256 KiB of float64: measured best on a 2 MiB L2


def transposed_span(n: int, k: int, stride: int, padding: int, output_padding: int,
                    dilation: int) -> int:
    """The transposed size formula alone, unchecked (it may come out below 1).

    ``(n - 1)s - 2p + d(k - 1) + a + 1``: shared by
    :func:`convdocs.arithmetic.transposed_output_size` and the transposed plan.
    """
    return (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1
