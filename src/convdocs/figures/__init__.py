"""The figures: every picture of the site, as one table, rendered from the library's numbers.

Everything that needs matplotlib lives here; ``import convdocs`` does not import
it. The table is :data:`convdocs.figures.catalogue.FIGURES` (one page module
per site page), the renderer is :mod:`~convdocs.figures.render`, and
``convdocs build`` (:mod:`~convdocs.figures.build`) writes ``figures/``.

In a notebook, draw any figure by name:

>>> from convdocs import figures
>>> png = figures.png("grid")            # doctest: +SKIP
>>> from IPython.display import Image    # doctest: +SKIP
>>> Image(png)                           # doctest: +SKIP
"""

from __future__ import annotations


def names() -> list[str]:
    """Every figure's name, in site order."""
    from .catalogue import FIGURES
    return list(FIGURES)


def figure(name: str, theme: str = "light", step: int | None = None):
    """Figure `name` drawn into a new matplotlib Figure (an animation at `step`, by
    default its key frame)."""
    from . import render, style
    from .catalogue import FIGURES
    if name not in FIGURES:
        raise ValueError(f"name must be a figure's name, see convdocs.figures.names() "
                         f"(got {name!r})")
    themes = {t.name: t for t in style.THEMES}
    if theme not in themes:
        raise ValueError(f"theme must be one of {', '.join(map(repr, themes))} (got {theme!r})")
    spec = FIGURES[name]
    data = spec.compute()
    frames = spec.animate(data) if spec.animated else None
    if frames is not None and step is None:
        step = spec.timing.key_index(frames.frames, data)
    return render.draw(spec, data, themes[theme], step, frames)


def png(name: str, theme: str = "light", dpi: int = 100) -> bytes:
    """Figure `name` as PNG bytes at `dpi` (100 is the page's size; the site's files are 200)."""
    from . import render
    return render.png_bytes(figure(name, theme), dpi=dpi)
