"""The tree shows the architecture, and these rules keep it that way.

Data flows one way: library operations -> figure pages -> renderer -> build -> files ->
site. The import graph is read from the source (imports inside functions count) with a
parser of its own, not the fingerprint's.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from convdocs.figures import catalogue

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PAGE_MODULES = {m.__name__ for m in catalogue.PAGES}
FIGURE_PACKAGE = "convdocs.figures"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted((SRC / "convdocs").rglob("*.py"))}


def edges(source: str, name: str, is_package: bool) -> set[str]:
    """Modules of convdocs that `source` imports, anywhere: ``from . import x`` is an edge
    to the module x when it is one, else to the package."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "convdocs"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            if base.split(".")[0] != "convdocs":
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in MODULES else base)
    found.discard(name)
    return found


def graph(sources: dict[str, str] | None = None) -> dict[str, set[str]]:
    sources = sources or {m: p.read_text() for m, p in MODULES.items()}
    return {m: edges(text, m, MODULES[m].name == "__init__.py") for m, text in sources.items()}


def reach(g: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for t in g.get(todo.pop(), ()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def violations(g: dict[str, set[str]]) -> list[str]:
    """Every broken rule, in words. Rules hold for everything a module reaches, not just
    for what it imports itself."""
    found = []
    forbidden_for_pages = {f"{FIGURE_PACKAGE}.{m}" for m in
                           ("render", "build", "cli", "catalogue", "fingerprint")}
    for m in sorted(g):
        reached = reach(g, m)
        in_figures = m == FIGURE_PACKAGE or m.startswith(FIGURE_PACKAGE + ".")
        if not in_figures and m != "convdocs.__main__":
            found += [f"the library module {m} imports the figure package ({t})"
                      for t in sorted(reached) if t.startswith(FIGURE_PACKAGE)]
        if m in PAGE_MODULES:
            found += [f"the page module {m} imports {t}" for t in sorted(reached)
                      if t in PAGE_MODULES or t in forbidden_for_pages]
        if m == f"{FIGURE_PACKAGE}.render":
            allowed = {f"{FIGURE_PACKAGE}.spec", f"{FIGURE_PACKAGE}.style", FIGURE_PACKAGE}
            found += [f"the renderer imports {t}; it may know only the spec and style"
                      for t in sorted(reached) if t.startswith("convdocs") and t not in allowed]
    found += [f"import cycle: {' -> '.join(c)}" for c in cycles(g)]
    return found


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each module that is on one (depth-first search)."""
    found, state = [], {}

    def visit(m, path):
        state[m] = "open"
        for t in sorted(g.get(m, ())):
            if state.get(t) == "open":
                found.append(path[path.index(t):] + [t])
            elif t not in state:
                visit(t, path + [t])
        state[m] = "done"
    for m in sorted(g):
        if m not in state:
            visit(m, [m])
    return found


def test_the_import_graph_keeps_the_rules():
    g = graph()
    assert f"{FIGURE_PACKAGE}.render" in g and PAGE_MODULES <= set(g)
    assert violations(g) == []


@pytest.mark.parametrize("module, line, broken", [
    ("convdocs.conv", "from .figures import style", "library module convdocs.conv imports"),
    ("convdocs.pool", "def f():\n    import convdocs.figures.render", "library module"),
    ("convdocs.figures.pooling", "from .channels import CHANNELS", "page module"),
    ("convdocs.figures.pooling", "def f():\n    from . import render", "page module"),
    ("convdocs.figures.render", "from .draw import Layout", "the renderer imports"),
    # indirect: a shared module that pages use reaches the renderer, the library a figure
    ("convdocs.figures.draw", "from . import render", "page module"),
    ("convdocs._validate", "def f():\n    from .figures import spec", "library module"),
    ("convdocs.figures.spec", "from . import catalogue", "import cycle"),
])
def test_the_rules_catch_a_forbidden_import(module, line, broken):
    """Each rule fails when someone adds a forbidden import (here, to a copy in memory)."""
    sources = {m: p.read_text() for m, p in MODULES.items()}
    sources[module] += "\n" + line + "\n"
    assert any(broken in v for v in violations(graph(sources)))


def test_importing_convdocs_imports_neither_matplotlib_nor_mkdocs():
    code = ("import sys, convdocs; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'mkdocs'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def nav_pages() -> list[str]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    found = []

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                walk(value)
            elif value.endswith(".md"):
                found.append(value[:-3])
    walk(config["nav"])
    return found


def test_pages_with_figures_follow_the_site_navigation():
    pages = [catalogue.page_name(m) for m in catalogue.PAGES]
    nav = nav_pages()
    assert set(pages) <= set(nav), f"pages not in the nav: {set(pages) - set(nav)}"
    assert pages == [p for p in nav if p in pages], "catalogue.PAGES is not in nav order"


REFERENCE = re.compile(r"^\[\[figure ([^\]]*)\]\]$", re.M)
FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def references(text: str) -> list[str]:
    """The figure references a page really makes: whole lines, outside code."""
    return [n.strip() for n in REFERENCE.findall(CODE_SPAN.sub("", FENCED.sub("", text)))]


def test_every_figure_is_referenced_exactly_once_on_its_own_page():
    seen: dict[str, list[str]] = {}
    for md in sorted((ROOT / "docs").glob("*.md")):
        for name in references(md.read_text()):
            seen.setdefault(name, []).append(md.stem)
    for name, spec in catalogue.FIGURES.items():
        assert seen.get(name) == [spec.page], \
            f"{name} belongs on {spec.page}.md and is referenced on {seen.get(name, [])}"
    assert set(seen) <= set(catalogue.FIGURES), f"unknown: {set(seen) - set(catalogue.FIGURES)}"


def test_a_reference_in_code_does_not_count():
    assert references("```\n[[figure grid]]\n```\nSee `[[figure grid]]`.\n") == []
    assert references("[[figure grid]]\n") == ["grid"]
