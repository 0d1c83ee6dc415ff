"""Learning with the package's own operations: gradients, a filter that learns, and a tiny
network that decides.

Every gradient here is one of convdocs' operations, run on the error of the output:

* A convolution's gradient with respect to its **kernel** is a cross-correlation of
  the padded input with the error: ``conv2d(padded, error)``. Each weight meets the
  same input cells it met going forward, now weighed by how wrong each output was.
  (:func:`conv2d_by_cell` computes that call one output cell at a time, which suits
  a kernel as large as the error; the numbers are conv2d's, bit for bit.)
* Its gradient with respect to its **input** is the transposed convolution of the
  error with the same kernel, stride, padding and dilation:
  ``conv_transpose2d(error, kernel, ...)``. Every output's error is stamped back onto
  the input cells its window read.
* ReLU passes the error where its input was positive. Max pooling hands each window's
  error to the cell that won it; average pooling spreads it evenly over the window,
  which is again a transposed convolution, with a kernel of ``1 / (kh * kw)``.
  Global average pooling spreads it over the whole map.

The error of a mean-squared loss is ``2 * (prediction - target) / size``
(:func:`mse_grad`). Training is deterministic: seeded, and built only from
elementwise arithmetic and sums in a fixed order (no matrix products, no ``exp``),
so the numbers depend on neither the machine's BLAS nor its maths library. numpy only.

>>> import numpy as np
>>> x, k = np.arange(16.0).reshape(4, 4), np.ones((3, 3))
>>> error = np.ones((2, 2))          # the error of each of conv2d(x, k)'s 4 outputs
>>> kernel_grad, input_grad = conv2d_grads(x, k, error)
>>> kernel_grad[0].tolist()          # each weight sums the 4 input cells it multiplied
[10.0, 14.0, 18.0]
>>> input_grad[0].tolist()           # each input cell counts the windows that read it
[1.0, 2.0, 2.0, 1.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .cnn import relu
from .conv import conv2d, plan_conv2d
from .pool import global_avg_pool, max_pool2d, plan_pool2d
from .transpose import conv_transpose2d

__all__ = [
    "CLASSES", "FilterTraining", "NetTraining", "TinyNet", "avg_pool2d_grad", "conv2d_by_cell",
    "conv2d_grads", "conv2d_input_grad", "conv2d_kernel_grad", "global_avg_pool_grad",
    "init_net", "learn_filter", "linear", "linear_grads", "max_pool2d_grad", "mse", "mse_grad",
    "net_forward", "net_grads", "one_hot", "patterns", "predict", "relu_grad", "train_net",
]


# -- losses ----------------------------------------------------------------------------

def mse(prediction, target) -> float:
    """Mean squared error: the mean of ``(prediction - target) ** 2``.

    >>> mse([[1, 2]], [[1, 4]])
    2.0
    """
    p, t = _same_shape(prediction, target, "prediction", "target")
    return float(np.mean((p - t) ** 2))


def mse_grad(prediction, target) -> np.ndarray:
    """The gradient of :func:`mse` with respect to `prediction`: ``2 (p - t) / size``.

    >>> mse_grad([[1, 2]], [[1, 4]]).tolist()
    [[0.0, -2.0]]
    """
    p, t = _same_shape(prediction, target, "prediction", "target")
    return 2.0 * (p - t) / p.size


def _same_shape(a, b, name_a, name_b):
    a = v.real_array(a, name_a, (1, 2, 3, 4))
    b = v.real_array(b, name_b, (1, 2, 3, 4))
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape "
                         f"(got {a.shape} and {b.shape})")
    return a, b


# -- convolution -------------------------------------------------------------------------

def _conv_plan(image, kernel, error, stride, padding, dilation):
    plan = plan_conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
    error = v.real_array(error, "error", (2, 3))
    if error.shape != plan.out_shape:
        raise ValueError(f"error must have the shape of conv2d's output {plan.out_shape} "
                         f"(got {error.shape})")
    return plan, error


def conv2d_kernel_grad(image, kernel, error, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The gradient of a loss with respect to the kernel of ``conv2d(image, kernel, ...)``.

    Weight ``(i, j)`` multiplied the padded input cell ``(r s + i d, c s + j d)`` to
    make output ``(r, c)``, so its gradient is the sum of those cells weighed by the
    outputs' errors: the cross-correlation ``conv2d(padded, error, stride=d,
    dilation=s)``, cut to the kernel's size (rows that no window read fall away).

    Parameters
    ----------
    image, kernel, stride, padding, dilation
        The arguments of the forward :func:`convdocs.conv2d` (zero padding).
    error : array of the output's shape
        The gradient of the loss with respect to each output value.

    Returns
    -------
    ndarray of the kernel's shape
        For an (H, W, C) image and a 2-D kernel (each channel filtered on its own), the
        channels' gradients are added up, since they share the kernel.

    >>> conv2d_kernel_grad([[1, 2, 3]], [[1, 1]], [[1, 0]]).tolist()
    [[1.0, 2.0]]
    """
    plan, error = _conv_plan(image, kernel, error, stride, padding, dilation)
    return conv2d_by_cell(plan.padded, error, stride=plan.dilation, dilation=plan.stride,
                          cells=plan.kernel.shape[:2])


def conv2d_by_cell(image, kernel, *, stride=(1, 1), dilation=(1, 1), cells=None) -> np.ndarray:
    """``conv2d(image, kernel, stride=stride, dilation=dilation)`` (no padding), bit for
    bit, summed one output cell at a time; only the first `cells` (rows, cols) of it.

    :func:`convdocs.conv2d` loops over the kernel's taps, each a sweep over the whole
    output: right for a 3x3 kernel. A kernel gradient is the opposite case, a
    "kernel" (the error) of thousands of cells and a 3x3 result, so here each output
    cell multiplies its window by the kernel and adds the products up in the taps'
    order, which is conv2d's order: the same numbers, thousands of times faster.

    >>> x = np.arange(30.0).reshape(5, 6)
    >>> bool((conv2d_by_cell(x, x[:3, :4]) == conv2d(x, x[:3, :4])).all())
    True
    """
    x = v.image(image)
    k = v.real_array(kernel, "kernel", (2, 3))
    (sh, sw), (dh, dw) = v.positive_pair(stride, "stride"), v.positive_pair(dilation, "dilation")
    kh, kw = k.shape[:2]
    full = ((x.shape[0] - (kh - 1) * dh - 1) // sh + 1, (x.shape[1] - (kw - 1) * dw - 1) // sw + 1)
    if min(full) < 1 or (k.ndim == 3 and (x.ndim != 3 or x.shape[2] != k.shape[2])):
        raise ValueError(f"kernel of shape {k.shape} does not fit image of shape {x.shape} "
                         f"with stride {(sh, sw)} and dilation {(dh, dw)}")
    rows, cols = full if cells is None else (min(full[0], cells[0]), min(full[1], cells[1]))
    depthwise = x.ndim == 3 and k.ndim == 2
    out = np.empty((rows, cols) + (x.shape[2:] if depthwise else ()))
    weights = k[..., None] if depthwise else k
    for i in range(rows):
        for j in range(cols):
            window = x[i * sh:i * sh + (kh - 1) * dh + 1:dh, j * sw:j * sw + (kw - 1) * dw + 1:dw]
            products = (window * weights).reshape((kh * kw, -1) if depthwise else (-1,))
            out[i, j] = np.cumsum(products, axis=0)[-1]    # one by one, in the taps' order
    return out


def conv2d_input_grad(image, kernel, error, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The gradient of a loss with respect to the image of ``conv2d(image, kernel, ...)``.

    It is the transposed convolution of the error with the same kernel, stride,
    padding and dilation: ``conv_transpose2d(error, kernel, ...)``, with the
    `output_padding` that gives back the image's size. (Uneven padding, as
    ``padding="same"`` makes for an even kernel, is cut off afterwards.)

    Returns
    -------
    ndarray of the image's shape

    >>> conv2d_input_grad([[0, 0, 0]], [[1, 2]], [[1, 0]]).tolist()
    [[1.0, 2.0, 0.0]]
    """
    plan, error = _conv_plan(image, kernel, error, stride, padding, dilation)
    shape = np.shape(image)
    (top, bottom), (left, right) = plan.pads
    k = plan.kernel
    if top == bottom and left == right:
        pads, size = (top, left), shape[:2]
    else:                                # the gradient of the padded input, then cropped
        pads, size = (0, 0), plan.padded.shape[:2]
    extra = tuple(size[a] + 2 * pads[a] - plan.dilation[a] * (k.shape[a] - 1) - 1
                  - (error.shape[a] - 1) * plan.stride[a] for a in (0, 1))
    kw = dict(stride=plan.stride, padding=pads, output_padding=extra, dilation=plan.dilation)
    if k.ndim == 3:                      # one filter across channels: one kernel per channel
        grad = np.stack([conv_transpose2d(error, k[..., c], **kw) for c in range(k.shape[2])],
                        axis=-1)
    else:
        grad = conv_transpose2d(error, k, **kw)
    if pads == (0, 0) and any(plan.pads[0] + plan.pads[1]):
        grad = grad[top:top + shape[0], left:left + shape[1]]
    return np.ascontiguousarray(grad)


def conv2d_grads(image, kernel, error, *, stride=1, padding=0, dilation=1):
    """Both gradients of ``conv2d(image, kernel, ...)``: ``(kernel_grad, image_grad)``.

    See :func:`conv2d_kernel_grad` and :func:`conv2d_input_grad`.
    """
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    return (conv2d_kernel_grad(image, kernel, error, **kw),
            conv2d_input_grad(image, kernel, error, **kw))


# -- ReLU and pooling ----------------------------------------------------------------------

def relu_grad(x, error) -> np.ndarray:
    """The error passed back through :func:`convdocs.relu`: kept where `x` > 0, else 0.

    >>> relu_grad([[-1, 0, 2]], [[5, 5, 5]]).tolist()
    [[0.0, 0.0, 5.0]]
    """
    x, error = _same_shape(x, error, "x", "error")
    return np.where(x > 0, error, 0.0)


def _pool_plan(image, error, size, op, stride, padding, **kw):
    plan = plan_pool2d(image, size, op=op, stride=stride, padding=padding, **kw)
    error = v.real_array(error, "error", (2, 3))
    if error.shape != plan.out_shape:
        raise ValueError(f"error must have the shape of the pooled output {plan.out_shape} "
                         f"(got {error.shape})")
    return plan, error


def max_pool2d_grad(image, error, size=2, *, stride=None, padding=0) -> np.ndarray:
    """The error passed back through :func:`convdocs.max_pool2d`.

    Each window's error goes to the cell that held its largest value (the first
    one, reading row by row, when several tie, as in PyTorch); overlapping
    windows that pick the same cell add up there.

    >>> max_pool2d_grad([[1, 3], [2, 0]], [[10]]).tolist()
    [[0.0, 10.0], [0.0, 0.0]]
    """
    plan, error = _pool_plan(image, error, size, "max", stride, padding)
    (kh, kw), (sh, sw), (oh, ow) = plan.size, plan.stride, plan.out_shape[:2]
    best = np.full(plan.out_shape, -np.inf)
    rows = np.zeros(plan.out_shape, dtype=np.intp)
    cols = np.zeros(plan.out_shape, dtype=np.intp)
    base_r = (np.arange(oh) * sh).reshape((oh, 1) + (1,) * (error.ndim - 2))
    base_c = (np.arange(ow) * sw).reshape((1, ow) + (1,) * (error.ndim - 2))
    for i in range(kh):
        for j in range(kw):
            view = plan.padded[i:i + (oh - 1) * sh + 1:sh, j:j + (ow - 1) * sw + 1:sw]
            better = view > best
            best = np.where(better, view, best)
            rows = np.where(better, base_r + i, rows)
            cols = np.where(better, base_c + j, cols)
    grad = np.zeros(plan.padded.shape)
    index = (rows, cols) + ((np.arange(error.shape[2]),) if error.ndim == 3 else ())
    np.add.at(grad, index, error)
    top, left = plan.pads
    shape = np.shape(image)
    return grad[top:top + shape[0], left:left + shape[1]]


def avg_pool2d_grad(image, error, size=2, *, stride=None, padding=0,
                    count_include_pad=True) -> np.ndarray:
    """The error passed back through :func:`convdocs.avg_pool2d` (``ceil_mode=False``).

    Each window hands every cell it averaged an equal share of its error. That is
    the transposed convolution of ``error / divisor`` with a kernel of ones, at the
    pooling's stride and padding.

    >>> avg_pool2d_grad([[1, 3], [2, 0]], [[8]]).tolist()
    [[2.0, 2.0], [2.0, 2.0]]
    """
    plan, error = _pool_plan(image, error, size, "avg", stride, padding,
                             count_include_pad=count_include_pad)
    divisor = np.asarray(plan.divisor)
    share = error / (divisor[..., None] if error.ndim == 3 else divisor)
    shape = np.shape(image)
    extra = tuple(shape[a] + 2 * plan.pads[a] - plan.size[a]
                  - (error.shape[a] - 1) * plan.stride[a] for a in (0, 1))
    return conv_transpose2d(share, np.ones(plan.size), stride=plan.stride, padding=plan.pads,
                            output_padding=extra)


def global_avg_pool_grad(image, error) -> np.ndarray:
    """The error passed back through :func:`convdocs.global_avg_pool`: each channel's
    error shared equally by its ``H * W`` cells.

    >>> global_avg_pool_grad(np.zeros((2, 2)), 8.0).tolist()
    [[2.0, 2.0], [2.0, 2.0]]
    """
    x = v.image(image)
    error = np.asarray(v.real_array(np.atleast_1d(error), "error", (1,)))
    channels = x.shape[2:] or (1,)
    if error.shape != channels:
        raise ValueError(f"error must have one value per channel, shape {x.shape[2:]} "
                         f"(got {np.shape(error)})")
    share = error / (x.shape[0] * x.shape[1])
    return np.broadcast_to(share if x.ndim == 3 else share[0], x.shape).copy()


# -- the linear layer ------------------------------------------------------------------------

def linear(features, weights, bias) -> np.ndarray:
    """Class scores: ``scores[n, k] = sum_j weights[k, j] * features[n, j] + bias[k]``.

    Written as products and a sum, not a matrix product, so the order of the sum is
    fixed and the result is the same on every machine.

    >>> linear([[1, 2]], [[1, 0], [1, -1]], [0, 5]).tolist()
    [[1.0, 4.0]]
    """
    f, w, b = _linear_args(features, weights, bias)
    return (f[:, None, :] * w[None, :, :]).sum(axis=2) + b


def linear_grads(features, weights, error):
    """The gradients of :func:`linear`: ``(weights_grad, bias_grad, features_grad)``.

    >>> dw, db, df = linear_grads([[1, 2]], [[1, 0], [1, -1]], [[1, 0]])
    >>> dw.tolist(), db.tolist(), df.tolist()
    ([[1.0, 2.0], [0.0, 0.0]], [1.0, 0.0], [[1.0, 0.0]])
    """
    f, w, _ = _linear_args(features, weights, np.zeros(np.shape(weights)[:1]))
    e = v.real_array(error, "error", (2,))
    if e.shape != (f.shape[0], w.shape[0]):
        raise ValueError(f"error must have the scores' shape {(f.shape[0], w.shape[0])} "
                         f"(got {e.shape})")
    return ((e[:, :, None] * f[:, None, :]).sum(axis=0), e.sum(axis=0),
            (e[:, :, None] * w[None, :, :]).sum(axis=1))


def _linear_args(features, weights, bias):
    f = v.real_array(features, "features", (2,))
    w = v.real_array(weights, "weights", (2,))
    b = v.real_array(bias, "bias", (1,))
    if w.shape[1] != f.shape[1] or b.shape != (w.shape[0],):
        raise ValueError(f"weights must be (classes, {f.shape[1]}) and bias (classes,) for "
                         f"features of shape {f.shape} (got {w.shape} and {b.shape})")
    return f, w, b


# -- a filter that learns ----------------------------------------------------------------

@dataclass(frozen=True)
class FilterTraining:
    """A filter's training run: its numbers and its loss before every step.

    Attributes
    ----------
    kernels : ndarray, shape (steps + 1, kh, kw)
        ``kernels[0]`` is the random start, ``kernels[t]`` the filter after t steps.
    losses : ndarray, shape (steps + 1,)
        The loss of ``kernels[t]``: the mean squared error of each image's output,
        averaged over the images.
    """

    kernels: np.ndarray
    losses: np.ndarray


def learn_filter(images, targets, *, shape=(3, 3), steps=300, rate=0.5, momentum=0.85,
                 seed=0, padding="same") -> FilterTraining:
    """Learn one filter by gradient descent so that ``conv2d(image, kernel)`` matches
    each target.

    The filter starts with numbers drawn uniformly from -1 to 1 (from `seed`). Each
    step computes the loss's gradient with :func:`conv2d_kernel_grad` and moves the
    filter against it: ``step = momentum * previous step - rate * gradient``.

    Parameters
    ----------
    images, targets : sequences of 2-D arrays
        Each target has the shape of ``conv2d(image, kernel, padding=padding)``.

    >>> x, swap = np.arange(25.0).reshape(5, 5) % 3, np.array([[0, 1], [1, 0]])
    >>> run = learn_filter([x], [conv2d(x, swap, padding=1)], shape=(2, 2), padding=1,
    ...                    rate=0.1, steps=200)
    >>> bool(np.abs(run.kernels[-1] - swap).max() < 0.001), bool(run.losses[-1] < run.losses[0])
    (True, True)
    """
    images = [v.real_array(x, "images", (2,)) for x in images]
    targets = [v.real_array(t, "targets", (2,)) for t in targets]
    if not images or len(images) != len(targets):
        raise ValueError(f"images and targets must be two equally long, non-empty lists "
                         f"(got {len(images)} and {len(targets)})")
    steps = v.nonnegative_int(steps, "steps")
    rng = np.random.default_rng(v.nonnegative_int(seed, "seed"))
    kernel = rng.uniform(-1.0, 1.0, v.positive_pair(shape, "shape"))
    velocity = np.zeros_like(kernel)
    kernels, losses = [], []
    for t in range(steps + 1):
        loss, grad = 0.0, np.zeros_like(kernel)
        for x, target in zip(images, targets):
            out = conv2d(x, kernel, padding=padding)
            loss += mse(out, target) / len(images)
            grad += conv2d_kernel_grad(x, kernel, mse_grad(out, target),
                                       padding=padding) / len(images)
        kernels.append(kernel.copy())
        losses.append(loss)
        if t < steps:
            velocity = momentum * velocity - rate * grad
            kernel = kernel + velocity
    return FilterTraining(np.array(kernels), np.array(losses))


# -- a tiny network that decides -------------------------------------------------------------

CLASSES = ("vertical stripes", "horizontal stripes", "checkerboard")
WIDTHS = (2, 3)      # pixels per stripe or square
NOISE = 0.4          # each pixel of a pattern moves by up to this much, either way


def patterns(count: int, *, size: int = 16, seed: int = 0):
    """`count` small noisy pictures of the three :data:`CLASSES`, and their labels.

    Stripes and squares are 2 or 3 pixels wide (:data:`WIDTHS`), at a random offset.
    The contrast (0.5 to 1), the dark level under it and the noise (uniform, up to
    :data:`NOISE` either way) are drawn per picture from `seed`; grey levels are then
    clipped to 0 (black) ... 1 (white), as in the grid. Labels cycle through the
    classes: 0, 1, 2, 0, ...

    Returns
    -------
    images : ndarray, shape (count, size, size)
    labels : ndarray of int, shape (count,)

    >>> images, labels = patterns(3, size=8)
    >>> images.shape, labels.tolist()
    ((3, 8, 8), [0, 1, 2])
    """
    count = v.positive_int(count, "count")
    size = v.positive_int(size, "size")
    v.cells_fit((count, size, size), "the patterns", f"count={count}, size={size}")
    rng = np.random.default_rng(v.nonnegative_int(seed, "seed"))
    labels = np.arange(count) % len(CLASSES)
    index = np.arange(size)
    images = np.empty((count, size, size))
    for n, label in enumerate(labels):
        width = int(rng.choice(WIDTHS))
        rows, cols = ((index + rng.integers(0, 2 * width, 2)[:, None]) // width) % 2
        pattern = [np.broadcast_to(cols, (size, size)),
                   np.broadcast_to(rows[:, None], (size, size)),
                   (rows[:, None] + cols[None, :]) % 2][label]
        contrast = rng.uniform(0.5, 1.0)
        dark = rng.uniform(0.0, 1.0 - contrast)
        noisy = dark + contrast * pattern + rng.uniform(-NOISE, NOISE, (size, size))
        images[n] = np.clip(noisy, 0.0, 1.0)
    return images, labels


@dataclass(frozen=True)
class TinyNet:
    """The tiny CNN with a head that decides: conv 3x3 -> ReLU -> max pool 2 -> conv 3x3
    -> ReLU -> max pool 2 -> global average pool -> linear -> one score per class.

    The convolutions have no bias, like the hand-picked tiny CNN; the linear layer has one.

    Attributes
    ----------
    conv1 : ndarray, shape (F1, 3, 3)
        The first layer's filters, each reading the grey picture.
    conv2 : ndarray, shape (F2, 3, 3, F1)
        The second layer's filters, each reading all F1 maps.
    weights : ndarray, shape (classes, F2)
        The linear layer: one row of weights per class.
    bias : ndarray, shape (classes,)
    """

    conv1: np.ndarray
    conv2: np.ndarray
    weights: np.ndarray
    bias: np.ndarray

    FIELDS = ("conv1", "conv2", "weights", "bias")

    def params(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}

    def replace(self, **changes) -> "TinyNet":
        return TinyNet(**{**self.params(), **changes})


def init_net(*, filters=(4, 3), classes=len(CLASSES), seed=0, scale=0.5) -> TinyNet:
    """Random starting weights from `seed`: uniform within ``±scale * sqrt(6 / fan_in)``
    (He's range for ReLU layers), and ``±scale * sqrt(3 / fan_in)`` for the linear
    layer; its bias starts at 0."""
    rng = np.random.default_rng(v.nonnegative_int(seed, "seed"))
    f1, f2 = filters
    span = lambda fan_in, gain=6.0: scale * np.sqrt(gain / fan_in)  # noqa: E731
    return TinyNet(rng.uniform(-1, 1, (f1, 3, 3)) * span(9),
                   rng.uniform(-1, 1, (f2, 3, 3, f1)) * span(9 * f1),
                   rng.uniform(-1, 1, (classes, f2)) * span(f2, 3.0), np.zeros(classes))


# The batch rides on the channel axis: conv2d with a 2-D kernel filters each channel on
# its own, and pooling pools each channel on its own, so one call serves every picture.

def net_forward(net: TinyNet, images) -> dict:
    """Run `images` (N, H, W) through `net`; return every stage by name.

    ``conv1``, ``relu1``, ``pool1``: (F1, H, W, N), (F1, H, W, N), (F1, H/2, W/2, N);
    ``conv2``, ``relu2``, ``pool2``: likewise with F2 maps at half the size again;
    ``features``: (N, F2), each map's mean; ``scores``: (N, classes).
    A 3x3xF1 filter is F1 3x3 filters, one per map, whose outputs add up.
    """
    x = np.moveaxis(v.real_array(images, "images", (3,)), 0, -1)
    conv1 = np.stack([conv2d(x, k, padding="same") for k in net.conv1])
    relu1 = relu(conv1.reshape(conv1.shape[:2] + (-1,))).reshape(conv1.shape)
    pool1 = np.stack([max_pool2d(m, 2) for m in relu1])
    conv2 = np.stack([_sum_maps([conv2d(pool1[f], k[..., f], padding="same")
                                 for f in range(len(pool1))]) for k in net.conv2])
    relu2 = relu(conv2.reshape(conv2.shape[:2] + (-1,))).reshape(conv2.shape)
    pool2 = np.stack([max_pool2d(m, 2) for m in relu2])
    features = np.stack([global_avg_pool(m) for m in pool2], axis=-1)
    scores = linear(features, net.weights, net.bias)
    return dict(input=x, conv1=conv1, relu1=relu1, pool1=pool1, conv2=conv2, relu2=relu2,
                pool2=pool2, features=features, scores=scores)


def _sum_maps(maps):
    total = maps[0]
    for m in maps[1:]:
        total = total + m
    return total


def one_hot(labels, classes: int) -> np.ndarray:
    """1 for each picture's class, 0 for the others: the scores a perfect net gives."""
    return (np.asarray(labels)[:, None] == np.arange(classes)).astype(np.float64)


def net_grads(net: TinyNet, images, labels):
    """The loss (mean squared error of the scores against 1 for the right class and 0
    for the others) and its gradient for every weight of `net`, as a :class:`TinyNet`.

    Backwards through the stages of :func:`net_forward`, each with its gradient above.
    """
    s = net_forward(net, images)
    target = one_hot(labels, net.weights.shape[0])
    loss, error = mse(s["scores"], target), mse_grad(s["scores"], target)
    d_weights, d_bias, d_features = linear_grads(s["features"], net.weights, error)
    d_pool2 = [global_avg_pool_grad(m, d_features[:, g]) for g, m in enumerate(s["pool2"])]
    d_conv2 = [relu_grad(z, max_pool2d_grad(a, d, 2))
               for z, a, d in zip(s["conv2"], s["relu2"], d_pool2)]
    pool1, f1 = s["pool1"], len(s["pool1"])
    d_k2 = np.stack([np.stack([conv2d_kernel_grad(pool1[f], k[..., f], d, padding="same")
                               for f in range(f1)], axis=-1)
                     for k, d in zip(net.conv2, d_conv2)])
    d_pool1 = [_sum_maps([conv2d_input_grad(pool1[f], k[..., f], d, padding="same")
                          for k, d in zip(net.conv2, d_conv2)]) for f in range(f1)]
    d_conv1 = [relu_grad(z, max_pool2d_grad(a, d, 2))
               for z, a, d in zip(s["conv1"], s["relu1"], d_pool1)]
    d_k1 = np.stack([conv2d_kernel_grad(s["input"], k, d, padding="same")
                     for k, d in zip(net.conv1, d_conv1)])
    return loss, TinyNet(d_k1, d_k2, d_weights, d_bias)


@dataclass(frozen=True)
class NetTraining:
    """A training run: the start, the trained network, and the loss before every step."""

    start: TinyNet
    net: TinyNet
    losses: np.ndarray


def train_net(images, labels, *, steps=150, rate=0.2, momentum=0.9, seed=0, filters=(4, 3),
              scale=0.5) -> NetTraining:
    """Train :class:`TinyNet` on `images` (N, H, W) by gradient descent with momentum,
    on the whole set at every step, from :func:`init_net`'s start for `seed`."""
    start = net = init_net(filters=filters, seed=seed, scale=scale)
    velocity = {name: np.zeros_like(value) for name, value in net.params().items()}
    losses = []
    steps = v.nonnegative_int(steps, "steps")
    for t in range(steps + 1):
        loss, grads = net_grads(net, images, labels)
        losses.append(loss)
        if t == steps:
            break
        for name, grad in grads.params().items():
            velocity[name] = momentum * velocity[name] - rate * grad
        net = TinyNet(**{name: value + velocity[name] for name, value in net.params().items()})
    return NetTraining(start, net, np.array(losses))


def predict(net: TinyNet, images) -> np.ndarray:
    """The class with the highest score for each picture."""
    return np.argmax(net_forward(net, images)["scores"], axis=1)
