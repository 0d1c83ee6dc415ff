"""The package as a whole: what it exports, its version, how its modules import each other."""

import ast
from pathlib import Path

import convdocs

PACKAGE_DIR = Path(convdocs.__file__).resolve().parent


def test_no_module_imports_another_modules_private_names():
    # A private module (_validate, _sizes) is the shared home of what several modules
    # use; a private *name* of a public module stays inside that module.
    offences = []
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level and node.module:
                offences += [f"{path.name}: from .{node.module} import {alias.name}"
                             for alias in node.names if alias.name.startswith("_")]
    assert offences == []
