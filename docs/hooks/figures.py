"""MkDocs hooks: serve figures/ as they are, and turn figure references into markup.

This is site glue, outside the convdocs package: it reads ``figures/manifest.json``
and never imports the figure code. MkDocs assembles; ``convdocs build`` renders.

* Every file in figures/ is added to the site under ``figures/``; nothing is
  copied into docs/, so the site cannot drift from the committed figures.
* A line ``[[figure NAME]]`` becomes the figure's light and dark images with
  the manifest's alt text and caption. An unknown NAME fails the build.
* ``[[gallery]]`` becomes every figure with its caption, alt text and downloads.
* ``[[table NAME]]`` becomes a table the figure build computed (such as
  ``output-size``), from the manifest's ``tables``.
* Notebook pages lose the CDN scripts nbconvert adds (MathJax, Mermaid) and
  JupyterLab's inlined stylesheets; ``docs/assets/convdocs.css`` styles them.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

FIGURE = re.compile(r"^\[\[figure ([^\]]+)\]\]\s*$", re.M)
GALLERY = re.compile(r"^\[\[gallery\]\]\s*$", re.M)
TABLE = re.compile(r"^\[\[table ([^\]]+)\]\]\s*$", re.M)
SEP = " \u00b7 "
KIND_LABEL = {"png": "PNG", "svg": "SVG", "gif": "GIF", "frames": "frames (PNG)"}

_state: dict = {}


def _manifest(config) -> dict:
    figures = Path(config.config_file_path).parent / "figures"
    return json.loads((figures / "manifest.json").read_text())


def on_config(config):
    _state["figures_dir"] = Path(config.config_file_path).parent / "figures"
    manifest = _manifest(config)
    _state["manifest"] = {e["name"]: e for e in manifest["figures"]}
    _state["tables"] = manifest.get("tables", {})
    return config


def on_files(files, config):
    root = _state["figures_dir"].parent
    for path in sorted(_state["figures_dir"].iterdir()):
        if path.is_file() and not path.name.startswith("."):
            files.append(File(f"figures/{path.name}", str(root), config.site_dir,
                              config.use_directory_urls))
    return files


def _prefix(page) -> str:
    """The relative path from a page's URL back to the site root."""
    return "../" * page.url.count("/")


def _file(entry, theme, kinds):
    return next(f for f in entry["files"] if f["theme"] == theme and f["kind"] in kinds)


def figure_html(entry: dict, prefix: str, *, heading: bool = False) -> str:
    """Light and dark images of one figure, with its alt text and caption."""
    kinds = ("gif",) if entry["animated"] else ("png",)
    alt = html.escape(entry["alt"])
    imgs = []
    for theme in ("light", "dark"):
        f = _file(entry, theme, kinds)
        scale = 1 if f["kind"] == "gif" else 2   # PNGs are 2x: show them at page size
        imgs.append(f'<img src="{prefix}figures/{f["path"]}#only-{theme}" alt="{alt}" '
                    f'width="{f["width"] // scale}" height="{f["height"] // scale}" '
                    f'loading="lazy" decoding="async">')
    caption = html.escape(entry["caption"])
    link = f'<a href="{prefix}gallery/#{entry["name"]}">Downloads</a>'
    return (f'<figure class="cd-figure" id="fig-{entry["name"]}">\n' + "\n".join(imgs) +
            f'\n<figcaption>{caption} <span class="cd-more">{link}</span></figcaption>\n'
            "</figure>")


def _lookup(name: str, page) -> dict:
    entry = _state["manifest"].get(name.strip())
    if entry is None:
        raise PluginError(f"{page.file.src_uri}: [[figure {name}]] names no figure in "
                          f"figures/manifest.json (see `convdocs list`)")
    return entry


def gallery_markdown(prefix: str) -> str:
    parts = []
    for entry in _state["manifest"].values():
        rows = []
        for theme in ("light", "dark"):
            links = [f'<a class="cd-download" href="{prefix}figures/{f["path"]}" download>'
                     f'{KIND_LABEL[f["kind"]]}</a> <small>{f["width"]}\u00d7{f["height"]}, '
                     f'{f["bytes"] / 1000:.0f} kB</small>'
                     for f in entry["files"] if f["theme"] == theme]
            rows.append(f"<li><strong>{theme}</strong>: {SEP.join(links)}</li>")
        parts.append(
            f'## {html.escape(entry["title"])} {{ #{entry["name"]} }}\n\n'
            f'{figure_html(entry, prefix)}\n\n'
            f'<p class="cd-alt"><strong>Alt text:</strong> {html.escape(entry["alt"])}</p>\n'
            f'<ul class="cd-downloads">{"".join(rows)}</ul>\n'
            f'<p class="cd-name">Name: <code>{entry["name"]}</code>, on the '
            f'<a href="{prefix}{"" if entry["page"] == "index" else entry["page"] + "/"}">'
            f'{entry["page"].replace("-", " ")}</a> page.</p>\n')
    return "\n".join(parts)


def table_markdown(name: str, page) -> str:
    """A Markdown table the figure build computed; the last column is the result."""
    table = _state["tables"].get(name.strip())
    if table is None:
        raise PluginError(f"{page.file.src_uri}: [[table {name}]] names no table in "
                          f"figures/manifest.json")
    lines = ["| " + " | ".join(table["columns"]) + " |",
             "| " + " | ".join("---:" for _ in table["columns"]) + " |"]
    for row in table["rows"]:
        cells = [str(v) for v in row[:-1]] + [f"**{row[-1]}**"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def on_page_markdown(markdown, page, config, files):
    prefix = _prefix(page)
    markdown = FIGURE.sub(lambda m: figure_html(_lookup(m.group(1), page), prefix), markdown)
    markdown = TABLE.sub(lambda m: table_markdown(m.group(1), page), markdown)
    return GALLERY.sub(lambda m: gallery_markdown(prefix), markdown)


# -- notebook pages -----------------------------------------------------------------

# nbconvert's MathJax loader and its Mermaid module both load from CDNs; the notebook uses
# neither, so the whole script blocks go.
CDN_SCRIPT = re.compile(r"<script\b(?:(?!</script>).)*?(?:cdnjs|mathjax|mermaid)"
                        r"(?:(?!</script>).)*</script>|<script src=\"\">\s*</script>", re.S | re.I)
# nbconvert inlines JupyterLab's whole stylesheet (about 600 KB; 120 KB even when pruned to
# the classes in use), and restyling the page's 3,000 elements with it blocked the main
# thread for half a second on Lighthouse's phone. convdocs.css styles the few notebook
# classes the page uses instead, with Material's own code colours in both schemes.
JUPYTER_STYLE = re.compile(r'<style type="text/css">.*?</style>|<style>(?:(?!</style>).)*?'
                           r'(?:jp-|linenos)(?:(?!</style>).)*</style>', re.S)


def on_post_page(output, page, config):
    # Material fetches the repository's star count from GitHub's API at page load:
    # a third-party request, so the repository link stays but loses that component.
    output = output.replace(' class="md-source" data-md-component="source"', ' class="md-source"')
    # Material's search dialog has no accessible name.
    output = output.replace('data-md-component="search" role="dialog">',
                            'data-md-component="search" role="dialog" aria-label="Search">')
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    output = CDN_SCRIPT.sub("", output)
    nb_url = getattr(page, "nb_url", None)
    if nb_url:
        link = (f'<a href="{nb_url}" title="Download this notebook" class="md-button '
                f'cd-notebook-download" download>Download the notebook (.ipynb)</a>')
        output = output.replace('<article class="md-content__inner md-typeset">',
                                '<article class="md-content__inner md-typeset">' + link, 1)
    return JUPYTER_STYLE.sub("", output)
