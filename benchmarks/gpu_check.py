"""npgrad on a GPU, checked and timed in one run of a few minutes.

1. Every op of the op table (``tests/ops/optable.py`` + ``optable_more.py``, first case each) runs
   on ``cuda`` and on the CPU in float64: the values and the gradients must agree.
2. The notes' MLP 784-256-128-10 and CNN (conv32-pool-conv64-pool-128-10) train a few steps on
   ``cuda`` and on the CPU from the same weights and batches: the losses must agree.
3. One epoch of each (60,000 random Fashion-MNIST-sized images already on the device, batch 128,
   SGD with momentum 0.9) is timed for npgrad on ``cuda``, PyTorch on CUDA (when torch with CUDA is
   installed), a hand-written CuPy MLP (the floor: no framework) and npgrad on the CPU.  A run that
   would take longer than ``--budget`` seconds is timed over fewer steps and extrapolated to the
   epoch; the table says so.

    pip install "npgrad[cuda]"                        # CuPy for CUDA 12
    python benchmarks/gpu_check.py                    # on a machine with a GPU (from the repository root)
    python benchmarks/gpu_check.py --stand-in         # the same code on strictnp, the tests' stand-in
                                                      # device: tiny sizes, no timings (CI runs this)
    python benchmarks/gpu_check.py --stand-in --quick # a sample of the op table

The last line is the summary; the exit status is 0 when everything agreed.  Without CuPy or a GPU
(and without ``--stand-in``) the script says so and exits 0.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _p in (ROOT, os.path.join(ROOT, "src")):  # the op table (tests/) and this checkout's npgrad
    if os.path.isdir(_p) and _p not in sys.path:
        sys.path.insert(0, _p)

import numpy as np  # noqa: E402

import npgrad  # noqa: E402
from npgrad import _backend  # noqa: E402

EPOCH, BATCH, LR, MOMENTUM = 60000, 128, 0.01, 0.9


def use_stand_in():
    """Register strictnp (the tests' stand-in for CuPy) as the "cuda" device."""
    from tests import strictnp
    _backend.register(_backend.Backend("cuda", strictnp.module, strictnp.StrictArray, lambda a: a.get(),
                                       lambda host, index: strictnp.module.asarray(host)))


def _first_line(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:160]


# -- 1. the op table -----------------------------------------------------------------------------
def _run_op(op, xs, dev):
    ts = [npgrad.tensor(x, requires_grad=op.grad).to(dev).detach().requires_grad_(op.grad) for x in xs]
    npgrad.set_default_device(dev)  # constants made inside the op's code follow, as under PyTorch
    try:
        outs = op.run(npgrad, *ts)
    finally:
        npgrad.set_default_device(None)
    return ts, tuple(outs) if isinstance(outs, (tuple, list)) else (outs,)


def check_op(op, shapes, dev, tol):
    """None when ``op`` agrees on ``dev`` and the CPU (values and gradients), else why not."""
    from tests.ops.optable import make_inputs
    cpu = npgrad.device("cpu")
    xs = make_inputs(op, shapes, np.float64)
    cpu_in, cpu_out = _run_op(op, xs, cpu)
    dev_in, dev_out = _run_op(op, xs, dev)
    if len(cpu_out) != len(dev_out):
        return f"{len(dev_out)} outputs, the CPU gives {len(cpu_out)}"
    for c, d in zip(cpu_out, dev_out):
        if d.device != dev:
            return f"an output is on {d.device}"
        if d.dtype != c.dtype or d.shape != c.shape:
            return f"output {d.dtype} {tuple(d.shape)}, the CPU gives {c.dtype} {tuple(c.shape)}"
        if not np.allclose(d.cpu().detach().numpy(), c.detach().numpy(), rtol=tol, atol=tol, equal_nan=True):
            return "values differ from the CPU's"
    fl = [i for i, o in enumerate(cpu_out) if op.grad and o.dtype.is_floating_point and o.requires_grad]
    if not fl:
        return None
    rng = np.random.default_rng(3)
    ws = [rng.standard_normal(tuple(cpu_out[i].shape)) for i in fl]
    for ins, outs, where in ((cpu_in, cpu_out, cpu), (dev_in, dev_out, dev)):
        sum((outs[i] * npgrad.tensor(w, device=where)).sum() for i, w in zip(fl, ws)).backward()
    for c, d in zip(cpu_in, dev_in):
        if (c.grad is None) != (d.grad is None):
            return "a gradient is missing on one device"
        if c.grad is None:
            continue
        if d.grad.device != dev:
            return f"a gradient is on {d.grad.device}"
        if not np.allclose(d.grad.cpu().numpy(), c.grad.numpy(), rtol=tol, atol=tol, equal_nan=True):
            return "gradients differ from the CPU's"
    return None


def check_ops(dev, quick, tol, budget):
    from tests.ops.optable import OPS
    ops = OPS[::8] if quick else OPS
    failed, not_run = [], []
    start = time.perf_counter()
    for op in ops:
        if time.perf_counter() - start > budget:
            not_run.append(op.name)
            continue
        try:
            why = check_op(op, op.cases[0], dev, tol)
        except Exception as e:  # noqa: BLE001  (a failing op is reported, the check goes on)
            why = _first_line(e)
        if why is not None:
            failed.append(op.name)
            print(f"  FAIL {op.name}: {why}")
    passed = len(ops) - len(failed) - len(not_run)
    print(f"op table on {dev}: {passed}/{len(ops)} ops agree with the CPU (values and gradients, float64)"
          + (f"; {len(not_run)} not run (time budget)" if not_run else ""))
    return passed, len(ops), failed, not_run


# -- 2./3. training --------------------------------------------------------------------------------
def random_data(n, seed=0):
    """Fashion-MNIST-sized random images (n, 1, 28, 28) in [0, 1) and labels 0..9."""
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64)


def npgrad_model(kind, dev):
    from benchmarks.bench_train import build_cnn, build_mlp, cnn_weights, mlp_weights
    model = build_mlp(npgrad, mlp_weights()) if kind == "mlp" else build_cnn(npgrad, cnn_weights())
    return model.to(dev)


def npgrad_stepper(kind, dev, x, y):
    """One training step of npgrad's model on ``dev`` over batch ``i`` of (x, y) (host arrays)."""
    X = npgrad.from_numpy(x.reshape(len(x), -1) if kind == "mlp" else x).to(dev)
    return _sgd_stepper(npgrad, npgrad_model(kind, dev), X, npgrad.from_numpy(y).to(dev))


def torch_stepper(kind, x, y):
    import torch
    from benchmarks.bench_train import build_cnn, build_mlp, cnn_weights, mlp_weights
    model = (build_mlp(torch, mlp_weights()) if kind == "mlp" else build_cnn(torch, cnn_weights())).cuda()
    X = torch.from_numpy(x.reshape(len(x), -1) if kind == "mlp" else x).cuda()
    return _sgd_stepper(torch, model, X, torch.from_numpy(y).cuda())


def _sgd_stepper(lib, model, X, Y):
    """One SGD-momentum step of ``model`` on batch ``i`` of the device tensors (X, Y), in npgrad or PyTorch."""
    opt = lib.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    F = lib.nn.functional

    def step(i):
        s = slice(i * BATCH, (i + 1) * BATCH)
        opt.zero_grad()
        loss = F.cross_entropy(model(X[s]), Y[s])
        loss.backward()
        opt.step()
        return loss
    return step


class ArrayMLP:
    """The floor: a hand-written forward/backward of the MLP with SGD + momentum on the device's
    array module (CuPy), no framework."""

    def __init__(self, xp, weights):
        self.xp = xp
        self.params = [xp.asarray(p) for pair in weights for p in pair]
        self.velocity = [xp.zeros_like(p) for p in self.params]

    def step(self, x, y):
        xp = self.xp
        w1, b1, w2, b2, w3, b3 = self.params
        n = x.shape[0]
        h1 = xp.maximum(x @ w1.T + b1, 0)
        h2 = xp.maximum(h1 @ w2.T + b2, 0)
        z = h2 @ w3.T + b3
        z = xp.exp(z - z.max(axis=1, keepdims=True))
        z = z / z.sum(axis=1, keepdims=True)
        rows = xp.arange(n)
        loss = -xp.log(z[rows, y] + 1e-12).mean()
        z[rows, y] -= 1
        z /= n
        d2 = (z @ w3) * (h2 > 0)
        d1 = (d2 @ w2) * (h1 > 0)
        grads = (d1.T @ x, d1.sum(0), d2.T @ h1, d2.sum(0), z.T @ h2, z.sum(0))
        for p, v, g in zip(self.params, self.velocity, grads):
            v *= MOMENTUM
            v += g
            p -= LR * v
        return loss


def floor_stepper(xp, x, y):
    from benchmarks.bench_train import mlp_weights
    mlp = ArrayMLP(xp, mlp_weights())
    X, Y = xp.asarray(x.reshape(len(x), -1)), xp.asarray(y)
    return lambda i: mlp.step(X[i * BATCH:(i + 1) * BATCH], Y[i * BATCH:(i + 1) * BATCH])


def check_losses(kind, dev, x, y, steps, tol):
    """The first ``steps`` losses on ``dev`` and on the CPU, from the same weights and batches."""
    runs = [npgrad_stepper(kind, d, x, y) for d in (npgrad.device("cpu"), dev)]
    losses = [[float(run(i)) for i in range(steps)] for run in runs]
    diff = max(abs(a - b) / max(abs(a), 1e-12) for a, b in zip(*losses))
    ok = diff <= tol
    print(f"{kind.upper()}: {steps} steps on {dev}, losses {losses[1][0]:.4f} -> {losses[1][-1]:.4f}; "
          f"largest relative difference from the CPU {diff:.1e} ({'agrees' if ok else 'DIFFERS'})")
    return ok


def time_epoch(step, sync, steps_per_epoch, budget):
    """Seconds for one epoch of ``step(i)`` (after 2 warm-up steps), and how many steps were timed;
    past ``budget`` seconds the epoch is extrapolated from the steps done."""
    for i in range(2):
        step(i)
    sync()
    done, t0 = 0, time.perf_counter()
    while done < steps_per_epoch:
        for _ in range(min(10, steps_per_epoch - done)):
            step(done)
            done += 1
        sync()
        if time.perf_counter() - t0 > budget:
            break
    return (time.perf_counter() - t0) / done * steps_per_epoch, done


def torch_cuda():
    try:
        import torch
        return torch.cuda.is_available()
    except Exception:  # noqa: BLE001  (torch absent or broken: its rows are skipped)
        return False


def train_rows(dev, n, budget, stand_in):
    """Time the epochs (``n`` images); returns (rows, failures).  On the stand-in nothing is timed:
    the same loops run a few steps so that the code is exercised."""
    x, y = random_data(n)
    steps_per_epoch = math.ceil(n / BATCH)
    xp = _backend.backend("cuda").module
    sync = npgrad.cuda.synchronize
    cpu = npgrad.device("cpu")
    runners = [("MLP", "npgrad", "cuda", lambda: npgrad_stepper("mlp", dev, x, y), sync),
               ("MLP", "PyTorch", "cuda", lambda: torch_stepper("mlp", x, y), None),
               ("MLP", "hand-written CuPy", "cuda", lambda: floor_stepper(xp, x, y), sync),
               ("MLP", "npgrad", "cpu", lambda: npgrad_stepper("mlp", cpu, x, y), lambda: None),
               ("CNN", "npgrad", "cuda", lambda: npgrad_stepper("cnn", dev, x, y), sync),
               ("CNN", "PyTorch", "cuda", lambda: torch_stepper("cnn", x, y), None),
               ("CNN", "npgrad", "cpu", lambda: npgrad_stepper("cnn", cpu, x, y), lambda: None)]
    has_torch = not stand_in and torch_cuda()
    rows, failures = [], []
    for model, who, where, make, sync_fn in runners:
        if who == "PyTorch" and not has_torch:
            rows.append((model, who, where, None, "PyTorch with CUDA not installed" if not stand_in else "skipped"))
            continue
        if who == "PyTorch":
            import torch
            sync_fn = torch.cuda.synchronize
        try:
            step = make()
            if stand_in:
                for i in range(min(2, steps_per_epoch)):
                    float(step(i))
                rows.append((model, who, where, None, "ran (stand-in: not timed)"))
                continue
            secs, done = time_epoch(step, sync_fn, steps_per_epoch, budget)
            note = "full epoch" if done == steps_per_epoch else f"{done} of {steps_per_epoch} steps, extrapolated"
            rows.append((model, who, where, secs, note))
        except Exception as e:  # noqa: BLE001  (reported in the table and the summary)
            failures.append(f"{model} {who} {where}")
            rows.append((model, who, where, None, "FAILED " + _first_line(e)))
    return rows, failures


def print_table(rows, n):
    print(f"\nOne epoch ({n} images, batch {BATCH}, SGD momentum {MOMENTUM}, data already on the device), seconds:")
    floor = {m: s for m, who, where, s, _ in rows if who.startswith("hand-written") and s}
    print("| model | framework | device | epoch (s) | x floor | note |\n|---|---|---|---|---|---|")
    for model, who, where, secs, note in rows:
        t = f"{secs:.2f}" if secs is not None else "-"
        r = f"{secs / floor[model]:.1f}" if secs is not None and model in floor else "-"
        print(f"| {model} | {who} | {where} | {t} | {r} | {note} |")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stand-in", action="store_true", help="run on strictnp, the tests' stand-in for CuPy")
    p.add_argument("--quick", action="store_true", help="every 8th op of the op table, fewer training steps")
    p.add_argument("--budget", type=float, default=15.0, help="seconds per timed epoch before extrapolating")
    p.add_argument("--op-budget", type=float, default=120.0, help="seconds for the op table")
    a = p.parse_args(argv)
    if a.stand_in:
        use_stand_in()
    elif not npgrad.cuda.is_available():
        print("gpu_check: no CUDA device (CuPy is not installed or sees no GPU): nothing to check. "
              "Install the extra with `pip install \"npgrad[cuda]\"` on a GPU machine, or run with --stand-in.")
        return 0
    dev = npgrad.device("cuda", 0)
    what = "strictnp stand-in" if a.stand_in else npgrad.cuda.get_device_name()
    print(f"gpu_check on {dev} ({what})")
    tol = 1e-12 if a.stand_in else 1e-7  # the stand-in computes with NumPy itself: bit for bit
    passed, total, failed, not_run = check_ops(dev, a.quick, tol, a.op_budget)

    n = (256 if a.quick else 512) if a.stand_in else EPOCH
    x, y = random_data(max(3 * BATCH, 384))
    agree = []
    for kind in ("mlp", "cnn"):
        try:
            agree.append(check_losses(kind, dev, x, y, 3, 1e-12 if a.stand_in else 1e-4))
        except Exception as e:  # noqa: BLE001
            print(f"{kind.upper()}: FAILED {_first_line(e)}")
            agree.append(False)
    rows, train_failed = train_rows(dev, n, a.budget, a.stand_in)
    print_table(rows, n)
    ok = not failed and not not_run and all(agree) and not train_failed
    skipped = sum(1 for r in rows if r[4] in ("skipped", "PyTorch with CUDA not installed"))
    print(f"gpu_check: ops {passed}/{total} agree with the CPU; training losses agree for "
          f"{sum(agree)}/{len(agree)} models; epoch runs: {len(rows) - skipped - len(train_failed)} ran, "
          f"{len(train_failed)} failed, {skipped} skipped -- {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
