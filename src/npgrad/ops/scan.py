"""Running reductions and diagonals: cummax, cummin, logcumsumexp, diag.

>>> import npgrad
>>> npgrad.cummax(npgrad.tensor([1.0, 3.0, 2.0]), 0)
cummax(values=tensor([1., 3., 3.]), indices=tensor([0, 1, 1]))
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor, _norm_dim
from .elementwise import _float_operand
from .gather import gather
from .shape import flip

_cummax = namedtuple("cummax", ["values", "indices"])
_cummin = namedtuple("cummin", ["values", "indices"])


def _const(arr):
    return Tensor._make(arr, None, False, None)


def _accumulate(ufunc, x, axis):
    """``ufunc.accumulate(x, axis)`` (a non-empty axis).  Device libraries lack ``accumulate`` for most
    ufuncs (CuPy has it for add and multiply only): there, a scan in log2(n) whole-array steps."""
    if type(x) is np.ndarray:
        return ufunc.accumulate(x, axis=axis)
    out = np.moveaxis(x, axis, 0).copy()
    k = 1
    while k < len(out):
        out[k:] = ufunc(out[k:], out[:-k])  # (the right side is computed whole before it is written)
        k *= 2
    return np.moveaxis(out, 0, axis)


def _running(input, dim, which):
    d = _norm_dim(dim, input.ndim, which)
    x = input._data
    xp = _backend.array_module(x)
    if x.ndim == 0:
        values, idx = x.copy(), xp.zeros((), np.int64)
    else:
        acc = np.maximum if which == "cummax" else np.minimum
        values = _accumulate(acc, x, d) if x.shape[d] else x.copy()
        pos = xp.arange(x.shape[d]).reshape((-1,) + (1,) * (x.ndim - d - 1))
        # PyTorch's ties: the latest position that reaches the running extreme (nan: where it appeared)
        hit = (x == values) | np.isnan(x) if x.dtype.kind == "f" else x == values
        idx = _accumulate(np.maximum, np.where(hit, pos, 0), d) if x.shape[d] else xp.zeros(x.shape, np.int64)
        idx = idx.astype(np.int64)
    tup = _cummax if which == "cummax" else _cummin
    if x.dtype.kind != "f" or not (input.requires_grad or input._fw_tangent is not None):
        return tup(_const(values), _const(idx))
    return tup(gather(input, d, _const(idx)) if x.ndim else input * 1, _const(idx))


def cummax(input, dim):
    """Running maximum along ``dim`` and where it was reached; ``(values, indices)`` as PyTorch.
    The gradient of each value goes to the element it came from.

    >>> import npgrad
    >>> npgrad.cummax(npgrad.tensor([2, 1, 2, 5]), 0).indices
    tensor([0, 0, 2, 3])
    """
    return _running(input, dim, "cummax")


def cummin(input, dim):
    """Running minimum along ``dim`` and where it was reached; ``(values, indices)`` as PyTorch.

    >>> import npgrad
    >>> npgrad.cummin(npgrad.tensor([2.0, 1.0, 3.0]), 0).values
    tensor([2., 1., 1.])
    """
    return _running(input, dim, "cummin")


class LogCumSumExp(Function):
    """out_i = log sum_{j<=i} e^{x_j};  dL/dx_j = sum_{i>=j} g_i e^{x_j - out_i}, summed in log space
    (positive and negative parts of g apart) so that nothing overflows."""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        out = _accumulate(np.logaddexp, x, axis) if x.shape[axis] else x.copy()
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        d = ctx.axis

        def part(gp):
            r = flip(logcumsumexp(flip(gp.log() - out, (d,)), d), (d,))
            return (x + r).exp()
        return part(g.clamp(min=0)) - part((-g).clamp(min=0)), None

    @staticmethod
    def jvp(ctx, a, t, out):
        # d out_i = d out_{i-1} e^(out_{i-1} - out_i) + t_i e^(x_i - out_i): every exponent <= 0
        x, tx, o = (np.moveaxis(v, ctx.axis, 0) for v in (a[0], t[0], out))
        d = np.empty_like(o)
        for i in range(len(o)):
            d[i] = tx[i] * np.exp(x[i] - o[i]) + (d[i - 1] * np.exp(o[i - 1] - o[i]) if i else 0)
        return np.moveaxis(d, 0, ctx.axis)


def logcumsumexp(input, dim):
    """``log(cumsum(exp(input), dim))`` computed stably, as ``torch.logcumsumexp``.

    >>> import npgrad
    >>> npgrad.logcumsumexp(npgrad.tensor([0.0, 0.0, 10.0]), 0)
    tensor([ 0.0000,  0.6931, 10.0001])
    """
    x = _float_operand(input)
    d = _norm_dim(dim, x.ndim, "logcumsumexp")
    if x.ndim == 0:
        return x * 1
    return LogCumSumExp.apply(x, d)


class Diag(Function):
    """A vector onto diagonal ``k`` of a square matrix; the gradient reads that diagonal back."""

    @staticmethod
    def forward(ctx, v, k):
        ctx.k = k
        return np.diag(v, k)

    @staticmethod
    def backward(ctx, g):
        return DiagOf.apply(g, ctx.k), None

    @staticmethod
    def jvp(ctx, a, t, out):
        return np.diag(t[0], ctx.k)


class DiagOf(Function):
    """Diagonal ``k`` of a matrix, copied (``torch.diag`` of a matrix is not a view)."""

    @staticmethod
    def forward(ctx, m, k):
        ctx.k, ctx.shape = k, m.shape
        return np.diag(m, k).copy()

    @staticmethod
    def backward(ctx, g):
        rows = _backend.array_module(g._data).arange(len(g._data)) + max(-ctx.k, 0)
        return _place(g, rows, ctx.k, ctx.shape), None

    @staticmethod
    def jvp(ctx, a, t, out):
        return np.diag(t[0], ctx.k).copy()


def _place(g, rows, k, shape):
    from .index import index_put
    z = Tensor._make(_backend.array_module(g._data).zeros(shape, dtype=g._data.dtype), None, False, None)
    if not len(rows):  # an empty diagonal (of a matrix with an empty dim): nothing to place
        return z
    return index_put(z, (rows, rows + k), g)


def diag(input, diagonal=0):
    """A 1-D input becomes a matrix with it on diagonal ``diagonal``; a 2-D input gives that diagonal.

    >>> import npgrad
    >>> npgrad.diag(npgrad.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    >>> npgrad.diag(npgrad.arange(9).reshape(3, 3), 1)
    tensor([1, 5])
    """
    if input.ndim == 1:
        return Diag.apply(input, int(diagonal))
    if input.ndim == 2:
        return DiagOf.apply(input, int(diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


__all__ = ["cummax", "cummin", "logcumsumexp", "diag"]
