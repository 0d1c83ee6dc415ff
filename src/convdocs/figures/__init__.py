"""The figures: every picture of the site, as one table, rendered from the library's numbers.

Everything that needs matplotlib lives here; ``import convdocs`` does not import
it. The table is :data:`convdocs.figures.catalogue.FIGURES` (one page module
per site page), the renderer is :mod:`~convdocs.figures.render`, and
``convdocs build`` (:mod:`~convdocs.figures.build`) writes ``figures/``.

In a notebook, draw any figure by name:

>>> from convdocs import figures
>>> figures.show("grid")                 # doctest: +SKIP

``show`` gives the light and the dark version; on the site only the one for the
reader's colour scheme appears. ``png(name, theme)`` gives the bytes of one.
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


def show(name: str, dpi: int = 100):
    """Figure `name` for a notebook: its light and dark versions as one HTML output.

    On the site (Material for MkDocs) only the version for the reader's colour
    scheme shows (``#only-light`` and ``#only-dark``); Jupyter shows both.
    """
    import base64
    import html

    from IPython.display import HTML

    from .catalogue import FIGURES
    if name not in FIGURES:
        raise ValueError(f"name must be a figure's name, see convdocs.figures.names() "
                         f"(got {name!r})")
    alt = html.escape(FIGURES[name].title, quote=True)
    imgs = [f'<img src="data:image/png;base64,'
            f'{base64.b64encode(png(name, theme, dpi)).decode()}#only-{theme}" alt="{alt} '
            f'({theme})" style="max-width: 100%">' for theme in ("light", "dark")]
    return HTML("\n".join(imgs))
