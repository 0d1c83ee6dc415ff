"""Browser tests of the site on a phone and of what each width and scheme downloads.

* At 390 px, on every page of the nav, light and dark: each figure shows at 90 % or more of
  its designed size, from its phone file when the manifest has one; each player plays
  its phone atlas; nothing is wider than the window.
* At 1280 px no phone file is requested; in either scheme no file of the other scheme is
  requested at load (Material used to leave the light palette on until its bundle ran).
* A tap opens a figure in the lightbox with its whole caption; the player's Enlarge
  button does the same; the player changes atlas when the window crosses the query.
* A page's first load stays under 1 MB at phone and desktop widths.

figures/ has no phone files until the figure build writes them; until then the site is
built from a copy of docs/ with stand-ins (tests/phone_fixture.py). Once the manifest
has them, the repository is built as it is.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


site_server = _load("phone_site_server", ROOT / "tests" / "site_server.py")
phone_fixture = _load("phone_fixture", ROOT / "tests" / "phone_fixture.py")
site_tests = _load("phone_site_pages", ROOT / "tests" / "test_site.py")
PAGES = site_tests.PAGES
SCHEMES = ["light", "dark"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# glightbox treats a phone by its user agent: this is a phone's.
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/156.0.0.0 Mobile Safari/537.36")
CHROME_ARGS = ["--no-sandbox", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
FIRST_LOAD_BUDGET = 1_000_000      # bytes on the wire for a page's first load
FIGURE_FILE = re.compile(r"/figures/([^/?#]+)")


def _pid(page: str) -> str:
    return page.strip("/") or "index"


# ---------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="module")
def phone_build(tmp_path_factory):
    """(site directory, manifest): the repository's build when its manifest has phone
    files, else a build with stand-in phone files."""
    manifest = json.loads((ROOT / "figures" / "manifest.json").read_text(encoding="utf-8"))
    tmp = tmp_path_factory.mktemp("phone")
    if phone_fixture.has_phone_files(manifest):
        return site_server.build_site(tmp / "site"), manifest
    try:
        site = phone_fixture.phone_site(tmp)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    manifest = json.loads((tmp / "phone-src" / "figures" / "manifest.json").read_text())
    return site, manifest


@pytest.fixture(scope="module")
def server(phone_build):
    with site_server.SiteServer(phone_build[0]) as srv:
        yield srv


@pytest.fixture(scope="module")
def manifest(phone_build) -> dict:
    return phone_build[1]


@pytest.fixture(scope="module")
def files(manifest) -> dict:
    """Every figure file by name: its entry's name, kind, theme and layout."""
    return {f["path"]: dict(f, figure=e["name"], layout=f.get("layout", "page"))
            for e in manifest["figures"] for f in e["files"]}


@pytest.fixture(scope="module")
def browser():
    yield from site_server.launch_chromium("phone site", CHROME_ARGS)


def phone_context(browser, scheme: str, **extra):
    return browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                               has_touch=True, color_scheme=scheme, user_agent=PHONE_UA,
                               **extra)


def desktop_context(browser, scheme: str, **extra):
    return browser.new_context(viewport=DESKTOP, color_scheme=scheme, **extra)


class Visit:
    """A page opened in a context, with the figure files it requested and its errors."""

    def __init__(self, context, url: str):
        self.page = context.new_page()
        self.requested: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", self._request)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(
            f"console: {m.text}"))
        self.page.goto(url, wait_until="load")
        try:
            self.page.wait_for_load_state("networkidle", timeout=5000)
        except Exception:  # noqa: BLE001 - a busy page is judged by the checks
            pass

    def _request(self, request):
        found = FIGURE_FILE.search(request.url)
        if found:
            self.requested.append(found.group(1))

    def scroll_through(self):
        """Down the page and back, so that every player comes near and loads."""
        page = self.page
        height = page.evaluate("document.documentElement.scrollHeight")
        step = page.viewport_size["height"] // 2
        for y in range(0, height + step, step):
            page.evaluate(f"scrollTo(0, {y})")
            page.wait_for_timeout(60)
        page.evaluate("scrollTo(0, 0)")


# Each visible figure picture (the scheme on show; a player's hidden GIF is not shown):
# what it loaded and the size it was designed for, from the <source> it chose, else the
# <img>; and each player: its layout, its size on screen and its frame's page size.
FIGURES_JS = """
async () => {
  const pictures = [...document.querySelectorAll('.cd-figure picture > img')]
    .filter((i) => i.checkVisibility());
  for (const i of pictures) i.loading = 'eager';
  await Promise.all(pictures.map((i) => i.complete ? null : new Promise((done) => {
    i.addEventListener('load', done, {once: true});
    i.addEventListener('error', done, {once: true});
    setTimeout(done, 10000);
  })));
  const file = (url) => decodeURIComponent(new URL(url, location.href).pathname.split('/').pop());
  // A figure far from the window is not laid out (content-visibility: auto): measure each
  // one as a reader sees it, scrolled into view.
  const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const widths = new Map();
  for (const el of [...pictures, ...document.querySelectorAll('.cd-player canvas')]) {
    el.scrollIntoView({block: 'center'});
    await frame();
    widths.set(el, el.getBoundingClientRect().width);
  }
  scrollTo(0, 0);
  const images = pictures.map((i) => {
    const chosen = [...i.parentElement.querySelectorAll('source')]
      .find((s) => matchMedia(s.media).matches);
    const designed = Number((chosen || i).getAttribute('width'));
    return {figure: i.closest('figure').id, file: file(i.currentSrc),
            designed, designedHeight: Number((chosen || i).getAttribute('height')),
            naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight,
            shown: widths.get(i),
            loaded: i.complete && i.naturalWidth > 0};
  });
  const players = [...document.querySelectorAll('.cd-player')].map((p) => {
    const data = JSON.parse(p.closest('figure').dataset.cdPlayer);
    const layout = p.dataset.layout === 'phone' ? data.phone : data;
    return {figure: p.closest('figure').id, layout: p.dataset.layout,
            designed: layout.width / 2,
            shown: widths.get(p.querySelector('canvas'))};
  });
  return {images, players, scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth};
}
"""


def _has_phone(manifest: dict, name: str) -> bool:
    entry = next(e for e in manifest["figures"] if e["name"] == name)
    return any(f.get("layout") == "phone" for f in entry["files"])


# ---------------------------------------------------------------------------
# 390 px: every page, both schemes

@pytest.mark.parametrize("page_path,scheme",
                         [pytest.param(p, s, id=f"{_pid(p)}-{s}") for p in PAGES for s in SCHEMES])
def test_a_phone_gets_phone_figures_at_their_size_and_nothing_overflows(
        browser, server, manifest, files, page_path, scheme):
    context = phone_context(browser, scheme, reduced_motion="reduce")
    try:
        visit = Visit(context, server.url(page_path))
        visit.scroll_through()
        visit.page.wait_for_timeout(300)
        found = visit.page.evaluate(FIGURES_JS)
        problems = list(visit.errors)
        # the room a picture keeps before its file arrives (the width and height of the
        # <source> it chose, else of the <img>) has the file's shape: nothing moves
        for i in found["images"]:
            if i["loaded"] and abs(i["designed"] / i["designedHeight"]
                                   - i["naturalWidth"] / i["naturalHeight"]) > 0.01 * (
                                       i["naturalWidth"] / i["naturalHeight"]):
                problems.append(f"{i['figure']}: width and height {i['designed']} x "
                                f"{i['designedHeight']} but {i['file']} is "
                                f"{i['naturalWidth']} x {i['naturalHeight']}")
        if found["scrollWidth"] > found["innerWidth"]:
            problems.append(f"the page is {found['scrollWidth']} px wide in a "
                            f"{found['innerWidth']} px window")
        for i in found["images"] + found["players"]:
            if i["shown"] < 0.9 * i["designed"]:
                problems.append(f"{i['figure']}: shown {i['shown']:.0f} px wide, designed "
                                f"for {i['designed']} px")
        for i in found["images"]:
            name = i["figure"].removeprefix("fig-")
            if not i["loaded"]:
                problems.append(f"{i['figure']}: {i['file']} did not load")
            if _has_phone(manifest, name) and files.get(i["file"], {}).get("layout") != "phone":
                problems.append(f"{i['figure']}: shows {i['file']}, not its phone file")
        for p in found["players"]:
            if _has_phone(manifest, p["figure"].removeprefix("fig-")) and p["layout"] != "phone":
                problems.append(f"{p['figure']}: the player plays its {p['layout']} layout")
        # at load and while scrolling, no page-layout picture or atlas of a figure that has
        # a phone one (the lightbox's PNG is fetched only when it opens)
        problems += [f"requested the page file {name}" for name in visit.requested
                     if files.get(name, {}).get("layout") == "page"
                     and files[name]["kind"] in ("png", "gif", "player")
                     and _has_phone(manifest, files[name]["figure"])]
        assert not problems, f"{_pid(page_path)} ({scheme}, 390 px):\n  " + "\n  ".join(problems)
    finally:
        context.close()


# ---------------------------------------------------------------------------
# What each width and scheme requests

@pytest.mark.parametrize("page_path", [pytest.param(p, id=_pid(p)) for p in PAGES])
def test_a_desktop_requests_no_phone_file(browser, server, files, page_path):
    context = desktop_context(browser, "light")
    try:
        visit = Visit(context, server.url(page_path))
        visit.scroll_through()
        visit.page.evaluate(FIGURES_JS)
        phone = [n for n in visit.requested if files.get(n, {}).get("layout") == "phone"]
        assert not phone, f"{_pid(page_path)} at 1280 px requested phone files: {phone}"
    finally:
        context.close()


# The home page's first figure is near the top: a scheme set late fetches both of its files.
@pytest.mark.parametrize("page_path", ["", "convolution/", "gallery/"])
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_scheme_never_fetches_the_other_schemes_files(browser, server, files, page_path,
                                                        scheme, width):
    make = phone_context if width == "phone" else desktop_context
    context = make(browser, scheme)        # a first visit: no saved palette
    try:
        visit = Visit(context, server.url(page_path))
        visit.page.wait_for_timeout(500)
        other = "dark" if scheme == "light" else "light"
        wrong = [n for n in visit.requested if files.get(n, {}).get("theme") == other]
        assert visit.requested, f"{_pid(page_path)}: no figure file requested at all"
        assert not wrong, (f"{_pid(page_path)} ({scheme}, {width}) requested {other} files: "
                           f"{wrong}")
    finally:
        context.close()


# ---------------------------------------------------------------------------
# The lightbox and the player on a phone

def _open_lightbox(page):
    page.wait_for_selector(".glightbox-container .gslide.current img", state="visible")
    page.wait_for_timeout(400)            # the opening effect
    return page.evaluate("""() => {
      const slide = document.querySelector('.glightbox-container .gslide.current');
      const img = slide.querySelector('img');
      const desc = slide.querySelector('.gslide-desc');
      return {src: img.src, natural: img.naturalWidth, width: img.getBoundingClientRect().width,
              caption: desc ? desc.innerText.trim() : '',
              more: !!slide.querySelector('.desc-more'),
              captionSize: desc ? parseFloat(getComputedStyle(desc).fontSize) : 0};
    }""")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_tap_opens_the_figure_with_its_whole_caption(browser, server, manifest, scheme):
    entry = next(e for e in manifest["figures"] if e["name"] == "channels-rgb-filter")
    context = phone_context(browser, scheme)
    try:
        visit = Visit(context, server.url("channels/"))
        picture = visit.page.locator(f"#fig-{entry['name']} a.cd-{scheme}-only")
        picture.scroll_into_view_if_needed()
        picture.tap()
        shown = _open_lightbox(visit.page)
        assert shown["src"].endswith(f"/figures/{entry['name']}.{scheme}.png"), shown
        assert shown["caption"] == " ".join(entry["caption"].split()), shown
        assert not shown["more"] and shown["captionSize"] >= 14, shown
        assert shown["width"] >= 0.9 * PHONE["width"], shown   # the width of the phone
        assert shown["natural"] > shown["width"], shown        # more pixels to zoom into
        assert not visit.errors, visit.errors
    finally:
        context.close()


def test_the_players_enlarge_button_opens_its_still_with_the_caption(browser, server,
                                                                     manifest):
    entry = next(e for e in manifest["figures"] if e["name"] == "convolution")
    context = phone_context(browser, "light", reduced_motion="reduce")
    try:
        visit = Visit(context, server.url("convolution/"))
        button = visit.page.locator("#fig-convolution .cd-player__enlarge")
        button.scroll_into_view_if_needed()
        button.tap()
        shown = _open_lightbox(visit.page)
        assert shown["src"].endswith("/figures/convolution.light.png"), shown
        assert shown["caption"] == " ".join(entry["caption"].split()), shown
    finally:
        context.close()


def test_the_player_changes_atlas_with_the_window_and_keeps_its_keys(browser, server,
                                                                      manifest):
    if not _has_phone(manifest, "stride-2"):
        pytest.skip("no phone layout for stride-2")
    context = phone_context(browser, "light", reduced_motion="reduce")
    try:
        visit = Visit(context, server.url("padding-and-stride/"))
        page = visit.page
        root = page.locator("#fig-stride-2 .cd-player")
        root.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('#fig-stride-2 .cd-player')"
                               ".dataset.state === 'paused'")
        assert root.get_attribute("data-layout") == "phone"
        assert "stride-2.phone.light.player.webp" in visit.requested
        page.locator("#fig-stride-2 .cd-player__next").focus()
        page.keyboard.press("ArrowRight")
        step = int(root.get_attribute("data-step"))

        page.set_viewport_size(DESKTOP)
        root.scroll_into_view_if_needed()
        page.wait_for_function("(() => { const p = document.querySelector("
                               "'#fig-stride-2 .cd-player'); return p.dataset.layout === "
                               "'page' && p.dataset.state === 'paused'; })()")
        assert "stride-2.light.player.webp" in visit.requested
        assert int(root.get_attribute("data-step")) == step     # the same step
        page.locator("#fig-stride-2 .cd-player__next").focus()
        page.keyboard.press("ArrowRight")
        assert int(root.get_attribute("data-step")) == step + 1
        page.locator("#fig-stride-2 .cd-player__play").focus()  # (on Next, Space steps)
        page.keyboard.press(" ")                                 # Space plays ...
        assert root.get_attribute("data-state") == "playing"
        page.keyboard.press(" ")                                 # ... and pauses
        assert root.get_attribute("data-state") == "paused"
        assert not visit.errors, visit.errors
    finally:
        context.close()


# ---------------------------------------------------------------------------
# Weight

def first_load(context, url: str) -> tuple[int, list]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls, sizes = {}, {}
    cdp.on("Network.requestWillBeSent",
           lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    biggest = sorted(((s, urls.get(r, "?").rsplit("/", 1)[-1]) for r, s in sizes.items()),
                     reverse=True)[:5]
    page.close()
    return sum(sizes.values()), biggest


@pytest.mark.parametrize("page_path", [pytest.param(p, id=_pid(p)) for p in PAGES])
def test_every_pages_first_load_stays_under_1_mb(browser, server, page_path):
    totals = {}
    for width, make in (("phone", phone_context), ("desktop", desktop_context)):
        for scheme in SCHEMES:
            context = make(browser, scheme)
            try:
                total, biggest = first_load(context, server.url(page_path))
            finally:
                context.close()
            totals[f"{width} {scheme}"] = total
            assert total <= FIRST_LOAD_BUDGET, (f"{_pid(page_path)} ({width}, {scheme}): "
                                                f"{total / 1000:.0f} kB; biggest: {biggest}")
    print(f"first load {_pid(page_path)}: " +
          ", ".join(f"{k} {v / 1000:.0f} kB" for k, v in totals.items()))
