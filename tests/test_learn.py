"""convdocs.learn: every gradient against finite differences and against the operation it is
(conv2d, conv_transpose2d); the filter that learns and the network that decides, as the pages
show them; and what the pages say about them.

Training time is measured by `make bench` (bench/run.py), not here.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convdocs
from convdocs import kernels, learn
from convdocs.conv import plan_conv2d
from strategies import SETTINGS, configs

DOCS = Path(__file__).resolve().parents[1] / "docs"
EPS = 1e-6


def numeric_grad(f, x):
    """Central differences of the scalar function f at every entry of x."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += EPS
        down[i] -= EPS
        grad[i] = (f(up) - f(down)) / (2 * EPS)
    return grad


def assert_close(analytic, numeric):
    scale = max(1.0, float(np.abs(numeric).max()))
    np.testing.assert_allclose(analytic, numeric, rtol=0, atol=1e-6 * scale)


# -- convolution: kernel and input gradients --------------------------------------------------

CONV_CASES = [
    ((5, 6), (3, 3), {}),
    ((6, 6), (3, 3), dict(padding=1)),
    ((7, 6), (3, 2), dict(stride=2, padding=1)),                  # odd case: a row unread
    ((7, 8), (2, 3), dict(stride=(2, 3), padding=(1, 2), dilation=2)),
    ((6, 6), (4, 4), dict(padding="same")),                       # uneven padding, cropped
    ((9, 9), (3, 3), dict(padding="full", dilation=(1, 2))),
    ((6, 5, 3), (3, 3), dict(padding="same")),                    # one kernel per channel
    ((6, 5, 3), (3, 3, 3), dict(padding=1, stride=2)),            # one filter across channels
]


@pytest.mark.parametrize("shape, kshape, kw", CONV_CASES)
def test_conv2d_gradients_match_finite_differences(shape, kshape, kw):
    rng = np.random.default_rng(len(shape) + sum(kshape))
    x, k = rng.normal(size=shape), rng.normal(size=kshape)
    weights = rng.normal(size=convdocs.conv2d(x, k, **kw).shape)   # loss = sum(weights * out)
    kernel_grad, input_grad = learn.conv2d_grads(x, k, weights, **kw)
    assert kernel_grad.shape == k.shape and input_grad.shape == x.shape
    assert_close(kernel_grad, numeric_grad(lambda kk: (convdocs.conv2d(x, kk, **kw)
                                                       * weights).sum(), k))
    assert_close(input_grad, numeric_grad(lambda xx: (convdocs.conv2d(xx, k, **kw)
                                                      * weights).sum(), x))


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_the_kernel_gradient_is_conv2d_of_the_input_with_the_error(padding):
    rng = np.random.default_rng(padding)
    x, k = rng.normal(size=(8, 7)), rng.normal(size=(3, 3))
    error = rng.normal(size=convdocs.conv2d(x, k, padding=padding).shape)
    np.testing.assert_array_equal(learn.conv2d_kernel_grad(x, k, error, padding=padding),
                                  convdocs.conv2d(x, error, padding=padding))


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (1, 1, 1), (2, 1, 1),
                                                       (2, 0, 2), ((2, 3), (1, 0), 1)])
def test_the_input_gradient_is_conv_transpose2d_of_the_error_with_the_kernel(stride, padding,
                                                                              dilation):
    rng = np.random.default_rng(7)
    x, k = rng.normal(size=(9, 8)), rng.normal(size=(3, 3))
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    error = rng.normal(size=convdocs.conv2d(x, k, **kw).shape)
    grad = learn.conv2d_input_grad(x, k, error, **kw)
    # the output_padding that gives the input's size back: the rows no window reached
    plan = plan_conv2d(x, k, **kw)
    extra = tuple(x.shape[a] + sum(plan.pads[a]) - plan.dilation[a] * 2 - 1
                  - (error.shape[a] - 1) * plan.stride[a] for a in (0, 1))
    np.testing.assert_array_equal(grad, convdocs.conv_transpose2d(
        error, k, stride=stride, padding=padding, output_padding=extra, dilation=dilation))


@SETTINGS
@given(configs("conv", modes=("zeros",), words=True, channels=(0, 2)), st.integers(0, 2**16))
def test_the_gradients_are_the_adjoints_of_conv2d(config, seed):
    """For every valid configuration: <conv2d(x, k), e> = <x, input grad> = <k, kernel grad>,
    the transposed relation that makes conv_transpose2d the input's gradient."""
    x, k = config.arrays(seed)
    kw = {key: value for key, value in config.kwargs.items() if key != "padding_mode"}
    out = convdocs.conv2d(x, k, **kw)
    error = np.random.default_rng(seed + 1).normal(size=out.shape)
    kernel_grad, input_grad = learn.conv2d_grads(x, k, error, **kw)
    inner = float((out * error).sum())
    scale = max(1.0, abs(inner), float(np.abs(out).sum() * np.abs(error).max()))
    assert abs(inner - float((x * input_grad).sum())) <= 1e-9 * scale
    assert abs(inner - float((k * kernel_grad).sum())) <= 1e-9 * scale


@SETTINGS
@given(configs("conv", modes=("zeros",), padded=False, channels=(0, 2)), st.integers(0, 2**16))
def test_conv2d_by_cell_is_conv2d_bit_for_bit(config, seed):
    x, k = config.arrays(seed)
    kw = dict(stride=config.kwargs["stride"], dilation=config.kwargs["dilation"])
    padded = plan_conv2d(x, k, padding=config.kwargs["padding"], **kw).padded
    np.testing.assert_array_equal(learn.conv2d_by_cell(padded, k, **kw),
                                  convdocs.conv2d(padded, k, **kw))


def test_conv2d_by_cell_and_the_gradients_refuse_what_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        learn.conv2d_by_cell(np.zeros((3, 3)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"error must have the shape of conv2d's output"):
        learn.conv2d_grads(np.zeros((5, 5)), np.ones((3, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="error must have the shape of the pooled output"):
        learn.max_pool2d_grad(np.zeros((4, 4)), np.zeros((3, 3)))


# -- ReLU, pooling, global pooling, the linear layer, the loss ---------------------------------

def test_relu_gradient_passes_the_error_only_where_the_input_was_positive():
    x = np.array([[-2.0, 0.0, 3.0], [0.5, -0.1, 7.0]])
    np.testing.assert_array_equal(learn.relu_grad(x, np.full(x.shape, 2.0)),
                                  [[0, 0, 2], [2, 0, 2]])


@pytest.mark.parametrize("shape, kw", [
    ((6, 6), dict(size=2)),
    ((7, 7), dict(size=3, stride=2)),               # overlapping windows share cells
    ((7, 6), dict(size=(3, 2), stride=(2, 1), padding=1)),
    ((6, 6, 2), dict(size=2)),                      # channels pooled on their own
])
@pytest.mark.parametrize("op", ["max", "avg"])
def test_pooling_gradients_match_finite_differences(shape, kw, op):
    rng = np.random.default_rng(3)
    x = rng.normal(size=shape)                      # no ties: max pooling is smooth here
    pool = convdocs.max_pool2d if op == "max" else convdocs.avg_pool2d
    grad_fn = learn.max_pool2d_grad if op == "max" else learn.avg_pool2d_grad
    kw = dict(kw)                                   # the parameters are shared: copy
    weights = rng.normal(size=pool(x, **kw).shape)
    size = kw.pop("size")
    grad = grad_fn(x, weights, size, **kw)
    assert_close(grad, numeric_grad(lambda xx: (pool(xx, size, **kw) * weights).sum(), x))


def test_avg_pool_gradient_without_padding_in_the_divisor():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 5))
    kw = dict(padding=1, count_include_pad=False)
    weights = rng.normal(size=convdocs.avg_pool2d(x, 3, stride=2, **kw).shape)
    assert_close(learn.avg_pool2d_grad(x, weights, 3, stride=2, **kw),
                 numeric_grad(lambda xx: (convdocs.avg_pool2d(xx, 3, stride=2, **kw)
                                          * weights).sum(), x))


def test_max_pool_gradient_goes_to_the_first_of_tied_cells():
    # tie: the first largest value, reading row by row, wins (as in PyTorch)
    grad = learn.max_pool2d_grad([[5.0, 5.0], [5.0, 1.0]], [[1.0]])
    np.testing.assert_array_equal(grad, [[1, 0], [0, 0]])


@pytest.mark.parametrize("shape", [(4, 5), (4, 5, 3)])
def test_global_average_pooling_gradient_matches_finite_differences(shape):
    rng = np.random.default_rng(5)
    x = rng.normal(size=shape)
    weights = rng.normal(size=shape[2:])
    grad = learn.global_avg_pool_grad(x, weights)
    assert grad.shape == x.shape
    assert_close(grad, numeric_grad(lambda xx: float((convdocs.global_avg_pool(xx)
                                                      * weights).sum()), x))


def test_linear_layer_gradients_match_finite_differences():
    rng = np.random.default_rng(6)
    f, w, b = rng.normal(size=(5, 4)), rng.normal(size=(3, 4)), rng.normal(size=3)
    weights = rng.normal(size=(5, 3))
    np.testing.assert_allclose(learn.linear(f, w, b), f @ w.T + b, rtol=1e-12)
    d_w, d_b, d_f = learn.linear_grads(f, w, weights)
    loss = lambda ff, ww, bb: float((learn.linear(ff, ww, bb) * weights).sum())  # noqa: E731
    assert_close(d_w, numeric_grad(lambda ww: loss(f, ww, b), w))
    assert_close(d_b, numeric_grad(lambda bb: loss(f, w, bb), b))
    assert_close(d_f, numeric_grad(lambda ff: loss(ff, w, b), f))


def test_mse_gradient_matches_finite_differences():
    rng = np.random.default_rng(8)
    p, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert_close(learn.mse_grad(p, t), numeric_grad(lambda pp: learn.mse(pp, t), p))


# -- the filter that learns ---------------------------------------------------------------

def filter_run():
    from convdocs.figures.learning import training
    return training()


def test_the_filter_learns_the_vertical_edge_filter_within_a_thousandth():
    (grid, face), targets, run = filter_run()
    miss = np.abs(run.kernels[-1] - kernels.VERTICAL_EDGES).max()
    assert miss < 1e-3                            # measured: 1.1e-4 after 300 steps
    assert np.abs(run.kernels[0] - kernels.VERTICAL_EDGES).max() > 1   # a random start
    assert run.losses[-1] < 1e-9 * run.losses[0]
    for picture, target in zip((grid, face), targets):
        out = convdocs.conv2d(picture, run.kernels[-1], padding="same")
        assert np.abs(out - target).max() < 1e-2


def test_learning_a_filter_is_deterministic():
    (grid, face), targets, _ = filter_run()
    first = learn.learn_filter((grid, face), targets, steps=40)
    second = learn.learn_filter((grid, face), targets, steps=40)
    np.testing.assert_array_equal(first.kernels, second.kernels)
    np.testing.assert_array_equal(first.losses, second.losses)
    other = learn.learn_filter((grid, face), targets, steps=40, seed=1)
    assert not np.array_equal(other.kernels[0], first.kernels[0])


def test_what_the_learning_page_says_about_the_loss():
    _, _, run = filter_run()
    losses = run.losses
    rises = np.flatnonzero(np.diff(losses) > 0)
    # "it plunges in the first few steps"
    assert losses[3] < losses[0] / 10
    # "then it wobbles": momentum makes the loss rise now and then, early on
    assert len(rises) > 0 and rises.max() < 100
    # "after that it falls in a nearly straight line on the log scale: each step removes
    # about the same fraction of what is left" (measured: 4 to 6 % from step 100 on)
    ratios = losses[101:] / losses[100:-1]
    assert ratios.max() < 1 and ratios.max() - ratios.min() < 0.03


def test_the_slowest_part_to_learn_is_a_tiny_checkerboard():
    """The loss is quadratic in the filter; its flattest direction (the eigenvector of the
    smallest curvature) has the signs + - + / - + - / + - +."""
    (grid, face), _, _ = filter_run()
    units = [np.eye(9)[n].reshape(3, 3) for n in range(9)]
    outs = [[convdocs.conv2d(p, u, padding="same") for u in units] for p in (grid, face)]
    curvature = sum(np.array([[2 * np.mean(a * b) for b in maps] for a in maps])
                    for maps in outs) / 2
    values, vectors = np.linalg.eigh(curvature)
    flattest = np.sign(vectors[:, 0].reshape(3, 3))
    checker = np.array([[1, -1, 1], [-1, 1, -1], [1, -1, 1]])
    assert np.array_equal(flattest, checker) or np.array_equal(flattest, -checker)
    assert values[0] < values[-1] / 100


def words(page: str) -> str:
    return " ".join((DOCS / page).read_text(encoding="utf-8").split())


def test_the_learning_page_names_the_functions_it_uses():
    text = words("learning.md")
    for name in ("conv2d(input, error)", "conv_transpose2d(error, filter)",
                 "learn.conv2d_kernel_grad"):
        assert name in text
    assert re.search(r"\(transposed-convolution\.md#why-transposed\)", text)


# -- the network that decides ---------------------------------------------------------------

def decider():
    from convdocs.figures import tiny_cnn
    return tiny_cnn


def test_the_networks_gradient_matches_finite_differences():
    """The whole backward pass: linear layer, global pooling, max pooling, ReLU, and the
    second convolution's transposed convolution back into the first."""
    images, labels = learn.patterns(6, size=8, seed=3)
    net = learn.init_net(seed=1)
    _, grads = learn.net_grads(net, images, labels)
    for name in net.FIELDS:
        numeric = numeric_grad(
            lambda value: learn.net_grads(net.replace(**{name: value}), images, labels)[0],
            getattr(net, name))
        assert_close(getattr(grads, name), numeric)


def test_the_network_sorts_new_pictures():
    tiny_cnn = decider()
    run, held_out, labels = tiny_cnn.decider()
    assert len(labels) == tiny_cnn.HELD_OUT
    right = int(np.count_nonzero(learn.predict(run.net, held_out) == labels))
    assert right == 595                           # of 600 held-out pictures: 99.2 %
    train, train_labels = learn.patterns(tiny_cnn.TRAIN, seed=tiny_cnn.TRAIN_SEED)
    assert np.array_equal(learn.predict(run.net, train), train_labels)   # all 120
    assert run.losses[-1] < run.losses[0] / 10


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_random_starts_learn_the_task_too(seed):
    tiny_cnn = decider()
    train, train_labels = learn.patterns(tiny_cnn.TRAIN, seed=tiny_cnn.TRAIN_SEED)
    held_out, labels = learn.patterns(tiny_cnn.HELD_OUT, seed=tiny_cnn.HELD_OUT_SEED)
    net = learn.train_net(train, train_labels, seed=seed).net
    assert np.mean(learn.predict(net, held_out) == labels) >= 0.99


def test_training_the_network_is_deterministic():
    images, labels = learn.patterns(30, seed=5)
    first = learn.train_net(images, labels, steps=10)
    second = learn.train_net(images, labels, steps=10)
    for name in learn.TinyNet.FIELDS:
        np.testing.assert_array_equal(getattr(first.net, name), getattr(second.net, name))
    np.testing.assert_array_equal(first.losses, second.losses)
    again, _ = learn.patterns(30, seed=5)
    np.testing.assert_array_equal(again, images)


def test_patterns_are_what_the_page_says():
    images, labels = learn.patterns(9, seed=0)
    assert images.shape == (9, 16, 16) and images.min() >= 0 and images.max() <= 1
    assert labels.tolist() == [0, 1, 2] * 3
    vertical, horizontal = images[0], images[1]
    # stripes: columns (or rows) vary far more across than along
    assert np.var(vertical.mean(axis=0)) > 5 * np.var(vertical.mean(axis=1))
    assert np.var(horizontal.mean(axis=1)) > 5 * np.var(horizontal.mean(axis=0))


def test_the_tiny_cnn_page_states_the_computed_results():
    tiny_cnn = decider()
    run, held_out, labels = tiny_cnn.decider()
    right = int(np.count_nonzero(learn.predict(run.net, held_out) == labels))
    text = words("tiny-cnn.md")
    assert f"Trained on **{tiny_cnn.TRAIN}** pictures" in text
    assert f"**{right} of {len(labels)}** new ones correctly" in text
    images, _ = learn.patterns(1)
    side = images.shape[1]
    assert f"noisy {side} × {side} pictures of three kinds" in text
    assert len(learn.CLASSES) == 3
    assert (f"{learn.WIDTHS[0]} or {learn.WIDTHS[1]} pixels wide" in text
            and len(learn.WIDTHS) == 2)
    hand = len(tiny_cnn.tiny_layers()[3].filters)
    learned = run.net.conv2.shape[0]
    assert (hand, learned) == (2, 3) and "three filters instead of two" in text
    # "Its bias is the largest of the three, and all its weights are negative"
    checker = learn.CLASSES.index("checkerboard")
    assert "Look at the checkerboard row" in text
    assert np.argmax(run.net.bias) == checker and (run.net.weights[checker] < 0).all()
