"""`make screenshots`: every page of the built site/, light and dark, desktop and phone width.

Writes PNGs to screenshots/ (ignored by git) for a person to look at.
Needs Chromium (Debian's `chromium`, or CHROMIUM_PATH).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("site_server", ROOT / "tests" / "site_server.py")
site_server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(site_server)

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def pages(site: Path) -> list[str]:
    sitemap = (site / "sitemap.xml").read_text()
    prefix = site_server.site_prefix()
    return [re.sub(r"^https?://[^/]+" + re.escape(prefix), "", loc)
            for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]


def main() -> int:
    site, out = ROOT / "site", ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        print("no Chromium: apt-get install chromium, or set CHROMIUM_PATH", file=sys.stderr)
        return 1
    only = sys.argv[1:]
    with site_server.SiteServer(site) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update"])
        for scheme in ("light", "dark"):
            for size, (w, h) in SIZES.items():
                # reduced motion: each animation's player shows its key frame, still
                ctx = browser.new_context(color_scheme=scheme, viewport={"width": w, "height": h},
                                          reduced_motion="reduce")
                page = ctx.new_page()
                for path in pages(site):
                    name = (path.strip("/") or "index").replace("/", "-")
                    if only and name not in only:
                        continue
                    page.goto(server.url(path), wait_until="networkidle")
                    page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                                  ".forEach(i => i.loading = 'eager')")
                    # through the page: players fetch their frames as they come near
                    for y in range(0, page.evaluate("document.body.scrollHeight"), h):
                        page.evaluate(f"window.scrollTo(0, {y})")
                        page.wait_for_timeout(50)
                    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                    page.wait_for_load_state("networkidle")
                    page.wait_for_function("[...document.images].every(i => i.complete) && "
                                           "!document.querySelector('.cd-player[data-state="
                                           "loading]')")
                    page.evaluate("window.scrollTo(0, 0)")
                    target = out / f"{name}.{scheme}.{size}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT))
                ctx.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
