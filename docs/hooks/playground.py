"""MkDocs hook: write the kernel playground's starting data into the built site.

``convdocs.playground.presets()`` (sample images, catalogue kernels, limits: the
library, no drawing code) plus the figures' colours, which the figure build records
in ``figures/manifest.json``, become ``assets/playground/presets.json``; that is what
``docs/assets/playground/ui.js`` fetches. Nothing is copied into docs/, so the page
cannot drift from the package. ``exclude_docs: /hooks/`` keeps this file off the site.
"""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.exceptions import PluginError

OUTPUT = Path("assets") / "playground" / "presets.json"


def presets_json(manifest: Path) -> str:
    from convdocs import playground

    try:
        themes = json.loads(manifest.read_text(encoding="utf-8"))["themes"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PluginError(f"{manifest} has no theme colours ({exc}): run `make regen`") from exc
    data = playground.presets()
    data["themes"] = themes
    return json.dumps(data, separators=(",", ":"), allow_nan=False)


def on_post_build(config, **kwargs):
    manifest = Path(config.config_file_path).parent / "figures" / "manifest.json"
    target = Path(config.site_dir) / OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(presets_json(manifest), encoding="utf-8")
