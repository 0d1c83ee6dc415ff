"""Bad input: every public function names the parameter and the value it received.

One table: (id, call, exception type, regex for the parameter's name, regex for the
value received). Each call takes tmp_path so that file cases can write their file.
"""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convdocs
from convdocs import (avg_pool2d, conv2d, conv2d_steps, global_avg_pool, global_max_pool,
                      images, kernels, load_image, max_pool2d, output_size, pool2d_steps)
from convdocs.images import ImageFileError, MissingImageError

PACKAGE_DIR = Path(convdocs.__file__).resolve().parent
X = np.ones((5, 5))
K = np.ones((3, 3))


def with_nan():
    x = np.ones((4, 5))
    x[1, 2] = np.nan
    return x


def png(tmp: Path, name="good.png") -> Path:
    """A real PNG: noise, so that its compressed data is long enough to cut."""
    path = tmp / name
    noise = np.random.default_rng(0).integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path)
    return path


def truncated_png(tmp: Path, keep: float) -> Path:
    path = png(tmp, "cut.png")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def text_file(tmp: Path) -> Path:
    path = tmp / "notes.png"   # an image's name, a text file's bytes
    path.write_text("not an image\n")
    return path


CASES = [
    # --- array shape ---
    ("image_1d", lambda t: conv2d([1, 2, 3], K), ValueError, r"\bimage\b", r"\(3,\)"),
    ("image_4d", lambda t: conv2d(np.ones((2, 2, 2, 2)), K), ValueError, r"\bimage\b",
     r"\(2, 2, 2, 2\)"),
    ("image_0d", lambda t: max_pool2d(5.0), ValueError, r"\bimage\b", r"\(\)"),
    ("kernel_1d", lambda t: conv2d(X, [1, 2, 3]), ValueError, r"\bkernel\b", r"\(3,\)"),
    ("kernel_4d", lambda t: conv2d(X, np.ones((1, 1, 1, 1))), ValueError, r"\bkernel\b",
     r"\(1, 1, 1, 1\)"),
    ("image_empty", lambda t: conv2d(np.zeros((0, 4)), K), ValueError, r"\bimage\b", r"\(0, 4\)"),
    ("kernel_empty", lambda t: conv2d(X, [[]]), ValueError, r"\bkernel\b", r"\(1, 0\)"),
    ("pool_image_empty", lambda t: max_pool2d(np.zeros((3, 0, 2))), ValueError, r"\bimage\b",
     r"\(3, 0, 2\)"),
    ("global_pool_empty", lambda t: global_avg_pool(np.zeros((0, 0))), ValueError, r"\bimage\b",
     r"\(0, 0\)"),
    ("image_ragged", lambda t: conv2d([[1, 2], [3]], K), ValueError, r"\bimage\b",
     r"\[\[1, 2\], \[3\]\]"),
    ("kernel_ragged", lambda t: conv2d(X, [[1], [2, 3]]), ValueError, r"\bkernel\b",
     r"\[\[1\], \[2, 3\]\]"),
    # --- dtype and values ---
    ("image_string", lambda t: conv2d("abc", K), TypeError, r"\bimage\b", r"'abc'"),
    ("image_strings", lambda t: conv2d([["a", "b"]], K), TypeError, r"\bimage\b", r"<U1"),
    ("kernel_bytes", lambda t: conv2d(X, b"ab"), TypeError, r"\bkernel\b", r"b'ab'"),
    ("image_object", lambda t: max_pool2d(np.array([[1, None]], dtype=object)), TypeError,
     r"\bimage\b", r"None at index \(0, 1\)"),
    ("image_none", lambda t: avg_pool2d(None), TypeError, r"\bimage\b", r"\(got None\)"),
    ("image_complex", lambda t: conv2d(X * 1j, K), TypeError, r"\bimage\b", r"complex128"),
    ("kernel_complex", lambda t: conv2d(X, K + 0j), TypeError, r"\bkernel\b", r"complex128"),
    ("image_datetime", lambda t: global_max_pool(np.array([[np.datetime64("2020-01-01")]])),
     TypeError, r"\bimage\b", r"datetime64"),
    ("image_nan", lambda t: conv2d(with_nan(), K), ValueError, r"\bimage\b", r"nan.*\(1, 2\)"),
    ("kernel_inf", lambda t: conv2d(X, [[1, np.inf]]), ValueError, r"\bkernel\b",
     r"inf.*\(0, 1\)"),
    ("pool_minus_inf", lambda t: max_pool2d([[0, -np.inf]]), ValueError, r"\bimage\b",
     r"-inf.*\(0, 1\)"),
    ("global_pool_nan", lambda t: global_max_pool(with_nan()), ValueError, r"\bimage\b", r"nan"),
    # --- sizes that do not fit ---
    ("kernel_larger_than_padded_input", lambda t: conv2d(np.ones((3, 3)), np.ones((4, 6)),
                                                         padding=1),
     ValueError, r"\bkernel\b", r"\(4, 6\)"),
    ("dilated_kernel_larger_than_input", lambda t: conv2d(X, K, dilation=3), ValueError,
     r"\bkernel\b", r"dilation=\(3, 3\)"),
    ("pool_window_larger_than_input", lambda t: max_pool2d(np.ones((3, 3)), 4), ValueError,
     r"\bsize\b", r"\(4, 4\)"),
    ("pool_window_larger_than_padded_input", lambda t: avg_pool2d(np.ones((1, 4)), (4, 2),
                                                                  padding=(1, 0)),
     ValueError, r"\bsize\b", r"\(4, 2\)"),
    ("output_size_kernel_too_big", lambda t: output_size(5, 7), ValueError, r"\bk\b", r"\b7\b"),
    # --- stride, dilation, size: positive integers ---
    ("stride_0", lambda t: conv2d(X, K, stride=0), ValueError, r"\bstride\b", r"\(got 0\)"),
    ("stride_negative", lambda t: conv2d(X, K, stride=-2), ValueError, r"\bstride\b",
     r"\(got -2\)"),
    ("stride_float", lambda t: conv2d(X, K, stride=2.0), TypeError, r"\bstride\b",
     r"\(got 2\.0\)"),
    ("stride_bool", lambda t: conv2d(X, K, stride=True), TypeError, r"\bstride\b",
     r"\(got True\)"),
    ("stride_pair_with_0", lambda t: conv2d(X, K, stride=(1, 0)), ValueError, r"\bstride\b",
     r"\(got 0\)"),
    ("stride_triple", lambda t: conv2d(X, K, stride=(1, 1, 1)), ValueError, r"\bstride\b",
     r"\(1, 1, 1\)"),
    ("dilation_0", lambda t: conv2d(X, K, dilation=0), ValueError, r"\bdilation\b", r"\(got 0\)"),
    ("dilation_negative", lambda t: conv2d(X, K, dilation=-1), ValueError, r"\bdilation\b",
     r"\(got -1\)"),
    ("dilation_float", lambda t: conv2d(X, K, dilation=2.0), TypeError, r"\bdilation\b",
     r"\(got 2\.0\)"),
    ("dilation_bool", lambda t: conv2d(X, K, dilation=False), TypeError, r"\bdilation\b",
     r"\(got False\)"),
    ("size_0", lambda t: max_pool2d(X, 0), ValueError, r"\bsize\b", r"\(got 0\)"),
    ("size_negative", lambda t: avg_pool2d(X, -2), ValueError, r"\bsize\b", r"\(got -2\)"),
    ("size_float", lambda t: max_pool2d(X, 2.0), TypeError, r"\bsize\b", r"\(got 2\.0\)"),
    ("size_bool", lambda t: max_pool2d(X, True), TypeError, r"\bsize\b", r"\(got True\)"),
    ("pool_stride_0", lambda t: max_pool2d(X, 2, stride=(2, 0)), ValueError, r"\bstride\b",
     r"\(got 0\)"),
    ("pool_stride_float", lambda t: avg_pool2d(X, 2, stride=1.5), TypeError, r"\bstride\b",
     r"\(got 1\.5\)"),
    ("output_size_stride_0", lambda t: output_size(5, 3, stride=0), ValueError, r"\bstride\b",
     r"\(got 0\)"),
    ("output_size_n_0", lambda t: output_size(0, 3), ValueError, r"\bn\b", r"\(got 0\)"),
    ("output_size_dilation_float", lambda t: output_size(5, 3, dilation=1.0), TypeError,
     r"\bdilation\b", r"\(got 1\.0\)"),
    # --- padding ---
    ("padding_negative", lambda t: conv2d(X, K, padding=-1), ValueError, r"\bpadding\b",
     r"\(got -1\)"),
    ("padding_pair_negative", lambda t: conv2d(X, K, padding=(0, -2)), ValueError,
     r"\bpadding\b", r"\(got -2\)"),
    ("padding_float", lambda t: conv2d(X, K, padding=1.0), TypeError, r"\bpadding\b",
     r"\(got 1\.0\)"),
    ("padding_none", lambda t: conv2d(X, K, padding=None), TypeError, r"\bpadding\b",
     r"\(got None\)"),
    ("pool_padding_negative", lambda t: max_pool2d(X, 2, padding=-1), ValueError,
     r"\bpadding\b", r"\(got -1\)"),
    # a 3-wide window may have at most 1 cell of padding per side (PyTorch's rule)
    ("pool_padding_over_half_window", lambda t: max_pool2d(np.ones((6, 6)), 3, padding=2),
     ValueError, r"\bpadding\b", r"padding=2\b"),
    ("pool_padding_over_half_one_axis", lambda t: avg_pool2d(np.ones((6, 6)), (2, 4),
                                                             padding=(2, 0)),
     ValueError, r"\bpadding\b", r"\(2, 0\)"),
    ("padding_unknown_word", lambda t: conv2d(X, K, padding="sam"), ValueError, r"\bpadding\b",
     r"'sam'"),
    ("padding_word_wrong_case", lambda t: conv2d(X, K, padding="SAME"), ValueError,
     r"\bpadding\b", r"'SAME'"),
    ("padding_mode_unknown", lambda t: conv2d(X, K, padding=1, padding_mode="mirror"),
     ValueError, r"\bpadding_mode\b", r"'mirror'"),
    ("padding_mode_numpy_name", lambda t: conv2d(X, K, padding_mode="constant"), ValueError,
     r"\bpadding_mode\b", r"'constant'"),
    ("same_with_stride_2", lambda t: conv2d(X, K, padding="same", stride=2), ValueError,
     r"\bstride\b", r"\(2, 2\)"),
    ("reflect_padding_equals_size", lambda t: conv2d(np.ones((3, 6)), [[1]], padding=(3, 0),
                                                     padding_mode="reflect"),
     ValueError, r"\bpadding\b", r"padding 3 for size 3"),
    ("reflect_full_padding_too_wide", lambda t: conv2d(np.ones((2, 2)), K, padding="full",
                                                       padding_mode="reflect"),
     ValueError, r"\bpadding\b", r"padding 2 for size 2"),
    ("circular_padding_over_size", lambda t: conv2d(np.ones((6, 3)), [[1]], padding=(0, 4),
                                                    padding_mode="circular"),
     ValueError, r"\bpadding\b", r"padding 4 for size 3"),
    # --- channels ---
    ("kernel_channels_mismatch", lambda t: conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 2))),
     ValueError, r"\bkernel\b", r"2 channel.*image has 3"),
    ("kernel_channels_on_gray_image", lambda t: conv2d(X, np.ones((3, 3, 2))), ValueError,
     r"\bkernel\b", r"\(3, 3, 2\).*\(5, 5\)"),
    # A 3-D kernel with one channel on a 2-D image. The message must not claim that
    # "kernel has 1 channels but image has 1" (equal counts, so no visible reason):
    # it should say the image has no channel axis / is 2-D.
    ("kernel_one_channel_on_gray_image", lambda t: conv2d(X, np.ones((3, 3, 1))), ValueError,
     r"\bkernel\b", r"^(?!.*kernel has (\d+) channels? but image has \1\b).*(2-D|channel axis)"),
    # --- flags and choices ---
    ("ceil_mode_int", lambda t: max_pool2d(X, 2, ceil_mode=1), TypeError, r"\bceil_mode\b",
     r"\(got 1\)"),
    ("count_include_pad_string", lambda t: avg_pool2d(X, 2, count_include_pad="yes"), TypeError,
     r"\bcount_include_pad\b", r"'yes'"),
    ("output_size_ceil_mode_none", lambda t: output_size(5, 2, ceil_mode=None), TypeError,
     r"\bceil_mode\b", r"None"),
    ("pool_steps_op_unknown", lambda t: pool2d_steps(X, op="min"), ValueError, r"\bop\b",
     r"'min'"),
    ("conv_steps_validate_too", lambda t: conv2d_steps(X, K, stride=0), ValueError,
     r"\bstride\b", r"\(got 0\)"),
    # --- sample images ---
    ("grid_cells_0", lambda t: images.grid(cells=0), ValueError, r"\bcells\b", r"\(got 0\)"),
    ("checkerboard_float", lambda t: images.checkerboard(square_size=1.5), TypeError,
     r"\bsquare_size\b", r"\(got 1\.5\)"),
    ("step_edge_too_small", lambda t: images.step_edge(1), ValueError, r"\bsize\b", r"\(got 1\)"),
    ("photo_gray_int", lambda t: images.photo(gray=1), TypeError, r"\bgray\b", r"\(got 1\)"),
    # --- files ---
    ("load_missing_file", lambda t: load_image(t / "missing.png"), MissingImageError,
     r"\bpath\b", r"missing\.png"),
    ("load_missing_as_str", lambda t: load_image(str(t / "gone.jpg")), MissingImageError,
     r"\bpath\b", r"gone\.jpg"),
    ("load_directory", lambda t: load_image(t), MissingImageError, r"\bpath\b",
     re.escape("not an existing file")),
    ("load_png_cut_in_half", lambda t: load_image(truncated_png(t, 0.5)), ImageFileError,
     r"\bpath\b", r"cut\.png"),
    ("load_png_header_only", lambda t: load_image(truncated_png(t, 0.02)), ImageFileError,
     r"\bpath\b", r"cut\.png"),
    ("load_text_file", lambda t: load_image(text_file(t)), ImageFileError, r"\bpath\b",
     r"notes\.png"),
    ("load_path_not_a_path", lambda t: load_image(3), TypeError, r"\bpath\b", r"\bint\b"),
    ("load_gray_string", lambda t: load_image(png(t), gray="yes"), TypeError, r"\bgray\b",
     r"'yes'"),
    # --- kernels ---
    ("kernel_name_unknown", lambda t: kernels.get("blurr"), ValueError, r"\bname\b", r"'blurr'"),
    ("kernel_name_none", lambda t: kernels.get(None), TypeError, r"\bname\b", r"None"),
    # A list is not a name: expected a clear message, not Python's "unhashable type".
    ("kernel_name_list", lambda t: kernels.get(["sharpen"]), TypeError, r"\bname\b",
     r"\['sharpen'\]"),
]


def innermost_file(tb):
    while tb.tb_next is not None:
        tb = tb.tb_next
    return Path(tb.tb_frame.f_code.co_filename).resolve()


@pytest.mark.parametrize("call, error, name, value", [pytest.param(*row[1:], id=row[0])
                                                      for row in CASES])
def test_bad_input_is_refused_clearly(tmp_path, call, error, name, value):
    with pytest.raises(error) as info:
        call(tmp_path)
    message = str(info.value)
    assert type(info.value) is error, f"{type(info.value).__name__}: {message}"
    assert re.search(name, message), f"parameter name {name!r} not in: {message}"
    assert re.search(value, message), f"value {value!r} not in: {message}"
    # Raised by a guard clause in convdocs, not by numpy, Pillow or Python further in.
    origin = innermost_file(info.tb)
    assert PACKAGE_DIR in origin.parents, f"raised from {origin}: {message}"
    assert type(info.value).__module__ in ("builtins", "convdocs.images")


def test_missing_image_is_both_file_not_found_and_value_error(tmp_path):
    with pytest.raises(MissingImageError) as info:
        load_image(tmp_path / "nothing.png")
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, ValueError)
    assert issubclass(ImageFileError, ValueError)


@pytest.mark.parametrize("call, expected", [
    # Valid, finite input whose answer is finite too: no warning should escape from the
    # input checks. 1.7e308 is close to the largest float (1.797e308), so adding two of
    # them overflows, but the max of a window or half of each value does not.
    (lambda: max_pool2d(np.full((2, 2), 1.7e308)), [[1.7e308]]),
    (lambda: global_max_pool(np.full((2, 2), 1.7e308)), 1.7e308),
    (lambda: conv2d([[1.7e308, 1.7e308]], [[0.5]]), [[0.85e308, 0.85e308]]),
    (lambda: conv2d([[1.0, 2.0]], [[1.7e308, 1.7e308]], stride=1, padding=0), None),
], ids=["max_pool", "global_max_pool", "conv_half", "conv_huge_kernel_overflows"])
def test_valid_extreme_values_raise_no_numpy_warning(call, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if expected is None:
            # 1.7e308 * 1 + 1.7e308 * 2 overflows to inf in the sum itself: a warning from
            # that arithmetic is honest. The input checks must still let it through.
            with np.errstate(over="ignore"):
                out = call()
            assert np.isinf(out).all()
        else:
            np.testing.assert_array_equal(call(), expected)


@pytest.mark.parametrize("call", [
    lambda: conv2d(np.ones((3, 3)), np.ones((4, 6)), padding=1),
    lambda: conv2d(X, K, dilation=3),
    lambda: max_pool2d(np.ones((3, 3)), 4),
    lambda: output_size(5, 7),
], ids=["conv", "conv_dilated", "pool", "output_size"])
def test_window_too_large_has_one_wording(call):
    with pytest.raises(ValueError, match=r"^\S.* is larger than the padded input: it spans "
                                         r"\S.* but the padded input is \S.* \(.*\)$"):
        call()


@pytest.mark.parametrize("call", [
    lambda: convdocs.conv_transpose2d(np.ones((3, 3)), K, padding=3),
    lambda: convdocs.transposed_output_size(3, 3, padding=3),
], ids=["conv_transpose2d", "transposed_output_size"])
def test_empty_output_has_one_wording(call):
    with pytest.raises(ValueError, match=r"^padding=.+? is too large: the output would have "
                                         r"size -1( along rows)? \(.*\)$"):
        call()
