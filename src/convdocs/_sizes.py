"""Sizes the operations share: the limits on what they build, a size formula, a block size.

Private to the package: the operations import from here rather than from each
other's private names. The three limits are public as ``convdocs.MAX_CELLS``,
``convdocs.MAX_PRODUCTS`` and ``convdocs.MAX_STEPS``. Every operation checks them
with integer arithmetic on its arguments *before* it allocates anything, and
refuses with a ``ValueError`` that names the argument that made the work too
big (see :mod:`convdocs._validate`, which reads them from here when it runs).
"""

from __future__ import annotations

# The most values (cells times channels) that any array an operation builds may hold:
# an output, a padded or stretched input, a sample image, a loaded photo.
# 2**28 float64 values are 2 GiB: a 16384 x 16384 grey image.
MAX_CELLS = 2**28

# The most multiplications one convolution may do: kernel taps times output values.
# 2**36 is a minute or two of arithmetic; a 31 x 31 blur of a 12-megapixel colour
# photo needs about 2**35.
MAX_PRODUCTS = 2**36

# The most steps one trace (conv2d_steps, pool2d_steps, conv_transpose2d_steps) may
# hold. Traces are for the small grids a figure animates: 100 x 100 output cells
# at most, about 13 MB of steps.
MAX_STEPS = 10_000

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
