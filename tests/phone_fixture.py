"""A copy of the site whose manifest has phone files, for the site's phone tests.

The figure build will write a phone layout of every figure (``NAME.phone.THEME.png``,
``.gif`` and a phone player atlas, each file dict marked ``"layout": "phone"``, and the
player's phone layout beside ``entry["player"]``). Until it does, this makes stand-ins:
each page file scaled down to fit the 358 px phone column (716 px for the 2x PNG and
atlas, 358 px for the 1x GIF), with the atlas's boxes scaled to match. They are not
figures anyone should read; they give the site's markup, CSS and player real phone
files to choose, size and load, and they never go into figures/.

    site_dir = phone_site(tmp_path)   # mkdocs build --strict of docs/ with those files

When figures/manifest.json already has phone files, :func:`has_phone_files` says so
and the tests build the repository as it is instead.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PHONE_COLUMN = 358                       # CSS px: the content column of a 390 px phone


def has_phone_files(manifest: dict) -> bool:
    return any(f.get("layout") == "phone" for e in manifest["figures"] for f in e["files"])


def _phone_name(path: str) -> str:
    name, theme, rest = path.split(".", 2)       # NAME.THEME.png -> NAME.phone.THEME.png
    return f"{name}.phone.{theme}.{rest}"


def _scale_boxes(boxes: str, s: float, frame: tuple[int, int], atlas: tuple[int, int]) -> str:
    out = []
    for box in boxes.split():
        x, y, w, h, ax, ay = map(int, box.split(","))
        nx, ny, nax, nay = (math.floor(v * s) for v in (x, y, ax, ay))
        nw = max(1, min(math.ceil((x + w) * s) - nx, frame[0] - nx, atlas[0] - nax))
        nh = max(1, min(math.ceil((y + h) * s) - ny, frame[1] - ny, atlas[1] - nay))
        out.append(f"{nx},{ny},{nw},{nh},{nax},{nay}")
    return " ".join(out)


def _scaled(src: Path, dst: Path, size: tuple[int, int]) -> None:
    with Image.open(src) as im:
        if src.suffix == ".gif":     # a still stand-in: the player replaces it anyway
            im.seek(0)
            im.convert("RGB").resize(size, Image.LANCZOS).save(dst)
        elif src.suffix == ".webp":
            im.convert("RGBA").resize(size, Image.NEAREST).save(dst, lossless=True)
        else:
            im.resize(size, Image.LANCZOS).save(dst)


def make_phone_figures(figures: Path, out: Path) -> dict:
    """Copy figures/ into `out` and add stand-in phone files to its manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((figures / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["figures"]:
        for f in entry["files"]:
            shutil.copyfile(figures / f["path"], out / f["path"])
        png = next(f for f in entry["files"] if f["kind"] == "png")
        s = min(1.0, 2 * PHONE_COLUMN / png["width"])      # the 2x width fits 716 px
        added = []
        for f in entry["files"]:
            if f["kind"] not in ("png", "gif", "player"):
                continue
            # the same scale for all: a 1x GIF is half as wide as the 2x PNG of its frame
            size = (max(1, round(f["width"] * s)), max(1, round(f["height"] * s)))
            path = _phone_name(f["path"])
            _scaled(figures / f["path"], out / path, size)
            added.append(dict(f, path=path, layout="phone", width=size[0], height=size[1],
                              bytes=(out / path).stat().st_size, sha256=""))
        entry["files"] += added
        if entry.get("player"):
            phone = {}
            for theme, layout in entry["player"].items():
                atlas = next(a for a in added if a["kind"] == "player" and a["theme"] == theme)
                w = max(1, math.floor(layout["width"] * s))
                h = max(1, math.floor(layout["height"] * s))
                phone[theme] = dict(layout, width=w, height=h, frames=[
                    _scale_boxes(b, s, (w, h), (atlas["width"], atlas["height"]))
                    for b in layout["frames"]])
            entry["player_phone"] = phone
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def phone_site(tmp: Path) -> Path:
    """Build the site from a copy of docs/ and the stand-in figures; return the site dir."""
    work = tmp / "phone-src"
    for name in ("docs", "overrides"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns(
            ".ipynb_checkpoints", "__pycache__"))
    shutil.copyfile(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    make_phone_figures(ROOT / "figures", work / "figures")
    site = tmp / "phone-site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(work / "mkdocs.yml"), "-d", str(site)],
                          cwd=work, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict of the phone copy failed:\n"
                           f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return site


if __name__ == "__main__":   # python tests/phone_fixture.py OUT: build it to look at
    print(phone_site(Path(sys.argv[1]).resolve()))
