"""Run anywhere: the package builds into a wheel and an sdist that PyPI accepts, and a
downloaded copy of the notebook runs in an empty folder of a fresh environment that has
only the documented install step (here the local wheel, as `pip install convdocs` will be)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow     # builds packages and virtual environments: minutes


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    return out


def test_the_wheel_and_sdist_pass_twine_check(dist):
    files = sorted(p.name for p in dist.iterdir())
    assert any(n.endswith(".whl") for n in files) and any(n.endswith(".tar.gz") for n in files)
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                            *map(str, dist.iterdir())], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_wheel_holds_the_package_and_nothing_else(dist):
    wheel = next(dist.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "convdocs/__init__.py" in names and "convdocs/figures/render.py" in names
    assert not [n for n in names if n.startswith(("tests/", "docs/", "figures/"))]
    sdist = next(dist.glob("*.tar.gz"))
    with tarfile.open(sdist) as tar:
        members = tar.getnames()
    assert any(m.endswith("src/convdocs/conv.py") for m in members)


def test_a_downloaded_notebook_runs_with_only_the_documented_install(dist, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check"]
    wheel = next(dist.glob("*.whl"))
    subprocess.run(pip + [str(wheel)], check=True)            # the documented install step
    subprocess.run(pip + ["nbclient", "ipykernel"], check=True)   # what runs a notebook
    folder = tmp_path / "empty"
    folder.mkdir()
    notebook = folder / "notebook.ipynb"
    shutil.copy(ROOT / "docs" / "notebook.ipynb", notebook)   # as the site's download does
    run = subprocess.run([str(venv / "bin" / "jupyter-execute"), "--inplace", notebook.name],
                         cwd=folder, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    nb = json.loads(notebook.read_text())
    errors = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert [p.name for p in folder.iterdir()] == ["notebook.ipynb"]   # it wrote nothing else


def test_the_release_workflow_builds_checks_and_publishes_by_trusted_publishing():
    workflow = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())
    jobs = workflow["jobs"]
    steps = " ".join(str(s) for s in jobs["dist"]["steps"])
    assert "python -m build" in steps and "twine check --strict" in steps
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert any("pypa/gh-action-pypi-publish" in s.get("uses", "") for s in publish["steps"])
    assert "password" not in json.dumps(publish)        # no token: trusted publishing
