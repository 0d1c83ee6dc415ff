"""A tiny convolutional network built from the package's own operations.

No learning happens here: the filters are chosen by hand, so every feature
map can be explained. The point is to show what the stages of a CNN do to an
image, and how far into the input each output cell can see.

:func:`relu` is defined here, next to its layer, and exported as ``convdocs.relu``
with the other operations; this module's own exports are the layers.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .arithmetic import effective_size
from .conv import conv2d
from .pool import avg_pool2d, max_pool2d

__all__ = ["Conv", "Pool", "ReLU", "forward", "receptive_fields"]


def relu(x) -> np.ndarray:
    """Rectified linear unit: negatives become 0, everything else passes.

    >>> relu([[-2, 0, 3]]).tolist()
    [[0.0, 0.0, 3.0]]
    """
    return np.maximum(v.image(x, "x"), 0.0)


@dataclass(frozen=True)
class Conv:
    """A convolution layer: a bank of filters, each (kh, kw) or (kh, kw, C)."""

    filters: tuple
    padding: object = 0
    stride: int = 1
    name: str = "conv"

    def __post_init__(self):
        if len(self.filters) == 0:
            raise ValueError("filters must hold at least one filter (got an empty bank)")
        shapes = {np.shape(f)[:2] for f in self.filters}
        if len(shapes) != 1 or len(next(iter(shapes))) != 2 or \
                next(iter(shapes))[0] != next(iter(shapes))[1]:
            raise ValueError(f"filters must be square and all the same size (got {shapes})")
        v.positive_int(self.stride, "stride")

    @property
    def size(self) -> int:
        return int(np.shape(self.filters[0])[0])

    def __call__(self, x):
        x = v.image(x, "x")
        if x.ndim == 3 and any(np.ndim(f) == 2 for f in self.filters):
            raise ValueError(f"filters must be (k, k, C) for an input with channels "
                             f"(got a 2-D filter for x of shape {x.shape})")
        maps = [conv2d(x, f, stride=self.stride, padding=self.padding) for f in self.filters]
        return np.stack(maps, axis=-1)


@dataclass(frozen=True)
class ReLU:
    name: str = "ReLU"
    size: int = 1
    stride: int = 1

    def __call__(self, x):
        return relu(x)


@dataclass(frozen=True)
class Pool:
    """Max (or average) pooling, each channel on its own."""

    size: int = 2
    stride: int | None = None
    op: str = "max"
    name: str = "pool"

    def __post_init__(self):
        v.positive_int(self.size, "size")
        if self.stride is not None:
            v.positive_int(self.stride, "stride")
        v.choice(self.op, "op", ("max", "avg"))

    def __call__(self, x):
        fn = max_pool2d if self.op == "max" else avg_pool2d
        return fn(x, self.size, stride=self.stride)


def _layers(layers) -> list:
    """`layers` as a list of layers: each callable, with an int size and stride (or None)."""
    try:
        layers = list(layers)
    except TypeError:
        raise TypeError(f"layers must be a list of layers (got {v.show(layers)})") from None
    for i, layer in enumerate(layers):
        size, stride = getattr(layer, "size", None), getattr(layer, "stride", None)
        if not (callable(layer) and isinstance(size, numbers.Integral)
                and (stride is None or isinstance(stride, numbers.Integral))):
            raise TypeError(f"layers must be cnn layers (Conv, ReLU, Pool), each with a size and "
                            f"a stride (got {v.show(layer)} at index {i})")
    return layers


def forward(image, layers) -> list[np.ndarray]:
    """Run `layers` in order; return the input and every layer's output."""
    outs = [v.image(image)]
    for layer in _layers(layers):
        outs.append(layer(outs[-1]))
    return outs


def receptive_fields(layers) -> list[tuple[int, int]]:
    """(size, jump) after each layer: how many input pixels one cell sees, and how far
    apart neighbouring cells' views start, along one axis.

    Each layer with window k and stride s grows the view by (k - 1) times the
    current jump, then multiplies the jump by s.

    >>> receptive_fields([Pool(2), Pool(2)])
    [(1, 1), (2, 2), (4, 4)]
    """
    size, jump = 1, 1
    fields = [(size, jump)]
    for layer in _layers(layers):
        k = effective_size(layer.size)
        stride = layer.stride or layer.size
        size += (k - 1) * jump
        jump *= stride
        fields.append((size, jump))
    return fields
