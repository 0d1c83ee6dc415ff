"""`make bench` (third part): what the animation player costs, and why its format.

1. Weight of every animation's frames, both themes, in the formats a player could use:

   * ``atlas``: what the site ships (``NAME.THEME.player.webp``): the 2x key frame and,
     per frame, the boxes of 16-px tiles where it differs, in one lossless WebP;
   * ``atlas png``: the same image as an optimised PNG (oxipng level 2);
   * ``png+boxes``: the static PNG (already in figures/) plus the boxes alone in WebP;
   * ``bbox atlas``: one bounding box per frame instead of tiles, lossless WebP;
   * ``strip png`` / ``strip webp``: every 2x frame whole, as PNG (oxipng level 0, as
     the print strips are) and as lossless WebP;
   * ``gif``: the 1x GIF the page showed before, for scale.

2. First-load transfer of the pages with animations, cold cache, at 390 px (phone,
   devicePixelRatio 2) and 1280 px, served with gzip: the page as it opens, and after
   scrolling to the bottom. Budget: 1 MB for the first load.

    python bench/player.py [--site DIR] [--no-browser]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import oxipng
from PIL import Image

from convdocs.figures import catalogue, render, style

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
BUDGET = 1_000_000
PAGES = ["convolution/", "pooling/", "padding-and-stride/", "transposed-convolution/",
         "pooling-in-depth/", "gallery/"]
FORMATS = ["atlas", "atlas png", "png+boxes", "bbox atlas", "strip png", "strip webp", "gif"]


def webp(img: Image.Image) -> int:
    buf = io.BytesIO()
    img.save(buf, format="WEBP", lossless=True, exact=True, **render.PLAYER_WEBP)
    return len(buf.getvalue())


def png(img: Image.Image, level: int) -> int:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return len(oxipng.optimize_from_memory(buf.getvalue(), level=level))


def grid(frames: list[Image.Image], columns: int = 4) -> Image.Image:
    """Whole frames side by side, `columns` to a row (a WebP side is at most 16,383 px)."""
    w, h = frames[0].size
    sheet = Image.new("RGB", (w * columns, h * -(-len(frames) // columns)))
    for k, f in enumerate(frames):
        sheet.paste(f, ((k % columns) * w, (k // columns) * h))
    return sheet


def bbox_atlas(frames: list[Image.Image], key: int) -> Image.Image:
    """The key frame, then one bounding box of all changed pixels per frame."""
    base = np.asarray(frames[key])
    crops = []
    for f in frames:
        ys, xs = np.nonzero((np.asarray(f) != base).any(-1))
        if len(ys):
            crops.append(f.crop((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)))
    return _stack([frames[key]] + crops)


def _stack(images: list[Image.Image]) -> Image.Image:
    width = max(i.width for i in images)
    columns = 1
    while sum(i.height for i in images) / columns > render.WEBP_MAX - 1000:
        columns += 1
    per = -(-len(images) // columns)
    cols = [images[c * per:(c + 1) * per] for c in range(columns)]
    sheet = Image.new("RGB", (width * columns, max(sum(i.height for i in c) for c in cols)))
    for c, col in enumerate(cols):
        y = 0
        for i in col:
            sheet.paste(i, (c * width, y))
            y += i.height
    return sheet


def weights() -> None:
    print("== animation frames: bytes per animation and theme (kB)")
    print(f"{'':24}" + "".join(f"{f:>12}" for f in FORMATS))
    rows = {f: [] for f in FORMATS}
    manifest = {e["name"]: e for e in json.loads((FIGURES / "manifest.json").read_text())
                ["figures"]}
    for name, spec in catalogue.FIGURES.items():
        if not spec.animated:
            continue
        data = spec.compute()
        frames = spec.animate(data)
        key = spec.timing.key_index(frames.frames, data)
        for theme in style.THEMES:
            big = render.layered(frames, theme, range(frames.frames), style.PNG_DPI)
            atlas, _ = render.player_atlas(big, key, render.durations(spec.timing, len(big)))
            h = big[key].height
            sizes = {f["kind"]: f["bytes"] for f in manifest[name]["files"]
                     if f["theme"] == theme.name and f.get("layout", "page") == "page"}
            row = {
                "atlas": sizes["player"],
                "atlas png": png(atlas, 2),
                "png+boxes": sizes["png"] + (webp(atlas.crop((0, h, atlas.width,
                                                              atlas.height)))
                                             if atlas.height > h else 0),
                "bbox atlas": webp(bbox_atlas(big, key)),
                "strip png": png(grid(big), 0),
                "strip webp": webp(grid(big)),
                "gif": sizes["gif"],
            }
            for f in FORMATS:
                rows[f].append(row[f])
            print(f"{name + ' ' + theme.name:24}" + "".join(f"{row[f] / 1e3:12.1f}"
                                                           for f in FORMATS), flush=True)
    print(f"{'median':24}" + "".join(f"{statistics.median(rows[f]) / 1e3:12.1f}"
                                     for f in FORMATS))
    print(f"{'max':24}" + "".join(f"{max(rows[f]) / 1e3:12.1f}" for f in FORMATS))
    print(f"{'total':24}" + "".join(f"{sum(rows[f]) / 1e3:12.1f}" for f in FORMATS))


def _site_server():
    spec = importlib.util.spec_from_file_location("site_server", ROOT / "tests/site_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def transfer(browser, server, url: str, phone: bool, scroll: bool) -> int:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=2 if phone else 1)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes = {}
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(server.url(url), wait_until="load")
    page.wait_for_load_state("networkidle")
    if scroll:
        height = page.evaluate("document.body.scrollHeight")
        for y in range(0, height, viewport["height"] // 2):
            page.evaluate(f"scrollTo(0, {y})")
            page.wait_for_timeout(150)
        page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    context.close()
    return sum(sizes.values())


def first_loads(site: Path | None) -> None:
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if chromium is None:
        print("first-load transfer: skipped, no Chromium")
        return
    from playwright.sync_api import sync_playwright

    site_server = _site_server()
    with tempfile.TemporaryDirectory() as tmp:
        if site is None:
            site = Path(tmp) / "site"
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d",
                            str(site)], cwd=ROOT, check=True,
                           env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
        with site_server.SiteServer(site) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-background-networking"])
            print("== first-load transfer, cold cache, gzip (kB; budget "
                  f"{BUDGET / 1e3:.0f} kB for the first load)")
            print(f"{'':26}{'390 px':>10}{'scrolled':>10}{'1280 px':>10}{'scrolled':>10}")
            for url in PAGES:
                cells = [transfer(browser, server, url, phone, scroll)
                         for phone in (True, False) for scroll in (False, True)]
                flag = "" if max(cells[0], cells[2]) <= BUDGET else "   OVER"
                print(f"{url:26}" + "".join(f"{c / 1e3:10.0f}" for c in cells) + flag,
                      flush=True)
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--no-browser", action="store_true", help="weights only")
    args = parser.parse_args()
    weights()
    if not args.no_browser:
        first_loads(args.site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
