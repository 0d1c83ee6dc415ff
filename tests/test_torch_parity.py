"""convdocs gives PyTorch's numbers.

The stored tests need no torch: they replay answers that tests/data/make_torch_reference.py
stored from torch.nn.functional, including the one deliberate difference. The live tests
run torch when it is installed.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from convdocs import avg_pool2d, conv2d, max_pool2d

DATA = Path(__file__).parent / "data"
REFERENCE = DATA / "torch_reference.npz"


def load_reference():
    with np.load(REFERENCE, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    configs = json.loads(str(arrays.pop("configs")))
    refused = json.loads(str(arrays.pop("refused_configs")))
    return arrays, configs, refused


ARRAYS, CONFIGS, REFUSED = load_reference()


def as_kwargs(stored: dict) -> dict:
    """JSON turned the tuples into lists; convdocs takes either, but keep them tuples."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()}


def run_convdocs(op, image, kernel, kwargs):
    if op == "conv":
        return conv2d(image, kernel, **kwargs)
    kwargs = dict(kwargs)
    size = kwargs.pop("size")
    return (max_pool2d if op == "max" else avg_pool2d)(image, size, **kwargs)


def test_reference_file_is_small_and_complete():
    assert REFERENCE.stat().st_size < 200_000
    assert len(CONFIGS) >= 40
    ops = {c["op"] for c in CONFIGS}
    assert ops == {"conv", "max", "avg"}
    conv = [as_kwargs(c["kwargs"]) for c in CONFIGS if c["op"] == "conv"]
    assert {k["padding_mode"] for k in conv} == {"zeros", "reflect", "replicate", "circular"}
    assert any(k["padding"] == "same" for k in conv)


@pytest.mark.parametrize("case", CONFIGS, ids=[f"{c['key']}-{c['name']}" for c in CONFIGS])
def test_matches_stored_torch_output(case):
    key = case["key"]
    image, expected = ARRAYS[f"{key}_image"], ARRAYS[f"{key}_expected"]
    got = run_convdocs(case["op"], image, ARRAYS.get(f"{key}_kernel"), as_kwargs(case["kwargs"]))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def load_generator():
    spec = importlib.util.spec_from_file_location("make_torch_reference",
                                                  DATA / "make_torch_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_live_case(rng, op):
    """Any small configuration, including ones convdocs deliberately refuses."""
    h, w = (int(n) for n in rng.integers(1, 9, size=2))
    channels = (int(rng.integers(1, 4)),) if rng.random() < 0.4 else ()
    stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
    if op == "conv":
        k = tuple(int(n) for n in rng.integers(1, 6, size=2))
        mode = str(rng.choice(["zeros", "reflect", "replicate", "circular"]))
        dil = tuple(int(n) for n in rng.integers(1, 3, size=2))
        if rng.random() < 0.25:
            pad, stride = "same", (1, 1)
        elif rng.random() < 0.1:
            pad = "full"
        else:
            pad = tuple(int(n) for n in rng.integers(0, 5, size=2))
        kernel = k + channels if channels and rng.random() < 0.5 else k
        return dict(image=(h, w) + channels, kernel=kernel,
                    kwargs=dict(stride=stride, padding=pad, dilation=dil, padding_mode=mode))
    size = tuple(int(n) for n in rng.integers(1, 5, size=2))
    kwargs = dict(size=size, stride=stride,
                  padding=tuple(int(rng.integers(0, s // 2 + 1)) for s in size),
                  ceil_mode=bool(rng.random() < 0.5))
    if op == "avg":
        kwargs["count_include_pad"] = bool(rng.random() < 0.5)
    return dict(image=(h, w) + channels, kernel=None, kwargs=kwargs)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("op", ["conv", "max", "avg"])
def test_matches_live_torch(op):
    pytest.importorskip("torch")
    gen = load_generator()
    rng = np.random.default_rng({"conv": 1, "max": 2, "avg": 3}[op])
    compared = refused = 0
    for _ in range(400):
        case = random_live_case(rng, op)
        x = rng.normal(size=case["image"])
        k = None if case["kernel"] is None else rng.normal(size=case["kernel"])
        kwargs = case["kwargs"]
        c = {**gen.DEFAULTS, **kwargs, "op": op}
        try:
            got = run_convdocs(op, x, k, kwargs)
        except ValueError as exc:
            refused += 1
            assert "needs padding" in str(exc) or "larger than the padded input" in str(exc), exc
            if op == "conv":   # convdocs refuses a convolution only where torch does too
                with pytest.raises(RuntimeError):   # torch's "Padding size should be ..." etc.
                    gen.torch_conv(x, k, c)
            # Pooling windows larger than the padded input are refused deliberately,
            # although torch accepts some of them with ceil_mode.
            continue
        want = gen.torch_conv(x, k, c) if op == "conv" else gen.torch_pool(x, c)
        assert got.shape == want.shape, (case, x.shape)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=str(case))
        compared += 1
    assert compared >= 200   # most configurations are valid ones


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_torch_accepts_some_windows_convdocs_refuses(case):
    # The one deliberate difference: a pooling window larger than the padded input. With
    # ceil_mode torch keeps one window hanging off the edge (its stored answer, e.g. [[1]]
    # for a 2-wide window on a 1-wide input); convdocs refuses with a clear error.
    image, answer = ARRAYS[f"{case['key']}_image"], ARRAYS[f"{case['key']}_torch"]
    assert answer.shape == (1, 1) and np.isfinite(answer).all()
    kwargs = as_kwargs(case["kwargs"])
    assert kwargs["ceil_mode"] and any(s > n + 2 * p for s, n, p in zip(
        kwargs["size"], image.shape, kwargs["padding"]))
    with pytest.raises(ValueError, match=r"^size=.* is larger than the padded input"):
        run_convdocs(case["op"], image, None, kwargs)


def test_stored_differences_are_what_torch_does_now():
    pytest.importorskip("torch")
    gen = load_generator()
    for case in REFUSED:
        c = {**gen.DEFAULTS, **as_kwargs(case["kwargs"]), "op": case["op"]}
        np.testing.assert_array_equal(gen.torch_pool(ARRAYS[f"{case['key']}_image"], c),
                                      ARRAYS[f"{case['key']}_torch"], err_msg=case["name"])
