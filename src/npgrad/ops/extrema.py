"""Extrema: max/min (values and indices), amax/amin, argmax/argmin, sort, argsort, topk.

Gradients follow PyTorch: ``max(x, dim)``, ``sort`` and ``topk`` send the gradient to the returned
indices only; ``amax``/``amin`` and the full ``max(x)`` share it equally among tied extrema.

>>> import npgrad
>>> x = npgrad.tensor([[1.0, 5.0, 5.0], [4.0, 2.0, 0.0]], requires_grad=True)
>>> x.max(dim=1).indices
tensor([1, 0])
>>> x.amax(dim=1).sum().backward(); x.grad
tensor([[0.0000, 0.5000, 0.5000],
        [1.0000, 0.0000, 0.0000]])
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor, _norm_dim, _norm_dims as _dims
from . import elementwise as E


class Amax(Function):
    """max over axes; the gradient is shared equally among tied maxima (PyTorch's amax rule)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, is_min):
        if x.size == 0 and not all(x.shape[a] for a in axes):  # (empty rows of a non-empty dim reduce fine)
            raise RuntimeError("amax(): Expected reduction dim to be specified for input.numel() == 0.")
        out = (np.min if is_min else np.max)(x, axis=axes, keepdims=True)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(_tie_share(x, out, axes))
        ctx.axes = axes
        ctx.keep_shape = out.shape
        ctx.keepdim = keepdim
        return out if keepdim else out.reshape([s for i, s in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, g):
        (share,) = ctx.saved_tensors
        if not ctx.keepdim:
            g = g.reshape(ctx.keep_shape)
        return g * share, None, None, None


def _tie_share(x, out_keep, axes):
    """Each maximum's share of the gradient: 1 / (number of elements tied at the maximum)."""
    mask = (x == out_keep)
    return mask / mask.sum(axis=axes, keepdims=True, dtype=x.dtype)


def amax(input, dim=(), keepdim=False):
    """Maximum over ``dim`` (all by default); tied maxima share the gradient equally.

    >>> import npgrad
    >>> npgrad.amax(npgrad.tensor([[1.0, 3.0], [4.0, 2.0]]), dim=1)
    tensor([3., 4.])
    """
    _check_reduced(input, dim, "amax")
    axes = _dims(None if dim == () else dim, input.ndim, "amax")
    return Amax.apply(input, axes, keepdim, False)


def amin(input, dim=(), keepdim=False):
    """Minimum over ``dim`` (all by default); tied minima share the gradient equally.

    >>> import npgrad
    >>> npgrad.amin(npgrad.tensor([[1.0, 3.0], [4.0, 2.0]]), dim=0)
    tensor([1., 2.])
    """
    _check_reduced(input, dim, "amin")
    axes = _dims(None if dim == () else dim, input.ndim, "amin")
    return Amax.apply(input, axes, keepdim, True)


_values_indices = namedtuple("return_types", ["values", "indices"])


def _max_min(input, dim, keepdim, is_min, name):
    if isinstance(dim, Tensor):
        return (E.minimum if is_min else E.maximum)(input, dim)
    _check_reduced(input, dim, name)
    if dim is None:
        return Amax.apply(input, tuple(range(input.ndim)), False, is_min)
    d = _norm_dim(dim, input.ndim, name)
    if input.ndim == 0:
        return _values_indices(input, Tensor._make(_zero_index(input._data), None, False, None))
    idx = (np.argmin if is_min else np.argmax)(input._data, axis=d, keepdims=True)
    from .shape import gather
    idx_t = Tensor._make(idx, None, False, None)
    values = gather(input, d, idx_t)
    if not keepdim:
        values = values.squeeze(d)
        idx = idx.squeeze(d)
    return _values_indices(values, Tensor._make(idx.astype(np.int64), None, False, None))


def max(input, dim=None, keepdim=False):
    """``max(x)`` is the largest element; ``max(x, dim)`` is ``(values, indices)``; ``max(x, y)`` is elementwise.

    >>> import npgrad
    >>> x = npgrad.tensor([[1.0, 3.0], [4.0, 2.0]])
    >>> x.max(), x.max(dim=1)
    (tensor(4.), return_types(values=tensor([3., 4.]), indices=tensor([1, 0])))
    """
    return _max_min(input, dim, keepdim, False, "max")


def min(input, dim=None, keepdim=False):
    """``min(x)``, ``min(x, dim)`` -> ``(values, indices)``, or elementwise ``min(x, y)``.

    >>> import npgrad
    >>> npgrad.tensor([[1.0, 3.0], [4.0, 2.0]]).min(0)
    return_types(values=tensor([1., 2.]), indices=tensor([0, 1]))
    """
    return _max_min(input, dim, keepdim, True, "min")


def _arg(input, dim, keepdim, fn, name):
    if dim is None:
        r = fn(input._data.reshape(-1))
        out = _backend.as_array(r).astype(np.int64, copy=False)
        if keepdim:
            out = out.reshape((1,) * input.ndim)
    else:
        d = _norm_dim(dim, input.ndim, name)
        # (a 1-D input's index comes back from NumPy as a scalar: the tensor holds a 0-d array)
        out = (_backend.as_array(fn(input._data, axis=d, keepdims=keepdim)).astype(np.int64, copy=False)
               if input.ndim else _zero_index(input._data))
    return Tensor._make(out, None, False, None)


def argmax(input, dim=None, keepdim=False):
    """Index of the maximum (first one on ties), over the flattened input or along ``dim``.

    >>> import npgrad
    >>> npgrad.tensor([[1.0, 3.0], [4.0, 2.0]]).argmax(dim=1)
    tensor([1, 0])
    """
    _check_not_bool(input, "argmax(): does not support bool input")
    _check_nonempty(input, dim, "argmax")
    return _arg(input, dim, keepdim, np.argmax, "argmax")


def argmin(input, dim=None, keepdim=False):
    """Index of the minimum (first one on ties), over the flattened input or along ``dim``.

    >>> import npgrad
    >>> npgrad.argmin(npgrad.tensor([3.0, 1.0, 1.0]))
    tensor(1)
    """
    _check_not_bool(input, "argmin(): does not support bool input")
    _check_nonempty(input, dim, "argmin")
    return _arg(input, dim, keepdim, np.argmin, "argmin")


def _zero_index(x):
    """The index of a 0-d tensor's only element (0), on ``x``'s device."""
    return _backend.array_module(x).zeros((), np.int64)


def _check_not_bool(input, message):
    if input._data.dtype == np.bool_:
        raise RuntimeError(message)


def _check_nonempty(input, dim, name):
    if input._data.size == 0 and dim is None:
        raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0 "
                         f"(got an empty input of shape {tuple(input.shape)})")
    _check_reduced(input, dim, name)


def _check_reduced(input, dim, name):
    """PyTorch's errors for an empty reduction: all of an empty tensor, or a dim of size 0 (others may be)."""
    shape = input._data.shape
    if dim is None or (isinstance(dim, (tuple, list)) and not len(dim)):
        if input._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return
    for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
        if shape and shape[_norm_dim(d, len(shape), name)] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _gather_sorted(input, d, idx, names):
    from .gather import gather
    return namedtuple("return_types", names)(gather(input, d, Tensor._make(idx, None, False, None)),
                                             Tensor._make(idx, None, False, None))


def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)`` sorted along ``dim``; the gradient flows back through the indices.

    >>> import npgrad
    >>> npgrad.sort(npgrad.tensor([3.0, 1.0, 2.0]), descending=True)
    return_types(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
    """
    if input.ndim == 0:
        return _values_indices(input, Tensor._make(_zero_index(input._data), None, False, None))
    d = _norm_dim(dim, input.ndim, "sort")
    idx = argsort(input, d, descending)._data
    return _gather_sorted(input, d, idx, ["values", "indices"])


def argsort(input, dim=-1, descending=False, stable=False):
    """Indices that sort ``input`` along ``dim`` (stable, so ties keep their order)."""
    if input.ndim == 0:
        return Tensor._make(_zero_index(input._data), None, False, None)
    d = _norm_dim(dim, input.ndim, "argsort")
    x = input._data
    if not descending:
        return Tensor._make(np.argsort(x, axis=d, kind="stable").astype(np.int64), None, False, None)
    # Descending without negating (which wraps unsigned ints and int64's minimum and keeps NaN last): a
    # stable ascending sort of the reversed data, reversed back.  NaN, last ascending, comes first, as
    # PyTorch's largest value; ties keep their order.
    n = x.shape[d]
    rev = np.flip(np.argsort(np.flip(x, d), axis=d, kind="stable"), d)
    return Tensor._make((n - 1 - rev).astype(np.int64), None, False, None)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices.

    >>> import npgrad
    >>> npgrad.topk(npgrad.tensor([1.0, 4.0, 2.0, 3.0]), 2)
    return_types(values=tensor([4., 3.]), indices=tensor([1, 3]))
    """
    _check_not_bool(input, "topk does not support bool dtypes on CPU")
    d = _norm_dim(dim, input.ndim, "topk")
    n = input._data.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) is out of range for dimension {d} of size {n}")
    if input.ndim == 0:
        return _values_indices(input, Tensor._make(_zero_index(input._data), None, False, None))
    idx = argsort(input, d, descending=largest)._data
    idx = np.take(idx, _backend.array_module(idx).arange(k), axis=d)
    return _gather_sorted(input, d, idx, ["values", "indices"])
