"""Fingerprints: a hash of everything a figure's files depend on, read without importing.

A figure's files depend on the source of its page module, of every convdocs
module that module imports (directly or through others: the operations,
kernels, images, drawing primitives, the renderer's style), of the renderer
itself, and on the versions of the pinned libraries. The sources are read
from their files, so a build with nothing to do imports no renderer.

An import binds what it names: ``from . import draw`` depends on
``convdocs.figures.draw``, and ``from ..conv import conv2d`` on
``convdocs.conv``. The import graph is the same one that
``tests/test_architecture.py`` checks for forbidden edges and cycles.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from functools import cache
from importlib.metadata import version
from pathlib import Path

PACKAGE = "convdocs"
ROOT = Path(__file__).resolve().parents[1]          # src/convdocs
RENDERER = ("convdocs.figures.render", "convdocs.figures.spec", "convdocs.figures.style")
PINNED = ("numpy", "matplotlib", "pillow", "pyoxipng")


def module_path(modname: str) -> Path | None:
    """The file of a convdocs module, or None when there is no such module."""
    parts = modname.split(".")[1:]
    base = ROOT.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def module_source(modname: str) -> str:
    path = module_path(modname)
    if path is None:
        raise ValueError(f"module {modname!r} has no source file under {ROOT}")
    return path.read_text(encoding="utf-8")


def _statements(body):
    """Every statement in `body`, nested ones too (an import is always a statement, so
    this sees every import while skipping the expressions ast.walk would visit)."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _statements(inner)


def imports(modname: str, source: str | None = None) -> set[str]:
    """The convdocs modules `modname` imports, anywhere in its source (functions too)."""
    path = module_path(modname)
    tree = ast.parse(source if source is not None else module_source(modname))
    package = modname if path is not None and path.name == "__init__.py" \
        else modname.rsplit(".", 1)[0]
    found = set()
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names
                      if a.name == PACKAGE or a.name.startswith(PACKAGE + ".")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            if base != PACKAGE and not base.startswith(PACKAGE + "."):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if module_path(sub) is not None else base)
    found.discard(modname)
    return found


@cache
def _imports(modname: str) -> frozenset[str]:
    """`imports` of a module's file, parsed once per process."""
    return frozenset(imports(modname))


@cache
def closure(modname: str) -> frozenset[str]:
    """`modname` and every convdocs module it reaches through imports."""
    seen, todo = set(), [modname]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(_imports(m))
    return frozenset(seen)


@cache
def versions() -> tuple[tuple[str, str], ...]:
    """Versions of everything that can change a figure's bytes: the pins, and Python's
    minor version (an SVG's coordinates differ in the sixth decimal between 3.11 and 3.12)."""
    return (("python", "%d.%d" % sys.version_info[:2]),) + tuple((p, version(p)) for p in PINNED)


@cache
def _source(modname: str) -> str:
    return module_source(modname)


@cache
def _module_hash(modname: str) -> str:
    modules = set(closure(modname))
    for r in RENDERER:
        modules |= closure(r)
    h = hashlib.sha256()
    for m in sorted(modules):
        h.update(f"{m}\n{_source(m)}\n".encode())
    h.update(repr(versions()).encode())
    return h.hexdigest()


def fingerprint(spec_module: str, name: str) -> str:
    """The fingerprint of figure `name`, listed by the page module `spec_module`.

    Editing a page module changes the fingerprints of that page's figures;
    editing a shared module (a kernel, a drawing primitive, the renderer)
    changes those of every figure that reaches it.
    """
    return hashlib.sha256(f"{name}\n{_module_hash(spec_module)}".encode()).hexdigest()[:16]


def forget() -> None:
    """Drop what this process has read and hashed (for a long-lived process that edits
    sources, such as a test)."""
    for cached in (_imports, closure, _source, _module_hash):
        cached.cache_clear()
