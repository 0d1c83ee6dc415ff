"""Write torch_reference.npz: PyTorch's answers for conv2d and pooling, for tests without torch.

Run with a Python that has torch (2.13.0 CPU was used):

    python tests/data/make_torch_reference.py

Every case stores its input, its kernel (convolution only), PyTorch's output in
float64, and its configuration in convdocs' terms. Images are (H, W) or (H, W, C),
as convdocs takes them; the script moves channels first for torch and back.
The cases and their numbers are fixed by a seed, so rerunning the script
rewrites the same arrays (the zip's timestamps change).

It also stores the deliberate difference: pooling windows larger than the padded
input, which PyTorch accepts with ceil_mode (the window hangs off the edge) and
convdocs refuses. Those cases ("refused_configs", "refused_NN_image",
"refused_NN_torch") keep PyTorch's answer, so the tests show that PyTorch gave one
without needing torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).with_name("torch_reference.npz")
SEED = 160307285  # arXiv 1603.07285, Dumoulin & Visin's guide

# Hand-picked cases: each row names the feature it covers. Random ones are added below.
# conv fields: image shape, kernel shape, stride, padding, dilation, padding_mode
# pool fields: image shape, size, stride, padding, ceil_mode, count_include_pad
HAND_CASES = [
    dict(name="conv_basic", op="conv", image=(5, 5), kernel=(3, 3)),
    dict(name="conv_stride_odd_case", op="conv", image=(6, 6), kernel=(3, 3), stride=(2, 2),
         padding=(1, 1)),
    dict(name="conv_dilation", op="conv", image=(7, 7), kernel=(3, 3), dilation=(2, 2)),
    dict(name="conv_rect_everything", op="conv", image=(9, 7), kernel=(2, 3), stride=(2, 1),
         padding=(3, 1), dilation=(1, 2)),
    dict(name="conv_even_kernel_padding", op="conv", image=(5, 6), kernel=(4, 2), padding=(2, 1)),
    dict(name="conv_same_even_zeros", op="conv", image=(6, 5), kernel=(4, 2), padding="same"),
    dict(name="conv_same_even_dilated", op="conv", image=(7, 7), kernel=(2, 4), padding="same",
         dilation=(3, 1)),
    dict(name="conv_same_even_reflect", op="conv", image=(6, 5), kernel=(2, 4), padding="same",
         padding_mode="reflect"),
    dict(name="conv_same_even_replicate", op="conv", image=(5, 5), kernel=(4, 4), padding="same",
         padding_mode="replicate"),
    dict(name="conv_same_even_circular", op="conv", image=(4, 6), kernel=(2, 3), padding="same",
         padding_mode="circular"),
    dict(name="conv_same_odd_reflect", op="conv", image=(5, 5), kernel=(3, 5), padding="same",
         padding_mode="reflect"),
    dict(name="conv_valid", op="conv", image=(4, 5), kernel=(2, 2), padding="valid"),
    dict(name="conv_full", op="conv", image=(4, 5), kernel=(3, 2), padding="full"),
    dict(name="conv_reflect_max_padding", op="conv", image=(4, 5), kernel=(3, 3), padding=(3, 4),
         padding_mode="reflect"),
    dict(name="conv_circular_padding_equals_size", op="conv", image=(3, 4), kernel=(2, 2),
         padding=(3, 4), padding_mode="circular"),
    dict(name="conv_replicate_wide_padding", op="conv", image=(2, 3), kernel=(3, 3),
         padding=(5, 4), stride=(2, 3), padding_mode="replicate"),
    dict(name="conv_filter_3_channels", op="conv", image=(6, 5, 3), kernel=(3, 3, 3),
         padding=(1, 1)),
    dict(name="conv_per_channel_kernel", op="conv", image=(6, 5, 2), kernel=(2, 3), stride=(1, 2),
         padding=(1, 0), padding_mode="reflect"),
    dict(name="max_2x2", op="max", image=(6, 6), size=(2, 2)),
    dict(name="max_overlap_3_stride_2", op="max", image=(7, 7), size=(3, 3), stride=(2, 2)),
    dict(name="max_ceil_mode", op="max", image=(5, 7), size=(2, 3), ceil_mode=True),
    dict(name="max_ceil_padding_dropped_window", op="max", image=(5, 5), size=(2, 2),
         stride=(2, 2), padding=(1, 1), ceil_mode=True),
    dict(name="max_padding_negative_values", op="max", image=(4, 4), size=(3, 3), padding=(1, 1),
         stride=(1, 1), shift=-10.0),
    dict(name="avg_2x2", op="avg", image=(6, 4), size=(2, 2)),
    dict(name="avg_pad_counted", op="avg", image=(5, 5), size=(3, 3), stride=(2, 2),
         padding=(1, 1)),
    dict(name="avg_pad_not_counted", op="avg", image=(5, 5), size=(3, 3), stride=(2, 2),
         padding=(1, 1), count_include_pad=False),
    dict(name="avg_ceil_pad_counted", op="avg", image=(6, 6), size=(3, 3), stride=(2, 2),
         padding=(1, 1), ceil_mode=True),
    dict(name="avg_ceil_pad_not_counted", op="avg", image=(6, 7), size=(3, 2), stride=(2, 3),
         padding=(1, 1), ceil_mode=True, count_include_pad=False),
    dict(name="avg_channels", op="avg", image=(5, 4, 3), size=(2, 2), stride=(1, 1)),
]

# PyTorch accepts these, convdocs refuses them: each window is larger than the padded
# input, and ceil_mode lets PyTorch keep one window hanging off the edge anyway.
# Images are 1, 2, 3, ... along the row, so the answers can be read by hand.
REFUSED_CASES = [
    # the 2-wide default window (stride 2) on a 1-wide input: torch gives [[1]]
    dict(name="max_window_2_on_width_1", op="max", image=(1, 1), size=(1, 2), stride=(1, 2),
         ceil_mode=True),
    dict(name="avg_window_2_on_width_1", op="avg", image=(1, 1), size=(1, 2), stride=(1, 2),
         ceil_mode=True),
    # padded 1 + 2*1 = 3 wide, window 4: torch divides 1 by 3 (pad counted, overhang not)
    dict(name="avg_window_4_on_padded_width_3", op="avg", image=(1, 1), size=(1, 4),
         stride=(1, 2), padding=(0, 1), ceil_mode=True),
    dict(name="max_window_4_on_width_3", op="max", image=(1, 3), size=(1, 4), stride=(1, 2),
         ceil_mode=True),
]

DEFAULTS = dict(stride=(1, 1), padding=(0, 0), dilation=(1, 1), padding_mode="zeros",
                ceil_mode=False, count_include_pad=True, shift=0.0)
# The configuration stored for each operation: exactly convdocs' keyword arguments.
STORED = {"conv": ("stride", "padding", "dilation", "padding_mode"),
          "max": ("size", "stride", "padding", "ceil_mode"),
          "avg": ("size", "stride", "padding", "ceil_mode", "count_include_pad")}


def random_cases(rng, count):
    """Random small configurations that convdocs and PyTorch both accept."""
    cases = []
    while len(cases) < count:
        op = ("conv", "max", "avg")[len(cases) % 3]
        h, w = (int(n) for n in rng.integers(1, 8, size=2))
        channels = (int(rng.integers(1, 4)),) if rng.random() < 0.4 else ()
        stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
        if op == "conv":
            k = tuple(int(n) for n in rng.integers(1, 5, size=2))
            dil = tuple(int(n) for n in rng.integers(1, 3, size=2))
            mode = str(rng.choice(["zeros", "reflect", "replicate", "circular"]))
            pad = tuple(int(n) for n in rng.integers(0, 4, size=2))
            limit = {"reflect": (h - 1, w - 1), "circular": (h, w)}.get(mode, (99, 99))
            if any(p > lim for p, lim in zip(pad, limit)):
                continue
            if any((kk - 1) * d + 1 > n + 2 * p for kk, d, n, p in zip(k, dil, (h, w), pad)):
                continue
            kernel = k + channels if channels and rng.random() < 0.5 else k
            cases.append(dict(name=f"random_conv_{len(cases)}", op="conv", image=(h, w) + channels,
                              kernel=kernel, stride=stride, padding=pad, dilation=dil,
                              padding_mode=mode))
        else:
            size = tuple(int(n) for n in rng.integers(1, 5, size=2))
            pad = tuple(int(rng.integers(0, s // 2 + 1)) for s in size)
            if any(s > n + 2 * p for s, n, p in zip(size, (h, w), pad)):
                continue  # convdocs refuses a window larger than the padded input
            case = dict(name=f"random_{op}_{len(cases)}", op=op, image=(h, w) + channels,
                        size=size, stride=stride, padding=pad, ceil_mode=bool(rng.random() < 0.5))
            if op == "avg":
                case["count_include_pad"] = bool(rng.random() < 0.5)
            cases.append(case)
    return cases


def channels_first(x: np.ndarray) -> torch.Tensor:
    """(H, W) or (H, W, C) -> (1, C, H, W)."""
    t = torch.from_numpy(x if x.ndim == 3 else x[..., None])
    return t.permute(2, 0, 1)[None]


def channels_last(t: torch.Tensor, keep_channels: bool) -> np.ndarray:
    out = t[0].permute(1, 2, 0).numpy()
    return out if keep_channels else out[..., 0]


def torch_conv(x: np.ndarray, k: np.ndarray, c: dict) -> np.ndarray:
    channels = x.shape[2] if x.ndim == 3 else 1
    if k.ndim == 3:                        # one filter over all channels
        weight, groups, keep = torch.from_numpy(k).permute(2, 0, 1)[None], 1, False
    else:                                  # the same 2-D kernel on each channel: depthwise
        weight = torch.from_numpy(k)[None, None].repeat(channels, 1, 1, 1)
        groups, keep = channels, x.ndim == 3
    inp = channels_first(x)
    padding, mode = c["padding"], c["padding_mode"]
    if padding == "full":
        padding = tuple(d * (n - 1) for n, d in zip(k.shape[:2], c["dilation"]))
    if padding == "same" and mode != "zeros":
        # Let torch place the odd padding cell itself: nn.Conv2d pads with F.pad internally.
        layer = torch.nn.Conv2d(channels, weight.shape[0], k.shape[:2], stride=c["stride"],
                                padding="same", dilation=c["dilation"], groups=groups,
                                bias=False, padding_mode=mode, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(weight)
            return channels_last(layer(inp), keep)
    if mode != "zeros":
        (ph, pw) = padding
        inp = F.pad(inp, (pw, pw, ph, ph), mode=mode)
        padding = 0
    out = F.conv2d(inp, weight, stride=c["stride"], padding=padding, dilation=c["dilation"],
                   groups=groups)
    return channels_last(out, keep)


def torch_pool(x: np.ndarray, c: dict) -> np.ndarray:
    inp = channels_first(x)
    if c["op"] == "max":
        out = F.max_pool2d(inp, c["size"], c["stride"], c["padding"], ceil_mode=c["ceil_mode"])
    else:
        out = F.avg_pool2d(inp, c["size"], c["stride"], c["padding"], ceil_mode=c["ceil_mode"],
                           count_include_pad=c["count_include_pad"])
    return channels_last(out, x.ndim == 3)


def main() -> None:
    rng = np.random.default_rng(SEED)
    cases = HAND_CASES + random_cases(rng, 15)
    arrays, configs = {}, []
    for i, case in enumerate(cases):
        c = {**DEFAULTS, **case}
        key = f"{i:02d}"
        x = rng.normal(size=c["image"]) + c["shift"]
        arrays[f"{key}_image"] = x
        if c["op"] == "conv":
            k = rng.normal(size=c["kernel"])
            arrays[f"{key}_kernel"] = k
            arrays[f"{key}_expected"] = torch_conv(x, k, c)
        else:
            arrays[f"{key}_expected"] = torch_pool(x, c)
        configs.append({"key": key, "name": c["name"], "op": c["op"],
                        "kwargs": {name: c[name] for name in STORED[c["op"]]}})
    arrays["configs"] = np.array(json.dumps(configs, indent=0))
    refused = []
    for i, case in enumerate(REFUSED_CASES):
        c = {**DEFAULTS, **case}
        key = f"refused_{i:02d}"
        x = np.arange(1.0, np.prod(c["image"]) + 1).reshape(c["image"])
        arrays[f"{key}_image"] = x
        arrays[f"{key}_torch"] = torch_pool(x, c)
        refused.append({"key": key, "name": c["name"], "op": c["op"],
                        "kwargs": {name: c[name] for name in STORED[c["op"]]}})
    arrays["refused_configs"] = np.array(json.dumps(refused, indent=0))
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(configs)} cases to {OUT} ({OUT.stat().st_size} bytes) "
          f"with torch {torch.__version__}")


if __name__ == "__main__":
    main()
