"""The MkDocs hooks: figure references, the gallery, and notebook page clean-up."""

from __future__ import annotations

import html
import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("hooks", ROOT / "docs/hooks/figures.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)
DATA = json.loads((ROOT / "figures/manifest.json").read_text())
MANIFEST = {e["name"]: e for e in DATA["figures"]}


@pytest.fixture(autouse=True)
def state():
    hooks._state["manifest"] = MANIFEST
    hooks._state["tables"] = DATA["tables"]
    hooks._state["licence"], hooks._state["attribution"] = DATA["licence"], DATA["attribution"]


def test_the_hooks_never_import_convdocs():
    source = (ROOT / "docs/hooks/figures.py").read_text()
    assert "import convdocs" not in source and "from convdocs" not in source


def page(url="convolution/", src="convolution.md"):
    return SimpleNamespace(url=url, file=SimpleNamespace(src_uri=src))


def test_a_figure_reference_becomes_light_and_dark_images_with_manifest_text():
    out = hooks.on_page_markdown("Text\n\n[[figure grid-outline]]\n", page(), None, None)
    entry = MANIFEST["grid-outline"]
    assert 'src="../figures/grid-outline.light.png#only-light"' in out
    assert 'src="../figures/grid-outline.dark.png#only-dark"' in out
    assert out.count(f'alt="{entry["alt"]}"') == 2
    assert "<figcaption>" in out and entry["caption"][:40] in out


def test_animations_show_their_gif_and_the_home_page_has_no_prefix():
    out = hooks.on_page_markdown("[[figure convolution]]", page("", "index.md"), None, None)
    assert 'src="figures/convolution.light.gif#only-light"' in out


def test_an_unknown_figure_fails_the_build():
    with pytest.raises(PluginError, match="no-such-figure"):
        hooks.on_page_markdown("[[figure no-such-figure]]", page(), None, None)


def test_the_gallery_offers_every_file_and_opens_with_a_thumbnail_index():
    out = hooks.on_page_markdown("[[gallery]]", page("gallery/", "gallery.md"), None, None)
    index = out[out.index('<nav class="cd-thumbs"'):out.index("</nav>")]
    for entry in MANIFEST.values():
        assert f'{{ #{entry["name"]} }}' in out
        assert f'href="#{entry["name"]}"' in index
        for f in entry["files"]:
            if f["kind"] == "thumb":
                assert f'src="../figures/{f["path"]}#only-{f["theme"]}"' in index
            elif f["kind"] == "player":   # the site player's atlas is no download
                assert f'href="../figures/{f["path"]}"' not in out
            else:
                assert f'href="../figures/{f["path"]}" download' in out


def test_a_figure_offers_its_files_not_a_link_to_its_own_section():
    out = hooks.on_page_markdown("[[figure convolution]]", page(), None, None)
    for f in MANIFEST["convolution"]["files"]:
        if f["kind"] not in ("thumb", "player"):
            assert f'href="../figures/{f["path"]}" download' in out
    assert "gallery/#" not in out


def test_notebook_pages_lose_cdn_scripts_and_jupyter_styles():
    html = ('<style type="text/css">.jp-Cell{color:red}</style>'
            '<style>.jp-Mermaid{display:none}</style><style id="glightbox-style">x{}</style>'
            '<script src="https://cdnjs.cloudflare.com/mathjax.js"> </script>'
            '<script type="module">import("https://cdnjs.cloudflare.com/m.mjs")</script>'
            '<script>keep()</script><div class="jp-Cell"></div>')
    out = hooks.on_post_page(html, page("notebook/", "notebook.ipynb"), None)
    assert "cdnjs" not in out and "keep()" in out
    assert "jp-Cell{" not in out and "jp-Mermaid" not in out
    assert 'id="glightbox-style"' in out and '<div class="jp-Cell">' in out
    plain = hooks.on_post_page(html, page(), None)
    assert plain == html   # other pages keep everything


def test_the_output_size_table_gives_dumoulin_and_visins_outputs():
    # (i, k, p, s, d) -> o from the report's animations, as listed in FIELD-NOTES
    expected = {(4, 3, 0, 1, 1): 2, (5, 3, 1, 1, 1): 5, (5, 3, 2, 1, 1): 7, (5, 4, 2, 1, 1): 6,
                (5, 3, 0, 2, 1): 2, (5, 3, 1, 2, 1): 3, (6, 3, 1, 2, 1): 3, (7, 3, 0, 1, 2): 3}
    table = hooks.on_page_markdown("[[table output-size]]", page(), None, None)
    rows = [line for line in table.splitlines()[2:]]
    assert len(rows) == len(expected)
    for row in rows:
        cells = [c.strip(" *") for c in row.strip("|").split("|")]
        i, k, p, s, d, o = map(int, cells)
        assert expected[(i, k, p, s, d)] == o


def test_the_gallery_and_the_footer_give_the_manifests_exact_attribution():
    out = hooks.on_page_markdown("[[gallery]]", page("gallery/", "gallery.md"), None, None)
    assert f'<q class="cd-attribution">{html.escape(DATA["attribution"])}</q>' in out
    config = SimpleNamespace(config_file_path=str(ROOT / "mkdocs.yml"), copyright=None)
    hooks.on_config(config)
    assert html.escape(DATA["attribution"]) in config.copyright and "MIT" in config.copyright
