"""`convdocs slides` (convdocs.figures.slides): the refusals, the slide list as evidence, the
temporaries of a killed run, and how a run stops. Each test renders one small figure
(`journey`) into its own folder."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from convdocs.figures import build, cli, slides


def quiet(*args):
    pass


def _run(out: Path, log=quiet) -> int:
    return slides.build_slides(only=["journey"], out=out, jobs=1, log=log)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """journey's slides and their list, as a run writes them (copy before changing)."""
    out = tmp_path_factory.mktemp("slides")
    assert _run(out) == 0
    return out


def _copy(src: Path, dst: Path) -> Path:
    for path in src.rglob("*"):
        if path.is_file() and path.name != build.LOCK:
            (dst / path.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
            (dst / path.relative_to(src)).write_bytes(path.read_bytes())
    return dst


# -- --out -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["empty", "blank", "dangling-symlink", "a-file"])
def test_a_bad_out_is_refused_naming_out_and_nothing_is_written(tmp_path, monkeypatch, kind):
    # `convdocs slides --out ''` used to write into build/teaching/ (`Path(out) if out else
    # default_out()`); `convdocs build --out ''` refuses, and so must slides.
    default = tmp_path / "default"
    monkeypatch.setattr(slides, "default_out", lambda: default)
    out = {"empty": "", "blank": "  "}.get(kind, tmp_path / "out")
    if kind == "dangling-symlink":
        out.symlink_to(tmp_path / "nowhere")
    elif kind == "a-file":
        out.write_text("mine")
    with pytest.raises(build.BuildError, match="--out") as err:
        _run(out)
    assert repr(str(out)) in str(err.value) if kind in ("empty", "blank") else \
        str(out) in str(err.value)
    assert not default.exists() and not (tmp_path / "nowhere").exists()
    assert kind != "a-file" or out.read_text() == "mine"


def test_the_cli_says_what_is_wrong_with_out(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(slides, "default_out", lambda: tmp_path / "default")
    assert cli.main(["slides", "--only", "journey", "--out", ""]) == 1
    err = capsys.readouterr().err
    assert "--out is empty ('')" in err and "Traceback" not in err
    assert not (tmp_path / "default").exists()


# -- slides.json is evidence, not truth ----------------------------------------------------

JOURNEY_PNG = "figures/journey.slide.light.png"


def _edit_part(parts):
    return lambda e: e.update(parts=parts)


def _edit_file(**change):
    return lambda e: e["parts"][0]["files"]["light"]["png"].update(change)


@pytest.mark.parametrize("edit", [
    _edit_part(None),
    _edit_part([]),
    _edit_part([{"files": ["light"]}]),
    _edit_part([{"files": {"light": {"png": "figures/x.png"}}}]),
    _edit_part([{"files": {"light": {"png": {"path": "figures/x.png"}}}}]),
    lambda e: e["parts"][0].pop("title"),
    lambda e: e["parts"][0].update(index=2),
    lambda e: e.update(animated="no"),
    lambda e: e.pop("fingerprint"),
    lambda e: e["parts"][0]["files"].pop("dark"),
    lambda e: e["parts"][0]["files"]["light"].update(mp4=e["parts"][0]["files"]["light"]["png"]),
    _edit_file(bytes="12"),
    _edit_file(bytes=True),
    _edit_file(bytes=-1),
    _edit_file(sha256=None),
    _edit_file(sha256="F" * 64),
    _edit_file(path="figures/../journey.slide.light.png"),
    _edit_file(path="figures/journey.slide.dark.png"),
    lambda e: e.update(name="Journey"),
], ids=["parts-null", "parts-empty", "files-list", "file-a-string", "file-without-bytes",
        "part-without-title", "part-index", "animated-a-string", "no-fingerprint", "a-theme-missing",
        "an-unknown-kind", "bytes-a-string", "bytes-a-bool", "bytes-negative", "sha256-null",
        "sha256-upper-case", "path-dot-dot", "path-of-another-file", "name-not-a-figure-name"])
def test_a_hand_edited_entry_is_stale_and_rendered_again(rendered, tmp_path, edit):
    # These used to end in TypeError / AttributeError / KeyError tracebacks.
    out = _copy(rendered, tmp_path)
    doc = json.loads((out / slides.LIST).read_text())
    edit(doc["figures"][0])
    (out / slides.LIST).write_text(json.dumps(doc))
    assert slides.read_list(out) == {}
    said = []
    assert _run(out, said.append) == 0
    assert any(s.startswith("rendered   journey") for s in said), said
    assert (out / slides.LIST).read_bytes() == (rendered / slides.LIST).read_bytes()
    assert sorted(p.name for p in (out / slides.FOLDER).iterdir()) == \
        sorted(p.name for p in (rendered / slides.FOLDER).iterdir())


def test_what_a_run_writes_is_well_formed_and_current(rendered, tmp_path):
    out = _copy(rendered, tmp_path)
    assert set(slides.read_list(out)) == {"journey"}
    said = []
    assert _run(out, said.append) == 0
    assert said[0] == "unchanged  journey"


def test_a_figure_listed_twice_is_trusted_in_neither_entry(rendered, tmp_path):
    out = _copy(rendered, tmp_path)
    doc = json.loads((out / slides.LIST).read_text())
    doc["figures"] *= 2
    (out / slides.LIST).write_text(json.dumps(doc))
    assert slides.read_list(out) == {}


@pytest.mark.parametrize("text", ["[]", '{"figures": 3}', "not json", '{"format": 1}'])
def test_a_list_that_is_no_slide_list_is_refused_by_name(tmp_path, text):
    (tmp_path / slides.LIST).write_text(text)
    with pytest.raises(build.BuildError, match=r"slides\.json is not a convdocs slide list"):
        _run(tmp_path)
    assert (tmp_path / slides.LIST).read_text() == text


def test_a_malformed_entry_never_deletes_a_file(rendered, tmp_path):
    # A figure that left the table has its listed files removed, if they are still as
    # written; an entry that is not well formed is no evidence of having written anything:
    # here it lists a teacher's own file, with its true size and hash.
    out = _copy(rendered, tmp_path)
    mine = out / "figures" / "mine.png"
    mine.write_bytes(b"a teacher's own picture")
    doc = json.loads((out / slides.LIST).read_text())
    gone = json.loads(json.dumps(doc["figures"][0]))
    gone["name"] = "gone"
    gone["parts"][0]["files"]["light"]["png"] = {
        "path": "figures/mine.png", "bytes": mine.stat().st_size,
        "sha256": build.sha256(mine.read_bytes())}
    doc["figures"].append(gone)
    (out / slides.LIST).write_text(json.dumps(doc))
    assert _run(out) == 0
    assert mine.read_bytes() == b"a teacher's own picture"


def test_the_files_of_a_figure_that_left_the_table_are_removed_if_still_as_written(
        rendered, tmp_path):
    out = _copy(rendered, tmp_path)
    doc = json.loads((out / slides.LIST).read_text())
    gone = json.loads(json.dumps(doc["figures"][0]).replace("journey", "gone"))
    for part in gone["parts"]:
        for kinds in part["files"].values():
            for f in kinds.values():
                (out / f["path"]).write_bytes((out / f["path"].replace("gone", "journey"))
                                              .read_bytes())
    doc["figures"].append(gone)
    (out / slides.LIST).write_text(json.dumps(doc))
    edited = out / "figures" / "gone.slide.dark.png"
    edited.write_bytes(b"edited by hand")
    said = []
    assert _run(out, said.append) == 0
    assert not list((out / "figures").glob("gone.slide.light.*"))
    assert edited.read_bytes() == b"edited by hand"       # not as written: kept
    assert "removed    figures/gone.slide.light.png" in said
    assert (out / slides.LIST).read_bytes() == (rendered / slides.LIST).read_bytes()


# -- a killed run's temporaries, and stopping -----------------------------------------------

def test_a_killed_runs_half_written_files_are_cleared_by_the_next_run(tmp_path):
    # `convdocs build` empties .convdocs-tmp/ under the lock (build.clear_temporaries);
    # `convdocs slides` did not, so a file half-written by a SIGKILLed run stayed forever.
    # Slide files go through figures/.convdocs-tmp/, slides.json through .convdocs-tmp/.
    folders = [tmp_path / "figures" / build.TMP, tmp_path / build.TMP]
    for tmp in folders:
        tmp.mkdir(parents=True)
        (tmp / "journey.slide.light.png.abc123.tmp").write_bytes(b"half a png")
    mine = tmp_path / "figures" / ".mine.tmp"
    mine.write_bytes(b"not the step's")
    assert _run(tmp_path) == 0
    assert not any(tmp.exists() for tmp in folders)
    assert mine.read_bytes() == b"not the step's"


def test_a_temporary_folder_that_is_a_symlink_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep").write_text("mine")
    (tmp_path / build.TMP).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(build.BuildError, match=r"\.convdocs-tmp is not the build's folder"):
        _run(tmp_path)
    assert (tmp_path / "elsewhere" / "keep").read_text() == "mine"


def test_another_run_in_the_same_folder_is_refused(tmp_path):
    with build.locked(tmp_path), pytest.raises(build.BuildError,
                                               match="another convdocs build is writing"):
        _run(tmp_path)
    assert not (tmp_path / slides.LIST).exists()


def _die(name, data):
    os._exit(9)      # a worker killed (by the OOM killer, say) mid-figure


def test_a_worker_that_dies_is_a_clear_error_not_a_broken_pool(tmp_path):
    with pytest.raises(build.BuildError, match="a worker process died .* run `convdocs "
                                               "slides` again"):
        list(build._run([("journey", None), ("grid", None)], 2, work=_die,
                        again="run `convdocs slides` again"))


@pytest.fixture
def unhandled():
    """Which signals reached the handler in place before the run: a run that installs no
    handler of its own fails the test (rather than ending pytest)."""
    reached = []
    previous = {s: signal.signal(s, lambda signum, frame: reached.append(signum))
                for s in (signal.SIGTERM, signal.SIGHUP)}
    yield reached
    for s, handler in previous.items():
        signal.signal(s, handler)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_slides_like_ctrl_c(tmp_path, monkeypatch, capsys, unhandled,
                                                    signum):
    def killed(name, data=None):
        signal.raise_signal(signum)
        raise AssertionError("the signal did not stop the run")

    monkeypatch.setattr(slides, "slide_entry", killed)
    before = signal.getsignal(signum)
    assert cli.main(["slides", "--only", "journey", "--jobs", "1", "--out",
                     str(tmp_path)]) == 128 + signum
    err = capsys.readouterr().err
    assert "interrupted; every file in the output folder is complete" in err
    assert "Traceback" not in err
    assert unhandled == [] and signal.getsignal(signum) is before     # handler restored
    assert not (tmp_path / slides.LIST).exists()
