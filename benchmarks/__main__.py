"""Run every benchmark and print one Markdown table: ``python -m benchmarks [--quick]``.

Ratios are measured within this one run (this machine's timings are noisy across runs).
"""
from __future__ import annotations

import argparse
import datetime

from benchmarks import bench_lstm, bench_memory, bench_models, bench_overhead, bench_train
from benchmarks.common import machine


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats and a smaller CNN subset")
    p.add_argument("--accuracy", action="store_true", help="also train to 88%%/91%% test accuracy (minutes)")
    a = p.parse_args(argv)
    reps = 2 if a.quick else 5
    lines = [f"Measured {datetime.date.today()} on {machine()}.", "",
             "| benchmark | npgrad | reference | ratio (npgrad / reference) |", "|---|---|---|---|"]

    rows, n = bench_train.bench_mlp(reps)
    floor = rows["numpy (hand-written)"]
    ours = rows["npgrad"]
    lines.append(f"| MLP 784-256-128-10 epoch, Fashion-MNIST 60k, batch 128 | {ours:.2f} s | "
                 f"hand-written NumPy {floor:.2f} s | {ours / floor:.2f} |")
    if "torch" in rows:
        t = rows["torch"]
        lines.append(f"| MLP epoch | {ours:.2f} s | PyTorch {t:.2f} s | {ours / t:.2f} |")

    limit = 1280 if a.quick else 6400
    rows, n = bench_train.bench_cnn(max(1, reps - 1), limit)
    ours = rows["npgrad"] * 60000 / n
    if "torch" in rows:
        t = rows["torch"] * 60000 / n
        lines.append(f"| CNN epoch (from {n} images, scaled to 60k) | {ours:.1f} s | PyTorch {t:.1f} s | "
                     f"{ours / t:.2f} |")
    else:
        lines.append(f"| CNN epoch (from {n} images, scaled to 60k) | {ours:.1f} s | - | - |")
    from npgrad import _jit
    was = _jit.set_enabled(False)                 # the core install: NumPy code only
    try:
        rows, n = bench_train.bench_cnn(max(1, reps - 1), limit)
    finally:
        _jit.set_enabled(was)
    if "torch" in rows:
        ours, t = rows["npgrad"] * 60000 / n, rows["torch"] * 60000 / n
        lines.append(f"| CNN epoch without numba (core install) | {ours:.1f} s | PyTorch {t:.1f} s | {ours / t:.2f} |")

    steps = 4 if a.quick else 10
    for threads in (1, 2):
        for label, fn in ((f"ResNet-style step, 3x32x32, 64 channels, batch 32, {threads} thread(s)",
                           bench_models.resnet_step),
                          (f"CNN inference, batch 1000, {threads} thread(s)", bench_models.cnn_inference)):
            r = fn(steps, threads)
            if "torch" in r:
                lines.append(f"| {label} | {r['npgrad'] * 1e3:.0f} ms | PyTorch {r['torch'] * 1e3:.0f} ms | "
                             f"{r['npgrad'] / r['torch']:.2f} |")
    for threads, r in bench_lstm.run(steps, threads=(1, 2)).items():
        if "torch" in r:
            lines.append(f"| LSTM step (seq 50, batch 64, 32 -> 128) + Linear, {threads} thread(s) | "
                         f"{r['npgrad'] * 1e3:.0f} ms | PyTorch {r['torch'] * 1e3:.0f} ms | "
                         f"{r['npgrad'] / r['torch']:.2f} |")

    for label, o, t in bench_overhead.run(10_000, 3 if a.quick else 5, 1 if a.quick else 3):
        lines.append(f"| autograd overhead, 10,000 ops on {label}s | {o:.2f} us/op | PyTorch {t:.2f} us/op | "
                     f"{o / t:.2f} |")

    mem = {lib: bench_memory.measure(lib) for lib in ("npgrad", "torch")}
    if mem["torch"]:
        n_, t_ = mem["npgrad"], mem["torch"]
        lines.append(f"| peak RSS, CNN training at batch 128 | {n_['peak']:.0f} MB | PyTorch {t_['peak']:.0f} MB | "
                     f"{n_['peak'] / t_['peak']:.2f} |")
        lines.append(f"| growth of peak RSS during that training | {n_['peak'] - n_['before']:.0f} MB | PyTorch "
                     f"{t_['peak'] - t_['before']:.0f} MB | "
                     f"{(n_['peak'] - n_['before']) / max(t_['peak'] - t_['before'], 1):.2f} |")

    if a.accuracy:
        from benchmarks import bench_accuracy
        for row in bench_accuracy.run():
            lines.append(row)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
