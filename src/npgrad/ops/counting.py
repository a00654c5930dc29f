"""Counting and order statistics: bincount, unique, diff, median, kthvalue, msort, index_add.

Counting (``bincount``, ``unique``) records no gradient, as in PyTorch.  ``median`` and ``kthvalue``
pick an element through ``sort``, so the gradient goes to the picked element; ``diff`` and
``index_add`` are built from differentiable ops.

>>> import npgrad
>>> npgrad.bincount(npgrad.tensor([1, 3, 3]))
tensor([0, 1, 0, 2])
>>> npgrad.median(npgrad.tensor([1.0, 4.0, 2.0, 3.0]))
tensor(2.)
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import _backend
from ..tensor import Tensor, _norm_dim
from .extrema import argsort
from .gather import gather, scatter_add
from .shape import cat, narrow

__all__ = ["bincount", "unique", "diff", "median", "kthvalue", "msort", "index_add"]

_median = namedtuple("median", ["values", "indices"])
_kthvalue = namedtuple("kthvalue", ["values", "indices"])


def _const(arr):
    return Tensor._make(arr, None, False, None)


def bincount(input, weights=None, minlength=0):
    """Counts of each value of a 1-D tensor of non-negative integers (sums of ``weights`` if given).

    >>> import npgrad
    >>> npgrad.bincount(npgrad.tensor([0, 2, 2]), weights=npgrad.tensor([0.5, 1.0, 2.0]))
    tensor([0.5000, 0.0000, 3.0000])
    """
    x = input._data
    if x.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{input.dtype}'")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _const(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.shape != x.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # PyTorch keeps float32 weights' dtype; every other weight dtype counts in float64
    dtype = np.float32 if w.dtype == np.float32 else np.float64
    return _const(np.bincount(x, weights=w, minlength=minlength).astype(dtype))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct values (sorted), optionally with each element's position among them and their counts.

    >>> import npgrad
    >>> npgrad.unique(npgrad.tensor([3, 1, 3]), return_counts=True)
    (tensor([1, 3]), tensor([1, 2]))
    """
    x = input._data
    if dim is None:
        vals, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    else:
        d = _norm_dim(dim, input.ndim, "unique")
        vals, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    out = [_const(vals)]
    if return_inverse:
        out.append(_const(inverse.astype(np.int64)))
    if return_counts:
        out.append(_const(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """``n``-th forward difference along ``dim``: ``out[i] = input[i + 1] - input[i]``.

    >>> import npgrad
    >>> npgrad.diff(npgrad.tensor([1, 4, 9]), prepend=npgrad.tensor([0]))
    tensor([1, 3, 5])
    """
    d = _norm_dim(dim, input.ndim, "diff")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    x = cat([t for t in (prepend, input, append) if t is not None], d)
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        x = (narrow(x, d, 1, m - 1) != narrow(x, d, 0, m - 1)) if x._data.dtype == np.bool_ \
            else narrow(x, d, 1, m - 1) - narrow(x, d, 0, m - 1)
    return x


def _pick_sorted(input, dim, pos, keepdim, where):
    """The element at position ``pos`` of ``input`` sorted along ``dim`` (NaN counting as largest) and its
    index; ``pos`` is an array broadcastable to the reduced shape."""
    idx = argsort(input, dim)._data
    xp = _backend.array_module(idx)
    at = np.take_along_axis(idx, xp.asarray(pos).astype(np.int64), axis=dim)
    values = gather(input, dim, _const(at))
    if not keepdim:
        values, at = values.squeeze(dim), at.squeeze(dim)
    return values, _const(at)


def _reduce_dim(input, dim, where):
    if input.ndim == 0:
        return 0, input.reshape(1)
    return _norm_dim(dim, input.ndim, where), input


def median(input, dim=None, keepdim=False):
    """The lower median (the middle element, not an average); NaN if the values hold a NaN.
    With ``dim``: ``(values, indices)``.

    >>> import npgrad
    >>> npgrad.tensor([[1.0, 4.0, 2.0, 3.0]]).median(1)
    median(values=tensor([2.]), indices=tensor([2]))
    """
    if dim is None:
        flat = input.reshape(-1)
        if flat.shape[0] == 0:
            return _const(_backend.array_module(input._data).full((), np.nan, input._data.dtype))
        return median(flat, 0).values
    scalar = input.ndim == 0
    d, x = _reduce_dim(input, dim, "median")
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    pos = np.full_like(x._data.sum(axis=d, keepdims=True), (n - 1) // 2, dtype=np.int64)
    if x._data.dtype.kind == "f":  # the first NaN, which sorts after every number
        nans = np.isnan(x._data)
        pos = np.where(nans.any(axis=d, keepdims=True), (~nans).sum(axis=d, keepdims=True), pos)
    values, indices = _pick_sorted(x, d, pos, keepdim and not scalar, "median")
    if scalar:
        values, indices = values.reshape(()), _const(indices._data.reshape(()))
    return _median(values, indices)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index.

    >>> import npgrad
    >>> npgrad.kthvalue(npgrad.tensor([3.0, 1.0, 2.0]), 2)
    kthvalue(values=tensor(2.), indices=tensor(2))
    """
    scalar = input.ndim == 0
    d, x = _reduce_dim(input, dim, "kthvalue")
    if not 1 <= k <= x.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    pos = np.full_like(x._data.sum(axis=d, keepdims=True), k - 1, dtype=np.int64)
    values, indices = _pick_sorted(x, d, pos, keepdim and not scalar, "kthvalue")
    if scalar:
        values, indices = values.reshape(()), _const(indices._data.reshape(()))
    return _kthvalue(values, indices)


def msort(input):
    """``input`` sorted along its first dimension (``sort(input, 0).values``)."""
    from .extrema import sort
    return sort(input, 0).values


def index_add(input, dim, index, source, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at positions ``index`` along ``dim``
    (repeated indices accumulate).

    >>> import npgrad
    >>> npgrad.zeros(3).index_add(0, npgrad.tensor([0, 2, 0]), npgrad.tensor([1.0, 2.0, 3.0]))
    tensor([4., 0., 2.])
    """
    d = _norm_dim(dim, input.ndim, "index_add")
    idx = index._data
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise IndexError("index_add_(): Index is supposed to be a vector of int64 or int32")
    src = source if source.ndim else source.reshape(1)
    if src.ndim != max(input.ndim, 1) or src.shape[d] != idx.size:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({src.shape[d] if src.ndim > d else 1}), for dim: {d}")
    # the index spread over source's shape, for scatter_add
    spread = np.broadcast_to(idx.reshape((-1,) + (1,) * (src.ndim - d - 1)), src.shape)
    out = scatter_add(input if input.ndim else input.reshape(1), d, _const(spread.astype(np.int64)),
                      src * alpha if alpha != 1 else src)
    return out if input.ndim else out.reshape(())
