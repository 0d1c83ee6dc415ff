"""Hostile input: sizes that would exhaust memory or time, odd numbers, odd image files.

Every case ends either in a one-line error, raised by a guard clause in convdocs before
anything big is allocated, that names the parameter and the value it received, or in
the correct result. The limits are convdocs.MAX_CELLS (values in any array an operation
builds), convdocs.MAX_PRODUCTS (multiplications in one convolution) and
convdocs.MAX_STEPS (steps in one trace).
"""

import re
import tracemalloc
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convdocs
from convdocs import (avg_pool2d, cnn, conv2d, conv2d_steps, conv_transpose2d,
                      conv_transpose2d_steps, images, load_image, max_pool2d, output_size,
                      pool2d_steps)
from convdocs.images import ImageFileError

PACKAGE_DIR = Path(convdocs.__file__).resolve().parent
X = np.ones((5, 5))
K = np.ones((3, 3))
RAMP = np.arange(25.0).reshape(5, 5)
BIG = 10**30            # far beyond int64: numpy cannot even hold it


def innermost_file(tb):
    while tb.tb_next is not None:
        tb = tb.tb_next
    return Path(tb.tb_frame.f_code.co_filename).resolve()


# (id, call, exception type, regex for the parameter's name, regex for the value received)
REFUSED = [
    # --- padding, dilation and transposed stride that would build a huge array ---
    # 2 * 10**9 + 5 cells a side: numpy's "array is too big" before the guard
    ("conv_padding_1e9", lambda: conv2d(X, K, padding=10**9), ValueError, r"\bpadding\b",
     r"padding=1000000000\b"),
    # 200005 cells a side, 298 GiB: numpy's MemoryError before the guard
    ("conv_padding_1e5", lambda: conv2d(X, K, padding=10**5), ValueError, r"\bpadding\b",
     r"padding=100000\b"),
    ("conv_padding_one_axis", lambda: conv2d(X, K, padding=(0, 10**8)), ValueError,
     r"\bpadding\b", r"\(0, 100000000\)"),
    ("conv_padding_replicate", lambda: conv2d(X, K, padding=10**5, padding_mode="replicate"),
     ValueError, r"\bpadding\b", r"padding=100000\b"),
    ("conv_dilation_full", lambda: conv2d(X, K, padding="full", dilation=10**9), ValueError,
     r"\bdilation\b", r"1000000000"),
    ("conv_dilation_same", lambda: conv2d(X, K, padding="same", dilation=10**5), ValueError,
     r"\bdilation\b", r"100000"),
    ("conv_steps_padding", lambda: conv2d_steps(X, K, padding=10**9), ValueError,
     r"\bpadding\b", r"padding=1000000000\b"),
    # a window may be padded by half its size: a huge window brings huge padding
    ("max_pool_window_and_padding", lambda: max_pool2d(np.ones((1, 1)), 10**9,
                                                       padding=5 * 10**8),
     ValueError, r"\bpadding\b", r"500000000\b"),
    ("avg_pool_window_and_padding", lambda: avg_pool2d(np.ones((1, 1)), (1, 10**9),
                                                       padding=(0, 5 * 10**8)),
     ValueError, r"\bpadding\b", r"500000000\b"),
    ("transpose_stride", lambda: conv_transpose2d(X, K, stride=10**9), ValueError,
     r"\bstride\b", r"1000000000"),
    ("transpose_stride_1e5", lambda: conv_transpose2d(X, K, stride=10**5), ValueError,
     r"\bstride\b", r"100000"),
    ("transpose_dilation", lambda: conv_transpose2d(X, K, dilation=10**9), ValueError,
     r"\bdilation\b", r"1000000000"),
    ("transpose_steps_stride", lambda: conv_transpose2d_steps(X, K, stride=10**9), ValueError,
     r"\bstride\b", r"1000000000"),
    # --- an enormous kernel over a tiny image: little memory, days of multiplications ---
    ("kernel_huge_padding_full", lambda: conv2d(np.ones((1, 1)), np.ones((1000, 1000)),
                                                padding="full"),
     ValueError, r"\bkernel\b", r"\(1000, 1000\)"),
    # --- traces are for teaching: a 600x600 image would make 357604 steps (470 MB) ---
    ("conv_steps_600", lambda: conv2d_steps(np.ones((600, 600)), K), ValueError,
     r"\bimage\b", r"\(600, 600\)"),
    ("pool_steps_600", lambda: pool2d_steps(np.ones((600, 600)), 2), ValueError,
     r"\bimage\b", r"\(600, 600\)"),
    ("transpose_steps_200", lambda: conv_transpose2d_steps(np.ones((200, 200)), K), ValueError,
     r"\bimage\b", r"\(200, 200\)"),
    # --- sample images ---
    ("grid_cells", lambda: images.grid(10**6), ValueError, r"\bcells\b", r"1000000\b"),
    ("grid_cell_size", lambda: images.grid(cell_size=10**9), ValueError, r"\bcell_size\b",
     r"1000000000\b"),
    ("grid_line_width", lambda: images.grid(line_width=BIG), ValueError, r"\bline_width\b",
     str(BIG)),
    ("checkerboard_squares", lambda: images.checkerboard(10**6), ValueError, r"\bsquares\b",
     r"1000000\b"),
    ("checkerboard_square_size", lambda: images.checkerboard(square_size=10**8), ValueError,
     r"\bsquare_size\b", r"100000000\b"),
    ("step_edge_size", lambda: images.step_edge(10**6), ValueError, r"\bsize\b", r"1000000\b"),
    ("numbers_shape", lambda: images.numbers((10**6, 10**6)), ValueError, r"\bshape\b",
     r"\(1000000, 1000000\)"),
    ("smiley_size", lambda: images.smiley(10**6), ValueError, r"\bsize\b", r"1000000\b"),
    # above 2**53 a float64 cannot hold every whole number; numpy refuses above 2**63
    ("numbers_high", lambda: images.numbers((2, 2), high=BIG), ValueError, r"\bhigh\b",
     str(BIG)),
    # --- odd numbers ---
    # A Python int above float64's range: not finite once converted.
    ("image_int_beyond_float", lambda: conv2d([[1, 10**400]], [[1]]), ValueError,
     r"\bimage\b", r"\(0, 1\)"),
    ("image_none_inside", lambda: conv2d(np.array([[1, None]], dtype=object), K), TypeError,
     r"\bimage\b", r"None at index \(0, 1\)"),
    ("kernel_string_inside", lambda: conv2d(X, np.array([[1, "a"]], dtype=object)), TypeError,
     r"\bkernel\b", r"'a' at index \(0, 1\)"),
    # numpy.asarray drops the mask: the masked cells would be computed with as data
    ("image_masked_cells", lambda: conv2d(np.ma.masked_array([[1.0, 2.0]], mask=[[0, 1]]),
                                          [[1]]),
     ValueError, r"\bimage\b", r"masked.*\(0, 1\)"),
    # A long double beyond float64's range is not inf, but would become inf.
    ("image_long_double_beyond_float64",
     lambda: conv2d(np.full((1, 2), np.longdouble("1e400")), [[1]]), ValueError, r"\bimage\b",
     r"beyond float64's range"),
    ("receptive_fields_not_a_layer", lambda: cnn.receptive_fields([cnn.Pool(2), 3]), TypeError,
     r"\blayers\b", r"\b3\b.*index 1"),
    ("forward_not_a_layer", lambda: cnn.forward(X, [cnn.ReLU(), "pool"]), TypeError,
     r"\blayers\b", r"'pool' at index 1"),
]


@pytest.mark.parametrize("call, error, name, value", [pytest.param(*row[1:], id=row[0])
                                                      for row in REFUSED])
def test_refused_early_and_clearly(call, error, name, value):
    tracemalloc.start()
    try:
        with pytest.raises(error) as info:
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert type(info.value) is error, f"{type(info.value).__name__}: {message}"
    assert "\n" not in message
    assert re.search(name, message), f"parameter name {name!r} not in: {message}"
    assert re.search(value, message), f"value {value!r} not in: {message}"
    origin = innermost_file(info.tb)
    assert PACKAGE_DIR in origin.parents, f"raised from {origin}: {message}"
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MiB allocated before refusing"


@pytest.mark.parametrize("call, limit", [
    (lambda: conv2d(X, K, padding=10**9), "MAX_CELLS"),
    (lambda: images.grid(10**6), "MAX_CELLS"),
    (lambda: conv2d(np.ones((1, 1)), np.ones((1000, 1000)), padding="full"), "MAX_PRODUCTS"),
    (lambda: conv2d_steps(np.ones((600, 600)), K), "MAX_STEPS"),
], ids=["cells", "image_cells", "products", "steps"])
def test_messages_name_the_limit(call, limit):
    with pytest.raises(ValueError, match=rf"convdocs\.{limit} \({getattr(convdocs, limit)}\)"):
        call()


def test_limits_are_documented_numbers():
    assert convdocs.MAX_CELLS == 2**28           # 2 GiB of float64
    assert convdocs.MAX_PRODUCTS == 2**36
    assert convdocs.MAX_STEPS == 10_000
    for name in ("MAX_CELLS", "MAX_PRODUCTS", "MAX_STEPS"):
        assert name in convdocs.__all__


def test_limits_are_inclusive():
    # A trace of exactly MAX_STEPS steps is allowed: 100 x 100 outputs.
    assert len(conv2d_steps(np.ones((100, 100)), [[1.0]])) == convdocs.MAX_STEPS
    with pytest.raises(ValueError, match=r"10100 steps"):
        conv2d_steps(np.ones((100, 101)), [[1.0]])


# (id, call, expected result)
CORRECT = [
    # A 1-tap kernel has no gaps to dilate; a stride past the input leaves one window.
    ("conv_k1_huge_dilation", lambda: conv2d(RAMP, [[2.0]], dilation=BIG), 2 * RAMP),
    ("conv_steps_k1_huge_dilation",
     lambda: [s.result for s in conv2d_steps(RAMP, [[2.0]], dilation=BIG)], 2 * RAMP.ravel()),
    ("conv_huge_stride", lambda: conv2d(RAMP, K, stride=BIG), [[RAMP[:3, :3].sum()]]),
    ("conv_steps_huge_stride", lambda: [s.result for s in conv2d_steps(RAMP, K, stride=BIG)],
     [RAMP[:3, :3].sum()]),
    ("avg_pool_huge_stride", lambda: avg_pool2d(RAMP, 2, stride=BIG), [[3.0]]),
    ("max_pool_huge_stride", lambda: max_pool2d(RAMP, 2, stride=(1, BIG)),
     [[6.0], [11.0], [16.0], [21.0]]),
    ("pool_steps_huge_stride",
     lambda: [s.result for s in pool2d_steps(RAMP, 2, op="avg", stride=BIG)], [3.0]),
    # A 1x1 input scatters one copy of the kernel, whatever the stride.
    ("transpose_one_pixel_huge_stride", lambda: conv_transpose2d([[2.0]], K, stride=BIG),
     2 * K),
    # Two inputs 2*10**30 cells apart; cropping 10**30 cells from each side of the scatter
    # leaves its middle cell, which no input reaches.
    ("transpose_huge_stride_cropped",
     lambda: conv_transpose2d(np.ones((2, 2)), [[1.0]], stride=2 * BIG, padding=BIG), [[0.0]]),
    # Three inputs 10**30 cells apart, cropped to the one cell where the middle one lands.
    ("transpose_huge_stride_middle_input",
     lambda: conv_transpose2d(np.arange(9.0).reshape(3, 3), [[1.0]], stride=BIG, padding=BIG),
     [[4.0]]),
    ("transpose_steps_huge_stride_cropped",
     lambda: [s.result for s in conv_transpose2d_steps(np.ones((2, 2)), [[1.0]], stride=2 * BIG,
                                                       padding=BIG)], [0.0]),
    # Python ints beyond int64 and exact fractions are real numbers too.
    ("image_int_beyond_int64", lambda: conv2d([[BIG, 1]], [[1]]), [[1e30, 1.0]]),
    ("image_fractions", lambda: conv2d(np.array([[Fraction(1, 2), Fraction(3, 4)]]), [[4]]),
     [[2.0, 3.0]]),
    ("kernel_int_beyond_int64", lambda: conv2d([[1.0, 2.0]], [[BIG]]), [[1e30, 2e30]]),
    # A masked array with nothing masked is just its data.
    ("image_masked_nothing", lambda: max_pool2d(np.ma.masked_array(RAMP[:2, :2]), 2), [[6.0]]),
    ("output_size_huge_n", lambda: output_size(BIG, 3, stride=2), (BIG - 3) // 2 + 1),
]


@pytest.mark.parametrize("call, expected", [pytest.param(*row[1:], id=row[0])
                                            for row in CORRECT])
def test_correct_result(call, expected):
    got = call()
    if isinstance(expected, int):
        assert got == expected
    else:
        np.testing.assert_array_equal(got, expected)


def test_relu_turns_negative_zero_into_zero():
    out = cnn.relu([[-0.0, -1.0, 2.0]])
    np.testing.assert_array_equal(out, [[0.0, 0.0, 2.0]])
    assert not np.signbit(out).any()


# --- image files ------------------------------------------------------------------------

def save(path: Path, pixels, mode=None, **kw) -> Path:
    Image.fromarray(np.asarray(pixels, dtype=np.uint8), mode).save(path, **kw)
    return path


def test_decompression_bomb_is_an_image_file_error(tmp_path, monkeypatch):
    path = save(tmp_path / "bomb.png", np.zeros((100, 100)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)   # 10000 pixels is a bomb now
    with pytest.raises(ImageFileError) as info:
        load_image(path)
    assert type(info.value).__name__ == "ImageTooLargeError"
    assert isinstance(info.value, ValueError)
    assert "bomb.png" in str(info.value) and "\n" not in str(info.value)


def test_image_over_pillows_warning_limit_is_refused(tmp_path, monkeypatch):
    # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns; convdocs refuses.
    path = save(tmp_path / "big.png", np.zeros((40, 40)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageFileError, match=r"big\.png.*1600 pixels"):
            load_image(path)


def test_image_over_max_cells_is_refused(tmp_path, monkeypatch):
    path = save(tmp_path / "rgb.png", np.zeros((20, 20, 3)))
    monkeypatch.setattr(convdocs._sizes, "MAX_CELLS", 1000)
    assert load_image(path).shape == (20, 20)                 # 400 grey values fit
    with pytest.raises(ImageFileError, match=r"rgb\.png.*\(20, 20, 3\).*MAX_CELLS \(1000\)"):
        load_image(path, gray=False)                          # 1200 colour values do not


A = np.arange(6, dtype=np.uint8).reshape(2, 3) * 40   # distinct levels, 2 rows, 3 columns

# EXIF orientation: how the stored pixels must be turned to show the picture upright.
ORIENTATIONS = {
    1: A,
    2: A[:, ::-1],                 # mirrored left-right
    3: A[::-1, ::-1],              # upside down
    4: A[::-1],                    # mirrored top-bottom
    5: A.T,                        # transposed
    6: np.rot90(A, -1),            # stored turned left: turn it 90 degrees clockwise
    7: A[::-1, ::-1].T,            # transverse
    8: np.rot90(A, 1),             # stored turned right: turn it counter-clockwise
}


@pytest.mark.parametrize("tag", list(ORIENTATIONS))
def test_exif_orientation_is_applied(tmp_path, tag):
    exif = Image.Exif()
    exif[0x0112] = tag
    path = save(tmp_path / "phone.png", A, exif=exif)
    np.testing.assert_array_equal(load_image(path), ORIENTATIONS[tag])


def test_exif_orientation_of_a_jpeg(tmp_path):
    # A phone photo: JPEG, stored sideways with tag 6. The bright block stored at the
    # bottom-left is at the top-left once the picture is turned upright.
    pixels = np.zeros((32, 48), dtype=np.uint8)
    pixels[16:, :16] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    path = save(tmp_path / "photo.jpg", pixels, exif=exif, quality=95)
    loaded = load_image(path)
    assert loaded.shape == (48, 32)
    assert loaded[:16, :16].mean() > 240 and loaded[16:, :].mean() < 15


RGBA = np.array([[[10, 20, 30, 0], [10, 20, 30, 255], [200, 100, 0, 128]]], dtype=np.uint8)


def test_alpha_is_refused_by_default(tmp_path):
    path = save(tmp_path / "logo.png", RGBA, "RGBA")
    with pytest.raises(ImageFileError, match=r"logo\.png.*\balpha\b"):
        load_image(path)


@pytest.mark.parametrize("make", [
    lambda p: save(p, RGBA[..., [0, 3]], "LA"),                                   # grey + alpha
    lambda p: save(p, RGBA[..., 0], "L", transparency=10),                       # tRNS level
    lambda p: Image.fromarray(RGBA[..., 0]).convert("P").save(p, transparency=0),  # palette
], ids=["LA", "L_transparency", "P_transparency"])
def test_every_kind_of_transparency_is_refused_by_default(tmp_path, make):
    path = tmp_path / "t.png"
    make(path)
    with pytest.raises(ImageFileError, match=r"\balpha\b"):
        load_image(path)
    assert load_image(path, alpha="drop").shape == (1, 3)


@pytest.mark.parametrize("alpha, expected", [
    # "drop" keeps the colour as stored, whatever its transparency
    ("drop", [[10, 20, 30], [10, 20, 30], [200, 100, 0]]),
    # composited over white: transparent -> white, opaque -> itself,
    # half (128/255) -> c*128/255 + 255*127/255, rounded
    ("white", [[255, 255, 255], [10, 20, 30], [227, 177, 127]]),
    ("black", [[0, 0, 0], [10, 20, 30], [100, 50, 0]]),
])
def test_alpha_options(tmp_path, alpha, expected):
    path = save(tmp_path / "a.png", RGBA, "RGBA")
    got = load_image(path, gray=False, alpha=alpha)
    np.testing.assert_allclose(got[0], expected, atol=1)
    assert got[0, 0].tolist() == expected[0] and got[0, 1].tolist() == expected[1]


def test_alpha_option_on_an_opaque_image_changes_nothing(tmp_path):
    path = save(tmp_path / "rgb.png", RGBA[..., :3])
    np.testing.assert_array_equal(load_image(path, gray=False, alpha="white"), RGBA[..., :3])


def frames_file(path: Path, levels, **kw) -> Path:
    frames = [Image.fromarray(np.full((4, 6), level, dtype=np.uint8)) for level in levels]
    frames[0].save(path, save_all=True, append_images=frames[1:], **kw)
    return path


@pytest.mark.parametrize("name", ["anim.gif", "pages.tif"])
def test_multi_frame_file_needs_a_frame(tmp_path, name):
    path = frames_file(tmp_path / name, [10, 120, 250], duration=100)
    with pytest.raises(ImageFileError, match=rf"{re.escape(name)}.*3 frames.*\bframe="):
        load_image(path)
    for frame, level in enumerate([10, 120, 250]):
        np.testing.assert_array_equal(load_image(path, frame=frame), np.full((4, 6), level))
    with pytest.raises(ImageFileError, match=rf"\bframe\b.*\(got 3\).*{re.escape(name)}"):
        load_image(path, frame=3)


def test_frame_of_a_single_picture(tmp_path):
    path = save(tmp_path / "one.png", A)
    np.testing.assert_array_equal(load_image(path, frame=0), A)
    with pytest.raises(ImageFileError, match=r"\bframe\b.*\(got 1\).*one\.png.*1 frame\b"):
        load_image(path, frame=1)


@pytest.mark.parametrize("frame, error", [(-1, ValueError), (1.5, TypeError), (True, TypeError),
                                          ("1", TypeError)])
def test_frame_must_be_a_whole_number(tmp_path, frame, error):
    path = save(tmp_path / "one.png", A)
    with pytest.raises(error, match=rf"frame must be .*\(got {re.escape(repr(frame))}\)"):
        load_image(path, frame=frame)


@pytest.mark.parametrize("alpha", ["ignore", "WHITE", True, 0])
def test_alpha_must_be_a_known_word(tmp_path, alpha):
    path = save(tmp_path / "one.png", A)
    with pytest.raises(ValueError, match=r"alpha must be one of 'drop', 'white', 'black'"):
        load_image(path, alpha=alpha)


def test_phone_jpeg_with_extra_pictures_reads_the_main_one(tmp_path):
    # Phones write JPEGs with extra pictures (Multi-Picture Format, "MPO"): the first is
    # the photo itself, so no frame is needed.
    main, extra = (Image.fromarray(np.full((16, 16), v, dtype=np.uint8)) for v in (200, 40))
    main.save(tmp_path / "phone.jpg", format="MPO", save_all=True, append_images=[extra])
    with Image.open(tmp_path / "phone.jpg") as img:
        assert img.format == "MPO" and img.n_frames == 2
    assert abs(load_image(tmp_path / "phone.jpg").mean() - 200) < 2


def test_formats_that_run_other_programs_are_refused(tmp_path):
    # Pillow opens EPS by running Ghostscript on it: not for files from strangers.
    Image.new("L", (4, 4)).save(tmp_path / "page.eps")
    with pytest.raises(ImageFileError, match=r"page\.eps.*format convdocs reads.*\bPNG\b"):
        load_image(tmp_path / "page.eps")
