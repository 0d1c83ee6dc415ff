"""conv2d: known answers, the story's grid, and cross-checks against SciPy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import ndimage, signal
from strategies import MODES, SETTINGS, configs

from convdocs import conv2d, images, kernels

# PyTorch's padding modes and the scipy.ndimage mode that extends an array the same way
# (checked by hand in test_scipy_mode_mapping below):
#   zeros     0 0 | a b c d | 0 0      constant, cval=0
#   reflect   c b | a b c d | c b      mirror   (edge not repeated)
#   replicate a a | a b c d | d d      nearest
#   circular  c d | a b c d | a b      wrap
SCIPY_MODE = {"zeros": "constant", "reflect": "mirror", "replicate": "nearest",
              "circular": "wrap"}


# --- known answers, worked out by hand ---------------------------------------------------

def test_known_answer():
    # 0*0 + 1*1 + 3*2 + 4*3 = 19, 1*0 + 2*1 + 4*2 + 5*3 = 25,
    # 3*0 + 4*1 + 6*2 + 7*3 = 37, 4*0 + 5*1 + 7*2 + 8*3 = 43.
    out = conv2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    np.testing.assert_array_equal(out, [[19, 25], [37, 43]])


def test_no_kernel_flip():
    # Cross-correlation reads the kernel as written: [[1, 0]] picks the left cell of each
    # window, so [[1, 2, 3]] gives [[1, 2]] (a flipped kernel would give [[2, 3]]).
    np.testing.assert_array_equal(conv2d([[1, 2, 3]], [[1, 0]]), [[1, 2]])


def test_stride_known_answer():
    # Windows start at columns 0 and 2: 1 - 2 = -1 and 3 - 4 = -1.
    np.testing.assert_array_equal(conv2d([[1, 2, 3, 4]], [[1, -1]], stride=2), [[-1, -1]])


def test_stride_odd_case_skips_last_column():
    # odd case: width 5, kernel 2, stride 2 -> windows at 0 and 2; column 4 is never read.
    out = conv2d([[1, 2, 3, 4, 1000]], [[1, 1]], stride=2)
    np.testing.assert_array_equal(out, [[3, 7]])


def test_dilation_known_answer():
    # A 2-tap kernel with dilation 3 reads x[c] and x[c+3]: 0+3 = 3 and 1+4 = 5.
    np.testing.assert_array_equal(conv2d([[0, 1, 2, 3, 4]], [[1, 1]], dilation=3), [[3, 5]])


def test_zero_padding_known_answer():
    # A 1x1 kernel of 2 over [[1, 2]] padded by 1 on every side: a frame of zeros.
    out = conv2d([[1, 2]], [[2]], padding=1)
    np.testing.assert_array_equal(out, [[0, 0, 0, 0], [0, 2, 4, 0], [0, 0, 0, 0]])


@pytest.mark.parametrize("mode, left, right", [
    # Row [1, 2, 3] padded by one column per side, then read one column to the left
    # (kernel [1, 0, 0]) or to the right (kernel [0, 0, 1]) of each pixel.
    ("zeros", [0, 1, 2], [2, 3, 0]),        # 0 | 1 2 3 | 0
    ("reflect", [2, 1, 2], [2, 3, 2]),      # 2 | 1 2 3 | 2
    ("replicate", [1, 1, 2], [2, 3, 3]),    # 1 | 1 2 3 | 3
    ("circular", [3, 1, 2], [2, 3, 1]),     # 3 | 1 2 3 | 1
])
def test_padding_modes_known_answer(mode, left, right):
    x = [[1, 2, 3]]
    read_left = conv2d(x, [[1, 0, 0]], padding=(0, 1), padding_mode=mode)
    read_right = conv2d(x, [[0, 0, 1]], padding=(0, 1), padding_mode=mode)
    np.testing.assert_array_equal(read_left, [left])
    np.testing.assert_array_equal(read_right, [right])


@pytest.mark.parametrize("mode, padded", [
    # Row [1, 2, 3] with two cells of padding per side, read through a 1x1 kernel of 1.
    ("zeros", [0, 0, 1, 2, 3, 0, 0]),
    ("reflect", [3, 2, 1, 2, 3, 2, 1]),     # reflect needs padding < 3: 2 is the most
    ("replicate", [1, 1, 1, 2, 3, 3, 3]),
    ("circular", [2, 3, 1, 2, 3, 1, 2]),
])
def test_padding_modes_two_cells(mode, padded):
    np.testing.assert_array_equal(conv2d([[1, 2, 3]], [[1]], padding=(0, 2), padding_mode=mode),
                                  [padded])


def test_circular_padding_of_full_width():
    # circular allows padding equal to the size: [1 2 | 1 2 | 1 2].
    np.testing.assert_array_equal(conv2d([[1, 2]], [[1]], padding=(0, 2), padding_mode="circular"),
                                  [[1, 2, 1, 2, 1, 2]])


def test_multichannel_filter_sums_channels():
    # One 1x1 filter with channel weights (10, 100) on a pixel (2, 3): 20 + 300 = 320.
    out = conv2d([[[2, 3]]], [[[10, 100]]])
    assert out.shape == (1, 1)
    assert out[0, 0] == 320


def test_per_channel_kernel_keeps_channels():
    # A 2-D kernel [[1, 1]] on a 1x2 image with channels (1, 10) and (2, 20): per channel sums.
    out = conv2d([[[1, 10], [2, 20]]], [[1, 1]])
    assert out.shape == (1, 1, 2)
    np.testing.assert_array_equal(out[0, 0], [3, 30])


def test_same_even_kernel_puts_extra_padding_bottom_right():
    # PyTorch's placement: a 2x2 kernel under "same" pads 0 rows on top and 1 below, so
    # [[0, 0], [0, 1]] reads the pixel below-right of each cell and the last row/col see 0.
    x = np.arange(1, 10).reshape(3, 3)
    out = conv2d(x, [[0, 0], [0, 1]], padding="same")
    np.testing.assert_array_equal(out, [[5, 6, 0], [8, 9, 0], [0, 0, 0]])


def test_output_is_new_array_and_input_untouched():
    x = np.arange(16.0).reshape(4, 4)
    before = x.copy()
    out = conv2d(x, [[1]])
    out[0, 0] = -1
    np.testing.assert_array_equal(x, before)


# --- the story's grid ---------------------------------------------------------------------

# images.grid() is 3 cells of 6 white pixels between black lines 2 pixels wide, with a
# black frame: 3 * (6 + 2) + 2 = 26 pixels. Line pixels are those with index % 8 < 2:
# 0 1 | 8 9 | 16 17 | 24 25. The image is separable, x[r, c] = a[r] * a[c], with a = 1 on
# white. VERTICAL_EDGES has columns (1, 0, -1) and equal rows, so with zero padding
#   out[r, c] = (a[r-1] + a[r] + a[r+1]) * (a[c-1] - a[c+1])      (a = 0 outside),
# and the horizontal kernel is the transpose. Working out a[c-1] - a[c+1]:
#   +1 at c = 7, 8, 15, 16, 23, 24   (white on the left of a line: left brighter)
#   -1 at c = 1, 2, 9, 10, 17, 18    (white on the right of a line)
#    0 elsewhere: inside a white cell, in the middle of nothing, and at c = 0 and 25,
#      because the frame is black and so is the zero padding.
# The row factor is 0 only at r = 0 and r = 25 (black row, black neighbours, zero pad).
GRID_SIZE = 26
EDGE_SIGN = np.zeros(GRID_SIZE)
EDGE_SIGN[[7, 8, 15, 16, 23, 24]] = 1
EDGE_SIGN[[1, 2, 9, 10, 17, 18]] = -1
WHITE = (np.arange(GRID_SIZE) % 8 >= 2).astype(float)
ROW_SUM = np.convolve(WHITE, [1, 1, 1], mode="same")   # a[r-1] + a[r] + a[r+1], zero padded


def test_grid_is_the_described_image():
    g = images.grid()
    np.testing.assert_array_equal(g, np.outer(WHITE, WHITE))
    assert ROW_SUM[0] == 0 and ROW_SUM[-1] == 0 and ROW_SUM[1:-1].min() >= 1


def test_vertical_edges_on_grid():
    out = conv2d(images.grid(), kernels.VERTICAL_EDGES, padding="same")
    np.testing.assert_array_equal(out, np.outer(ROW_SUM, EDGE_SIGN))
    nonzero_cols = set(np.nonzero(out)[1].tolist())
    assert nonzero_cols == {1, 2, 7, 8, 9, 10, 15, 16, 17, 18, 23, 24}
    assert (out[:, [7, 8, 15, 16, 23, 24]][1:-1] > 0).all()   # bright left side: positive
    assert (out[:, [1, 2, 9, 10, 17, 18]][1:-1] < 0).all()
    assert not out[3:7, 3:7].any()                           # flat inside of a cell


def test_horizontal_edges_on_grid():
    out = conv2d(images.grid(), kernels.HORIZONTAL_EDGES, padding="same")
    np.testing.assert_array_equal(out, np.outer(EDGE_SIGN, ROW_SUM))
    assert set(np.nonzero(out)[0].tolist()) == {1, 2, 7, 8, 9, 10, 15, 16, 17, 18, 23, 24}
    assert not out[3:7, 3:7].any()


# --- identity -----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_identity_kernel_returns_input(mode):
    x = np.random.default_rng(0).normal(size=(6, 7))
    np.testing.assert_array_equal(conv2d(x, kernels.IDENTITY, padding="same", padding_mode=mode), x)


@pytest.mark.parametrize("mode", MODES)
def test_identity_kernel_returns_each_channel(mode):
    x = np.random.default_rng(1).normal(size=(5, 4, 3))
    np.testing.assert_array_equal(conv2d(x, kernels.IDENTITY, padding="same", padding_mode=mode), x)


def test_one_by_one_kernel_with_stride_subsamples():
    x = np.arange(35.0).reshape(5, 7)
    np.testing.assert_array_equal(conv2d(x, [[1]], stride=(2, 3)), x[::2, ::3])


# --- cross-checks against SciPy -----------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_scipy_mode_mapping(mode):
    # The mapping table above, checked on scipy's side: a 5-tap kernel centred at index 2
    # with its weight at one end reads the pixel two places left (or right) of each pixel.
    x = np.array([[1.0, 2, 3, 4]])
    left = ndimage.correlate(x, [[1.0, 0, 0, 0, 0]], mode=SCIPY_MODE[mode], cval=0.0)
    right = ndimage.correlate(x, [[0.0, 0, 0, 0, 1]], mode=SCIPY_MODE[mode], cval=0.0)
    # PyTorch's extension of 1 2 3 4 by two cells, written out by hand:
    extended = {"zeros": [0, 0, 1, 2, 3, 4, 0, 0], "reflect": [3, 2, 1, 2, 3, 4, 3, 2],
                "replicate": [1, 1, 1, 2, 3, 4, 4, 4], "circular": [3, 4, 1, 2, 3, 4, 1, 2]}[mode]
    np.testing.assert_array_equal(left[0], extended[:4])
    np.testing.assert_array_equal(right[0], extended[4:])
    # ... and on convdocs' side.
    np.testing.assert_array_equal(conv2d(x, [[1]], padding=(0, 2), padding_mode=mode)[0], extended)


def dilate(kernel, dilation):
    """Insert dilation - 1 zeros between the taps of a 2-D kernel."""
    dh, dw = dilation
    kh, kw = kernel.shape
    out = np.zeros(((kh - 1) * dh + 1, (kw - 1) * dw + 1))
    out[::dh, ::dw] = kernel
    return out


def scipy_conv(x, kernel, stride, pads, dilation, mode):
    """conv2d of one 2-D channel through scipy.ndimage.correlate.

    ndimage keeps the input's size and centres a kernel of size K at index K // 2, so
    convdocs' out[r] (window starting at r*s - p) is scipy's value at r*s - p + K // 2.
    That index stays inside the input for every output row when p <= (K - 1) // 2.
    """
    big = dilate(kernel, dilation)
    full = ndimage.correlate(x, big, mode=SCIPY_MODE[mode], cval=0.0)
    starts, counts = [], []
    for axis in (0, 1):
        n, size, s, p = x.shape[axis], big.shape[axis], stride[axis], pads[axis]
        assert p <= (size - 1) // 2
        starts.append(size // 2 - p)
        counts.append((n + 2 * p - size) // s + 1)
    return full[starts[0]: starts[0] + (counts[0] - 1) * stride[0] + 1: stride[0],
                starts[1]: starts[1] + (counts[1] - 1) * stride[1] + 1: stride[1]]


# Configurations whose padding scipy_conv can check: every window's centre in the input.
def scipy_checkable(mode, channels=(0,), kernel_channels=None):
    return configs("conv", max_side=13, max_kernel=5, max_dilation=3, modes=(mode,),
                   centred=True, channels=channels, kernel_channels=kernel_channels)


seeds = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("mode", MODES)
@SETTINGS
@given(data=st.data(), seed=seeds)
def test_matches_scipy_single_channel(mode, data, seed):
    cfg = data.draw(scipy_checkable(mode))
    x, k = cfg.arrays(seed)
    kw = cfg.kwargs
    want = scipy_conv(x, k, kw["stride"], kw["padding"], kw["dilation"], mode)
    np.testing.assert_allclose(conv2d(x, k, **kw), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@SETTINGS
@given(data=st.data(), seed=seeds)
def test_matches_scipy_multichannel_filter(mode, data, seed):
    # A (kh, kw, C) filter: the sum over channels of each channel's 2-D correlation.
    cfg = data.draw(scipy_checkable(mode, channels=(1, 2, 3, 4), kernel_channels=True))
    x, k = cfg.arrays(seed)
    kw = cfg.kwargs
    got = conv2d(x, k, **kw)
    want = sum(scipy_conv(x[..., i], k[..., i], kw["stride"], kw["padding"], kw["dilation"],
                          mode) for i in range(x.shape[2]))
    assert got.ndim == 2
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@SETTINGS
@given(data=st.data(), seed=seeds)
def test_matches_scipy_per_channel_kernel(mode, data, seed):
    # A 2-D kernel on an (H, W, C) image: each channel on its own, channels kept.
    cfg = data.draw(scipy_checkable(mode, channels=(1, 2, 3, 4), kernel_channels=False))
    x, k = cfg.arrays(seed)
    kw = cfg.kwargs
    want = np.stack([scipy_conv(x[..., i], k, kw["stride"], kw["padding"], kw["dilation"], mode)
                     for i in range(x.shape[2])], axis=-1)
    np.testing.assert_allclose(conv2d(x, k, **kw), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ksize, dil", [((2, 2), (1, 1)), ((4, 3), (1, 1)), ((2, 4), (1, 1)),
                                        ((2, 2), (3, 1)), ((3, 3), (2, 2))])
def test_same_matches_scipy_origin(mode, ksize, dil):
    # "same" with an even span puts the extra padding cell at the bottom/right (PyTorch).
    # scipy centres a size-K kernel at K // 2 + origin; the window then starts
    # (K - 1) // 2 cells above the pixel, as in convdocs, when origin = (K-1)//2 - K//2.
    rng = np.random.default_rng(7)
    x, k = rng.normal(size=(7, 8)), rng.normal(size=ksize)
    big = dilate(k, dil)
    origin = [(size - 1) // 2 - size // 2 for size in big.shape]
    want = ndimage.correlate(x, big, mode=SCIPY_MODE[mode], cval=0.0, origin=origin)
    got = conv2d(x, k, padding="same", dilation=dil, padding_mode=mode)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ksize, dil", [((1, 1), (1, 1)), ((3, 3), (1, 1)), ((2, 5), (1, 1)),
                                        ((3, 2), (2, 3))])
def test_full_matches_scipy_signal(ksize, dil):
    # "full" keeps every partial overlap: scipy.signal.correlate2d(mode="full").
    rng = np.random.default_rng(8)
    x, k = rng.normal(size=(5, 6)), rng.normal(size=ksize)
    got = conv2d(x, k, padding="full", dilation=dil)
    np.testing.assert_allclose(got, signal.correlate2d(x, dilate(k, dil), mode="full"),
                               rtol=1e-12, atol=1e-12)


@SETTINGS
@given(cfg=configs("conv", max_padding=6, max_dilation=1, modes=("zeros",)), seed=seeds)
def test_large_zero_padding_matches_scipy_signal(cfg, seed):
    # Zero padding wider than the kernel: correlate2d("valid") on an explicitly padded copy.
    x, k = cfg.arrays(seed)
    (ph, pw), (sh, sw) = cfg.kwargs["padding"], cfg.kwargs["stride"]
    padded = np.pad(x, ((ph, ph), (pw, pw)))
    want = signal.correlate2d(padded, k, mode="valid")[::sh, ::sw]
    np.testing.assert_allclose(conv2d(x, k, **cfg.kwargs), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, ksize, stride", [
    ((70, 600), (3, 3), (1, 1)),       # several blocks of rows
    ((101, 300, 3), (3, 2), (2, 1)),   # channels, and a stride across a block edge (49 rows)
    ((3, 40000), (2, 2), (1, 1)),      # one row is more than a block on its own
])
def test_large_images_match_scipy(shape, ksize, stride):
    rng = np.random.default_rng(10)
    x, k = rng.normal(size=shape), rng.normal(size=ksize)
    got = conv2d(x, k, stride=stride)
    planes = x[..., None] if x.ndim == 2 else x
    want = np.stack([signal.correlate2d(planes[..., c], k, mode="valid")[::stride[0], ::stride[1]]
                     for c in range(planes.shape[2])], axis=-1)
    np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-11, atol=1e-11)


# --- properties ---------------------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
images_2d_or_3d = st.one_of(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=7),
               elements=finite),
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=5),
               elements=finite),
)


@SETTINGS
@given(x=images_2d_or_3d, mode=st.sampled_from(MODES))
def test_identity_changes_nothing(x, mode):
    if mode == "reflect" and min(x.shape[:2]) < 2:
        mode = "zeros"   # reflect needs padding < size; "same" with 3x3 pads 1
    np.testing.assert_array_equal(conv2d(x, kernels.IDENTITY, padding="same", padding_mode=mode), x)


@SETTINGS
@given(data=st.data(), a=finite, b=finite)
def test_linear_in_the_kernel(data, a, b):
    h, w = data.draw(st.integers(1, 7)), data.draw(st.integers(1, 7))
    kh, kw = data.draw(st.integers(1, h)), data.draw(st.integers(1, w))
    x = data.draw(hnp.arrays(np.float64, (h, w), elements=finite))
    k1 = data.draw(hnp.arrays(np.float64, (kh, kw), elements=finite))
    k2 = data.draw(hnp.arrays(np.float64, (kh, kw), elements=finite))
    stride = data.draw(st.integers(1, 3))
    lhs = conv2d(x, a * k1 + b * k2, stride=stride)
    rhs = a * conv2d(x, k1, stride=stride) + b * conv2d(x, k2, stride=stride)
    # Rounding error is bounded by a few ulps of the sum of absolute products.
    scale = conv2d(np.abs(x), np.abs(a * k1) + np.abs(b * k2), stride=stride)
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=1e-12 * (1 + scale.max()) * kh * kw)


@SETTINGS
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 5), kw=st.integers(1, 5),
       d=st.integers(1, 3), c=st.sampled_from([None, 2]), mode=st.sampled_from(MODES))
def test_same_keeps_shape(h, w, kh, kw, d, c, mode):
    pad_after = [d * (k - 1) - d * (k - 1) // 2 for k in (kh, kw)]  # the larger side
    if mode == "reflect" and (pad_after[0] >= h or pad_after[1] >= w):
        mode = "zeros"
    if mode == "circular" and (pad_after[0] > h or pad_after[1] > w):
        mode = "zeros"
    shape = (h, w) if c is None else (h, w, c)
    out = conv2d(np.ones(shape), np.ones((kh, kw)), padding="same", dilation=d, padding_mode=mode)
    assert out.shape == shape


@SETTINGS
@given(dtype=st.sampled_from([np.bool_, np.int8, np.uint8, np.int32, np.int64, np.float16,
                              np.float32, np.float64]),
       kernel_dtype=st.sampled_from([np.int16, np.float32, np.float64]),
       h=st.integers(2, 6), w=st.integers(2, 6))
def test_output_is_float64(dtype, kernel_dtype, h, w):
    x = (np.arange(h * w).reshape(h, w) % 2).astype(dtype)
    out = conv2d(x, np.ones((2, 2), dtype=kernel_dtype))
    assert out.dtype == np.float64
    # 2x2 window of a 0/1 pattern counting up: value is the number of ones in it, by hand
    # that is x[r,c] + x[r,c+1] + x[r+1,c] + x[r+1,c+1] in exact integers.
    xi = x.astype(np.int64)
    np.testing.assert_array_equal(out, xi[:-1, :-1] + xi[:-1, 1:] + xi[1:, :-1] + xi[1:, 1:])


def test_lists_and_int_arrays_accepted():
    np.testing.assert_array_equal(conv2d([[1, 2], [3, 4]], [[1]]), np.array([[1.0, 2], [3, 4]]))
