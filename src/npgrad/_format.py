"""PyTorch-style ``repr`` of tensors: ``tensor([1., 2.], requires_grad=True)``.

The rules are PyTorch's default print options (precision 4, linewidth 80, threshold 1000,
edgeitems 3): one width for all elements; floats that are all integers print as ``3.``;
scientific notation when the largest/smallest nonzero magnitude ratio exceeds 1000, the
largest exceeds 1e8, or (non-integer floats) the smallest is below 1e-4.

>>> import npgrad
>>> npgrad.tensor([[1, -2], [30, 4]])
tensor([[ 1, -2],
        [30,  4]])
"""
from __future__ import annotations

import numpy as np

PRECISION, LINEWIDTH, THRESHOLD, EDGEITEMS = 4, 80, 1000, 3
SCI_MODE = None  # None: chosen from the values; True/False: forced (``set_printoptions(sci_mode=...)``)
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, float("inf"), 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """PyTorch's print options: ``profile`` ("default", "short", "full") sets the four numbers, the others
    override them; ``sci_mode`` is always set (None: automatic)."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"Invalid profile: {profile}. the profile must be one of {list(_PROFILES)}")
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = edgeitems
    if linewidth is not None:
        LINEWIDTH = linewidth
    SCI_MODE = sci_mode


class _Formatter:
    """Chooses the notation and the common width from the values that will be shown."""

    def __init__(self, arr):
        self.floating = arr.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = arr.reshape(-1)
        if not self.floating:
            self.width = max([len(_plain(v)) for v in flat.tolist()] or [1])
            return
        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size == 0:
            return
        mags = np.abs(vals)
        lo, hi = mags.min(), mags.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or (not self.int_mode and lo < 1.0e-4)
        if SCI_MODE is not None:
            self.sci_mode = SCI_MODE
        if self.sci_mode:
            strs = [f"{v:.{PRECISION}e}" for v in vals.tolist()]
        elif self.int_mode:
            strs = [f"{v:.0f}." for v in vals.tolist()]
        else:
            strs = [f"{v:.{PRECISION}f}" for v in vals.tolist()]
        self.width = max(len(s) for s in strs)

    def format(self, v):
        if not self.floating:
            s = _plain(v)
        elif self.sci_mode:
            s = f"{v:.{PRECISION}e}" if np.isfinite(v) else _special(v)
        elif self.int_mode:
            s = f"{v:.0f}." if np.isfinite(v) else _special(v)
        else:
            s = f"{v:.{PRECISION}f}" if np.isfinite(v) else _special(v)
        return s.rjust(self.width)


def _plain(v):
    return str(v)


def _special(v):
    return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")


def _summarized(arr):
    """The values shown when the tensor is summarized (first and last ``EDGEITEMS`` per dim)."""
    if arr.ndim == 0:
        return arr
    if arr.shape[0] > 2 * EDGEITEMS:
        arr = np.concatenate([arr[:EDGEITEMS], arr[-EDGEITEMS:]])
    return np.stack([_summarized(a) for a in arr]) if arr.ndim > 1 else arr


def _vector(arr, indent, summarize, fmt):
    per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
    if summarize and arr.shape[0] > 2 * EDGEITEMS:
        data = ([fmt.format(v) for v in arr[:EDGEITEMS].tolist()] + [" ..."]
                + [fmt.format(v) for v in arr[-EDGEITEMS:].tolist()])
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(arr, indent, summarize, fmt):
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector(arr, indent, summarize, fmt)
    n = arr.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = ([_body(arr[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)] + ["..."]
                + [_body(arr[i], indent + 1, summarize, fmt) for i in range(n - EDGEITEMS, n)])
    else:
        rows = [_body(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def format_tensor(t, prefix="tensor("):
    from ._backend import to_numpy
    arr = to_numpy(t._data)  # printing reads the values in host memory
    if arr.size == 0:
        body = "[]"
    else:
        summarize = arr.size > THRESHOLD
        fmt = _Formatter(_summarized(arr) if summarize else arr)
        body = _body(arr, len(prefix), summarize, fmt)
    extras = []
    if type(t._data) is not type(arr):
        extras.append(f"device='{t.device}'")
    if arr.size == 0 and arr.shape != (0,):
        extras.append(f"size={tuple(arr.shape)}")
    # PyTorch names every dtype but the default float's for empty tensors (int64 and bool too)
    from ._dtype import get_default_dtype
    default = get_default_dtype()
    if t.dtype != default and (arr.size == 0 or t.dtype.name not in ("int64", "bool")):
        extras.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return _add_suffixes(prefix + body, extras, len(prefix))


def _add_suffixes(text, suffixes, indent):
    """Append ``dtype=...`` etc., wrapping onto a new line when the last line would pass LINEWIDTH."""
    parts = [text]
    last = len(text) - text.rfind("\n") + 1  # PyTorch's count (one more than the visible width)
    for suffix in suffixes:
        if last + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last += len(suffix) + 2
    return "".join(parts) + ")"
