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
        if f.get("layout", "page") != "page":  # a page offers its page files; the gallery all
            assert f'href="../figures/{f["path"]}" download' not in out
        elif f["kind"] not in ("thumb", "player"):
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


# -- phone files and the lightbox ----------------------------------------------------

def _page_only(name: str) -> dict:
    """A copy of a figure's entry with its page files only, as before phone layouts."""
    entry = json.loads(json.dumps(MANIFEST[name]))
    entry["files"] = [f for f in entry["files"] if f.get("layout", "page") == "page"]
    entry.pop("player_phone", None)
    return entry


def _with_phone(name: str) -> dict:
    """A copy of a figure's entry with made-up phone files beside its page files, named and
    marked as the figure build writes them (NAME.phone.THEME.ext, "layout": "phone"), each
    half its page file's size, so that the test knows every number."""
    entry = _page_only(name)
    phone = []
    for f in entry["files"]:
        if f["kind"] in ("png", "gif", "player"):
            stem, theme, rest = f["path"].split(".", 2)
            phone.append(dict(f, path=f"{stem}.phone.{theme}.{rest}", layout="phone",
                              width=f["width"] // 2, height=f["height"] // 2))
    entry["files"] += phone
    if entry.get("player"):
        entry["player_phone"] = {t: dict(layout, width=layout["width"] // 2,
                                         height=layout["height"] // 2,
                                         frames=["" for _ in layout["frames"]])
                                 for t, layout in entry["player"].items()}
    return entry


def test_a_figure_with_phone_files_offers_them_to_narrow_screens_only():
    MANIFEST_COPY = dict(MANIFEST, **{"grid-outline": _with_phone("grid-outline")})
    hooks._state["manifest"] = MANIFEST_COPY
    out = hooks.on_page_markdown("[[figure grid-outline]]", page(), None, None)
    page_png = next(f for f in MANIFEST["grid-outline"]["files"]
                    if f["kind"] == "png" and f["theme"] == "light")
    for theme in ("light", "dark"):
        # the phone file by the media query, with its own size; the page file otherwise
        assert (f'<picture><source media="{hooks.PHONE_MEDIA}" srcset="../figures/'
                f'grid-outline.phone.{theme}.png#only-{theme}" width="{page_png["width"] // 4}" '
                f'height="{page_png["height"] // 4}"><img class="cd-nozoom" '
                f'src="../figures/grid-outline.{theme}.png#only-{theme}"') in out
        # the lightbox opens the page-size PNG, with the caption
        assert (f'<a class="glightbox cd-zoom cd-{theme}-only" href="../figures/'
                f'grid-outline.{theme}.png" data-type="image"') in out
    assert out.count('data-description="' + html.escape(html.escape(
        MANIFEST["grid-outline"]["caption"]))) == 2
    # the caption offers the page files only; the gallery offers the phone ones too
    assert "grid-outline.phone.light.png\" download" not in out
    gallery = hooks.on_page_markdown("[[gallery]]", page("gallery/", "gallery.md"), None, None)
    assert 'href="../figures/grid-outline.phone.light.png" download>PNG (phone)</a>' in gallery


def test_a_figure_without_phone_files_shows_its_page_files_everywhere():
    hooks._state["manifest"] = dict(MANIFEST, **{"grid-outline": _page_only("grid-outline")})
    out = hooks.on_page_markdown("[[figure grid-outline]]", page(), None, None)
    assert "<source" not in out and out.count("<picture><img") == 2


def test_an_animation_with_a_phone_layout_gives_the_player_both_and_the_query():
    hooks._state["manifest"] = dict(MANIFEST, **{"stride-odd": _with_phone("stride-odd")})
    out = hooks.on_page_markdown("[[figure stride-odd]]", page(), None, None)
    raw = out.split('data-cd-player="', 1)[1].split('"', 1)[0]
    data = json.loads(html.unescape(raw))
    assert data["media"] == hooks.PHONE_MEDIA
    assert data["phone"]["width"] == data["width"] // 2
    assert data["phone"]["themes"]["dark"]["src"] == "../figures/stride-odd.phone.dark.player.webp"
    w, h, pw, ph = data["width"], data["height"], data["phone"]["width"], data["phone"]["height"]
    assert (f'style="--cd-w:{w // 2}px;--cd-ar:{w}/{h};--cd-phone-w:{pw // 2}px;'
            f'--cd-phone-ar:{pw}/{ph}"') in out
    assert 'srcset="../figures/stride-odd.phone.light.gif#only-light"' in out


def test_a_bad_phone_player_layout_fails_the_build():
    entry = _with_phone("stride-odd")
    entry["player_phone"]["light"]["frames"][0] = "0,0,99999,1,0,0"
    hooks._state["manifest"] = dict(MANIFEST, **{"stride-odd": entry})
    with pytest.raises(PluginError, match="outside the frame or the atlas"):
        hooks.on_page_markdown("[[figure stride-odd]]", page(), None, None)
    entry = _with_phone("stride-odd")
    entry["files"] = [f for f in entry["files"]
                      if not (f["kind"] == "player" and f.get("layout") == "phone")]
    hooks._state["manifest"] = dict(MANIFEST, **{"stride-odd": entry})
    with pytest.raises(PluginError, match="no light player file for phone"):
        hooks.on_page_markdown("[[figure stride-odd]]", page(), None, None)


@pytest.mark.parametrize("css", ["docs/assets/convdocs.css", "docs/assets/player/player.css"])
def test_the_stylesheets_switch_layouts_at_the_hooks_query(css):
    assert f"@media screen and {hooks.PHONE_MEDIA}" in (ROOT / css).read_text() or \
        f"@media {hooks.PHONE_MEDIA}" in (ROOT / css).read_text()


def test_notebook_images_become_files_beside_the_page(tmp_path):
    import base64
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (7, 3), "white").save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode()
    html_in = (f'<a class="glightbox" href="data:image/png;base64,{data}#only-dark">'
               f'<img alt="x" src="data:image/png;base64,{data}#only-dark"></a>'
               '<style type="text/css">.jp-x{background:url(data:image/png;base64,AAAA)}</style>')
    config = SimpleNamespace(site_dir=str(tmp_path))
    out = hooks.on_post_page(html_in, page("notebook/", "notebook.ipynb"), config)
    files = list((tmp_path / "notebook").iterdir())
    assert len(files) == 1 and files[0].read_bytes() == buffer.getvalue()   # written once
    name = files[0].name
    assert "base64" not in out
    assert f'href="{name}#only-dark"' in out
    assert (f'<img alt="x" width="7" height="3" loading="lazy" decoding="async" '
            f'src="{name}#only-dark">') in out
    # the link hides with its picture in the light scheme, not left as an empty link
    assert f'<a class="glightbox cd-dark-only" href="{name}#only-dark">' in out
    hidden = "[data-md-color-scheme=\"default\"] .md-typeset .cd-dark-only"
    assert hidden in (ROOT / "docs/assets/convdocs.css").read_text()
