"""Browser tests of the built documentation site (Playwright + Chromium).

The site is built once per module with ``mkdocs build --strict`` into a temporary
directory and served on 127.0.0.1 under the path of ``site_url`` (see
``site_server.py``). Every page is opened in the light and the dark colour scheme.

Chromium: ``$CHROMIUM_PATH``, else the first of chromium, chromium-browser,
google-chrome, google-chrome-stable on PATH. Without one the module is skipped,
except under CI (``$CI`` set), where that is a failure. ``$CONVDOCS_SITE_DIR``
tests an already built site instead of building one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
MKDOCS_YML = ROOT / "mkdocs.yml"

# Pages the finished site must have (URL paths relative to site_url).
REQUIRED_PAGES = ["", "images-are-numbers/", "convolution/", "what-filters-see/",
                  "pooling/", "gallery/", "notebook/", "rebuild-and-reuse/"]
SCHEMES = ["light", "dark"]
PHONE = {"width": 390, "height": 844}
CHROME_ARGS = ["--no-sandbox", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]


def _load_site_server():
    spec = importlib.util.spec_from_file_location("convdocs_site_server",
                                                  Path(__file__).with_name("site_server.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


site_server = _load_site_server()


# ---------------------------------------------------------------------------
# The page list, read from mkdocs.yml's nav at collection time (so that test ids
# name pages); test_every_built_page_is_tested checks it against sitemap.xml.

class _AnyTagLoader(yaml.SafeLoader):
    """SafeLoader that reads unknown tags (``!!python/name:...``, ``!ENV``) as None."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_AnyTagLoader.add_multi_constructor("tag:yaml.org,2002:python/",
                                    lambda loader, suffix, node: None)


def _mkdocs_config() -> dict:
    return yaml.load(MKDOCS_YML.read_text(encoding="utf-8"), Loader=_AnyTagLoader) or {}


def _nav_files(nav) -> list[str]:
    if isinstance(nav, str):
        return [] if re.match(r"^[a-z][a-z0-9+.-]*://", nav) or nav.startswith("/") else [nav]
    if isinstance(nav, list):
        return [f for item in nav for f in _nav_files(item)]
    if isinstance(nav, dict):
        return [f for value in nav.values() for f in _nav_files(value)]
    return []


def _page_url(src: str, directory_urls: bool) -> str:
    stem = re.sub(r"\.(md|ipynb)$", "", src.replace(os.sep, "/"))
    parent, _, name = stem.rpartition("/")
    if name.lower() in ("index", "readme"):
        return parent + "/" if parent else ""
    return stem + "/" if directory_urls else stem + ".html"


def site_pages() -> list[str]:
    config = _mkdocs_config()
    directory_urls = config.get("use_directory_urls", True) is not False
    files = _nav_files(config.get("nav"))
    if not files:  # no nav: MkDocs takes every page in docs_dir
        docs = ROOT / config.get("docs_dir", "docs")
        files = sorted(str(p.relative_to(docs)) for p in docs.rglob("*")
                       if p.suffix in (".md", ".ipynb") and ".ipynb_checkpoints" not in p.parts)
    return list(dict.fromkeys(_page_url(f, directory_urls) for f in files))


PAGES = site_pages()


def _pid(page: str) -> str:
    return page.strip("/").removesuffix(".html") or "index"


PAGE_SCHEME = [pytest.param(p, s, id=f"{_pid(p)}-{s}") for p in PAGES for s in SCHEMES]


# ---------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    return site_server.build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def server(built_site):
    with site_server.SiteServer(built_site) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    yield from site_server.launch_chromium("site", CHROME_ARGS)


@pytest.fixture(scope="module")
def contexts(browser):
    """One desktop context per colour scheme, reused by every page test."""
    made = {s: browser.new_context(color_scheme=s, viewport={"width": 1280, "height": 900})
            for s in SCHEMES}
    yield made
    for c in made.values():
        c.close()


@pytest.fixture(scope="module")
def figure_page(built_site) -> str:
    """A page that shows themed figures; convolution/ when it has them."""
    candidates = ["convolution/"] + [p for p in PAGES if p != "convolution/"]
    for page in candidates:
        html = built_site / (page + "index.html" if page.endswith("/") or not page else page)
        if html.is_file() and "#only-light" in html.read_text(encoding="utf-8"):
            return page
    pytest.fail("no page shows a figure with #only-light/#only-dark", pytrace=False)


class PageWatch:
    """Records what a page does on the network and in its console."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.url} (HTTP {r.status})"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(
            f"console: {m.text} @ {m.location.get('url', '')}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests
                if urlsplit(u).scheme not in ("data", "blob", "about")
                and urlsplit(u).hostname != "127.0.0.1"]


def open_page(context, url: str) -> PageWatch:
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(url, wait_until="load")
    try:
        page.wait_for_load_state("networkidle", timeout=5000)
    except Exception:  # noqa: BLE001 - a busy page is judged by the checks below
        pass
    return watch


# Every visible <img>: force lazy ones to load, wait for them, report what they became.
VISIBLE_IMAGES_JS = """
async () => {
  const visible = (i) => i.checkVisibility({checkOpacity: false, checkVisibilityCSS: true});
  const imgs = [...document.images].filter(visible);
  for (const i of imgs) if (i.loading === 'lazy') i.loading = 'eager';
  await Promise.all(imgs.map((i) => i.complete ? null : new Promise((done) => {
    i.addEventListener('load', done, {once: true});
    i.addEventListener('error', done, {once: true});
    setTimeout(done, 10000);
  })));
  return imgs.map((i) => ({src: i.getAttribute('src'), url: i.currentSrc || i.src,
                          alt: (i.getAttribute('alt') || '').trim(),
                          // alt="" in a link whose own text names it: decorative (WCAG H2)
                          decorative: i.getAttribute('alt') === '' && !!i.closest('a')
                                      && i.closest('a').textContent.trim() !== '',
                          width: i.naturalWidth, complete: i.complete}));
}
"""


def body_scheme(page) -> str | None:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


# ---------------------------------------------------------------------------
# Tests

def test_required_pages_exist(built_site):
    missing = [p for p in REQUIRED_PAGES
               if not (built_site / (p + "index.html" if p else "index.html")).is_file()]
    assert not missing, f"pages missing from the built site: {missing}"


def test_every_built_page_is_tested(built_site):
    root = ET.parse(built_site / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    prefix = site_server.site_prefix()
    in_sitemap = {urlsplit(loc.text.strip()).path.removeprefix(prefix)
                  for loc in root.findall("s:url/s:loc", ns)}
    assert in_sitemap == set(PAGES), (
        f"sitemap.xml and the nav in mkdocs.yml disagree: only in sitemap "
        f"{sorted(in_sitemap - set(PAGES))}, only in nav {sorted(set(PAGES) - in_sitemap)}")


@pytest.mark.parametrize("page_path,scheme", PAGE_SCHEME)
def test_page(server, contexts, page_path, scheme):
    watch = open_page(contexts[scheme], server.url(page_path))
    page = watch.page
    try:
        images = page.evaluate(VISIBLE_IMAGES_JS)
        page.wait_for_timeout(100)  # let late console messages arrive
        problems = []
        want = "slate" if scheme == "dark" else "default"
        got = body_scheme(page)
        if got != want:
            problems.append(f"body data-md-color-scheme is {got!r}, expected {want!r} when the "
                            f"system prefers {scheme} (palette should follow the system)")
        problems += watch.errors
        problems += [f"failed request: {f}" for f in watch.failed]
        problems += [f"request leaves 127.0.0.1: {u}" for u in watch.foreign_requests()]
        problems += [f"image not loaded: {i['url']}" for i in images
                     if not (i["complete"] and i["width"] > 0)]
        problems += [f"image without alt text: {i['src']}" for i in images
                     if not i["alt"] and not i["decorative"]]
        other = "#only-light" if scheme == "dark" else "#only-dark"
        problems += [f"{other} image visible in the {scheme} scheme: {i['src']}"
                     for i in images if (i["src"] or "").endswith(other)]
        assert not problems, f"{page_path or 'index'} ({scheme}):\n  " + "\n  ".join(problems)
    finally:
        page.close()


def test_theme_toggle_swaps_figures(browser, server, figure_page):
    context = browser.new_context(color_scheme="light")  # own context: the toggle is stored
    try:
        watch = open_page(context, server.url(figure_page))
        page = watch.page
        assert body_scheme(page) == "default"
        before = page.evaluate(VISIBLE_IMAGES_JS)
        themed = [i for i in before if re.search(r"#only-(light|dark)$", i["src"] or "")]
        assert themed, f"{figure_page}: no visible themed figure in the light scheme"
        assert all(i["src"].endswith("#only-light") for i in themed), themed

        inputs = page.locator('input[name="__palette"]')
        assert inputs.count() >= 2, "no palette toggle (theme.palette with toggles) on the page"
        for _ in range(inputs.count()):  # light -> dark, or auto -> light -> dark
            page.locator('form[data-md-component="palette"] label:visible').first.click()
            if body_scheme(page) == "slate":
                break
        assert body_scheme(page) == "slate", "the palette toggle never reached the dark scheme"

        after = page.evaluate(VISIBLE_IMAGES_JS)
        themed = [i for i in after if re.search(r"#only-(light|dark)$", i["src"] or "")]
        assert themed, f"{figure_page}: no visible themed figure after switching to dark"
        assert all(i["src"].endswith("#only-dark") for i in themed), themed
        assert all(i["complete"] and i["width"] > 0 for i in themed), themed
    finally:
        context.close()


def test_notebook_download(contexts, server, built_site):
    if not (built_site / "notebook" / "index.html").is_file():
        pytest.skip("no notebook/ page yet (test_required_pages_exist reports it)")
    watch = open_page(contexts["light"], server.url("notebook/"))
    page = watch.page
    try:
        hrefs = page.eval_on_selector_all('a[href$=".ipynb"]', "els => els.map(a => a.href)")
        assert hrefs, "notebook page has no link to its .ipynb"
        for href in dict.fromkeys(hrefs):
            response = page.request.get(href)
            assert response.status == 200, f"{href}: HTTP {response.status}"
            notebook = json.loads(response.body())
            assert isinstance(notebook.get("cells"), list) and notebook["cells"], href
    finally:
        page.close()


def test_gallery_downloads(contexts, server, built_site):
    if not (built_site / "gallery" / "index.html").is_file():
        pytest.skip("no gallery/ page yet (test_required_pages_exist reports it)")
    watch = open_page(contexts["light"], server.url("gallery/"))
    page = watch.page
    try:
        hrefs = page.eval_on_selector_all("a.cd-download", "els => els.map(a => a.href)")
        assert hrefs, "gallery has no a.cd-download links"
        kinds = {urlsplit(h).path.rsplit(".", 1)[-1].lower() for h in hrefs}
        assert kinds <= {"png", "svg", "gif"}, f"unexpected download types: {kinds}"
        bad = []
        for href in dict.fromkeys(hrefs):
            response = page.request.get(href)
            if response.status != 200 or not response.body():
                bad.append(f"{href}: HTTP {response.status}")
        assert not bad, "broken downloads:\n  " + "\n  ".join(bad)
    finally:
        page.close()


# Elements that stick out to the right of the viewport, outermost first, for the message.
OVERFLOW_JS = """
() => {
  const w = document.documentElement.clientWidth, out = [];
  const fixed = (el) => { for (; el; el = el.parentElement)
    if (getComputedStyle(el).position === 'fixed') return true; return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1 && !(el.parentElement && out.includes(el.parentElement))
        && !fixed(el))
      out.push(el);
  }
  return {scrollWidth: document.documentElement.scrollWidth,
          culprits: out.slice(0, 5).map((el) => el.tagName.toLowerCase() +
            (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string'
              ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
            ' right=' + Math.round(el.getBoundingClientRect().right))};
}
"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_phone_no_horizontal_overflow(browser, server, figure_page, scheme):
    context = browser.new_context(color_scheme=scheme, viewport=PHONE,
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = open_page(context, server.url(figure_page)).page
        page.evaluate(VISIBLE_IMAGES_JS)
        result = page.evaluate(OVERFLOW_JS)
        assert result["scrollWidth"] <= PHONE["width"] + 1, (
            f"{figure_page} ({scheme}, {PHONE['width']}px): scrollWidth "
            f"{result['scrollWidth']}; wide elements: {result['culprits']}")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("saved", ["garbage{", "{}", "1", '{"color":{}}',
                                   '{"color":{"scheme":"bogus"}}'])
def test_a_broken_saved_palette_follows_the_system_and_fetches_one_scheme(browser, server,
                                                                          saved):
    """A `__palette` value Material never writes (garbage, no colour or index) counts as
    no saved choice: the page follows the system, fetches only that scheme's figures, and
    the toggle still works (Material's bundle threw on such a value and stayed light)."""
    context = browser.new_context(color_scheme="dark", viewport={"width": 390, "height": 844})
    prefix = site_server.site_prefix()
    context.add_init_script(f"localStorage.setItem({json.dumps(prefix + '.__palette')}, "
                            f"{json.dumps(saved)})")
    page = context.new_page()
    urls, errors = [], []
    page.on("request", lambda r: urls.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server.url("convolution/"), wait_until="load")
        for y in range(0, page.evaluate("document.body.scrollHeight"), 600):
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(30)
        page.wait_for_timeout(300)
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        figures = [u for u in urls if "/figures/" in u]
        assert figures and not [u for u in figures if ".light." in u], figures
        # Material's own inline script may still throw on unparsable JSON; nothing after it
        assert not [e for e in errors if "not valid JSON" not in e], errors
        page.locator('form[data-md-component="palette"] label:visible').first.click()
        page.wait_for_timeout(200)
        assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
    finally:
        context.close()
