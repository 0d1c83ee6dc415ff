"""Figures of "What filters see": the grid through four filters, then the photo and the
kernel catalogue. How each output is drawn (signed or as a picture) is a property of
its kernel in :data:`convdocs.kernels.CATALOGUE`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matplotlib.patches import Rectangle

from .. import images, kernels
from . import draw, style
from .draw import Layout
from .examples import close_face, face, filtered
from .panels import (KERNEL_CELL, KEY, kernel_matrix, kernel_panel, photo_size,
                     pixel_size, signed_picture)
from .spec import FigureSpec

FILTERS = ("vertical_edges", "horizontal_edges", "outline", "identity")


@dataclass(frozen=True)
class GridFilter:
    """One filter applied to the grid: the kernel's catalogue name, what it does to the
    grid (the caption's middle), and the alt text."""

    kernel: str
    effect: str
    alt: str

    @property
    def name(self) -> str:
        return "grid-" + self.kernel.replace("_", "-")


GRID_FILTERS = (
    GridFilter("vertical_edges",
               effect="lights up only along the vertical lines: positive along the left side "
                      "of each black line, negative along its right side (the outer frame "
                      "shows only its inner side), zero on flat white and along the "
                      "horizontal lines",
               alt="The grid picture, a 3 by 3 filter with columns 1, 0, minus 1, and the "
                   "result: a grey picture in which only the vertical lines show, each as a "
                   "light stripe on its left side and a dark stripe on its right (the outer "
                   "frame shows only its inner stripe). The "
                   "horizontal lines have vanished into the grey."),
    GridFilter("horizontal_edges",
               effect="lights up only along the horizontal lines: positive along the top of "
                      "each black line, negative along its bottom (the outer frame shows only "
                      "its inner side)",
               alt="The grid picture, a 3 by 3 filter with rows 1, 0, minus 1, and the result: "
                   "only the horizontal lines show, each as a light stripe above and a dark "
                   "stripe below (the outer frame shows only its inner stripe); vertical lines "
                   "vanish."),
    GridFilter("outline",
               effect="responds to every edge whatever its direction, and gives zero inside the "
                      "flat white squares",
               alt="The grid picture, a filter with 8 in the centre and minus 1 around it, and "
                   "the result: a grey picture where the outlines of every line show in light "
                   "and dark, in both directions, while the white squares turn flat grey."),
    GridFilter("identity",
               effect="has a single 1 in its centre, so every output pixel is the input pixel "
                      "under it: the picture comes out unchanged",
               alt="The grid picture, a filter with a single 1 in its centre, and the result: "
                   "an exact copy of the grid."),
)


def draw_grid(fig, theme, data):
    g = data["grid"]
    lay = Layout()
    lay.add_row([pixel_size(g)])
    (ax,), = lay.build(fig)
    draw.picture(ax, g, theme, norm=draw.norm_for(g, "gray", 1), role="input")
    draw.title(ax, f"grid, {g.shape[0]} \u00d7 {g.shape[1]} pixels", theme)


def grid_filter_data(row: GridFilter):
    grid = images.grid()
    return {"grid": grid, "kernel": kernels.get(row.kernel).values,
            "output": filtered(grid, row.kernel)}


def grid_filter_caption(row: GridFilter, data):
    kernel = kernels.get(row.kernel)
    out = data["output"]
    lo, hi = draw.number(out.min()), draw.number(out.max())
    if not kernel.signed:
        return f"The {kernel.label} filter {row.effect}. Outputs range from {lo} to {hi}, as " \
               f"the input."
    return (f"The {kernel.label} filter {row.effect}. Outputs range from {lo} to {hi}; zero is "
            f"drawn mid-grey, negatives darker.")


def draw_grid_filter(row: GridFilter, fig, theme, data):
    kernel = kernels.get(row.kernel)
    g, values, out = data["grid"], data["kernel"], data["output"]
    lay = Layout()
    lay.add_row([pixel_size(g), draw.grid_size(values.shape), pixel_size(out)],
                below=KEY if kernel.signed else 0)   # a picture needs no signed key
    (a, k, o), = lay.build(fig)
    draw.picture(a, g, theme, norm=draw.norm_for(g, "gray", 1), role="input")
    draw.title(a, "input", theme)
    kernel_matrix(k, values, theme)
    draw.title(k, f"{kernel.label} filter", theme)
    if kernel.signed:
        signed_picture(o, out, theme)
    else:
        draw.picture(o, out, theme, norm=draw.norm_for(g, "gray", 1), role="output")
    draw.title(o, "output", theme)
    draw.operator(fig, lay.gap_centres[0][0], "\u2217", theme)
    draw.operator(fig, lay.gap_centres[0][1], "=", theme)


def grid_filter_figure(row: GridFilter) -> FigureSpec:
    label = kernels.get(row.kernel).label
    return FigureSpec(
        row.name, title=f"The grid through the {label} filter",
        caption=lambda data: grid_filter_caption(row, data), alt=row.alt,
        compute=lambda: grid_filter_data(row),
        draw=lambda fig, theme, data: draw_grid_filter(row, fig, theme, data))


def sheet_data(image, names):
    """The input, then each named kernel and its output (keys: the name, and "NAME filter")."""
    data = {"input": image}
    for name in names:
        data[f"{name} filter"] = kernels.get(name).values
        data[name] = filtered(image, name)
    return data


def filter_sheet(fig, theme, data, names, panel, *, quantile=None, input_title="input"):
    """Input, then one column per filter: its kernel above, its output below."""
    image = data["input"]
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
        kernel = kernels.get(name)
        kernel_panel(kax, data[f"{name} filter"], theme, width)
        draw.title(kax, kernel.label, theme)
        if kernel.signed:
            signed_picture(pax, data[name], theme, quantile=quantile)
        else:
            draw.picture(pax, data[name], theme, norm=norm_in, role="output")


SMOOTHING = ("identity", "box_blur", "gaussian_blur", "sharpen", "emboss", "outline")
EDGES = ("vertical_edges", "horizontal_edges", "sobel_left", "sobel_right", "sobel_top",
         "sobel_bottom")


def catalogue_data(image, names):
    """Each named kernel and its output on `image` (which the figure does not show)."""
    data = sheet_data(image, names)
    del data["input"]
    return data


def catalogue(fig, theme, data, names):
    """Pairs of (kernel, its output on the close face), three to a row. A signed output
    is drawn with zero at mid-grey; a picture is clipped to 0-255."""
    size = photo_size(data[names[0]])
    lay = Layout(margin=0.35)   # room for titles wider than their picture
    for row in (names[:3], names[3:]):
        panels = [p for _ in row for p in ((3 * KERNEL_CELL, 3 * KERNEL_CELL), size)]
        lay.add_row(panels, gaps=[0.12, 0.4, 0.12, 0.4, 0.12], below=KEY)
    rows = lay.build(fig)
    norm_in = draw.norm_for(data[names[0]], "gray", 255)   # the photo's scale, 0 to 255
    for axes, row in zip(rows, (names[:3], names[3:])):
        for n, name in enumerate(row):
            kernel = kernels.get(name)
            kax, pax = axes[2 * n], axes[2 * n + 1]
            weights = data[f"{name} filter"]
            # A kernel of fractions is written as people write a blur: whole numbers times
            # 1/16, under the matrix ("1/16" in every cell does not fit a small cell at
            # 11 points, and beside the picture's title it would read as part of it).
            factor = common_denominator(weights)
            kernel_panel(kax, weights * factor if factor > 1 else weights, theme,
                         3 * KERNEL_CELL)
            if factor > 1:
                kax.text(0.5, -0.1, f"{TIMES} 1/{factor}", transform=kax.transAxes,
                         ha="center", va="top", fontsize=style.TITLE_SIZE, color=theme.text)
            out = data[name]
            if kernel.signed:
                signed_picture(pax, out, theme, quantile=0.99)
            else:
                draw.picture(pax, np.clip(out, 0, 255), theme, norm=norm_in, role="output")
            draw.title(pax, kernel.words, theme)


TIMES = "\u00d7"


def common_denominator(weights, largest: int = 64) -> int:
    """The smallest d (up to `largest`) such that every weight is a whole number divided
    by d, exactly as the weight is stored (1/49 times 49 is not exactly 1 in floating
    point, but 1 divided by 49 is exactly the weight); 1 when there is none."""
    weights = np.asarray(weights, dtype=float)
    if not np.isfinite(weights).all():
        return 1
    for d in range(1, largest + 1):
        if np.array_equal(np.round(weights * d) / d, weights):
            return d
    return 1


def catalogue_caption(names):
    """One sentence per kernel: its name, a dash, and what it does (the catalogue's own
    words, from lower case, without a closing ": vertical edges" that repeats the name):
    "Vertical edges — responds where brightness changes from left to right."
    """
    lines = []
    for n in names:
        k = kernels.get(n)
        meaning, echo = k.meaning, f": {k.words}."
        if meaning.endswith(echo):
            meaning = meaning[:-len(echo)] + "."
        lines.append(f"{k.words.capitalize()} — {meaning[:1].lower()}{meaning[1:]}")
    return "Kernels from the catalogue and what they do to the photo. " + " ".join(lines)


# Two places the same filter reads in the "why convolution" figure (top-left corners, in
# pixels of the 128 x 128 face): centred where the vertical-edge filter responds most
# strongly in the glasses (rows 15-44) and at the collar (rows 95-119).
WINDOWS = ((19, 63), (94, 33))


SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074"
                                          "\u2075\u2076\u2077\u2078\u2079")


def why_convolution_data():
    photo = face()
    kernel = kernels.VERTICAL_EDGES
    n = photo.size                       # one output cell per pixel, as with same padding
    return {"photo": photo, "kernel": kernel,
            "convolution parameters": np.array(kernel.size + 1),          # weights and a bias
            "fully connected parameters": np.array(n * n + n)}


def draw_why_convolution(fig, theme, data):
    photo, kernel = data["photo"], data["kernel"]
    counts = [int(data["convolution parameters"]), int(data["fully connected parameters"])]
    lay = Layout()
    lay.add_row([photo_size(photo, 1.6), draw.grid_size(kernel.shape), (3.6, 1.6)],
                gaps=[1.0, 0.9])
    (pic, k, bars), = lay.build(fig)
    draw.picture(pic, photo, theme, norm=draw.norm_for(photo, "gray", 255), role="input")
    draw.title(pic, f"{photo.shape[0]} \u00d7 {photo.shape[1]} pixels", theme)
    kernel_matrix(k, kernel, theme)
    draw.title(k, "one filter, everywhere", theme)
    for r, c in WINDOWS:
        draw.frame(pic, r - 0.5, c - 0.5, *kernel.shape, theme.window, lw=2)
        draw.connect(pic, (c + kernel.shape[1] - 0.5, r + 1), k, (0, 1.5), theme.window)
    # parameter counts on a scale of powers of ten, each bar labelled with its number
    top = int(np.ceil(np.log10(max(counts))))
    bars.set_xlim(0, top + 3.2)     # room for the longest bar's label
    bars.set_ylim(2.2, -0.4)
    labels = ("convolution", "fully connected")
    for row, (label, count) in enumerate(zip(labels, counts)):
        y = row * 1.1 + 0.45
        bars.add_patch(Rectangle((0, y - 0.22), np.log10(count), 0.44, color=theme.kernel
                                 if row == 0 else theme.muted, lw=0))
        bars.text(0, y - 0.34, label, fontsize=style.LABEL_SIZE, color=theme.text,
                  va="bottom")
        bars.text(np.log10(count) + 0.1, y, f"{count:,}", fontsize=style.LABEL_SIZE,
                  color=theme.text, va="center")
    for power in range(0, top + 1, 3):
        bars.text(power, 2.15, f"10{str(power).translate(SUPERSCRIPT)}" if power else "1",
                  fontsize=style.LABEL_SIZE,
                  color=theme.muted, ha="center", va="bottom")
    draw.title(bars, "numbers to learn (scale: powers of ten)", theme)


def why_convolution_caption(data):
    photo, kernel = data["photo"], data["kernel"]
    conv, dense = (int(data[k]) for k in ("convolution parameters",
                                           "fully connected parameters"))
    n = photo.size
    return (f"Why convolution: one {kernel.shape[0]} \u00d7 {kernel.shape[1]} filter and a bias, "
            f"{conv} numbers, read every position of the {photo.shape[0]} \u00d7 "
            f"{photo.shape[1]} face, the glasses and the collar alike. A fully connected "
            f"layer that maps the same image to an output of the same size needs a weight for "
            f"every "
            f"input and output pair, plus a bias per output: {n:,} \u00d7 {n:,} + {n:,} = "
            f"{dense:,} numbers.")


FIGURES = (
    FigureSpec(
        "grid", title="The black-and-white grid",
        caption="A 26 \u00d7 26 picture of black lines on white: the input for the next "
                "four filters. It is still a grid of numbers (0 for black, 1 for white), but "
                "from here on we look at it as an image.",
        alt="A square picture of a black frame divided by two black vertical and two black "
            "horizontal lines into nine white squares, like a window with nine panes.",
        compute=lambda: {"grid": images.grid()}, draw=draw_grid),
    *(grid_filter_figure(row) for row in GRID_FILTERS),
    FigureSpec(
        "grid-filters", title="One grid, four filters",
        caption="The same grid through four filters, side by side. Each filter keeps one kind "
                "of information (vertical edges, horizontal edges, all edges, everything) and "
                "throws the rest away.",
        alt="A summary sheet. On the left the grid picture; then four columns, each with a "
            "small 3 by 3 filter above its output. The vertical-edge output shows only vertical "
            "lines, the horizontal-edge output only horizontal ones, the all-edges output both, "
            "and the identity output is an exact copy of the grid.",
        compute=lambda: sheet_data(images.grid(), FILTERS),
        draw=lambda fig, theme, data: filter_sheet(fig, theme, data, FILTERS, (1.3, 1.3))),
    FigureSpec(
        "photo-filters", title="The four filters on a photograph",
        caption="The grid's four filters on a real photo. Vertical edges pick out the sides of "
                "the glasses and the face, horizontal edges the rims of the glasses, the mouth "
                "and the shoulders; the all-edges filter draws an outline, and identity changes "
                "nothing. Each colour key ends where only one cell in a hundred lies further "
                "from zero; those few cells take the key's end colours.",
        alt="A close crop of Grace Hopper's face in grey, then four filtered versions in grey "
            "with light and dark accents: one tracing vertical contours such as the sides of "
            "her glasses, one tracing horizontal ones such as the rims of her glasses and her "
            "mouth, one tracing "
            "every contour like a pencil sketch, and one identical to the photo.",
        compute=lambda: sheet_data(face(), FILTERS),
        draw=lambda fig, theme, data: filter_sheet(fig, theme, data, FILTERS,
                                                   photo_size(data["input"]), quantile=0.99,
                                                   input_title="photo")),
    FigureSpec(
        "kernels-smoothing", title="The kernel catalogue: blur, sharpen, emboss, outline",
        caption=catalogue_caption(SMOOTHING)
        + " Blurred and sharpened results are shown as pictures, clipped to 0-255.",
        alt="Six pairs of a 3 by 3 kernel and the face it produces: identity (unchanged), box "
            "blur and Gaussian blur (softer), sharpen (crisper), emboss (a relief lit from one "
            "corner; its weights add up to 1, so flat areas keep their own brightness and the "
            "picture stays mostly light) and outline (contours only, on mid-grey).",
        compute=lambda: catalogue_data(close_face(), SMOOTHING),
        draw=lambda fig, theme, data: catalogue(fig, theme, data, SMOOTHING)),
    FigureSpec(
        "kernels-edges", title="The kernel catalogue: edge detectors",
        caption=catalogue_caption(EDGES),
        alt="Six pairs of a 3 by 3 kernel and the face it produces, all on mid-grey: vertical "
            "and horizontal edges, then the four Sobel kernels. Each Sobel result is the "
            "negative of its opposite: where sobel left is light, sobel right is dark.",
        compute=lambda: catalogue_data(close_face(), EDGES),
        draw=lambda fig, theme, data: catalogue(fig, theme, data, EDGES)),
    FigureSpec(
        "why-convolution", title="One filter everywhere: why convolution needs so few numbers",
        caption=why_convolution_caption,
        alt=lambda data: (
            f"The {data['photo'].shape[0]} by {data['photo'].shape[1]} face with two small "
            f"squares marked on it, one on the glasses and one on the collar, both joined by "
            f"lines "
            f"to the same 3 by 3 filter. Beside them, two bars on a scale of powers of ten: "
            f"{int(data['convolution parameters'])} numbers to learn for the convolution, "
            f"{int(data['fully connected parameters']):,} for a fully connected layer."),
        compute=why_convolution_data, draw=draw_why_convolution),
)
