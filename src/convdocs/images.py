"""Sample images: the story's grid, simple test patterns, a real photo, your own file.

Synthetic images hold 0 (black) and 1 (white). Photos hold grey levels from
0 to 255 as float64. No generator or file makes an array of more than
``convdocs.MAX_CELLS`` values.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from . import _validate as v

# What load_image reads: the common raster formats, decoded by Pillow itself. Others,
# EPS among them (Pillow runs Ghostscript on it), are refused. (A JPEG with extra
# pictures, as phones write them, opens as "MPO" through "JPEG".)
FORMATS = ("BMP", "GIF", "JPEG", "PNG", "PPM", "TIFF", "WEBP")

# What load_image may do with transparency when asked (alpha=...).
ALPHA = ("drop", "white", "black")


class ImageFileError(ValueError):
    """A file given to :func:`load_image` could not be read as an image."""


class MissingImageError(ImageFileError, FileNotFoundError):
    """The file given to :func:`load_image` does not exist."""


class ImageTooLargeError(ImageFileError):
    """The picture in a file is too large to decode: more pixels than Pillow's
    decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``), or more values
    than ``convdocs.MAX_CELLS``."""


def grid(cells: int = 3, cell_size: int = 6, line_width: int = 2) -> np.ndarray:
    """Black lines (0) on white (1), framed by a black border.

    The border is black so that zero padding adds no edge of its own.

    >>> g = grid(cells=2, cell_size=2, line_width=1)
    >>> g.astype(int).tolist()[:2]
    [[0, 0, 0, 0, 0, 0, 0], [0, 1, 1, 0, 1, 1, 0]]
    """
    cells = v.positive_int(cells, "cells")
    cell_size = v.positive_int(cell_size, "cell_size")
    line_width = v.positive_int(line_width, "line_width")
    period = cell_size + line_width
    n = cells * period + line_width
    v.cells_fit((n, n), "a grid", f"cells={cells}, cell_size={cell_size}, "
                                  f"line_width={line_width}")
    on_line = (np.arange(n) % period) < line_width
    return (~np.logical_or.outer(on_line, on_line)).astype(np.float64)


def checkerboard(squares: int = 4, square_size: int = 2) -> np.ndarray:
    """Alternating black and white squares, starting black at the top left.

    >>> checkerboard(2, 1).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    squares = v.positive_int(squares, "squares")
    square_size = v.positive_int(square_size, "square_size")
    n = squares * square_size
    v.cells_fit((n, n), "a checkerboard", f"squares={squares}, square_size={square_size}")
    index = np.arange(n) // square_size
    return (np.add.outer(index, index) % 2).astype(np.float64)


def step_edge(size: int = 8, *, vertical: bool = True) -> np.ndarray:
    """Black on the left (or top) half, white on the other: one straight edge.

    >>> step_edge(4)[0].tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    size = v.positive_int(size, "size")
    if size < 2:
        raise ValueError(f"size must be at least 2 to hold an edge (got {size})")
    v.cells_fit((size, size), "a step edge", f"size={size}")
    ramp = (np.arange(size) >= size // 2).astype(np.float64)
    row = np.broadcast_to(ramp, (size, size))
    return np.array(row if vertical else row.T)


def _to_array(img: Image.Image, gray: bool, where: str = "") -> np.ndarray:
    if img.mode.startswith("I;16"):
        # 16-bit grey: scale 0-65535 onto 0-255 rather than let Pillow clip it to white.
        grey = np.asarray(img, dtype=np.float64) * (255 / 65535)
        return grey if gray else np.repeat(grey[..., None], 3, axis=2)
    if img.mode in ("I", "F"):
        raise ImageFileError(f"{where}image mode {img.mode!r} (32-bit) is not supported; "
                             f"save the file as 8- or 16-bit")
    # Pillow's "L" conversion is ITU-R 601-2 luma: L = R*299/1000 + G*587/1000 + B*114/1000.
    return np.asarray(img.convert("L" if gray else "RGB"), dtype=np.float64)


def photo(gray: bool = True) -> np.ndarray:
    """A real photograph that ships with matplotlib: Grace Hopper's portrait.

    It loads from matplotlib's sample data, so it needs no network.
    Returns (600, 512) grey levels, or (600, 512, 3) RGB with ``gray=False``.

    >>> photo().shape
    (600, 512)
    """
    from matplotlib import cbook

    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as img:
        return _to_array(img, v.flag(gray, "gray"))


def load_image(path, *, gray: bool = True, alpha: str | None = None,
               frame: int | None = None) -> np.ndarray:
    """Load your own image file as grey levels (H, W) or RGB (H, W, 3), 0 to 255.

    The picture is turned upright as its EXIF orientation says (phones store photos
    sideways and set that tag). 16-bit grey levels are scaled onto 0 to 255 with
    their fractions kept (65535 becomes 255).

    Parameters
    ----------
    path : str or Path
        A BMP, GIF, JPEG, PNG, PPM, TIFF or WebP file (see ``FORMATS``).
    gray : bool
        Grey levels (ITU-R 601-2 luma, as Pillow computes it) or RGB.
    alpha : {None, "drop", "white", "black"}
        What to do with transparency (an alpha channel or a transparent colour).
        None, the default, refuses such a file: its transparent pixels hold
        colours that no viewer shows. "drop" keeps the stored colours and ignores
        the transparency; "white" and "black" lay the picture over that background.
    frame : int, optional
        Which frame to read, from 0, of an animated GIF, PNG or WebP or a
        multi-page TIFF. Such a file is refused without it. A phone's JPEG with
        extra pictures (MPO) reads its first, the photo, unless told otherwise.

    Returns
    -------
    ndarray of float64, shape (H, W) or (H, W, 3)

    Raises
    ------
    MissingImageError
        The file does not exist (also a ``FileNotFoundError``).
    ImageTooLargeError
        More pixels than Pillow's decompression-bomb limit, or more values than
        ``convdocs.MAX_CELLS``.
    ImageFileError
        Anything else that stops the file being read: not an image, a format
        not in ``FORMATS``, damaged, transparent without `alpha`, several frames
        without `frame`, a `frame` past the last. Every message names the file;
        all three classes are ``ValueError``.
    """
    gray = v.flag(gray, "gray")
    if alpha is not None:
        v.choice(alpha, "alpha", ALPHA)
    if frame is not None:
        frame = v.nonnegative_int(frame, "frame")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or Path (got {type(path).__name__})")
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise MissingImageError(f"path {name!r} is not an existing file")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=FORMATS) as img:
                return _decode(img, name, gray, alpha, frame)
    except ImageFileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(f"path {name!r} is too large to load safely ({exc})") from None
    except UnidentifiedImageError as exc:
        raise ImageFileError(f"path {name!r} is not an image in a format convdocs reads "
                             f"({', '.join(FORMATS)})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageFileError(f"path {name!r} is a damaged image file ({exc})") from exc


def _decode(img: Image.Image, name: str, gray: bool, alpha: str | None,
            frame: int | None) -> np.ndarray:
    """The guards of load_image that need the opened file, then the pixels."""
    frames = getattr(img, "n_frames", 1)
    if frame is None and frames > 1 and img.format != "MPO":
        raise ImageFileError(f"path {name!r} holds {frames} frames; pick one with frame= "
                             f"(0 to {frames - 1})")
    if frame is not None and frame >= frames:
        raise ImageFileError(f"frame must be below the file's frame count (got {frame}) for "
                             f"path {name!r}, which holds {frames} frame"
                             f"{'s' if frames > 1 else ''}")
    if frame:
        img.seek(frame)
    width, height = img.size
    v.cells_fit((height, width) + (() if gray else (3,)), "an image", f"path {name!r}",
                error=ImageTooLargeError)
    img.load()
    if img.has_transparency_data:
        if alpha is None:
            raise ImageFileError(f"path {name!r} has transparency (alpha); say how to read it: "
                                 f"alpha='drop' keeps the stored colours, alpha='white' or "
                                 f"'black' lays the picture over that background")
        img = _flatten(img, alpha)
    return _to_array(ImageOps.exif_transpose(img), gray, f"path {name!r}: ")


def _flatten(img: Image.Image, alpha: str) -> Image.Image:
    """An RGB picture without transparency: the stored colours, or laid over white/black."""
    rgba = img.convert("RGBA")
    if alpha == "drop":
        return rgba.convert("RGB")
    level = 255 if alpha == "white" else 0
    background = Image.new("RGBA", rgba.size, (level, level, level, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def numbers(shape=(5, 5), *, high: int = 5, seed: int = 0) -> np.ndarray:
    """Small whole numbers from 0 to `high` - 1, from a fixed seed: arithmetic you can check by hand.

    >>> numbers((2, 3), high=10, seed=1).shape
    (2, 3)
    """
    rows, cols = v.positive_pair(shape, "shape")
    high = v.positive_int(high, "high")
    seed = v.nonnegative_int(seed, "seed")
    if high > 2**53:
        raise ValueError(f"high must be at most 2**53, so that every number is exact in "
                         f"float64 (got {high})")
    v.cells_fit((rows, cols), "an array", f"shape={(rows, cols)}")
    return np.random.default_rng(seed).integers(0, high, (rows, cols)).astype(np.float64)


def smiley(size: int = 8) -> np.ndarray:
    """A tiny grey smiley face (0 to 255), drawn from circles: a picture you can read as numbers.

    >>> smiley().shape
    (8, 8)
    """
    size = v.positive_int(size, "size")
    if size < 6:
        raise ValueError(f"size must be at least 6 to draw a face (got {size})")
    v.cells_fit((size, size), "a face", f"size={size}")
    y, x = (np.mgrid[0:size, 0:size] + 0.5) / size - 0.5   # centre of each pixel, -0.5..0.5
    r = np.hypot(x, y)
    face = np.where(r < 0.48, 200.0, 30.0)
    eyes = (np.hypot(np.abs(x) - 0.17, y + 0.13) < 0.09)
    mouth = (np.abs(r - 0.27) < 0.07) & (y > 0.08)
    face[eyes | mouth] = 60.0
    return face
