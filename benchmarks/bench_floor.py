"""How close each training step is to the floor set by its matrix products in NumPy's BLAS.

A framework on NumPy does a step's dense layers and convolutions as matrix products in NumPy's BLAS
(OpenBLAS here): a conv as im2col + one product per direction (forward ``W @ cols``, input gradient
``W.T @ gy``, weight gradient ``gy @ cols.T``), an LSTM as one product for the input projection of all
time steps, one per time step each way for the recurrence, and one per weight gradient.  This
lists every product of each workload's step with its shape, times each alone in NumPy's BLAS (the
fastest of eight layouts, median of repeats) and adds them up: the *floor*, the time such a step
cannot go below without another algorithm or another BLAS.  Also measured: the machine's peak, a
2048 x 2048 x 2048 sgemm, and each step at that peak (``flops / peak``).

Then npgrad's and PyTorch's steps (frameworks taking turns in blocks of steps, from the same weights,
``benchmarks.common.take_turns``)
are set against the floor: ``step / floor`` is how much slower than its own products a step runs.
PyTorch's oneDNN convolutions are not bound by OpenBLAS and can go below the floor.

    python -m benchmarks.bench_floor [--steps N] [--threads 1,2]
"""
from __future__ import annotations

import argparse

import numpy as np

from benchmarks.common import take_turns, timed

#: the workloads' products as (m, k, n): an (m x k) @ (k x n) float32 product each
MLP_B = 128
CNN_B = 128
RES_B, RES_HW, RES_CH = 32, 32, 64
LSTM_T, LSTM_B, LSTM_I, LSTM_H = 50, 64, 32, 128


def _linear(b, i, o, input_grad=True):
    """forward, (input gradient), weight gradient of a Linear(i, o) on a batch of b."""
    return [(b, i, o)] + ([(b, o, i)] if input_grad else []) + [(o, b, i)]


def _conv(n, c, o, hw, k=3, input_grad=True):
    """forward, (input gradient), weight gradient of a same-size stride-1 conv as im2col products."""
    p, ck = n * hw * hw, c * k * k
    return [(o, ck, p)] + ([(ck, o, p)] if input_grad else []) + [(o, p, ck)]


def gemms():
    """workload -> the list of its step's products."""
    mlp = _linear(MLP_B, 784, 256, False) + _linear(MLP_B, 256, 128) + _linear(MLP_B, 128, 10)
    cnn = (_conv(CNN_B, 1, 32, 28, input_grad=False) + _conv(CNN_B, 32, 64, 14)
           + _linear(CNN_B, 3136, 128) + _linear(CNN_B, 128, 10))
    res = _conv(RES_B, 3, RES_CH, RES_HW, input_grad=False)
    for _ in range(5):  # two blocks of two convs, and the last conv
        res += _conv(RES_B, RES_CH, RES_CH, RES_HW)
    res += _linear(RES_B, RES_CH, 10)
    g = 4 * LSTM_H
    lstm = ([(LSTM_T * LSTM_B, LSTM_I, g)] + [(LSTM_B, LSTM_H, g)] * LSTM_T      # forward
            + [(LSTM_B, g, LSTM_H)] * LSTM_T                                      # backward through time
            + [(g, LSTM_T * LSTM_B, LSTM_H), (g, LSTM_T * LSTM_B, LSTM_I)]        # weight gradients
            + _linear(LSTM_B, LSTM_H, 10))
    return {"MLP 784-256-128-10, batch 128": mlp,
            "notes' CNN, batch 128": cnn,
            "ResNet-style, 3x32x32, 64 ch, batch 32": res,
            "LSTM seq 50, batch 64, 32 -> 128": lstm}


def _median_time(fn, min_total=0.05, max_reps=50):
    """Median seconds of ``fn()`` over as many runs as fill about ``min_total`` seconds (3 to ``max_reps``)."""
    once = timed(fn, 1)
    return timed(fn, int(min(max_reps, max(3, min_total / max(once, 1e-6)))))


def _matrix(rng, rows, cols):
    """A float32 (rows, cols) C-ordered matrix, its rows padded off multiples of 4 KiB (a GEMM reading
    rows a power of two apart thrashes the cache; npgrad pads its im2col rows the same way)."""
    pad = 16 if (cols * 4) % 4096 == 0 else 0
    return rng.standard_normal((rows, cols + pad), dtype=np.float32)[:, :cols]


def product_time(m, k, n, cache):
    """Seconds of one (m x k) @ (k x n) float32 product in NumPy's BLAS, the fastest of the eight
    ways to lay it out: each operand stored row- or column-major, and the product computed as
    ``A @ B`` or as ``(B.T @ A.T).T`` (measured once per shape)."""
    if (m, k, n) not in cache:
        rng = np.random.default_rng(0)
        best = float("inf")
        for a_rows in (True, False):
            a = _matrix(rng, m, k) if a_rows else _matrix(rng, k, m).T
            for b_rows in (True, False):
                b = _matrix(rng, k, n) if b_rows else _matrix(rng, n, k).T
                out, out_t = np.empty((m, n), np.float32), np.empty((n, m), np.float32)
                best = min(best, _median_time(lambda: np.matmul(a, b, out=out)),
                           _median_time(lambda: np.matmul(b.T, a.T, out=out_t)))
        cache[m, k, n] = best
    return cache[m, k, n]


def peak_gflops(size=2048):
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    return 2 * size ** 3 / _median_time(lambda: np.matmul(a, a, out=out), 0.3, 10) / 1e9


def _steps():
    """workload -> (lib -> a function making (step, inputs(i)))."""
    from benchmarks import bench_lstm, bench_models, bench_train

    def mlp(lib):
        model = bench_train.build_mlp(lib, bench_train.mlp_weights())
        rng = np.random.default_rng(3)
        xs = rng.random((4, MLP_B, 784), dtype=np.float32)
        ys = rng.integers(0, 10, (4, MLP_B))
        step = bench_models._train_step(lib, model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
        return step, lambda i: (lib.from_numpy(xs[i % 4]), lib.from_numpy(ys[i % 4]))

    def cnn(lib):
        model = bench_train.build_cnn(lib, bench_train.cnn_weights())
        rng = np.random.default_rng(4)
        xs = rng.random((4, CNN_B, 1, 28, 28), dtype=np.float32)
        ys = rng.integers(0, 10, (4, CNN_B))
        step = bench_models._train_step(lib, model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
        return step, lambda i: (lib.from_numpy(xs[i % 4]), lib.from_numpy(ys[i % 4]))

    def resnet(lib):
        model = bench_models.build_resnet(lib)
        rng = np.random.default_rng(5)
        xs = rng.standard_normal((4, RES_B, 3, RES_HW, RES_HW), dtype=np.float32)
        ys = rng.integers(0, 10, (4, RES_B))
        step = bench_models._train_step(lib, model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
        return step, lambda i: (lib.from_numpy(xs[i % 4]), lib.from_numpy(ys[i % 4]))

    def lstm(lib):
        step, _ = bench_lstm.make(lib, bench_lstm._weights(np.random.default_rng(0)))
        rng = np.random.default_rng(6)
        xs = rng.standard_normal((4, LSTM_T, LSTM_B, LSTM_I), dtype=np.float32)
        ys = rng.integers(0, 10, (4, LSTM_B))
        return step, lambda i: (lib.tensor(xs[i % 4]), lib.tensor(ys[i % 4]))
    return dict(zip(gemms(), (mlp, cnn, resnet, lstm)))


def run(steps=10, threads=(1, 2)):
    """[(threads, peak GFLOP/s, [(workload, GFLOP, floor at peak s, floor s, {lib: step s}), ...]), ...]"""
    from benchmarks import bench_models
    libs = bench_models._libs()
    results = []
    for n in threads:
        for lib in libs.values():
            lib.set_num_threads(n)
        peak = peak_gflops()
        cache = {}
        rows = []
        for (name, products), make in zip(gemms().items(), _steps().values()):
            flops = sum(2 * m * k * q for m, k, q in products)
            floor = sum(product_time(m, k, q, cache) for m, k, q in products)
            fns, inputs = {}, {}
            for key, lib in libs.items():
                fns[key], inputs[key] = make(lib)
            rows.append((name, flops / 1e9, flops / peak / 1e9, floor, take_turns(fns, inputs, steps)))
        results.append((n, peak, rows))
    return results


def table(results):
    lines = []
    for n, peak, rows in results:
        lines += [f"{n} thread(s), peak sgemm {peak:.0f} GFLOP/s:", "",
                  "| step | GFLOP | at peak | floor (its products) | npgrad | PyTorch | npgrad / floor | PyTorch / floor |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, gflop, at_peak, floor, t in rows:
            torch_t = t.get("torch")
            lines.append(f"| {name} | {gflop:.2f} | {at_peak * 1e3:.1f} ms | {floor * 1e3:.1f} ms | "
                         f"{t['npgrad'] * 1e3:.1f} ms | " + (f"{torch_t * 1e3:.1f} ms" if torch_t else "-") +
                         f" | {t['npgrad'] / floor:.2f} | " + (f"{torch_t / floor:.2f} |" if torch_t else "- |"))
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_floor", description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", default="1,2", help="comma-separated BLAS thread counts")
    a = p.parse_args(argv)
    print(table(run(a.steps, tuple(int(t) for t in a.threads.split(",")))))


if __name__ == "__main__":
    main()
