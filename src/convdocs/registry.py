"""The figure registry: one entry per figure, and the fingerprint of what it depends on.

A figure is declared once, with :func:`figure`, next to the function that
draws it. The registry is the single source for the build, the manifest, the
site and the tests.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import sys
import textwrap
import types
from pathlib import Path
from dataclasses import dataclass
from functools import cache
from typing import Callable

PAGES = ("index", "images-are-numbers", "convolution", "what-filters-see", "pooling",
         "padding-and-stride", "transposed-convolution", "channels", "pooling-in-depth",
         "tiny-cnn")


@dataclass(frozen=True)
class FigureSpec:
    """One figure: what it is called, what it says, and how to draw it.

    `draw(fig, theme, step)` draws into a fresh Figure. For an animation,
    `frames()` gives how many steps there are, and the static version is step
    `key_step` (negative counts from the end). `caption` and `alt` may be
    callables, so that any number they quote is computed, not typed.
    `data()` returns the arrays the figure shows, which the tests compare
    exactly. An animation may also give `layers()`, an object with
    `static(fig, theme) -> ctx` and `moving(ctx, step)` (see
    :class:`convdocs.panels.Animation`) whose layers together draw what `draw`
    draws; the renderer then draws the static layer once per theme.
    """

    name: str
    title: str
    caption: str | Callable[[], str]
    alt: str | Callable[[], str]
    page: str
    draw: Callable
    data: Callable[[], dict] | None = None
    frames: Callable[[], int] | None = None
    key_step: int = 0
    strip_steps: tuple[int, ...] = ()
    frame_ms: int = 1500
    layers: Callable[[], object] | None = None

    @property
    def animated(self) -> bool:
        return self.frames is not None

    def resolve(self, attr: str) -> str:
        value = getattr(self, attr)
        return value() if callable(value) else value

    def key_index(self, n_frames: int) -> int:
        return self.key_step % n_frames


REGISTRY: dict[str, FigureSpec] = {}


def figure(name: str, **fields):
    """Decorator: register the decorated draw function as figure `name`."""
    def register(draw):
        if name in REGISTRY:
            raise ValueError(f"name {name!r} is registered twice")
        if fields.get("page") not in PAGES:
            raise ValueError(f"page must be one of {PAGES} (got {fields.get('page')!r})")
        REGISTRY[name] = FigureSpec(name=name, draw=draw, **fields)
        return draw
    return register


def load() -> dict[str, FigureSpec]:
    """Import every module that declares figures and return the registry."""
    from . import story  # noqa: F401  (registers the article's figures, in story order)
    from . import beyond  # noqa: F401  (then the figures beyond the article)
    return REGISTRY


# -- fingerprints --------------------------------------------------------------

def _package_module(name: str) -> bool:
    return name == "convdocs" or name.startswith("convdocs.")


def module_source(modname: str) -> str:
    """The source of a convdocs module, read from its file without importing it
    (a no-op build need not import the renderer)."""
    leaf = modname.split(".", 1)[1] if "." in modname else "__init__"
    return (Path(__file__).parent / f"{leaf.replace('.', '/')}.py").read_text()


@cache
def _module_deps(modname: str) -> frozenset[str]:
    """convdocs modules that `modname` imports, itself included, transitively."""
    tree = ast.parse(module_source(modname))
    found = {modname}
    package = modname.rsplit(".", 1)[0] if modname != "convdocs" else "convdocs"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package if node.level == 1 else package.rsplit(".", node.level - 1)[0]
            targets = [f"{base}.{node.module}"] if node.module else [
                f"{base}.{a.name}" for a in node.names]
            for target in targets:
                if target in ("convdocs.registry", "convdocs.story", "convdocs.beyond") \
                        or target == modname:
                    continue
                found |= _module_deps(target)
    return frozenset(found)


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _relative_base(modname: str, level: int) -> str:
    package = modname.rsplit(".", 1)[0] if modname != "convdocs" else "convdocs"
    return package if level == 1 else package.rsplit(".", level - 1)[0]


@cache
def _top_level(modname: str):
    """A module's top-level names: {name: (statement source, names it uses)}, and
    {name: convdocs module it was imported from} for ``from .x import name``."""
    source = module_source(modname)
    table, imported = {}, {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.level and node.module:
            origin = f"{_relative_base(modname, node.level)}.{node.module}"
            for alias in node.names:
                imported[alias.asname or alias.name] = origin
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.ClassDef)):
            targets = node.targets if isinstance(node, ast.Assign) else [
                getattr(node, "target", node)]
            used = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
            text = ast.get_source_segment(source, node)
            for t in targets:
                for leaf in (t.elts if isinstance(t, ast.Tuple) else [t]):
                    name = leaf.id if isinstance(leaf, ast.Name) else getattr(leaf, "name", None)
                    if name:
                        table[name] = (text, used)
    return table, imported


def _source_names(func, src) -> set[str]:
    """Every name a function's code refers to, default arguments included."""
    names = _code_names(func.__code__)
    try:
        tree = ast.parse(textwrap.dedent(src(func)))
    except SyntaxError:   # a lambda inside a larger statement: its code names suffice
        return names
    return names | {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _names_deps(home: types.ModuleType, names, seen: set, modules: set, src) -> list[str]:
    """Sources of the same-module functions and constants `names` refer to, recursively;
    convdocs modules they reach (imported modules, or the module a name was imported
    from) are added to `modules`."""
    parts = []
    table, imported = _top_level(home.__name__)
    for name in sorted(names):
        if (home.__name__, name) in seen:
            continue
        seen.add((home.__name__, name))
        target = home.__dict__.get(name)
        if isinstance(target, types.ModuleType):
            if _package_module(target.__name__):
                modules.add(target.__name__)
        elif inspect.isfunction(target) and target.__module__ == home.__name__:
            parts.append(src(target))
            parts += _names_deps(home, _source_names(target, src), seen, modules, src)
        elif name in table:
            text, used = table[name]
            parts.append(text)
            parts += _names_deps(home, used, seen, modules, src)
        elif name in imported and _package_module(imported[name]):
            modules.add(imported[name])    # constants too, such as PIXEL from panels
        elif getattr(target, "__module__", None) and _package_module(target.__module__):
            modules.add(target.__module__)
    return parts


def _function_deps(func, modules: set, src) -> list[str]:
    home = sys.modules[func.__module__]
    return [src(func)] + _names_deps(
        home, _source_names(func, src), {(home.__name__, func.__name__)}, modules, src)


class Sources:
    """inspect.getsource with a memory: one build reads each source (and the library
    versions) once, however many figures share it."""

    def __init__(self):
        self._memo = {}

    def __call__(self, obj) -> str:
        hit = self._memo.get(id(obj))
        if hit is None:   # the object is kept, so its id cannot be reused meanwhile
            hit = self._memo[id(obj)] = (obj, inspect.getsource(obj))
        return hit[1]

    def versions(self) -> dict[str, str]:
        if "versions" not in self._memo:
            self._memo["versions"] = (None, versions())
        return self._memo["versions"][1]


def versions() -> dict[str, str]:
    """Versions of everything that can change a figure's bytes."""
    from importlib.metadata import version
    return {p: version(p) for p in ("numpy", "matplotlib", "pillow", "pyoxipng")}


def fingerprint(spec: FigureSpec, sources: Sources | None = None) -> str:
    """A hash of everything the figure's files depend on.

    It covers the draw function and every helper of its module that it
    calls, the source of every convdocs module those reach (operations,
    kernels, images, drawing primitives, style, the renderer), and the
    versions of the pinned libraries. Editing one figure's code changes only
    that figure's fingerprint; editing a kernel changes the fingerprint of
    every figure that uses the kernels module.
    """
    src = sources or inspect.getsource
    modules: set[str] = {"convdocs.render", "convdocs.style", "convdocs.draw"}
    parts = []
    for func in (spec.draw, spec.data, spec.frames, spec.caption, spec.alt, spec.layers):
        if inspect.isfunction(func):
            parts += _function_deps(func, modules, src)
    parts.append(repr([getattr(spec, a) for a in ("title", "caption", "alt", "page", "key_step",
                                                   "strip_steps", "frame_ms")
                       if not callable(getattr(spec, a))]))
    closure = set()
    for m in modules:
        closure |= _module_deps(m)
    closure.discard(__name__)   # the decorator that registers a figure draws nothing
    for m in sorted(closure):
        parts.append(m + "\n" + module_source(m))
    parts.append(repr(sorted((sources.versions() if sources else versions()).items())))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
