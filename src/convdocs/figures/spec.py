"""What a figure is: one row of the figure table.

This module is the leaf of the figure package: it imports nothing from
convdocs, so page modules, the renderer and the build can all depend on it.

A figure's numbers flow one way. ``compute()`` runs once per build and
returns the figure's *data*: every array the picture shows, by name. That
same data is handed to the drawing, the caption and the alt text, and the
manifest records it, so what the manifest says is what the picture shows.

An animated figure also has ``animate(data)``, which returns a
:class:`Frames` object: a static layer drawn once and a moving layer per
step that returns the artists it added (matplotlib's blitting contract). A
static figure has ``draw(fig, theme, data)`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

# Every figure's licence, stated once: in each file's metadata, the manifest, the gallery
# and the site's footer. The code is MIT (LICENSE); the figures are CC BY 4.0.
COPYRIGHT = "\u00a9 2026 the convdocs authors"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE_URL = "https://convdocs.github.io/convdocs/"
ATTRIBUTION = f"Figure from convdocs ({SOURCE_URL}), {COPYRIGHT}, {LICENCE}"

Data = Mapping[str, Any]            # name -> array (or number) the picture shows
Text = str | Callable[[Data], str]  # a fixed sentence, or one computed from the data


class Frames(Protocol):
    """An animation: ``frames`` steps; frame k is ``moving(static(fig, theme), k)``."""

    frames: int

    def static(self, fig, theme) -> Any:
        """Draw what every frame shares; return a context for :meth:`moving`."""

    def moving(self, ctx, step: int) -> list:
        """Draw step `step` over the static layer; return every artist it added."""


@dataclass(frozen=True)
class Timing:
    """How an animation plays: ms per frame, its key frame and its print strip.

    Negative steps count from the end. The static PNG is the key frame, and
    the print strip shows `strip` (by default the first, key and last frames).
    The key may be a function of the figure's data, for a frame chosen by
    what it shows.
    """

    frame_ms: int
    key: int | Callable[[Data], int] = 0   # a step, or a function that finds it in the data
    strip: tuple[int, ...] = ()

    def key_index(self, n: int, data: Data) -> int:
        key = self.key(data) if callable(self.key) else self.key
        return key % n

    def strip_steps(self, n: int, data: Data) -> list[int]:
        return [s % n for s in (self.strip or (0, self.key_index(n, data), n - 1))]


@dataclass(frozen=True)
class Part:
    """One slide of a figure that declares its slides: what it shows, in a few words (the
    slide's title follows the figure's), and how to draw it: ``draw(fig, theme, data)``,
    like a static figure's own draw, showing only this part of the figure's data."""

    title: str
    draw: Callable[..., None]


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the table. `page` is filled in by the catalogue from the
    module that lists the figure; nothing else about a figure is implied by
    where it is or what it is called."""

    name: str
    title: str
    caption: Text
    alt: Text
    compute: Callable[[], Data]
    draw: Callable[..., None] | None = None          # static: draw(fig, theme, data)
    animate: Callable[[Data], Frames] | None = None  # animated: animate(data) -> Frames
    timing: Timing | None = None
    # A static figure too big for one slide may say how it goes on slides: parts(data) is
    # its sequence of Part, each drawn on a slide of its own. Together the parts show what
    # the figure shows. Without it, a figure too big for a slide is cut where it is blank.
    parts: Callable[[Data], tuple[Part, ...]] | None = None
    page: str = ""

    def __post_init__(self):
        if (self.draw is None) == (self.animate is None):
            raise ValueError(f"figure {self.name!r} needs exactly one of draw and animate")
        if (self.animate is None) != (self.timing is None):
            raise ValueError(f"figure {self.name!r}: an animation needs a timing, and only "
                             f"an animation has one")
        if self.parts is not None and self.animated:
            raise ValueError(f"figure {self.name!r}: only a static figure declares its "
                             f"slide parts")

    @property
    def animated(self) -> bool:
        return self.animate is not None

    def text(self, field: str, data: Data) -> str:
        """The caption or alt text, computed from `data` when it is a function."""
        value = getattr(self, field)
        return value(data) if callable(value) else value


# -- file names: stable, because teachers' slides and the site link to them ---------------

EXTENSIONS = {"png": "png", "svg": "svg", "gif": "gif", "frames": "frames.png",
              "thumb": "thumb.png", "player": "player.webp"}


LAYOUTS = ("page", "phone")   # the layouts whose files are committed in figures/


def kinds(spec: FigureSpec, layout: str = "page") -> tuple[str, ...]:
    """The kinds of file a figure has in a layout.

    On the page: a 2x PNG, an SVG and a small thumbnail for the gallery's index; an
    animation also has a GIF, a print strip of its frames and the site player's atlas of
    its 2x frames. On a phone: the 2x PNG; an animation also has its GIF (1x, the no-JS
    fallback) and its player atlas.
    """
    if layout == "phone":
        return ("gif", "player", "png") if spec.animated else ("png",)
    return (("gif", "frames", "player", "png", "svg", "thumb") if spec.animated
            else ("png", "svg", "thumb"))


def file_name(name: str, theme: str, kind: str, layout: str = "page") -> str:
    """``NAME.THEME.EXT`` on the page, for example ``grid.dark.png`` or
    ``convolution.light.frames.png``; ``NAME.LAYOUT.THEME.EXT`` in another layout, such as
    ``grid.phone.dark.png``, ``grid.slide.light.svg`` or ``tiny-cnn.slide-2.dark.png``."""
    if layout == "page":
        return f"{name}.{theme}.{EXTENSIONS[kind]}"
    return f"{name}.{layout}.{theme}.{EXTENSIONS[kind]}"


def file_names(spec: FigureSpec, themes) -> list[str]:
    """Every committed file of a figure: page and phone layouts, every theme."""
    return [file_name(spec.name, theme, kind, layout) for layout in LAYOUTS
            for theme in themes for kind in kinds(spec, layout)]
