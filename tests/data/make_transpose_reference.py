"""Write transpose_reference.npz: PyTorch's conv_transpose2d answers, for tests without torch.

Run with a Python that has torch (2.13.0 CPU was used):

    python tests/data/make_transpose_reference.py

Every case stores its input, its 2-D kernel, PyTorch's output in float64 and its
configuration as convdocs' keyword arguments. Images are (H, W) or (H, W, C), as
convdocs takes them; a 2-D kernel on a C-channel image is PyTorch's grouped
transposed convolution with groups=C and the same kernel for each channel.
The cases and their numbers are fixed by a seed, so rerunning the script
rewrites the same arrays (the zip's timestamps change). It does not import convdocs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).with_name("transpose_reference.npz")
SEED = 1603072852  # arXiv 1603.07285, Dumoulin & Visin's guide, second file

# Hand-picked cases: each names what it covers. The first eight are the transposes of
# Dumoulin & Visin's animated configurations. Random ones are added below.
HAND_CASES = [
    dict(name="dv_no_padding_no_strides", image=(2, 2), kernel=(3, 3)),
    dict(name="dv_arbitrary_padding_no_strides", image=(6, 6), kernel=(4, 4), padding=(2, 2)),
    dict(name="dv_half_padding_no_strides", image=(5, 5), kernel=(3, 3), padding=(1, 1)),
    dict(name="dv_full_padding_no_strides", image=(7, 7), kernel=(3, 3), padding=(2, 2)),
    dict(name="dv_no_padding_strides", image=(2, 2), kernel=(3, 3), stride=(2, 2)),
    dict(name="dv_padding_strides", image=(3, 3), kernel=(3, 3), stride=(2, 2), padding=(1, 1)),
    dict(name="dv_padding_strides_odd", image=(3, 3), kernel=(3, 3), stride=(2, 2),
         padding=(1, 1), output_padding=(1, 1)),
    dict(name="dv_dilation", image=(3, 3), kernel=(3, 3), dilation=(2, 2)),
    dict(name="output_padding_rect", image=(3, 4), kernel=(2, 3), stride=(3, 2), padding=(1, 0),
         output_padding=(2, 1)),
    # stride 1: output_padding is allowed only because it is below the dilation
    dict(name="output_padding_below_dilation", image=(4, 3), kernel=(3, 2), dilation=(2, 3),
         output_padding=(1, 2)),
    dict(name="output_padding_from_dilation_over_stride", image=(3, 3), kernel=(2, 2),
         stride=(2, 2), dilation=(3, 3), output_padding=(2, 2)),
    # the extra row/column brings back a cell that padding would have cut off
    dict(name="output_padding_uncovers_cropped", image=(3, 3), kernel=(3, 3), stride=(2, 2),
         padding=(2, 2), output_padding=(1, 1)),
    # padding > d(k - 1): the equivalent convolution crops the stretched input
    dict(name="crop_one_side", image=(4, 5), kernel=(2, 2), stride=(3, 2), padding=(2, 1)),
    dict(name="crop_1x1_kernel", image=(5, 5), kernel=(1, 1), stride=(3, 3), padding=(1, 2)),
    dict(name="single_pixel", image=(1, 1), kernel=(3, 2), stride=(2, 2)),
    # the only input cell is cropped away: the output is one zero
    dict(name="single_pixel_cropped", image=(1, 1), kernel=(1, 1), stride=(3, 3),
         padding=(1, 1), output_padding=(2, 2)),
    dict(name="kernel_larger_than_input", image=(2, 3), kernel=(5, 4), stride=(2, 3),
         padding=(3, 1)),
    dict(name="kernel_1x4", image=(3, 3), kernel=(1, 4), stride=(1, 2), padding=(0, 1)),
    dict(name="channels", image=(4, 3, 3), kernel=(3, 3), stride=(2, 2), padding=(1, 1),
         output_padding=(1, 1)),
    dict(name="channels_dilated_rect", image=(3, 5, 2), kernel=(2, 3), stride=(1, 2),
         padding=(1, 1), output_padding=(1, 1), dilation=(2, 1)),
]

DEFAULTS = dict(stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1))
STORED = ("stride", "padding", "output_padding", "dilation")


def size(n, k, s, p, a, d):
    """PyTorch's output size for ConvTranspose2d (its documentation's formula)."""
    return (n - 1) * s - 2 * p + d * (k - 1) + a + 1


def random_cases(rng, count):
    """Random small configurations that PyTorch accepts."""
    cases = []
    while len(cases) < count:
        h, w = (int(n) for n in rng.integers(1, 7, size=2))
        channels = (int(rng.integers(1, 4)),) if rng.random() < 0.3 else ()
        k = tuple(int(n) for n in rng.integers(1, 5, size=2))
        stride = tuple(int(n) for n in rng.integers(1, 4, size=2))
        dil = tuple(int(n) for n in rng.integers(1, 3, size=2))
        pad = tuple(int(n) for n in rng.integers(0, 4, size=2))
        outpad = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dil))
        if any(size(*args) < 1 for args in zip((h, w), k, stride, pad, outpad, dil)):
            continue
        cases.append(dict(name=f"random_{len(cases)}", image=(h, w) + channels, kernel=k,
                          stride=stride, padding=pad, output_padding=outpad, dilation=dil))
    return cases


def torch_conv_transpose(x: np.ndarray, k: np.ndarray, c: dict) -> np.ndarray:
    """conv_transpose2d on (H, W) or (H, W, C) with one 2-D kernel for every channel."""
    channels = x.shape[2] if x.ndim == 3 else 1
    inp = torch.from_numpy(x if x.ndim == 3 else x[..., None]).permute(2, 0, 1)[None]
    # weight is (in_channels, out_channels / groups, kh, kw)
    weight = torch.from_numpy(k)[None, None].repeat(channels, 1, 1, 1)
    out = F.conv_transpose2d(inp, weight, stride=c["stride"], padding=c["padding"],
                             output_padding=c["output_padding"], groups=channels,
                             dilation=c["dilation"])
    out = out[0].permute(1, 2, 0).numpy()
    return out if x.ndim == 3 else out[..., 0]


def main() -> None:
    rng = np.random.default_rng(SEED)
    cases = HAND_CASES + random_cases(rng, 22)
    arrays, configs = {}, []
    for i, case in enumerate(cases):
        c = {**DEFAULTS, **case}
        key = f"{i:02d}"
        x = rng.normal(size=c["image"])
        k = rng.normal(size=c["kernel"])
        arrays[f"{key}_image"] = x
        arrays[f"{key}_kernel"] = k
        arrays[f"{key}_expected"] = torch_conv_transpose(x, k, c)
        configs.append({"key": key, "name": c["name"], "kwargs": {n: c[n] for n in STORED}})
    arrays["configs"] = np.array(json.dumps(configs, indent=0))
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(configs)} cases to {OUT} ({OUT.stat().st_size} bytes) "
          f"with torch {torch.__version__}")


if __name__ == "__main__":
    main()
