"""A STAND-IN for `convdocs slides`, for the teaching-kit tests only.

It is not the slide layout: it centres each committed page PNG (and, for an animation,
each frame of its GIF, at twice its size) on a 1920x1080 canvas of the theme's background
and lists the results in a ``slides.json`` of the shape ``convdocs.figures.teaching.read_slides``
reads. One figure, the tallest, is cut into two parts, to exercise ``NAME.slide-K``.
The real command comes with the slide layout; nothing here is shipped.

    python tests/teaching_standin.py DIR     # writes DIR/slides.json and DIR/figures/
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

from PIL import Image, ImageSequence

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
W, H = 1920, 1080


def _canvas(img: Image.Image, background: str) -> Image.Image:
    img = img.convert("RGB")
    scale = min(W / img.width, H / img.height, 2.0 if img.width * 2 <= W else 1.0)
    if scale != 1.0:
        img = img.resize((round(img.width * scale), round(img.height * scale)),
                         Image.Resampling.NEAREST if scale > 1 else Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (W, H), background)
    canvas.paste(img, ((W - img.width) // 2, (H - img.height) // 2))
    return canvas


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def _gif(path: Path, background: str) -> bytes:
    with Image.open(path) as gif:
        frames, durations = [], []
        for frame in ImageSequence.Iterator(gif):
            frames.append(_canvas(frame.convert("RGB"), background)
                          .quantize(64, method=Image.Quantize.MEDIANCUT))
            durations.append(frame.info.get("duration", 500))
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=0, optimize=False)
    return buf.getvalue()


def make(out: Path, names: list[str] | None = None) -> Path:
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    manifest = json.loads((FIGURES / "manifest.json").read_text())
    themes = manifest["themes"]
    entries = [e for e in manifest["figures"] if names is None or e["name"] in names]
    tallest = max(entries, key=lambda e: e["files"][0]["height"] / e["files"][0]["width"])
    listed = []
    for e in entries:
        files = {(f["theme"], f["kind"]): FIGURES / f["path"] for f in e["files"]
                 if f.get("layout", "page") == "page"}
        n = 2 if e is tallest else 1
        # the title on the slide, as the real step writes it: "Title (2/2)" for a cut figure
        parts = [{"title": e["title"] if n == 1 else f"{e['title']} ({k}/{n})", "part": "",
                  "width": W, "height": H, "files": {}} for k in range(1, n + 1)]
        for theme in ("light", "dark"):
            page = Image.open(files[theme, "png"])
            for k, part in enumerate(parts, 1):
                stem = f"{e['name']}.slide{'' if n == 1 else f'-{k}'}.{theme}"
                crop = page.crop((0, (k - 1) * page.height // n, page.width,
                                  k * page.height // n))
                blobs = {"png": _png(_canvas(crop, themes[theme]["background"])),
                         "svg": files[theme, "svg"].read_bytes()}
                if e["animated"] and n == 1:
                    blobs["gif"] = _gif(files[theme, "gif"], themes[theme]["background"])
                part["files"][theme] = {}
                for kind, data in blobs.items():
                    rel = f"figures/{stem}.{kind}"
                    (out / rel).write_bytes(data)
                    part["files"][theme][kind] = {
                        "path": rel, "sha256": hashlib.sha256(data).hexdigest()}
        listed.append({k: e[k] for k in ("name", "page", "title", "caption", "alt",
                                         "animated")} | {"parts": parts})
    (out / "slides.json").write_text(json.dumps({"stand_in": True, "format": 2,
                                                 "figures": listed}, indent=1))
    return out


if __name__ == "__main__":
    make(Path(sys.argv[1]))
