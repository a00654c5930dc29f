"""Histograms: ``histc`` (counts in equal bins) and ``histogram`` (counts and bin edges).

Counting is not differentiable (PyTorch records no gradient either): the results never require grad.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import _backend
from ..tensor import Tensor

__all__ = ["histc", "histogram"]

_histogram_result = namedtuple("histogram", ["hist", "bin_edges"])


def _float_input(input, where):
    if not isinstance(input, Tensor):
        raise TypeError(f"{where}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_torch_name(input)}\' '
                                  f"({where} counts floating-point values)")
    return input._data


def _torch_name(t):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(str(t.dtype).split(".")[-1], str(t.dtype))


def _check_bins(bins):
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
        raise TypeError(f"histogram: bins must be an int or a 1-D tensor of edges, got {type(bins).__name__}")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")


def histc(input, bins=100, min=0, max=0):  # noqa: A002  (PyTorch's argument names)
    """Counts of ``input``'s values in ``bins`` equal bins over ``[min, max]`` (the data's range when
    both are 0); values outside are left out, the last bin includes ``max``.

    >>> import npgrad
    >>> npgrad.histc(npgrad.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=4)
    tensor([0., 2., 1., 1.])
    """
    x = _float_input(input, "histc")
    _check_bins(bins)
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min (got min={min}, max={max})")
    if lo == hi and x.size:                 # the data's range (NaN in the data makes it NaN, as PyTorch)
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    values = x[~np.isnan(x)].ravel()
    counts, _ = np.histogram(values, bins=int(bins), range=(lo, hi))
    return Tensor._make(counts.astype(x.dtype), None, False, None)


def histogram(input, bins, *, range=None, weight=None, density=False):  # noqa: A002
    """``(hist, bin_edges)``: counts (or summed ``weight``, or a density when ``density=True``) in
    ``bins`` equal bins over ``range`` (default: the data's range), or in the bins whose edges the
    1-D tensor ``bins`` gives.

    >>> import npgrad
    >>> npgrad.histogram(npgrad.tensor([0.5, 1.0, 2.5]), bins=npgrad.tensor([0.0, 1.0, 3.0]))
    histogram(hist=tensor([1., 2.]), bin_edges=tensor([0., 1., 3.]))
    """
    x = _float_input(input, "histogram")
    if isinstance(bins, Tensor):
        edges = bins._data.astype(x.dtype)
        if edges.ndim != 1 or edges.size < 2:
            raise RuntimeError(f"torch.histogram(): bins tensor should have one dimension and at least 2 elements, "
                               f"got shape {tuple(bins.shape)}")
        if np.any(np.diff(edges) < 0):
            raise ValueError("histogram: bin edges must increase monotonically")
        how, rng = edges, None
    else:
        _check_bins(bins)
        how, rng = int(bins), (None if range is None else (float(range[0]), float(range[1])))
        if rng is not None and rng[0] > rng[1]:
            raise RuntimeError(f"torch.histogram(): min should not exceed max, got min {rng[0]} max {rng[1]}")
    w = None
    if weight is not None:
        if not isinstance(weight, Tensor) or tuple(weight.shape) != tuple(input.shape):
            raise RuntimeError(f"torch.histogram(): if weight tensor is provided it should have the same shape as "
                               f"the input tensor, got {getattr(weight, 'shape', type(weight).__name__)}")
        w = weight._data.ravel()
    counts, edges = np.histogram(x.ravel(), bins=how, range=rng, weights=w, density=density)
    make = lambda a: Tensor._make(_backend.as_array(a).astype(x.dtype, copy=False), None, False, None)  # noqa: E731
    return _histogram_result(make(counts), make(edges))
