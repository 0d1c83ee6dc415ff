"""Data and rules for the kernel playground page (``docs/playground.md``).

The playground computes in the reader's browser (``docs/assets/playground/engine.js``),
but everything it starts from comes from here, so nothing is retyped in JavaScript:

* :func:`presets` gives the sample images, the catalogue kernels and the
  playground's limits as JSON-able data; the site's hook writes it into the
  built site as ``assets/playground/presets.json``.
* :func:`evaluate` runs one playground configuration through the library
  (``conv2d``, then optionally ``relu``, then optionally max or average
  pooling) and returns what the engine must return: the maps, or the stage
  that refused and the library's own message. ``tests/test_playground.py``
  runs the engine and this function on the same random configurations and
  requires the same numbers and the same messages.

numpy only: importing this module draws nothing.
"""

from __future__ import annotations

import numpy as np

from . import _validate as v
from . import images, kernels
from .cnn import relu
from .conv import conv2d
from .pool import POOL_OPS, plan_pool2d
from .pool import run_plan as run_pool_plan

# Own images are scaled down in the browser until their longer side is at most this.
MAX_SIDE = 128
# Kernels from 1 x 1 up to this, rows and columns chosen independently.
MAX_KERNEL = 7
# Upper bounds the playground adds to the library's rules, so that no typed number can
# make the page allocate without end. Lower bounds and types are the library's own.
LIMITS = {"stride": 32, "dilation": 16, "padding": 64,
          "pool_size": 16, "pool_stride": 32, "pool_padding": 8}

# The same 128 x 128 crop of the half-size photo as the figures' face (convdocs.figures.examples.FACE).
PHOTO_CROP = (slice(80, 208), slice(64, 192))

# JavaScript has one number type: a whole number up to 2**53 in a configuration is an int.
_SAFE = 2 ** 53 - 1


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _photo_crop() -> np.ndarray:
    from .pool import avg_pool2d
    return avg_pool2d(images.photo(), 2)[PHOTO_CROP]


def sample_images() -> list[dict]:
    """The playground's sample images: name, label and values (row lists)."""
    samples = [
        ("grid", "The grid", images.grid()),
        ("smiley", "The smiley", images.smiley()),
        ("checkerboard", "The checkerboard", images.checkerboard()),
        ("step_edge", "The step edge", images.step_edge()),
        ("numbers", "Small numbers", images.numbers()),
        ("photo", "A crop of the photo", _photo_crop()),
    ]
    return [{"name": name, "label": f"{label} ({a.shape[0]} \u00d7 {a.shape[1]})",
             "values": _plain(a)} for name, label, a in samples]


def _plain(a: np.ndarray) -> list:
    """Row lists with whole numbers written as ints: smaller JSON, same values."""
    return [[int(x) if float(x).is_integer() else float(x) for x in row] for row in a]


def presets() -> dict:
    """Everything the playground page starts from, as JSON-able data.

    >>> p = presets()
    >>> [i["name"] for i in p["images"]][:2], p["kernels"][1]["label"]
    (['grid', 'smiley'], 'Vertical edges')
    >>> p["limits"]["max_side"]
    128
    """
    return {
        "images": sample_images(),
        "kernels": [{"name": k.name, "label": _label(k.name), "meaning": k.meaning,
                     "values": _plain(k.values)} for k in kernels.CATALOGUE.values()],
        "padding_words": list(v.PADDING_WORDS),
        "padding_modes": list(v.PADDING_MODES),
        "pool_ops": list(POOL_OPS),
        "limits": {"max_side": MAX_SIDE, "max_kernel": MAX_KERNEL, **LIMITS},
    }


# -- one configuration through the library ----------------------------------------------

def _from_json(value, *, pairs: bool = True):
    """Read a configuration value as JavaScript sees it: whole numbers are ints.

    Lists become tuples (as a Python caller writes pairs) unless ``pairs`` is False.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) <= _SAFE:
        return int(value)
    if isinstance(value, (list, tuple)):
        items = [_from_json(x, pairs=pairs) for x in value]
        return tuple(items) if pairs else items
    return value


def _check_limits(config: dict) -> None:
    """The playground's upper bounds; anything else is left to the library to judge."""
    checks = [("stride", config.get("stride"), "stride"),
              ("dilation", config.get("dilation"), "dilation"),
              ("padding", config.get("padding"), "padding")]
    pool = config.get("pool")
    if pool:
        checks += [("size", pool.get("size"), "pool_size"),
                   ("stride", pool.get("stride"), "pool_stride"),
                   ("padding", pool.get("padding"), "pool_padding")]
    for name, value, key in checks:
        for item in (value if isinstance(value, tuple) else (value,)):
            if isinstance(item, int) and not isinstance(item, bool) and item > LIMITS[key]:
                raise ValueError(f"{name} must be at most {LIMITS[key]} in the playground "
                                 f"(got {item})")


def evaluate(config: dict) -> dict:
    """Run a playground configuration through the library, as the page's engine does.

    `config` holds ``image`` and ``kernel`` (2-D lists of numbers), ``stride``,
    ``padding``, ``dilation``, ``padding_mode`` as :func:`convdocs.conv2d` takes
    them (lists for pairs), ``relu`` (bool) and ``pool``: None, or a dict with
    ``op`` ("max" or "avg"), ``size``, ``stride`` (None: the size), ``padding``,
    ``ceil_mode`` and ``count_include_pad``.

    Returns ``{"conv", "relu", "pool"}`` as nested lists (None for a stage not
    run) and ``error``: None, or the refusing ``stage`` ("limits", "conv",
    "relu" or "pool") with the exception's ``type`` and ``message``.

    >>> out = evaluate({"image": [[0, 1, 2], [3, 4, 5], [6, 7, 8]],
    ...                 "kernel": [[0, 1], [2, 3]], "relu": True})
    >>> out["relu"], out["error"]
    ([[19.0, 25.0], [37.0, 43.0]], None)
    >>> evaluate({"image": [[1, 2]], "kernel": [[1]], "stride": 0})["error"]["message"]
    'stride must be a positive integer (got 0)'
    """
    c = {key: _from_json(value, pairs=key not in ("image", "kernel"))
         for key, value in config.items()}
    pool = config.get("pool")
    if pool is not None:
        c["pool"] = {key: _from_json(value) for key, value in pool.items()}
    result = {"conv": None, "relu": None, "pool": None, "error": None}
    stage = "limits"
    try:
        _check_limits(c)
        stage = "conv"
        out = conv2d(c["image"], c["kernel"], stride=c.get("stride", 1),
                     padding=c.get("padding", 0), dilation=c.get("dilation", 1),
                     padding_mode=c.get("padding_mode", "zeros"))
        result["conv"] = out.tolist()
        if c.get("relu"):
            stage = "relu"
            out = relu(out)
            result["relu"] = out.tolist()
        if c.get("pool"):
            stage = "pool"
            p = c["pool"]
            plan = plan_pool2d(out, p.get("size", 2), op=p.get("op", "max"),
                               stride=p.get("stride"), padding=p.get("padding", 0),
                               ceil_mode=p.get("ceil_mode", False),
                               count_include_pad=p.get("count_include_pad", True))
            result["pool"] = run_pool_plan(plan).tolist()
    except (TypeError, ValueError) as exc:
        result["error"] = {"stage": stage, "type": type(exc).__name__, "message": str(exc)}
    return result
