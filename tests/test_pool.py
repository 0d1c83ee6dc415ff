"""Pooling: answers worked out by hand, properties, global pools, channels."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS, configs

from convdocs import avg_pool2d, global_avg_pool, global_max_pool, max_pool2d

RAMP_4 = np.arange(16.0).reshape(4, 4)
# [[ 0  1  2  3]
#  [ 4  5  6  7]
#  [ 8  9 10 11]
#  [12 13 14 15]]
RAMP_5 = np.arange(25.0).reshape(5, 5)
# [[ 0  1  2  3  4]
#  [ 5  6  7  8  9]
#  [10 11 12 13 14]
#  [15 16 17 18 19]
#  [20 21 22 23 24]]


def test_max_pool_2x2_known_answer():
    # Windows {0,1,4,5} {2,3,6,7} {8,9,12,13} {10,11,14,15}: the largest is bottom-right.
    np.testing.assert_array_equal(max_pool2d(RAMP_4), [[5, 7], [13, 15]])


def test_avg_pool_2x2_known_answer():
    # (0+1+4+5)/4 = 2.5, (2+3+6+7)/4 = 4.5, (8+9+12+13)/4 = 10.5, (10+11+14+15)/4 = 12.5
    np.testing.assert_array_equal(avg_pool2d(RAMP_4), [[2.5, 4.5], [10.5, 12.5]])


def test_stride_defaults_to_size():
    np.testing.assert_array_equal(max_pool2d(RAMP_5, 2), max_pool2d(RAMP_5, 2, stride=2))
    np.testing.assert_array_equal(avg_pool2d(RAMP_5, 2), avg_pool2d(RAMP_5, 2, stride=2))


def test_overlapping_3x3_stride_2():
    # Windows start at rows/cols 0 and 2, so row/col 2 is shared by both. On a ramp
    # the max of a window is its bottom-right cell and the mean is its centre cell:
    # max: x[2,2]=12 x[2,4]=14 x[4,2]=22 x[4,4]=24; mean: x[1,1]=6 x[1,3]=8 x[3,1]=16 x[3,3]=18.
    np.testing.assert_array_equal(max_pool2d(RAMP_5, 3, stride=2), [[12, 14], [22, 24]])
    np.testing.assert_array_equal(avg_pool2d(RAMP_5, 3, stride=2), [[6, 8], [16, 18]])


def test_odd_size_floor_drops_last_row_and_column():
    # odd case: 5x5 with 2x2 windows: floor((5-2)/2)+1 = 2; row 4 and column 4 are unused.
    np.testing.assert_array_equal(max_pool2d(RAMP_5, 2), [[6, 8], [16, 18]])


def test_ceil_mode_keeps_partial_windows():
    # ceil_mode: rows and columns {0,1} {2,3} {4}; the last windows hold 2 or 1 cells.
    np.testing.assert_array_equal(max_pool2d(RAMP_5, 2, ceil_mode=True),
                                  [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    # The mean divides by the real cells only: (4+9)/2 = 6.5, (20+21)/2 = 20.5, 24/1 = 24.
    expected = [[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]]
    for include in (True, False):  # no padding here, so count_include_pad changes nothing
        np.testing.assert_array_equal(
            avg_pool2d(RAMP_5, 2, ceil_mode=True, count_include_pad=include), expected)


def test_padding_count_include_pad():
    # 2x2 ones, window 2, stride 2, padding 1: 2 windows per axis, each covering one real
    # cell and three padded zeros. With the pad counted: 1/4; without: 1/1.
    x = np.ones((2, 2))
    np.testing.assert_array_equal(avg_pool2d(x, 2, padding=1), np.full((2, 2), 0.25))
    np.testing.assert_array_equal(avg_pool2d(x, 2, padding=1, count_include_pad=False),
                                  np.ones((2, 2)))
    np.testing.assert_array_equal(max_pool2d(x, 2, padding=1), np.ones((2, 2)))


def test_3x3_stride_1_padding_1():
    # Each 3x3 window over [[1,2],[3,4]] padded by 1 holds all four pixels (sum 10) and
    # five padded cells: 10/9 counting the pad, 10/4 without, max 4.
    x = [[1, 2], [3, 4]]
    np.testing.assert_allclose(avg_pool2d(x, 3, stride=1, padding=1), np.full((2, 2), 10 / 9),
                               rtol=1e-15)
    np.testing.assert_array_equal(avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False),
                                  np.full((2, 2), 2.5))
    np.testing.assert_array_equal(max_pool2d(x, 3, stride=1, padding=1), np.full((2, 2), 4))


def test_max_pool_pads_with_minus_infinity():
    # Each window covers one real cell and three padded cells; padding with zeros
    # would wrongly give 0 everywhere for these negative values.
    x = [[-1, -2], [-3, -4]]
    np.testing.assert_array_equal(max_pool2d(x, 2, padding=1), x)


def test_ceil_mode_with_padding_uses_pytorch_divisor():
    # Row 1..6, window 3, stride 2, padding 1, ceil_mode: floor((6+2-3)/2)+1 = 3 windows,
    # ceil gives 4, and the 4th starts at column 5 (inside the input), so it stays.
    # Windows (column indices, -1 and 6 are padding, 7 is past the padding):
    #   {-1,0,1}: 0+1+2 = 3   counted with pad: 3/3 = 1   without: 3/2 = 1.5
    #   {1,2,3}:  9           9/3 = 3
    #   {3,4,5}:  15          15/3 = 5
    #   {5,6,7}:  6           PyTorch counts the pad (6) but not the overhang (7): 6/2 = 3;
    #                         without the pad: 6/1 = 6
    x = [[1, 2, 3, 4, 5, 6]]
    kw = dict(size=(1, 3), stride=(1, 2), padding=(0, 1), ceil_mode=True)
    np.testing.assert_array_equal(avg_pool2d(x, **kw), [[1, 3, 5, 3]])
    np.testing.assert_array_equal(avg_pool2d(x, **kw, count_include_pad=False), [[1.5, 3, 5, 6]])
    np.testing.assert_array_equal(max_pool2d(x, **kw), [[2, 4, 6, 6]])
    kw["ceil_mode"] = False
    np.testing.assert_array_equal(avg_pool2d(x, **kw), [[1, 3, 5]])


def test_rectangular_window():
    # size (1, 2): pairs along the row, {1, 5} and {2, 0}.
    np.testing.assert_array_equal(max_pool2d([[1, 5, 2, 0]], (1, 2)), [[5, 2]])
    np.testing.assert_array_equal(avg_pool2d([[1, 5, 2, 0]], (1, 2)), [[3, 1]])


def test_size_1_is_identity():
    x = np.random.default_rng(0).normal(size=(4, 5))
    np.testing.assert_array_equal(max_pool2d(x, 1), x)
    np.testing.assert_array_equal(avg_pool2d(x, 1), x)


def test_input_not_modified():
    x = RAMP_5.copy()
    max_pool2d(x, 2, padding=1, ceil_mode=True)
    avg_pool2d(x, 3, stride=2, padding=1)
    np.testing.assert_array_equal(x, RAMP_5)


# --- properties ---------------------------------------------------------------------------

def pool_config(padded=True, channels=(0, 1, 3)):
    return configs("pool", max_side=8, max_stride=4, channels=channels, padded=padded)


constants = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
seeds = st.integers(0, 2**32 - 1)


@SETTINGS
@given(cfg=pool_config(), c=constants)
def test_max_pool_of_constant_is_constant(cfg, c):
    out = max_pool2d(np.full(cfg.shape, c), **cfg.kwargs)
    assert (out == c).all()   # exact: max never rounds


@SETTINGS
@given(cfg=pool_config(), c=constants)
def test_avg_pool_without_pad_of_constant_is_constant(cfg, c):
    out = avg_pool2d(np.full(cfg.shape, c), **cfg.kwargs, count_include_pad=False)
    np.testing.assert_allclose(out, c, rtol=1e-13)


def overlap(start, stop, lo, hi):
    return max(0, min(stop, hi) - max(start, lo))


@SETTINGS
@given(cfg=pool_config(), c=constants)
def test_avg_pool_counting_pad_of_constant(cfg, c):
    # A window starting at r*s - p averages c over its real cells and 0 over its padded
    # ones; PyTorch divides by the cells inside [-p, n + p) (ceil_mode's overhang beyond
    # the padding is not counted). So out = c * real / counted, per axis as a product.
    kw = cfg.kwargs
    out = avg_pool2d(np.full(cfg.shape, c), **kw, count_include_pad=True)
    factors = []
    for axis in (0, 1):
        n, k, s, p = cfg.shape[axis], kw["size"][axis], kw["stride"][axis], kw["padding"][axis]
        starts = np.arange(out.shape[axis]) * s - p
        factors.append([overlap(a, a + k, 0, n) / overlap(a, a + k, -p, n + p) for a in starts])
    expected = c * np.multiply.outer(*factors)
    if len(cfg.shape) == 3:
        expected = expected[..., None]
    np.testing.assert_allclose(out, np.broadcast_to(expected, out.shape), rtol=1e-13, atol=0)
    if kw["padding"] == (0, 0):
        np.testing.assert_allclose(out, c, rtol=1e-13)


@SETTINGS
@given(cfg=pool_config(padded=False), seed=seeds)
def test_max_pool_at_least_avg_pool(cfg, seed):
    # No padding: with it, avg's zeros and max's -inf are not comparable.
    x, _ = cfg.arrays(seed)
    hi, lo = max_pool2d(x, **cfg.kwargs), avg_pool2d(x, **cfg.kwargs)
    # A mean can exceed the max only by rounding (e.g. three copies of 0.1).
    assert (hi >= lo - 1e-12).all()


@SETTINGS
@given(cfg=pool_config(channels=(3,)), seed=seeds, include=st.booleans())
def test_channels_pooled_independently(cfg, seed, include):
    x, _ = cfg.arrays(seed)
    for pool, extra in ((max_pool2d, {}), (avg_pool2d, {"count_include_pad": include})):
        together = pool(x, **cfg.kwargs, **extra)
        apart = np.stack([pool(x[..., c], **cfg.kwargs, **extra) for c in range(3)], axis=-1)
        np.testing.assert_array_equal(together, apart)


@SETTINGS
@given(cfg=pool_config(padded=False, channels=(0,)), seed=seeds)
def test_max_pool_is_a_value_of_its_window(cfg, seed):
    # Windows may hang over the bottom/right edge with ceil_mode: slicing clips them.
    x, _ = cfg.arrays(seed)
    out = max_pool2d(x, **cfg.kwargs)
    (kh, kw), (sh, sw) = cfg.kwargs["size"], cfg.kwargs["stride"]
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            window = x[r * sh: r * sh + kh, c * sw: c * sw + kw]
            assert out[r, c] == window.max()


# --- global pools -------------------------------------------------------------------------

def test_global_pools_known_answers():
    assert global_max_pool([[1, 7], [3, 2]]) == 7.0
    assert global_avg_pool([[1, 7], [3, 1]]) == 3.0      # (1+7+3+1)/4


@pytest.mark.parametrize("shape, expected", [((2, 3), ()), ((2, 3, 1), (1,)), ((2, 3, 4), (4,))])
@pytest.mark.parametrize("pool", [global_max_pool, global_avg_pool])
def test_global_pools_always_return_an_array(pool, shape, expected):
    # The spatial axes are reduced away, channels kept: the same type whatever the input.
    out = pool(np.ones(shape, dtype=np.int32))
    assert type(out) is np.ndarray and out.shape == expected and out.dtype == np.float64
    np.testing.assert_array_equal(out, np.ones(expected))


def test_global_pools_per_channel():
    # Channel 0 holds 0..3, channel 1 holds 10, 20, 30, 40.
    x = np.stack([np.arange(4.0).reshape(2, 2), np.array([[10.0, 20], [30, 40]])], axis=-1)
    np.testing.assert_array_equal(global_max_pool(x), [3, 40])
    np.testing.assert_array_equal(global_avg_pool(x), [1.5, 25])


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (4, 4, 2), (2, 7, 3)])
def test_global_pools_equal_one_window_over_everything(shape):
    x = np.random.default_rng(3).normal(size=shape)
    np.testing.assert_array_equal(np.ravel(global_max_pool(x)),
                                  max_pool2d(x, shape[:2]).reshape(-1))
    np.testing.assert_allclose(np.ravel(global_avg_pool(x)),
                               avg_pool2d(x, shape[:2]).reshape(-1), rtol=1e-13)
