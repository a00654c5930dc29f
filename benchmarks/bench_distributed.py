"""Data-parallel training on MPI: step time on 1 vs 2 ranks, all-reduce time per MB, and the cost model.

    python benchmarks/bench_distributed.py            # launches itself with mpiexec -n 1 and -n 2
    python benchmarks/bench_distributed.py --quick    # fewer steps

Both runs train the notes' models (MLP 784-256-128-10, CNN conv32-pool-conv64-pool-128-10) on random
28x28 inputs with a global batch of 128 (each of N ranks takes 128/N), SGD with momentum, through
``DistributedDataParallel``, one BLAS thread per rank; each time is the fastest of the timed steps
(the machine is shared).  The 1-rank run also fits ``step(b) = c0 + c1 * b`` (fixed cost per step,
compute per sample) from three batch sizes, in CPU time (robust to other programs' load); the 2-rank run times ``all_reduce`` on 8 KB...16 MB and fits
``t(bytes) = latency + bytes / bandwidth``.  The constants then drive the cost model of
docs/distributed.md: speed-up for N = 2...64 nodes at 10 and 100 Gb/s.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GLOBAL_BATCH = 128
MODELS = ("mlp", "cnn")
# per-hop latency of an MPI message between nodes (assumed, not measured here): TCP over 10 Gb/s
# Ethernet, and RDMA (InfiniBand / RoCE) at 100 Gb/s
NETWORKS = {"10 Gb/s": (10e9, 20e-6), "100 Gb/s": (100e9, 2e-6)}


# -- the ranks' side ------------------------------------------------------------------------------
def _model(name):
    from npgrad.train import build_model, model_spec
    return build_model(model_spec(name, (1, 28, 28), 10))


def _step_fn(model, batch, seed=0):
    import npgrad
    rng = np.random.default_rng(seed)
    x = npgrad.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    y = npgrad.tensor(rng.integers(0, 10, batch))
    opt = npgrad.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = npgrad.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def _time_steps(step, steps, barrier=None, clock=time.perf_counter):
    for _ in range(2):
        step()
    if barrier:
        barrier()
    times = []
    for _ in range(steps):
        t0 = clock()
        step()
        times.append(clock() - t0)
    return min(times)           # the machine is shared: the fastest step is the least disturbed one


def _allreduce_times(dist, sizes, reps):
    import npgrad
    out = {}
    for nbytes in sizes:
        t = npgrad.zeros(nbytes // 4)
        dist.all_reduce(t)
        times = []
        for _ in range(reps if nbytes < 2 ** 20 else max(3, reps // 4)):
            dist.barrier()
            t0 = time.perf_counter()
            dist.all_reduce(t)
            times.append(time.perf_counter() - t0)
        out[nbytes] = min(times)
    return out


def worker(steps):
    import npgrad
    import npgrad.distributed as dist
    from npgrad.nn.parallel import DistributedDataParallel as DDP
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    res = {"world": world, "models": {}}
    for name in MODELS:
        npgrad.manual_seed(0)
        model = _model(name)
        row = {"grad_bytes": int(sum(p.numel() for p in model.parameters()) * 4)}
        local = GLOBAL_BATCH // world
        row["ddp_step"] = _time_steps(_step_fn(DDP(model), local, rank), steps, dist.barrier)
        if world > 1:       # one bucket: its all-reduce starts only when backward is over
            row["one_bucket_step"] = _time_steps(_step_fn(DDP(model, bucket_cap_mb=1e4), local, rank), steps,
                                                 dist.barrier)
        row["local_compute_step"] = _time_steps(_step_fn(model, local, rank), steps, dist.barrier)
        if world == 1:      # step(b) = c0 + c1 b, in CPU time: other programs' load does not inflate it
            bs = [16, 64, 128]
            ts = [_time_steps(_step_fn(model, b), steps, clock=time.process_time) for b in bs]
            c1, c0 = np.polyfit(bs, ts, 1)
            row.update(fit_batches=bs, fit_times=ts, c0=float(max(c0, 0.0)), c1=float(c1))
        res["models"][name] = row
    if world > 1:
        sizes = [2 ** 13, 2 ** 16, 2 ** 19, 2 ** 22, 2 ** 24]
        ar = _allreduce_times(dist, sizes, 40)
        # latency: the smallest message; per byte: the median over the large ones of the rest
        latency = ar[sizes[0]]
        slope = statistics.median((ar[s] - latency) / s for s in sizes if s >= 2 ** 19)
        res["allreduce"] = {str(k): v for k, v in ar.items()}
        res["allreduce_latency"], res["allreduce_s_per_byte"] = float(latency), float(slope)
    if rank == 0:
        print("RESULT " + json.dumps(res), flush=True)
    dist.destroy_process_group()


# -- the cost model -------------------------------------------------------------------------------
def ring_allreduce_time(nbytes, n, bandwidth_bits, latency):
    """Ring all-reduce: 2(N-1)/N of the bytes cross each link, in 2(N-1) latency-bound steps."""
    if n == 1:
        return 0.0
    return 2 * (n - 1) / n * nbytes * 8 / bandwidth_bits + 2 * (n - 1) * latency


def predicted_step(c0, c1, batch_per_rank, nbytes, n, bandwidth_bits, latency):
    """One step on each of ``n`` nodes, with no overlap of communication and compute (conservative)."""
    return c0 + c1 * batch_per_rank + ring_allreduce_time(nbytes, n, bandwidth_bits, latency)


def speedup_table(const, ns=(2, 4, 8, 16, 32, 64), global_batch=GLOBAL_BATCH):
    """Rows ``(N, {model/network: speed-up})`` for a fixed global batch (strong scaling)."""
    rows = []
    for n in ns:
        cells = {}
        for name, (c0, c1, nbytes) in const.items():
            t1 = c0 + c1 * global_batch
            for net, (bw, lat) in NETWORKS.items():
                cells[f"{name} {net}"] = t1 / predicted_step(c0, c1, global_batch / n, nbytes, n, bw, lat)
        rows.append((n, cells))
    return rows


def weak_scaling(const, n, per_rank=GLOBAL_BATCH):
    """Throughput speed-up with ``per_rank`` samples on each node (the global batch grows with N)."""
    out = {}
    for name, (c0, c1, nbytes) in const.items():
        t1 = c0 + c1 * per_rank
        for net, (bw, lat) in NETWORKS.items():
            out[f"{name} {net}"] = n * t1 / predicted_step(c0, c1, per_rank, nbytes, n, bw, lat)
    return out


# -- the parent: launch, collect, print -------------------------------------------------------------
def _launch(n, steps):
    from npgrad.distributed.launch import mpiexec_command
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # one BLAS thread per rank in both runs: 1 rank uses one core, 2 ranks two (the ranks share the cores)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = mpiexec_command(n, [os.path.abspath(__file__), "--worker", "--steps", str(steps)])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"mpiexec -n {n} failed:\n{proc.stdout}\n{proc.stderr}")


def report(one, two):
    print("| model | gradient | 1 rank (batch 128) | 2 ranks (64 each) | speed-up | 2 ranks, one bucket | "
          "2 ranks, compute only |")
    print("|---|---|---|---|---|---|---|")
    for name in MODELS:
        a, b = one["models"][name], two["models"][name]
        print(f"| {name} | {a['grad_bytes'] / 1e6:.2f} MB | {a['ddp_step'] * 1e3:.1f} ms | "
              f"{b['ddp_step'] * 1e3:.1f} ms | {a['ddp_step'] / b['ddp_step']:.2f} | "
              f"{b['one_bucket_step'] * 1e3:.1f} ms | {b['local_compute_step'] * 1e3:.1f} ms |")
    print()
    print("| all-reduce size (2 ranks, shared memory) | time |")
    print("|---|---|")
    for size, t in two["allreduce"].items():
        print(f"| {int(size) / 2 ** 20:.3g} MiB | {t * 1e6:.0f} us |")
    lat, spb = two["allreduce_latency"], two["allreduce_s_per_byte"]
    print(f"\nfit: latency {lat * 1e6:.1f} us + {spb * 2 ** 20 * 1e3:.3f} ms per MiB "
          f"({1 / spb / 1e9:.2f} GB/s)")
    const = {}
    for name in MODELS:
        m = one["models"][name]
        const[name] = (m["c0"], m["c1"], m["grad_bytes"])
        print(f"{name}: CPU time of a step(b) = {m['c0'] * 1e3:.2f} ms + {m['c1'] * 1e6:.1f} us * b  "
              f"(measured {', '.join(f'b={b}: {t * 1e3:.1f} ms' for b, t in zip(m['fit_batches'], m['fit_times']))})")
    print("\npredicted speed-up, global batch 128 (strong scaling), no overlap:")
    cols = [f"{m} {net}" for m in MODELS for net in NETWORKS]
    print("| N | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for n, cells in speedup_table(const):
        print(f"| {n} | " + " | ".join(f"{cells[c]:.2f}" for c in cols) + " |")
    print("\npredicted throughput speed-up, 128 samples per node (weak scaling):")
    print("| N | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for n in (2, 8, 64):
        cells = weak_scaling(const, n)
        print(f"| {n} | " + " | ".join(f"{cells[c]:.1f}" for c in cols) + " |")
    return const


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--quick", action="store_true", help="fewer timed steps")
    a = p.parse_args(argv)
    steps = a.steps or (5 if a.quick else 15)
    if a.worker:
        return worker(steps)
    sys.path.insert(0, os.path.join(ROOT, "src"))
    from benchmarks.common import machine
    print(f"Measured on {machine()}.\n")
    one, two = _launch(1, steps), _launch(2, steps)
    report(one, two)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main())
