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
    from convdocs.figures import examples  # the figures' own face crop
    assert np.array_equal(by_name["photo"], examples.face())
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
    from convdocs.figures import style
    hook = _load("playground_hook", ROOT / "docs" / "hooks" / "playground.py")

    class Config:
        site_dir = str(tmp_path)
        config_file_path = str(ROOT / "mkdocs.yml")

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

@pytest.fixture(scope="module")
def browser():
    yield from site_server.launch_chromium("playground", CHROME_ARGS)


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


BIG_JS = """
({config, big}) => {
  // Whole numbers beyond 2**53, as the page passes what a reader typed: BigInts.
  const set = (obj, key, index) => {
    const text = index === null ? obj[key] : obj[key][index];
    const value = BigInt(text);
    if (index === null) obj[key] = value; else obj[key][index] = value;
  };
  for (const [where, key, index] of big) set(where === "pool" ? config.pool : config, key, index);
  return window.engine.evaluate(config, %s).error;
}
""" % json.dumps(LIMITS)


def test_engine_refuses_huge_whole_numbers_as_python_does(engine_page):
    """Ints beyond 2**53 (BigInts in the engine) get the messages Python's ints get."""
    huge = 10 ** 20 + 7
    base = {"image": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernel": [[1, 0], [0, -1]],
            "pool": {"op": "avg", "size": 1}}
    cases = []
    for where, key in [("conv", "stride"), ("conv", "dilation"), ("conv", "padding"),
                       ("pool", "size"), ("pool", "stride"), ("pool", "padding")]:
        for value in (huge, -huge, [huge, 1], [1, -huge], [2, huge, 3]):
            cases.append((where, key, value))
    for where, key, value in cases:
        config = json.loads(json.dumps(base))
        target = config["pool"] if where == "pool" else config
        target[key] = value
        want = playground.evaluate(config)["error"]
        text = ([str(v) for v in value] if isinstance(value, list) else str(value))
        target[key] = text
        indices = ([i for i, v in enumerate(value) if abs(v) > 2 ** 53]
                   if isinstance(value, list) else [None])
        for i, v in enumerate(value if isinstance(value, list) else []):
            if abs(v) <= 2 ** 53:
                text[i] = v
        got = engine_page.evaluate(BIG_JS, {"config": config,
                                            "big": [[where, key, i] for i in indices]})
        assert want is not None and got == want, (where, key, value, got, want)


# ---------------------------------------------------------------------------
# The built page

@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    return site_server.build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def server(built_site):
    with site_server.SiteServer(built_site) as srv:
        yield srv


class Watch:
    """Requests and console errors of one page."""

    def __init__(self, page):
        self.page, self.requests, self.errors = page, [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"HTTP {r.status} {r.url}"))

    def foreign(self):
        return [u for u in self.requests if urlsplit(u).scheme not in ("data", "blob", "about")
                and urlsplit(u).hostname != "127.0.0.1"]

    def check(self):
        assert not self.errors, self.errors
        assert not self.foreign(), self.foreign()


def _site_url() -> str:
    import re
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return re.search(r"^site_url:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE).group(1)


def open_playground(context, server) -> Watch:
    page = context.new_page()
    watch = Watch(page)
    page.goto(server.url("playground/"), wait_until="load")
    wait_ready(page)
    return watch


def wait_ready(page):
    page.wait_for_function("(() => { const el = document.querySelector('[data-playground]');"
                           " return el && el.playground && el.dataset.mounted === 'ready'; })()",
                           timeout=15000)


STATE_JS = """() => {
  const pg = document.querySelector('[data-playground]').playground;
  const s = pg.state;
  return {config: s.config, selected: s.selected, error: s.result && s.result.error,
          sum: document.querySelector('#pg-sum').dataset.sum,
          summary: document.querySelector('#pg-summary').textContent,
          tables: document.querySelector('#pg-tables').textContent,
          message: (document.querySelector('#pg-message [data-library-message]') || {}).textContent
                   || null};
}"""


def _library_step(config, r, c):
    steps = convdocs.conv2d_steps(config["image"], config["kernel"], **_conv_args(config))
    width = len(playground.evaluate(config)["conv"][0])
    return steps[r * width + c]


@pytest.mark.browser
def test_page_loads_offline_and_shows_the_library_numbers(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        watch = open_playground(context, server)
        state = watch.page.evaluate(STATE_JS)
        assert state["error"] is None
        assert state["config"]["image"] == images.grid().astype(int).tolist()
        assert state["config"]["kernel"] == kernels.VERTICAL_EDGES.astype(int).tolist()
        r, c = state["selected"]["r"], state["selected"]["c"]
        step = _library_step(state["config"], r, c)
        assert float(state["sum"]) == step.result
        assert f"({r}, {c})" in state["summary"]
        size = watch.page.locator("#pg-output-size").inner_text()
        assert "= 26" in size and "\u230a" in size  # the size rule, written out with numbers
        assert any(u.endswith("/assets/playground/presets.json") for u in watch.requests)
        watch.check()
    finally:
        context.close()


def _tab_to(page, selector, limit=120):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.browser
def test_keyboard_only(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        watch = open_playground(context, server)
        page = watch.page
        _tab_to(page, "#pg-image")
        page.keyboard.press("ArrowDown")            # the next sample image: the smiley
        _tab_to(page, "#pg-preset")
        page.keyboard.press("ArrowDown")            # the next kernel: horizontal edges
        state = page.evaluate(STATE_JS)
        assert state["config"]["image"] == images.smiley().astype(int).tolist()
        assert np.array_equal(state["config"]["kernel"], kernels.HORIZONTAL_EDGES)
        _tab_to(page, ".pg-kcell[data-r='1'][data-c='1']")
        page.keyboard.press("Control+A")
        page.keyboard.type("5")                     # a custom kernel
        _tab_to(page, "#pg-output-focus")
        page.keyboard.press("PageUp")
        page.keyboard.press("Home")
        seen = []
        for key in ("ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown", "ArrowDown"):
            page.keyboard.press(key)
            seen.append(page.evaluate(STATE_JS))
        final = seen[-1]
        assert final["config"]["kernel"][1][1] == 5
        assert (final["selected"]["r"], final["selected"]["c"]) == (3, 2)
        assert "Output cell (3, 2)" in final["summary"]
        for state in seen:  # every move shows that cell's products and sum, the library's
            r, c = state["selected"]["r"], state["selected"]["c"]
            assert float(state["sum"]) == _library_step(state["config"], r, c).result
        assert len({s["tables"] for s in seen}) > 1   # the products changed along the way
        watch.check()
    finally:
        context.close()


OVERFLOW_JS = """() => {
  const w = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('.pg *')].filter(
    (el) => el.getBoundingClientRect().right > w + 1).map((el) => el.tagName + '#' + el.id);
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 5)};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_layout(browser, server, scheme):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, color_scheme=scheme)
    try:
        watch = open_playground(context, server)
        page = watch.page
        layouts = []
        layouts.append(page.evaluate(OVERFLOW_JS))
        page.select_option("#pg-image", "photo")
        page.select_option("#pg-krows", "7")
        page.select_option("#pg-kcols", "7")
        page.select_option("#pg-pool", "avg")
        page.fill("#pg-stride", "2, 1")
        page.select_option("#pg-padding", "number")
        page.fill("#pg-padding-n", "3")
        assert page.evaluate(STATE_JS)["error"] is None
        layouts.append(page.evaluate(OVERFLOW_JS))
        page.select_option("#pg-image", "smiley")      # a small map: numbers in the cells
        page.select_option("#pg-pool", "none")
        box = page.locator("#pg-output-canvas").bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] - 5, box["y"] + box["height"] - 5)
        state = page.evaluate(STATE_JS)
        assert (state["selected"]["r"], state["selected"]["c"]) != (0, 0)
        layouts.append(page.evaluate(OVERFLOW_JS))
        for layout in layouts:
            assert layout["scrollWidth"] <= PHONE["width"], layout
        watch.check()
    finally:
        context.close()


@pytest.mark.browser
def test_refusals_in_the_library_words(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        watch = open_playground(context, server)
        page = watch.page
        for field, text in [("#pg-stride", "0"), ("#pg-stride", "1e308"),
                            ("#pg-dilation", "-2"), ("#pg-dilation", "0, 1")]:
            page.fill(field, text)
            state = page.evaluate(STATE_JS)
            with np.errstate(all="ignore"):
                expected = playground.evaluate(state["config"])["error"]
            assert expected is not None and state["message"] == expected["message"], (text, state)
            page.fill(field, "1")
        page.fill("#pg-stride", "2")                  # "same" needs stride 1
        state = page.evaluate(STATE_JS)
        assert state["message"] == "padding='same' needs stride 1 (got stride=(2, 2))"
        page.fill("#pg-stride", "1")
        page.fill(".pg-kcell[data-r='0'][data-c='0']", "")   # not a number: the page's own words
        assert "is empty" in page.locator("#pg-message").inner_text()
        page.fill(".pg-kcell[data-r='0'][data-c='0']", "NaN")
        state = page.evaluate(STATE_JS)
        assert state["message"] == "kernel must be finite (got nan at index (0, 0))"
        page.fill(".pg-kcell[data-r='0'][data-c='0']", "1e308")   # overflow, then ReLU refuses
        page.fill(".pg-kcell[data-r='1'][data-c='0']", "1e308")
        page.check("#pg-relu")
        state = page.evaluate(STATE_JS)
        assert state["error"]["stage"] == "relu"
        with np.errstate(all="ignore"):
            assert state["message"] == playground.evaluate(state["config"])["error"]["message"]
        watch.check()
    finally:
        context.close()


def _png(path, array):
    from PIL import Image
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)
    return path


@pytest.mark.browser
def test_own_image(browser, server, tmp_path):
    rng = np.random.default_rng(SEED + 2)
    small = _png(tmp_path / "small.png", rng.integers(0, 256, (60, 100, 3)))  # 6,000 colours
    big = _png(tmp_path / "big.png", rng.integers(0, 256, (200, 300, 3)))
    text = tmp_path / "notes.png"
    text.write_text("not an image at all")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        watch = open_playground(context, server)
        page = watch.page
        root = page.locator("[data-playground]")
        page.set_input_files("#pg-file", str(small))
        # "reading" while the browser decodes it, then what came of it
        page.wait_for_function("['loaded', 'scaled', 'failed'].includes(document"
                               ".querySelector('[data-playground]').dataset.ownImage)")
        assert root.get_attribute("data-own-image") == "loaded"
        state = page.evaluate(STATE_JS)
        # the same grey levels as convdocs.load_image (Pillow's "L" conversion), exactly
        assert np.array_equal(state["config"]["image"], convdocs.load_image(small))
        assert "not scaled" in page.locator("#pg-image-note").inner_text()

        page.set_input_files("#pg-file", str(big))
        page.wait_for_function("document.querySelector('[data-playground]').dataset.ownImage"
                               " === 'scaled'")
        note = page.locator("#pg-image-note").inner_text()
        assert "scaled down" in note and "85 \u00d7 128" in note and "200 \u00d7 300" in note
        assert np.shape(page.evaluate(STATE_JS)["config"]["image"]) == (85, 128)

        page.set_input_files("#pg-file", str(text))
        page.wait_for_function("document.querySelector('[data-playground]').dataset.ownImage"
                               " === 'failed'")
        assert "could not be read as an image" in page.locator("#pg-image-note").inner_text()
        watch.check()
    finally:
        context.close()


@pytest.mark.browser
def test_instant_navigation_mounts_the_playground(browser, server, built_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        watch = Watch(page)
        # Material navigates instantly only to URLs of sitemap.xml, compared with the port;
        # the built sitemap names the published host, so point it at this server, as the
        # published site's own sitemap points at the published site.
        sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
        local = sitemap.replace(_site_url(), server.base_url)
        page.route("**/sitemap.xml", lambda route: route.fulfill(
            status=200, content_type="application/xml", body=local))
        page.goto(server.url("what-filters-see/"), wait_until="load")
        page.evaluate("window.__same_document = true")
        page.locator("nav.md-nav--primary a[href$='playground/']").first.click()
        wait_ready(page)
        assert page.evaluate("window.__same_document === true"), "a full reload, not instant"
        page.locator("nav.md-nav--primary a[href$='pooling/']").first.click()
        page.wait_for_selector("h1#pooling")
        page.go_back()
        page.wait_for_function("document.querySelector('[data-playground]') !== null")
        wait_ready(page)
        assert page.evaluate("window.__same_document === true")
        state = page.evaluate(STATE_JS)
        assert state["error"] is None and state["sum"] is not None
        assert page.locator("#pg-image option").count() == len(playground.presets()["images"])
        watch.check()
    finally:
        context.close()


# ---------------------------------------------------------------------------
# Review fixes: transparency, typed numbers, failed and overlapping uploads, focus

def _rgba_png(path, rng):
    """16 x 16 random colours, each row with pixels fully transparent, opaque and in between;
    the top left 4 x 4 as the review found it: white, transparent but for (0, 0) (opaque)
    and (1, 1) (alpha 128)."""
    from PIL import Image
    a = rng.integers(0, 256, (16, 16, 4)).astype(np.uint8)
    a[:, ::3, 3] = 0
    a[:, 1::3, 3] = 255
    a[:4, :4] = (255, 255, 255, 0)
    a[0, 0, 3] = 255
    a[1, 1, 3] = 128
    Image.fromarray(a, "RGBA").save(path)
    return path


@pytest.mark.browser
def test_own_image_with_transparency_is_laid_over_white(browser, server, tmp_path):
    path = _rgba_png(tmp_path / "clear.png", np.random.default_rng(SEED + 4))
    with pytest.raises(images.ImageFileError):
        convdocs.load_image(path)                       # the library wants to be told
    expected = convdocs.load_image(path, alpha="white")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        watch = open_playground(context, server)
        page = watch.page
        page.set_input_files("#pg-file", files=[{"name": "clear.png", "mimeType": "image/png",
                                                 "buffer": path.read_bytes()}])
        page.wait_for_function("document.querySelector('[data-playground]').dataset.ownImage"
                               " === 'loaded'")
        got = np.array(page.evaluate(STATE_JS)["config"]["image"], dtype=float)
        # Opaque and fully transparent pixels must match exactly. A half-transparent pixel
        # is blended by the browser's canvas (Skia, which may premultiply colour by alpha
        # in 8 bits first) and by Pillow's alpha_composite from straight colour: two
        # integer roundings that need not agree, so one grey level is allowed there
        # (Debian's Chromium matched all 77 such pixels here exactly).
        from PIL import Image
        with Image.open(path) as img:
            alpha = np.asarray(img)[..., 3]
        full = (alpha == 0) | (alpha == 255)
        assert np.array_equal(got[full], expected[full]), (got, expected)
        assert np.abs(got - expected).max() <= 1, (got, expected)
        assert got[0, :4].tolist() == [255] * 4      # transparent is white here, not black
        note = page.locator("#pg-image-note").inner_text()
        assert "transparen" in note and "alpha='white'" in note, note
        watch.check()
    finally:
        context.close()


def _typed(text):
    """What a reader who types `text` into a number field means, in Python: ints (of any
    size), floats, and a tuple for several numbers."""
    tokens = [t for t in text.replace(",", " ").split()]
    values = [int(t) if t.lstrip("+-").isdigit() else float(t) for t in tokens]
    return values[0] if len(values) == 1 else tuple(values)


@pytest.mark.browser
def test_number_fields_refuse_in_the_library_words_for_what_was_typed(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        watch = open_playground(context, server)
        page = watch.page
        base = page.evaluate(STATE_JS)["config"]
        cases = [("#pg-stride", "stride", "99999999999999999999"),
                 ("#pg-stride", "stride", "-99999999999999999999"),
                 ("#pg-stride", "stride", "1.5"),
                 ("#pg-stride", "stride", "2,3,4"),
                 ("#pg-stride", "stride", "1e308"),
                 ("#pg-stride", "stride", "1e3"),
                 ("#pg-dilation", "dilation", "2, 1.5"),
                 ("#pg-padding-n", "padding", "1.5"),
                 ("#pg-padding-n", "padding", "99999999999999999999, 2")]
        page.select_option("#pg-padding", "number")
        page.fill("#pg-padding-n", "1")
        base = page.evaluate(STATE_JS)["config"]
        for field, key, text in cases:
            page.fill(field, text)
            config = dict(base, **{key: _typed(text)})
            with np.errstate(all="ignore"):
                expected = playground.evaluate(config)["error"]
            assert expected is not None, text
            # the library's words, or the playground's limit in the words evaluate() uses
            message = page.locator("#pg-message span")
            assert message.count() == 1, (text, page.locator("#pg-message").inner_text())
            assert message.inner_text() == expected["message"], text
            assert (message.get_attribute("data-library-message") is not None) == (
                expected["stage"] != "limits"), text
            page.fill(field, "1")
        for field, name, text in [("#pg-stride", "Stride", "abc"),
                                  ("#pg-padding-n", "Padding", "abc"),
                                  ("#pg-padding-n", "Padding", ""),
                                  ("#pg-dilation", "Dilation", "2, x")]:
            page.fill(field, text)
            shown = page.locator("#pg-message").inner_text()
            assert name in shown and "data-library-message" not in page.inner_html("#pg-message")
            assert (f"\u201c{text}\u201d" in shown) if text else ("empty" in shown), shown
            assert page.get_attribute(field, "aria-invalid") == "true"
            assert "pg-message" in page.get_attribute(field, "aria-describedby")
            page.fill(field, "1")
            assert page.get_attribute(field, "aria-invalid") is None
        assert page.evaluate(STATE_JS)["error"] is None
        watch.check()
    finally:
        context.close()


SLOW_DECODE_JS = """
(() => {
  // Decoding a file named slow.png takes 800 ms longer: a second upload chosen meanwhile
  // finishes first, as a small file after a large one does.
  const original = window.createImageBitmap;
  window.__slowDone = false;
  window.createImageBitmap = async function (source, ...rest) {
    if (source && source.name === "slow.png") {
      await new Promise((resolve) => setTimeout(resolve, 800));
      try { return await original.call(window, source, ...rest); }
      finally { setTimeout(() => { window.__slowDone = true; }, 50); }
    }
    return original.call(window, source, ...rest);
  };
})();
"""


@pytest.mark.browser
def test_failed_and_overlapping_uploads_leave_the_page_consistent(browser, server, tmp_path):
    rng = np.random.default_rng(SEED + 3)
    small = _png(tmp_path / "small.png", rng.integers(0, 256, (20, 30, 3)))
    wide = _png(tmp_path / "wide.png", rng.integers(0, 256, (43, 128, 3)))
    slow = _png(tmp_path / "slow.png", rng.integers(0, 256, (10, 12, 3)))
    fast = _png(tmp_path / "fast.png", rng.integers(0, 256, (14, 9, 3)))
    text = tmp_path / "notes.txt"
    text.write_text("not an image at all")
    broken = tmp_path / "broken.png"
    broken.write_bytes(small.read_bytes()[:60])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(SLOW_DECODE_JS)
    own = "document.querySelector('[data-playground]').dataset.ownImage"
    try:
        watch = open_playground(context, server)
        page = watch.page

        def selected_label():
            return page.evaluate("(() => { const s = document.querySelector('#pg-image');"
                                 " return s.options[s.selectedIndex].textContent; })()")

        page.set_input_files("#pg-file", str(small))
        page.wait_for_function(f"{own} === 'loaded'")
        assert page.input_value("#pg-file") == ""      # the same file can be chosen again
        page.set_input_files("#pg-file", str(wide))
        page.wait_for_function(f"{own} === 'loaded' && document.querySelector('#pg-image')"
                               ".selectedOptions[0].textContent.includes('43')")
        assert selected_label() == "Your image (43 \u00d7 128)"
        for bad in (text, broken):
            page.evaluate(f"delete {own}")
            page.set_input_files("#pg-file", str(bad))
            page.wait_for_function(f"{own} === 'failed'")
            note = page.locator("#pg-image-note").inner_text()
            assert f"{bad.name} could not be read" in note and "not used" in note, note
            assert "Your image (43 \u00d7 128)" in note, note   # what the page still shows
            assert selected_label() == "Your image (43 \u00d7 128)"
            state = page.evaluate(STATE_JS)
            assert np.array_equal(state["config"]["image"], convdocs.load_image(wide))
            assert page.input_value("#pg-file") == ""
        # A sample image chosen, then a failed upload: the sample stays, and says so.
        page.select_option("#pg-image", "smiley")
        page.set_input_files("#pg-file", str(text))
        page.wait_for_function(f"{own} === 'failed'")
        assert "The smiley" in page.locator("#pg-image-note").inner_text()
        assert page.evaluate(STATE_JS)["config"]["image"] == images.smiley().astype(int).tolist()
        page.select_option("#pg-image", "own")
        assert "wide.png" in page.locator("#pg-image-note").inner_text()

        # Two uploads in quick succession: the one chosen last wins, not the last decoded.
        page.set_input_files("#pg-file", str(slow))
        page.set_input_files("#pg-file", str(fast))
        page.wait_for_function("window.__slowDone === true")
        page.wait_for_timeout(100)
        state = page.evaluate(STATE_JS)
        assert np.array_equal(state["config"]["image"], convdocs.load_image(fast))
        assert "fast.png" in page.locator("#pg-image-note").inner_text()
        assert selected_label() == "Your image (14 \u00d7 9)"
        watch.check()
    finally:
        context.close()


@pytest.mark.browser
def test_focusing_a_map_announces_the_selected_cell(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        watch = open_playground(context, server)
        page = watch.page
        assert page.locator("#pg-announce").inner_text() == ""
        _tab_to(page, "#pg-output-focus")
        announced = page.locator("#pg-announce").inner_text()
        summary = page.locator("#pg-summary").inner_text()
        assert summary and announced.startswith(summary), (announced, summary)
        page.fill(".pg-kcell[data-r='0'][data-c='0']", "x")
        cell = page.locator(".pg-kcell[data-r='0'][data-c='0']")
        assert cell.get_attribute("aria-invalid") == "true"
        assert cell.get_attribute("aria-describedby") == "pg-message"
        page.fill(".pg-kcell[data-r='0'][data-c='0']", "1")
        assert cell.get_attribute("aria-describedby") is None
        watch.check()
    finally:
        context.close()
