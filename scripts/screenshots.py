"""`make screenshots`: every page of the built site/, light and dark, desktop and phone width.

Writes PNGs to screenshots/ (ignored by git) for a person to look at.
Needs Chromium (Debian's `chromium`, or CHROMIUM_PATH).

    python scripts/screenshots.py [--site DIR] [--phone-only] [PAGE ...]

PAGE is a file stem such as `index` or `padding-and-stride`; --site shoots another
build (say, tests/phone_fixture.py's copy with phone files).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("site_server", ROOT / "tests" / "site_server.py")
site_server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(site_server)

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


TALLEST = 30000     # px: the tallest window the screenshots use


def pages(site: Path) -> list[str]:
    sitemap = (site / "sitemap.xml").read_text()
    prefix = site_server.site_prefix()
    return [re.sub(r"^https?://[^/]+" + re.escape(prefix), "", loc)
            for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", metavar="PAGE",
                        help="file stems such as index or padding-and-stride (default: all)")
    parser.add_argument("--site", type=Path, default=ROOT / "site",
                        help="the built site to shoot (default: site/)")
    parser.add_argument("--phone-only", action="store_true", help="390 px wide only")
    args = parser.parse_args()
    site = args.site.resolve()
    if not (site / "sitemap.xml").is_file():
        parser.error(f"--site {str(args.site)!r} has no sitemap.xml: build the site first")
    sizes = {"phone": SIZES["phone"]} if args.phone_only else SIZES
    known = {(path.strip("/") or "index").replace("/", "-") for path in pages(site)}
    if set(args.pages) - known:
        parser.error(f"no such page: {', '.join(sorted(set(args.pages) - known))} "
                     f"(pages: {', '.join(sorted(known))})")
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        print("no Chromium: apt-get install chromium, or set CHROMIUM_PATH", file=sys.stderr)
        return 1
    only = args.pages
    with site_server.SiteServer(site) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update"])
        for scheme in ("light", "dark"):
            for size, (w, h) in sizes.items():
                # reduced motion: each animation's player shows its key frame, still
                ctx = browser.new_context(color_scheme=scheme, viewport={"width": w, "height": h},
                                          reduced_motion="reduce")
                page = ctx.new_page()
                for path in pages(site):
                    name = (path.strip("/") or "index").replace("/", "-")
                    if only and name not in only:
                        continue
                    page.goto(server.url(path), wait_until="networkidle")
                    # the images on show (not the other scheme's, not the GIFs a player hides)
                    page.evaluate("[...document.images].filter(i => i.checkVisibility())"
                                  ".forEach(i => i.loading = 'eager')")
                    # A window as tall as the page: every player is in view and draws (a
                    # player far from view keeps no pixels), every lazy image loads.
                    tall = page.evaluate("document.documentElement.scrollHeight")
                    if tall > TALLEST:      # Chromium stops loading in windows this tall
                        print(f"{name} ({scheme}, {size}) is {tall} px tall: only the first "
                              f"{TALLEST} px are shot", file=sys.stderr)
                    page.set_viewport_size({"width": w, "height": min(tall, TALLEST)})
                    page.wait_for_load_state("networkidle")
                    try:
                        page.wait_for_function(
                            "[...document.images].filter(i => i.checkVisibility())"
                            ".every(i => i.complete) && "
                            "!document.querySelector('.cd-player[data-state=loading]')",
                            timeout=20000)
                    except PlaywrightTimeout:   # shoot anyway, and say what had not loaded
                        print(f"{name} ({scheme}, {size}): images or players still loading "
                              f"after 20 s; the shot may show gaps", file=sys.stderr)
                    # figures far down took a guessed height (content-visibility) until
                    # shown: fit the window to the page as it is now
                    page.set_viewport_size({"width": w, "height": min(TALLEST, page.evaluate(
                        "Math.ceil(document.querySelector('article').getBoundingClientRect()"
                        ".bottom + document.querySelector('.md-footer').offsetHeight + 24)"))})
                    page.wait_for_timeout(200)
                    page.screenshot(path=str(out / f"{name}.{scheme}.{size}.png"))
                    page.set_viewport_size({"width": w, "height": h})
                    print(f"screenshots/{name}.{scheme}.{size}.png")
                ctx.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
