"""The animation player: every animation on every page plays from its atlas.

The Python side (no browser): each atlas holds every 2x frame of its animation exactly
(key frame + that frame's boxes = ``render.layered(..., style.PNG_DPI)`` frame k), its
timing is the GIF's, its boxes cover every changed tile once, and the site hook hands
the page only checked numbers.

The browser side (Chromium through Playwright, as in test_site.py: skipped without
Chromium unless ``$CI`` is set): what the canvas holds at step k is the 2x frame k byte
for byte, in both themes; keyboard-only use; reduced motion; one player at a time;
nothing from another host; no console errors; atlases fetched only near the viewport;
390 px phones; the dark scheme; a page's first load under 1 MB; and attacks: rapid
keys, resizing, switching scheme mid-play, instant navigation away and back, a missing
or damaged atlas, no JavaScript.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import numpy as np
import pytest
from mkdocs.exceptions import PluginError
from PIL import Image, ImageSequence

from convdocs.figures import build, catalogue, render, style
from convdocs.figures.spec import file_name

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
MANIFEST = json.loads((FIGURES / build.MANIFEST).read_text())
ENTRIES = {e["name"]: e for e in MANIFEST["figures"]}
SPECS = catalogue.FIGURES
ANIMATED = [n for n, s in SPECS.items() if s.animated]
THEMES = {t.name: t for t in style.THEMES}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHROME_ARGS = ["--no-sandbox", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
FIRST_LOAD_BUDGET = 1_000_000      # bytes on the wire for a page's first load


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = _load("player_figure_hooks", ROOT / "docs" / "hooks" / "figures.py")
site_server = _load("player_site_server", ROOT / "tests" / "site_server.py")


@cache
def frames_2x(name: str, theme: str) -> tuple[np.ndarray, ...]:
    """Every frame of an animation as the GIF and the PNG are drawn: in layers, at 2x."""
    spec = SPECS[name]
    frames = spec.animate(spec.compute())
    images = render.layered(frames, THEMES[theme], range(frames.frames), style.PNG_DPI)
    return tuple(np.asarray(i) for i in images)


def atlas_pixels(name: str, theme: str) -> np.ndarray:
    path = FIGURES / file_name(name, theme, "player")
    with Image.open(path) as img:
        assert img.format == "WEBP" and img.mode == "RGB", path.name
        return np.asarray(img)


def boxes(text: str) -> list[tuple[int, ...]]:
    return [tuple(map(int, box.split(","))) for box in text.split()]


def rebuilt(atlas: np.ndarray, layout: dict, step: int) -> np.ndarray:
    """What the player draws for `step`: the key frame, then the step's boxes over it."""
    w, h = layout["width"], layout["height"]
    frame = atlas[:h, :w].copy()
    for x, y, bw, bh, ax, ay in boxes(layout["frames"][step]):
        frame[y:y + bh, x:x + bw] = atlas[ay:ay + bh, ax:ax + bw]
    return frame


# ---------------------------------------------------------------------------
# The atlases and their layouts

@pytest.mark.slow
@pytest.mark.parametrize("name", ANIMATED)
def test_the_atlas_holds_every_2x_frame_exactly(name):
    for theme in THEMES:
        layout, atlas = ENTRIES[name]["player"][theme], atlas_pixels(name, theme)
        expected = frames_2x(name, theme)
        assert len(layout["frames"]) == len(expected)
        for step, frame in enumerate(expected):
            got = rebuilt(atlas, layout, step)
            assert got.shape == frame.shape
            differ = np.count_nonzero((got != frame).any(-1))
            assert differ == 0, f"{name} ({theme}) step {step}: {differ} pixels differ"


@pytest.mark.parametrize("name", ANIMATED)
def test_the_key_frame_is_the_static_png_and_the_timing_is_the_gifs(name):
    entry = ENTRIES[name]
    for theme in THEMES:
        layout = entry["player"][theme]
        with Image.open(FIGURES / file_name(name, theme, "png")) as png:
            static = np.asarray(png.convert("RGB"))
        assert (layout["width"], layout["height"]) == (static.shape[1], static.shape[0])
        np.testing.assert_array_equal(atlas_pixels(name, theme)[:static.shape[0],
                                                                :static.shape[1]], static)
        assert boxes(layout["frames"][layout["key"]]) == []   # the key frame is the base
        with Image.open(FIGURES / file_name(name, theme, "gif")) as gif:
            ms = [f.info["duration"] for f in ImageSequence.Iterator(gif)]
        assert layout["ms"] == ms, f"{name} ({theme}): the player's timing is not the GIF's"
        spec = SPECS[name]
        assert layout["key"] == spec.timing.key_index(len(ms), spec.compute())


def test_the_atlases_weigh_about_what_the_gifs_do():
    """The point of the format: a 2x player costs about what the 1x GIF it replaces costs.
    Most atlases are lighter; one whose frames change most of a photo (filter-learning,
    dark: 371 kB against its GIF's 230 kB) is up to 1.6 times as heavy, and is fetched only
    when it comes into view."""
    players, gifs = [], []
    for name in ANIMATED:
        files = {(f["theme"], f["kind"]): f["bytes"] for f in ENTRIES[name]["files"]
                 if f["layout"] == "page"}
        for theme in THEMES:
            players.append(files[theme, "player"])
            gifs.append(files[theme, "gif"])
            assert files[theme, "player"] <= 1.7 * files[theme, "gif"], (name, theme)
            assert files[theme, "player"] <= 400_000, (name, theme)
    assert np.median(players) < np.median(gifs)


@pytest.mark.parametrize("seed", range(40))
def test_tile_boxes_cover_every_changed_tile_once(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 30, 2))
    changed = rng.random(shape) < rng.choice([0.02, 0.1, 0.4, 0.9])
    if seed % 5 == 0:                   # odd case: a few blobs, as moving artists make
        changed[:] = False
        for _ in range(3):
            r, c = rng.integers(0, shape[0]), rng.integers(0, shape[1])
            changed[r:r + 4, c:c + 6] = True
    cover = np.zeros(shape, int)
    found = render.tile_boxes(changed)
    for c0, r0, c1, r1 in found:
        assert 0 <= c0 < c1 <= shape[1] and 0 <= r0 < r1 <= shape[0]
        cover[r0:r1, c0:c1] += 1
    assert cover.max(initial=0) <= 1, "a tile is in two boxes"
    assert (cover[changed] == 1).all(), "a changed tile is in no box"
    # each merge of two boxes adds at most PLAYER_WASTE unchanged tiles; it starts from
    # the runs of changed tiles in each row
    runs = int((np.diff(changed.astype(int), axis=1, prepend=0) == 1).sum())
    waste = int(((cover == 1) & ~changed).sum())
    assert waste <= render.PLAYER_WASTE * (runs - len(found))


@pytest.mark.parametrize("seed", range(30))
def test_changed_tiles_finds_every_changed_pixel_and_nothing_else(seed):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 90, size=2)
    tile = int(rng.integers(1, 20))
    base = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    frame = base.copy()
    for _ in range(int(rng.integers(0, 4))):        # a few pixels, one channel each
        y, x, c = rng.integers(0, h), rng.integers(0, w), rng.integers(0, 3)
        frame[y, x, c] ^= np.uint8(1 << int(rng.integers(0, 8)))
    # the plain definition, pixel by pixel
    expected = np.zeros((-(-h // tile), -(-w // tile)), bool)
    for y, x in zip(*np.nonzero((frame != base).any(axis=-1))):
        expected[y // tile, x // tile] = True
    assert (render.changed_tiles(frame, base, tile) == expected).all()


def test_an_atlas_too_tall_for_webp_is_packed_wider():
    """Tall frames whose boxes would not fit under 16,383 pixels go onto wider shelves."""
    base = np.zeros((6000, 40, 3), np.uint8)
    frames = []
    for k in range(4):
        f = base.copy()
        f[k:, :] = 50 + 40 * k          # every frame differs almost everywhere
        frames.append(Image.fromarray(f))
    atlas, layout = render.player_atlas(frames, 0, [100] * 4)
    assert atlas.height <= render.WEBP_MAX and atlas.width > 40
    pixels = np.asarray(atlas)
    for k, f in enumerate(frames):
        np.testing.assert_array_equal(rebuilt(pixels, layout, k), np.asarray(f))


def test_only_animations_have_a_player_record():
    for name, entry in ENTRIES.items():
        assert ("player" in entry) == SPECS[name].animated
        assert build.well_formed(entry)
    still = dict(ENTRIES["grid"], player={"light": {}, "dark": {}})
    still["record"] = build.seal(still)
    assert not build.well_formed(still)
    moving = {k: v for k, v in ENTRIES["convolution"].items() if k != "player"}
    moving["record"] = build.seal(moving)
    assert not build.well_formed(moving)


# ---------------------------------------------------------------------------
# The site hook: data-cd-player carries checked numbers, escaped

@pytest.fixture
def site_state():
    hooks._state.update(manifest=dict(ENTRIES), tables=MANIFEST["tables"], figures_dir=FIGURES)


def page(url="convolution/", src="convolution.md"):
    return SimpleNamespace(url=url, file=SimpleNamespace(src_uri=src))


PLAYER_ATTR = re.compile(r'<figure class="cd-figure" id="fig-([a-z0-9-]+)" '
                         r'data-cd-player="([^"]*)">')


def test_animations_carry_their_player_and_keep_their_gifs(site_state):
    out = hooks.on_page_markdown("[[figure convolution]]\n\n[[figure grid-outline]]",
                                 page(), None, None)
    found = PLAYER_ATTR.findall(out)
    assert [name for name, _ in found] == ["convolution"]     # still figures have none
    data = json.loads(html.unescape(found[0][1]))
    entry = ENTRIES["convolution"]
    for theme in THEMES:
        layout = entry["player"][theme]
        assert data["themes"][theme] == {
            "src": f"../figures/convolution.{theme}.player.webp", "frames": layout["frames"]}
        assert (data["width"], data["height"], data["key"], data["ms"]) == (
            layout["width"], layout["height"], layout["key"], layout["ms"])
        # without JavaScript, the GIF: the <img> stays as it was
        assert f'src="../figures/convolution.{theme}.gif#only-{theme}"' in out
    # the room kept for the player: the page frame's, and below the breakpoint the phone's
    w, h = data["width"], data["height"]
    phone = entry["player_phone"]["light"]
    assert (data["phone"]["width"], data["phone"]["height"]) == (phone["width"],
                                                                 phone["height"])
    pw, ph = phone["width"], phone["height"]
    assert f'style="--cd-w:{w // 2}px;--cd-ar:{w}/{h};--cd-phone-w:{pw // 2}px;' \
           f'--cd-phone-ar:{pw}/{ph}" aria-hidden="true"></span>' in out


def _with_layout(change):
    entry = json.loads(json.dumps(ENTRIES["stride-odd"]))
    change(entry)
    return entry


@pytest.mark.parametrize("change, words", [
    (lambda e: e["player"].pop("dark"), "light and one for dark"),
    (lambda e: e["player"]["light"].update(width=True), "True is not a whole number"),
    (lambda e: e["player"]["light"].update(width="1104"), "is not a whole number"),
    (lambda e: e["player"]["light"].update(key=99), "99 is not a whole number"),
    (lambda e: e["player"]["light"]["ms"].append(100), "one duration and one box list"),
    (lambda e: e["player"]["light"]["ms"].__setitem__(0, -5), "-5 is not a whole number"),
    (lambda e: e["player"]["light"].update(ms=1300), "not iterable"),
    (lambda e: e["player"]["dark"]["ms"].__setitem__(1, 1), "differ in size, key or timing"),
    (lambda e: e["player"]["light"]["frames"].__setitem__(0, '"><script>alert(1)</script>'),
     "is not a list of x,y,w,h,ax,ay"),
    (lambda e: e["player"]["light"]["frames"].__setitem__(0, "0,0,9999,1,0,0"),
     "outside the frame or the atlas"),
    (lambda e: e["player"]["light"]["frames"].__setitem__(0, "0,0,1,1,0,99999"),
     "outside the frame or the atlas"),
    (lambda e: e["player"]["light"].pop("frames"), "'frames'"),
    (lambda e: e.update(files=[f for f in e["files"] if f["kind"] != "player"]),
     "has no light player file"),
])
def test_a_bad_player_layout_fails_the_build_with_a_message(site_state, change, words):
    hooks._state["manifest"]["stride-odd"] = _with_layout(change)
    with pytest.raises(PluginError, match=re.escape(words)):
        hooks.on_page_markdown("[[figure stride-odd]]", page(), None, None)


def test_an_animation_recorded_without_a_player_shows_its_gif(site_state):
    hooks._state["manifest"]["stride-odd"] = _with_layout(lambda e: e.pop("player"))
    out = hooks.on_page_markdown("[[figure stride-odd]]", page(), None, None)
    assert "data-cd-player" not in out and "cd-player-space" not in out
    assert 'src="../figures/stride-odd.light.gif#only-light"' in out


# ---------------------------------------------------------------------------
# Browser fixtures (as in tests/test_site.py)

@pytest.fixture(scope="module")
def browser():
    yield from site_server.launch_chromium("player", CHROME_ARGS)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    return site_server.build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def server(built_site):
    with site_server.SiteServer(built_site) as srv:
        yield srv


class Watch:
    """What a page requests and what it says in its console."""

    def __init__(self, page):
        self.page, self.requests, self.errors = page, [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def atlases(self) -> list[str]:
        return [urlsplit(u).path.rsplit("/", 1)[-1] for u in self.requests
                if u.endswith(".player.webp")]

    def foreign(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).scheme not in ("data", "blob")
                and urlsplit(u).hostname != "127.0.0.1"]


def page_of(name: str) -> str:
    page = ENTRIES[name]["page"]
    return "" if page == "index" else page + "/"


def open_page(context, url: str) -> Watch:
    page = context.new_page()
    watch = Watch(page)
    page.goto(url, wait_until="load")
    page.wait_for_function("[...document.querySelectorAll('figure[data-cd-player]')].every("
                           "(f) => f.querySelector('.cd-player') || "
                           "f.classList.contains('cd-player-off'))")
    return watch


def rewritten(route, old: str, new: str):
    """Answer `route` with the server's response, `old` replaced by `new` in its text."""
    response = route.fetch()
    headers = {k: v for k, v in response.headers.items()
               if k.lower() not in ("content-encoding", "content-length")}
    route.fulfill(status=response.status, headers=headers,
                  body=response.text().replace(old, new))


def player(page, name):
    return page.locator(f"#fig-{name} .cd-player")


def wait_drawn(page, name, theme=None, step=None):
    """Until the player of `name` has drawn (the scheme's frames, at `step`)."""
    checks = [f"p.dataset.state !== 'loading'"]
    if theme:
        checks.append(f"p.dataset.theme === '{theme}'")
    if step is not None:
        checks.append(f"p.dataset.step === '{step}'")
    page.wait_for_function(f"(() => {{ const p = document.querySelector('#fig-{name} "
                           f".cd-player'); return p && {' && '.join(checks)}; }})()",
                           timeout=10_000)


def stats(page) -> dict:
    return page.evaluate("async () => (await import(new URL('assets/player/player.js', "
                         "__md_scope))).stats()")


CANVAS_SHA_JS = """
async (name) => {
  const canvas = document.querySelector(`#fig-${name} canvas`);
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const digest = await crypto.subtle.digest('SHA-256', data);
  return {width: canvas.width, height: canvas.height,
          sha: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')};
}
"""

CANVAS_PIXELS_JS = """
(name) => {
  const canvas = document.querySelector(`#fig-${name} canvas`);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let s = '';
  for (let i = 0; i < data.length; i += 0x8000)
    s += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
  return btoa(s);
}
"""


def rgba_sha(frame: np.ndarray) -> str:
    alpha = np.full(frame.shape[:2] + (1,), 255, np.uint8)
    return hashlib.sha256(np.concatenate([frame, alpha], axis=-1).tobytes()).hexdigest()


def show_step(page, name, step):
    """Set the scrubber as a reader would (it pauses the player), wait for the drawing."""
    page.evaluate("([name, step]) => { const s = document.querySelector(`#fig-${name} "
                  "input[type=range]`); s.value = String(step + 1); "
                  "s.dispatchEvent(new Event('input', {bubbles: true})); }", [name, step])
    wait_drawn(page, name, step=step)


def palette_to(page, scheme: str):
    """Click Material's palette toggle until the body has `scheme` (default or slate)."""
    for _ in range(3):
        if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme:
            return
        page.locator('form[data-md-component="palette"] label:visible').first.click()
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme


# ---------------------------------------------------------------------------
# The browser: pixels

IDENTITY = ["convolution", "max-pooling", "padding-same", "transposed-strides"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", IDENTITY)
def test_the_canvas_holds_the_2x_frames_byte_for_byte(browser, server, name, theme):
    context = browser.new_context(color_scheme=theme, viewport=DESKTOP, device_scale_factor=2,
                                  reduced_motion="reduce")
    try:
        watch = open_page(context, server.url(page_of(name)))
        page = watch.page
        page.locator(f"#fig-{name}").scroll_into_view_if_needed()
        wait_drawn(page, name, theme)
        frames = frames_2x(name, theme)
        for step, frame in enumerate(frames):
            show_step(page, name, step)
            got = page.evaluate(CANVAS_SHA_JS, name)
            assert (got["height"], got["width"]) == frame.shape[:2], "backing store not 2x"
            if got["sha"] != rgba_sha(frame):
                raw = np.frombuffer(__import__("base64").b64decode(
                    page.evaluate(CANVAS_PIXELS_JS, name)), np.uint8)
                raw = raw.reshape(got["height"], got["width"], 4)[..., :3]
                differ = np.count_nonzero((raw != frame).any(-1))
                pytest.fail(f"{name} ({theme}) step {step}: {differ} canvas pixels differ "
                            f"from the 2x frame")
        # CSS shows it at page size, or the column's width when that is narrower (as the
        # GIF is shown): the 2x store is then at least one canvas pixel per device pixel
        css, column = page.evaluate(f"(() => {{ const c = document.querySelector('#fig-{name} "
                                    f"canvas'); return [c.getBoundingClientRect().width, "
                                    f"c.closest('article').clientWidth]; }})()")
        assert css <= frames[0].shape[1] / 2 and css <= column
        assert css >= min(frames[0].shape[1] / 2, column) - 40   # the article's padding
        assert watch.errors == []
    finally:
        context.close()


# ---------------------------------------------------------------------------
# The browser: use

@pytest.mark.browser
@pytest.mark.slow
def test_keyboard_only(browser, server):
    name = "convolution"
    n = len(ENTRIES[name]["player"]["light"]["ms"])
    # reduced motion: nothing starts by itself, so what the keys do is all that happens
    # (in view, a player may start on its own between reading its state and a key press)
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    try:
        watch = open_page(context, server.url(page_of(name)))
        page = watch.page
        page.locator(f"#fig-{name}").scroll_into_view_if_needed()
        wait_drawn(page, name)
        page.evaluate("document.activeElement.blur()")
        for _ in range(300):            # Tab, and only Tab, to the player
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('cd-player__play')"):
                break
        else:
            pytest.fail("Tab never reached the player's play button")
        focus = page.evaluate("(() => { const e = document.activeElement, s = "
                              "getComputedStyle(e); return {visible: e.matches(':focus-visible'),"
                              " style: s.outlineStyle, width: parseFloat(s.outlineWidth), "
                              "label: e.getAttribute('aria-label')}; })()")
        assert focus["visible"] and focus["style"] != "none" and focus["width"] >= 2, focus
        p = player(page, name)
        scroll = page.evaluate("scrollY")

        def state():
            return p.get_attribute("data-state")

        def becomes(want):
            # Tabbing from the top scrolled the player away and back: it may be fetching
            # its frames again, or its observers may not have seen the scroll yet
            page.wait_for_function(f"document.querySelector('#fig-{name} .cd-player')"
                                   f".dataset.state === '{want}'", timeout=10_000)
            return state()

        # Space toggles, whatever it was doing when focus arrived
        wait_drawn(page, name)
        before = state()
        page.keyboard.press(" ")
        assert becomes("paused" if before == "playing" else "playing")
        page.keyboard.press(" ")
        assert becomes(before) == before
        if state() == "playing":
            page.keyboard.press(" ")
        assert state() == "paused"
        assert page.evaluate("scrollY") == scroll, "Space scrolled the page"
        assert page.locator(f"#fig-{name} .cd-player__play").get_attribute("aria-label") \
            == "Play animation"

        # arrows step, and the scrubber's words follow
        step = int(p.get_attribute("data-step"))
        page.keyboard.press("ArrowRight")
        scrub = page.locator(f"#fig-{name} input[type=range]")
        want = min(step + 1, n - 1)
        assert int(p.get_attribute("data-step")) == want
        assert scrub.get_attribute("aria-valuetext") == f"step {want + 1} of {n}"
        assert page.locator(f"#fig-{name} .cd-player__status").inner_text() == \
            f"step {want + 1} of {n}"
        assert page.locator(f"#fig-{name} .cd-player__live").inner_text() == \
            f"step {want + 1} of {n}"
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        assert int(p.get_attribute("data-step")) == max(want - 2, 0)
        assert state() == "paused"      # stepping stops the animation

        # Tab on: previous, next, then the scrubber, each named
        labels = []
        for _ in range(3):
            page.keyboard.press("Tab")
            labels.append(page.evaluate("document.activeElement.getAttribute('aria-label')"))
        assert labels == ["Previous step", "Next step", "Step"]
        assert page.evaluate("document.activeElement.type") == "range"
        page.keyboard.press("Home")
        assert p.get_attribute("data-step") == "0"
        assert scrub.get_attribute("aria-valuetext") == f"step 1 of {n}"
        page.keyboard.press("ArrowRight")
        assert p.get_attribute("data-step") == "1"
        assert scrub.get_attribute("aria-valuetext") == f"step 2 of {n}"
        page.keyboard.press("End")
        assert p.get_attribute("data-step") == str(n - 1)
        page.keyboard.press(" ")            # Space on the scrubber plays too
        assert state() == "playing"
        page.keyboard.press("Shift+Tab")    # Space on "Next step" activates it, as on any
        page.keyboard.press(" ")            # button: a step, which pauses
        assert state() == "paused"
        step = int(p.get_attribute("data-step"))
        page.keyboard.press("Shift+Tab")    # "Previous step", with Space
        page.keyboard.press(" ")
        assert int(p.get_attribute("data-step")) == max(step - 1, 0)
        assert state() == "paused"
        page.wait_for_timeout(300)
        assert int(p.get_attribute("data-step")) == max(step - 1, 0)
        assert page.evaluate("scrollY") == scroll
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_reduced_motion_starts_paused_on_the_key_frame(browser, server):
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    try:
        watch = open_page(context, server.url("pooling/"))
        page = watch.page
        for name in ("max-pooling", "average-pooling"):
            page.locator(f"#fig-{name}").scroll_into_view_if_needed()
            wait_drawn(page, name)
            page.wait_for_timeout(ENTRIES[name]["player"]["light"]["ms"][0] + 500)
            p = player(page, name)
            assert p.get_attribute("data-state") == "paused"
            assert int(p.get_attribute("data-step")) == ENTRIES[name]["player"]["light"]["key"]
            assert stats(page)["timers"] == 0
        # a reader who asks for motion gets it
        page.locator("#fig-average-pooling .cd-player__play").click()
        assert player(page, "average-pooling").get_attribute("data-state") == "playing"
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_one_player_at_a_time_and_only_in_view(browser, server):
    # a tall window: both pooling animations are in view at once
    context = browser.new_context(viewport={"width": 1280, "height": 2600})
    try:
        watch = open_page(context, server.url("pooling/"))
        page = watch.page
        page.locator("#fig-max-pooling").scroll_into_view_if_needed()
        for name in ("max-pooling", "average-pooling"):
            wait_drawn(page, name)
        page.wait_for_function("document.querySelectorAll('.cd-player[data-state=playing]')"
                               ".length === 1")
        page.wait_for_timeout(1500)
        first, = stats(page)["playing"]
        other = ({"fig-max-pooling", "fig-average-pooling"} - {first}).pop()
        assert player(page, other.removeprefix("fig-")).get_attribute("data-state") == "paused"
        page.locator(f"#{other} .cd-player__play").click()      # starting one pauses the other
        assert stats(page)["playing"] == [other]
        assert player(page, first.removeprefix("fig-")).get_attribute("data-state") == "paused"
        page.wait_for_timeout(1500)
        assert stats(page)["playing"] == [other]
        # out of view, nothing plays
        page.set_viewport_size(DESKTOP)
        page.evaluate("document.querySelector('#fig-max-pooling').scrollIntoView()")
        page.evaluate(f"scrollBy(0, -{DESKTOP['height']} - 10)")
        page.wait_for_function("document.querySelectorAll('.cd-player[data-state=playing]')"
                               ".length === 0")
        assert stats(page)["timers"] == 0
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_gallery_moves_one_figure_at_a_time(browser, server):
    context = browser.new_context(viewport=DESKTOP)
    try:
        watch = open_page(context, server.url("gallery/"))
        page = watch.page
        assert page.locator(".cd-player").count() == len(ANIMATED)
        assert stats(page)["playing"] == []   # at the top: no animation in view, none moves
        height = page.evaluate("document.body.scrollHeight")
        seen = set()
        for y in range(0, height, DESKTOP["height"]):
            page.evaluate(f"scrollTo(0, {y})")
            page.wait_for_timeout(350)
            s = stats(page)
            assert len(s["playing"]) <= 1 and s["timers"] <= 1, (y, s)
            seen |= set(s["playing"])
        assert len(seen) >= len(ANIMATED) // 2, f"few animations played as they passed: {seen}"
        # far from view, players hold no pixels: only those near the bottom are awake
        assert stats(page)["awake"] <= 3, stats(page)
        page.evaluate("scrollTo(0, 0)")
        page.locator("#fig-convolution").scroll_into_view_if_needed()
        wait_drawn(page, "convolution")            # back near: decoded again, drawn
        assert stats(page)["awake"] <= 3
        assert watch.errors == [] and watch.foreign() == []
    finally:
        context.close()


ANIMATED_PAGES = sorted({page_of(n) for n in ANIMATED}) + ["gallery/"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("url", ANIMATED_PAGES)
def test_every_player_on_every_page_plays_with_no_errors_and_no_other_host(browser, server,
                                                                           url):
    context = browser.new_context(viewport=DESKTOP)
    try:
        watch = open_page(context, server.url(url))
        page = watch.page
        figures = page.locator("figure[data-cd-player]")
        assert figures.count() > 0
        names = [i.removeprefix("fig-") for i in figures.evaluate_all("fs => fs.map(f => f.id)")]
        assert page.locator(".cd-player").count() == len(names)
        for name in names:
            page.evaluate(f"document.querySelector('#fig-{name}')"
                          f".scrollIntoView({{block: 'center'}})")
            wait_drawn(page, name)
            # the figure in the middle of the window plays by itself
            page.wait_for_function(f"document.querySelector('#fig-{name} .cd-player')"
                                   f".dataset.state === 'playing'", timeout=10_000)
            assert len(stats(page)["playing"]) == 1
        assert watch.errors == [], watch.errors
        assert watch.foreign() == [], watch.foreign()
        assert not [u for u in watch.requests if u.endswith(".gif")], "a GIF was fetched"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_an_atlas_is_fetched_only_when_its_figure_comes_near(browser, server):
    context = browser.new_context(viewport=DESKTOP)
    try:
        watch = open_page(context, server.url("padding-and-stride/"))
        page = watch.page
        page.wait_for_load_state("networkidle")
        last = "dilation-2"
        assert f"{last}.light.player.webp" not in watch.atlases(), watch.atlases()
        assert len(watch.atlases()) < 7
        page.locator(f"#fig-{last}").scroll_into_view_if_needed()
        wait_drawn(page, last)
        assert f"{last}.light.player.webp" in watch.atlases()
        assert not [a for a in watch.atlases() if ".dark." in a]   # one scheme only
        assert len(watch.atlases()) == len(set(watch.atlases()))    # each once
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("scheme", list(THEMES))
def test_a_390px_phone_shows_whole_players(browser, server, scheme):
    context = browser.new_context(color_scheme=scheme, viewport=PHONE, device_scale_factor=3,
                                  is_mobile=True, has_touch=True)
    try:
        watch = open_page(context, server.url("padding-and-stride/"))
        page = watch.page
        for name in [n for n in ANIMATED if SPECS[n].page == "padding-and-stride"]:
            page.locator(f"#fig-{name}").scroll_into_view_if_needed()
            wait_drawn(page, name, scheme)
            box = page.evaluate(f"""(() => {{
              const r = (s) => document.querySelector('#fig-{name} ' + s)
                                .getBoundingClientRect();
              const bar = document.querySelector('#fig-{name} .cd-player__bar');
              const controls = [...bar.children].map(c => c.getBoundingClientRect().right);
              return {{canvas: r('canvas').right, bar: r('.cd-player__bar').right,
                       status: r('.cd-player__status').right, play: r('button').width,
                       controls: Math.max(...controls), inside: bar.scrollWidth <= bar.clientWidth,
                       width: document.documentElement.clientWidth}}; }})()""")
            assert max(box["canvas"], box["bar"], box["status"]) <= box["width"], (name, box)
            # every control, the Enlarge button included, within the bar: none cut off
            assert box["inside"] and box["controls"] <= box["bar"], (name, box)
            assert box["play"] >= 24                       # WCAG 2.5.8 target size
            page.locator(f"#fig-{name} .cd-player__next").tap()
            assert player(page, name).get_attribute("data-state") == "paused"
            page.locator(f"#fig-{name} canvas").tap()      # a tap on the picture plays
            assert player(page, name).get_attribute("data-state") == "playing"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"horizontal overflow: {width} px"
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_dark_scheme_shows_the_dark_frames_and_switches_mid_play(browser, server):
    name = "padding-same"
    context = browser.new_context(color_scheme="light", viewport=DESKTOP)
    try:
        watch = open_page(context, server.url(page_of(name)))
        page = watch.page
        page.locator(f"#fig-{name}").scroll_into_view_if_needed()
        wait_drawn(page, name, "light")
        page.wait_for_function(f"document.querySelector('#fig-{name} .cd-player')"
                               f".dataset.state === 'playing'")
        palette_to(page, "slate")                          # mid-play
        wait_drawn(page, name, "dark")
        page.wait_for_function(f"document.querySelector('#fig-{name} .cd-player')"
                               f".dataset.state === 'playing'")
        palette_to(page, "default")
        palette_to(page, "slate")                          # and back and forth, quickly
        wait_drawn(page, name, "dark")
        key = ENTRIES[name]["player"]["dark"]["key"]
        show_step(page, name, key)
        got = page.evaluate(CANVAS_SHA_JS, name)
        assert got["sha"] == rgba_sha(frames_2x(name, "dark")[key]), "not the dark frame"
        gifs = page.evaluate(f"[...document.querySelectorAll('#fig-{name} img')]"
                             f".map((i) => i.checkVisibility())")
        assert gifs == [False, False]
        assert stats(page)["timers"] <= 1
        assert watch.errors == []
    finally:
        context.close()


SHIFTS_JS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__shifts.push(e.value);
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_nothing_moves_when_a_player_takes_its_room(browser, server, viewport):
    """The page keeps each player's room (picture and controls) from the first paint."""
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.add_init_script(SHIFTS_JS)
        page.goto(server.url("padding-and-stride/"), wait_until="load")
        height = page.evaluate("document.body.scrollHeight")
        for y in range(0, height, viewport["height"] // 2):
            page.evaluate(f"scrollTo(0, {y})")
            page.wait_for_timeout(100)
        page.wait_for_timeout(300)
        assert page.evaluate("window.__shifts") == []
    finally:
        context.close()


# ---------------------------------------------------------------------------
# The browser: weight

def first_load(browser, server, url, viewport, mobile) -> tuple[int, list]:
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile,
                                  device_scale_factor=2 if mobile else 1)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls, sizes = {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"],
                                                                    e["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(server.url(url), wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    context.close()
    biggest = sorted(((s, urls.get(r, "?").rsplit("/", 1)[-1]) for r, s in sizes.items()),
                     reverse=True)[:5]
    return sum(sizes.values()), biggest


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("url", ["padding-and-stride/", "transposed-convolution/", "gallery/",
                                 "convolution/"])
def test_a_pages_first_load_stays_under_1_mb(browser, server, url):
    for viewport, mobile in ((PHONE, True), (DESKTOP, False)):
        total, biggest = first_load(browser, server, url, viewport, mobile)
        assert total <= FIRST_LOAD_BUDGET, (f"{url} at {viewport['width']} px: "
                                            f"{total / 1000:.0f} kB; biggest: {biggest}")


# ---------------------------------------------------------------------------
# The browser: attacks

@pytest.mark.browser
@pytest.mark.slow
def test_rapid_keys_and_resizing_leave_one_consistent_player(browser, server):
    name = "transposed-strides"
    n = len(ENTRIES[name]["player"]["light"]["ms"])
    context = browser.new_context(viewport=DESKTOP)
    try:
        watch = open_page(context, server.url(page_of(name)))
        page = watch.page
        page.locator(f"#fig-{name}").scroll_into_view_if_needed()
        wait_drawn(page, name)
        page.locator(f"#fig-{name} .cd-player__next").focus()
        show_step(page, name, 0)
        page.locator(f"#fig-{name} .cd-player__next").focus()
        for _ in range(40):
            page.keyboard.press("ArrowRight", delay=0)
        assert player(page, name).get_attribute("data-step") == str(min(40, n - 1))
        for _ in range(60):
            page.keyboard.press("ArrowLeft", delay=0)
        assert player(page, name).get_attribute("data-step") == "0"
        page.locator(f"#fig-{name} .cd-player__play").focus()
        for _ in range(9):                 # an odd number of toggles: playing
            page.keyboard.press(" ", delay=0)
        assert player(page, name).get_attribute("data-state") == "playing"
        assert stats(page)["timers"] == 1
        for width in (390, 1280, 600, 2000, 320, 1280):    # resize mid-play
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(80)
            assert stats(page)["timers"] <= 1
            page.locator(f"#fig-{name}").scroll_into_view_if_needed()   # text reflowed
            wait_drawn(page, name)
            size = page.evaluate(f"(() => {{ const c = document.querySelector('#fig-{name} "
                                 f"canvas'); return [c.width, c.height, c.getBoundingClientRect()"
                                 f".width, document.documentElement.clientWidth]; }})()")
            # below the breakpoint (44.9375em, 719 px) the player plays the phone frames
            layout = ENTRIES[name]["player_phone" if width <= 719 else "player"]["light"]
            assert size[:2] == [layout["width"], layout["height"]], width
            assert size[2] <= size[3]
            assert stats(page)["timers"] <= 1
        assert watch.errors == []
    finally:
        context.close()


def instant_navigation(context, server):
    """Material navigates instantly only to URLs of its sitemap, rebased on the page's
    protocol and host but not its port: served on 127.0.0.1:PORT, every link is a full
    page load. Give the sitemap this server's address, as it has on GitHub Pages."""
    context.route("**/sitemap.xml", lambda route: rewritten(
        route, "https://convdocs.github.io", f"http://127.0.0.1:{server.port}"))


@pytest.mark.browser
@pytest.mark.slow
def test_instant_navigation_away_and_back_leaves_no_duplicates_or_timers(browser, server):
    context = browser.new_context(viewport=DESKTOP)
    instant_navigation(context, server)
    try:
        watch = open_page(context, server.url("padding-and-stride/"))
        page = watch.page
        count = page.locator("figure[data-cd-player]").count()
        page.evaluate("document.querySelector('#fig-padding-valid').scrollIntoView("
                      "{block: 'center'})")
        page.wait_for_function("document.querySelectorAll('.cd-player[data-state=playing]')"
                               ".length === 1")
        page.wait_for_timeout(1000)      # Material has read its sitemap
        page.evaluate("window.__sameDocument = true")
        for _ in range(3):
            page.locator("a.md-footer__link--next").click()
            page.wait_for_url("**/transposed-convolution/")
            page.wait_for_function("document.querySelectorAll('.cd-player').length === 4")
            s = stats(page)
            assert s["players"] == 4 and s["timers"] <= 1, s
            page.go_back()
            page.wait_for_url("**/padding-and-stride/")
            page.wait_for_function(f"document.querySelectorAll('.cd-player').length === {count}")
            s = stats(page)
            assert s["players"] == count and s["timers"] <= 1, s
        for figure in page.locator("figure[data-cd-player]").all():
            assert figure.locator(".cd-player").count() == 1
        page.locator("a.md-nav__link[href$='rebuild-and-reuse/']").first.click()
        page.wait_for_url("**/rebuild-and-reuse/")
        page.wait_for_function("document.querySelectorAll('figure[data-cd-player]').length === 0")
        page.wait_for_timeout(300)
        assert stats(page) == {"players": 0, "timers": 0, "playing": [], "awake": 0}
        assert page.evaluate("window.__sameDocument") is True, "navigation was not instant"
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_on_a_slow_connection_play_shows_it_was_asked_and_a_second_press_pauses(browser,
                                                                              server):
    name = "convolution"
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    held = []
    try:
        # hold the atlas back until the test lets it through
        context.route(f"**/{name}.light.player.webp", lambda route: held.append(route))
        watch = open_page(context, server.url(page_of(name)))
        page = watch.page
        page.locator(f"#fig-{name}").scroll_into_view_if_needed()
        play = page.locator(f"#fig-{name} .cd-player__play")
        play.wait_for()
        page.wait_for_function(f"document.querySelector('#fig-{name} .cd-player')"
                               f".dataset.state === 'loading'")
        assert play.get_attribute("aria-label") == "Play animation"
        play.click()
        assert play.get_attribute("aria-label") == "Pause animation"   # the request shows
        assert player(page, name).get_attribute("data-state") == "loading"
        play.click()                    # changed their mind before the frames came
        assert play.get_attribute("aria-label") == "Play animation"
        for _ in range(100):            # the request reached the route (it is near)
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "the atlas was never asked for"
        for route in held:
            route.continue_()
        wait_drawn(page, name)
        page.wait_for_timeout(300)
        assert player(page, name).get_attribute("data-state") == "paused"
        assert play.get_attribute("aria-label") == "Play animation"
        play.click()                    # and once the frames are there, Play plays
        assert player(page, name).get_attribute("data-state") == "playing"
        assert play.get_attribute("aria-label") == "Pause animation"
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("damage", ["missing", "garbage", "bad data"])
def test_a_missing_or_damaged_atlas_falls_back_to_the_gif(browser, server, damage):
    name = "convolution"
    context = browser.new_context(viewport=DESKTOP)
    try:
        def answer(route):
            if damage == "missing":
                route.fulfill(status=404, body="not here")
            else:
                route.fulfill(status=200, body=b"RIFF\x00\x00\x00\x00WEBPnot an image",
                              content_type="image/webp")

        if damage == "bad data":      # the page's player data, not what the hook writes
            context.route(f"**/{page_of(name)}", lambda route: rewritten(
                route, 'data-cd-player="{&quot;width&quot;:', 'data-cd-player="{&quot;width'
                '&quot;:-'))
        else:
            context.route(f"**/{name}.light.player.webp", answer)
        watch = open_page(context, server.url(page_of(name)))
        page = watch.page
        page.locator(f"#fig-{name}").scroll_into_view_if_needed()
        page.wait_for_function(f"document.querySelector('#fig-{name}')"
                               f".classList.contains('cd-player-off')")
        gif = page.locator(f"#fig-{name} img[src$='#only-light']")
        gif.scroll_into_view_if_needed()
        page.wait_for_function(f"(() => {{ const i = document.querySelector("
                               f"'#fig-{name} img[src$=\"#only-light\"]'); "
                               f"return i.complete && i.naturalWidth > 0; }})()")
        assert gif.is_visible()
        assert page.locator(f"#fig-{name} .cd-player").count() == 0
        assert page.locator(f"#fig-{name} .cd-player-space").is_hidden()
        assert stats(page)["players"] == 0
        # the browser reports the 404 itself; the player adds nothing to the console
        errors = [e for e in watch.errors
                  if not (damage == "missing" and "404" in e and "Failed to load" in e)]
        assert errors == [], errors
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_without_javascript_the_page_shows_the_gif(browser, server):
    name = "convolution"
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server.url(page_of(name)), wait_until="load")
        gif = page.locator(f"#fig-{name} img[src$='#only-light']")
        gif.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        assert gif.is_visible()
        assert gif.evaluate("(i) => i.complete && i.naturalWidth") == \
            ENTRIES[name]["player"]["light"]["width"] // 2
        assert page.locator(f"#fig-{name} .cd-player-space").is_hidden()
        assert page.locator("canvas").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("tile", [1, 2, 3, 5, 8, 13, 16, 24, 32, 40])
def test_changed_tiles_sees_a_change_in_any_byte_of_the_last_row_and_column(tile):
    # changed_tiles reads each tile's row as 8-, 4-, 2- or 1-byte words: a change in the
    # last byte of a row (the blue of the last pixel), in the last row, or beside the
    # padding that rounds the frame up to whole tiles is found in the right tile.
    rng = np.random.default_rng(tile)
    for h, w in [(tile, tile), (tile + 1, 2 * tile - 1 or 1), (3 * tile - 1 or 1, tile + 2)]:
        base = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        spots = {(y, x, c) for y in (0, h - 1) for x in (0, w - 1) for c in range(3)}
        spots |= {(h - 1, int(x), 2) for x in rng.integers(0, w, 4)}
        for y, x, c in spots:
            frame = base.copy()
            frame[y, x, c] ^= 0x80
            expected = np.zeros((-(-h // tile), -(-w // tile)), bool)
            expected[y // tile, x // tile] = True
            assert np.array_equal(render.changed_tiles(frame, base, tile), expected), (h, w, y, x, c)
        assert not render.changed_tiles(base, base.copy(), tile).any()
