"""The kernel catalogue and the sample images."""

import numpy as np
import pytest
from PIL import Image

from convdocs import conv2d, images, kernels, load_image, photo

NAMES = ["identity", "vertical_edges", "horizontal_edges", "outline", "box_blur",
         "gaussian_blur", "sharpen", "emboss", "sobel_left", "sobel_right", "sobel_top",
         "sobel_bottom"]
EDGE_KERNELS = ["vertical_edges", "horizontal_edges", "outline", "sobel_left", "sobel_right",
                "sobel_top", "sobel_bottom"]
BLUR_KERNELS = ["box_blur", "gaussian_blur"]


# --- kernels ------------------------------------------------------------------------------

def test_names_in_catalogue_order():
    assert kernels.names() == NAMES
    assert list(kernels.CATALOGUE) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_kernel_has_a_meaning(name):
    kernel = kernels.get(name)
    assert kernel.name == name
    assert isinstance(kernel.meaning, str) and len(kernel.meaning) > 20
    assert kernel.meaning[0].isupper() and kernel.meaning.endswith(".")


@pytest.mark.parametrize("name", NAMES)
def test_every_kernel_is_3x3_float_and_read_only(name):
    values = kernels.get(name).values
    assert values.shape == (3, 3)
    assert values.dtype == np.float64
    assert not values.flags.writeable
    with pytest.raises(ValueError):
        values[1, 1] = 42.0
    assert np.isfinite(values).all()


@pytest.mark.parametrize("name", NAMES)
def test_module_constant_is_the_catalogue_array(name):
    assert getattr(kernels, name.upper()) is kernels.get(name).values
    assert not getattr(kernels, name.upper()).flags.writeable


@pytest.mark.parametrize("spelling, name", [
    ("sobel-left", "sobel_left"),
    ("Sobel Left", "sobel_left"),
    (" box-blur ", "box_blur"),
    ("GAUSSIAN_BLUR", "gaussian_blur"),
    ("vertical-edges", "vertical_edges"),
])
def test_get_accepts_dashes_spaces_and_case(spelling, name):
    assert kernels.get(spelling) is kernels.CATALOGUE[name]


@pytest.mark.parametrize("name", EDGE_KERNELS)
def test_edge_kernels_sum_to_zero(name):
    # So a flat area gives zero: exactly when its level is a binary fraction (0.75), and
    # up to rounding otherwise (0.7 * 3 - 0.7 * 3 in a different order is 2.2e-16).
    values = kernels.get(name).values
    assert values.sum() == 0
    assert not conv2d(np.full((5, 5), 0.75), values).any()
    np.testing.assert_allclose(conv2d(np.full((5, 5), 0.7), values), 0, atol=1e-15)


@pytest.mark.parametrize("name", BLUR_KERNELS)
def test_blur_kernels_sum_to_one(name):
    values = kernels.get(name).values
    assert values.sum() == pytest.approx(1, abs=1e-15)
    assert (values > 0).all()
    # So a flat area keeps its level.
    np.testing.assert_allclose(conv2d(np.full((5, 5), 0.7), values), 0.7, rtol=1e-15)


@pytest.mark.parametrize("name", ["identity", "sharpen", "emboss"])
def test_level_keeping_kernels_sum_to_one(name):
    # identity: one 1; sharpen: 5 - 4*1; emboss: -2-1-1+1+1+1+2 = 1.
    assert kernels.get(name).values.sum() == 1


def test_kernel_numbers_from_their_sources():
    # Sobel: [1, 2, 1] smoothing down the rows, [1, 0, -1] difference across the columns.
    np.testing.assert_array_equal(kernels.SOBEL_LEFT, [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    np.testing.assert_array_equal(kernels.SOBEL_RIGHT, -kernels.SOBEL_LEFT)
    np.testing.assert_array_equal(kernels.SOBEL_TOP, kernels.SOBEL_LEFT.T)
    np.testing.assert_array_equal(kernels.SOBEL_BOTTOM, -kernels.SOBEL_LEFT.T)
    # Prewitt: equal row weights.
    np.testing.assert_array_equal(kernels.VERTICAL_EDGES, [[1, 0, -1]] * 3)
    np.testing.assert_array_equal(kernels.HORIZONTAL_EDGES, kernels.VERTICAL_EDGES.T)
    np.testing.assert_array_equal(kernels.GAUSSIAN_BLUR * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_allclose(kernels.BOX_BLUR, np.full((3, 3), 1 / 9), rtol=1e-15)
    np.testing.assert_array_equal(kernels.IDENTITY, [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(kernels.OUTLINE, [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])


# step_edge(8) is black in columns 0-3 and white in 4-7. The Sobel kernels have rows
# (1, 2, 1) and columns (1, 0, -1), so on a "valid" 6x6 output centred on columns 1..6
#   out[r, c'] = (1 + 2 + 1) * (x[c'] - x[c' + 2]) = 4 * (left - right),
# which is nonzero only for centres 3 and 4 (output columns 2 and 3).
def test_sobel_left_positive_where_left_brighter():
    bright_left = np.fliplr(images.step_edge(8))     # white on the left now
    out = conv2d(bright_left, kernels.SOBEL_LEFT)
    np.testing.assert_array_equal(out, np.tile([0, 0, 4, 4, 0, 0], (6, 1)))
    np.testing.assert_array_equal(conv2d(bright_left, kernels.SOBEL_RIGHT), -out)


def test_sobel_right_positive_on_step_edge():
    out = conv2d(images.step_edge(8), kernels.SOBEL_RIGHT)   # black left, white right
    np.testing.assert_array_equal(out, np.tile([0, 0, 4, 4, 0, 0], (6, 1)))


def test_sobel_bottom_positive_where_bottom_brighter():
    edge = images.step_edge(8, vertical=False)   # black top, white bottom
    out = conv2d(edge, kernels.SOBEL_BOTTOM)
    np.testing.assert_array_equal(out, np.tile([[0], [0], [4], [4], [0], [0]], (1, 6)))
    np.testing.assert_array_equal(conv2d(edge, kernels.SOBEL_TOP), -out)


def test_vertical_edges_on_step_edge():
    # Rows (1, 1, 1): 3 * (left - right) = -3 at the black-to-white edge.
    out = conv2d(images.step_edge(8), kernels.VERTICAL_EDGES)
    np.testing.assert_array_equal(out, np.tile([0, 0, -3, -3, 0, 0], (6, 1)))
    assert not conv2d(images.step_edge(8), kernels.HORIZONTAL_EDGES).any()


def test_identity_and_sharpen_on_flat_image():
    x = np.full((4, 4), 3.0)
    np.testing.assert_array_equal(conv2d(x, kernels.IDENTITY), x[1:-1, 1:-1])
    np.testing.assert_array_equal(conv2d(x, kernels.SHARPEN), x[1:-1, 1:-1])


# --- synthetic images ---------------------------------------------------------------------

def test_grid_default_shape_and_values():
    g = images.grid()
    assert g.shape == (26, 26)            # 3 cells * (6 + 2) + 2
    assert g.dtype == np.float64
    assert set(np.unique(g)) == {0.0, 1.0}
    # black frame, so zero padding adds no edge of its own
    assert not g[[0, 1, -2, -1], :].any() and not g[:, [0, 1, -2, -1]].any()
    assert g[2:8, 2:8].all() and not g[8:10, :].any()   # a white cell, then a black line


def test_grid_small_by_hand():
    # cells=2, cell_size=2, line_width=1: period 3, size 2*3 + 1 = 7, lines at 0, 3, 6.
    row_white = [0, 1, 1, 0, 1, 1, 0]
    expected = np.outer(row_white, row_white)
    np.testing.assert_array_equal(images.grid(cells=2, cell_size=2, line_width=1), expected)


def test_checkerboard_by_hand():
    np.testing.assert_array_equal(images.checkerboard(2, 1), [[0, 1], [1, 0]])
    board = images.checkerboard(3, 2)
    assert board.shape == (6, 6)
    np.testing.assert_array_equal(board[0], [0, 0, 1, 1, 0, 0])
    np.testing.assert_array_equal(board[2], [1, 1, 0, 0, 1, 1])
    assert images.checkerboard().shape == (8, 8)          # 4 squares of 2
    assert images.checkerboard()[0, 0] == 0                 # starts black at the top left
    assert images.checkerboard().dtype == np.float64


@pytest.mark.parametrize("size, row", [
    (8, [0, 0, 0, 0, 1, 1, 1, 1]),
    (4, [0, 0, 1, 1]),
    (5, [0, 0, 1, 1, 1]),        # odd case: the white half gets the middle column
    (2, [0, 1]),
])
def test_step_edge_by_hand(size, row):
    edge = images.step_edge(size)
    assert edge.shape == (size, size) and edge.dtype == np.float64
    np.testing.assert_array_equal(edge, np.tile(row, (size, 1)))
    np.testing.assert_array_equal(images.step_edge(size, vertical=False), edge.T)
    assert edge.flags.writeable            # a real array, not a broadcast view


# --- photo and files ----------------------------------------------------------------------

def test_photo_gray():
    img = photo()
    assert img.shape == (600, 512)
    assert img.dtype == np.float64
    assert img.min() >= 0 and img.max() <= 255
    assert np.array_equal(img, np.round(img))     # grey levels are whole numbers
    assert img.std() > 10                         # a real picture, not a flat fill


def test_photo_colour():
    rgb = photo(gray=False)
    assert rgb.shape == (600, 512, 3)
    assert rgb.min() >= 0 and rgb.max() <= 255
    # The grey version is ITU-R 601 luma of the colour one: 0.299 R + 0.587 G + 0.114 B,
    # up to Pillow's integer rounding.
    luma = rgb @ np.array([0.299, 0.587, 0.114])
    assert np.abs(photo() - luma).max() <= 1


def test_load_image_round_trips_gray_png(tmp_path):
    pixels = np.random.default_rng(5).integers(0, 256, size=(7, 9), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "gray.png")
    for path in (tmp_path / "gray.png", str(tmp_path / "gray.png")):
        loaded = load_image(path)
        assert loaded.dtype == np.float64
        np.testing.assert_array_equal(loaded, pixels)


def test_load_image_round_trips_rgb_png(tmp_path):
    pixels = np.random.default_rng(6).integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "rgb.png")
    np.testing.assert_array_equal(load_image(tmp_path / "rgb.png", gray=False), pixels)


def test_load_image_gray_from_colour(tmp_path):
    # Pillow's L = R*299/1000 + G*587/1000 + B*114/1000, rounded:
    #   red 255 -> 76.2 -> 76, green 255 -> 149.7 -> 150, blue 255 -> 29.1 -> 29.
    pixels = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0]]],
                      dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "colours.png")
    np.testing.assert_array_equal(load_image(tmp_path / "colours.png"), [[76, 150, 29, 255, 0]])


def test_load_image_gray_file_as_rgb(tmp_path):
    Image.fromarray(np.array([[0, 100, 255]], dtype=np.uint8)).save(tmp_path / "g.png")
    np.testing.assert_array_equal(load_image(tmp_path / "g.png", gray=False),
                                  [[[0, 0, 0], [100, 100, 100], [255, 255, 255]]])


def test_load_image_drops_alpha_when_told(tmp_path):
    # (without alpha=..., a file with transparency is refused: tests/test_hostile_inputs.py)
    Image.fromarray(np.array([[[10, 20, 30, 0]]], dtype=np.uint8), "RGBA").save(tmp_path / "a.png")
    np.testing.assert_array_equal(load_image(tmp_path / "a.png", gray=False, alpha="drop"),
                                  [[[10, 20, 30]]])


def test_load_image_16_bit_png_keeps_its_levels(tmp_path):
    # A 16-bit grey PNG (levels 0..65535) is scaled onto 0..255, keeping its fractions,
    # rather than clipped by Pillow so that every level above 255 turns white:
    # 65535 -> 255 exactly, 32768 -> 32768 * 255 / 65535 = 127.502, 256 -> 0.996.
    levels = np.array([[0, 256, 1000, 32768, 65535]], dtype=np.uint16)
    Image.fromarray(levels).save(tmp_path / "deep.png")
    with Image.open(tmp_path / "deep.png") as img:
        assert img.mode == "I;16"          # the file really is 16-bit
    loaded = load_image(tmp_path / "deep.png")
    np.testing.assert_allclose(loaded, levels.astype(float) * 255 / 65535, rtol=1e-15, atol=0)
    assert loaded[0, 0] == 0 and loaded[0, -1] == 255
    assert round(loaded[0, 3], 3) == 127.502
    rgb = load_image(tmp_path / "deep.png", gray=False)
    assert rgb.shape == (1, 5, 3) and (rgb == loaded[..., None]).all()


@pytest.mark.parametrize("seed, error", [(-1, ValueError), ("a", TypeError), (1.5, TypeError)])
def test_numbers_names_a_bad_seed(seed, error):
    with pytest.raises(error, match=rf"seed must be a non-negative integer \(got {seed!r}\)"
                       if error is TypeError else r"seed must be >= 0 \(got -1\)"):
        images.numbers((2, 2), seed=seed)
