"""Figures of the home page: the whole story in one picture."""

from __future__ import annotations

from ..pool import max_pool2d
from . import draw
from .draw import Layout
from .examples import face, filtered
from .panels import photo_size, signed_norm
from .spec import FigureSpec


def journey_data():
    photo = face()
    edges = filtered(photo, "outline")
    return {"photo": photo, "edges": edges, "pooled": max_pool2d(edges, 2)}


def draw_journey(fig, theme, data):
    img, edges, pooled = data["photo"], data["edges"], data["pooled"]
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


FIGURES = (
    FigureSpec(
        "journey", title="From photo to edges to pooled features",
        caption="The whole story in one picture: a photo is a grid of numbers; a filter turns "
                "it into a map of its edges; max pooling halves that map, keeping the largest "
                "value of each 2 \u00d7 2 window, so the light side of every strong edge "
                "survives.",
        alt="Three panels joined by arrows: a grey close-up of Grace Hopper's face, the same "
            "face as a sketch of light and dark outlines on grey, and a half-size version of "
            "that sketch in which the glasses and mouth are still clear.",
        compute=journey_data, draw=draw_journey),
)
