"""`make lighthouse`: Lighthouse scores of every page of an already built site.

Serves site/ (or the directory given) on 127.0.0.1 under the path of site_url,
runs the Lighthouse pinned in package.json (`npm ci` installs it into
node_modules/) on each page in turn with Debian's Chromium, and prints one line
per page, the lowest score per category against the goals, and the audits that
cost points on the pages below a goal. Exits 1 if a goal is missed.

    python bench/lighthouse.py [SITE_DIR] [--page convolution/ ...] [--desktop] [--dark]
                               [--runs 3]

Full reports are kept in .bench/lighthouse/*.json (the last run's). It builds
nothing: run `make docs` first. Pages run one at a time, since parallel runs on
two cores distort the performance score. With --runs N each page runs N times
and every score is the median: a busy machine moves the performance score by
ten points or more from one run to the next.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / ".bench" / "lighthouse"
CATEGORIES = {"performance": "perf", "accessibility": "a11y", "best-practices": "best"}
GOALS = {"performance": 90, "accessibility": 95, "best-practices": 95}
HEAVY_BYTES = 1_000_000  # flag pages whose total transfer exceeds 1 MB
TOP_AUDITS = 6
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"


def _site_server():
    spec = importlib.util.spec_from_file_location(
        "convdocs_site_server", ROOT / "tests" / "site_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chromium_path() -> str | None:
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def site_pages(site: Path, prefix: str) -> list[str]:
    """Page paths relative to site_url, from the built sitemap.xml."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(site / "sitemap.xml").getroot()
    return [urlsplit(loc.text.strip()).path.removeprefix(prefix)
            for loc in root.findall("s:url/s:loc", ns)]


def run_lighthouse(url: str, out: Path, chrome: str, desktop: bool, dark: bool) -> dict:
    # --force-dark-mode makes prefers-color-scheme report dark: Material's slate palette.
    flags = CHROME_FLAGS + (" --force-dark-mode" if dark else "")
    cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
           "--only-categories=" + ",".join(CATEGORIES), f"--chrome-flags={flags}"]
    if desktop:
        cmd.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=chrome)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url} ({proc.returncode}):\n"
                           f"{proc.stderr[-2000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _median(values: list):
    known = [v for v in values if v is not None]
    return round(statistics.median(known)) if known else None


def score(lhr: dict, category: str) -> int | None:
    value = lhr["categories"].get(category, {}).get("score")
    return None if value is None else round(value * 100)


def _where(item: dict) -> str | None:
    """Where an audit item points: an element's selector, a URL or a console message."""
    node = item.get("node") or {}
    if node.get("selector"):
        return node["selector"]
    if isinstance(item.get("url"), str) and item["url"]:
        return item["url"]
    if isinstance(item.get("description"), str):
        return item["description"][:120]
    return None


def failing_audits(lhr: dict, category: str) -> list[str]:
    """The audits of one category that cost points, costliest first, with up to
    three places each (elements, URLs) to look at."""
    rows = []
    for ref in lhr["categories"][category]["auditRefs"]:
        audit = lhr["audits"].get(ref["id"], {})
        s = audit.get("score")
        if ref.get("weight", 0) <= 0 or s is None or s >= 1:
            continue
        shown = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
        text = f"{ref['id']}: {audit.get('title', '')}{shown}"
        items = (audit.get("details") or {}).get("items") or []
        places = [w for w in (_where(i) for i in items if isinstance(i, dict)) if w]
        text += "".join(f"\n      at {w}" for w in places[:3])
        if len(places) > 3:
            text += f"\n      ... and {len(places) - 3} more"
        rows.append((ref["weight"] * (1 - s), text))
    return [text for _, text in sorted(rows, key=lambda r: -r[0])[:TOP_AUDITS]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default=str(ROOT / "site"), help="built site directory")
    parser.add_argument("--page", action="append", default=[],
                        help="page path relative to site_url, e.g. 'pooling/' or '' (repeatable)")
    parser.add_argument("--desktop", action="store_true",
                        help="desktop preset (default: Lighthouse's mobile emulation)")
    parser.add_argument("--dark", action="store_true",
                        help="system prefers dark (Material's slate scheme); default light")
    parser.add_argument("--runs", type=int, default=1,
                        help="runs per page; scores are the medians (default 1)")
    args = parser.parse_args(argv)

    site = Path(args.site).resolve()
    if not (site / "index.html").is_file():
        print(f"{site}: no built site; run `make docs` first", file=sys.stderr)
        return 2
    if not LIGHTHOUSE.exists():
        print(f"{LIGHTHOUSE} missing: run `npm ci` (Lighthouse is pinned in package.json)",
              file=sys.stderr)
        return 2
    chrome = chromium_path()
    if chrome is None:
        print("no Chromium: apt-get install -y chromium, or set CHROMIUM_PATH", file=sys.stderr)
        return 2

    server_mod = _site_server()
    prefix = server_mod.site_prefix()
    pages = args.page or site_pages(site, prefix)
    REPORTS.mkdir(parents=True, exist_ok=True)
    print(f"Lighthouse {'desktop' if args.desktop else 'mobile'}, "
          f"{'dark' if args.dark else 'light'} scheme, on {len(pages)} pages of {site} ({chrome})")
    print(f"{'page':<24} {'perf':>4} {'a11y':>4} {'best':>4} {'bytes':>9}  time")

    results: dict[str, dict] = {}
    with server_mod.SiteServer(site, prefix=prefix) as server:
        for page in pages:
            name = page.strip("/").removesuffix(".html") or "index"
            start = time.perf_counter()
            runs = []
            try:
                report = REPORTS / f"{name}{'.dark' if args.dark else ''}.json"
                for _ in range(max(1, args.runs)):
                    runs.append(run_lighthouse(server.url(page), report, chrome,
                                               args.desktop, args.dark))
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(f"{name:<24} ERROR {exc}")
                results[name] = {"error": str(exc)}
                continue
            lhr = runs[-1]
            scores = {c: _median([score(r, c) for r in runs]) for c in CATEGORIES}
            weight = _median([r["audits"].get("total-byte-weight", {}).get("numericValue") or 0
                              for r in runs])
            results[name] = {"lhr": lhr, "scores": scores, "bytes": weight}
            cells = " ".join(f"{'-' if scores[c] is None else scores[c]:>4}" for c in CATEGORIES)
            flag = "  > 1 MB" if weight > HEAVY_BYTES else ""
            runtime = lhr.get("runtimeError", {}).get("code")
            perfs = [score(r, "performance") for r in runs]
            print(f"{name:<24} {cells} {weight / 1000:>7.0f}kB  "
                  f"{time.perf_counter() - start:4.0f}s{flag}"
                  + (f"  perf runs {perfs}" if len(runs) > 1 else "")
                  + (f"  runtimeError {runtime}" if runtime else ""), flush=True)

    ok = True
    print()
    for category, short in CATEGORIES.items():
        got = [(r["scores"][category], n) for n, r in results.items() if "scores" in r]
        known = [(s, n) for s, n in got if s is not None]
        if not known:
            print(f"lowest {short}: no score  goal {GOALS[category]}  MISSED")
            ok = False
            continue
        low, where = min(known)
        met = low >= GOALS[category] and len(known) == len(got)
        ok &= met
        print(f"lowest {short}: {low:>3} ({where})  goal >= {GOALS[category]}  "
              f"{'ok' if met else 'MISSED'}")
    errors = [n for n, r in results.items() if "error" in r]
    if errors:
        ok = False
        print(f"lighthouse failed on: {', '.join(errors)}")
    heavy = [f"{n} ({r['bytes'] / 1e6:.2f} MB)" for n, r in results.items()
             if r.get("bytes", 0) > HEAVY_BYTES]
    if heavy:
        print(f"pages over 1 MB transferred: {', '.join(heavy)}")

    for name, r in results.items():
        for category in CATEGORIES:
            s = r.get("scores", {}).get(category)
            if s is not None and s < GOALS[category]:
                print(f"\n{name}: {category} {s} < {GOALS[category]}")
                for line in failing_audits(r["lhr"], category):
                    print(f"  - {line}")
    print(f"\nreports: {REPORTS.relative_to(ROOT)}/<page>.json")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
