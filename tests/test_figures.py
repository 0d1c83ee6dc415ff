"""Stability tests: every registered figure, rendered now, matches the committed figures/.

A deliberate change is committed with `make regen` (see README), which
re-renders every figure; these tests then pass again.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.testing.compare import compare_images
from PIL import Image, ImageSequence

from convdocs import build, registry, render, style

FIGURES = Path(__file__).resolve().parents[1] / "figures"
DIFFS = Path(__file__).resolve().parents[1] / "test-output"
SPECS = registry.load()
MANIFEST = json.loads((FIGURES / build.MANIFEST).read_text())
ENTRIES = {e["name"]: e for e in MANIFEST["figures"]}
PIXEL_TOLERANCE = 0.5     # RMS on 0-255; a changed digit or colour is far above it


@pytest.fixture(scope="module")
def rendered():
    """Render each figure once per test module (rendering is the slow part)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = {f.path: f for f in render.render(SPECS[name])}
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
    assert entry, f"{name} is registered but not in figures/manifest.json: run `make figures`"
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
        else:
            assert_same_svg(committed.read_bytes(), f.data, path)


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.data])
def test_figure_shows_the_committed_numbers(name):
    now = build.describe_data(SPECS[name].data())
    then = ENTRIES[name]["data"]
    assert now.keys() == then.keys()
    for key in now:
        if "values" in now[key]:
            np.testing.assert_array_equal(np.array(now[key]["values"]),
                                          np.array(then[key]["values"]),
                                          err_msg=f"{name}: the numbers of {key!r} changed")
        assert now[key] == then[key], f"{name}: the array {key!r} changed"


def test_manifest_matches_files_and_registry():
    assert [e["name"] for e in MANIFEST["figures"]] == list(SPECS)
    listed = set()
    for entry in MANIFEST["figures"]:
        spec = SPECS[entry["name"]]
        assert {"name", "title", "caption", "alt", "page", "files", "fingerprint"} <= entry.keys()
        assert entry["title"] == spec.title and entry["page"] == spec.page
        assert entry["animated"] == spec.animated
        assert entry["fingerprint"] == registry.fingerprint(spec), \
            f"{spec.name}: its code changed since figures/ was built; run `make figures`"
        kinds = {(f["theme"], f["kind"]) for f in entry["files"]}
        expected = {"png", "svg"} | ({"gif", "frames"} if spec.animated else set())
        assert kinds == {(t.name, k) for t in style.THEMES for k in expected}
        for f in entry["files"]:
            data = (FIGURES / f["path"]).read_bytes()
            listed.add(f["path"])
            assert build.sha256(data) == f["sha256"] and len(data) == f["bytes"], f["path"]
            if f["kind"] != "svg":
                with Image.open(io.BytesIO(data)) as img:
                    assert img.size == (f["width"], f["height"]), f["path"]
    on_disk = {p.name for p in FIGURES.iterdir() if p.name != build.MANIFEST}
    assert on_disk == listed, f"unlisted files in figures/: {sorted(on_disk - listed)}"


@pytest.mark.parametrize("name", list(SPECS))
def test_captions_and_alt_text_say_something(name):
    entry = ENTRIES[name]
    assert len(entry["alt"]) >= 80 and entry["alt"] != entry["title"]
    assert len(entry["caption"]) >= 60
    assert entry["caption"] != entry["alt"]


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.animated])
def test_gif_key_frame_is_the_static_render(name):
    spec = SPECS[name]
    for theme in style.THEMES:
        gif = (FIGURES / render.file_name(spec, theme, "gif")).read_bytes()
        frames = gif_frames(gif)
        n = len(frames)
        assert n == spec.frames()
        key = spec.key_index(n)
        static = Image.open(FIGURES / render.file_name(spec, theme, "png")).convert("RGB")
        fresh = render.raster(spec, theme, key, style.PNG_DPI)
        # the committed static PNG is the same picture as a fresh render of step `key` ...
        np.testing.assert_array_equal(np.asarray(static), np.asarray(fresh))
        # ... and reduced to page size and mapped to the GIF's colours, it is frame `key`
        palette = render.palette_for([render.gif_frame(render.raster(spec, theme, s,
                                                                     style.PNG_DPI))
                                      for s in render.palette_steps(spec, n)])
        expected = render.quantize(render.gif_frame(static), palette).convert("RGB")
        np.testing.assert_array_equal(frames[key][0], np.asarray(expected),
                                      err_msg=f"{name} ({theme.name}): frame {key}")


def min_font_size(fig) -> float:
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_text"))
             if t.get_visible() and t.get_text().strip()]
    return min(sizes)


@pytest.mark.parametrize("name", list(SPECS))
def test_text_is_legible_on_a_slide_and_on_the_page(name):
    spec = SPECS[name]
    step = spec.key_index(spec.frames()) if spec.animated else None
    fig = render.draw(spec, style.LIGHT, step)
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
    import matplotlib
    with matplotlib.rc_context(style.rc(style.LIGHT)):
        path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert Path(path).name == "DejaVuSans.ttf"
    assert Path(matplotlib.get_data_path()) in Path(path).parents


def test_roles_keep_one_distinct_colour_per_theme():
    roles = ("input", "kernel", "output", "window")
    for theme in style.THEMES:
        colours = [getattr(theme, r) for r in roles]
        assert len(set(colours)) == len(colours), theme.name
