"""Running reductions and a few shape ops: cummax, cummin, logcumsumexp, diag, Tensor.unfold, and
``view(dtype)`` (the same bytes read as another dtype).

>>> import npgrad
>>> npgrad.cummax(npgrad.tensor([1.0, 3.0, 2.0]), 0)
cummax(values=tensor([1., 3., 3.]), indices=tensor([0, 1, 1]))
>>> npgrad.arange(5.).unfold(0, 2, 2)
tensor([[0., 1.],
        [2., 3.]])
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor, _norm_dim
from .elementwise import _float_operand
from .gather import gather
from .shape import flip

_cummax = namedtuple("cummax", ["values", "indices"])
_cummin = namedtuple("cummin", ["values", "indices"])


def _const(arr):
    return Tensor._make(arr, None, False, None)


def _running(input, dim, which):
    d = _norm_dim(dim, input.ndim, which)
    x = input._data
    if x.ndim == 0:
        values, idx = x.copy(), np.zeros((), np.int64)
    else:
        acc = np.maximum if which == "cummax" else np.minimum
        values = acc.accumulate(x, axis=d) if x.shape[d] else x.copy()
        pos = np.arange(x.shape[d]).reshape((-1,) + (1,) * (x.ndim - d - 1))
        # PyTorch's ties: the latest position that reaches the running extreme (nan: where it appeared)
        hit = (x == values) | np.isnan(x) if x.dtype.kind == "f" else x == values
        idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d) if x.shape[d] else np.zeros(x.shape, np.int64)
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
        out = np.logaddexp.accumulate(x, axis=axis) if x.shape[axis] else x.copy()
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
        rows = np.arange(len(g._data)) + max(-ctx.k, 0)
        return _place(g, rows, ctx.k, ctx.shape), None

    @staticmethod
    def jvp(ctx, a, t, out):
        return np.diag(t[0], ctx.k).copy()


def _place(g, rows, k, shape):
    from .index import index_put
    z = Tensor._make(np.zeros(shape, dtype=g._data.dtype), None, False, None)
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


class Unfold(Function):
    """Windows of ``size`` every ``step`` along ``axis`` as a new last dimension: a strided view of
    the same memory, as PyTorch's.  The gradient adds each window back where it came from."""
    _view = True

    def name(self):
        return "UnfoldBackward0"

    @staticmethod
    def forward(ctx, x, axis, size, step):
        ctx.args = (x.shape, axis, size, step)
        n = (x.shape[axis] - size) // step + 1 if x.ndim else 1
        if x.ndim == 0:
            return x.reshape(1)
        shape = x.shape[:axis] + (n,) + x.shape[axis + 1:] + (size,)
        strides = x.strides[:axis] + (x.strides[axis] * step,) + x.strides[axis + 1:] + (x.strides[axis],)
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)

    @staticmethod
    def backward(ctx, g):
        return UnfoldAdjoint.apply(g, *ctx.args), None, None, None

    @staticmethod
    def jvp(ctx, a, t, out):
        return Unfold.forward(ctx, t[0], *a[1:]).copy()


class UnfoldAdjoint(Function):
    @staticmethod
    def forward(ctx, g, in_shape, axis, size, step):
        ctx.args = (axis, size, step)
        if not in_shape:
            return g.reshape(())
        out = np.zeros(in_shape, dtype=g.dtype)
        n = g.shape[axis]
        for k in range(size):  # one strided add per position inside the window
            sl = (slice(None),) * axis + (slice(k, k + step * (n - 1) + 1, step),)
            out[sl] += g[..., k]
        return out

    @staticmethod
    def backward(ctx, gg):
        return Unfold.apply(gg, *ctx.args), None, None, None, None

    @staticmethod
    def jvp(ctx, a, t, out):
        return UnfoldAdjoint.forward(ctx, t[0], *a[1:])


def unfold(input, dimension, size, step):
    """``Tensor.unfold``: every window of ``size`` elements, ``step`` apart, along ``dimension``,
    as a new last dimension (a view).

    >>> import npgrad
    >>> npgrad.arange(6).reshape(2, 3).unfold(1, 2, 1).shape
    npgrad.Size([2, 2, 2])
    """
    d = _norm_dim(dimension, input.ndim, "unfold")
    n = input._data.shape[d] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return Unfold.apply(input, d, int(size), int(step))


_TORCH_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def view_dtype(input, dtype):
    """``x.view(dtype)``: the same memory read as ``dtype`` (bits reinterpreted, not converted).
    A smaller itemsize multiplies the last dimension, a larger one divides it, as PyTorch.

    >>> import npgrad
    >>> npgrad.tensor([1.0]).view(npgrad.int32)
    tensor([1065353216], dtype=npgrad.int32)
    """
    dt = _dtype.to_dtype(dtype)
    x = input._data
    a, b = x.itemsize, dt.itemsize
    if a != b:
        what = f"to view {_TORCH_NAMES[input.dtype.name]} as {_TORCH_NAMES[dt.name]} (different element sizes)"
        if x.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if x.strides[-1] != a and x.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {x.strides[-1] // a}")
        if b > a and x.shape[-1] % (b // a):
            raise RuntimeError(f"self.size(-1) must be divisible by {b // a} {what}, but got {x.shape[-1]}")
    if x.ndim == 0:
        out = x.reshape(1).view(dt.np).reshape(())
    elif a != b and not x.flags.c_contiguous:
        # NumPy needs a contiguous last axis only; a lone last element of any stride is contiguous too
        out = np.lib.stride_tricks.as_strided(x, x.shape[:-1] + (1,), x.strides[:-1] + (a,)).view(dt.np) \
            if x.shape[-1] == 1 else x.view(dt.np)
    else:
        out = x.view(dt.np)
    return Tensor._make(out, None, False, input._version)  # not differentiable, as in PyTorch


__all__ = ["cummax", "cummin", "logcumsumexp", "diag"]
