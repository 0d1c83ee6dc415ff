"""The figure table: every page that has figures, in site order, and their figures.

This is the one place that defines order. A page module is named after its
page (``what_filters_see`` is ``what-filters-see.md``) and lists its figures
in ``FIGURES``, in the order the page shows them; the table is those lists,
page by page, in the order of :data:`PAGES`. A test checks :data:`PAGES`
against the ``nav`` of ``mkdocs.yml``.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType

from . import (channels, convolution, images_are_numbers, index, learning, padding_and_stride,
               pooling, pooling_in_depth, tiny_cnn, transposed_convolution, what_filters_see)
from .spec import FigureSpec

PAGES: tuple[ModuleType, ...] = (
    index, images_are_numbers, convolution, what_filters_see, pooling, padding_and_stride,
    transposed_convolution, channels, pooling_in_depth, learning, tiny_cnn,
)


def page_name(module: ModuleType) -> str:
    """The site page a module draws for: its name with dashes (``index`` is Home)."""
    return module.__name__.rsplit(".", 1)[1].replace("_", "-")


def page_module(page: str) -> str:
    """The module that lists the figures of `page`."""
    return f"{__package__}.{page.replace('-', '_')}"


def _table() -> dict[str, FigureSpec]:
    table: dict[str, FigureSpec] = {}
    for module in PAGES:
        for spec in module.FIGURES:
            if spec.name in table:
                raise ValueError(f"figure name {spec.name!r} is used twice "
                                 f"({table[spec.name].page} and {page_name(module)})")
            table[spec.name] = dataclasses.replace(spec, page=page_name(module))
    return table


FIGURES: dict[str, FigureSpec] = _table()


def tables() -> dict[str, dict]:
    """Every computed table the pages show (such as the output-size table), by name."""
    found = {}
    for module in PAGES:
        for name, make in getattr(module, "TABLES", {}).items():
            found[name] = dict(make(), page=page_name(module))
    return found
