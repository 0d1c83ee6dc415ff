"""Layouts: every figure on a phone and on a slide shows the page's data, legibly.

The phone layout is designed for a 358 CSS px column: a phone file shows at full size
(its CSS width, PNG width / 2, is at most 358 px), and no text is under 11 CSS px there.
A slide is 1920 x 1080 px: its title is 24 pt (48 px) and no text of the figure is under
18 pt (36 px). Every layout draws the same numbers, words and pictures.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import AxesImage
from matplotlib.text import Text
from PIL import Image

from convdocs.figures import build, catalogue, render, slides, spec, style

FIGURES = Path(__file__).resolve().parents[1] / "figures"
MANIFEST = json.loads((FIGURES / build.MANIFEST).read_text())
ENTRIES = {e["name"]: e for e in MANIFEST["figures"]}
SPECS = catalogue.FIGURES
PHONE_CSS_WIDTH = 358
PHONE_TEXT_PX = 11
SLIDE_TEXT_PX, SLIDE_TITLE_PX = 36, 48

_DATA: dict = {}


def data_of(name):
    if name not in _DATA:
        _DATA[name] = SPECS[name].compute()
    return _DATA[name]


def drawn(name, medium, theme=style.LIGHT):
    """The figure drawn for `medium` (an animation at its key step)."""
    figure, data = SPECS[name], data_of(name)
    frames = figure.animate(data) if figure.animated else None
    key = figure.timing.key_index(frames.frames, data) if frames else None
    return render.draw(figure, data, theme, key, frames, medium=medium)


def texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


# -- names and the manifest (fast) ----------------------------------------------------------

def test_file_names_keep_the_page_names_and_name_the_layout():
    assert spec.file_name("grid", "dark", "png") == "grid.dark.png"
    assert spec.file_name("grid", "dark", "png", "phone") == "grid.phone.dark.png"
    assert spec.file_name("conv", "light", "player", "phone") == "conv.phone.light.player.webp"
    assert spec.file_name("tiny-cnn", "dark", "png", "slide-2") == "tiny-cnn.slide-2.dark.png"


@pytest.mark.parametrize("name", list(SPECS))
def test_every_figure_has_phone_files_that_fit_the_column(name):
    entry = ENTRIES[name]
    phone = {(f["theme"], f["kind"]): f for f in entry["files"] if f["layout"] == "phone"}
    kinds = ("gif", "player", "png") if SPECS[name].animated else ("png",)
    assert sorted(phone) == sorted((t, k) for t in build.THEMES for k in kinds)
    for (theme, kind), f in phone.items():
        if kind == "png":
            assert f["width"] / 2 <= PHONE_CSS_WIDTH, f"{f['path']} is {f['width'] / 2} CSS px"
        if kind == "gif":
            assert f["width"] <= PHONE_CSS_WIDTH, f"{f['path']} is {f['width']} px wide"
    if SPECS[name].animated:
        for theme in build.THEMES:
            layout = entry[build.PHONE_PLAYER_KEY][theme]
            assert (layout["width"], layout["height"]) == (phone[theme, "png"]["width"],
                                                           phone[theme, "png"]["height"])


def test_every_file_in_the_manifest_names_its_layout():
    for entry in MANIFEST["figures"]:
        for f in entry["files"]:
            assert f["layout"] in ("page", "phone")
            assert f["path"] == spec.file_name(entry["name"], f["theme"], f["kind"],
                                               f["layout"])


def test_a_record_with_a_file_of_no_layout_is_not_evidence():
    entry = json.loads(json.dumps(ENTRIES["grid"]))
    del entry["files"][0]["layout"]
    entry["record"] = build.seal(entry)
    assert not build.well_formed(entry)


# -- drawn for each medium (slow) -------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_phone_text_is_at_least_11_css_px_and_inside_the_figure(name):
    fig = drawn(name, style.PHONE)
    width, _ = fig.get_size_inches()
    css_width = width * style.PHONE.px_per_inch * render.scale(fig, style.PHONE)
    assert css_width <= PHONE_CSS_WIDTH + 0.5
    per_point = render.css_px_per_point(fig, style.PHONE)
    renderer = fig.canvas.get_renderer()
    for t in texts(fig):
        px = t.get_fontsize() * per_point
        assert px >= PHONE_TEXT_PX - 1e-6, f"{t.get_text()!r} is {px:.1f} CSS px on a phone"
        if t.get_rotation() % 180 == 0:
            box = t.get_window_extent(renderer)
            assert box.x0 >= -1 and box.x1 <= fig.bbox.x1 + 1, \
                f"{t.get_text()!r} runs off the phone figure"


def pictures(fig):
    """Every image array drawn, as bytes, and every text with its line breaks removed.
    Sets, not counts: a layout may repeat a row's label (decider-filters on a phone has
    two blocks of filters, each with its labels)."""
    images = {np.ascontiguousarray(np.asarray(im.get_array(), dtype=float)).tobytes()
              for im in fig.findobj(AxesImage)}
    words = {re.sub(r"\s+", " ", t.get_text()).strip() for t in texts(fig)}
    return images, words


def drawn_parts(name, theme=style.LIGHT):
    """The slide parts a figure declares, each drawn for the slide (none if it declares
    none)."""
    figure, data = SPECS[name], data_of(name)
    return [render.draw(figure, data, theme, medium=style.SLIDE, part=p)
            for p in (figure.parts(data) if figure.parts else ())]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_every_layout_draws_the_same_numbers_words_and_pictures(name):
    page_images, page_words = pictures(drawn(name, style.PAGE))
    for medium in (style.PHONE, style.SLIDE):
        images, words = pictures(drawn(name, medium))
        assert words == page_words, f"{medium.name}: {words ^ page_words}"
        assert images == page_images, f"{name}: the {medium.name} draws other pictures"
    parts = [pictures(fig) for fig in drawn_parts(name)]
    if parts:    # its slides, one per part: together, what the page shows, and no more
        images = set().union(*(i for i, _ in parts))
        words = set().union(*(w for _, w in parts))
        assert words == page_words, f"slide parts: {words ^ page_words}"
        assert images == page_images, f"{name}: the slide parts draw other pictures"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_slide_text_is_at_least_18_pt_at_1920_by_1080(name):
    fig = drawn(name, style.SLIDE)
    per_point = style.SLIDE.px_per_inch / 72     # the figure is drawn at that size, never less
    smallest = min(t.get_fontsize() for t in texts(fig)) * per_point
    assert smallest >= SLIDE_TEXT_PX - 1e-6, f"smallest text is {smallest:.1f} px on a slide"
    for k, part in enumerate(drawn_parts(name), 1):
        smallest = min(t.get_fontsize() for t in texts(part)) * per_point
        assert smallest >= SLIDE_TEXT_PX - 1e-6, f"part {k}: smallest text is {smallest:.1f} px"


SLIDE_SAMPLE = ["input-and-filter", "convolution", "tiny-cnn", "padding-modes",
                "decider-filters"]


@pytest.fixture(scope="module")
def slide_parts():
    cache = {}

    def get(name, theme=style.LIGHT):
        if (name, theme.name) not in cache:
            cache[name, theme.name] = render.slides(SPECS[name], data_of(name), theme)
        return cache[name, theme.name]
    return get


@pytest.mark.slow
@pytest.mark.parametrize("name", SLIDE_SAMPLE)
def test_slides_are_1920_by_1080_with_a_48_px_title(name, slide_parts):
    parts = slide_parts(name)
    assert [p.index for p in parts] == list(range(1, len(parts) + 1))
    for p in parts:
        with Image.open(io.BytesIO(p.png)) as img:
            assert img.size == (1920, 1080)
        svg = p.svg.decode()
        assert re.search(r'<svg [^>]*width="960pt" height="540pt"', svg)
        assert "<dc:date>" not in svg
        if SPECS[name].animated:
            with Image.open(io.BytesIO(p.gif)) as gif:
                assert gif.size == (1920, 1080) and gif.n_frames > 1
        else:
            assert p.gif is None
    assert render.SLIDE_TITLE_PT * style.SLIDE_DPI / 72 >= SLIDE_TITLE_PX


def test_a_figure_taller_than_a_slide_is_cut_across_blank_rows():
    ink = np.zeros((2000, 400), bool)
    ink[10:900] = True
    ink[950:1800] = True      # two blocks with a blank band between them
    boxes = render.slide_pieces(ink)
    assert len(boxes) == 2
    assert boxes[0][1] == 10 and boxes[0][3] == 900 and boxes[1][1] == 950
    x0, y0, x1, y1 = render.slide_area()
    assert all(b[3] - b[1] <= y1 - y0 and b[2] - b[0] <= x1 - x0 for b in boxes)


def test_a_figure_a_little_too_tall_loses_blank_rows_not_ink():
    used = np.zeros(1000, bool)
    used[10:400] = True
    used[520:600] = True          # a gap of 120 blank rows
    used[660:900] = True          # and one of 60
    # 890 inked-to-inked rows; room 850: 40 rows go, from the middle of the widest gap
    spans = render.squeezed_rows(used, 850, least=48)
    keep = np.concatenate([np.arange(a, b) for a, b in spans])
    assert used[keep].sum() == used.sum()                  # every inked row is kept
    rows = np.flatnonzero(used[keep])
    assert rows[-1] + 1 - rows[0] == 850
    gone = sorted(set(range(1000)) - set(keep.tolist()))
    assert gone == list(range(440, 480))                   # the middle of the 120-row gap
    # more than the widest gap can give: the next widest gives the rest, down to `least`
    spans = render.squeezed_rows(used, 890 - 72 - 12, least=48)
    keep = np.concatenate([np.arange(a, b) for a, b in spans])
    blank_runs = np.diff(np.flatnonzero(np.diff(used[keep].astype(np.int8))))[1::2]
    assert sorted(blank_runs.tolist()) == [48, 48]
    assert render.squeezed_rows(used, 890) is None         # fits already
    assert render.squeezed_rows(used, 890 - 85) is None    # gaps cannot give 85 rows


@pytest.mark.slow
def test_pooling_overlap_is_one_slide_with_its_formula(slide_parts):
    # 5 px too tall for a slide at full size: its formula used to get a slide of its own
    parts = slide_parts("pooling-overlap")
    assert len(parts) == 1
    svg = parts[0].svg.decode()
    assert svg.count("<svg ") == 1 + 2                     # the slide, and its two crops
    assert 'id="f0-' in svg and 'id="f1-' in svg


@pytest.mark.parametrize("theme", style.THEMES, ids=lambda t: t.name)
def test_ink_is_where_any_frame_is_not_the_background(theme):
    # the slide cutter's fast ink (minimum and maximum over frames) against the definition
    bg = np.array([round(255 * v) for v in to_rgb(theme.background)], np.uint8)
    rng = np.random.default_rng(7)
    for _ in range(200):
        h, w, n = (int(v) for v in rng.integers(1, 24, 3))
        frames = []
        for _ in range(n % 5 + 1):
            a = np.broadcast_to(bg, (h, w, 3)).copy()
            hit = rng.random((h, w, 3)) < 0.05
            a[hit] = rng.integers(0, 256, int(hit.sum()))  # may land on the background value
            frames.append(a)
        want = np.zeros((h, w), bool)
        for a in frames:
            want |= (a != bg).any(axis=-1)
        assert (render._ink(frames, theme) == want).all()


# Figures that are too big for one slide and say how they go on slides, so that each slide
# shows what its panels are (a cut across the figure could leave a slide of untitled maps).
DECLARED = ["tiny-cnn", "tiny-cnn-second-filters", "pooling-translation", "decider-filters"]


@pytest.mark.parametrize("name", DECLARED)
def test_figures_too_big_for_a_slide_declare_their_slide_parts(name):
    parts = SPECS[name].parts(data_of(name))
    assert len(parts) > 1 and all(p.title.strip() for p in parts)


@pytest.mark.slow
@pytest.mark.parametrize("name", DECLARED)
def test_every_slide_of_a_split_figure_names_what_it_shows(name, slide_parts):
    """One slide per declared part, titled by the figure and the part, and every one with
    at least one title or label of its own panels."""
    figure, data = SPECS[name], data_of(name)
    declared = figure.parts(data)
    parts = slide_parts(name)
    assert [(p.index, p.count, p.title) for p in parts] == \
        [(k, len(declared), f"{figure.title}: {d.title} ({k}/{len(declared)})")
         for k, d in enumerate(declared, 1)]
    for k, fig in enumerate(drawn_parts(name), 1):
        words = {t.get_text() for t in texts(fig)
                 if not re.fullmatch(r"[\d\s.,/\u2212-]+", t.get_text())}
        assert words, f"{name}: slide {k} has no title or label, only numbers or pictures"


@pytest.mark.slow
def test_the_tiny_cnn_goes_on_slides_stage_by_stage(slide_parts):
    from convdocs.figures import tiny_cnn
    data = data_of("tiny-cnn")
    titles = [p.title for p in slide_parts("tiny-cnn")]
    assert titles == [f"A tiny CNN at work: {t} ({k}/7)" for k, t in
                      enumerate(("the input", "first convolution", "first ReLU",
                                 "first pooling", "second convolution", "second ReLU",
                                 "second pooling"), 1)]
    for n, fig in enumerate(drawn_parts("tiny-cnn")):
        out = data[tiny_cnn.stage_key(n)]
        maps = [out] if out.ndim == 2 else [out[..., c] for c in range(out.shape[2])]
        images, words = pictures(fig)
        assert images == {np.ascontiguousarray(m, dtype=float).tobytes() for m in maps}
        assert words == {f"{tiny_cnn.STAGES[n]} " + " \u00d7 ".join(map(str, out.shape))}


def test_empty_panels_get_no_axes_and_a_wrapped_table_drops_their_lines():
    from convdocs.figures.draw import Layout

    def table():
        lay = Layout()       # three columns of 1-inch panels; only column 0 goes down
        lay.add_row([(1.0, 1.0)] * 3, gaps=[3.0, 3.0])
        lay.add_row([(1.0, 1.0)] * 3, gaps=[3.0, 3.0], title=0.0, empty={1, 2})
        return lay

    page = render._blank()
    rows = table().build(page)
    assert rows[1][1] is None and rows[1][2] is None and rows[1][0] is not None
    assert len(page.axes) == 4
    with style.drawing_for(style.PHONE):       # 7 inches wide: wraps into one column a line
        phone = render._blank()
        rows = table().build(phone)
    # column 0's two lines, then one line each for columns 1 and 2: their empty second
    # lines are left out, so the figure is four lines of 1 inch, not six
    assert len(phone.axes) == 4 and rows[1][1] is None
    full = render._blank()
    with style.drawing_for(style.PHONE):
        lay = table()
        lay.empty[1] = set()
        lay.build(full)
    assert phone.get_size_inches()[1] < full.get_size_inches()[1] - 1.5


def test_a_declared_part_too_big_for_a_slide_is_an_error():
    def huge(fig, theme, data):
        from convdocs.figures.draw import Layout
        lay = Layout()
        for _ in range(3):
            lay.add_row([(2.0, 2.0)])
        for row in lay.build(fig):
            row[0].set_axis_on()
    figure = spec.FigureSpec("huge", "Huge", "", "", compute=dict, draw=huge,
                             parts=lambda data: (spec.Part("all of it", huge),
                                                 spec.Part("again", huge)))
    with pytest.raises(ValueError, match="must fit one"):
        render.slides(figure, {}, style.LIGHT)


def test_only_a_static_figure_declares_slide_parts():
    with pytest.raises(ValueError, match="static"):
        spec.FigureSpec("moving", "Moving", "", "", compute=dict, animate=lambda d: None,
                        timing=spec.Timing(100), parts=lambda data: ())


@pytest.mark.slow
def test_slides_are_the_same_bytes_every_time(slide_parts):
    again = render.slides(SPECS["input-and-filter"], data_of("input-and-filter"), style.LIGHT)
    assert [(p.png, p.svg) for p in again] == \
        [(p.png, p.svg) for p in slide_parts("input-and-filter")]


@pytest.mark.slow
def test_the_slides_step_is_incremental_and_deletes_only_its_own_files(tmp_path):
    names = ["input-and-filter", "grid"]
    (tmp_path / "figures").mkdir()
    mine = tmp_path / "figures" / "grid.slide-9.light.png"      # not written by the step
    mine.write_bytes(b"a teacher's file")
    log = []
    assert slides.build_slides(only=names, out=tmp_path, jobs=1, log=log.append) == 0
    listed = json.loads((tmp_path / slides.LIST).read_text())
    assert listed["format"] == slides.FORMAT == 2
    assert [e["name"] for e in listed["figures"]] == names
    for entry in listed["figures"]:
        for part in entry["parts"]:
            for theme, files in part["files"].items():
                for kind, f in files.items():
                    data = (tmp_path / f["path"]).read_bytes()
                    assert build.sha256(data) == f["sha256"]
    log.clear()
    assert slides.build_slides(only=names, out=tmp_path, jobs=1, log=log.append) == 0
    assert [line for line in log if line.startswith("unchanged")] == \
        [f"unchanged  {n}" for n in names]
    assert mine.read_bytes() == b"a teacher's file"
