"""Conv and max-pool layers of the MNIST CNN: forward+backward time, npgrad vs PyTorch (CPU).

Batch of 128 MNIST-sized images, float32.  Rows: each layer alone (its input requires a gradient
except for the first conv, whose input is the data), then the feature stack
conv(1->32) - relu - maxpool - conv(32->64) - relu - maxpool.  npgrad and PyTorch runs alternate,
so background load hits both alike; the median of the repeats is reported.

    python benchmarks/bench_conv.py [--repeats 15] [--threads 2]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _layers(lib):
    nn = lib.nn
    return {"conv1": nn.Conv2d(1, 32, 3, padding=1), "conv2": nn.Conv2d(32, 64, 3, padding=1),
            "pool": nn.MaxPool2d(2)}


def _cases(lib, arrays):
    """name -> zero-argument function running forward+backward once with ``lib``.

    The backward pass starts from a dense random gradient of the output's shape (as a loss
    further down would give), the same array for both frameworks."""
    L = _layers(lib)
    t = {k: lib.tensor(v, requires_grad=(k != "x1")) for k, v in arrays.items()}
    rng = np.random.default_rng(1)
    grads = {}

    def fb(f, x):
        def run():
            y = f(x)
            key = (id(f), tuple(y.shape))
            if key not in grads:
                grads[key] = lib.tensor(rng.standard_normal(tuple(y.shape)).astype(np.float32))
            y.backward(grads[key])
        return run

    def features(x):
        return L["pool"](lib.relu(L["conv2"](L["pool"](lib.relu(L["conv1"](x))))))

    return L, {
        "Conv2d(1,32,3,p=1)   128x1x28x28": fb(L["conv1"], t["x1"]),
        "Conv2d(32,64,3,p=1)  128x32x14x14": fb(L["conv2"], t["x2"]),
        "MaxPool2d(2)         128x32x28x28": fb(L["pool"], t["x3"]),
        "MaxPool2d(2)         128x64x14x14": fb(L["pool"], t["x4"]),
        "conv-relu-pool x2 (CNN features)": fb(features, t["x1"]),
    }


def _copy_weights(src, dst):
    for name in ("conv1", "conv2"):
        for p in ("weight", "bias"):
            getattr(dst[name], p).data[...] = getattr(src[name], p).detach().numpy()


def run(repeats=15, threads=2):
    import npgrad
    from benchmarks.common import compiled_kernels
    compiled_kernels()
    try:
        import torch
        torch.set_num_threads(threads)
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    arrays = {"x1": rng.random((128, 1, 28, 28), dtype=np.float32),
              "x2": rng.standard_normal((128, 32, 14, 14), dtype=np.float32),
              "x3": rng.standard_normal((128, 32, 28, 28), dtype=np.float32),
              "x4": rng.standard_normal((128, 64, 14, 14), dtype=np.float32)}
    ours_layers, ours = _cases(npgrad, arrays)
    theirs = {}
    if torch is not None:
        theirs_layers, theirs = _cases(torch, arrays)
        _copy_weights(theirs_layers, ours_layers)
    rows = []
    for name, f in ours.items():
        g = theirs.get(name)
        f(), g and g()  # warm up
        a, b = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            f()
            a.append(time.perf_counter() - t0)
            if g is not None:
                t0 = time.perf_counter()
                g()
                b.append(time.perf_counter() - t0)
        rows.append((name, statistics.median(a) * 1e3, statistics.median(b) * 1e3 if b else float("nan")))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_conv", description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    rows = run(a.repeats, a.threads)
    print(f"{'forward+backward, batch 128':<36} {'npgrad ms':>10} {'torch ms':>9} {'ratio':>6}")
    for name, ours, theirs in rows:
        print(f"{name:<36} {ours:>10.2f} {theirs:>9.2f} {ours / theirs:>6.2f}")
    layers = rows[:4]
    total = sum(r[1] for r in layers), sum(r[2] for r in layers)
    print(f"{'sum of the four layers':<36} {total[0]:>10.2f} {total[1]:>9.2f} {total[0] / total[1]:>6.2f}")


if __name__ == "__main__":
    main()
