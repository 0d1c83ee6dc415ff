"""The notebook runs top to bottom in a fresh kernel; a failing cell fails this test."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

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
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
