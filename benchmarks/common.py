"""Shared pieces of the benchmarks: data, identical initial weights and batch order, timing."""
from __future__ import annotations

import gzip
import os
import pathlib
import platform
import statistics
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
FASHION_DIRS = [os.environ.get("NPGRAD_FASHION_MNIST", ""), "/usr/share/datasets/fashion-mnist"]


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist(train=True, limit=None):
    """Fashion-MNIST as float32 images in [0, 1], shape (N, 1, 28, 28), and int64 labels."""
    prefix = "train" if train else "t10k"
    for d in FASHION_DIRS:
        p = pathlib.Path(d) / f"{prefix}-images-idx3-ubyte.gz"
        if d and p.exists():
            x = _read_idx(p)[:limit].astype(np.float32) / 255.0
            y = _read_idx(pathlib.Path(d) / f"{prefix}-labels-idx1-ubyte.gz")[:limit].astype(np.int64)
            return x.reshape(-1, 1, 28, 28), y
    raise FileNotFoundError("Fashion-MNIST not found: `apt-get install dataset-fashion-mnist` "
                            "or set NPGRAD_FASHION_MNIST to a folder with the IDX .gz files")


def batch_order(n, batch_size, seed=0):
    """One epoch's batches of indices, the same for every framework."""
    perm = np.random.default_rng(seed).permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


def init_linear(rng, fan_in, fan_out):
    """PyTorch's default Linear init, drawn once and loaded into every framework."""
    bound = 1.0 / np.sqrt(fan_in)
    w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
    b = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
    return w, b


def init_conv(rng, cin, cout, k):
    bound = 1.0 / np.sqrt(cin * k * k)
    w = rng.uniform(-bound, bound, (cout, cin, k, k)).astype(np.float32)
    b = rng.uniform(-bound, bound, (cout,)).astype(np.float32)
    return w, b


def timed(fn, repeats=3):
    """Median wall time of ``fn()`` over ``repeats`` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def machine():
    import multiprocessing
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {multiprocessing.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"


def compiled_kernels():
    """Make sure npgrad's compiled kernels are built and loaded before anything is timed (their
    first build, once per machine, runs in a separate process for tens of seconds; until it is done
    the ops take their NumPy paths).  Returns whether they are available."""
    from npgrad import _jit
    return _jit.available()


def torch_or_none(threads=2):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


def take_turns(fns, inputs, steps, block=3):
    """Median seconds per call of each ``fns[k](*inputs[k](i))``, the frameworks taking turns in
    blocks of ``block`` timed calls, each block after one untimed call; ``steps`` timed calls each.

    Not call by call: a framework's idle worker threads keep polling the cores for a while after
    their last parallel region (OpenBLAS's for longer than a training step, PyTorch's OpenMP threads
    briefly), so a step started right after the other framework's runs on a core shared with them.
    The untimed call lets the other framework's threads go idle; turns still alternate often enough
    that the machine's slow drifts in speed hit both alike."""
    times = {k: [] for k in fns}
    i = 0
    while min(len(v) for v in times.values()) < steps:
        for k, fn in fns.items():
            fn(*inputs[k](i))
            for j in range(block):
                args = inputs[k](i + 1 + j)
                t0 = time.perf_counter()
                fn(*args)
                times[k].append(time.perf_counter() - t0)
        i += block + 1
    return {k: statistics.median(v[:steps]) for k, v in times.items()}
