"""The figures of the story, in the article's order.

Every number a figure shows comes from the convdocs operations or their step
trace; nothing here types a result in. Each figure is declared with
:func:`convdocs.registry.figure` right above the function that draws it.
"""

from __future__ import annotations

import numpy as np

from . import draw, images, kernels, style
from .conv import conv2d
from .draw import Layout
from .panels import (KERNEL_CELL, KEY, PIXEL, ConvAnimation, PoolAnimation, close_face,
                     conv_frames, face, filtered, kernel_matrix, kernel_panel, photo_size,
                     pool_frames, signed_norm, signed_picture, small_photo)
from .pool import avg_pool2d, max_pool2d
from .registry import figure
from .steps import conv2d_steps

FILTERS = ("vertical_edges", "horizontal_edges", "outline", "identity")
LABELS = {"vertical_edges": "vertical edges", "horizontal_edges": "horizontal edges",
          "outline": "all edges", "identity": "identity"}


# -- shared data -----------------------------------------------------------------

def conv_example():
    """The worked example: a 5x5 image of small numbers and the vertical-edge filter."""
    return images.numbers((5, 5), high=5, seed=0), kernels.VERTICAL_EDGES


def pool_example():
    # Seed 17 of the first 40 gives the most varied 2 x 2 maxima (7 distinct values of 9).
    return images.numbers((6, 6), high=10, seed=17)


# -- a. an image is a matrix of numbers -------------------------------------------

@figure("pixels-small-image", page="images-are-numbers",
        title="A small picture is a grid of numbers",
        caption="An 8 \u00d7 8 grey picture of a smiley face, and the same picture as the 64 numbers a "
                "computer stores: 0 would be black, 255 white.",
        alt="Left, a tiny blocky smiley face in grey pixels. Right, the same 8 by 8 grid with "
            "each pixel's brightness written in it: 200 for the light face, 60 for the eyes and "
            "mouth, 30 for the dark corners.",
        data=lambda: {"image": images.smiley()})
def pixels_small_image(fig, theme, step):
    img = images.smiley()
    lay = Layout()
    lay.add_row([draw.grid_size(img.shape)] * 2, gaps=[0.8])
    (pic, mat), = lay.build(fig)
    norm = draw.norm_for(img, "gray", 255)
    draw.picture(pic, img, theme, norm=norm, role="input")
    draw.title(pic, "what you see", theme)
    draw.matrix(mat, img, theme, norm=norm, role="input", fontsize=10)
    draw.title(mat, "what the computer stores", theme)
    draw.operator(fig, lay.gap_centres[0][0], "=", theme)


PATCH = (slice(424, 432), slice(222, 230))  # an 8 x 8 patch where the white collar meets the jacket
ZOOM_ROWS = slice(40, 250)                  # rows of the half-size photo shown beside it


@figure("pixels-photo-zoom", page="images-are-numbers",
        title="Zooming into a photo until the numbers show",
        caption="A photograph is the same thing at a larger size. Zoom into an 8 \u00d7 8 patch "
                "where the white collar meets the dark jacket, and every pixel is one grey level "
                "from 0 (black) to 255 (white).",
        alt="Grace Hopper's portrait in grey, with a small square marked where her white collar "
            "meets her dark jacket. Beside it the square is enlarged to an 8 by 8 grid, each "
            "cell showing its brightness as a number: near 0 in the jacket's black cells, near "
            "255 in the collar's white ones.",
        data=lambda: {"patch": images.photo()[PATCH]})
def pixels_photo_zoom(fig, theme, step):
    photo = images.photo()
    patch = photo[PATCH]
    lay = Layout()
    shown = small_photo()[ZOOM_ROWS]
    lay.add_row([photo_size(shown), draw.grid_size(patch.shape)], gaps=[0.9])
    (pic, mat), = lay.build(fig)
    norm = draw.norm_for(photo, "gray", 255)
    draw.picture(pic, shown, theme, norm=norm, role="input")
    draw.title(pic, f"part of a {photo.shape[0]} \u00d7 {photo.shape[1]} photo", theme)
    rows, cols = PATCH   # the half-size photo shows the patch at half the coordinates
    top, left = rows.start / 2 - ZOOM_ROWS.start - 0.5, cols.start / 2 - 0.5
    draw.frame(pic, top, left, 4, 4, theme.window, lw=2)
    for dy in (0, 4):   # join the marked square's right corners to the enlarged patch
        draw.connect(pic, (left + 4, top + dy), mat, (0, 2 * dy), theme.window)
    draw.matrix(mat, patch, theme, norm=norm, role="window", fontsize=10)
    draw.title(mat, "the marked 8 \u00d7 8 patch", theme)


@figure("pixels-rgb-channels", page="images-are-numbers",
        title="A colour image is three grids of numbers",
        caption="A colour photo stores three numbers per pixel: how much red, green and blue. "
                "Each channel on its own is a grey image; bright where that colour is strong.",
        alt="The colour portrait of Grace Hopper, then three grey versions of it labelled red, "
            "green and blue. Her red lips and the red parts of her uniform are bright in the "
            "red channel and dark in the blue one.",
        data=lambda: {"mean_per_channel": images.photo(gray=False).mean(axis=(0, 1))})
def pixels_rgb_channels(fig, theme, step):
    rgb = avg_pool2d(images.photo(gray=False), 4)
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


# -- b, c. an input, a filter, and the convolution ---------------------------------

@figure("input-and-filter", page="convolution",
        title="An input image and a filter",
        caption="The input is a 5 \u00d7 5 image of small numbers; the filter is a 3 \u00d7 3 grid of "
                "weights: +1 on the left, 0 in the middle, \u22121 on the right.",
        alt="Two grids side by side. On the left, a 5 by 5 input image with a number from 0 to 4 "
            "in each cell, shaded from black (0) to white (4). On the right, a 3 by 3 filter "
            "whose columns hold 1, 0 and minus 1.",
        data=lambda: dict(zip(("image", "kernel"), conv_example())))
def input_and_filter(fig, theme, step):
    image, kernel = conv_example()
    lay = Layout()
    lay.add_row([draw.grid_size(image.shape), draw.grid_size(kernel.shape)], gaps=[0.9])
    (a, b), = lay.build(fig)
    draw.matrix(a, image, theme, norm=draw.norm_for(image, "gray", 4), role="input")
    draw.title(a, "input image", theme)
    kernel_matrix(b, kernel, theme)
    draw.title(b, "filter", theme)


def conv_frame_count():
    return conv_frames(*conv_example())


def conv_caption():
    image, kernel = conv_example()
    s = conv2d_steps(image, kernel)[4]
    return (f"The filter slides over the input one cell at a time. At each stop it multiplies "
            f"the nine numbers under it by its nine weights and adds the products up; for the "
            f"centre cell they add up to {draw.number(s.result)}. Nine stops fill the 3 \u00d7 3 "
            f"output.")


def conv_alt():
    image, kernel = conv_example()
    out = conv2d(image, kernel)
    return ("Animation. A highlighted 3 by 3 window moves across the 5 by 5 input, row by row. "
            "For each position the nine products of window and filter are shown, with their "
            "sum, and that sum appears in the matching cell of the 3 by 3 output. The finished "
            f"output reads {', '.join(draw.number(v) for v in out.ravel())}; negative numbers "
            "are drawn darker than the mid-grey zero.")


@figure("convolution", page="convolution", title="The convolution, step by step",
        caption=conv_caption, alt=conv_alt, frames=conv_frame_count, key_step=4,
        strip_steps=(0, 4, -1), frame_ms=1800, layers=lambda: ConvAnimation(*conv_example()),
        data=lambda: {"output": conv2d(*conv_example())})
def convolution(fig, theme, step):
    ConvAnimation(*conv_example()).draw(fig, theme, step)


# -- d. the grid and four filters ------------------------------------------------

def grid_panel_size(image):
    return image.shape[1] * PIXEL, image.shape[0] * PIXEL


@figure("grid", page="what-filters-see", title="The black-and-white grid",
        caption="A 26 \u00d7 26 picture of black lines on white: the input for the next "
                "four filters. It is still a grid of numbers (0 for black, 1 for white), but "
                "from here on we look at it as an image.",
        alt="A square picture of a black frame divided by two black vertical and two black "
            "horizontal lines into nine white squares, like a window with nine panes.",
        data=lambda: {"grid": images.grid()})
def grid_figure(fig, theme, step):
    g = images.grid()
    lay = Layout()
    lay.add_row([grid_panel_size(g)])
    (ax,), = lay.build(fig)
    draw.picture(ax, g, theme, norm=draw.norm_for(g, "gray", 1), role="input")
    draw.title(ax, f"grid, {g.shape[0]} \u00d7 {g.shape[1]} pixels", theme)


def grid_filter_caption(name):
    out = filtered(images.grid(), name)
    lo, hi = draw.number(out.min()), draw.number(out.max())
    what = {
        "vertical_edges": "lights up only along the vertical lines: positive on one side of "
                          "each line, negative on the other, zero on flat white and along "
                          "the horizontal lines",
        "horizontal_edges": "lights up only along the horizontal lines, positive above or "
                            "below each line and negative on the other side",
        "outline": "responds to every edge whatever its direction, and gives zero inside the "
                   "flat white squares",
        "identity": "has a single 1 in its centre, so every output pixel is the input pixel "
                    "under it: the picture comes out unchanged",
    }[name]
    if name == "identity":
        return f"The {LABELS[name]} filter {what}. Outputs range from {lo} to {hi}, as the input."
    return (f"The {LABELS[name]} filter {what}. Outputs range from {lo} to {hi}; zero is "
            f"drawn mid-grey, negatives darker.")


def grid_filter_alt(name):
    return {
        "vertical_edges": "The grid picture, a 3 by 3 filter with columns 1, 0, minus 1, and "
                          "the result: a grey picture in which only the vertical lines show, "
                          "each as a light stripe on its left side and a dark stripe on its "
                          "right. The horizontal lines have vanished into the grey.",
        "horizontal_edges": "The grid picture, a 3 by 3 filter with rows 1, 0, minus 1, and "
                            "the result: only the horizontal lines show, each as a light "
                            "stripe above and a dark stripe below; vertical lines vanish.",
        "outline": "The grid picture, a filter with 8 in the centre and minus 1 around it, and "
                   "the result: a grey picture where the outlines of every line show in light "
                   "and dark, in both directions, while the white squares turn flat grey.",
        "identity": "The grid picture, a filter with a single 1 in its centre, and the result: "
                    "an exact copy of the grid.",
    }[name]


def grid_filter(fig, theme, name):
    g = images.grid()
    kernel = kernels.get(name).values
    out = filtered(g, name)
    lay = Layout()
    lay.add_row([grid_panel_size(g), draw.grid_size(kernel.shape), grid_panel_size(out)],
                below=0 if name == "identity" else KEY)   # identity needs no signed key
    (a, k, o), = lay.build(fig)
    draw.picture(a, g, theme, norm=draw.norm_for(g, "gray", 1), role="input")
    draw.title(a, "input", theme)
    kernel_matrix(k, kernel, theme)
    draw.title(k, f"{LABELS[name]} filter", theme)
    if name == "identity":
        draw.picture(o, out, theme, norm=draw.norm_for(g, "gray", 1), role="output")
    else:
        signed_picture(o, out, theme)
    draw.title(o, "output", theme)
    draw.operator(fig, lay.gap_centres[0][0], "\u2217", theme)
    draw.operator(fig, lay.gap_centres[0][1], "=", theme)


def _register_grid_filter(name):
    figure(f"grid-{name.replace('_', '-')}", page="what-filters-see",
           title=f"The grid through the {LABELS[name]} filter",
           caption=lambda: grid_filter_caption(name), alt=lambda: grid_filter_alt(name),
           data=lambda: {"kernel": kernels.get(name).values,
                         "output": filtered(images.grid(), name)},
           )(lambda fig, theme, step: grid_filter(fig, theme, name))


for _name in FILTERS:
    _register_grid_filter(_name)


def filter_sheet(fig, theme, image, names, panel, *, quantile=None, input_title="input"):
    """Input, then one column per filter: its kernel above, its output below."""
    width = panel[0]
    lay = Layout()
    lay.add_row([(width, 3 * KERNEL_CELL)] * (len(names) + 1), gaps=[0.25] * len(names),
                title=0.4)
    lay.add_row([panel] * (len(names) + 1), gaps=[0.25] * len(names), below=KEY)
    kern_axes, pic_axes = lay.build(fig)
    kern_axes[0].set_visible(False)
    norm_in = draw.norm_for(image, "gray", 255 if image.max() > 1 else 1)
    draw.picture(pic_axes[0], image, theme, norm=norm_in, role="input")
    draw.title(pic_axes[0], input_title, theme)
    for kax, pax, name in zip(kern_axes[1:], pic_axes[1:], names):
        kernel_panel(kax, kernels.get(name).values, theme, width)
        draw.title(kax, LABELS.get(name, name.replace("_", " ")), theme)
        out = filtered(image, name)
        if name == "identity":
            draw.picture(pax, out, theme, norm=norm_in, role="output")
        else:
            signed_picture(pax, out, theme, quantile=quantile)


@figure("grid-filters", page="what-filters-see",
        title="One grid, four filters",
        caption="The same grid through four filters, side by side. Each filter keeps one kind "
                "of information (vertical edges, horizontal edges, all edges, everything) and "
                "throws the rest away.",
        alt="A summary sheet. On the left the grid picture; then four columns, each with a "
            "small 3 by 3 filter above its output. The vertical-edge output shows only vertical "
            "lines, the horizontal-edge output only horizontal ones, the all-edges output both, "
            "and the identity output is an exact copy of the grid.",
        data=lambda: {n: filtered(images.grid(), n) for n in FILTERS})
def grid_filters(fig, theme, step):
    filter_sheet(fig, theme, images.grid(), FILTERS, (1.3, 1.3))


# -- e. the same filters, and the catalogue, on a photo ---------------------------

@figure("photo-filters", page="what-filters-see",
        title="The four filters on a photograph",
        caption="The grid's four filters on a real photo. Vertical edges pick out the sides of "
                "the glasses and face, horizontal edges the brows, mouth and hat brim; the "
                "all-edges filter draws an outline, and identity changes nothing. Colour keys "
                "end at the 99th percentile of each output's magnitude.",
        alt="A close crop of Grace Hopper's face in grey, then four filtered versions in grey "
            "with light and dark accents: one tracing vertical contours such as the sides of "
            "her glasses, one tracing horizontal ones such as her brows and mouth, one tracing "
            "every contour like a pencil sketch, and one identical to the photo.",
        data=lambda: {n: filtered(face(), n) for n in FILTERS})
def photo_filters(fig, theme, step):
    filter_sheet(fig, theme, face(), FILTERS, photo_size(face()), quantile=0.99,
                 input_title="photo")


SMOOTHING = ("identity", "box_blur", "gaussian_blur", "sharpen", "emboss", "outline")
EDGES = ("vertical_edges", "horizontal_edges", "sobel_left", "sobel_right", "sobel_top",
         "sobel_bottom")


def catalogue(fig, theme, names):
    """Pairs of (kernel, its output on the close face), three to a row."""
    img = close_face()
    size = photo_size(img)
    lay = Layout(margin=0.35)   # room for titles wider than their picture
    for row in (names[:3], names[3:]):
        panels = [p for _ in row for p in ((3 * KERNEL_CELL, 3 * KERNEL_CELL), size)]
        lay.add_row(panels, gaps=[0.12, 0.4, 0.12, 0.4, 0.12], below=KEY)
    rows = lay.build(fig)
    norm_in = draw.norm_for(img, "gray", 255)
    for axes, row in zip(rows, (names[:3], names[3:])):
        for n, name in enumerate(row):
            kax, pax = axes[2 * n], axes[2 * n + 1]
            kernel_panel(kax, kernels.get(name).values, theme, 3 * KERNEL_CELL)
            out = filtered(img, name)
            if name in ("identity", "box_blur", "gaussian_blur", "sharpen"):
                draw.picture(pax, np.clip(out, 0, 255), theme, norm=norm_in, role="output")
            else:
                signed_picture(pax, out, theme, quantile=0.99)
            draw.title(pax, name.replace("_", " "), theme)


def catalogue_caption(names):
    lines = [f"{n.replace('_', ' ').capitalize()}: {kernels.get(n).meaning}" for n in names]
    return "Kernels from the catalogue and what they do to the photo. " + " ".join(lines)


@figure("kernels-smoothing", page="what-filters-see",
        title="The kernel catalogue: blur, sharpen, emboss, outline",
        caption=lambda: catalogue_caption(SMOOTHING)
        + " Blurred and sharpened results are shown as pictures, clipped to 0-255.",
        alt="Six pairs of a 3 by 3 kernel and the face it produces: identity (unchanged), box "
            "blur and Gaussian blur (softer), sharpen (crisper), emboss (a relief lit from one "
            "corner, on mid-grey) and outline (contours only, on mid-grey).",
        data=lambda: {n: filtered(close_face(), n) for n in SMOOTHING})
def kernels_smoothing(fig, theme, step):
    catalogue(fig, theme, SMOOTHING)


@figure("kernels-edges", page="what-filters-see",
        title="The kernel catalogue: edge detectors",
        caption=lambda: catalogue_caption(EDGES),
        alt="Six pairs of a 3 by 3 kernel and the face it produces, all on mid-grey: vertical "
            "and horizontal edges, then the four Sobel kernels. Each Sobel result is the "
            "negative of its opposite: where sobel left is light, sobel right is dark.",
        data=lambda: {n: filtered(close_face(), n) for n in EDGES})
def kernels_edges(fig, theme, step):
    catalogue(fig, theme, EDGES)


# -- f. pooling ------------------------------------------------------------------------

def pool_frame_count():
    return pool_frames(pool_example(), 2)


def pool_alt(op):
    out = (max_pool2d if op == "max" else avg_pool2d)(pool_example(), 2)
    how = "the largest of its four numbers" if op == "max" else "the mean of its four numbers"
    return (f"Animation. A highlighted 2 by 2 window jumps across a 6 by 6 grid of numbers in "
            f"steps of 2, never overlapping. Each stop writes {how} into the matching cell of "
            f"a 3 by 3 output, which ends up reading "
            f"{', '.join(draw.number(v) for v in out.ravel())}.")


POOLING_TEXT = {
    "max": ("max-pooling", "Max pooling, step by step", 1300,
            "Max pooling with a 2 \u00d7 2 window and stride 2: the window jumps two cells at "
            "a time and keeps only the largest of the four numbers it covers."),
    "avg": ("average-pooling", "Average pooling, step by step", 1500,
            "Average pooling with a 2 \u00d7 2 window and stride 2: each output cell is the "
            "mean of the four numbers under the window, their sum divided by 4."),
}


def pooling_animation(op):
    return PoolAnimation(pool_example(), 2, op=op, input_max=9)


def pooling_caption(op):
    x, out = pool_example(), pooling_animation(op).out
    return (f"{POOLING_TEXT[op][3]} The {x.shape[0]} \u00d7 {x.shape[1]} input becomes "
            f"{out.shape[0]} \u00d7 {out.shape[1]}.")


def _register_pooling(op):
    name, title, ms, _ = POOLING_TEXT[op]
    figure(name, page="pooling", title=title, caption=lambda: pooling_caption(op),
           alt=lambda: pool_alt(op), frames=pool_frame_count, key_step=4,
           strip_steps=(0, 4, -1), frame_ms=ms, layers=lambda: pooling_animation(op),
           data=lambda: {"input": pool_example(), "output": pooling_animation(op).out},
           )(lambda fig, theme, step: pooling_animation(op).draw(fig, theme, step))


for _op in POOLING_TEXT:
    _register_pooling(_op)


def pooled_row(fig, theme, edges, scale, titles, quantile=None):
    """An edge map, then its 2 x 2 max and average pools, each drawn at the same pixel size."""
    pooled = [max_pool2d(edges, 2), avg_pool2d(edges, 2)]
    sizes = [(a.shape[1] * scale, a.shape[0] * scale) for a in [edges] + pooled]
    lay = Layout()
    lay.add_row(sizes, gaps=[0.8, 0.5], below=KEY)
    axes, = lay.build(fig)
    norm = signed_norm(edges, quantile)
    for ax, arr, label in zip(axes, [edges] + pooled, titles):
        draw.picture(ax, arr, theme, kind="signed", norm=norm, role="output")
        draw.title(ax, f"{label}\n{arr.shape[0]} \u00d7 {arr.shape[1]}", theme)
    draw.colour_key_below(axes[0], norm, theme)
    draw.operator(fig, lay.gap_centres[0][0], "2 \u00d7 2\n\u2192", theme, size=14)


@figure("pooling-grid", page="pooling", title="Pooling the edge-filtered grid",
        caption=lambda: (
            f"The grid's all-edges output ({images.grid().shape[0]} \u00d7 "
            f"{images.grid().shape[1]}) pooled 2 \u00d7 2: half the width, half the height, a "
            f"quarter of the numbers. Max pooling keeps every line's strongest response; "
            f"average pooling keeps the lines too, but softened."),
        alt="Three pictures on the same grey scale: the all-edges output of the grid, then a "
            "half-size max-pooled copy in which every line is still crisp and bright, then a "
            "half-size average-pooled copy in which the lines are fainter and blurred.",
        data=lambda: {"max": max_pool2d(filtered(images.grid(), "outline"), 2),
                      "avg": avg_pool2d(filtered(images.grid(), "outline"), 2)})
def pooling_grid(fig, theme, step):
    pooled_row(fig, theme, filtered(images.grid(), "outline"), PIXEL,
               ("all edges", "max pooled", "average pooled"))


@figure("pooling-photo", page="pooling", title="Pooling the photo's edges",
        caption="The photo's all-edges output, pooled 2 \u00d7 2. The picture shrinks to a "
                "quarter of the pixels, yet the outlines of face, glasses and hat survive: max "
                "pooling keeps the strongest response in every window.",
        alt="Three pictures of the face's outlines on the same scale: the full 128 by 128 "
            "edge map, then 64 by 64 max-pooled and average-pooled versions drawn at half the "
            "size. The max-pooled one still shows the glasses and the mouth clearly; the "
            "averaged one is fainter.",
        data=lambda: {"max": max_pool2d(filtered(face(), "outline"), 2)})
def pooling_photo(fig, theme, step):
    pooled_row(fig, theme, filtered(face(), "outline"), 2 / style.PAGE_DPI,
               ("all edges", "max pooled", "average pooled"), quantile=0.99)


@figure("journey", page="index", title="From photo to edges to pooled features",
        caption="The whole story in one picture: a photo is a grid of numbers; a filter turns it "
                "into a map of its edges; pooling shrinks that map while keeping the strong "
                "edges.",
        alt="Three panels joined by arrows: a grey close-up of Grace Hopper's face, the same "
            "face as a sketch of light and dark outlines on grey, and a half-size version of "
            "that sketch in which the glasses and mouth are still clear.",
        data=lambda: {"pooled": max_pool2d(filtered(face(), "outline"), 2)})
def journey(fig, theme, step):
    img = face()
    edges = filtered(img, "outline")
    pooled = max_pool2d(edges, 2)
    scale = 1.6 / img.shape[1]
    lay = Layout(margin=0.5)
    lay.add_row([photo_size(img, 160 / img.shape[1]), photo_size(edges, 160 / img.shape[1]),
                 (pooled.shape[1] * scale, pooled.shape[0] * scale)], gaps=[0.7, 0.7])
    a, e, p = lay.build(fig)[0]
    draw.picture(a, img, theme, norm=draw.norm_for(img, "gray", 255), role="input")
    draw.title(a, "photo", theme)
    norm = signed_norm(edges, 0.99)
    draw.picture(e, edges, theme, kind="signed", norm=norm, role="output")
    draw.title(e, "convolution: edges", theme)
    draw.picture(p, pooled, theme, kind="signed", norm=norm, role="output")
    draw.title(p, "pooling: smaller", theme)
    for centre in lay.gap_centres[0]:
        draw.operator(fig, centre, "\u2192", theme, size=26)
