"""Compare a function written against PyTorch's API when run by npgrad and by PyTorch.

For learners writing their own ops: the same code, two frameworks, the largest differences of the
outputs and of the gradients.  PyTorch is optional; without it a clear ImportError says so.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np

from .tensor import Tensor


@dataclass
class TorchComparison:
    """What :func:`check_against_torch` found.

    ``forward_diff``: max |npgrad - torch| over the outputs; ``grad_diffs``: the same for the
    gradient of each floating-point input (``None`` where neither framework produced one);
    ``ok``: everything within ``atol + rtol * |torch|``.
    """
    forward_diff: float
    grad_diffs: list = field(default_factory=list)
    ok: bool = True
    atol: float = 1e-5
    rtol: float = 1e-4
    problems: list = field(default_factory=list)

    def __bool__(self):
        return self.ok

    def assert_ok(self):
        """Raise ``AssertionError`` with the report unless everything agreed (for use in tests)."""
        if not self.ok:
            raise AssertionError(str(self))
        return self

    def __str__(self):
        grads = ", ".join("-" if d is None else f"{d:.3g}" for d in self.grad_diffs) or "none"
        head = "OK" if self.ok else "MISMATCH"
        text = (f"{head}: forward max|diff| = {self.forward_diff:.3g}; gradient max|diff| per input = [{grads}] "
                f"(atol={self.atol:g}, rtol={self.rtol:g})")
        return text + "".join("\n  - " + p for p in self.problems)


def _import_torch():
    try:
        return importlib.import_module("torch")
    except ImportError as e:
        raise ImportError("check_against_torch needs PyTorch to compare against, and it is not installed "
                          "(pip install torch); npgrad itself does not need it") from e


def _as_array(x):
    if isinstance(x, Tensor):
        return np.array(x._data)
    return np.array(x)


def check_against_torch(fn, *inputs, atol=1e-5, rtol=1e-4, grad=True, seed=0):
    """Run ``fn(module, *inputs)`` with ``module`` = npgrad and then torch, and compare.

    Inputs (arrays, lists, numbers or npgrad tensors) become tensors in each framework, with
    ``requires_grad`` for floating-point ones when ``grad`` is true.  A non-scalar output is reduced
    with the same fixed random weights in both, so every output element's gradient is checked;
    a scalar output is differentiated as is.

    >>> import numpy as np
    >>> r = check_against_torch(lambda t, x: t.tanh(x) * 2, np.array([0.5, -1.0]))  # doctest: +SKIP
    >>> r.ok  # doctest: +SKIP
    True
    """
    torch = _import_torch()
    import npgrad
    arrays = [_as_array(x) for x in inputs]
    wants = [grad and a.dtype.kind == "f" for a in arrays]
    ours = [npgrad.tensor(a, requires_grad=w) for a, w in zip(arrays, wants)]
    theirs = [torch.tensor(a, requires_grad=w) for a, w in zip(arrays, wants)]
    out_n = _outputs(fn(npgrad, *ours))
    out_t = _outputs(fn(torch, *theirs))
    problems = []
    if len(out_n) != len(out_t):
        problems.append(f"npgrad returned {len(out_n)} outputs, torch {len(out_t)}")
    fdiff, ok = 0.0, True
    for i, (a, b) in enumerate(zip(out_n, out_t)):
        a_np, b_np = np.asarray(a._data), b.detach().numpy()
        if a_np.shape != b_np.shape:
            problems.append(f"output {i}: shape {a_np.shape} (npgrad) vs {b_np.shape} (torch)")
            ok = False
            continue
        if str(a_np.dtype) != str(b_np.dtype):
            problems.append(f"output {i}: dtype {a_np.dtype} (npgrad) vs {b_np.dtype} (torch)")
        d, good = _compare(a_np, b_np, atol, rtol)
        if not good:
            problems.append(f"output {i}: values differ by up to {d:.3g}")
        fdiff, ok = max(fdiff, d), ok and good
    gdiffs = _grad_diffs(out_n, out_t, ours, theirs, wants, atol, rtol, seed, problems) if grad and ok else []
    ok = ok and not problems
    return TorchComparison(fdiff, [d for d, _ in gdiffs], ok, atol, rtol, problems)


def _outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _compare(a, b, atol, rtol):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if a.size == 0:
        return 0.0, True
    diff = float(np.max(np.abs(a - b)))
    return diff, bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _grad_diffs(out_n, out_t, ours, theirs, wants, atol, rtol, seed, problems):
    """Backward through a fixed random weighting of the float outputs; compare input gradients."""
    import npgrad
    rng = np.random.default_rng(seed)
    loss_n, loss_t = 0, 0
    for a, b in zip(out_n, out_t):
        if not (a.requires_grad and b.requires_grad):
            continue
        wts = rng.standard_normal(tuple(a.shape)).astype(np.asarray(a._data).dtype)
        if wts.size == 1:       # a scalar output: its plain gradient, as .backward() gives
            wts = np.ones_like(wts)
        loss_n = loss_n + (a * npgrad.tensor(wts)).sum()
        loss_t = loss_t + (b * b.new_tensor(wts)).sum()
    if isinstance(loss_n, int):
        return []
    loss_n.backward()
    loss_t.backward()
    res = []
    for i, (x, y, w) in enumerate(zip(ours, theirs, wants)):
        if not w or (x.grad is None and y.grad is None):
            res.append((None, 0.0))
            continue
        if (x.grad is None) != (y.grad is None):
            problems.append(f"input {i}: gradient is None in {'npgrad' if x.grad is None else 'torch'} only")
            res.append((None, 0.0))
            continue
        gn, gt = np.asarray(x.grad._data), y.grad.numpy()
        d, good = _compare(gn, gt, atol, rtol)
        if not good:
            problems.append(f"input {i}: gradients differ by up to {d:.3g}")
        res.append((d, float(np.max(np.abs(gt))) if gt.size else 0.0))
    return res
