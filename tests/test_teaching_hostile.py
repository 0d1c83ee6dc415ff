"""A hostile slides.json or teaching.json: no file from outside the kit's folder goes into
a deck or zip, and nothing from teaching.json reaches the page's Markdown unchecked."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from convdocs.figures import teaching

import teaching_standin

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
spec = importlib.util.spec_from_file_location("teaching_hook_h", ROOT / "docs" / "hooks" /
                                              "teaching.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kit")
    teaching_standin.make(out, ["journey"])
    teaching.assemble(out, FIGURES, log=lambda *a: None)
    return out


def _retarget(tmp_path, target) -> Path:
    """A copy of the stand-in's slides with journey's light PNG pointing at `target`."""
    kit = tmp_path / "kit"
    teaching_standin.make(kit, ["journey"])
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the zip")
    doc = json.loads((kit / "slides.json").read_text())
    f = doc["figures"][0]["parts"][0]["files"]["light"]["png"]
    f.update(path=target(kit, secret), sha256=hashlib.sha256(secret.read_bytes()).hexdigest())
    (kit / "slides.json").write_text(json.dumps(doc))
    return kit


@pytest.mark.parametrize("target", [lambda kit, s: "../secret.png",
                                    lambda kit, s: str(s),
                                    lambda kit, s: "figures/../../secret.png"])
def test_a_slide_path_outside_the_kit_is_refused(tmp_path, target):
    kit = _retarget(tmp_path, target)
    with pytest.raises(teaching.KitError, match="not a path inside"):
        teaching.assemble(kit, FIGURES, log=lambda *a: None)
    assert not list(kit.glob("*.zip"))


def test_a_symlinked_slide_file_is_refused(tmp_path):
    def link(kit, secret):
        (kit / "figures" / "link.png").symlink_to(secret)
        return "figures/link.png"
    kit = _retarget(tmp_path, link)
    with pytest.raises(teaching.KitError, match="not a regular file"):
        teaching.assemble(kit, FIGURES, log=lambda *a: None)


@pytest.mark.parametrize("field, value", [
    ("theme", 'light<img src=x onerror="alert(1)">'),
    ("slides", "6 <script>alert(1)</script>"),
    ("slides", True),
])
def test_teaching_json_cannot_put_markup_on_the_page(kit, tmp_path, field, value):
    from mkdocs.exceptions import PluginError
    for p in kit.iterdir():
        if p.is_file():
            shutil.copy(p, tmp_path / p.name)
    doc = json.loads((tmp_path / "teaching.json").read_text())
    doc["files"][0][field] = value
    (tmp_path / "teaching.json").write_text(json.dumps(doc))
    with pytest.raises(PluginError, match="bad theme or slide count"):
        hook.read_record(tmp_path)


def test_a_file_listed_twice_is_refused(kit, tmp_path):
    from mkdocs.exceptions import PluginError
    for p in kit.iterdir():
        if p.is_file():
            shutil.copy(p, tmp_path / p.name)
    doc = json.loads((tmp_path / "teaching.json").read_text())
    doc["files"].append(doc["files"][0])
    (tmp_path / "teaching.json").write_text(json.dumps(doc))
    with pytest.raises(PluginError, match="listed twice"):
        hook.read_record(tmp_path)
