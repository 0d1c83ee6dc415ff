"""The notebook runs top to bottom in a fresh kernel; a failing cell fails this test."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebook.ipynb"


def test_notebook_runs_in_a_fresh_kernel(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "sum 2.0" in text              # the centre stop of the worked example
    assert "[[19., 25.]," in "".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    figures = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})
               and "data:image/png;base64," in o["data"]["text/html"]]
    assert len(figures) == 2     # each in light and dark, for the site's two colour schemes
    assert all("#only-light" in f and "#only-dark" in f for f in figures)
    # beyond the article: facts worked out by hand in tests/test_cnn.py and the D&V table
    assert "[(1, 1), (3, 1), (4, 2), (8, 2), (10, 4)]" in text
    assert "equal to the sum of the three: True" in text
    assert "i=6 k=3 p=1 s=2 d=1 -> o=3" in text and "i=7 k=3 p=0 s=1 d=2 -> o=3" in text
    assert "stride 2 on 6x6: rows read [0, 1, 2, 3, 4] of 0-5" in text   # the skipped row
