"""One hypothesis strategy for every valid configuration the tests draw: configs(op).

A configuration is valid by construction, never drawn and thrown away: along each
axis the window comes first, then the padding, then an input size at least as large
as the padded window needs (and, for reflect and circular padding, as PyTorch
requires). For a transposed convolution the padding is drawn last, at most what
leaves an output of one cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

MODES = ("zeros", "reflect", "replicate", "circular")
SETTINGS = settings(max_examples=60, deadline=None, database=None)


@dataclass(frozen=True)
class Config:
    """A configuration convdocs accepts.

    op : "conv", "pool" or "transpose"
    shape : the image's shape, (H, W) or (H, W, C)
    kernel : the kernel's shape, (kh, kw) or (kh, kw, C); None for pooling
    kwargs : the operation's keyword arguments as (rows, cols) pairs or a padding word;
        for pooling they include `size` and suit max_pool2d and avg_pool2d alike
    pads : ((top, bottom), (left, right)) cells of padding the operation adds
        (for "transpose", the padding it removes from each side of the scatter)
    """

    op: str
    shape: tuple
    kernel: tuple | None
    kwargs: dict
    pads: tuple

    def arrays(self, seed: int):
        """A normal random image and kernel (None for pooling) of the right shapes."""
        rng = np.random.default_rng(seed)
        x = rng.normal(size=self.shape)
        return x, None if self.kernel is None else rng.normal(size=self.kernel)


def _at_least(draw, low: int, high: int) -> int:
    """An int from low to high, or low itself when low is above high."""
    return draw(st.integers(low, max(low, high)))


@st.composite
def configs(draw, op: str, *, max_side: int = 7, max_kernel: int = 4, max_stride: int = 3,
            max_dilation: int = 2, max_padding: int = 3, channels=(0,), modes=MODES,
            words: bool = False, centred: bool = False, padded: bool = True,
            kernel_channels: bool | None = None) -> Config:
    """A valid configuration of `op` ("conv", "pool" or "transpose").

    max_side etc. : upper bounds of what is drawn (an input side may exceed max_side
        when the window needs it)
    channels : channel counts to choose from; 0 means a 2-D image
    modes : padding modes to choose from (convolution)
    words : let convolution padding be "valid", "same" or "full" too
    centred : convolution padding at most (span - 1) // 2 per side, so every window's
        centre lies in the input (as scipy.ndimage computes)
    padded : let pooling pad (at most half the window)
    kernel_channels : for an image with channels, a (kh, kw, C) filter summing over them
        (True), a 2-D kernel applied to each channel (False), or either (None)
    """
    c = draw(st.sampled_from(channels))
    extra = (c,) if c else ()
    if op == "conv":
        return _conv(draw, extra, max_side, max_kernel, max_stride, max_dilation, max_padding,
                     modes, words, centred, kernel_channels)
    if op == "pool":
        return _pool(draw, extra, max_side, max_kernel, max_stride, padded)
    if op == "transpose":
        return _transpose(draw, extra, max_side, max_kernel, max_stride, max_dilation,
                          max_padding)
    raise ValueError(f"op must be 'conv', 'pool' or 'transpose' (got {op!r})")


def _conv(draw, extra, max_side, max_kernel, max_stride, max_dilation, max_padding, modes,
          words, centred, kernel_channels):
    mode = draw(st.sampled_from(modes))
    word = draw(st.sampled_from([None, None, "valid", "same", "full"])) if words else None
    shape, kernel, stride, dilation, pads = [], [], [], [], []
    for _ in range(2):
        k, d = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_dilation))
        span = d * (k - 1) + 1
        if word is None:
            p = draw(st.integers(0, (span - 1) // 2 if centred else max_padding))
            sides = (p, p)
        else:
            total = {"valid": 0, "same": d * (k - 1), "full": 2 * d * (k - 1)}[word]
            sides = (total // 2, total - total // 2)
        low = max(1, span - sum(sides))                # the window fits the padded input
        if mode == "reflect":
            low = max(low, max(sides) + 1)             # PyTorch: padding < size
        elif mode == "circular":
            low = max(low, max(sides))                 # PyTorch: padding <= size
        shape.append(_at_least(draw, low, max_side))
        kernel.append(k)
        dilation.append(d)
        stride.append(1 if word == "same" else draw(st.integers(1, max_stride)))
        pads.append(sides)
    if extra and (draw(st.booleans()) if kernel_channels is None else kernel_channels):
        kernel += extra                                # one filter summing over channels
    padding = word if word is not None else (pads[0][0], pads[1][0])
    kwargs = dict(stride=tuple(stride), padding=padding, dilation=tuple(dilation),
                  padding_mode=mode)
    return Config("conv", tuple(shape) + extra, tuple(kernel), kwargs, tuple(pads))


def _pool(draw, extra, max_side, max_kernel, max_stride, padded):
    shape, size, stride, padding = [], [], [], []
    for _ in range(2):
        k = draw(st.integers(1, max_kernel))
        p = draw(st.integers(0, k // 2)) if padded else 0   # PyTorch: at most half the window
        shape.append(_at_least(draw, max(1, k - 2 * p), max_side))
        size.append(k)
        padding.append(p)
        stride.append(draw(st.integers(1, max_stride)))
    kwargs = dict(size=tuple(size), stride=tuple(stride), padding=tuple(padding),
                  ceil_mode=draw(st.booleans()))
    return Config("pool", tuple(shape) + extra, None, kwargs, tuple((p, p) for p in padding))


def _transpose(draw, extra, max_side, max_kernel, max_stride, max_dilation, max_padding):
    shape, kernel, stride, dilation, padding, output_padding = [], [], [], [], [], []
    for _ in range(2):
        n, k = draw(st.integers(1, max_side)), draw(st.integers(1, max_kernel))
        s, d = draw(st.integers(1, max_stride)), draw(st.integers(1, max_dilation))
        a = draw(st.integers(0, max(s, d) - 1))       # PyTorch: below stride or dilation
        # (n - 1)s - 2p + d(k - 1) + a + 1 >= 1
        p = draw(st.integers(0, min(max_padding, ((n - 1) * s + d * (k - 1) + a) // 2)))
        for values, value in zip((shape, kernel, stride, dilation, padding, output_padding),
                                 (n, k, s, d, p, a)):
            values.append(value)
    kwargs = dict(stride=tuple(stride), padding=tuple(padding),
                  output_padding=tuple(output_padding), dilation=tuple(dilation))
    return Config("transpose", tuple(shape) + extra, tuple(kernel), kwargs,
                  tuple((p, p) for p in padding))
