"""The build: incremental, atomic, deterministic, and honest about failures."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from convdocs.figures import build, catalogue, cli, fingerprint
from convdocs.figures.spec import FigureSpec

pytestmark = pytest.mark.slow   # renders figures

FIGURES = Path(__file__).resolve().parents[1] / "figures"
SMALL = ["grid", "input-and-filter"]   # two quick figures


def run(out, **kw):
    lines = []
    failed = build.build(out=out, jobs=1, log=lines.append, **kw)
    return failed, "\n".join(lines)


def manifest(out):
    return {e["name"]: e for e in json.loads((out / build.MANIFEST).read_text())["figures"]}


def assert_consistent(out):
    """Every file the manifest names exists with the recorded hash; no temp files remain."""
    for entry in manifest(out).values():
        for f in entry["files"]:
            assert build.sha256((out / f["path"]).read_bytes()) == f["sha256"], f["path"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert not (out / build.TMP).exists() or not list((out / build.TMP).iterdir())


def test_two_builds_in_other_processes_give_the_committed_bytes(tmp_path):
    out = tmp_path / "figures"
    subprocess.run([sys.executable, "-m", "convdocs", "build", "--out", str(out), "--jobs", "2",
                    "--only", *SMALL], check=True, capture_output=True)
    for name in SMALL:
        for f in manifest(out)[name]["files"]:
            assert (out / f["path"]).read_bytes() == (FIGURES / f["path"]).read_bytes(), f["path"]


def test_rebuild_with_nothing_changed_renders_nothing(tmp_path):
    failed, log = run(tmp_path, only=SMALL)
    assert failed == 0 and log.count("rendered   ") == 2
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    failed, log = run(tmp_path, only=SMALL)
    assert "rendered   " not in log and log.count("unchanged  ") == 2
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def test_a_changed_or_damaged_figure_alone_is_rendered_again(tmp_path):
    run(tmp_path, only=SMALL)
    (tmp_path / "grid.light.png").write_bytes(b"damaged")
    failed, log = run(tmp_path, only=SMALL)
    assert "rendered   grid " in log and "unchanged  input-and-filter" in log
    assert_consistent(tmp_path)


def fingerprints_after(monkeypatch, module, old, new):
    """Every figure's fingerprint with `old` replaced by `new` in `module`'s source."""
    real = fingerprint.module_source

    def edited(modname):
        text = real(modname)
        if modname == module:
            assert old in text, f"{old!r} is not in {module}"
            text = text.replace(old, new)
        return text
    fingerprint.forget()
    monkeypatch.setattr(fingerprint, "module_source", edited)
    try:
        return {n: build.figure_fingerprint(s) for n, s in catalogue.FIGURES.items()}
    finally:
        fingerprint.forget()


BEFORE = {n: build.figure_fingerprint(s) for n, s in catalogue.FIGURES.items()}


def changed(after):
    return {n for n in BEFORE if BEFORE[n] != after[n]}


def test_editing_a_page_module_changes_the_fingerprints_of_that_pages_figures_only(
        monkeypatch):
    after = fingerprints_after(monkeypatch, "convdocs.figures.pooling", "1300", "1301")
    assert changed(after) == {n for n, s in catalogue.FIGURES.items() if s.page == "pooling"}


def test_editing_a_kernel_changes_the_fingerprints_of_figures_that_reach_it(monkeypatch):
    after = fingerprints_after(monkeypatch, "convdocs.kernels", "[-1, 8, -1]", "[-1, 9, -1]")
    assert {"grid-outline", "grid-vertical-edges", "convolution", "tiny-cnn"} <= changed(after)


def test_editing_a_shared_constant_or_the_renderer_changes_every_figure_that_uses_it(
        monkeypatch):
    after = fingerprints_after(monkeypatch, "convdocs.figures.panels", "PIXEL = 0.1 ",
                               "PIXEL = 0.11 ")
    assert "grid" in changed(after)
    after = fingerprints_after(monkeypatch, "convdocs.figures.render", "HOLD = 2.5",
                               "HOLD = 2.6")
    assert changed(after) == set(BEFORE)


def test_the_build_needs_no_renderer_to_know_that_nothing_changed():
    code = ("import sys; from convdocs.figures import build, catalogue; "
            "[build.figure_fingerprint(s) for s in catalogue.FIGURES.values()]; "
            "print('convdocs.figures.render' in sys.modules, 'oxipng' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_a_failing_figure_is_named_and_the_others_still_build(tmp_path, monkeypatch):
    def broken(fig, theme, data):
        raise RuntimeError("boom")
    bad = FigureSpec(name="broken", title="t", caption="c", alt="a", compute=dict, draw=broken,
                     page="index")
    monkeypatch.setitem(catalogue.FIGURES, "broken", bad)
    failed, log = run(tmp_path, only=["grid", "broken"])
    assert failed == 1
    assert "FAILED     broken" in log and "RuntimeError: boom" in log
    assert set(manifest(tmp_path)) == {"grid"}
    assert_consistent(tmp_path)
    assert cli.main(["build", "--out", str(tmp_path), "--jobs", "1", "--only", "broken"]) == 1


def test_an_interrupted_build_leaves_old_or_new_files_and_a_true_manifest(tmp_path, monkeypatch):
    run(tmp_path, only=SMALL)
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    real = build.render_entry
    calls = []

    def interrupt_second(name, data=None):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(name, data)
    monkeypatch.setattr(build, "render_entry", interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, only=SMALL, force=True)
    assert_consistent(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} - {build.TMP, build.CACHE} == set(old)
    assert not list((tmp_path / build.TMP).iterdir())    # nothing half-written left behind


def test_atomic_write_leaves_nothing_behind_when_writing_fails(tmp_path):
    target = tmp_path / "x.png"
    target.write_bytes(b"old")

    with pytest.raises(TypeError):
        build.atomic_write(target, object())  # not bytes: the write fails
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name != build.TMP] == ["x.png"]
    assert not list((tmp_path / build.TMP).iterdir())


def test_cli_lists_figures_and_rejects_unknown_names(capsys):
    assert cli.main(["list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in catalogue.FIGURES)
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--only", "no-such-figure"])
    assert exc.value.code == 2
    assert "no-such-figure" in capsys.readouterr().err


def test_a_resealed_edit_of_a_files_width_or_height_is_rendered_again(tmp_path):
    run(tmp_path, only=SMALL)
    doc = json.loads((tmp_path / build.MANIFEST).read_text())
    entry = next(e for e in doc["figures"] if e["name"] == "grid")
    png = next(f for f in entry["files"] if f["kind"] == "png")
    png["width"], png["height"] = 100, 5000        # the page's <img> would say so
    entry["record"] = build.seal(entry)
    (tmp_path / build.MANIFEST).write_text(json.dumps(doc))
    failed, log = run(tmp_path, only=SMALL)
    assert failed == 0 and "rendered   grid" in log and "unchanged  input-and-filter" in log
    assert manifest(tmp_path)["grid"] == manifest(FIGURES)["grid"]


def _edits():
    """Hand edits of an animation's player layouts, each resealed: the page would get
    boxes outside the atlas, a frame without boxes or a key frame that is not there."""
    def frame_dropped(e):
        e["player"]["light"]["frames"].pop()

    def duration_dropped(e):
        e["player_phone"]["dark"]["ms"].pop()

    def box_outside_the_atlas(e):
        atlas = next(f for f in e["files"] if f["kind"] == "player" and f["layout"] == "page"
                     and f["theme"] == "light")
        e["player"]["light"]["frames"][1] = f"0,0,16,16,{atlas['width']},0"

    def key_past_the_end(e):
        e["player"]["dark"]["key"] = len(e["player"]["dark"]["ms"])

    def not_boxes(e):
        e["player_phone"]["light"]["frames"][0] = "0,0,16"

    def frame_wider_than_the_atlas(e):
        e["player"]["dark"]["width"] = 10 ** 6

    def theme_missing(e):
        del e["player_phone"]["dark"]

    def stray_key(e):
        e["player"]["light"]["extra"] = 1

    return [frame_dropped, duration_dropped, box_outside_the_atlas, key_past_the_end,
            not_boxes, frame_wider_than_the_atlas, theme_missing, stray_key]


@pytest.mark.parametrize("edit", _edits(), ids=lambda f: f.__name__)
def test_a_resealed_edit_of_a_player_layout_is_not_well_formed(edit):
    entry = json.loads(json.dumps(manifest(FIGURES)["convolution"]))
    assert build.well_formed(entry)
    edit(entry)
    entry["record"] = build.seal(entry)
    assert not build.well_formed(entry)


@pytest.mark.slow
def test_a_resealed_edit_of_a_player_layout_is_rendered_again(tmp_path):
    run(tmp_path, only=["max-pooling"])
    doc = json.loads((tmp_path / build.MANIFEST).read_text())
    entry = next(e for e in doc["figures"] if e["name"] == "max-pooling")
    entry["player"]["light"]["frames"].pop()
    entry["record"] = build.seal(entry)
    (tmp_path / build.MANIFEST).write_text(json.dumps(doc))
    failed, log = run(tmp_path, only=["max-pooling"])
    assert failed == 0 and "rendered   max-pooling" in log
    assert manifest(tmp_path)["max-pooling"] == manifest(FIGURES)["max-pooling"]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
@pytest.mark.parametrize("setting", [False, True])
def test_a_worker_reuses_the_memory_it_frees(setting):
    # Three 8 MB images made and freed, 20 times over, as frames are. By default glibc
    # hands the freed memory back and each round faults in fresh pages (about 6,000);
    # with the workers' setting the memory is reused. Counted in a fresh interpreter.
    code = f"""if True:
        import resource, numpy as np
        from convdocs.figures import build
        def faults():
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for _ in range(20):
                images = [np.ones((1080, 1920, 4), np.uint8) for _ in range(3)]
                del images
            return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        if {setting}:
            build.keep_freed_memory()
            faults()                  # the first round grows the heap
        print(faults())
    """
    faults = int(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                text=True, check=True).stdout)
    if setting:
        assert faults < 1000, faults
    else:
        assert faults > 10_000, faults        # what the setting is for


def test_every_worker_keeps_the_memory_it_frees():
    # keep_freed_memory is of use only if each worker calls it as it starts.
    code = """if True:
        import os
        from convdocs.figures import build
        called = []
        build.keep_freed_memory = lambda: called.append(True)
        build._worker_init(os.getppid())
        print(called)
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[True]"
