"""Autograd overhead: forward+backward of a graph of 10,000 small ops, microseconds per op.

Two workloads: scalars and 8-element vectors.  Each op of the chain is one multiply or one add,
so the time is almost all framework bookkeeping (graph recording, dispatch, the backward walk).

    python benchmarks/bench_overhead.py
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import time

_ROOT = pathlib.Path(__file__).resolve().parent.parent


def chain(lib, x, n_ops):
    y = x
    for i in range(n_ops // 2):
        y = y * 1.0001
        y = y + 0.001
    return y.sum()


def measure(lib, shape, n_ops=10_000, repeats=5):
    times = []
    for _ in range(repeats):
        x = lib.ones(shape, requires_grad=True)
        t0 = time.perf_counter()
        loss = chain(lib, x, n_ops)
        loss.backward()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) / n_ops * 1e6


def _in_subprocess(lib, shape, n_ops, repeats):
    """Each framework runs in its own fresh process, so neither pays for the other's heap."""
    import json
    import subprocess
    import sys
    code = (f"import json, sys; sys.path[:0] = {sys.path[:3]!r}; import {lib} as lib\n"
            f"{'lib.set_num_threads(2)' if lib == 'torch' else ''}\n"
            f"from benchmarks.bench_overhead import measure\n"
            f"print(json.dumps(measure(lib, {shape!r}, {n_ops}, {repeats})))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(_ROOT), env=_env())
    if res.returncode:
        if lib == "torch" and "No module named 'torch'" in res.stderr:
            return float("nan")
        raise RuntimeError(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _env():
    import os
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(_ROOT / "src"), str(_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def run(n_ops=10_000, repeats=5, rounds=3):
    """Rows of (workload, npgrad us/op, torch us/op): the medians over ``rounds`` fresh processes
    per framework, the frameworks taking turns so that the machine's drifts in speed hit both."""
    rows = []
    for label, shape in (("scalar", ()), ("8-vector", (8,))):
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(_in_subprocess("npgrad", shape, n_ops, repeats))
            theirs.append(_in_subprocess("torch", shape, n_ops, repeats))
        rows.append((label, statistics.median(ours), statistics.median(theirs)))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_overhead", description=__doc__.splitlines()[0])
    p.add_argument("--ops", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3, help="fresh processes per framework, taking turns")
    a = p.parse_args(argv)
    print(f"{'workload':<10} {'npgrad us/op':>13} {'torch us/op':>12} {'ratio':>7}")
    for label, ours, theirs in run(a.ops, a.repeats, a.rounds):
        print(f"{label:<10} {ours:>13.2f} {theirs:>12.2f} {ours / theirs:>7.2f}")


if __name__ == "__main__":
    main()
