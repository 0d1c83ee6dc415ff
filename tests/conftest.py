"""Test markers (registered in pyproject.toml): `slow` and `browser`.

``make test-fast`` runs ``pytest -m "not slow and not browser"``: the operations,
their errors and the site hooks, in seconds. ``make test`` runs everything.

test_site.py and test_notebook.py carry their marks themselves. Every test in
test_figures.py and test_build.py renders figures, so those two modules are
marked slow here, as a whole.
"""

import pytest

SLOW_MODULES = {"test_figures.py", "test_build.py"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
