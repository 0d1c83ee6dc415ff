"""Output sizes: Dumoulin & Visin's relationships, PyTorch's ceil_mode rule, real shapes.

Padding is counted per side throughout, as in Dumoulin & Visin (2016) and PyTorch.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from strategies import SETTINGS, configs

from convdocs import avg_pool2d, conv2d, max_pool2d, output_size

# (name, i, k, p, s, d, o): the configurations of Dumoulin & Visin's animations.
PAPER_CASES = [
    ("no_padding_no_strides", 4, 3, 0, 1, 1, 2),
    ("arbitrary_padding_no_strides", 5, 4, 2, 1, 1, 6),
    ("same_padding_no_strides", 5, 3, 1, 1, 1, 5),
    ("full_padding_no_strides", 5, 3, 2, 1, 1, 7),
    ("no_padding_strides", 5, 3, 0, 2, 1, 2),
    ("padding_strides", 5, 3, 1, 2, 1, 3),
    # odd case: the bottom row and right column of the padded 8x8 input are never covered
    ("padding_strides_odd", 6, 3, 1, 2, 1, 3),
    # dilation 2 spreads a 3-tap kernel over 5 cells: 7 - 5 + 1 = 3
    ("dilation", 7, 3, 0, 1, 2, 3),
]


@pytest.mark.parametrize("name, i, k, p, s, d, o", PAPER_CASES, ids=[c[0] for c in PAPER_CASES])
def test_paper_configurations(name, i, k, p, s, d, o):
    assert output_size(i, k, stride=s, padding=p, dilation=d) == o


@pytest.mark.parametrize("name, i, k, p, s, d, o", PAPER_CASES, ids=[c[0] for c in PAPER_CASES])
def test_paper_configurations_match_conv2d_shape(name, i, k, p, s, d, o):
    out = conv2d(np.ones((i, i)), np.ones((k, k)), stride=s, padding=p, dilation=d)
    assert out.shape == (o, o)


def test_paper_pooling_configuration():
    # Their pooling figures: 3x3 pooling on 5x5 with unit strides gives 3x3.
    assert output_size(5, 3, stride=1) == 3
    assert max_pool2d(np.ones((5, 5)), 3, stride=1).shape == (3, 3)
    assert avg_pool2d(np.ones((5, 5)), 3, stride=1).shape == (3, 3)


# A range of sizes on which to check the closed forms. Each relationship below is
# written as the paper states it, not through output_size's own general formula.
SIZES = range(1, 16)
KERNELS = range(1, 8)
STRIDES = range(1, 5)


def test_relationship_1_no_padding_unit_strides():
    for i in SIZES:
        for k in KERNELS:
            if k <= i:
                assert output_size(i, k) == (i - k) + 1, (i, k)


def test_relationship_2_zero_padding_unit_strides():
    for i in SIZES:
        for k in KERNELS:
            for p in range(0, 5):
                if k <= i + 2 * p:
                    assert output_size(i, k, padding=p) == (i - k) + 2 * p + 1, (i, k, p)


def test_relationship_3_half_padding_keeps_size():
    for i in SIZES:
        for k in (1, 3, 5, 7):  # k odd, p = floor(k / 2)
            if k <= i + 2 * (k // 2):
                assert output_size(i, k, padding=k // 2) == i, (i, k)


def test_relationship_4_full_padding_grows_by_k_minus_1():
    for i in SIZES:
        for k in KERNELS:
            assert output_size(i, k, padding=k - 1) == i + (k - 1), (i, k)


def test_relationship_5_no_padding_strides():
    for i in SIZES:
        for k in KERNELS:
            for s in STRIDES:
                if k <= i:
                    assert output_size(i, k, stride=s) == math.floor((i - k) / s) + 1, (i, k, s)


def test_relationship_6_padding_and_strides():
    for i in SIZES:
        for k in KERNELS:
            for s in STRIDES:
                for p in range(0, 4):
                    if k <= i + 2 * p:
                        expected = math.floor((i + 2 * p - k) / s) + 1
                        assert output_size(i, k, stride=s, padding=p) == expected, (i, k, s, p)


def test_relationship_6_ambiguity_for_strides():
    # The paper's remark under relationship 6: if i + 2p - k is a multiple of s, every
    # input size i + a with a in 0..s-1 gives the same output (why 5 and 6 both give 3).
    for s in (2, 3, 4):
        i, k, p = 2 * s + 1, 3, 1   # i + 2p - k = 2s, so o = 2 + 1 = 3
        assert {output_size(i + a, k, stride=s, padding=p) for a in range(s)} == {3}
        assert output_size(i + s, k, stride=s, padding=p) == 4


def test_relationship_7_pooling():
    # Relationship 7 in the paper is the pooling one: o = floor((i - k) / s) + 1, no padding.
    for i in SIZES:
        for k in KERNELS:
            for s in STRIDES:
                if k <= i:
                    expected = math.floor((i - k) / s) + 1
                    assert output_size(i, k, stride=s) == expected
                    assert max_pool2d(np.ones((i, 1)), (k, 1), stride=(s, 1)).shape == (expected, 1)


def test_half_padding_with_strides():
    # Relationship 6 with k = 2n + 1 and p = n: i + 2n - 2n - 1 = i - 1, so o = floor((i-1)/s)+1,
    # which is ceil(i / s): every s-th input row is a window centre, starting with row 0.
    for i in SIZES:
        for k in (1, 3, 5, 7):
            for s in STRIDES:
                if k <= i + 2 * (k // 2):
                    assert output_size(i, k, stride=s, padding=k // 2) == math.ceil(i / s)


def test_relationship_15_dilation():
    for i in SIZES:
        for k in range(1, 5):
            for s in STRIDES:
                for p in range(0, 3):
                    for d in range(1, 4):
                        if k + (k - 1) * (d - 1) <= i + 2 * p:
                            expected = math.floor((i + 2 * p - k - (k - 1) * (d - 1)) / s) + 1
                            got = output_size(i, k, stride=s, padding=p, dilation=d)
                            assert got == expected, (i, k, s, p, d)


def test_dilation_1_is_no_dilation():
    for i in SIZES:
        for k in range(1, i + 1):
            assert output_size(i, k, dilation=1) == output_size(i, k)


def torch_rule(i, k, s, p, d=1, ceil_mode=False):
    """PyTorch's documented output size for max_pool2d / avg_pool2d (MaxPool2d docs).

    o = ceil((i + 2p - d(k-1) - 1) / s) + 1 with ceil_mode, minus one if the last window
    would start in the right-hand padding, i.e. if (o - 1) * s >= i + p.
    """
    num = i + 2 * p - d * (k - 1) - 1
    o = (math.ceil(num / s) if ceil_mode else math.floor(num / s)) + 1
    if ceil_mode and (o - 1) * s >= i + p:
        o -= 1
    return o


@pytest.mark.parametrize("i, k, s, p, floor_o, ceil_o", [
    (5, 2, 2, 0, 2, 3),   # odd case: ceil keeps a last window holding only column 4
    (4, 2, 2, 0, 2, 2),   # windows tile exactly: ceil changes nothing
    (7, 3, 2, 0, 3, 3),   # (7-3)/2 = 2 exactly: no leftover
    (8, 3, 2, 0, 3, 4),   # (8-3)/2 = 2.5: ceil adds a window starting at column 6
    (6, 2, 2, 1, 4, 4),   # (6+2-2)/2 = 3 exactly
    # odd case: ceil would give 4 windows starting at -1, 1, 3, 5; column 5 is the first
    # right-padding cell (the input is columns 0..4), so that window is dropped: 3.
    (5, 2, 2, 1, 3, 3),
    # (5+2-3)/3 = 1.33: floor 2 windows (at -1, 2); ceil 3 windows, the third at 5,
    # which is in the right padding (5 >= i = 5), so it is dropped again: 2.
    (5, 3, 3, 1, 2, 2),
    # (6+2-3)/3 = 1.67: ceil gives a third window at 5, the input's last column: kept.
    (6, 3, 3, 1, 2, 3),
])
def test_ceil_mode_known_cases(i, k, s, p, floor_o, ceil_o):
    assert output_size(i, k, stride=s, padding=p) == floor_o
    assert output_size(i, k, stride=s, padding=p, ceil_mode=True) == ceil_o
    assert torch_rule(i, k, s, p, ceil_mode=True) == ceil_o  # the table agrees with the rule


def test_ceil_mode_matches_pytorch_rule_everywhere():
    for i in range(1, 13):
        for k in range(1, 6):
            for s in range(1, 5):
                for p in range(0, k // 2 + 1):
                    for d in (1, 2):
                        if d * (k - 1) + 1 > i + 2 * p:
                            continue
                        for ceil_mode in (False, True):
                            got = output_size(i, k, stride=s, padding=p, dilation=d,
                                              ceil_mode=ceil_mode)
                            assert got == torch_rule(i, k, s, p, d, ceil_mode), \
                                (i, k, s, p, d, ceil_mode)


def test_ceil_mode_never_loses_a_window():
    # Rounding up can only add windows, never remove one, and adds at most one.
    for i in range(1, 13):
        for k in range(1, i + 1):
            for s in range(1, 5):
                lo, hi = output_size(i, k, stride=s), output_size(i, k, stride=s, ceil_mode=True)
                assert lo <= hi <= lo + 1


@SETTINGS
@given(cfg=configs("conv", max_side=11, max_kernel=5, max_dilation=3, modes=("zeros",)))
def test_output_size_equals_conv2d_shape_on_random_configs(cfg):
    kw = cfg.kwargs
    out = conv2d(np.zeros(cfg.shape), np.ones(cfg.kernel), **kw)
    assert out.shape == tuple(output_size(n, k, stride=s, padding=p, dilation=d) for
                              n, k, s, p, d in zip(cfg.shape, cfg.kernel, kw["stride"],
                                                   kw["padding"], kw["dilation"]))


@SETTINGS
@given(cfg=configs("pool", max_side=11, max_kernel=5))
def test_output_size_equals_pool_shape_on_random_configs(cfg):
    kw = cfg.kwargs
    expected = tuple(output_size(n, k, stride=s, padding=p, ceil_mode=kw["ceil_mode"])
                     for n, k, s, p in zip(cfg.shape, kw["size"], kw["stride"], kw["padding"]))
    for pool in (max_pool2d, avg_pool2d):
        assert pool(np.zeros(cfg.shape), **kw).shape == expected


@pytest.mark.parametrize("padding, expected", [
    ("valid", (5, 4)),   # 7 - 3 + 1, 6 - 3 + 1
    ("same", (7, 6)),
    ("full", (9, 8)),    # 7 + 3 - 1, 6 + 3 - 1 (relationship 4)
])
def test_padding_words_give_paper_sizes(padding, expected):
    assert conv2d(np.ones((7, 6)), np.ones((3, 3)), padding=padding).shape == expected


@pytest.mark.parametrize("k, d", [(2, 1), (4, 1), (3, 2), (2, 3), (4, 2)])
def test_same_keeps_size_for_even_and_dilated_kernels(k, d):
    # "same" pads d(k-1) in total, so o = i + d(k-1) - (k + (k-1)(d-1)) + 1 = i.
    assert conv2d(np.ones((9, 8)), np.ones((k, k)), padding="same", dilation=d).shape == (9, 8)


@pytest.mark.parametrize("k, d", [(2, 1), (3, 1), (3, 2), (2, 3)])
def test_full_grows_by_effective_size_minus_1(k, d):
    # "full" pads d(k-1) per side: o = i + 2d(k-1) - d(k-1) = i + d(k-1).
    assert conv2d(np.ones((6, 5)), np.ones((k, k)), padding="full",
                  dilation=d).shape == (6 + d * (k - 1), 5 + d * (k - 1))
