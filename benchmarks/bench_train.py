"""Epoch time of the notes' MLP and CNN on Fashion-MNIST: npgrad vs hand-written NumPy vs PyTorch.

The same code trains npgrad and PyTorch (the API is the same); all runs start from identical
weights and see identical batches.  Batch 128, float32, SGD with momentum 0.9.

    python benchmarks/bench_train.py            # MLP on 60,000 images, CNN on a 6,400-image subset
"""
from __future__ import annotations

import argparse

import numpy as np

from benchmarks.common import batch_order, compiled_kernels, fashion_mnist, init_conv, init_linear, torch_or_none
from benchmarks.numpy_mlp import NumpyMLP

MLP_SIZES = (784, 256, 128, 10)


def mlp_weights(seed=0):
    rng = np.random.default_rng(seed)
    return [init_linear(rng, a, b) for a, b in zip(MLP_SIZES[:-1], MLP_SIZES[1:])]


def cnn_weights(seed=0):
    rng = np.random.default_rng(seed)
    return [init_conv(rng, 1, 32, 3), init_conv(rng, 32, 64, 3), init_linear(rng, 3136, 128), init_linear(rng, 128, 10)]


def build_mlp(lib, weights):
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    keys = ["0", "2", "4"]
    model.load_state_dict({f"{k}.{n}": lib.from_numpy(a.copy()) for k, (w, b) in zip(keys, weights)
                           for n, a in (("weight", w), ("bias", b))})
    return model


def build_cnn(lib, weights):
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    keys = ["0", "3", "7", "9"]
    model.load_state_dict({f"{k}.{n}": lib.from_numpy(a.copy()) for k, (w, b) in zip(keys, weights)
                           for n, a in (("weight", w), ("bias", b))})
    return model


def train_epoch(lib, model, opt, x, y, batches):
    """One epoch of the notes' loop: mini-batch, loss, gradients, update."""
    F = lib.nn.functional
    model.train()
    total = 0.0
    for idx in batches:
        xb = lib.from_numpy(x[idx])
        yb = lib.from_numpy(y[idx])
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item()
    return total / len(batches)


def _interleaved(runners, repeats):
    """Median seconds per runner, the runners taking turns epoch by epoch (after one warm-up each),
    so that the machine's slow drifts in speed hit every framework alike."""
    import statistics
    import time
    for run in runners.values():
        run()
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def _framework_runner(lib, build, weights, x, y, batches):
    if lib.__name__ == "npgrad":
        compiled_kernels()
    model = build(lib, weights)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return lambda: train_epoch(lib, model, opt, x, y, batches)


def bench_mlp(repeats=3, limit=None):
    """Seconds per epoch for the hand-written NumPy floor, npgrad and (if installed) PyTorch."""
    import npgrad
    x, y = fashion_mnist(True, limit)
    x = np.ascontiguousarray(x.reshape(len(x), -1))
    batches = batch_order(len(x), 128)
    weights = mlp_weights()
    floor = NumpyMLP(weights)
    runners = {"numpy (hand-written)": lambda: [floor.step(x[i], y[i]) for i in batches],
               "npgrad": _framework_runner(npgrad, build_mlp, weights, x, y, batches)}
    torch = torch_or_none()
    if torch is not None:
        runners["torch"] = _framework_runner(torch, build_mlp, weights, x, y, batches)
    return _interleaved(runners, repeats), len(x)


def bench_cnn(repeats=2, limit=6400):
    import npgrad
    x, y = fashion_mnist(True, limit)
    batches = batch_order(len(x), 128)
    weights = cnn_weights()
    runners = {"npgrad": _framework_runner(npgrad, build_cnn, weights, x, y, batches)}
    torch = torch_or_none()
    if torch is not None:
        runners["torch"] = _framework_runner(torch, build_cnn, weights, x, y, batches)
    return _interleaved(runners, repeats), len(x)


def report(title, rows, n, ref, full=60000):
    print(f"\n{title} ({n} images/epoch measured; seconds scaled to a {full}-image epoch)")
    print(f"{'':<22}{'s/epoch':>9}{'vs ' + ref:>14}")
    base = rows[ref]
    for name, t in rows.items():
        print(f"{name:<22}{t * full / n:>9.2f}{t / base:>13.2f}x")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_train", description="MLP and CNN epoch times")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--cnn-limit", type=int, default=6400)
    p.add_argument("--only", choices=["mlp", "cnn"])
    a = p.parse_args(argv)
    if a.only != "cnn":
        rows, n = bench_mlp(a.repeats)
        report("MLP 784-256-128-10", rows, n, "numpy (hand-written)")
    if a.only != "mlp":
        rows, n = bench_cnn(max(1, a.repeats - 1), a.cnn_limit)
        report("CNN conv32-pool-conv64-pool-128-10", rows, n, "torch" if "torch" in rows else "npgrad")


if __name__ == "__main__":
    main()
