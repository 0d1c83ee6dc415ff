"""Figures of "Channels": one filter across three channels, a bank of filters, and the
1 x 1 convolution."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..conv import conv2d
from . import draw
from .draw import Layout
from .examples import BANK, bank_maps, digits, face
from .panels import KEY, kernel_matrix, photo_size, signed_norm, signed_picture, sum_text
from .spec import FigureSpec

CHANNELS = ("red", "green", "blue")


def rgb_data():
    image = np.stack([digits((5, 5), seed=20 + c) for c in range(3)], axis=-1)
    kernel = np.stack([kernels.VERTICAL_EDGES, kernels.HORIZONTAL_EDGES, kernels.IDENTITY],
                      axis=-1)
    # each channel's own result, stacked as channels (H, W, C) like the image and kernel
    partials = np.stack([conv2d(image[..., c], kernel[..., c]) for c in range(3)], axis=-1)
    return {"image": image, "kernel": kernel, "partials": partials,
            "output": conv2d(image, kernel)}


def draw_rgb_filter(fig, theme, data):
    image, kernel, partials, out = data["image"], data["kernel"], data["partials"], data["output"]
    grid5, grid3 = draw.grid_size(image.shape), draw.grid_size(out.shape)
    lay = Layout(row_gap=0.2)
    lay.add_row([grid5] * 3, gaps=[0.45] * 2)
    lay.add_row([grid3] * 3, gaps=[0.45 + grid5[0] - grid3[0]] * 2)
    lay.add_row([grid3] * 4, gaps=[0.45] * 3)
    chans, slices, results = lay.build(fig)
    norm = signed_norm(np.concatenate([partials.ravel(), out.ravel()]))
    for c in range(3):
        draw.matrix(chans[c], image[..., c], theme, norm=draw.norm_for(image, "gray", 4),
                    role="input")
        draw.title(chans[c], f"{CHANNELS[c]} channel", theme)
        kernel_matrix(slices[c], kernel[..., c], theme)
        draw.title(slices[c], f"\u2217 filter slice {c + 1}", theme)
        draw.matrix(results[c], partials[..., c], theme, kind="signed", norm=norm)
        draw.title(results[c], f"= {CHANNELS[c]} result", theme)
    draw.matrix(results[3], out, theme, kind="signed", norm=norm, role="output")
    draw.title(results[3], "output", theme)
    for centre, sign in zip(lay.gap_centres[2], ("+", "+", "=")):
        draw.operator(fig, centre, sign, theme)


def bank_data():
    image = face()
    return {"input": image, "maps": bank_maps(image)}


def draw_filter_bank(fig, theme, data):
    img, maps = data["input"], data["maps"]
    size = photo_size(img)
    lay = Layout()
    lay.add_row([size] + [size] * len(BANK), gaps=[0.6] + [0.15] * (len(BANK) - 1), below=KEY)
    axes, = lay.build(fig)
    draw.picture(axes[0], img, theme, norm=draw.norm_for(img, "gray", 255), role="input")
    draw.title(axes[0], "input", theme)
    for n, (ax, name) in enumerate(zip(axes[1:], BANK)):
        signed_picture(ax, maps[..., n], theme, quantile=0.99)
        draw.title(ax, f"map {n + 1}\n{kernels.get(name).label}", theme)
    draw.operator(fig, lay.gap_centres[0][0], "\u2192", theme, size=24)


def one_by_one_data():
    image = np.stack([digits((4, 4), seed=30 + c) for c in range(3)], axis=-1)
    weights = np.array([1.0, 2.0, -1.0]).reshape(1, 1, 3)   # a hand-picked 1 x 1 x 3 filter
    return {"image": image, "weights": weights, "output": conv2d(image, weights)}


def draw_one_by_one(fig, theme, data):
    image, weights, out = data["image"], data["weights"], data["output"]
    lay = Layout()
    lay.add_row([draw.grid_size(image.shape)] * 3 + [draw.grid_size((3, 1)),
                                                    draw.grid_size(out.shape)],
                gaps=[0.2, 0.2, 0.5, 0.6])
    axes, = lay.build(fig)
    for c in range(3):
        draw.matrix(axes[c], image[..., c], theme, norm=draw.norm_for(image, "gray", 4),
                    role="input")
        draw.title(axes[c], CHANNELS[c], theme)
        draw.frame(axes[c], 0, 0, 1, 1, theme.window)
    kernel_matrix(axes[3], weights.reshape(3, 1), theme)
    draw.title(axes[3], "1\u00d71\u00d73", theme)
    draw.matrix(axes[4], out, theme, kind="signed", norm=signed_norm(out), role="output")
    draw.frame(axes[4], 0, 0, 1, 1, theme.window)
    draw.title(axes[4], "output", theme)
    draw.operator(fig, lay.gap_centres[0][2], "\u00d7", theme)
    draw.operator(fig, lay.gap_centres[0][3], "=", theme)


def one_by_one_sum_text(data):
    image, weights, out = data["image"], data["weights"], data["output"]
    terms = [f"{sum_text([w])} \u00d7 {draw.number(x)}"
             for w, x in zip(weights.ravel(), image[0, 0])]
    return " + ".join(terms) + " = " + draw.number(out[0, 0])


FIGURES = (
    FigureSpec(
        "channels-rgb-filter", title="One filter across three channels",
        caption=lambda data: (
            "A colour image has three channels, so a CNN filter has three slices, one per "
            "channel. Each slice is slid over its own channel, and the three results are added "
            "cell by cell into a single output map. For the top-left cell: "
            + sum_text(data["partials"][0, 0, :]) + " = "
            + draw.number(data["output"][0, 0]) + "."),
        alt="Three columns, one per colour channel: a 5 by 5 grid of numbers, below it a 3 by "
            "3 filter slice, and below that the channel's 3 by 3 partial result. The three "
            "partial results are added, plus sign by plus sign, into one 3 by 3 output.",
        compute=rgb_data, draw=draw_rgb_filter),
    FigureSpec(
        "channels-filter-bank", title="A bank of filters makes a stack of maps",
        caption="A layer of a CNN applies many filters to the same input. Four filters on the "
                "128 \u00d7 128 face give four feature maps, stacked into one 128 \u00d7 128 "
                "\u00d7 4 output: the next layer sees four channels.",
        alt="The grey face on the left; on the right, four grey feature maps side by side, "
            "each labelled with its filter: vertical edges, horizontal edges, Sobel left and "
            "all edges, each highlighting different contours of the same face.",
        compute=bank_data, draw=draw_filter_bank),
    FigureSpec(
        "conv-1x1", title="1 \u00d7 1 convolution mixes channels",
        caption=lambda data: (
            "A 1 \u00d7 1 filter looks at one pixel at a time, but through all its channels: "
            "each output cell is a weighted sum of the three numbers stacked at that pixel. "
            "With weights 1, 2 and \u22121, the top-left cell is "
            + one_by_one_sum_text(data) + ". The image keeps its 4 \u00d7 4 size."),
        alt="Three 4 by 4 grids of numbers for the red, green and blue channels, a column of "
            "three weights 1, 2 and minus 1, and the 4 by 4 output, in which every cell "
            "combines the three numbers at the same position.",
        compute=one_by_one_data, draw=draw_one_by_one),
)
