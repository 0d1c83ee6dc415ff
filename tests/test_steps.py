"""Step traces: one Step per output cell, bit-identical to the operation's output.

The figures draw Step.values, Step.products and Step.result next to the output
of conv2d or the pooling functions, so a trace must agree with them exactly,
not just to rounding: every comparison of numbers here is ==, never allclose.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import MODES, SETTINGS, configs

from convdocs import avg_pool2d, conv2d, conv2d_steps, max_pool2d, pool2d_steps

seeds = st.integers(0, 2**32 - 1)
some_channels = (0, 0, 1, 2, 3)     # half the images 2-D, the others with 1 to 3 channels


def source(i, n, mode):
    """Which input index a (possibly padded) index i reads, per PyTorch's padding modes.

    None means a padded zero. Written from the definitions, not from numpy.pad:
    reflect mirrors about the edge pixel (-1 -> 1), replicate repeats the edge pixel,
    circular wraps around.
    """
    if 0 <= i < n:
        return i
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if i < 0 else n - 1
    if mode == "circular":
        return i % n
    return -i if i < 0 else 2 * (n - 1) - i   # reflect, valid for padding < n


@SETTINGS
@given(cfg=configs("conv", channels=some_channels, words=True), seed=seeds)
def test_conv_steps_agree_with_conv2d(cfg, seed):
    x, k = cfg.arrays(seed)
    check_conv_trace(x, k, cfg.kwargs, [cfg.pads[0][0], cfg.pads[1][0]])


def check_conv_trace(x, k, kwargs, pads):
    out = conv2d(x, k, **kwargs)
    steps = conv2d_steps(x, k, **kwargs)
    oh, ow = out.shape[:2]
    assert len(steps) == oh * ow
    (sh, sw), (dh, dw) = kwargs["stride"], kwargs["dilation"]
    kh, kw = k.shape[:2]
    h, w = x.shape[:2]
    mode = kwargs["padding_mode"]
    weights = k if k.ndim == 3 or x.ndim == 2 else k[..., None]
    for i, step in enumerate(steps):
        r, c = divmod(i, ow)                         # reading order, row by row
        assert step.index == i and step.out == (r, c)
        np.testing.assert_array_equal(step.rows, r * sh - pads[0] + np.arange(kh) * dh)
        np.testing.assert_array_equal(step.cols, c * sw - pads[1] + np.arange(kw) * dw)
        np.testing.assert_array_equal(
            step.inside, np.logical_and.outer((step.rows >= 0) & (step.rows < h),
                                              (step.cols >= 0) & (step.cols < w)))
        expected_values = np.zeros((kh, kw) + x.shape[2:])
        for a, row in enumerate(step.rows):
            for b, col in enumerate(step.cols):
                sr, sc = source(row, h, mode), source(col, w, mode)
                if sr is not None and sc is not None:
                    expected_values[a, b] = x[sr, sc]
        assert np.array_equal(step.values, expected_values)
        assert np.array_equal(step.products, expected_values * weights)
        # The sum of the products, added one at a time in tap order: (row, column, channel)
        # for a 3-D filter, (row, column) per channel for a 2-D kernel.
        terms = step.products.reshape((-1,) if k.ndim == 3 else (kh * kw,) + x.shape[2:])
        acc = terms[0]
        for term in terms[1:]:
            acc = acc + term
        if np.ndim(out[r, c]) == 0:
            assert isinstance(step.result, float)
        assert np.array_equal(step.result, out[r, c])
        assert np.array_equal(acc, step.result)


@pytest.mark.parametrize("mode", MODES)
def test_conv_steps_bit_identical_on_awkward_numbers(mode):
    # Values spanning many magnitudes make the summation order visible in the last bits.
    rng = np.random.default_rng(99)
    x = rng.normal(size=(6, 7, 3)) * 10.0 ** rng.integers(-8, 9, size=(6, 7, 3))
    for k in (rng.normal(size=(3, 3, 3)) * 10.0 ** rng.integers(-8, 9, size=(3, 3, 3)),
              rng.normal(size=(2, 3)) * 10.0 ** rng.integers(-8, 9, size=(2, 3))):
        out = conv2d(x, k, padding="same", padding_mode=mode)
        steps = conv2d_steps(x, k, padding="same", padding_mode=mode)
        results = np.array([s.result for s in steps])
        assert np.array_equal(results.reshape(out.shape), out)


def overlap(start, stop, lo, hi):
    return max(0, min(stop, hi) - max(start, lo))


@SETTINGS
@given(cfg=configs("pool", channels=some_channels), seed=seeds,
       op=st.sampled_from(["max", "avg"]), include=st.booleans())
def test_pool_steps_agree_with_pooling(cfg, seed, op, include):
    x, _ = cfg.arrays(seed)
    kwargs = dict(cfg.kwargs, **({"count_include_pad": include} if op == "avg" else {}))
    check_pool_trace(x, op, kwargs)


def check_pool_trace(x, op, kwargs):
    kwargs = dict(kwargs)
    size = kwargs.pop("size")
    out = (max_pool2d if op == "max" else avg_pool2d)(x, size, **kwargs)
    steps = pool2d_steps(x, size, op=op, **kwargs)
    oh, ow = out.shape[:2]
    assert len(steps) == oh * ow
    (kh, kw), (sh, sw), (ph, pw) = size, kwargs["stride"], kwargs["padding"]
    h, w = x.shape[:2]
    for i, step in enumerate(steps):
        r, c = divmod(i, ow)
        assert step.index == i and step.out == (r, c)
        np.testing.assert_array_equal(step.rows, r * sh - ph + np.arange(kh))
        np.testing.assert_array_equal(step.cols, c * sw - pw + np.arange(kw))
        inside = np.logical_and.outer((step.rows >= 0) & (step.rows < h),
                                      (step.cols >= 0) & (step.cols < w))
        np.testing.assert_array_equal(step.inside, inside)
        assert inside.any()                    # every window holds a real pixel
        # Padded cells (and ceil_mode's overhang) hold -inf for max and 0 for avg.
        filler = -np.inf if op == "max" else 0.0
        expected_values = np.full((kh, kw) + x.shape[2:], filler)
        rr, cc = np.nonzero(inside)
        expected_values[rr, cc] = x[step.rows[rr], step.cols[cc]]
        assert np.array_equal(step.values, expected_values)
        assert step.products is None
        terms = step.values.reshape((kh * kw,) + x.shape[2:])
        if op == "max":
            assert step.divisor is None
            expected = terms.max(axis=0)       # max is exact whatever the order
        else:
            # PyTorch's divisor: the window's cells inside the padding, or inside the input.
            lo = (-ph, -pw) if kwargs["count_include_pad"] else (0, 0)
            hi = (h + ph, w + pw) if kwargs["count_include_pad"] else (h, w)
            divisor = (overlap(step.rows[0], step.rows[0] + kh, lo[0], hi[0])
                       * overlap(step.cols[0], step.cols[0] + kw, lo[1], hi[1]))
            assert step.divisor == divisor
            # The documented order: down each window column, then across the columns.
            columns = step.values[0]
            for row in step.values[1:]:
                columns = columns + row
            acc = columns[0]
            for column in columns[1:]:
                acc = acc + column
            expected = acc / divisor
        assert np.array_equal(step.result, expected)
        assert np.array_equal(step.result, out[r, c])
        if x.ndim == 2:
            assert isinstance(step.result, float)
        else:
            assert step.result.shape == x.shape[2:]


def test_known_first_step():
    # The known answer's first window: values [[0,1],[3,4]], products with [[0,1],[2,3]]
    # are [[0,1],[6,12]], summing to 19.
    first, *rest = conv2d_steps([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    assert first.values.tolist() == [[0, 1], [3, 4]]
    assert first.products.tolist() == [[0, 1], [6, 12]]
    assert first.result == 19
    assert first.coords == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [s.result for s in rest] == [25, 37, 43]


def test_padded_cells_marked_outside():
    # A 3x3 window on a 2x2 image with padding 1: the first window's top row and left
    # column are padding, so only its bottom-right 2x2 is inside.
    first = conv2d_steps(np.ones((2, 2)), np.ones((3, 3)), padding=1)[0]
    np.testing.assert_array_equal(first.inside, [[0, 0, 0], [0, 1, 1], [0, 1, 1]])
    np.testing.assert_array_equal(first.rows, [-1, 0, 1])
    assert first.result == 4


def test_pool_steps_odd_case_ceil_mode():
    # 5 columns, window 2, stride 2, ceil_mode: the last window covers column 4 and the
    # overhang column 5, which is marked outside and does not count.
    steps = pool2d_steps([[1, 2, 3, 4, 5]], (1, 2), op="avg", ceil_mode=True)
    assert [s.result for s in steps] == [1.5, 3.5, 5.0]
    assert steps[-1].inside.tolist() == [[True, False]]
    assert steps[-1].divisor == 1
