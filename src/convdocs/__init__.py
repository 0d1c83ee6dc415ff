"""convdocs: convolution and pooling, computed once and drawn from the same numbers.

The operations are importable from here; ``convdocs.cnn`` holds the tiny CNN's
layers, ``convdocs.learn`` their gradients and training, ``convdocs.kernels`` the
named filters and ``convdocs.images`` the sample images and :func:`load_image`.

>>> import convdocs
>>> convdocs.output_size(5, 3, stride=2, padding=1)
3
"""

from . import cnn, images, kernels, learn
from ._sizes import MAX_CELLS, MAX_PRODUCTS, MAX_STEPS
from .arithmetic import output_size, transposed_output_size
from .cnn import relu
from .conv import conv2d
from .images import ImageFileError, ImageTooLargeError, MissingImageError, load_image, photo
from .pool import avg_pool2d, global_avg_pool, global_max_pool, max_pool2d
from .steps import Step, conv2d_steps, pool2d_steps
from .transpose import conv_transpose2d, conv_transpose2d_steps, plan_conv_transpose2d

__all__ = [
    "ImageFileError", "ImageTooLargeError", "MAX_CELLS", "MAX_PRODUCTS", "MAX_STEPS",
    "MissingImageError", "Step", "avg_pool2d", "cnn", "conv2d", "conv2d_steps", "conv_transpose2d",
    "conv_transpose2d_steps", "global_avg_pool", "global_max_pool", "images", "kernels",
    "learn", "load_image", "max_pool2d", "output_size", "photo", "plan_conv_transpose2d",
    "pool2d_steps", "relu", "transposed_output_size",
]
# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0"
