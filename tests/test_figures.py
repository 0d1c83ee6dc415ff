"""Figures: every figure, rendered now, matches the committed figures/; its data is what
the picture shows; its words are the numbers'; its two drawing paths agree.

A deliberate change is committed with `make regen` (see README), which
re-renders every figure; these tests then pass again.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.testing.compare import compare_images
from PIL import Image, ImageSequence

from convdocs.figures import build, catalogue, render, spec, style

pytestmark = pytest.mark.slow   # renders figures

FIGURES = Path(__file__).resolve().parents[1] / "figures"
DIFFS = Path(__file__).resolve().parents[1] / "test-output"
SPECS = catalogue.FIGURES
MANIFEST = json.loads((FIGURES / build.MANIFEST).read_text())
ENTRIES = {e["name"]: e for e in MANIFEST["figures"]}
ANIMATED = [n for n, s in SPECS.items() if s.animated]
PIXEL_TOLERANCE = 0.5     # RMS on 0-255; a changed digit or colour is far above it

_DATA: dict = {}


def data_of(name):
    """Each figure's data, computed once for the whole test session."""
    if name not in _DATA:
        _DATA[name] = SPECS[name].compute()
    return _DATA[name]


@pytest.fixture(scope="module")
def rendered():
    """Render each figure once per test module (rendering is the slow part)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = {f.path: f for f in render.render(SPECS[name], data_of(name))}
        return cache[name]
    return get


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("RGB"))


def gif_frames(data: bytes) -> list[tuple[np.ndarray, int]]:
    with Image.open(io.BytesIO(data)) as img:
        return [(np.asarray(f.convert("RGB")), f.info.get("duration"))
                for f in ImageSequence.Iterator(img)]


def assert_same_picture(committed: Path, fresh: bytes):
    """Pixels equal within PIXEL_TOLERANCE, or fail with the path of a diff image."""
    if np.array_equal(pixels(committed.read_bytes()), pixels(fresh)):
        return
    DIFFS.mkdir(exist_ok=True)
    actual = DIFFS / committed.name.replace(".png", ".actual.png")
    actual.write_bytes(fresh)
    result = compare_images(str(committed), str(actual), PIXEL_TOLERANCE, in_decorator=True)
    assert result is None, (f"{committed.name} changed: RMS {result['rms']:.2f} > "
                            f"{PIXEL_TOLERANCE}; diff image at {result['diff']}")


SVG_NUMBER = re.compile(r"-?\d+\.?\d*(?:e-?\d+)?")
SVG_ID = re.compile(r"\b([phm])[0-9a-f]{10}\b")


def svg_parts(data: bytes):
    """An SVG's text with ids numbered in order of appearance, and its numbers apart."""
    text, ids = data.decode(), {}
    text = SVG_ID.sub(lambda m: ids.setdefault(m.group(0), f"{m.group(1)}#{len(ids)}"), text)
    return SVG_NUMBER.split(text), [float(x) for x in SVG_NUMBER.findall(text)]


def assert_same_svg(committed: bytes, fresh: bytes, path: str):
    """Identical on one Python version; across versions a few coordinates differ in the
    6th decimal (and so do the clip-path ids hashed from them). Everything else, text,
    colours, structure and every number to 1e-3, must match."""
    if committed == fresh:
        return
    (text_a, nums_a), (text_b, nums_b) = svg_parts(committed), svg_parts(fresh)
    assert text_a == text_b, f"{path}: the SVG's structure, text or colours changed"
    assert len(nums_a) == len(nums_b), f"{path}: the SVG has a different number of values"
    worst = max((abs(a - b) for a, b in zip(nums_a, nums_b)), default=0.0)
    assert worst <= 1e-3, f"{path}: a coordinate moved by {worst}"


@pytest.mark.parametrize("name", list(SPECS))
def test_figure_matches_committed_files(name, rendered):
    entry = ENTRIES.get(name)
    assert entry, f"{name} is in the figure table but not in figures/manifest.json: " \
                  f"run `make figures`"
    fresh = rendered(name)
    assert sorted(fresh) == sorted(f["path"] for f in entry["files"])
    for path, f in fresh.items():
        committed = FIGURES / path
        if f.kind in ("png", "frames"):
            assert_same_picture(committed, f.data)
        elif f.kind == "gif":
            old, new = gif_frames(committed.read_bytes()), gif_frames(f.data)
            assert len(old) == len(new), f"{path}: {len(old)} frames committed, {len(new)} now"
            for i, ((a, da), (b, db)) in enumerate(zip(old, new)):
                assert da == db, f"{path} frame {i}: duration {da} ms committed, {db} ms now"
                diff = np.abs(a.astype(int) - b.astype(int))
                assert diff.max() == 0, f"{path} frame {i}: {np.count_nonzero(diff.any(-1))} " \
                                        f"pixels differ"
        elif f.kind == "player":
            # the site player's atlas: byte-stable, and its layout is the committed one
            assert_same_picture(committed, f.data)
            assert f.data == committed.read_bytes(), f"{path}: same pixels, other bytes"
            key = build.PLAYER_KEY if f.medium == "page" else build.PHONE_PLAYER_KEY
            assert f.layout == entry[key][f.theme], f"{path}: its layout changed"
        else:
            assert_same_svg(committed.read_bytes(), f.data, path)


@pytest.mark.parametrize("name", list(SPECS))
def test_figure_data_and_words_are_the_committed_ones(name):
    """The numbers the code computes now, and the caption and alt text it writes from them,
    are the ones in the manifest: a changed number, or a hand-edited caption, fails."""
    data = data_of(name)
    now, then = build.describe_data(data), ENTRIES[name]["data"]
    assert now.keys() == then.keys()
    for key in now:
        if "values" in now[key]:
            np.testing.assert_array_equal(np.array(now[key]["values"]),
                                          np.array(then[key]["values"]),
                                          err_msg=f"{name}: the numbers of {key!r} changed")
        assert now[key] == then[key], f"{name}: the array {key!r} changed"
    for field in ("caption", "alt"):
        assert SPECS[name].text(field, data) == ENTRIES[name][field], f"{name}: {field}"


def test_manifest_matches_the_files_and_the_table():
    assert [e["name"] for e in MANIFEST["figures"]] == list(SPECS)
    listed = set()
    for entry in MANIFEST["figures"]:
        figure = SPECS[entry["name"]]
        assert build.well_formed(entry), f"{figure.name}: its record is not sealed"
        assert (entry["title"], entry["page"], entry["animated"]) == (
            figure.title, figure.page, figure.animated)
        assert entry["fingerprint"] == build.figure_fingerprint(figure), \
            f"{figure.name}: its code changed since figures/ was built; run `make figures`"
        assert {f["path"] for f in entry["files"]} == set(spec.file_names(figure, build.THEMES))
        for f in entry["files"]:
            data = (FIGURES / f["path"]).read_bytes()
            listed.add(f["path"])
            assert build.sha256(data) == f["sha256"] and len(data) == f["bytes"], f["path"]
            if f["kind"] != "svg":
                with Image.open(io.BytesIO(data)) as img:
                    assert img.size == (f["width"], f["height"]), f["path"]
    on_disk = {p.name for p in FIGURES.iterdir()} - {build.MANIFEST, build.LOCK, build.CACHE,
                                                     build.TMP}
    assert on_disk == listed, f"unlisted files in figures/: {sorted(on_disk - listed)}"


def test_every_file_carries_the_licence_and_the_manifest_states_it():
    assert MANIFEST["attribution"] == spec.ATTRIBUTION
    assert MANIFEST["licence"] == {"name": "CC BY 4.0", "copyright": spec.COPYRIGHT,
                                   "url": "https://creativecommons.org/licenses/by/4.0/"}
    for entry in MANIFEST["figures"]:
        for f in entry["files"]:
            if f["kind"] == "player":     # the site player's frames: never offered as a file
                continue
            data = (FIGURES / f["path"]).read_bytes()
            if f["kind"] == "svg":
                assert "<dc:rights>" in data.decode() and spec.ATTRIBUTION in data.decode()
                continue
            with Image.open(io.BytesIO(data)) as img:
                credit = img.text.get("Copyright") if f["kind"] != "gif" else \
                    img.info["comment"].decode("utf-8")
            assert spec.ATTRIBUTION in credit, f["path"]


def perturbed(value, seed):
    """The same shape, other numbers: every entry moves by 1-3 steps of a quarter of its
    range (at least 1), so no entry keeps its value."""
    arr = np.asarray(value, dtype=float)
    step = max(1.0, float(np.ptp(arr)) / 4) if arr.size else 1.0
    moves = np.random.default_rng(seed).integers(1, 4, arr.shape)
    return arr + moves * step


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_every_piece_of_data_is_in_the_picture(name):
    """Data flows one way: change any one array of a figure's data and its picture changes.
    So the manifest, which records the data, records what the picture shows."""
    spec, data = SPECS[name], data_of(name)

    def picture(d):
        frames = spec.animate(d) if spec.animated else None
        step = spec.timing.key_index(frames.frames, d) if frames else None
        fig = render.draw(spec, d, style.LIGHT, step, frames)
        return np.asarray(render.raster(fig, style.LIGHT, 50))

    base = picture(data)
    for n, key in enumerate(data):
        changed = dict(data, **{key: perturbed(data[key], n)})
        assert not np.array_equal(picture(changed), base), \
            f"{name}: changing its data {key!r} does not change the picture"


def test_a_perturbation_changes_every_number():
    x = np.array([[0.0, 1.0], [1.0, 1.0]])
    assert not (perturbed(x, 0) == x).any()
    assert not (perturbed(np.zeros(3), 1) == 0).any()   # a constant array moves too


def _changed_cells(data, shift, kind):
    return np.count_nonzero(data[f"{kind} {shift}"] != data[f"{kind} 0"])


def _negative_windows(data):
    """Windows of the pooled edge map whose most negative value is stronger than the kept
    maximum: computed here with numpy alone, not with convdocs."""
    edges = data["edges"]
    h, w = (n // 2 * 2 for n in edges.shape)
    blocks = edges[:h, :w].reshape(h // 2, 2, w // 2, 2)
    return np.count_nonzero(-blocks.min(axis=(1, 3)) > blocks.max(axis=(1, 3)))


# Numbers a caption or alt text may state that are not among the figure's small arrays or
# the sizes, minima and maxima of its data: either structural (a scale's end, a window's
# size) or counts this test recomputes from the data on its own.
STRUCTURAL = {
    "pixels-small-image": lambda d: {0, 255},          # the grey scale's ends
    "pixels-photo-zoom": lambda d: {0, 255},
    "journey": lambda d: {2},                          # the 2 x 2 window
    "kernels-smoothing": lambda d: {0, 255},           # pictures are clipped to 0-255
    "pooling-grid": lambda d: {2, 0},                  # the 2 x 2 window; windows hold a 0
    "dilation-2": lambda d: {5},                       # a dilated 3 x 3 window spans 5 x 5
    "padding-modes": lambda d: {16, 6},                # the patch's size and the ring
    "transposed-padding": lambda d: {5},               # the stretched input's size (the plan)
    "transposed-strides": lambda d: {7},
    "transposed-odd": lambda d: {6},
    "pooling-translation": lambda d: {_changed_cells(d, s, k) for s in (1, 2)
                                      for k in ("edges", "pooled")},
    "pooling-photo": lambda d: {2, _negative_windows(d)},
    "receptive-field": lambda d: {16},                 # the grid drawn under the fields
}
NUMBER = re.compile(r"(?<![\w.,])[\u2212-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
SMALL = 144     # arrays up to this size state every value; larger ones their size and range


def _known_numbers(data) -> list[float]:
    known = []
    for value in data.values():
        arr = np.asarray(value, dtype=float)
        known += [float(s) for s in arr.shape] + [float(arr.size)]
        known += arr.ravel().tolist() if arr.size <= SMALL else [arr.min(), arr.max()]
    return known


@pytest.mark.parametrize("name", list(SPECS))
def test_captions_and_alt_text_state_only_the_data(name):
    """Every number the words state is a value of one of the figure's small arrays, a size,
    minimum or maximum of its data (to the decimals written), or a number listed above. A
    typo'd result fails."""
    entry, figure = ENTRIES[name], SPECS[name]
    data = data_of(name)
    known = np.array(_known_numbers(data))
    allowed = STRUCTURAL.get(name, lambda d: set())(data)
    for field in ("caption", "alt"):
        text = entry[field]
        assert text.endswith("."), f"{name}: the {field} is not a finished sentence"
        for m in NUMBER.finditer(text):
            value = float(m.group(0).replace("\u2212", "-").replace(",", ""))
            decimals = len(m.group(1) or "")
            if value in allowed:
                continue
            assert np.any(np.round(known, decimals) == value), \
                f"{name}: its {field} says {m.group(0)}, which its data does not hold"
    assert entry["alt"] != entry["title"] and entry["caption"] != entry["alt"]
    assert entry["alt"].startswith("Animation.") == figure.animated


@pytest.mark.parametrize("name, typo", [("global-average-pooling", ("30.1", "30.2")),
                                        ("pooling-photo", ("\u2212252", "\u2212251")),
                                        ("pooling-translation", ("24 of", "25 of"))])
def test_the_caption_check_catches_a_typo(name, typo, monkeypatch):
    entry = dict(ENTRIES[name])
    assert typo[0] in entry["caption"]
    entry["caption"] = entry["caption"].replace(typo[0], typo[1], 1)
    monkeypatch.setitem(ENTRIES, name, entry)
    with pytest.raises(AssertionError, match="its data does not hold"):
        test_captions_and_alt_text_state_only_the_data(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", ANIMATED)
def test_one_pass_and_layered_frames_are_the_same_picture(name):
    """In the spirit of matplotlib's check_figures_equal: every frame drawn in one pass
    (as the SVG and the notebook are) equals the frame drawn in layers (as the PNG and
    the GIF are), in both themes."""
    spec, data = SPECS[name], data_of(name)
    frames = spec.animate(data)
    for theme in style.THEMES:
        layered = render.layered(frames, theme, range(frames.frames), style.PAGE_DPI)
        for step, image in enumerate(layered):
            one_pass = render.raster(render.draw(spec, data, theme, step, frames), theme,
                                     style.PAGE_DPI)
            np.testing.assert_array_equal(np.asarray(image), np.asarray(one_pass),
                                          err_msg=f"{name} ({theme.name}) frame {step}")


@pytest.mark.parametrize("name", ANIMATED)
def test_gif_key_frame_is_the_one_pass_render_of_the_key_step(name):
    spec, data = SPECS[name], data_of(name)
    frames = spec.animate(data)
    for theme in style.THEMES:
        gif = gif_frames((FIGURES / render.file_name(name, theme, "gif")).read_bytes())
        n = len(gif)
        assert n == frames.frames
        key = spec.timing.key_index(n, data)
        static = Image.open(FIGURES / render.file_name(name, theme, "png")).convert("RGB")
        # drawn in one pass, not in layers as the committed files were
        fresh = render.raster(render.draw(spec, data, theme, key, frames), theme, style.PNG_DPI)
        np.testing.assert_array_equal(np.asarray(static), np.asarray(fresh))
        # ... and reduced to page size and mapped to the GIF's colours, it is frame `key`
        palette_from = render.layered(frames, theme, render.palette_steps(spec.timing, n, data),
                                      style.PNG_DPI)
        palette = render.palette_for([render.gif_frame(f) for f in palette_from], theme)
        expected = render.quantize(render.gif_frame(fresh), palette).convert("RGB")
        np.testing.assert_array_equal(gif[key][0], np.asarray(expected),
                                      err_msg=f"{name} ({theme.name}): frame {key}")


def min_font_size(fig) -> float:
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_text"))
             if t.get_visible() and t.get_text().strip()]
    return min(sizes)


@pytest.mark.parametrize("name", list(SPECS))
def test_text_is_legible_on_a_slide_and_on_the_page(name):
    spec, data = SPECS[name], data_of(name)
    frames = spec.animate(data) if spec.animated else None
    step = spec.timing.key_index(frames.frames, data) if frames else None
    fig = render.draw(spec, data, style.LIGHT, step, frames)
    width, height = fig.get_size_inches()
    points = min_font_size(fig)
    # A 1280 x 720 slide (13.33 in wide: 96 px per inch); the figure fits inside it.
    slide_px_per_inch = min(1280 / width, 720 / height)
    on_slide_pt = points * slide_px_per_inch / 96
    assert on_slide_pt >= 10, f"smallest text is {on_slide_pt:.1f} pt on a 1280 px slide"
    # The page column is about 760 CSS px wide; 1 figure inch is 100 CSS px.
    on_page_px = points / 72 * style.PAGE_DPI * min(1.0, 7.6 / width)
    assert on_page_px >= 11, f"smallest text is {on_page_px:.1f} px on the page"


def test_fonts_come_from_matplotlib_not_the_system():
    with style.context(style.LIGHT):
        path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert Path(path).name == "DejaVuSans.ttf"
    assert Path(matplotlib.get_data_path()) in Path(path).parents


def test_a_users_matplotlib_settings_do_not_reach_the_figures():
    """Rendering starts from matplotlib's own defaults, whatever the user has set."""
    spec = SPECS["grid-outline"]
    mine = {"lines.linewidth": 7.0, "font.family": "serif", "font.size": 30.0,
            "image.interpolation": "bicubic", "savefig.facecolor": "red",
            "svg.hashsalt": None, "axes.facecolor": "yellow", "text.color": "green"}
    with matplotlib.rc_context(mine):
        files = {f.path: f for f in render.render(spec)}
    for path, f in files.items():
        assert f.data == (FIGURES / path).read_bytes(), path


# -- colours: contrast on the background, and apart under colour-vision deficiencies --------

def _linear(hex_colour: str) -> np.ndarray:
    rgb = np.array(matplotlib.colors.to_rgb(hex_colour))
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _contrast(a: str, b: str) -> float:
    la, lb = (float(_linear(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


ROLES = ("input", "kernel", "output", "window")
# CIE76 distance that two role colours keep under every simulated colour vision: about five
# times a just-noticeable difference (2.3). Titles name every role too; colour is a second cue.
APART = 12


@pytest.mark.parametrize("theme", style.THEMES, ids=lambda t: t.name)
def test_role_colours_stand_out_and_stay_apart_for_every_colour_vision(theme):
    for role in ROLES:   # WCAG 1.4.11: graphical objects need 3:1 against what is around them
        assert _contrast(getattr(theme, role), theme.background) >= 3.0, (theme.name, role)
    assert _contrast(theme.text, theme.background) >= 4.5
    assert _contrast(theme.muted, theme.background) >= 4.5
    for vision, matrix in {"typical": np.eye(3), **CVD}.items():
        labs = {r: _lab(np.asarray(matrix) @ _linear(getattr(theme, r))) for r in ROLES}
        for i, a in enumerate(ROLES):
            for b in ROLES[i + 1:]:
                distance = float(np.linalg.norm(labs[a] - labs[b]))
                assert distance >= APART, f"{theme.name}, {vision}: {a} and {b} are only " \
                                       f"{distance:.1f} apart (CIE76)"


def test_a_kernel_of_fractions_is_drawn_as_whole_numbers_times_exactly_its_weights():
    from convdocs import kernels
    from convdocs.figures.what_filters_see import common_denominator
    # (1/49) * 49 is not exactly 1 in floating point, but 1 / 49 is exactly the weight
    assert common_denominator(np.full((7, 7), 1 / 49)) == 49
    assert common_denominator(kernels.get("gaussian_blur").values) == 16
    assert common_denominator(kernels.get("box_blur").values) == 9
    assert common_denominator(kernels.get("sobel_left").values) == 1
    assert common_denominator(np.array([-1 / 3, 2 / 3, 0.0])) == 3
    assert common_denominator(np.array([0.5, 1 / 3, 0.25])) == 12
    for odd in (np.zeros((3, 3)), np.array([np.nan, 0.5]), np.array([np.inf, 0.5]),
                np.array([0.123456789])):
        assert common_denominator(odd) == 1
    for weights in (kernels.get(n).values for n in ("gaussian_blur", "box_blur")):
        d = common_denominator(weights)   # the whole numbers drawn, divided by d, are the kernel
        assert np.array_equal(np.round(weights * d) / d, weights)


@pytest.mark.parametrize("dpi", [None, 200, 235.6])
def test_the_png_writer_matches_pillows_pixels_text_and_resolution(dpi):
    # render._rgb_png writes RGB PNGs itself (every row unfiltered); Pillow's writer is the
    # reference: the same pixels, the same text and dpi read back, and oxipng makes the
    # same file of either.
    import oxipng
    # Flat cells and a ramp, as figures are (noise would not compress, and oxipng then
    # keeps the file it was given, row filters and all).
    rng = np.random.default_rng(3)
    cells = np.kron(rng.integers(0, 256, (6, 9, 3)), np.ones((7, 7, 1)))
    cells[:, :, 1] += np.linspace(0, 40, cells.shape[1])
    img = Image.fromarray(np.clip(cells, 0, 255).astype(np.uint8)[:37, :53])
    meta = render.png_metadata("Pooling × 2 — “quoted”, ©")
    pillows = pillow_png(img, meta, dpi)
    for level in (0, 6):
        ours = Image.open(io.BytesIO(render._rgb_png(img, meta, dpi, level)))
        ours.load()
        reference = Image.open(io.BytesIO(pillows))
        reference.load()
        assert ours.mode == "RGB" and np.array_equal(np.asarray(ours), np.asarray(img))
        assert ours.info == reference.info
    assert oxipng.optimize_from_memory(render._rgb_png(img, meta, dpi, 0), **render.PNG_OXIPNG) \
        == oxipng.optimize_from_memory(pillows, **render.PNG_OXIPNG)


def test_a_colours_palette_index_does_not_depend_on_where_it_is():
    # The slides' GIFs map the empty slide to the palette once and each frame only where
    # the figure is; that is the whole frame mapped, because Pillow gives each pixel an
    # index that depends on its colour alone (the entry nearest the corner of the
    # colour's 4 x 4 x 4 block, not always the colour's own nearest).
    rng = np.random.default_rng(5)
    frame = rng.integers(0, 256, (60, 90, 3), dtype=np.uint8)
    frame[10:30] = frame[40:60]               # repeated colours in other places
    palette = render.palette_for([Image.fromarray(frame[::3, ::3])])
    whole = np.asarray(render.quantize(Image.fromarray(frame), palette))
    box = (slice(7, 51), slice(13, 77))
    piece = np.asarray(render.quantize(Image.fromarray(np.ascontiguousarray(frame[box])),
                                       palette))
    assert np.array_equal(piece, whole[box])


@pytest.mark.parametrize("name", ANIMATED)
def test_a_gif_shows_the_themes_colours_exactly(name):
    # The background and every role colour on a figure (input, filter, output, window,
    # text, lines) are exactly those colours in its GIF, wherever the key frame has them:
    # a median cut alone gave a light figure a (252, 252, 252) background, and Pillow's
    # lookup maps a colour by the corner of its 4 x 4 x 4 block, not by the colour.
    spec = SPECS[name]
    roles = ("background", "text", "muted", "cell_line", "input", "kernel", "output",
             "window")
    for theme in style.THEMES:
        gif = gif_frames((FIGURES / render.file_name(name, theme, "gif")).read_bytes())
        key = spec.timing.key_index(len(gif), spec.compute())
        static = Image.open(FIGURES / render.file_name(name, theme, "png")).convert("RGB")
        truth = np.asarray(render.gif_frame(static))      # the key frame at GIF size
        shown = gif[key][0]
        checked = []
        for role in roles:
            colour = np.array(to_rgb255(getattr(theme, role)), dtype=np.uint8)
            where = (truth == colour).all(axis=-1)
            if where.sum() < 0.002 * where.size:        # a few antialiased pixels at most
                continue
            checked.append(role)
            wrong = int((shown[where] != colour).any(axis=-1).sum())
            assert wrong == 0, f"{name} ({theme.name}): {role} {tuple(colour)} shown " \
                               f"otherwise in {wrong} of {int(where.sum())} pixels"
        assert "background" in checked and len(checked) >= 3, checked


def to_rgb255(colour) -> tuple[int, int, int]:
    return tuple(round(255 * v) for v in matplotlib.colors.to_rgb(colour))


@pytest.mark.parametrize("theme", [style.LIGHT, style.DARK])
def test_a_slide_gifs_key_frame_is_its_png_in_the_gifs_palette(theme, monkeypatch):
    # slides() maps the empty slide to the palette once and pastes each frame's figure,
    # mapped on its own, where the PNG has it: the key frame must be the slide PNG (the
    # same key frame, unmapped) mapped to the palette, pixel for pixel, wherever the
    # figure sits on the slide.
    captured = []
    real = render._gif_indexed
    monkeypatch.setattr(render, "_gif_indexed",
                        lambda indexed, ms, comment: captured.append(indexed) or
                        real(indexed, ms, comment))
    figure = SPECS["max-pooling"]
    data = figure.compute()
    parts = render.slides(figure, data, theme)
    assert len(captured) == len(parts) >= 1
    for part, indexed in zip(parts, captured):
        key = indexed[figure.timing.key_index(len(indexed), data)]
        palette = Image.new("P", (1, 1))
        palette.putpalette(key.getpalette())
        page = Image.open(io.BytesIO(part.png)).convert("RGB")
        assert np.array_equal(np.asarray(key), np.asarray(render.quantize(page, palette)))


@pytest.mark.parametrize("mode", ["RGBA", "L"])
def test_an_image_neither_rgb_nor_indexed_is_still_optimised_by_oxipng(mode):
    # Only indexed images (print strips, thumbnails) skip oxipng; an RGBA or grey image
    # is stored by Pillow and compressed by oxipng, as before render._rgb_png took RGB.
    import oxipng
    rng = np.random.default_rng(11)
    cells = np.kron(rng.integers(0, 256, (5, 7, 4)), np.ones((9, 9, 1))).astype(np.uint8)
    img = Image.fromarray(cells, "RGBA").convert(mode)
    meta = render.png_metadata("Pooling × 2 — ©")
    assert render._png_image(img, meta, 200) == \
        oxipng.optimize_from_memory(pillow_png(img, meta, 200), **render.PNG_OXIPNG)


def pillow_png(img, meta: dict, dpi) -> bytes:
    """`img` stored (uncompressed) by Pillow's own PNG writer, with `meta` as iTXt text
    and `dpi`: the reference the project's PNGs are checked against."""
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    for key, value in meta.items():
        if value is not None:
            info.add_itxt(key, value)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=0, pnginfo=info,
             **({} if dpi is None else {"dpi": (dpi, dpi)}))
    return buf.getvalue()
