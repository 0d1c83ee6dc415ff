"""`make bench` (second part): the kernel playground's weight and speed, in Chromium.

Builds the site into a temporary directory, serves it as GitHub Pages does (gzip,
Cache-Control; tests/site_server.py) and measures with Playwright and Debian's Chromium:

* first-load transfer of the playground page: every byte on the wire, from a cold
  cache, against the budget of 300 KB;
* how long an output update takes after a kernel weight changes, for a 128 x 128
  image and a 7 x 7 kernel: the median of many runs, measured inside the page from the
  input event to the end of drawing, and to the next painted frame; also with the CPU
  slowed down 4x, as Lighthouse's phone profile does. Budget: 50 ms.

    python bench/playground.py [--runs N] [--site DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSFER_BUDGET = 300_000   # bytes
UPDATE_BUDGET = 50.0        # ms

spec = importlib.util.spec_from_file_location("site_server", ROOT / "tests" / "site_server.py")
site_server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(site_server)

# One timed update per run: change a weight, let the page recompute and draw.
UPDATE_JS = """
async ({runs, cell}) => {
  const root = document.querySelector('[data-playground]');
  const input = root.querySelector(cell);
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const sync = [], painted = [];
  for (let i = 0; i < runs; i++) {
    await frame();
    const t0 = performance.now();
    input.value = String((i % 7) - 3 + 0.5);
    input.dispatchEvent(new Event('input', {bubbles: true}));
    sync.push(performance.now() - t0);
    await frame();
    painted.push(performance.now() - t0);
  }
  return {sync, painted, state: root.dataset.state};
}
"""


def chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def build_site(out: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
                   cwd=ROOT, env=env, check=True)


def transfer(browser, server) -> tuple[int, dict]:
    """Bytes on the wire for a cold first load of the playground, by resource type."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    kinds, sizes = {}, {}
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(server.url("playground/"), wait_until="load")
    page.wait_for_function("document.querySelector('[data-playground]').dataset.mounted"
                           " === 'ready'")
    page.wait_for_load_state("networkidle")
    by_kind: dict[str, int] = {}
    for rid, size in sizes.items():
        by_kind[kinds.get(rid, "Other")] = by_kind.get(kinds.get(rid, "Other"), 0) + size
    context.close()
    return sum(sizes.values()), by_kind


def updates(browser, server, runs: int, throttle: float, setup: list) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url("playground/"), wait_until="load")
    page.wait_for_function("document.querySelector('[data-playground]').dataset.mounted"
                           " === 'ready'")
    for action, selector, *value in setup:
        getattr(page, action)(selector, *value)
    cdp = context.new_cdp_session(page)
    if throttle > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    result = page.evaluate(UPDATE_JS, {"runs": runs, "cell": ".pg-kcell[data-r='3'][data-c='3']"})
    shape = page.locator("#pg-output-caption").inner_text()
    context.close()
    if result["state"] != "ok":
        raise RuntimeError(f"the playground refused the benchmark's settings: {result['state']}")
    return {"sync": statistics.median(result["sync"]),
            "painted": statistics.median(result["painted"]),
            "p95": sorted(result["sync"])[int(0.95 * (len(result["sync"]) - 1))],
            "shape": shape}


PHOTO_7X7 = [("select_option", "#pg-image", "photo"), ("select_option", "#pg-krows", "7"),
             ("select_option", "#pg-kcols", "7")]
HEAVY = PHOTO_7X7 + [("select_option", "#pg-padding", "full"), ("check", "#pg-relu"),
                     ("select_option", "#pg-pool", "avg"), ("fill", "#pg-psize", "3"),
                     ("fill", "#pg-pstride", "1")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=101)
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    args = parser.parse_args()
    if chromium() is None:
        print("kernel playground: skipped, no Chromium (apt-get install chromium, "
              "or set CHROMIUM_PATH)")
        return 0
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or Path(tmp) / "site"
        if not args.site:
            build_site(site)
        with site_server.SiteServer(site) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium(), args=[
                "--no-sandbox", "--disable-background-networking", "--disable-component-update"])
            total, by_kind = transfer(browser, server)
            print("== kernel playground (Chromium, served with gzip)")
            kinds = ", ".join(f"{k} {v / 1000:.1f}" for k, v in sorted(by_kind.items(),
                                                                      key=lambda kv: -kv[1]))
            print(f"{'first-load transfer, cold cache':44} {total / 1000:8.1f} KB   "
                  f"(budget {TRANSFER_BUDGET / 1000:.0f} KB: "
                  f"{'ok' if total <= TRANSFER_BUDGET else 'OVER'})   [{kinds}]")
            worst = 0.0
            for label, setup in (("128x128 photo, 7x7 kernel", PHOTO_7X7),
                                 ("same, full padding + ReLU + avg pool 3/1", HEAVY)):
                for throttle in (1, 4):
                    m = updates(browser, server, args.runs, throttle, setup)
                    worst = max(worst, m["sync"]) if throttle == 1 else worst
                    cpu = "" if throttle == 1 else f", CPU {throttle}x slower"
                    print(f"{'update: ' + label + cpu:70} median {m['sync']:6.1f} ms "
                          f"(p95 {m['p95']:6.1f}), to next frame {m['painted']:6.1f} ms   "
                          f"[{m['shape']}]")
            print(f"{'':44} budget {UPDATE_BUDGET:.0f} ms per update (unthrottled): "
                  f"{'ok' if worst <= UPDATE_BUDGET else 'OVER'}")
            browser.close()
    return 0 if total <= TRANSFER_BUDGET and worst <= UPDATE_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
