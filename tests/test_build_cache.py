"""The build's local cache (``.convdocs-cache/checked.json``) is only ever a hint: a
hostile or broken one is ignored, never followed, never hangs or crashes the build."""

from __future__ import annotations

import json
import os
import threading

import pytest

from convdocs.figures import build

GOOD = {"grid": {"fingerprint": "f" * 16, "words": "a" * 64}}


def cache(out):
    (out / build.CACHE).mkdir(exist_ok=True)
    return out / build.CACHE / build.CHECKED


def read_within(out, seconds=10):
    """read_checked, failing (instead of hanging the suite) if it blocks."""
    result = []
    t = threading.Thread(target=lambda: result.append(build.read_checked(out)), daemon=True)
    t.start()
    t.join(seconds)
    assert result, "read_checked blocked"
    return result[0]


def test_a_good_cache_round_trips(tmp_path):
    build.write_checked(tmp_path, GOOD)
    assert read_within(tmp_path) == GOOD
    assert not (tmp_path / build.CACHE / build.TMP).exists()


def test_a_fifo_is_not_read(tmp_path):
    os.mkfifo(cache(tmp_path))
    assert read_within(tmp_path) == {}


@pytest.mark.parametrize("target", ["/dev/zero", "elsewhere.json"])
def test_a_symlinked_cache_file_is_not_followed(tmp_path, target):
    if target == "elsewhere.json":
        target = tmp_path / target
        target.write_text(json.dumps(GOOD))
    cache(tmp_path).symlink_to(target)
    assert read_within(tmp_path) == {}
    build.write_checked(tmp_path, GOOD)          # no error, nothing written through it
    assert cache(tmp_path).is_symlink()


def test_a_symlinked_cache_folder_is_neither_read_nor_written(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / build.CHECKED).write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / build.CACHE).symlink_to(elsewhere)
    assert read_within(out) == {}
    build.write_checked(out, GOOD)
    assert (elsewhere / build.CHECKED).read_text() == "precious"
    assert sorted(p.name for p in elsewhere.iterdir()) == [build.CHECKED]


@pytest.mark.parametrize("content", [b"[" * 100_000, b" " * (build.CHECKED_MAX + 1),
                                     b"\xff\xfe", b"[1, 2"])
def test_garbage_is_nothing_checked(tmp_path, content):
    cache(tmp_path).write_bytes(content)
    assert read_within(tmp_path) == {}


def test_a_folder_where_the_cache_file_goes_costs_time_only(tmp_path):
    cache(tmp_path).mkdir()
    assert read_within(tmp_path) == {}
    build.write_checked(tmp_path, GOOD)          # no BuildError
    assert cache(tmp_path).is_dir()
