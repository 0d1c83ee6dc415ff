"""Example inputs that several pages share: the photo's crops, small number grids,
and an image through a named catalogue kernel. Computed by the library; no drawing."""

from __future__ import annotations

from functools import cache

import numpy as np

from .. import images, kernels
from ..conv import conv2d
from ..pool import avg_pool2d

FACE = (slice(80, 208), slice(64, 192))   # a 128 x 128 crop of the half-size photo


@cache
def _small_photo() -> np.ndarray:
    photo = avg_pool2d(images.photo(), 2)
    photo.flags.writeable = False      # shared by every caller: nobody may change it
    return photo


def small_photo() -> np.ndarray:
    """The photo at half size (300 x 256), averaged 2x2 by our own pooling."""
    return _small_photo()


def face() -> np.ndarray:
    """A 128 x 128 crop of the half-size photo: the face, glasses and cap."""
    return small_photo()[FACE]


def close_face() -> np.ndarray:
    """A 96 x 96 crop of the face: eyes, glasses, nose and mouth."""
    return face()[4:100, 16:112]


def digits(shape, seed: int) -> np.ndarray:
    """Small whole numbers (0-4) for hand-checkable examples."""
    return images.numbers(shape, high=5, seed=seed)


def filtered(image, name: str, **kwargs) -> np.ndarray:
    """`image` through the named catalogue kernel, padded to keep its size."""
    return conv2d(image, kernels.get(name).values, padding="same", **kwargs)


BANK = ("vertical_edges", "horizontal_edges", "sobel_left", "outline")


def bank_maps(image) -> np.ndarray:
    """`image` through the four filters of the bank, stacked as channels (H, W, 4)."""
    return np.stack([filtered(image, n) for n in BANK], axis=-1)
