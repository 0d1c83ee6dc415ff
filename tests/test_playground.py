"""The kernel playground: its data, its JavaScript engine against the library, and its page.

* ``convdocs.playground``: presets come from the package, evaluate() is the library.
* ``engine.js`` runs in Chromium on 1,200 seeded random configurations and must give the
  library's numbers (integers exactly, floats to 1e-12 relative, in practice bit for bit),
  accept and refuse the same configurations, and refuse with the same message text.
* The built page: keyboard-only use, a 390 px phone, your own image, refusals in the
  library's words, instant navigation, no request off 127.0.0.1, no console error.

Browser tests follow tests/test_site.py: Chromium from $CHROMIUM_PATH or PATH; skipped
without one, except under CI ($CI set), where that is a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

import convdocs
from convdocs import images, kernels, playground
from convdocs.playground import _from_json

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "docs" / "assets" / "playground" / "engine.js"
LIMITS = {"max_side": playground.MAX_SIDE, "max_kernel": playground.MAX_KERNEL,
          **playground.LIMITS}
CASES = 1200
SEED = 20261125
PHONE = {"width": 390, "height": 844}
CHROME_ARGS = ["--no-sandbox", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


site_server = _load("convdocs_site_server", ROOT / "tests" / "site_server.py")


# ---------------------------------------------------------------------------
# The Python side: no browser needed

def test_presets_are_json_and_come_from_the_package():
    data = playground.presets()
    json.dumps(data, allow_nan=False)  # strict JSON: no NaN, no numpy types
    by_name = {i["name"]: np.array(i["values"], dtype=float) for i in data["images"]}
    assert np.array_equal(by_name["grid"], images.grid())
    assert np.array_equal(by_name["smiley"], images.smiley())
    assert np.array_equal(by_name["checkerboard"], images.checkerboard())
    assert np.array_equal(by_name["step_edge"], images.step_edge())
    assert np.array_equal(by_name["numbers"], images.numbers())
    from convdocs import panels  # the figures' own face crop
    assert np.array_equal(by_name["photo"], panels.face())
    assert max(max(a.shape) for a in by_name.values()) <= data["limits"]["max_side"]
    assert [k["name"] for k in data["kernels"]] == kernels.names()
    for k in data["kernels"]:
        assert np.array_equal(np.array(k["values"]), kernels.get(k["name"]).values), k["name"]
        assert k["label"] and k["meaning"]


def test_playground_module_imports_no_matplotlib():
    code = "import sys, convdocs.playground; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_hook_writes_presets_with_the_figure_colours(tmp_path):
    from convdocs import style
    hook = _load("playground_hook", ROOT / "docs" / "hooks" / "playground.py")

    class Config:
        site_dir = str(tmp_path)

    hook.on_post_build(Config())
    data = json.loads((tmp_path / "assets" / "playground" / "presets.json").read_text())
    light = data["themes"]["light"]
    assert (light["input"], light["kernel"], light["output"], light["window"]) == (
        style.LIGHT.input, style.LIGHT.kernel, style.LIGHT.output, style.LIGHT.window)
    # zero at mid-grey, the signed map's ends as in style.py
    assert light["signed"][0] == "#2d1160" and light["signed"][-1] == "#fcf4b6"
    assert light["signed"][128] == "#808080" and len(light["signed"]) == 256


def test_evaluate_is_the_library():
    x, k = images.numbers((6, 7), seed=3), kernels.SOBEL_LEFT
    out = playground.evaluate({"image": x.tolist(), "kernel": k.tolist(), "stride": [2, 1],
                               "padding": 1, "padding_mode": "reflect", "relu": True,
                               "pool": {"op": "avg", "size": 2, "stride": None, "padding": 1,
                                        "ceil_mode": True, "count_include_pad": False}})
    conv = convdocs.conv2d(x, k, stride=(2, 1), padding=1, padding_mode="reflect")
    assert out["error"] is None
    assert np.array_equal(out["conv"], conv)
    assert np.array_equal(out["relu"], convdocs.relu(conv))
    assert np.array_equal(out["pool"], convdocs.avg_pool2d(convdocs.relu(conv), 2, padding=1,
                                                           ceil_mode=True,
                                                           count_include_pad=False))


@pytest.mark.parametrize("config,stage,message", [
    # the library's own words
    ({"stride": 0}, "conv", "stride must be a positive integer (got 0)"),
    ({"padding": "same", "stride": 2}, "conv", "padding='same' needs stride 1 (got stride=(2, 2))"),
    ({"stride": "2"}, "conv", "stride must be a positive integer (got '2')"),
    # a whole number is an int, as in JavaScript
    ({"stride": 2.0}, None, None),
    ({"stride": 1e308}, "conv", "stride must be a positive integer (got 1e+308)"),
    # the playground's own upper bound comes first
    ({"stride": 33}, "limits", "stride must be at most 32 in the playground (got 33)"),
    ({"pool": {"size": [2, 17]}}, "limits", "size must be at most 16 in the playground (got 17)"),
])
def test_evaluate_refusals(config, stage, message):
    base = {"image": images.smiley().tolist(), "kernel": kernels.OUTLINE.tolist()}
    out = playground.evaluate({**base, **config})
    if stage is None:
        assert out["error"] is None
    else:
        assert out["error"]["stage"] == stage and out["error"]["message"] == message


# ---------------------------------------------------------------------------
# Random configurations: everything the page can ask for, and worse

STRANGE_TEXT = ["", " ", "2", "abc", "two", "1,2", "2.5", "1e3", "nan", "None", "'", '"',
                "it's", 'say "hi"', "both ' and \"", "back\\slash", "tab\there", "new\nline",
                "\x00\x07\x1b", "caf\u00e9", "\u00a0nbsp", "\u2212" + "1", "\u200bzero-width",
                "emoji \U0001F600", "\u4e2d\u6587", "x" * 80, "\ud7ff", "\x7f\x80\x9f"]
STRANGE_NUMBERS = [0, -1, -7, 2.5, -0.5, 1e-7, 5e-324, 123456.789, 1e16, 1.5e300, 1e308,
                   float("nan"), float("inf"), float("-inf"), -0.0, 0.1 + 0.2, 2.0 ** 53 + 2,
                   10 ** 15]
STRANGE = STRANGE_NUMBERS + STRANGE_TEXT + [None, True, False, [], [1], [1, 2, 3], [0, 1],
                                            [1, 0], [2, -1], [[1, 2], [3, 4]], [[0, 1], [0, 0]],
                                            [1.5, 2], ["1", 2], [None, None]]


def _pick(rng, items):
    return items[int(rng.integers(len(items)))]


def _array(rng, shape, integer):
    if integer:
        return rng.integers(-4, 10, shape).tolist()
    scale = 10.0 ** int(rng.integers(-3, 4))
    return (rng.normal(0, 1, shape) * scale).tolist()


def _small(rng, low, high):
    value = int(rng.integers(low, high + 1))
    return [value, int(rng.integers(low, high + 1))] if rng.random() < 0.3 else value


def random_config(rng) -> dict:
    integer = rng.random() < 0.6
    h, w = (int(rng.integers(1, 11)) for _ in range(2))
    if rng.random() < 0.1:
        h, w = int(rng.integers(10, 33)), int(rng.integers(10, 33))
    kh, kw = (int(rng.choice([1, 2, 3, 3, 3, 4, 5, 7])) for _ in range(2))
    config = {
        "image": _array(rng, (h, w), integer),
        "kernel": _array(rng, (kh, kw), integer),
        "stride": 1 if rng.random() < 0.5 else _small(rng, 1, 4),
        "dilation": 1 if rng.random() < 0.6 else _small(rng, 1, 3),
        "padding": (_pick(rng, ["valid", "same", "full"]) if rng.random() < 0.45
                    else _small(rng, 0, 3)),
        "padding_mode": _pick(rng, ["zeros", "reflect", "replicate", "circular"]),
        "relu": bool(rng.random() < 0.4),
        "pool": None,
    }
    if config["padding"] == "same" and rng.random() < 0.7:
        config["stride"] = 1  # mostly the legal "same", often with an even kernel
    if rng.random() < 0.55:
        config["pool"] = {
            "op": _pick(rng, ["max", "avg"]),
            "size": _small(rng, 1, 4),
            "stride": None if rng.random() < 0.4 else _small(rng, 1, 3),
            "padding": 0 if rng.random() < 0.5 else _small(rng, 0, 2),
            "ceil_mode": bool(rng.random() < 0.5),
            "count_include_pad": bool(rng.random() < 0.5),
        }
    if rng.random() < 0.25:
        _mutate(rng, config)
    return config


def _mutate(rng, config):
    """One hostile change: what a reader can type, and what no form would send."""
    where = _pick(rng, ["stride", "dilation", "padding", "padding_mode", "image", "kernel",
                        "pool", "pool", "overflow"])
    if where in ("stride", "dilation", "padding", "padding_mode"):
        config[where] = _pick(rng, STRANGE + ["SAME", "full ", "reflect", "zero", 65, 17, 33])
    elif where in ("image", "kernel"):
        rows = config[where]
        r, c = int(rng.integers(len(rows))), int(rng.integers(len(rows[0])))
        rows[r][c] = _pick(rng, [float("nan"), float("inf"), float("-inf")])
    elif where == "overflow":  # products overflow to inf: ReLU and pooling refuse the map
        config["kernel"][0][0] = 1e308
        config["image"] = [[abs(v) + 10 for v in row] for row in config["image"]]
    else:
        pool = config["pool"] or {"op": "max", "size": 2}
        key = _pick(rng, ["op", "size", "stride", "padding", "ceil_mode", "count_include_pad"])
        pool[key] = _pick(rng, STRANGE + ["min", "MAX", "avg", 9, 17, 3])
        config["pool"] = pool


def _python_result(config):
    with np.errstate(all="ignore"):
        return playground.evaluate(config)


def _same(a, b, exact):
    if a is None or b is None:
        return a is None and b is None
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    if a.shape != b.shape:
        return False
    if exact:
        return np.array_equal(a, b, equal_nan=True)
    return np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True)


def _integer_config(config):
    values = [v for row in config["image"] + config["kernel"] for v in row]
    return all(isinstance(v, int) or (isinstance(v, float) and v.is_integer()) for v in values)


# ---------------------------------------------------------------------------
# Browser fixtures (as in tests/test_site.py)

def chromium_path() -> str | None:
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        message = ("No Chromium for the playground tests: install Debian's chromium "
                   "(apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH.")
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROME_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def engine_page(browser, tmp_path_factory):
    """engine.js alone, served from 127.0.0.1 and exposed as window.engine."""
    root = tmp_path_factory.mktemp("engine")
    shutil.copy(ENGINE, root / "engine.js")
    (root / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>engine</title>'
        '<script type="module">import * as e from "./engine.js"; window.engine = e;</script>')
    with site_server.SiteServer(root, prefix="/convdocs/") as server:
        context = browser.new_context()
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url(""))
        page.wait_for_function("window.engine !== undefined")
        yield page
        assert not errors, errors
        context.close()


RUN_JS = """
({configs, limits}) => configs.map(({config, convCells, poolCells}) => {
  const e = window.engine;
  const r = e.run(config, limits);
  const rows = e.toRows;
  return {
    conv: rows(r.conv), relu: rows(r.relu), pool: rows(r.pool), error: r.error,
    convWindows: r.conv ? convCells.map(([i, j]) => e.convWindow(r.convPlan, i, j)) : [],
    poolWindows: r.pool ? poolCells.map(([i, j]) => e.poolWindow(r.poolPlan, i, j)) : [],
  };
})
"""


def _cells(rng, shape, n=2):
    if not shape:
        return []
    h, w = shape
    return [[int(rng.integers(h)), int(rng.integers(w))] for _ in range(n)] + [[h - 1, w - 1]]


@pytest.mark.browser
def test_engine_matches_the_library(engine_page):
    rng = np.random.default_rng(SEED)
    cases, stats = [], {"accepted": 0, "refused": {}, "exact_float": 0, "float": 0,
                        "windows": 0, "modes": set(), "even_same": 0, "ceil": 0,
                        "no_pad_count": 0, "avg": 0, "max": 0, "relu": 0}
    for _ in range(CASES):
        config = random_config(rng)
        expected = _python_result(config)
        conv_shape = np.shape(expected["conv"]) if expected["conv"] is not None else None
        pool_shape = np.shape(expected["pool"]) if expected["pool"] is not None else None
        cases.append({"config": config, "expected": expected,
                      "convCells": _cells(rng, conv_shape), "poolCells": _cells(rng, pool_shape)})

    failures = []
    for start in range(0, len(cases), 200):
        batch = cases[start:start + 200]
        got = engine_page.evaluate(RUN_JS, {"configs": [{k: c[k] for k in ("config", "convCells",
                                                                         "poolCells")}
                                                        for c in batch], "limits": LIMITS})
        for n, (case, js) in enumerate(zip(batch, got), start):
            problems = _compare(case, js, stats)
            if problems:
                failures.append(f"case {n}: {problems}\n  config: {_short(case['config'])}")
    print(f"\nplayground parity: {len(cases)} configurations, {stats['accepted']} accepted, "
          f"refused by stage {stats['refused']}, {stats['windows']} windows traced, "
          f"{stats['exact_float']}/{stats['float']} float cases bit-identical")
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:10])
    # the random cases did reach every corner the brief names
    assert stats["modes"] == {"zeros", "reflect", "replicate", "circular"}
    assert stats["even_same"] >= 20 and stats["ceil"] >= 20 and stats["no_pad_count"] >= 20
    assert stats["avg"] >= 50 and stats["max"] >= 50 and stats["relu"] >= 100
    assert stats["accepted"] >= 400 and sum(stats["refused"].values()) >= 200
    assert set(stats["refused"]) >= {"limits", "conv", "relu", "pool"}


def _short(config):
    text = repr(config)
    return text if len(text) < 600 else text[:600] + "..."


def _compare(case, js, stats) -> list[str]:
    config, expected = case["config"], case["expected"]
    exact = _integer_config(config)
    problems = []
    if js["error"] != expected["error"]:
        return [f"error: engine {js['error']!r} != library {expected['error']!r}"]
    if expected["error"]:
        stage = expected["error"]["stage"]
        stats["refused"][stage] = stats["refused"].get(stage, 0) + 1
    else:
        stats["accepted"] += 1
    for stage in ("conv", "relu", "pool"):
        if not _same(js[stage], expected[stage], exact):
            problems.append(f"{stage} differs")
    if not exact and expected["conv"] is not None:
        stats["float"] += 1
        stats["exact_float"] += all(_same(js[s], expected[s], True) for s in ("conv", "relu",
                                                                              "pool"))
    if expected["conv"] is not None:
        stats["modes"].add(config["padding_mode"])
        kernel = np.array(config["kernel"])
        if config["padding"] == "same" and kernel.shape[0] % 2 == 0:
            stats["even_same"] += 1
        stats["relu"] += bool(config.get("relu"))
        problems += _compare_conv_windows(case, js)
    pool = config.get("pool")
    if expected["pool"] is not None:
        stats[pool["op"]] += 1
        stats["ceil"] += pool.get("ceil_mode") is True
        stats["no_pad_count"] += (pool.get("count_include_pad") is False
                                  and pool.get("padding", 0) not in (0, [0, 0]))
        problems += _compare_pool_windows(case, js)
    stats["windows"] += len(js["convWindows"]) + len(js["poolWindows"])
    return problems


def _conv_args(config):
    c = {k: _from_json(v) for k, v in config.items() if k not in ("image", "kernel", "pool",
                                                                  "relu")}
    return {"stride": c.get("stride", 1), "padding": c.get("padding", 0),
            "dilation": c.get("dilation", 1), "padding_mode": c.get("padding_mode", "zeros")}


def _compare_conv_windows(case, js) -> list[str]:
    config, expected = case["config"], case["expected"]
    with np.errstate(all="ignore"):
        steps = convdocs.conv2d_steps(config["image"], config["kernel"], **_conv_args(config))
    width = len(expected["conv"][0])
    problems = []
    for (r, c), win in zip(case["convCells"], js["convWindows"]):
        step = steps[r * width + c]
        same = (win["rows"] == step.rows.tolist() and win["cols"] == step.cols.tolist()
                and win["inside"] == step.inside.tolist()
                and _same(win["values"], step.values, True)
                and _same(win["products"], step.products, True)
                and _same([win["sum"]], [step.result], True)
                and _same([win["sum"]], [expected["conv"][r][c]], True))
        if not same:
            problems.append(f"conv window ({r}, {c}) differs from conv2d_steps")
    return problems


def _compare_pool_windows(case, js) -> list[str]:
    config, expected = case["config"], case["expected"]
    pool = {k: _from_json(v) for k, v in config["pool"].items()}
    source = expected["relu"] if config.get("relu") else expected["conv"]
    steps = convdocs.pool2d_steps(source, pool.get("size", 2), op=pool.get("op", "max"),
                                  stride=pool.get("stride"), padding=pool.get("padding", 0),
                                  ceil_mode=pool.get("ceil_mode", False),
                                  count_include_pad=pool.get("count_include_pad", True))
    width = len(expected["pool"][0])
    problems = []
    for (r, c), win in zip(case["poolCells"], js["poolWindows"]):
        step = steps[r * width + c]
        same = (win["rows"] == step.rows.tolist() and win["cols"] == step.cols.tolist()
                and win["inside"] == step.inside.tolist()
                and _same(win["values"], step.values, True)
                and win["divisor"] == step.divisor
                and _same([step.result], [expected["pool"][r][c]], True))
        if not same:
            problems.append(f"pool window ({r}, {c}) differs from pool2d_steps")
    return problems


REPR_JS = "(values) => values.map((v) => window.engine.repr(v))"


@pytest.mark.browser
def test_engine_writes_values_as_python_does(engine_page):
    """Messages quote values with Python's repr: floats, strings, tuples, None, True."""
    rng = np.random.default_rng(SEED + 1)
    floats = [float(x) for x in rng.normal(0, 1, 300) * 10.0 ** rng.integers(-30, 30, 300)]
    floats += [0.1, 1e-5, 1e-4, 1e16, 1e15 + 0.5, 9007199254740993.0, 5e-324, 1.7976931348623157e308,
               -2.5, 123456789.125]
    texts = STRANGE_TEXT + ["".join(chr(int(c)) for c in rng.integers(32, 0x2FF, 12))
                            for _ in range(50)]
    values = floats + texts + [None, True, False, [1, 2], [3], [], [[1, 2], [3, 4]]]
    got = engine_page.evaluate(REPR_JS, values)
    want = [repr(_from_json(v)) for v in values]
    bad = [(v, g, w) for v, g, w in zip(values, got, want) if g != w]
    assert not bad, bad[:10]
