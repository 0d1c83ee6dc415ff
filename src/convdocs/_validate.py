"""Guard clauses shared by every public function.

Each check names the parameter and the value it received, so that bad input
never surfaces as a numpy error from deep inside an operation.
"""

from __future__ import annotations

import decimal
import math
import numbers

import numpy as np

from . import _sizes

PADDING_WORDS = ("valid", "same", "full")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def show(value: object) -> str:
    """A short repr for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _at(index: tuple) -> str:
    return f" at index {index}" if index else ""


def _unmasked(value: np.ma.MaskedArray, name: str) -> np.ndarray:
    """The data of a masked array with nothing masked; numpy.asarray would drop the mask."""
    mask = np.ma.getmaskarray(value)
    if mask.any():
        where = tuple(int(i) for i in np.argwhere(mask)[0])
        raise ValueError(f"{name} must have no masked cells (got {int(mask.sum())} masked, "
                         f"the first at index {where}); fill them first, e.g. .filled(0)")
    return np.ma.getdata(value)


def _objects_as_floats(arr: np.ndarray, name: str) -> np.ndarray:
    """An object array of real numbers (ints beyond int64, fractions) as float64."""
    for index, item in np.ndenumerate(arr):
        if not isinstance(item, (numbers.Real, decimal.Decimal, np.bool_)):
            raise TypeError(f"{name} must hold real numbers (got {show(item)}{_at(index)})")
    try:
        return arr.astype(np.float64)
    except (OverflowError, ValueError):   # an int beyond float64's range, Decimal("sNaN")
        for index, item in np.ndenumerate(arr):
            try:
                float(item)
            except OverflowError:
                raise ValueError(f"{name} must be finite (got {show(item)}{_at(index)}, "
                                 f"beyond float64's range)") from None
            except ValueError:
                raise ValueError(f"{name} must be finite (got {show(item)}{_at(index)})") \
                    from None
        raise


def real_array(value: object, name: str, ndims: tuple[int, ...]) -> np.ndarray:
    """Return `value` as a finite float64 array with one of `ndims` dimensions."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers (got {show(value)})")
    if isinstance(value, np.ma.MaskedArray):
        value = _unmasked(value, name)
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array (got {show(value)})") from exc
    if arr.dtype == object:
        arr = _objects_as_floats(arr, name)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    if arr.ndim not in ndims:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be {wanted} (got shape {arr.shape})")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty (got shape {arr.shape})")
    given = arr
    with np.errstate(over="ignore"):   # a long double beyond float64: checked below
        arr = arr.astype(np.float64, copy=False)
    # One cheap pass: the sum is finite unless a NaN or inf is present (or it
    # overflows, which the exact check below then clears).
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(arr, axis=None)
    if not np.isfinite(total) and not np.isfinite(arr).all():
        bad = ~np.isfinite(arr)
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        if np.isfinite(given[where]):
            raise ValueError(f"{name} must be finite (got {given[where]} at index {where}, "
                             f"beyond float64's range)")
        raise ValueError(f"{name} must be finite (got {arr[where]} at index {where})")
    return arr


def image(value: object, name: str = "image") -> np.ndarray:
    """An image is (H, W) or (H, W, C)."""
    return real_array(value, name, (2, 3))


def positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer (got {show(value)})")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (got {value})")
    return int(value)


def nonnegative_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer (got {show(value)})")
    if value < 0:
        raise ValueError(f"{name} must be >= 0 (got {value})")
    return int(value)


def _pair(value: object, name: str, check) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (rows, cols) pair (got {show(value)})")
        return check(value[0], name), check(value[1], name)
    return check(value, name), check(value, name)


def positive_pair(value: object, name: str) -> tuple[int, int]:
    """An int or a (rows, cols) pair of ints, each at least 1 (stride, dilation, size)."""
    return _pair(value, name, positive_int)


def nonnegative_pair(value: object, name: str) -> tuple[int, int]:
    """An int or a (rows, cols) pair of ints, each at least 0 (padding)."""
    return _pair(value, name, nonnegative_int)


def choice(value: object, name: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed} (got {show(value)})")
    return value


def cells_fit(shape: tuple, what: str, because: str, error: type = ValueError) -> None:
    """Refuse to build an array of `shape` with more than MAX_CELLS values.

    `because` names the arguments that made it so big, with their values.
    """
    count, limit = math.prod(shape), _sizes.MAX_CELLS
    if count > limit:
        raise error(f"{because} would make {what} of shape {tuple(shape)}: {count} values, "
                    f"more than convdocs.MAX_CELLS ({limit})")


def products_fit(kernel_shape: tuple, out_shape: tuple) -> None:
    """Refuse a convolution of more than MAX_PRODUCTS multiplications (taps x outputs)."""
    count, limit = math.prod(kernel_shape) * math.prod(out_shape), _sizes.MAX_PRODUCTS
    if count > limit:
        raise ValueError(f"kernel of shape {tuple(kernel_shape)} over an output of shape "
                         f"{tuple(out_shape)} needs {count} multiplications, more than "
                         f"convdocs.MAX_PRODUCTS ({limit}); use a smaller kernel or image")


def steps_fit(count: int, function: str, operation: str, image_shape: tuple) -> None:
    """Refuse a trace of more than MAX_STEPS steps, before any step is built."""
    limit = _sizes.MAX_STEPS
    if count > limit:
        raise ValueError(f"{function} would make {count} steps, more than convdocs.MAX_STEPS "
                         f"({limit}): traces are for the small grids a figure shows, so trace "
                         f"a crop of the image, or call {operation} for the numbers alone "
                         f"(got image of shape {tuple(image_shape)})")


def window_fits(window: str, spans, padded, context: str) -> None:
    """Refuse a window (a kernel or a pooling size) larger than the padded input.

    `spans` and `padded` are ints (one axis) or (rows, cols) pairs; `window` names the
    parameter and its value, `context` the rest of the call.
    """
    pairs = zip(spans, padded) if isinstance(spans, tuple) else [(spans, padded)]
    if any(span > room for span, room in pairs):
        raise ValueError(f"{window} is larger than the padded input: it spans {spans} but the "
                         f"padded input is {padded} ({context})")


def output_not_empty(size: int, culprit: str, context: str, axis: str = "") -> None:
    """Refuse a configuration whose output would have `size` < 1 cells (along `axis`)."""
    if size < 1:
        along = f" along {axis}" if axis else ""
        raise ValueError(f"{culprit} is too large: the output would have size {size}{along} "
                         f"({context})")


def flag(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False (got {show(value)})")
    return bool(value)
