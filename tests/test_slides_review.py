"""Review of `convdocs slides` / `convdocs deck` (issue 10): each test demonstrates one bug
found by the review. They fail on main as of 01438fb."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from convdocs.figures import build, slides, teaching

import teaching_standin

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"


def quiet(*args):
    pass


def test_an_empty_out_is_refused_and_nothing_goes_to_the_default_folder(tmp_path, monkeypatch):
    # `convdocs slides --out ''` silently writes into build/teaching/ (slides.py: `Path(out)
    # if out else default_out()`); `convdocs build --out ''` refuses with a clear message.
    default = tmp_path / "default"
    monkeypatch.setattr(slides, "default_out", lambda: default)
    with pytest.raises(build.BuildError, match="--out"):
        slides.build_slides(only=["journey"], out="", jobs=1, log=quiet)
    assert not default.exists()


@pytest.mark.parametrize("parts", [
    None,
    [{"files": ["light"]}],
    [{"files": {"light": {"png": "figures/x.png"}}}],
    [{"files": {"light": {"png": {"path": "figures/x.png"}}}}],
], ids=["parts-null", "files-list", "file-a-string", "file-without-bytes"])
def test_a_hand_edited_slide_list_gives_a_clear_error_or_is_replaced(tmp_path, parts):
    # Today: TypeError / AttributeError / KeyError tracebacks from slides.entry_files and
    # the removal loop of build_slides, after the figures were rendered.
    doc = {"format": 1, "figures": [{"name": "journey", "parts": parts}]}
    (tmp_path / "figures").mkdir()
    (tmp_path / slides.LIST).write_text(json.dumps(doc))
    try:
        assert slides.build_slides(only=["journey"], out=tmp_path, jobs=1, log=quiet) == 0
    except build.BuildError as exc:
        assert "slides.json" in str(exc)


def test_a_killed_runs_half_written_file_is_cleared_by_the_next_run(tmp_path):
    # `convdocs build` empties .convdocs-tmp/ under the lock (build.clear_temporaries);
    # `convdocs slides` never does, so a file half-written by a SIGKILLed run stays forever.
    tmp = tmp_path / "figures" / build.TMP
    tmp.mkdir(parents=True)
    (tmp / "journey.slide.light.png.abc123.tmp").write_bytes(b"half a png")
    assert slides.build_slides(only=["journey"], out=tmp_path, jobs=1, log=quiet) == 0
    assert not tmp.exists() or not any(tmp.iterdir())


@pytest.mark.slow
def test_a_killed_decks_half_written_file_is_cleared_by_the_next_run(tmp_path):
    # teaching.atomic_write puts its temporary file (.NAME.XXXX.tmp) in the kit folder
    # itself; a deck killed while writing leaves it there and no later run removes it.
    teaching_standin.make(tmp_path, ["journey"])
    stale = tmp_path / ".convdocs-light.pptx.ib8zphts.tmp"
    stale.write_bytes(b"half a deck")
    teaching.assemble(tmp_path, FIGURES, log=quiet)
    assert not stale.exists()


@pytest.mark.slow
def test_a_declared_parts_deck_slide_is_named_by_its_part(tmp_path):
    # The slide image says "Hand-picked and learned filters: the filters (1/3)", but the
    # deck's title placeholder (the outline, screen readers) says only "... (1 of 3)":
    # read_slides drops each part's "title" and deck_bytes rebuilds a generic one.
    from pptx import Presentation
    assert slides.build_slides(only=["decider-filters"], out=tmp_path, jobs=1,
                               log=quiet) == 0
    listed = json.loads((tmp_path / slides.LIST).read_text())
    wanted = [p["title"] for p in listed["figures"][0]["parts"]]
    manifest = teaching.read_manifest(FIGURES)
    data, _ = teaching.deck_bytes(teaching.read_slides(tmp_path), "light",
                                  manifest["themes"]["light"], manifest["attribution"],
                                  {}, "test")
    deck = Presentation(io.BytesIO(data))
    titles = [s.shapes.title.text for s in list(deck.slides)[1:]]
    for title, part_title in zip(titles, wanted):
        what = part_title.split(": ", 1)[1].rsplit(" (", 1)[0]     # "the filters"
        assert what in title, (title, part_title)
