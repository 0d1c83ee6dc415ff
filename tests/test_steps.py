"""Step traces: one Step per output cell, bit-identical to the operation's output.

The figures draw Step.values, Step.products and Step.result next to the output
of conv2d or the pooling functions, so a trace must agree with them exactly,
not just to rounding: every comparison of numbers here is ==, never allclose.
"""

import numpy as np
import pytest

from convdocs import avg_pool2d, conv2d, conv2d_steps, max_pool2d, pool2d_steps

MODES = ("zeros", "reflect", "replicate", "circular")


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


def leading_pad(padding, k, d):
    """Padding above/left of the input along one axis, given convdocs' padding argument."""
    if padding == "valid":
        return 0
    if padding == "full":
        return d * (k - 1)
    if padding == "same":
        return d * (k - 1) // 2   # the odd cell of an even span goes below/right
    return padding


def random_conv_case(rng):
    while True:
        h, w = (int(n) for n in rng.integers(1, 8, size=2))
        channels = (int(rng.integers(1, 4)),) if rng.random() < 0.4 else ()
        kh, kw = (int(n) for n in rng.integers(1, 5, size=2))
        dil = tuple(int(n) for n in rng.integers(1, 3, size=2))
        mode = str(rng.choice(MODES))
        roll = rng.random()
        if roll < 0.2:
            padding, stride = "same", (1, 1)
        else:
            padding = "full" if roll < 0.3 else "valid" if roll < 0.4 else \
                tuple(int(n) for n in rng.integers(0, 4, size=2))
            stride = tuple(int(n) for n in rng.integers(1, 4, size=2))
        pads = [leading_pad(p, k, d) for p, k, d in
                zip(padding if isinstance(padding, tuple) else (padding, padding), (kh, kw), dil)]
        widest = [d * (k - 1) - p if padding == "same" else p   # the wider side
                  for p, k, d in zip(pads, (kh, kw), dil)]
        if mode == "reflect" and (widest[0] >= h or widest[1] >= w):
            continue
        if mode == "circular" and (widest[0] > h or widest[1] > w):
            continue
        spans = [(k - 1) * d + 1 for k, d in zip((kh, kw), dil)]
        totals = [2 * p if padding != "same" else d * (k - 1)
                  for p, k, d in zip(pads, (kh, kw), dil)]
        if spans[0] > h + totals[0] or spans[1] > w + totals[1]:
            continue
        kernel = (kh, kw) + channels if channels and rng.random() < 0.5 else (kh, kw)
        x = rng.normal(size=(h, w) + channels)
        k = rng.normal(size=kernel)
        return x, k, dict(stride=stride, padding=padding, dilation=dil, padding_mode=mode), pads


CONV_CASES = [random_conv_case(np.random.default_rng(seed)) for seed in range(150)]


@pytest.mark.parametrize("seed", range(0, 150, 10))
def test_conv_steps_agree_with_conv2d(seed):
    for x, k, kwargs, pads in CONV_CASES[seed: seed + 10]:
        check_conv_trace(x, k, kwargs, pads)


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


def random_pool_case(rng):
    while True:
        h, w = (int(n) for n in rng.integers(1, 8, size=2))
        channels = (int(rng.integers(1, 4)),) if rng.random() < 0.4 else ()
        size = tuple(int(n) for n in rng.integers(1, 5, size=2))
        padding = tuple(int(rng.integers(0, s // 2 + 1)) for s in size)
        if size[0] > h + 2 * padding[0] or size[1] > w + 2 * padding[1]:
            continue
        kwargs = dict(size=size, stride=tuple(int(n) for n in rng.integers(1, 4, size=2)),
                      padding=padding, ceil_mode=bool(rng.random() < 0.5))
        op = "max" if rng.random() < 0.5 else "avg"
        if op == "avg":
            kwargs["count_include_pad"] = bool(rng.random() < 0.5)
        return rng.normal(size=(h, w) + channels), op, kwargs


POOL_CASES = [random_pool_case(np.random.default_rng(1000 + seed)) for seed in range(200)]


def overlap(start, stop, lo, hi):
    return max(0, min(stop, hi) - max(start, lo))


@pytest.mark.parametrize("seed", range(0, 200, 20))
def test_pool_steps_agree_with_pooling(seed):
    for x, op, kwargs in POOL_CASES[seed: seed + 20]:
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
