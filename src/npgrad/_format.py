"""PyTorch-style ``repr`` of tensors: ``tensor([1., 2.], requires_grad=True)``."""
from __future__ import annotations

import numpy as np

_DEFAULT_DTYPES = ("float32", "int64", "bool")


def _float_formatter(arr):
    finite = arr[np.isfinite(arr)] if arr.size else arr
    if finite.size == 0:
        return lambda v: _special(v) or f"{v:.4f}"
    ints = np.all(finite == np.round(finite))
    amax = np.abs(finite).max()
    nz = np.abs(finite[finite != 0])
    amin = nz.min() if nz.size else 0.0
    if ints and amax < 1e8:
        width = max(len(f"{v:.0f}") for v in finite) + 1
        return lambda v: (_special(v) or f"{v:.0f}.").rjust(width)
    if amax >= 1e8 or (amin and (amin < 1e-4 or amax / amin > 1e3)):
        return lambda v: _special(v) or f"{v:.4e}"
    width = max(len(f"{v:.4f}") for v in finite)
    return lambda v: (_special(v) or f"{v:.4f}").rjust(width)


def _special(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def format_tensor(t, prefix="tensor("):
    arr = t.data
    kind = arr.dtype.kind
    if kind == "f":
        fmt = {"float_kind": _float_formatter(arr.astype(np.float64))}
    elif kind == "b":
        fmt = {"bool": lambda v: "True" if v else "False"}
    else:
        fmt = {"int": lambda v: str(v)}
    if arr.size == 0:
        body = "[]" if arr.ndim == 1 else "[]"
    else:
        body = np.array2string(arr, separator=", ", prefix=prefix, formatter=fmt, threshold=1000,
                               edgeitems=3, max_line_width=80)
    extras = []
    if arr.size == 0 and arr.ndim != 1:
        extras.append(f"size={tuple(arr.shape)}")
    if t.dtype.name not in _DEFAULT_DTYPES:
        extras.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + body + "".join(", " + e for e in extras) + ")"
