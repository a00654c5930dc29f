"""LSTM training step: sequence 50, batch 64, input 32, hidden 128, then a Linear on the last output.

npgrad and PyTorch take turns in blocks of steps in one process (``benchmarks.common.take_turns``),
from the same initial weights and data; the ratio of the median step times is printed (1 and 2 BLAS
threads each).  ``--cell gru`` times the same step with a GRU.

    python -m benchmarks.bench_lstm [--steps N] [--cell {lstm,gru}]
"""
from __future__ import annotations

import argparse

import numpy as np

from benchmarks.common import take_turns

SEQ, BATCH, IN, HIDDEN, CLASSES = 50, 64, 32, 128, 10


_GATES = {"LSTM": 4, "GRU": 3}


def _weights(rng, cell="LSTM"):
    b = 1 / np.sqrt(HIDDEN)
    u = lambda *s: rng.uniform(-b, b, s).astype(np.float32)  # noqa: E731
    g = _GATES[cell] * HIDDEN
    return {"weight_ih_l0": u(g, IN), "weight_hh_l0": u(g, HIDDEN), "bias_ih_l0": u(g), "bias_hh_l0": u(g),
            "fc.weight": u(CLASSES, HIDDEN), "fc.bias": u(CLASSES)}


def make(lib, weights, cell="LSTM"):
    """(step function, parameters) of an LSTM (or GRU) classifier in ``lib`` (npgrad or torch)."""
    lstm = getattr(lib.nn, cell)(IN, HIDDEN)
    fc = lib.nn.Linear(HIDDEN, CLASSES)
    with lib.no_grad():
        for k, v in weights.items():
            target = getattr(fc, k.split(".")[1]) if k.startswith("fc.") else getattr(lstm, k)
            target.copy_(lib.tensor(v))
    params = list(lstm.parameters()) + list(fc.parameters())
    opt = lib.optim.SGD(params, lr=0.01, momentum=0.9)

    def step(x, y):
        out, _ = lstm(x)
        loss = lib.nn.functional.cross_entropy(fc(out[-1]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step, params


def run(steps=20, threads=(1, 2), cell="LSTM"):
    import npgrad
    try:
        import torch
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    weights = _weights(rng, cell)
    xs = rng.standard_normal((steps + 2, SEQ, BATCH, IN)).astype(np.float32)
    ys = rng.integers(0, CLASSES, (steps + 2, BATCH))
    rows = {}
    for n in threads:
        npgrad.set_num_threads(n)
        libs = {"npgrad": npgrad}
        if torch is not None:
            torch.set_num_threads(n)
            libs["torch"] = torch
        losses = {k: [] for k in libs}

        def logged(step, out):
            return lambda x, y: out.append(step(x, y))
        fns = {k: logged(make(lib, weights, cell)[0], losses[k]) for k, lib in libs.items()}
        inputs = {k: (lambda lib: lambda i: (lib.tensor(xs[i % len(xs)]), lib.tensor(ys[i % len(ys)])))(lib)
                  for k, lib in libs.items()}
        rows[n] = take_turns(fns, inputs, steps)                 # the same batches in the same order
        if torch is not None:
            assert np.allclose(losses["npgrad"], losses["torch"], rtol=1e-3, atol=1e-4), "losses differ"
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_lstm", description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--cell", choices=("lstm", "gru"), default="lstm")
    a = p.parse_args(argv)
    for n, r in run(a.steps, cell=a.cell.upper()).items():
        line = f"{n} thread(s): npgrad {r['npgrad'] * 1e3:.1f} ms/step"
        if "torch" in r:
            line += f", PyTorch {r['torch'] * 1e3:.1f} ms/step, ratio {r['npgrad'] / r['torch']:.2f}"
        print(line)


if __name__ == "__main__":
    main()
