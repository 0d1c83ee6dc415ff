"""MkDocs hook: write the kernel playground's starting data into the built site.

``convdocs.playground.presets()`` (sample images, catalogue kernels, limits) plus the
figures' colours from ``convdocs.style`` become ``assets/playground/presets.json``,
which ``docs/assets/playground/ui.js`` fetches. Nothing is copied into docs/, so the
page cannot drift from the package. This file sits under docs/ next to the page it
serves; ``exclude_docs: hooks/`` in mkdocs.yml keeps it out of the site.
"""

from __future__ import annotations

import json
from pathlib import Path

OUTPUT = Path("assets") / "playground" / "presets.json"


def _theme(theme) -> dict:
    """A theme's role colours and its signed colour map as 256 hex colours (matplotlib's LUT)."""
    from matplotlib.colors import to_hex

    lut = theme.signed(list(range(theme.signed.N)))
    return {
        "background": theme.background, "text": theme.text, "muted": theme.muted,
        "cell_line": theme.cell_line, "input": theme.input, "kernel": theme.kernel,
        "output": theme.output, "window": theme.window,
        "signed": [to_hex(rgba) for rgba in lut],
    }


def presets_json() -> str:
    from convdocs import playground, style

    data = playground.presets()
    data["themes"] = {t.name: _theme(t) for t in style.THEMES}
    return json.dumps(data, separators=(",", ":"), allow_nan=False)


def on_post_build(config, **kwargs):
    target = Path(config.site_dir) / OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(presets_json(), encoding="utf-8")
