"""Transposed convolution: sizes, adjointness, a scatter reference, PyTorch, traces, errors.

The expectations come from outside the code under test: Dumoulin & Visin's closed
forms (derived by hand in the comments), the adjoint identity with conv2d, a naive
scatter-add written here from the definition, and PyTorch (stored answers from
tests/data/make_transpose_reference.py, plus a live run when torch is installed).
"""

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from strategies import SETTINGS, configs

import convdocs
from convdocs import conv2d
from convdocs.arithmetic import output_size, transposed_output_size
from convdocs.transpose import (conv_transpose2d, conv_transpose2d_steps,
                                plan_conv_transpose2d)

DATA = Path(__file__).parent / "data"
REFERENCE = DATA / "transpose_reference.npz"
PACKAGE_DIR = Path(convdocs.__file__).resolve().parent


# ---------------------------------------------------------------------------------------
# (a) Sizes: Dumoulin & Visin's relationships 8-14 and their transposed animations
# ---------------------------------------------------------------------------------------

# (name, i', k, s, p, a, d, o'). i' is the transposed convolution's input, o' its output;
# s, p, d describe the direct convolution (PyTorch's meaning), a is output_padding.
DV_TABLE = [
    # Relationship 8, no padding, unit strides: o' = i' + (k - 1).
    # Animation: the direct (4, 3, p=0, s=1) -> 2 transposes to 2 -> 2 + 2 = 4.
    ("r8_animation", 2, 3, 1, 0, 0, 1, 4),
    ("r8_k4", 5, 4, 1, 0, 0, 1, 8),                 # 5 + 3 = 8
    ("r8_k1", 3, 1, 1, 0, 0, 1, 3),                 # 3 + 0 = 3
    # Relationship 9, zero padding, unit strides: o' = i' + (k - 1) - 2p.
    # Animation: the direct (5, 4, p=2) -> 6 transposes to 6 -> 6 + 3 - 4 = 5.
    ("r9_animation", 6, 4, 1, 2, 0, 1, 5),
    ("r9_k5_p1", 4, 5, 1, 1, 0, 1, 6),              # 4 + 4 - 2 = 6
    # Relationship 10, half padding (k = 2n + 1, p = n): o' = i'.
    # Animation: the direct (5, 3, p=1) -> 5 transposes to 5 -> 5.
    ("r10_animation", 5, 3, 1, 1, 0, 1, 5),
    ("r10_k7", 4, 7, 1, 3, 0, 1, 4),
    # Relationship 11, full padding (p = k - 1): o' = i' - (k - 1).
    # Animation: the direct (5, 3, p=2) -> 7 transposes to 7 -> 7 - 2 = 5.
    ("r11_animation", 7, 3, 1, 2, 0, 1, 5),
    ("r11_k4", 9, 4, 1, 3, 0, 1, 6),                # 9 - 3 = 6
    # Relationship 12, no padding, strides: o' = s(i' - 1) + k.
    # Animation: the direct (5, 3, p=0, s=2) -> 2 transposes to 2 -> 2*1 + 3 = 5.
    ("r12_animation", 2, 3, 2, 0, 0, 1, 5),
    ("r12_s3_k2", 3, 2, 3, 0, 0, 1, 8),             # 3*2 + 2 = 8
    # Relationship 13, padding and strides: o' = s(i' - 1) + k - 2p.
    # Animation: the direct (5, 3, p=1, s=2) -> 3 transposes to 3 -> 2*2 + 3 - 2 = 5.
    ("r13_animation", 3, 3, 2, 1, 0, 1, 5),
    ("r13_s3_k4", 4, 4, 3, 1, 0, 1, 11),            # 3*3 + 4 - 2 = 11
    # Relationship 14, the odd case: o' = s(i' - 1) + a + k - 2p, a = (i + 2p - k) mod s.
    # Animation: the direct (6, 3, p=1, s=2) -> 3 has a = (6 + 2 - 3) mod 2 = 1,
    # and 3 -> 2*2 + 1 + 3 - 2 = 6. Without a it would come back as 5.
    ("r14_animation", 3, 3, 2, 1, 1, 1, 6),
    # direct (7, 3, p=0, s=3) -> floor(4/3) + 1 = 2, a = 4 mod 3 = 1: 3*1 + 1 + 3 = 7
    ("r14_s3_a1", 2, 3, 3, 0, 1, 1, 7),
    # direct (8, 3, p=0, s=3) -> floor(5/3) + 1 = 2, a = 5 mod 3 = 2: 3*1 + 2 + 3 = 8
    ("r14_s3_a2", 2, 3, 3, 0, 2, 1, 8),
    # Dilation (their relationship 15, transposed): the direct (7, 3, p=0, d=2) -> 3 spans
    # 5 cells, so 3 -> (3 - 1) + 5 = 7.
    ("dilation_animation", 3, 3, 1, 0, 0, 2, 7),
]


@pytest.mark.parametrize("name, i, k, s, p, a, d, o", DV_TABLE, ids=[r[0] for r in DV_TABLE])
def test_dv_transposed_sizes(name, i, k, s, p, a, d, o):
    assert transposed_output_size(i, k, stride=s, padding=p, output_padding=a, dilation=d) == o
    out = conv_transpose2d(np.ones((i, i)), np.ones((k, k)), stride=s, padding=p,
                           output_padding=a, dilation=d)
    assert out.shape == (o, o)
    # Non-square: rows use the row's configuration, columns a fixed 2 -> 2 + 1 = 3 (r8).
    rect = conv_transpose2d(np.ones((i, 2)), np.ones((k, 2)), stride=(s, 1), padding=(p, 0),
                            output_padding=(a, 0), dilation=(d, 1))
    assert rect.shape == (o, 3)
    # And the direct convolution takes o' back to i' (output_size is tested on its own).
    assert output_size(o, k, stride=s, padding=p, dilation=d) == i


def test_dv_closed_forms_over_a_range():
    # Each relationship written as the paper states it, for many sizes.
    for i in range(1, 10):
        for k in range(1, 7):
            assert transposed_output_size(i, k) == i + (k - 1)                          # 8
            for p in range(0, k):
                if i + (k - 1) - 2 * p >= 1:
                    assert transposed_output_size(i, k, padding=p) == i + (k - 1) - 2 * p  # 9
            if k % 2:
                assert transposed_output_size(i, k, padding=k // 2) == i               # 10
            if i > k - 1:
                assert transposed_output_size(i, k, padding=k - 1) == i - (k - 1)      # 11
            for s in range(1, 5):
                assert transposed_output_size(i, k, stride=s) == s * (i - 1) + k        # 12
                for p in range(0, 3):
                    for a in range(0, s):
                        o = s * (i - 1) + a + k - 2 * p                                 # 13, 14
                        if o >= 1:
                            got = transposed_output_size(i, k, stride=s, padding=p,
                                                         output_padding=a)
                            assert got == o, (i, k, s, p, a)


@pytest.mark.parametrize("s", [2, 3, 4])
def test_output_padding_picks_among_the_inputs_a_stride_merges(s):
    # D&V's remark: i = 2s + 1 .. 3s all give o = 3 with k = 3, p = 1 (i + 2p - k = 2s .. 3s - 1),
    # and a = (i + 2p - k) mod s = i - 2s - 1 tells the transpose which one to give back.
    for i in range(2 * s + 1, 3 * s + 1):
        assert output_size(i, 3, stride=s, padding=1) == 3
        a = (i + 2 - 3) % s
        assert a == i - 2 * s - 1
        assert conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), stride=s, padding=1,
                                output_padding=a).shape == (i, i)


@pytest.mark.parametrize("i, k, s, p, a, d, o", [
    # Beyond D&V: PyTorch also accepts output_padding < dilation when it is >= stride.
    (3, 3, 1, 0, 1, 2, 8),     # (3 - 1)*1 + 2*(3 - 1) + 1 + 1 = 8
    (2, 2, 2, 0, 2, 3, 8),     # (2 - 1)*2 + 3*(2 - 1) + 2 + 1 = 8
    (4, 2, 1, 1, 2, 3, 7),     # (4 - 1)*1 - 2 + 3*(2 - 1) + 2 + 1 = 7
])
def test_output_padding_below_dilation_is_allowed(i, k, s, p, a, d, o):
    assert transposed_output_size(i, k, stride=s, padding=p, output_padding=a, dilation=d) == o
    assert conv_transpose2d(np.ones((i, 2)), np.ones((k, 1)), stride=(s, 1), padding=(p, 0),
                            output_padding=(a, 0), dilation=(d, 1)).shape == (o, 2)


# ---------------------------------------------------------------------------------------
# (b) The transposed convolution is the adjoint of conv2d
# ---------------------------------------------------------------------------------------

seeds = st.integers(0, 2**32 - 1)
some_channels = (0, 0, 1, 2, 3)


def direct(max_side=8, channels=some_channels):
    """A conv2d configuration whose transpose these tests check (zero padding, 2-D kernel)."""
    return configs("conv", max_side=max_side, modes=("zeros",), channels=channels,
                   kernel_channels=False)


def output_padding_back(cfg):
    """The output_padding that brings the direct convolution's input size back: it drops
    (n + 2p - d(k - 1) - 1) mod s cells at the end."""
    kw = cfg.kwargs
    return tuple((n + 2 * p - d * (k - 1) - 1) % s for n, k, s, p, d in
                 zip(cfg.shape, cfg.kernel, kw["stride"], kw["padding"], kw["dilation"]))


def without_mode(kwargs):
    return {k: v for k, v in kwargs.items() if k != "padding_mode"}


@SETTINGS
@given(cfg=direct(), seed=seeds)
def test_adjoint_inner_products_on_random_configs(cfg, seed):
    x, k = cfg.arrays(seed)
    kw, a = without_mode(cfg.kwargs), output_padding_back(cfg)
    cx = conv2d(x, k, **kw)
    y = np.random.default_rng(seed + 1).normal(size=cx.shape)
    ty = conv_transpose2d(y, k, output_padding=a, **kw)
    assert ty.shape == x.shape
    lhs, rhs = np.vdot(cx, y), np.vdot(x, ty)
    scale = np.abs(cx).sum() * np.abs(y).max() + 1.0
    assert abs(lhs - rhs) <= 1e-12 * scale, (lhs, rhs)


@settings(SETTINGS, max_examples=25)
@given(cfg=direct(max_side=6, channels=(0,)), seed=seeds)
def test_adjoint_matrices_are_exact_transposes(cfg, seed):
    # The matrix of conv2d, column by column from unit inputs, and that of conv_transpose2d:
    # each entry is one kernel weight times 1 plus exact zeros, so they agree exactly.
    shape, (_, k) = cfg.shape, cfg.arrays(seed)
    kw, a = without_mode(cfg.kwargs), output_padding_back(cfg)
    n = int(np.prod(shape))
    forward = np.stack([conv2d(np.eye(n)[j].reshape(shape), k, **kw).ravel()
                        for j in range(n)], axis=1)
    out_shape = conv2d(np.zeros(shape), k, **kw).shape
    m = int(np.prod(out_shape))
    backward = np.stack([conv_transpose2d(np.eye(m)[j].reshape(out_shape), k,
                                          output_padding=a, **kw).ravel()
                         for j in range(m)], axis=1)
    np.testing.assert_array_equal(backward, forward.T)


# ---------------------------------------------------------------------------------------
# (c) Against a naive scatter-add, and by hand
# ---------------------------------------------------------------------------------------

def scatter_reference(x, k, stride, padding, output_padding, dilation):
    """The definition: every input cell adds value * kernel at stride positions; crop padding.

    The full scatter has (n - 1)s + d(k - 1) + 1 cells; output_padding appends zero cells
    at the end, and padding removes p cells from each side.
    """
    (sh, sw), (ph, pw), (ah, aw), (dh, dw) = stride, padding, output_padding, dilation
    h, w = x.shape[:2]
    kh, kw = k.shape
    full = np.zeros(((h - 1) * sh + dh * (kh - 1) + 1 + ah,
                     (w - 1) * sw + dw * (kw - 1) + 1 + aw) + x.shape[2:])
    for i in range(h):
        for j in range(w):
            for u in range(kh):
                for v in range(kw):
                    full[i * sh + u * dh, j * sw + v * dw] += x[i, j] * k[u, v]
    return full[ph: full.shape[0] - ph, pw: full.shape[1] - pw]


def transposed(max_side=6, channels=some_channels):
    """Any configuration PyTorch accepts: output_padding up to max(stride, dilation) - 1,
    padding beyond d(k - 1) (the equivalent convolution then crops)."""
    return configs("transpose", max_side=max_side, max_dilation=3, max_padding=4,
                   channels=channels)


def out_sizes(cfg):
    """(n - 1)s - 2p + d(k - 1) + a + 1 along each axis: PyTorch's documented formula."""
    kw = cfg.kwargs
    return tuple((n - 1) * s - 2 * p + d * (k - 1) + a + 1 for n, k, s, p, a, d in
                 zip(cfg.shape, cfg.kernel, kw["stride"], kw["padding"], kw["output_padding"],
                     kw["dilation"]))


def crops(cfg):
    """Padding beyond d(k - 1) on some axis: the equivalent convolution crops its input."""
    kw = cfg.kwargs
    return any(p > d * (k - 1) for p, d, k in zip(kw["padding"], kw["dilation"], cfg.kernel))


def uncovers(cfg):
    """output_padding >= stride on some axis (allowed because it is below the dilation)."""
    return any(a >= s for a, s in zip(cfg.kwargs["output_padding"], cfg.kwargs["stride"]))


@SETTINGS
@given(cfg=transposed(), seed=seeds)
def test_matches_scatter_reference_on_random_configs(cfg, seed):
    x, k = cfg.arrays(seed)
    kw = cfg.kwargs
    got = conv_transpose2d(x, k, **kw)
    want = scatter_reference(x, k, kw["stride"], kw["padding"], kw["output_padding"],
                             kw["dilation"])
    assert got.shape == want.shape == out_sizes(cfg) + cfg.shape[2:]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("regime", [crops, uncovers])
def test_the_random_configs_reach_the_unusual_regimes(regime):
    # Each regime is a few percent of the configurations: the search finds one quickly.
    find(transposed(), regime, settings=settings(database=None, max_examples=1000))


def test_known_answer_counts_overlaps():
    # 2x2 ones, 3x3 kernel of ones, stride 1: cell (r, c) of the 4x4 output is covered by
    # the copies of inputs (i, j) with 0 <= r - i <= 2 and 0 <= c - j <= 2. Along one axis
    # that is 1, 2, 2, 1 inputs for r = 0..3, so the output is their outer product.
    got = conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)))
    np.testing.assert_array_equal(got, np.outer([1, 2, 2, 1], [1, 2, 2, 1]))


def test_known_answer_stride_2():
    # [[1, 2], [3, 4]] scattered as 3x3 blocks of ones starting 2 apart: the blocks of
    # 1 and 2 overlap in column 2 (1 + 2 = 3), those of 1 and 3 in row 2 (1 + 3 = 4),
    # and all four in the centre: 10.
    got = conv_transpose2d([[1, 2], [3, 4]], np.ones((3, 3)), stride=2)
    np.testing.assert_array_equal(got, [[1, 1, 3, 2, 2],
                                        [1, 1, 3, 2, 2],
                                        [4, 4, 10, 6, 6],
                                        [3, 3, 7, 4, 4],
                                        [3, 3, 7, 4, 4]])
    # padding=1 removes the border ring; output_padding=1 brings back row 4 and column 4.
    np.testing.assert_array_equal(
        conv_transpose2d([[1, 2], [3, 4]], np.ones((3, 3)), stride=2, padding=1,
                         output_padding=1),
        [[1, 3, 2, 2], [4, 10, 6, 6], [3, 7, 4, 4], [3, 7, 4, 4]])


def test_known_answer_kernel_is_not_flipped_in_the_scatter():
    # One input pixel scatters the kernel as it is, not rotated: a 1x1 input of 2 gives
    # 2 * kernel. (The rotation only appears in the equivalent direct convolution.)
    k = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(conv_transpose2d([[2.0]], k), 2 * k)
    # With dilation 2, zeros appear between the taps: [[1, 0, 2, 0, 3], [0...], [4, 0, 5, 0, 6]].
    np.testing.assert_array_equal(conv_transpose2d([[1.0]], k, dilation=2),
                                  [[1, 0, 2, 0, 3], [0, 0, 0, 0, 0], [4, 0, 5, 0, 6]])


def test_channels_are_independent():
    rng = np.random.default_rng(11)
    x, k = rng.normal(size=(3, 4, 3)), rng.normal(size=(2, 3))
    kw = dict(stride=(2, 1), padding=(1, 1), output_padding=(1, 0), dilation=(1, 2))
    out = conv_transpose2d(x, k, **kw)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], conv_transpose2d(x[..., c], k, **kw))


# ---------------------------------------------------------------------------------------
# (d) PyTorch
# ---------------------------------------------------------------------------------------

def load_reference():
    with np.load(REFERENCE, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    return arrays, json.loads(str(arrays.pop("configs")))


ARRAYS, CONFIGS = load_reference()


def as_kwargs(stored):
    return {key: tuple(value) for key, value in stored.items()}


def test_reference_file_is_small_and_covers_the_features():
    assert REFERENCE.stat().st_size < 100_000
    assert len(CONFIGS) >= 40
    kwargs = [as_kwargs(c["kwargs"]) for c in CONFIGS]
    images = [ARRAYS[f"{c['key']}_image"] for c in CONFIGS]
    kernels = [ARRAYS[f"{c['key']}_kernel"] for c in CONFIGS]
    assert sum(max(k["output_padding"]) > 0 for k in kwargs) >= 8
    assert any(a >= s for k in kwargs for a, s in zip(k["output_padding"], k["stride"]))
    assert sum(max(k["dilation"]) > 1 for k in kwargs) >= 8
    assert sum(k["stride"][0] != k["stride"][1] for k in kwargs) >= 5
    assert sum(x.shape[0] != x.shape[1] for x in images) >= 10
    assert sum(k.shape[0] != k.shape[1] for k in kernels) >= 10
    assert sum(x.ndim == 3 for x in images) >= 3
    assert any(p > d * (n - 1) for kw, k in zip(kwargs, kernels)
               for p, d, n in zip(kw["padding"], kw["dilation"], k.shape))


@pytest.mark.parametrize("case", CONFIGS, ids=[f"{c['key']}-{c['name']}" for c in CONFIGS])
def test_matches_stored_torch_output(case):
    key = case["key"]
    got = conv_transpose2d(ARRAYS[f"{key}_image"], ARRAYS[f"{key}_kernel"],
                           **as_kwargs(case["kwargs"]))
    expected = ARRAYS[f"{key}_expected"]
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_matches_live_torch():
    pytest.importorskip("torch")
    spec = importlib.util.spec_from_file_location("make_transpose_reference",
                                                  DATA / "make_transpose_reference.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = np.random.default_rng(12)
    compared = refused = 0
    for _ in range(400):
        # Any small configuration, including ones both should refuse.
        h, w = (int(n) for n in rng.integers(1, 7, size=2))
        shape = (h, w) + ((int(rng.integers(1, 4)),) if rng.random() < 0.3 else ())
        k = rng.normal(size=tuple(int(n) for n in rng.integers(1, 5, size=2)))
        stride = tuple(int(n) for n in rng.integers(1, 4, size=2))
        dilation = tuple(int(n) for n in rng.integers(1, 3, size=2))
        # output_padding up to max(stride, dilation): one past what PyTorch allows
        kw = dict(stride=stride, padding=tuple(int(n) for n in rng.integers(0, 4, size=2)),
                  output_padding=tuple(int(rng.integers(0, max(s, d) + 1))
                                       for s, d in zip(stride, dilation)),
                  dilation=dilation)
        x = rng.normal(size=shape)
        try:
            got = conv_transpose2d(x, k, **kw)
        except ValueError:
            refused += 1
            with pytest.raises(RuntimeError):   # refused where torch refuses
                gen.torch_conv_transpose(x, k, kw)
            continue
        want = gen.torch_conv_transpose(x, k, kw)
        assert got.shape == want.shape, (shape, k.shape, kw)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=str(kw))
        compared += 1
    assert compared >= 100 and refused >= 50


# ---------------------------------------------------------------------------------------
# (e) The equivalent convolution and its step trace
# ---------------------------------------------------------------------------------------

def expected_stretched(x, kshape, stride, padding, output_padding, dilation):
    """D&V's picture cell by cell: s - 1 zeros between inputs, d(k - 1) - p zeros (or a crop)
    on each side, and output_padding more zeros at the bottom and right."""
    sides = [d * (k - 1) - p for k, p, d in zip(kshape, padding, dilation)]
    size = [(n - 1) * s + 1 + 2 * q + a
            for n, s, q, a in zip(x.shape[:2], stride, sides, output_padding)]
    values = np.zeros(tuple(size) + x.shape[2:])
    index = np.full(tuple(size) + (2,), -1)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            r, c = sides[0] + i * stride[0], sides[1] + j * stride[1]
            if 0 <= r < size[0] and 0 <= c < size[1]:
                values[r, c] = x[i, j]
                index[r, c] = (i, j)
    return values, index


def test_plan_draws_dv_odd_case():
    # D&V figure 4.7: i = 6, k = 3, s = 2, p = 1 transposed. The 3x3 input stretches to
    # 5x5 (one zero between cells), is padded by k - p - 1 = 1 on each side (7x7) and by
    # a = 1 more at the bottom and right: 8x8, with the inputs at rows/cols 1, 3, 5.
    x = np.arange(9.0).reshape(3, 3)   # x[0, 0] = 0 is an input cell all the same
    plan = plan_conv_transpose2d(x, np.ones((3, 3)), stride=2, padding=1, output_padding=1)
    assert plan.stretched.shape == (8, 8)
    assert plan.pads == ((1, 2), (1, 2))
    expected_mask = np.zeros((8, 8), dtype=bool)
    expected_mask[1:6:2, 1:6:2] = True
    np.testing.assert_array_equal(plan.is_input, expected_mask)
    np.testing.assert_array_equal(plan.stretched[1:6:2, 1:6:2], x)
    assert plan.stretched.sum() == x.sum()
    assert plan.input_index[5, 3].tolist() == [2, 1] and plan.input_index[7, 7].tolist() == [-1, -1]
    assert plan.out_shape == (6, 6)


def test_plan_crops_when_padding_exceeds_kernel_span():
    # Columns: k = 2, p = 3, s = 2, so d(k - 1) - p = -2: two cells are cut off each side
    # of the 7-cell stretched row [x0 0 x1 0 x2 0 x3], leaving [x1 0 x2]. A 2-tap window
    # over 3 cells gives 2 outputs, as o' = (4 - 1)*2 - 2*3 + (2 - 1) + 1 = 2 says.
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    plan = plan_conv_transpose2d(x, [[5.0, 7.0]], stride=(1, 2), padding=(0, 3))
    np.testing.assert_array_equal(plan.stretched, [[2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(plan.is_input, [[True, False, True]])
    assert plan.input_index[0, :, 1].tolist() == [1, -1, 2]
    assert plan.pads == ((0, 0), (-2, -2))
    # Scatter: 1, 2, 3, 4 put [5, 7] at columns 0, 2, 4, 6 of a 8-wide row:
    # [5, 7, 10, 14, 15, 21, 20, 28]; cropping 3 each side leaves [14, 15].
    np.testing.assert_array_equal(conv_transpose2d(x, [[5.0, 7.0]], stride=(1, 2),
                                                   padding=(0, 3)), [[14.0, 15.0]])


def test_plan_is_read_only():
    plan = plan_conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), stride=2)
    for array in (plan.stretched, plan.is_input, plan.input_index, plan.kernel):
        with pytest.raises(ValueError):
            array[0, 0] = 1


@SETTINGS
@given(cfg=transposed(), seed=seeds)
def test_stretched_and_maps_on_random_configs(cfg, seed):
    shape, kshape, kw = cfg.shape, cfg.kernel, cfg.kwargs
    x, k = cfg.arrays(seed)
    x = x + 3.0   # no input is 0
    plan = plan_conv_transpose2d(x, k, **kw)
    values, index = expected_stretched(x, kshape, **kw)
    np.testing.assert_array_equal(plan.stretched, values)
    np.testing.assert_array_equal(plan.input_index, index)
    np.testing.assert_array_equal(plan.is_input, index[..., 0] >= 0)
    rows, cols = np.nonzero(plan.is_input)
    # every marked cell holds exactly the input value it points to; all others are 0
    ii, jj = plan.input_index[rows, cols].T
    np.testing.assert_array_equal(plan.stretched[rows, cols], x[ii, jj])
    assert not plan.stretched[~plan.is_input].any()
    # s - 1 zeros between neighbouring inputs, along each axis
    marked_rows = np.flatnonzero(plan.is_input.any(axis=1))
    marked_cols = np.flatnonzero(plan.is_input.any(axis=0))
    assert set(np.diff(marked_rows)) <= {kw["stride"][0]}
    assert set(np.diff(marked_cols)) <= {kw["stride"][1]}
    # the kernel rotated by 180 degrees
    kh, kwid = kshape
    for i in range(kh):
        for j in range(kwid):
            assert plan.kernel[i, j] == k[kh - 1 - i, kwid - 1 - j]
    # nothing is cropped unless padding exceeds d(k - 1) on that axis
    if all(p <= d * (n - 1) for p, d, n in zip(kw["padding"], kw["dilation"], kshape)):
        assert plan.is_input.sum() == shape[0] * shape[1]


@SETTINGS
@given(cfg=transposed(), seed=seeds)
def test_steps_agree_with_output_exactly(cfg, seed):
    kshape, kw, sizes = cfg.kernel, cfg.kwargs, out_sizes(cfg)
    x, k = cfg.arrays(seed)
    out = conv_transpose2d(x, k, **kw)
    plan = plan_conv_transpose2d(x, k, **kw)
    steps = conv_transpose2d_steps(x, k, **kw)
    # The documented equivalence: the same numbers as conv2d on the stretched input.
    assert np.array_equal(conv2d(plan.stretched, plan.kernel, dilation=kw["dilation"]), out)
    oh, ow = sizes
    assert len(steps) == oh * ow
    dh, dw = kw["dilation"]
    weights = plan.kernel if x.ndim == 2 else plan.kernel[..., None]
    for n, step in enumerate(steps):
        r, c = divmod(n, ow)
        assert step.index == n and step.out == (r, c)
        assert np.array_equal(step.result, out[r, c])
        # window coordinates are coordinates in `stretched`, stride 1
        np.testing.assert_array_equal(step.rows, r + np.arange(kshape[0]) * dh)
        np.testing.assert_array_equal(step.cols, c + np.arange(kshape[1]) * dw)
        window = np.ix_(step.rows, step.cols)
        assert np.array_equal(step.values, plan.stretched[window])
        assert np.array_equal(step.products, step.values * weights)
        assert step.inside.all()


def test_first_steps_by_hand():
    # [[1, 2], [3, 4]] with kernel [[1, 2], [3, 4]], stride 1: the stretched input is the
    # image with one zero around it, the flipped kernel [[4, 3], [2, 1]]. The first window
    # covers only input 1 (weight 1): 1. The middle one: 1*4 + 2*3 + 3*2 + 4*1 = 20.
    steps = conv_transpose2d_steps([[1, 2], [3, 4]], [[1, 2], [3, 4]])
    assert [s.result for s in steps] == [1, 4, 4, 6, 20, 16, 9, 24, 16]
    assert steps[4].products.tolist() == [[4, 6], [6, 4]]


# ---------------------------------------------------------------------------------------
# (f) Bad input
# ---------------------------------------------------------------------------------------

X = np.ones((3, 3))
K = np.ones((3, 3))


def with_nan():
    x = np.ones((4, 5))
    x[1, 2] = np.nan
    return x


CASES = [
    # --- output_padding: PyTorch wants output_padding < stride or < dilation, per axis ---
    ("output_padding_equals_stride", lambda: conv_transpose2d(X, K, stride=2, output_padding=2),
     ValueError, r"\boutput_padding\b", r"output_padding=\(2, 2\)"),
    ("output_padding_with_stride_1", lambda: conv_transpose2d(X, K, output_padding=1),
     ValueError, r"\boutput_padding\b", r"output_padding=\(1, 1\)"),
    ("output_padding_not_below_dilation", lambda: conv_transpose2d(X, K, dilation=2,
                                                                   output_padding=(0, 2)),
     ValueError, r"\boutput_padding\b.*\bcols\b", r"output_padding=\(0, 2\)"),
    ("output_padding_negative", lambda: conv_transpose2d(X, K, stride=2, output_padding=-1),
     ValueError, r"\boutput_padding\b", r"\(got -1\)"),
    ("output_padding_float", lambda: conv_transpose2d(X, K, stride=2, output_padding=0.5),
     TypeError, r"\boutput_padding\b", r"\(got 0\.5\)"),
    ("output_padding_triple", lambda: conv_transpose2d(X, K, output_padding=(0, 0, 0)),
     ValueError, r"\boutput_padding\b", r"\(0, 0, 0\)"),
    # --- padding, stride, dilation ---
    ("padding_negative", lambda: conv_transpose2d(X, K, padding=-1), ValueError,
     r"\bpadding\b", r"\(got -1\)"),
    ("padding_pair_negative", lambda: conv_transpose2d(X, K, padding=(1, -2)), ValueError,
     r"\bpadding\b", r"\(got -2\)"),
    ("padding_word", lambda: conv_transpose2d(X, K, padding="same"), TypeError,
     r"\bpadding\b", r"'same'"),
    # 3x3 input, 3x3 kernel: (3 - 1) - 2p + 2 + 1 = 5 - 2p < 1 from p = 3 on
    ("padding_empties_output", lambda: conv_transpose2d(X, K, padding=3), ValueError,
     r"\bpadding\b", r"padding=\(3, 3\).*size -1 along rows"),
    # 2 columns, 1-wide kernel: (2 - 1) - 2*1 + 0 + 1 = 0 columns exactly
    ("padding_empties_output_exactly", lambda: conv_transpose2d(np.ones((4, 2)), [[1.0]],
                                                                padding=(0, 1)),
     ValueError, r"\bpadding\b", r"padding=\(0, 1\).*size 0 along cols"),
    ("stride_0", lambda: conv_transpose2d(X, K, stride=0), ValueError, r"\bstride\b",
     r"\(got 0\)"),
    ("stride_float", lambda: conv_transpose2d(X, K, stride=1.5), TypeError, r"\bstride\b",
     r"\(got 1\.5\)"),
    ("dilation_0", lambda: conv_transpose2d(X, K, dilation=(1, 0)), ValueError,
     r"\bdilation\b", r"\(got 0\)"),
    # --- arrays ---
    ("image_1d", lambda: conv_transpose2d([1, 2, 3], K), ValueError, r"\bimage\b", r"\(3,\)"),
    ("image_4d", lambda: conv_transpose2d(np.ones((2, 2, 2, 2)), K), ValueError, r"\bimage\b",
     r"\(2, 2, 2, 2\)"),
    ("kernel_1d", lambda: conv_transpose2d(X, [1, 2]), ValueError, r"\bkernel\b", r"\(2,\)"),
    ("kernel_4d", lambda: conv_transpose2d(X, np.ones((1, 1, 1, 1))), ValueError,
     r"\bkernel\b", r"\(1, 1, 1, 1\)"),
    ("kernel_3d", lambda: conv_transpose2d(np.ones((3, 3, 2)), np.ones((3, 3, 2))), ValueError,
     r"\bkernel\b", r"not supported.*\(3, 3, 2\)"),
    ("kernel_3d_gray_image", lambda: conv_transpose2d(X, np.ones((2, 2, 1))), ValueError,
     r"\bkernel\b", r"transposed.*\(2, 2, 1\)"),
    ("image_nan", lambda: conv_transpose2d(with_nan(), K), ValueError, r"\bimage\b",
     r"nan.*\(1, 2\)"),
    ("kernel_inf", lambda: conv_transpose2d(X, [[1.0, np.inf]]), ValueError, r"\bkernel\b",
     r"inf.*\(0, 1\)"),
    ("image_string", lambda: conv_transpose2d("abc", K), TypeError, r"\bimage\b", r"'abc'"),
    ("image_empty", lambda: conv_transpose2d(np.zeros((0, 3)), K), ValueError, r"\bimage\b",
     r"\(0, 3\)"),
    # --- the plan and the trace validate the same way ---
    ("plan_validates", lambda: plan_conv_transpose2d(X, K, stride=2, output_padding=3),
     ValueError, r"\boutput_padding\b", r"output_padding=\(3, 3\)"),
    ("steps_validate", lambda: conv_transpose2d_steps(X, K, stride=0), ValueError,
     r"\bstride\b", r"\(got 0\)"),
    # --- transposed_output_size ---
    ("size_output_padding_equals_stride",
     lambda: transposed_output_size(3, 3, stride=2, output_padding=2), ValueError,
     r"\boutput_padding\b", r"output_padding=2\b"),
    ("size_output_padding_equals_dilation",
     lambda: transposed_output_size(3, 3, dilation=2, output_padding=2), ValueError,
     r"\boutput_padding\b", r"output_padding=2\b"),
    ("size_output_padding_negative", lambda: transposed_output_size(3, 3, output_padding=-1),
     ValueError, r"\boutput_padding\b", r"\(got -1\)"),
    ("size_padding_empties_output", lambda: transposed_output_size(3, 3, padding=3),
     ValueError, r"\bpadding\b", r"padding=3\b.*size -1"),
    # 2 cells, 1-wide kernel, padding 1: (2 - 1) - 2 + 0 + 1 = 0, empty
    ("size_padding_empties_output_exactly", lambda: transposed_output_size(2, 1, padding=1),
     ValueError, r"\bpadding\b", r"padding=1\b.*size 0\b"),
    ("size_n_0", lambda: transposed_output_size(0, 3), ValueError, r"\bn\b", r"\(got 0\)"),
    ("size_stride_0", lambda: transposed_output_size(3, 3, stride=0), ValueError,
     r"\bstride\b", r"\(got 0\)"),
    ("size_k_float", lambda: transposed_output_size(3, 2.0), TypeError, r"\bk\b",
     r"\(got 2\.0\)"),
]


def innermost_file(tb):
    while tb.tb_next is not None:
        tb = tb.tb_next
    return Path(tb.tb_frame.f_code.co_filename).resolve()


@pytest.mark.parametrize("call, error, name, value", [pytest.param(*row[1:], id=row[0])
                                                      for row in CASES])
def test_bad_input_is_refused_clearly(call, error, name, value):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert type(info.value) is error, message
    assert re.search(name, message), f"parameter name {name!r} not in: {message}"
    assert re.search(value, message), f"value {value!r} not in: {message}"
    origin = innermost_file(info.tb)   # a guard clause in convdocs, not numpy further in
    assert PACKAGE_DIR in origin.parents, f"raised from {origin}: {message}"
