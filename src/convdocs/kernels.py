"""Named 3x3 kernels, each with a one-line meaning.

Because :func:`convdocs.conv2d` does not flip the kernel, a kernel is read as
it is written: the left column weighs the pixels on the left of the window.

Sources for the numbers:

* Sobel: I. Sobel and G. Feldman, "An isotropic 3x3 image gradient operator"
  (1968), the [1, 2, 1] x [1, 0, -1] pair. The four names say which side of an
  edge comes out positive.
* Vertical and horizontal edges: J. Prewitt, "Object enhancement and
  extraction" (1970), the same gradient with equal row weights.
* Outline (all edges), sharpen and emboss: the standard image-processing
  kernels of those names (the discrete Laplacian with its 8 neighbours;
  identity plus 4-neighbour Laplacian; a diagonal gradient plus the centre).
* Gaussian blur: the binomial [1, 2, 1] / 4 in both directions, the usual 3x3
  stand-in for a Gaussian with sigma of about 0.85.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _const(rows, scale=1.0) -> np.ndarray:
    arr = np.array(rows, dtype=np.float64) * scale
    arr.flags.writeable = False
    return arr


_SMOOTH = np.array([1.0, 2.0, 1.0])   # Sobel's smoothing weights
_DIFF = np.array([1.0, 0.0, -1.0])    # central difference, read left to right

IDENTITY = _const([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
VERTICAL_EDGES = _const(np.outer(np.ones(3), _DIFF))
HORIZONTAL_EDGES = _const(np.outer(_DIFF, np.ones(3)))
OUTLINE = _const([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
BOX_BLUR = _const(np.ones((3, 3)), 1 / 9)
GAUSSIAN_BLUR = _const(np.outer(_SMOOTH, _SMOOTH), 1 / 16)
SHARPEN = _const([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
EMBOSS = _const([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
SOBEL_LEFT = _const(np.outer(_SMOOTH, _DIFF))
SOBEL_RIGHT = _const(-np.outer(_SMOOTH, _DIFF))
SOBEL_TOP = _const(np.outer(_DIFF, _SMOOTH))
SOBEL_BOTTOM = _const(-np.outer(_DIFF, _SMOOTH))


@dataclass(frozen=True)
class Kernel:
    """A named kernel, what it does in one line, and how its output is shown.

    `label` is what the story calls it (the outline kernel is "all edges").
    `signed` says whether its output is a signed response, drawn with zero at
    mid-grey and a colour key; when False (weights that only average or
    copy), the output is an image on the input's own grey scale.
    """

    name: str
    values: np.ndarray
    meaning: str
    label: str = ""
    signed: bool = True

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " "))

    @property
    def words(self) -> str:
        """The catalogue name in words: ``box_blur`` is "box blur"."""
        return self.name.replace("_", " ")


CATALOGUE: dict[str, Kernel] = {k.name: k for k in (
    Kernel("identity", IDENTITY, "Copies each pixel: the output equals the input.",
           signed=False),
    Kernel("vertical_edges", VERTICAL_EDGES,
           "Responds where brightness changes from left to right: vertical edges."),
    Kernel("horizontal_edges", HORIZONTAL_EDGES,
           "Responds where brightness changes from top to bottom: horizontal edges."),
    Kernel("outline", OUTLINE,
           "Responds to edges in every direction; flat areas give zero.", label="all edges"),
    Kernel("box_blur", BOX_BLUR, "Averages each 3x3 neighbourhood with equal weights.",
           signed=False),
    Kernel("gaussian_blur", GAUSSIAN_BLUR,
           "Averages each neighbourhood, weighting the centre most: a softer blur.",
           signed=False),
    Kernel("sharpen", SHARPEN, "Adds each pixel's difference from its neighbours back in.",
           signed=False),
    Kernel("emboss", EMBOSS, "Lights one side of every edge and shades the other, like relief."),
    Kernel("sobel_left", SOBEL_LEFT, "Positive where the left side is brighter than the right."),
    Kernel("sobel_right", SOBEL_RIGHT, "Positive where the right side is brighter than the left."),
    Kernel("sobel_top", SOBEL_TOP, "Positive where the top is brighter than the bottom."),
    Kernel("sobel_bottom", SOBEL_BOTTOM, "Positive where the bottom is brighter than the top."),
)}


def names() -> list[str]:
    """The catalogue's names, in catalogue order."""
    return list(CATALOGUE)


def get(name: str) -> Kernel:
    """Look a kernel up by name; dashes and spaces may stand for underscores.

    >>> get("sobel-left").values[0].tolist()
    [1.0, 0.0, -1.0]
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str (got {name!r})")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in CATALOGUE:
        raise ValueError(f"name must be one of {', '.join(CATALOGUE)} (got {name!r})")
    return CATALOGUE[key]
