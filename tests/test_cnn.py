"""The tiny CNN's building blocks, and the receptive-field arithmetic checked empirically."""

from __future__ import annotations

import numpy as np
import pytest

import convdocs
from convdocs import cnn, kernels


def test_relu_zeroes_negatives_only():
    x = np.array([[-2.5, 0.0, 3.0], [-0.0, 1e-9, -1e-9]])
    np.testing.assert_array_equal(cnn.relu(x), [[0, 0, 3], [0, 1e-9, 0]])


def test_relu_refuses_bad_input():
    with pytest.raises(ValueError, match=r"x must be finite \(got nan"):
        cnn.relu([[np.nan]])


def test_forward_is_the_layers_composed_by_hand():
    rng = np.random.default_rng(0)
    image = rng.random((12, 12))
    bank = (kernels.VERTICAL_EDGES, kernels.HORIZONTAL_EDGES)
    second = (rng.random((3, 3, 2)),)
    layers = [cnn.Conv(bank, padding="same"), cnn.ReLU(), cnn.Pool(2),
              cnn.Conv(second), cnn.ReLU(), cnn.Pool(2, op="avg")]
    outs = cnn.forward(image, layers)
    a = np.stack([convdocs.conv2d(image, k, padding="same") for k in bank], axis=-1)
    b = convdocs.max_pool2d(np.maximum(a, 0), 2)
    c = convdocs.conv2d(b, second[0])[..., None]
    d = convdocs.avg_pool2d(np.maximum(c, 0), 2)
    assert [o.shape for o in outs] == [(12, 12), (12, 12, 2), (12, 12, 2), (6, 6, 2),
                                       (4, 4, 1), (4, 4, 1), (2, 2, 1)]
    np.testing.assert_array_equal(outs[3], b)
    np.testing.assert_array_equal(outs[-1], d)


def empirical_field(layers, n=64) -> int:
    """Width of the input region that can change output cell (0, 0) of a linear stack:
    perturb one input pixel at a time and see which ones move the corner output."""
    base = np.zeros((n, n))
    reached = []
    for c in range(n):
        x = base.copy()
        x[0, c] = 1.0
        y = x
        for layer in layers:
            y = layer(y)
            y = y[..., 0] if y.ndim == 3 else y
        if y[0, 0] != 0:
            reached.append(c)
    return max(reached) + 1


@pytest.mark.parametrize("layers", [
    [cnn.Conv((np.ones((3, 3)),))],
    [cnn.Conv((np.ones((3, 3)),)), cnn.Pool(2, op="avg")],
    [cnn.Conv((np.ones((3, 3)),)), cnn.Pool(2, op="avg"), cnn.Conv((np.ones((3, 3)),))],
    [cnn.Conv((np.ones((3, 3)),)), cnn.Pool(2, op="avg"), cnn.Conv((np.ones((3, 3)),)),
     cnn.Pool(2, op="avg")],
    [cnn.Conv((np.ones((5, 5)),), stride=2), cnn.Pool(3, stride=2, op="avg")],
])
def test_receptive_field_matches_an_impulse_experiment(layers):
    # All-positive filters and average pooling are linear with no cancellation, so an
    # input pixel influences the corner output exactly when it lies in its field.
    size, _ = cnn.receptive_fields(layers)[-1]
    assert size == empirical_field(layers)


def test_receptive_fields_of_the_classic_stack():
    # conv3 -> pool2 -> conv3 -> pool2: 1 + 2*1 = 3, 3 + 1*1 = 4 (jump 2), 4 + 2*2 = 8,
    # 8 + 1*2 = 10 (jump 4)
    layers = [cnn.Conv((np.ones((3, 3)),)), cnn.Pool(2), cnn.Conv((np.ones((3, 3)),)),
              cnn.Pool(2)]
    assert cnn.receptive_fields(layers) == [(1, 1), (3, 1), (4, 2), (8, 2), (10, 4)]


@pytest.mark.parametrize("make, error, message", [
    (lambda: cnn.Pool(2, op="min"), ValueError, r"op must be one of 'max', 'avg' \(got 'min'\)"),
    (lambda: cnn.Pool(0), ValueError, r"size must be a positive integer \(got 0\)"),
    (lambda: cnn.Pool(2.0), TypeError, r"size must be a positive integer \(got 2\.0\)"),
    (lambda: cnn.Pool(2, stride=True), TypeError,
     r"stride must be a positive integer \(got True\)"),
    (lambda: cnn.Conv(()), ValueError, r"filters must hold at least one filter"),
    (lambda: cnn.Conv((np.ones((3, 2)),)), ValueError, r"filters must be square"),
    (lambda: cnn.Conv((np.ones((3, 3)),), stride=0), ValueError,
     r"stride must be a positive integer \(got 0\)"),
    (lambda: cnn.Conv((np.ones((3, 3)),))(np.ones((5, 5, 2))), ValueError,
     r"\(k, k, C\).*\(5, 5, 2\)"),
])
def test_layers_refuse_bad_arguments(make, error, message):
    with pytest.raises(error, match=message) as info:
        make()
    assert type(info.value) is error
