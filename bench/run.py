"""`make bench`: speed of the operations and of the figure build, and the weight of figures/.

Every comparison runs side by side in one process, alternating the two
contenders, and reports medians and their ratio: the machine is shared and
noisy, so absolute times drift while ratios hold. The operations run
single-threaded. PyTorch is no dependency; its lines appear when torch is
installed (`.venv/bin/pip install torch==2.13.0`).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.ndimage as ndi  # noqa: E402

import convdocs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 15


def side_by_side(a, b, repeats=REPEATS):
    """Median seconds of a() and b(), measured alternately."""
    ta, tb = [], []
    a(), b()  # warm up
    for _ in range(repeats):
        t = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def line(label, ours, theirs, other, goal):
    ratio = ours / theirs
    print(f"{label:44} convdocs {ours * 1e3:8.2f} ms   {other} {theirs * 1e3:8.2f} ms   "
          f"ratio {ratio:5.2f}  (goal {goal})")


def bench_ops():
    rng = np.random.default_rng(0)
    print("== operations (single-threaded, medians of 15, side by side)")
    image = rng.random((1024, 1024))
    for k in (3, 7):
        kernel = rng.random((k, k))
        h = k // 2
        ours, ref = side_by_side(lambda: convdocs.conv2d(image, kernel),
                                 lambda: ndi.correlate(image, kernel, mode="constant")[h:-h, h:-h])
        line(f"conv2d 1024x1024 float64, {k}x{k} valid", ours, ref, "scipy", "<= 1.2")
    big = rng.random((2048, 2048))
    pools = [("max_pool2d 2048x2048, 2x2 stride 2", lambda: convdocs.max_pool2d(big, 2),
              lambda: big.reshape(1024, 2, 1024, 2).max(axis=(1, 3)), "max", 2, 2),
             ("avg_pool2d 2048x2048, 2x2 stride 2", lambda: convdocs.avg_pool2d(big, 2),
              lambda: big.reshape(1024, 2, 1024, 2).mean(axis=(1, 3)), "avg", 2, 2),
             ("max_pool2d 2048x2048, 3x3 stride 2", lambda: convdocs.max_pool2d(big, 3, stride=2),
              None, "max", 3, 2)]
    for label, ours, numpy_ref, *_ in pools:
        if numpy_ref:
            o, r = side_by_side(ours, numpy_ref)
            line(label, o, r, "numpy reshape", "faster than numpy is a bonus")
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("torch is not installed: pooling against PyTorch skipped "
              "(.venv/bin/pip install torch==2.13.0)")
        return
    torch.set_num_threads(1)
    tbig = torch.from_numpy(big)[None, None]
    for label, ours, _, op, k, s in pools:
        fn = F.max_pool2d if op == "max" else F.avg_pool2d
        o, r = side_by_side(ours, lambda fn=fn, k=k, s=s: fn(tbig, k, s))
        line(label, o, r, "torch", "<= 1.0")


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def bench_build():
    print("== figure build (wall clock, whole command, this machine's cores)")
    build = [sys.executable, "-m", "convdocs", "build", "--out"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures"
        clean = [timed(build + [str(out), "--force"]) for _ in range(2)]
        print(f"{'full clean build, page and phone files':44} median {statistics.median(clean):6.2f} s"
              f"   (runs: {', '.join(f'{t:.2f}' for t in clean)}; issue 8's 20 s is for the "
              f"page files: below)")
        from convdocs.figures import catalogue
        article = [catalogue.page_name(m) for m in catalogue.PAGES[:5]]   # Home to Pooling
        story = [n for n, spec in catalogue.FIGURES.items() if spec.page in article]
        part = [timed(build + [str(out), "--force", "--only", *story]) for _ in range(2)]
        print(f"{'the article story only (%d figures)' % len(story):44} median "
              f"{statistics.median(part):6.2f} s   (the goal's original scope)")
        noop = [timed(build + [str(out)]) for _ in range(5)]
        print(f"{'rebuild with nothing changed':44} median {statistics.median(noop):6.2f} s   (goal <= 1 s)")
        cold = []
        for _ in range(3):      # a fresh clone: no local memory of checked records yet
            shutil.rmtree(out / ".convdocs-cache", ignore_errors=True)
            cold.append(timed(build + [str(out)]))
        print(f"{'  the same, first time in a fresh clone':44} median {statistics.median(cold):6.2f} s"
              f"   (computes every figure's data once to check the records)")
        one = []
        for _ in range(3):
            # Changing a figure's code changes its fingerprint; this does the same.
            path = out / "manifest.json"
            data = json.loads(path.read_text())
            next(e for e in data["figures"] if e["name"] == "grid-outline")["fingerprint"] = "edited"
            path.write_text(json.dumps(data))
            one.append(timed(build + [str(out)]))
        print(f"{'rebuild after changing one figure':44} median {statistics.median(one):6.2f} s   (goal <= 3 s)")


def _page_files(name, data):
    """One figure's page files in both themes, as the build's worker renders them (the
    phone files left out). Runs in a worker process."""
    from convdocs.figures import catalogue, render, style
    spec = catalogue.FIGURES[name]
    data = spec.compute() if data is None else data
    frames = spec.animate(data) if spec.animated else None
    files = []
    for theme in style.THEMES:
        with style.context(theme):
            files += render._render_theme(spec, data, frames, theme)
    return files


def bench_page_layout():
    """Issue 8's budget, set before the phone layout existed: every figure's page files,
    both themes, clean, rendered as the build renders them (its worker processes and
    order, this process computing the stills' data meanwhile), then hashed and written
    atomically as the build writes them; only the manifest is left out."""
    from convdocs.figures import build, catalogue
    todo = [(n, None) for n in catalogue.FIGURES]
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            for files in build._run(todo, build.worker_count(None, len(todo)), _page_files):
                for f in files:
                    build.sha256(f.data)
                    build.atomic_write(Path(tmp) / f.path, f.data)
            runs.append(time.perf_counter() - t)
    print(f"{'page files only, all figures, both themes':44} median {statistics.median(runs):6.2f} s"
          f"   (issue 8's goal <= 20 s; runs: {', '.join(f'{t:.2f}' for t in runs)})")


def bench_layouts():
    """Issue 10's budget: a full clean build of every layout (page and phone files, the
    slides, the teaching kit made from them) in fresh folders, and the weight of each."""
    print("== every layout, clean (wall clock, whole commands)")
    cmd = [sys.executable, "-m", "convdocs"]
    with tempfile.TemporaryDirectory() as tmp:
        figures, teaching = Path(tmp) / "figures", Path(tmp) / "teaching"
        times = []
        for _ in range(2):
            shutil.rmtree(figures, ignore_errors=True)
            shutil.rmtree(teaching, ignore_errors=True)
            pages = timed(cmd + ["build", "--out", str(figures), "--force"])
            slides = timed(cmd + ["slides", "--out", str(teaching), "--force"])
            times.append((pages, slides, pages + slides))
        med = [statistics.median(t[i] for t in times) for i in range(3)]
        print(f"{'page and phone files (convdocs build)':44} median {med[0]:6.2f} s")
        print(f"{'slides (convdocs slides)':44} median {med[1]:6.2f} s")
        print(f"{'all layouts':44} median {med[2]:6.2f} s   (goal <= 45 s)")
    kit = ROOT / "build" / "teaching"
    record = kit / "teaching.json"
    if record.exists():
        print("teaching kit (build/teaching/, from `make slides`):")
        for name in sorted(p.name for p in kit.iterdir() if p.suffix in (".pptx", ".pdf", ".zip")):
            print(f"  {name:40} {(kit / name).stat().st_size / 1e6:7.2f} MB")
    files = [f for e in json.loads((ROOT / "figures/manifest.json").read_text())["figures"]
             for f in e["files"]]
    for layout in ("page", "phone"):
        size = sum(f["bytes"] for f in files if f.get("layout", "page") == layout)
        print(f"figures/, {layout} files: {size / 1e6:6.2f} MB")


def bench_frames():
    """Time per animation frame, drawn as the build draws them: the static layer once, then
    each step composited over it at the PNG's 2x resolution."""
    from convdocs.figures import catalogue, render, style
    print("== animation frames (this process, one core)")
    per_frame = []
    for name, spec in catalogue.FIGURES.items():
        if not spec.animated:
            continue
        data = spec.compute()
        frames = spec.animate(data)
        t = time.perf_counter()
        render.layered(frames, style.LIGHT, range(frames.frames), style.PNG_DPI)
        per_frame.append((time.perf_counter() - t) / frames.frames)
    print(f"{'time per frame, 15 animations, 2x PNG size':44} median "
          f"{statistics.median(per_frame) * 1e3:6.1f} ms   max {max(per_frame) * 1e3:6.1f} ms"
          f"   (conv_arithmetic: about 800 ms per frame through LaTeX)")


def bench_training():
    """The two training runs the figures show, timed as the build runs them."""
    from convdocs import learn
    from convdocs.figures import learning, tiny_cnn
    print("== training (this process, one core)")
    pictures, targets, _ = learning.training()
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        run = learn.learn_filter(pictures, targets, steps=learning.FRAME_STEPS[-1])
        runs.append(time.perf_counter() - t)
    miss = float(np.abs(run.kernels[-1] - convdocs.kernels.VERTICAL_EDGES).max())
    print(f"{'a filter that learns (%d steps)' % (len(run.losses) - 1):44} median "
          f"{statistics.median(runs):6.2f} s   (goal <= 2 s; loss {run.losses[0]:.3g} -> "
          f"{run.losses[-1]:.2g}, largest miss {miss:.1g})")
    train, labels = learn.patterns(tiny_cnn.TRAIN, seed=tiny_cnn.TRAIN_SEED)
    held_out, held_labels = learn.patterns(tiny_cnn.HELD_OUT, seed=tiny_cnn.HELD_OUT_SEED)
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        net_run = learn.train_net(train, labels)
        runs.append(time.perf_counter() - t)
    right = int(np.count_nonzero(learn.predict(net_run.net, held_out) == held_labels))
    print(f"{'a network that decides (%d steps)' % (len(net_run.losses) - 1):44} median "
          f"{statistics.median(runs):6.2f} s   (goal <= 10 s; loss {net_run.losses[0]:.3g} -> "
          f"{net_run.losses[-1]:.2g}, held out {right} of {len(held_labels)} right)")


def bench_weight():
    print("== weight of figures/")
    files = [f for e in json.loads((ROOT / "figures/manifest.json").read_text())["figures"]
             for f in e["files"]]
    gifs = sorted(f["bytes"] for f in files if f["kind"] == "gif")
    pngs = sorted(f["bytes"] for f in files if f["kind"] in ("png", "frames"))
    svgs = sorted(f["bytes"] for f in files if f["kind"] == "svg")
    atlases = sorted(f["bytes"] for f in files if f["kind"] == "player")
    print(f"GIF  n={len(gifs):3}  median {statistics.median(gifs) / 1e3:6.1f} KB  max {gifs[-1] / 1e3:6.1f} KB"
          f"   (goal: median <= 60 KB, none over 300 KB)")
    print(f"PNG  n={len(pngs):3}  median {statistics.median(pngs) / 1e3:6.1f} KB  max {pngs[-1] / 1e3:6.1f} KB"
          f"   (goal: every PNG <= 150 KB)")
    print(f"SVG  n={len(svgs):3}  median {statistics.median(svgs) / 1e3:6.1f} KB  max {svgs[-1] / 1e3:6.1f} KB")
    if atlases:
        print(f"player atlas (WebP) n={len(atlases):3}  median "
              f"{statistics.median(atlases) / 1e3:6.1f} KB  max {atlases[-1] / 1e3:6.1f} KB  "
              f"total {sum(atlases) / 1e3:7.1f} KB   (bench/player.py compares formats)")


if __name__ == "__main__":
    bench_ops()
    bench_build()
    bench_page_layout()
    bench_layouts()
    bench_frames()
    bench_training()
    bench_weight()
