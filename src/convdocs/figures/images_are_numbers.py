"""Figures of "Images are numbers": a small picture, a photo's pixels, colour channels."""

from __future__ import annotations

import numpy as np

from .. import images
from ..pool import avg_pool2d
from . import draw
from .draw import Layout
from .examples import small_photo
from .panels import photo_size
from .spec import FigureSpec

PATCH = (slice(424, 432), slice(222, 230))  # an 8 x 8 patch where the white collar meets the black tie
ZOOM_ROWS = slice(40, 250)                  # rows of the half-size photo shown beside it


def draw_small_image(fig, theme, data):
    img = data["image"]
    lay = Layout()
    lay.add_row([draw.grid_size(img.shape)] * 2, gaps=[0.8])
    (pic, mat), = lay.build(fig)
    norm = draw.norm_for(img, "gray", 255)
    draw.picture(pic, img, theme, norm=norm, role="input")
    draw.title(pic, "what you see", theme)
    draw.matrix(mat, img, theme, norm=norm, role="input", fontsize=10)
    draw.title(mat, "what the computer stores", theme)
    draw.operator(fig, lay.gap_centres[0][0], "=", theme)


def photo_zoom_data():
    photo = images.photo()
    return {"photo size": np.array(photo.shape), "shown": small_photo()[ZOOM_ROWS],
            "patch": photo[PATCH]}


def draw_photo_zoom(fig, theme, data):
    shown, patch = data["shown"], data["patch"]
    rows_total, cols_total = (int(n) for n in data["photo size"])
    lay = Layout()
    lay.add_row([photo_size(shown), draw.grid_size(patch.shape)], gaps=[0.9])
    (pic, mat), = lay.build(fig)
    norm = draw.norm_for(shown, "gray", 255)
    draw.picture(pic, shown, theme, norm=norm, role="input")
    draw.title(pic, f"part of a {rows_total} \u00d7 {cols_total} photo", theme)
    rows, cols = PATCH   # the half-size photo shows the patch at half the coordinates
    top, left = rows.start / 2 - ZOOM_ROWS.start - 0.5, cols.start / 2 - 0.5
    draw.frame(pic, top, left, 4, 4, theme.window, lw=2)
    for dy in (0, 4):   # join the marked square's right corners to the enlarged patch
        draw.connect(pic, (left + 4, top + dy), mat, (0, 2 * dy), theme.window)
    draw.matrix(mat, patch, theme, norm=norm, role="window", fontsize=10)
    draw.title(mat, "the marked 8 \u00d7 8 patch", theme)


def draw_rgb_channels(fig, theme, data):
    rgb = data["rgb"]
    lay = Layout()
    lay.add_row([photo_size(rgb)] * 4, gaps=[0.55, 0.25, 0.25])
    (colour, *chans), = lay.build(fig)
    draw.picture(colour, rgb, theme, rgb=True, role="input")
    draw.title(colour, "colour photo", theme)
    norm = draw.norm_for(rgb, "gray", 255)
    for ax, c, name in zip(chans, range(3), ("red", "green", "blue")):
        draw.picture(ax, rgb[..., c], theme, norm=norm)
        draw.title(ax, f"{name} channel", theme)
    draw.operator(fig, lay.gap_centres[0][0], "=", theme)


FIGURES = (
    FigureSpec(
        "pixels-small-image", title="A small picture is a grid of numbers",
        caption="An 8 \u00d7 8 grey picture of a smiley face, and the same picture as the 64 "
                "numbers a computer stores: 0 would be black, 255 white.",
        alt="Left, a tiny blocky smiley face in grey pixels. Right, the same 8 by 8 grid with "
            "each pixel's brightness written in it: 200 for the light face, 60 for the eyes and "
            "mouth, 30 for the dark corners.",
        compute=lambda: {"image": images.smiley()}, draw=draw_small_image),
    FigureSpec(
        "pixels-photo-zoom", title="Zooming into a photo until the numbers show",
        caption="A photograph is the same thing at a larger size. Zoom into an 8 \u00d7 8 patch "
                "where the white collar meets the black tie, and every pixel is one grey level "
                "from 0 (black) to 255 (white).",
        alt="Grace Hopper's portrait in grey, with a small square marked where her white collar "
            "meets her black tie. Beside it the square is enlarged to an 8 by 8 grid, each "
            "cell showing its brightness as a number: near 0 in the tie's black cells, near "
            "255 in the collar's white ones.",
        compute=photo_zoom_data, draw=draw_photo_zoom),
    FigureSpec(
        "pixels-rgb-channels", title="A colour image is three grids of numbers",
        caption="A colour photo stores three numbers per pixel: how much red, green and blue. "
                "Each channel on its own is a grey image; bright where that colour is strong.",
        alt="The colour portrait of Grace Hopper, then three grey versions of it labelled red, "
            "green and blue. Her face, the flag's red stripes and the ribbons on her uniform "
            "are bright in the red channel and dark in the blue one; the blue background is "
            "light in the blue channel.",
        compute=lambda: {"rgb": avg_pool2d(images.photo(gray=False), 4)},
        draw=draw_rgb_channels),
)
