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


def test_version_has_one_source():
    from importlib.metadata import version
    assert version("convdocs") == convdocs.__version__
    pyproject = (PACKAGE_DIR.parents[1] / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and "\nversion =" not in pyproject.split(
        "[tool.setuptools.dynamic]")[0]


def test_every_export_exists_once():
    assert len(convdocs.__all__) == len(set(convdocs.__all__))
    assert convdocs.__all__ == sorted(convdocs.__all__)
    for name in convdocs.__all__:
        assert getattr(convdocs, name) is not None
    # relu is one of the flat operations; convdocs.cnn exports its layers
    assert convdocs.relu is convdocs.cnn.relu
    assert "relu" not in convdocs.cnn.__all__


def test_names_the_docstrings_point_to_are_exported():
    # conv_transpose2d and its trace send the reader to plan_conv_transpose2d
    assert "plan_conv_transpose2d" in convdocs.conv_transpose2d.__doc__
    assert convdocs.plan_conv_transpose2d is convdocs.transpose.plan_conv_transpose2d


def test_private_helpers_are_not_public():
    from convdocs import arithmetic
    assert not hasattr(arithmetic, "transposed_span")
