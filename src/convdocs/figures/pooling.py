"""Figures of "Pooling": max and average pooling step by step, then pooled edge maps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import images
from ..pool import avg_pool2d, max_pool2d
from . import draw, style
from .animations import PoolAnimation
from .draw import Layout
from .examples import face, filtered
from .panels import KEY, PIXEL, signed_norm
from .spec import FigureSpec, Timing

POOL = {"max": max_pool2d, "avg": avg_pool2d}


def pool_example():
    # Seed 17 of the first 40 gives the most varied 2 x 2 maxima (7 distinct values of 9).
    return images.numbers((6, 6), high=10, seed=17)


@dataclass(frozen=True)
class PoolingStep:
    """A 2 x 2, stride-2 pooling animation: which operation, and what it does in words."""

    name: str
    title: str
    op: str            # "max" or "avg"
    frame_ms: int
    rule: str          # the caption's first sentence
    keeps: str         # what each window writes into the output, for the alt text


POOLING_STEPS = (
    PoolingStep("max-pooling", "Max pooling, step by step", "max", 1300,
                rule="Max pooling with a 2 \u00d7 2 window and stride 2: the window jumps two "
                     "cells at a time and keeps only the largest of the four numbers it covers.",
                keeps="the largest of its four numbers"),
    PoolingStep("average-pooling", "Average pooling, step by step", "avg", 1500,
                rule="Average pooling with a 2 \u00d7 2 window and stride 2: each output cell is "
                     "the mean of the four numbers under the window, their sum divided by 4.",
                keeps="the mean of its four numbers"),
)


def pooling_data(row: PoolingStep):
    x = pool_example()
    return {"input": x, "output": POOL[row.op](x, 2)}


def pooling_caption(row: PoolingStep, data):
    x, out = data["input"], data["output"]
    return (f"{row.rule} The {x.shape[0]} \u00d7 {x.shape[1]} input becomes "
            f"{out.shape[0]} \u00d7 {out.shape[1]}.")


def pooling_alt(row: PoolingStep, data):
    x, out = data["input"], data["output"]
    return (f"Animation. A highlighted 2 by 2 window jumps across a {x.shape[0]} by "
            f"{x.shape[1]} grid of numbers in steps of 2, never overlapping. Each stop writes "
            f"{row.keeps} into the matching cell of a {out.shape[0]} by {out.shape[1]} output, "
            f"which ends up reading {', '.join(draw.number(v) for v in out.ravel())}.")


def pooling_figure(row: PoolingStep) -> FigureSpec:
    return FigureSpec(
        row.name, title=row.title,
        caption=lambda data: pooling_caption(row, data),
        alt=lambda data: pooling_alt(row, data),
        compute=lambda: pooling_data(row),
        animate=lambda data: PoolAnimation(data["input"], data["output"], 2, op=row.op,
                                           input_max=9),
        timing=Timing(frame_ms=row.frame_ms, key=4, strip=(0, 4, -1)))


def pooled_data(edges):
    return {"edges": edges, "max": max_pool2d(edges, 2), "avg": avg_pool2d(edges, 2)}


def pooled_row(fig, theme, data, scale, titles, quantile=None):
    """An edge map, then its 2 x 2 max and average pools, each drawn at the same pixel size."""
    arrays = [data["edges"], data["max"], data["avg"]]
    sizes = [(a.shape[1] * scale, a.shape[0] * scale) for a in arrays]
    lay = Layout()
    lay.add_row(sizes, gaps=[0.8, 0.5], below=KEY)
    axes, = lay.build(fig)
    norm = signed_norm(data["edges"], quantile)
    for ax, arr, label in zip(axes, arrays, titles):
        draw.picture(ax, arr, theme, kind="signed", norm=norm, role="output")
        draw.title(ax, f"{label}\n{arr.shape[0]} \u00d7 {arr.shape[1]}", theme)
    draw.colour_key_below(axes[0], norm, theme)
    draw.operator(fig, lay.gap_centres[0][0], "2 \u00d7 2\n\u2192", theme, size=14)


TITLES = ("all edges", "max pooled", "average pooled")


def photo_caption(data):
    edges, pooled = data["edges"], data["max"]
    lowest = -max_pool2d(-edges, 2)            # each window's most negative value
    dropped = int(np.count_nonzero(-lowest > pooled))
    return (f"The photo's all-edges output, pooled 2 \u00d7 2. The picture shrinks to a quarter "
            f"of the pixels, yet the outlines of face, glasses and mouth survive. Max pooling "
            f"keeps the largest value of each window, not the one furthest from zero: in "
            f"{dropped:,} of the {pooled.size:,} windows that was a negative number, and it is "
            f"dropped, so the max-pooled map is lighter (its lowest value is "
            f"{draw.number(round(pooled.min()))}; the edge map's is "
            f"{draw.number(round(edges.min()))}).")

FIGURES = (
    *(pooling_figure(row) for row in POOLING_STEPS),
    FigureSpec(
        "pooling-grid", title="Pooling the edge-filtered grid",
        caption=lambda data: (
            f"The grid's all-edges output ({data['edges'].shape[0]} \u00d7 "
            f"{data['edges'].shape[1]}) pooled 2 \u00d7 2: half the width, half the height, a "
            f"quarter of the numbers. Max pooling keeps each window's largest value: the light "
            f"borders of every line survive, but the dark ring along the outer frame "
            f"disappears (those windows also hold a 0), and the inner dark lines keep their "
            f"weakest value. Average pooling keeps the lines too, but softened."),
        alt="Three pictures on the same grey scale: the all-edges output of the grid, then a "
            "half-size max-pooled copy in which the light borders of every line are still "
            "crisp but the dark ring along the outer frame has turned mid-grey, then a "
            "half-size average-pooled copy in which the lines are fainter and blurred.",
        compute=lambda: pooled_data(filtered(images.grid(), "outline")),
        draw=lambda fig, theme, data: pooled_row(fig, theme, data, PIXEL, TITLES)),
    FigureSpec(
        "pooling-photo", title="Pooling the photo's edges",
        caption=photo_caption,
        alt="Three pictures of the face's outlines on the same scale: the full 128 by 128 "
            "edge map, then 64 by 64 max-pooled and average-pooled versions drawn at half the "
            "size. The max-pooled one still shows the glasses and the mouth clearly; the "
            "averaged one is fainter.",
        compute=lambda: pooled_data(filtered(face(), "outline")),
        draw=lambda fig, theme, data: pooled_row(fig, theme, data, 2 / style.PAGE_DPI, TITLES,
                                                 quantile=0.99)),
)
