"""Faults and hostile input for the build and the site hooks.

Modelled on how trusted tools test themselves: SQLite's fault injection (fail the
k-th write, for every k, and check that nothing is lost or half-written) and the
reproducible-builds practice (a user's environment must not reach the output).
Every case ends in one of two ways: a clear one-line message that names the file or
the option and what to do, with nothing lost; or a correct result.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from convdocs.figures import build, catalogue, cli

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
SMALL = ["grid", "input-and-filter"]        # two quick figures
needs_two_cpus = pytest.mark.skipif(build.cpus() < 2, reason="needs two CPUs for workers")


# -- helpers ------------------------------------------------------------------------------

def run_cli(capsys, *args) -> tuple[int, str]:
    code = cli.main(["build", "--jobs", "1", *args])
    err = capsys.readouterr().err
    return code, err


def committed_copy(tmp_path) -> Path:
    """A copy of the committed figures/: current, so a build renders nothing."""
    out = tmp_path / "figures"
    shutil.copytree(FIGURES, out, ignore=shutil.ignore_patterns(build.LOCK))
    return out


def manifest(out: Path) -> dict:
    return {e["name"]: e for e in json.loads((out / build.MANIFEST).read_text())["figures"]}


def assert_consistent(out: Path, killed: bool = False):
    """The manifest parses, every entry is sealed, lists its files and they match; no
    temporary file is left. With no manifest, nothing was committed: no figure file."""
    tmp = out / build.TMP
    if not killed:      # SIGKILL can stop a write half way: its temporary file stays
        assert not tmp.exists() or not list(tmp.iterdir()), "a temporary file was left"
    if not (out / build.MANIFEST).exists():
        assert {p.name for p in out.iterdir()} <= {build.LOCK, build.TMP}
        return
    for name, entry in manifest(out).items():
        assert build.well_formed(entry), name
        for f in entry["files"]:
            path = out / f["path"]
            assert path.is_file() and not path.is_symlink(), f["path"]
            assert build.sha256(path.read_bytes()) == f["sha256"], f["path"]
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def one_line_message(err: str, *words):
    lines = [line for line in err.strip().splitlines() if line]
    assert len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], (word, lines[0])


def rewrite(out: Path, change):
    """Apply `change` to the manifest's list of entries (as a hostile hand would)."""
    path = out / build.MANIFEST
    data = json.loads(path.read_text())
    change(data["figures"])
    path.write_text(json.dumps(data))


def entry_of(entries, name):
    return next(e for e in entries if e["name"] == name)


# -- nothing lost: the build deletes only what its records say it wrote -----------------

def test_files_the_build_did_not_write_are_kept_whatever_their_names(tmp_path, capsys):
    out = committed_copy(tmp_path)
    theirs = {"holiday.dark.jpg": b"a photo", "theme.light.css": b"body{}",
              ".grid.light.png.x1y2.tmp": b"another build's temp file"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    (out / "slides.light.d").mkdir()          # a folder with a themed name
    (out / "slides.light.d" / "keep.txt").write_text("mine")
    code, err = run_cli(capsys, "--out", str(out))
    assert code == 0, err
    for name, data in theirs.items():
        assert (out / name).read_bytes() == data
    assert (out / "slides.light.d" / "keep.txt").read_text() == "mine"


def test_a_figure_that_left_the_table_loses_exactly_the_files_it_had(tmp_path):
    out = committed_copy(tmp_path)
    old = entry_of(json.loads((out / build.MANIFEST).read_text())["figures"], "grid")
    ghost = json.loads(json.dumps(old).replace("grid.", "old-figure."))
    ghost["name"] = "old-figure"
    for f in ghost["files"]:
        shutil.copy(out / f["path"].replace("old-figure.", "grid."), out / f["path"])
    ghost["record"] = build.seal(ghost)
    rewrite(out, lambda entries: entries.append(ghost))
    replaced = out / ghost["files"][0]["path"]
    replaced.write_bytes(b"the user's own file now")       # no longer what the build wrote
    lines = []
    assert build.build(out=out, jobs=1, log=lines.append) == 0
    gone = [f["path"] for f in ghost["files"][1:]]
    assert all(f"removed    {p}" in lines for p in gone)
    assert not any((out / p).exists() for p in gone)
    assert replaced.read_bytes() == b"the user's own file now"
    assert "old-figure" not in manifest(out)


# -- a manifest is evidence, not truth ----------------------------------------------------

def hand_edits():
    def incomplete(entries):
        entry_of(entries, "grid")["files"].pop()

    def empty(entries):
        entry_of(entries, "grid")["files"] = []

    def duplicate(entries):
        entries.append(json.loads(json.dumps(entry_of(entries, "grid"))))

    def outside(entries):
        entry_of(entries, "grid")["files"][0]["path"] = "../../etc/passwd"

    def missing_key(entries):
        del entry_of(entries, "grid")["fingerprint"]

    def caption(entries):
        entry_of(entries, "grid")["caption"] = "A caption nobody computed."

    def alt(entries):
        entry_of(entries, "grid")["alt"] = "<script>alert(1)</script>"

    def wrong_types(entries):
        entry_of(entries, "grid")["files"] = "grid.light.png"

    return [incomplete, empty, duplicate, outside, missing_key, caption, alt, wrong_types]


@pytest.mark.parametrize("edit", hand_edits(), ids=lambda f: f.__name__)
def test_a_hand_edited_record_is_rendered_again_and_nothing_is_lost(tmp_path, edit):
    out = committed_copy(tmp_path)
    rewrite(out, edit)
    lines = []
    assert build.build(out=out, jobs=1, only=["grid"], log=lines.append) == 0
    assert any(line.startswith("rendered   grid ") for line in lines), lines
    committed = {e["name"]: e for e in json.loads((FIGURES / build.MANIFEST).read_text())
                 ["figures"]}["grid"]
    assert manifest(out)["grid"] == committed        # the true record is back
    assert_consistent(out)
    for f in committed["files"]:
        assert (out / f["path"]).read_bytes() == (FIGURES / f["path"]).read_bytes()


def test_a_path_outside_the_folder_is_never_read(tmp_path, monkeypatch):
    out = committed_copy(tmp_path)
    secret = tmp_path / "secret"
    secret.write_bytes(b"not yours")
    rewrite(out, lambda es: entry_of(es, "grid")["files"][0].update(path=str(secret)))
    opened = []
    real = Path.read_bytes

    def spy(self):
        opened.append(self.resolve())
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", spy)
    build.build(out=out, jobs=1, only=["grid"], log=lambda line: None)
    assert secret.resolve() not in opened


def test_a_damaged_manifest_is_refused_with_its_name_and_nothing_is_written(tmp_path, capsys):
    (tmp_path / build.MANIFEST).write_text("{not json")
    code, err = run_cli(capsys, "--out", str(tmp_path), "--only", "grid")
    assert code == 1
    one_line_message(err, str(tmp_path / build.MANIFEST), "move it away or delete it")
    assert sorted(p.name for p in tmp_path.iterdir()) == [build.LOCK, build.MANIFEST]


def test_a_manifest_that_is_a_symlink_is_refused(tmp_path, capsys):
    target = tmp_path / "elsewhere.json"
    target.write_text('{"figures": []}')
    out = tmp_path / "out"
    out.mkdir()
    (out / build.MANIFEST).symlink_to(target)
    code, err = run_cli(capsys, "--out", str(out), "--only", "grid")
    assert code == 1
    one_line_message(err, "not a regular file")
    assert target.read_text() == '{"figures": []}'


@pytest.mark.parametrize("kind", ["symlink", "folder"])
def test_a_symlink_or_folder_where_a_figure_file_goes_is_not_followed(tmp_path, capsys, kind):
    out = committed_copy(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = out / "grid.light.png"
    target.unlink()
    if kind == "symlink":
        target.symlink_to(victim)
    else:
        target.mkdir()
    code, err = run_cli(capsys, "--out", str(out), "--only", "grid")
    assert code == 1
    one_line_message(err, "grid.light.png", "move it away")
    assert victim.read_text() == "precious"
    assert_consistent_except(out, "grid")


def assert_consistent_except(out: Path, name: str):
    """Every figure but `name` is whole (`name` had a file it could not write)."""
    for other, entry in manifest(out).items():
        if other == name:
            continue
        for f in entry["files"]:
            assert build.sha256((out / f["path"]).read_bytes()) == f["sha256"]


def forged(out: Path, name: str, files: dict[str, bytes]) -> dict:
    """A record that looks like the build's own, sealed as the build seals: what a hostile
    hand (or a stale copy) can write, since anyone can compute the seal."""
    template = json.loads((out / build.MANIFEST).read_text())["figures"][0]
    entry = dict(template, name=name, files=[
        {"path": path, "theme": "light", "kind": "png", "width": 1, "height": 1,
         "bytes": len(data), "sha256": build.sha256(data)} for path, data in files.items()])
    entry["record"] = build.seal(entry)
    return entry


@pytest.mark.parametrize("victim", ["holiday.dark.jpg", ".gitkeep", build.LOCK, build.MANIFEST,
                                    "grid.light.png"])
def test_a_forged_sealed_record_cannot_make_the_build_delete_a_file(tmp_path, victim):
    out = committed_copy(tmp_path)
    target = out / victim
    if not target.exists():
        target.write_bytes(b"my own file")
    data = target.read_bytes()
    rewrite(out, lambda entries: entries.append(forged(out, "old-figure", {victim: data})))
    lines = []
    assert build.build(out=out, jobs=1, log=lines.append) == 0
    assert not [line for line in lines if line.startswith("removed")], lines
    assert target.exists()


def test_a_resealed_hand_edit_of_caption_or_data_is_still_noticed(tmp_path):
    out = committed_copy(tmp_path)

    def edit(entries):
        entry = entry_of(entries, "grid-vertical-edges")
        entry["caption"] = "The filter outputs 999 everywhere."
        entry["data"] = {}
        entry["record"] = build.seal(entry)
    rewrite(out, edit)
    lines = []
    assert build.build(out=out, jobs=1, only=["grid-vertical-edges"], log=lines.append) == 0
    assert any(line.startswith("rendered   grid-vertical-edges") for line in lines), lines
    assert "999" not in manifest(out)["grid-vertical-edges"]["caption"]


def test_a_signal_during_a_commit_waits_until_the_figure_and_manifest_are_written(
        tmp_path, monkeypatch):
    out = tmp_path / "figures"
    real = build.atomic_write
    calls = []

    def interrupted(path, data):
        calls.append(path.name)
        if len(calls) == 1:     # Ctrl-C while the first figure's first file is being written
            os.kill(os.getpid(), signal.SIGINT)
        return real(path, data)
    monkeypatch.setattr(build, "atomic_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build.build(out=out, jobs=1, only=SMALL, force=True, log=lambda line: None)
    first = manifest(out)
    assert len(first) == 1                 # the whole first figure, then the interrupt
    assert_consistent(out)
    assert calls[-1] == build.MANIFEST


def test_temporary_files_of_a_killed_build_are_cleared_by_the_next(tmp_path):
    out = committed_copy(tmp_path)
    (out / build.TMP).mkdir()
    (out / build.TMP / "grid.light.png.abc123.tmp").write_bytes(b"half a file")
    assert build.build(out=out, jobs=1, only=["grid"], log=lambda line: None) == 0
    assert not (out / build.TMP).exists()


def test_a_hostile_manifest_with_odd_values_is_rendered_again_not_a_traceback(tmp_path):
    out = committed_copy(tmp_path)

    def odd(entries):
        for key, value in (("width", float("nan")), ("height", True), ("bytes", -1)):
            entry = entry_of(entries, "grid")
            entry["files"][0][key] = value
        entry_of(entries, "grid-outline")["files"][0]["path"] = "grid-outline.light.png\x00"
        for entry in entries:
            entry["record"] = build.seal(entry)
    rewrite(out, odd)
    lines = []
    assert build.build(out=out, jobs=1, only=["grid", "grid-outline"], log=lines.append) == 0
    assert sum(line.startswith("rendered") for line in lines) == 2
    assert_consistent(out)


def test_a_deeply_nested_manifest_is_a_message(tmp_path, capsys):
    (tmp_path / build.MANIFEST).write_text('{"figures": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, err = run_cli(capsys, "--out", str(tmp_path), "--only", "grid")
    assert code == 1
    one_line_message(err, "is not a convdocs manifest")


@pytest.mark.parametrize("out, words", [("", "--out is empty"),
                                        ("loop", "symlink to nothing")])
def test_an_empty_or_dangling_out_is_named(tmp_path, capsys, out, words):
    if out == "loop":
        (tmp_path / "loop").symlink_to(tmp_path / "loop")
        out = str(tmp_path / "loop")
    code, err = run_cli(capsys, "--out", out, "--only", "grid")
    assert code == 1
    one_line_message(err, words)


def test_a_full_disk_while_writing_names_the_file(tmp_path, capsys, monkeypatch):
    out = committed_copy(tmp_path)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))      # no file name, as fsync
    monkeypatch.setattr(os, "fsync", full)
    code, err = run_cli(capsys, "--out", str(out), "--only", "grid", "--force")
    assert code == 1
    one_line_message(err, "cannot write", "grid.", "free some space")
    assert_consistent(out)


@pytest.mark.slow
@needs_two_cpus
def test_a_worker_that_dies_ends_the_build_with_a_message(tmp_path):
    proc = start_build(tmp_path / "figures", "--jobs", "2")
    workers = wait_for(lambda: len(children(proc.pid)) >= 2 and children(proc.pid))
    os.kill(max(workers), signal.SIGKILL)
    code = proc.wait(timeout=120)
    err = proc.stderr.read()
    assert code == 1, err
    one_line_message(err, "a worker process died")


# -- operating-system errors: every write point, SQLite-style -----------------------------

WRITES = ["grid.light.png", "grid.light.svg", "grid.dark.png", "grid.dark.svg",
          build.MANIFEST]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT],
                         ids=errno.errorcode.get)
@pytest.mark.parametrize("k", range(len(WRITES)))
def test_a_failing_write_ends_in_a_message_and_leaves_every_file_whole(tmp_path, capsys,
                                                                        monkeypatch, code, k):
    out = committed_copy(tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    calls = []
    real = os.replace

    def failing(src, dst, *a, **kw):
        calls.append(dst)
        if len(calls) == k + 1:
            raise OSError(code, os.strerror(code), str(dst))
        return real(src, dst, *a, **kw)
    monkeypatch.setattr(os, "replace", failing)
    status, err = run_cli(capsys, "--out", str(out), "--only", "grid", "--force")
    assert status == 1
    one_line_message(err, "cannot write", str(calls[k]), "complete, old or new")
    assert_consistent(out)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert set(after) >= set(before) - {build.LOCK}    # nothing lost
    for name, data in after.items():                   # and each file old or new, whole
        assert name == build.LOCK or data == before.get(name, data)


def test_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    out = committed_copy(tmp_path)

    def full(*a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", "x")
    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError):
        cli.main(["build", "--jobs", "1", "--out", str(out), "--only", "grid", "--force",
                  "--debug"])


def test_an_out_that_is_a_file_is_named(tmp_path, capsys):
    target = tmp_path / "figures"
    target.write_text("not a folder")
    code, err = run_cli(capsys, "--out", str(target))
    assert code == 1
    one_line_message(err, f"--out {target} is a file")
    assert target.read_text() == "not a folder"


def test_an_out_below_a_file_is_named(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, err = run_cli(capsys, "--out", str(tmp_path / "file" / "figures"))
    assert code == 1
    one_line_message(err, "cannot write")


@pytest.mark.parametrize("jobs", ["0", "-3", "many"])
def test_bad_jobs_are_usage_errors(capsys, jobs):
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--jobs", jobs])
    assert exc.value.code == 2 and "--jobs" in capsys.readouterr().err


def test_jobs_are_capped_at_the_cpus_and_the_figures_to_render():
    assert build.worker_count(100_000, 40) == min(build.cpus(), 40)
    assert build.worker_count(100_000, 1) == 1
    assert build.worker_count(None, 40) == min(build.cpus(), 40)
    assert build.worker_count(None, 0) == 1


def test_a_huge_jobs_builds_with_a_few_workers_and_says_so(tmp_path):
    lines = []
    assert build.build(out=tmp_path, jobs=100_000, only=SMALL, log=lines.append) == 0
    assert f"--jobs 100000: using {min(build.cpus(), 2)} workers" in lines[0]


# -- the user's environment does not reach the figures ------------------------------------

def test_a_users_matplotlibrc_does_not_change_a_byte(tmp_path):
    rc = tmp_path / "matplotlibrc"
    # each of these changed every file the build wrote before rendering started from
    # matplotlib's own defaults (checked against the code before the figure-table move)
    rc.write_text("savefig.transparent: True\npath.sketch: 1, 100, 1\n"
                  "patch.antialiased: False\nlines.antialiased: False\nfont.family: serif\n"
                  "savefig.bbox: tight\nimage.cmap: jet\n")
    out = tmp_path / "figures"
    env = dict(os.environ, MATPLOTLIBRC=str(rc), MPLCONFIGDIR=str(tmp_path))
    subprocess.run([sys.executable, "-m", "convdocs", "build", "--out", str(out), "--jobs",
                    "1", "--only", *SMALL], check=True, capture_output=True, env=env)
    for name in SMALL:
        for f in manifest(out)[name]["files"]:
            assert (out / f["path"]).read_bytes() == (FIGURES / f["path"]).read_bytes(), \
                f["path"]


# -- processes: signals, concurrency, workers ---------------------------------------------

def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_build(out: Path, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "convdocs", "build", "--out", str(out),
                             "--force", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate, seconds=60.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")




@pytest.mark.slow
@needs_two_cpus
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_parent(tmp_path, sig):
    proc = start_build(tmp_path / "figures", "--jobs", "2")
    workers = wait_for(lambda: len(children(proc.pid)) >= 2 and children(proc.pid))
    proc.send_signal(sig)
    proc.wait(timeout=30)
    wait_for(lambda: not any(alive(w) for w in workers), seconds=10)
    if (tmp_path / "figures" / build.MANIFEST).exists():   # a figure was committed first
        assert_consistent(tmp_path / "figures", killed=sig == signal.SIGKILL)


@pytest.mark.slow
@needs_two_cpus
def test_two_ctrl_c_exit_at_once_and_leave_everything_whole(tmp_path):
    out = tmp_path / "figures"
    proc = start_build(out, "--jobs", "2")
    wait_for(lambda: (out / build.MANIFEST).exists())       # a figure has been committed
    workers = children(proc.pid)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    code = proc.wait(timeout=10)
    assert time.monotonic() - start < 5
    err = proc.stderr.read()
    # 130 when the first Ctrl-C's clean-up was done before the second came; killed by
    # SIGINT (as a shell expects of a second Ctrl-C) when it was not
    assert code in (130, -signal.SIGINT), err
    one_line_message(err, "interrupted")
    wait_for(lambda: not any(alive(w) for w in workers), seconds=10)
    assert_consistent(out)


@pytest.mark.slow
def test_a_second_build_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    out = tmp_path / "figures"
    first = start_build(out, "--jobs", "1")
    wait_for(lambda: (out / build.LOCK).exists())
    time.sleep(0.3)
    second = subprocess.run([sys.executable, "-m", "convdocs", "build", "--out", str(out),
                             "--only", "grid"], capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    one_line_message(second.stderr, "another convdocs build is writing to", str(out))
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 128 + signal.SIGTERM
    assert_consistent(out)
    # the lock died with the first build: a third build runs
    third = subprocess.run([sys.executable, "-m", "convdocs", "build", "--out", str(out),
                            "--only", "grid"], capture_output=True, text=True, timeout=120)
    assert third.returncode == 0, third.stderr


# -- the site hooks -----------------------------------------------------------------------

spec = importlib.util.spec_from_file_location("figure_hooks", ROOT / "docs/hooks/figures.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)
MANIFEST = json.loads((FIGURES / build.MANIFEST).read_text())


@pytest.fixture
def site_state():
    hooks._state.update(manifest={e["name"]: e for e in MANIFEST["figures"]},
                        tables=MANIFEST["tables"], figures_dir=FIGURES,
                        licence=MANIFEST["licence"], attribution=MANIFEST["attribution"])


def page(src="convolution.md", url="convolution/"):
    return SimpleNamespace(url=url, file=SimpleNamespace(src_uri=src))


@pytest.mark.parametrize("text, line", [
    ("[[figure]]", 1),
    ("Intro\n\n[[figure grid", 3),
    ("[[figure grid]] and more", 1),
    ("  [[figure grid]]", 1),
    ("- item\n\n    [[figure grid]]", 3),
    ("* [[figure grid]]", 1),
    ("[[figures grid]]", 1),
    ("[[ figure grid ]]", 1),
    ("[[figure Grid]]", 1),
    ("[[table]]", 1),
    ("text\n[[gallery]] here", 2),
])
def test_a_malformed_reference_fails_with_its_page_and_line(site_state, text, line):
    with pytest.raises(PluginError, match=rf"convolution\.md, line {line}:"):
        hooks.on_page_markdown(text, page(), None, None)


def test_a_fence_closes_where_markdown_closes_it(site_state):
    # "```python" does not close a fence; the bare "```" on line 4 does, so line 6 is a
    # reference (before, the hook took line 3 as the close and line 4 as a new fence)
    out = hooks.on_page_markdown("```\ncode\n```python\n```\n\n[[figure grid]]", page(),
                                 None, None)
    assert '<figure class="cd-figure" id="fig-grid">' in out
    with pytest.raises(PluginError, match="line 6:"):
        hooks.on_page_markdown("```\ncode\n```python\n[[figure grid]]\n```\n[[figure x",
                               page(), None, None)


def test_a_reference_left_as_text_in_the_built_page_fails_the_build(site_state):
    shown = '<p>[[figure grid]]</p><pre><code>[[figure grid]]</code></pre>'
    with pytest.raises(PluginError, match="was not expanded"):
        hooks.on_page_content(shown, page(), None, None)
    fine = '<p>The matrix [[0, 1]].</p><pre><code>[[figure grid]]</code></pre>'
    assert hooks.on_page_content(fine, page(), None, None) == fine


@pytest.mark.parametrize("text", [
    "```\n[[figure grid]]\n```",
    "~~~~python\n[[figure no-such]]\n~~~~",
    "Write `[[figure NAME]]` on a line of its own.",
    "The matrix [[0, 1], [2, 3]] is a kernel.",
])
def test_references_in_code_and_matrices_are_left_alone(site_state, text):
    assert hooks.on_page_markdown(text, page(), None, None) == text


def hostile_manifest(tmp_path, change) -> Path:
    figures = tmp_path / "figures"
    shutil.copytree(FIGURES, figures, ignore=shutil.ignore_patterns(build.LOCK))
    data = json.loads((figures / build.MANIFEST).read_text())
    change(data)
    (figures / build.MANIFEST).write_text(json.dumps(data))
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    return tmp_path


def config_for(root: Path):
    return SimpleNamespace(config_file_path=str(root / "mkdocs.yml"), site_dir=str(root / "site"),
                           use_directory_urls=True)


@pytest.mark.parametrize("change, words", [
    (lambda d: d["figures"][0].update(name='x" onerror="alert(1)'), "no plain name"),
    (lambda d: d["figures"][0].update(page="../../evil"), "no plain page name"),
    (lambda d: d["figures"][0]["files"][0].update(path="../../../etc/passwd"),
     "outside figures/"),
    (lambda d: d["figures"][0].pop("alt"), "has no 'alt'"),
    (lambda d: d["figures"].append(d["figures"][0]), "listed twice"),
    (lambda d: d.update(figures="everything"), "not a convdocs manifest"),
    (lambda d: d["licence"].update(url="javascript:alert(1)"), "https:// address"),
    (lambda d: d["figures"][0]["files"][0].update(width="abc"), "not a whole number"),
    (lambda d: d["figures"][0].update(files=5), "no list of files"),
    (lambda d: d["tables"]["output-size"]["rows"].append([]), "columns and rows"),
])
def test_a_hostile_manifest_fails_the_site_build_with_a_message(tmp_path, change, words):
    root = hostile_manifest(tmp_path, change)
    with pytest.raises(PluginError, match=words.replace("(", r"\(")):
        hooks.on_config(config_for(root))


def test_a_missing_or_damaged_manifest_is_a_message_not_a_traceback(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    with pytest.raises(PluginError, match="missing: run `make figures`"):
        hooks.on_config(config_for(tmp_path))
    (tmp_path / "figures" / build.MANIFEST).write_bytes(b"\xff\xfe{")
    with pytest.raises(PluginError, match="not a convdocs manifest"):
        hooks.on_config(config_for(tmp_path))


def test_manifest_text_is_escaped_wherever_it_is_emitted(tmp_path, site_state):
    def change(d):
        grid = next(e for e in d["figures"] if e["name"] == "grid")
        grid.update(title="[click](javascript:alert(1))\n<b>bold</b> *x*\n\n# heading",
                    caption='A "caption" <img src=x onerror=alert(1)>',
                    alt='An "alt" <script>alert(1)</script>')
    root = hostile_manifest(tmp_path, change)
    hooks.on_config(config_for(root))
    out = hooks.on_page_markdown("[[gallery]]", page("gallery.md", "gallery/"), None, None)
    import markdown
    rendered = markdown.Markdown(extensions=["attr_list", "md_in_html"]).convert(out)
    assert 'href="javascript' not in rendered
    assert "<script>" not in rendered and "<img src=x" not in rendered
    assert "<b>bold</b>" not in rendered and "<h1" not in rendered
    assert 'id="grid"' in rendered             # the heading keeps its anchor
    figure = hooks.on_page_markdown("[[figure grid]]", page(), None, None)
    assert 'alt="An &quot;alt&quot; &lt;script&gt;' in figure


def test_only_files_the_manifest_lists_are_published_and_symlinks_fail(tmp_path):
    root = hostile_manifest(tmp_path, lambda d: None)
    figures = root / "figures"
    (figures / "notes.light.txt").write_text("not a figure")
    (figures / "passwd.light.png").symlink_to("/etc/passwd")
    hooks.on_config(config_for(root))
    files = []
    published = hooks.on_files(SimpleNamespace(append=files.append), config_for(root))
    assert published is not None
    names = {Path(f.src_uri).name for f in files}
    listed = {f["path"] for e in MANIFEST["figures"] for f in e["files"]}
    assert names == listed
    (figures / "grid.light.png").unlink()
    (figures / "grid.light.png").symlink_to("/etc/passwd")
    with pytest.raises(PluginError, match="grid.light.png is not a regular file"):
        hooks.on_files(SimpleNamespace(append=lambda f: None), config_for(root))


def test_the_figure_table_and_the_manifest_agree_on_names():
    assert [e["name"] for e in MANIFEST["figures"]] == list(catalogue.FIGURES)
