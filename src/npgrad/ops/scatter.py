"""Scatters with PyTorch's semantics: ``scatter`` (src or value, optional ``reduce='add'/'multiply'``)
and ``scatter_reduce`` (sum, prod, mean, amax, amin; ``include_self``).

``index`` may be smaller than ``src`` (and than ``input`` outside ``dim``): only the part of ``src``
that ``index`` covers is used, as in PyTorch.

>>> import npgrad
>>> x = npgrad.zeros(3)
>>> x.scatter_reduce(0, npgrad.tensor([0, 0, 2]), npgrad.tensor([1.0, 2.0, 3.0]), "amax")
tensor([2., 0., 3.])
"""
from __future__ import annotations

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor
from .gather import _full_index, _index_check, gather

_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _const(arr):
    return Tensor._make(arr, None, False, None)


def _covered(src, idx):
    return src[tuple(slice(0, s) for s in idx.shape)]


def _hit_mask(shape, where):
    m = _backend.array_module(where[0]).zeros(shape, dtype=bool)
    m[where] = True
    return m


class Scatter(Function):
    """out = input with ``src`` written at ``index``: d/dinput is g where nothing was written,
    d/dsrc gathers g from where each element went."""

    @staticmethod
    def forward(ctx, x, axis, idx, src):
        ctx.axis, ctx.idx, ctx.src_shape = axis, idx, np.shape(src)
        where = _full_index(idx, axis)
        out = x.copy()
        out[where] = _covered(src, idx) if np.ndim(src) else src
        if ctx.needs_input_grad[0]:
            ctx.keep = ~_hit_mask(x.shape, where)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g * _const(ctx.keep) if ctx.needs_input_grad[0] else None
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _pad_to(gather(g, ctx.axis, _const(ctx.idx)), ctx.src_shape)
        return gx, None, None, gs

    @staticmethod
    def jvp(ctx, a, t, out):
        res = t[0].astype(out.dtype, copy=True)
        ts = t[3] if np.ndim(a[3]) else 0.0
        res[_full_index(ctx.idx, ctx.axis)] = _covered(np.broadcast_to(ts, np.shape(a[3])), ctx.idx) if np.ndim(
            a[3]) else 0.0
        return res


def _pad_to(t, shape):
    """Gradient of the covered part of ``src``: zeros beyond it."""
    if tuple(t.shape) == tuple(shape):
        return t
    from .pad import Pad
    return Pad.apply(t, tuple((0, s - i) for s, i in zip(shape, t.shape)), 0)


class ScatterReduce(Function):
    """Reduce ``src`` into ``input`` at ``index``.  Gradients (PyTorch's): sum passes g; mean passes
    g / count; prod passes g * (product of the others), exact with zeros; amax/amin share g evenly
    among the elements equal to the result."""

    @staticmethod
    def forward(ctx, x, axis, idx, src, reduce, include_self):
        where = _full_index(idx, axis)
        src_shape = src.shape
        src = _covered(src, idx)
        out = x.copy()
        hit = _hit_mask(x.shape, where)
        if not include_self:
            out[hit] = _identity(reduce, x.dtype)
        ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[reduce]
        ufunc.at(out, where, src)
        count = None
        if reduce == "mean":
            count = np.ones_like(x, dtype=np.int64) if include_self else (~hit).astype(np.int64)
            np.add.at(count, where, 1)
            count = np.maximum(count, 1)
            out = (out // count if out.dtype.kind in "iu" else out / count).astype(out.dtype)  # (count is int64)
        ctx.args = (axis, idx, where, reduce, include_self, hit, count, src_shape)
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, g):
        where, src_shape = ctx.args[2], ctx.args[7]
        cx, cs = _coefficients(ctx)
        g = g._data
        gs = np.pad(g[where] * cs, [(0, s - i) for s, i in zip(src_shape, cs.shape)])
        return _const((g * cx).astype(g.dtype)), None, None, _const(gs.astype(g.dtype)), None, None

    @staticmethod
    def jvp(ctx, a, t, out):
        cx, cs = _coefficients(ctx, a[0], a[3], out)
        res = cx * t[0]
        np.add.at(res, ctx.args[2], cs * _covered(np.broadcast_to(t[3], a[3].shape), ctx.args[1]))
        return res


def _coefficients(ctx, x=None, src=None, out=None):
    """d out / d x (elementwise, shape of x) and d out[where] / d src (shape of the covered src):
    the backward is g times these, the jvp their sum against the tangents."""
    axis, idx, where, reduce, include_self, hit, count, src_shape = ctx.args
    if x is None:
        x, src, out = (t._data for t in ctx.saved_tensors)
    src = _covered(src, idx)
    self_in = np.ones_like(x, dtype=bool) if include_self else ~hit  # does x[i] take part in out[i]?
    if reduce in ("sum", "mean"):
        c = 1.0 / count if reduce == "mean" else np.ones_like(x, dtype=np.float64)
        return c * self_in, c[where]
    if reduce == "prod":
        return _prod_grads(x, src, np.ones_like(x, dtype=np.float64), where, self_in)
    x_is = self_in & (x == out)
    s_is = src == out[where]
    n = x_is.astype(np.float64)
    np.add.at(n, where, s_is)
    share = 1.0 / np.maximum(n, 1)
    return share * x_is, share[where] * s_is


class ScatterCombine(ScatterReduce):
    """``scatter(..., reduce='add'/'multiply')``: PyTorch defines no derivative for it, so asking for
    one is an error rather than a silently missing gradient."""

    def name(self):
        return "NotImplemented"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::scatter is not implemented")


def _prod_grads(x, src, g, where, self_in):
    """Gradient of a product of the contributions at each position: for a factor c, the product of
    the others is prod / c when no factor is 0; with zeros it is counted exactly (0 unless c is
    the only zero, then the product of the nonzero factors)."""
    xs = np.where(self_in, x, 1)
    nz = np.where(xs == 0, 1, xs)
    zeros = (xs == 0).astype(np.int64)
    np.multiply.at(nz, where, np.where(src == 0, 1, src))
    np.add.at(zeros, where, src == 0)

    def others(c, nzp, z):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(c == 0, np.where(z == 1, nzp, 0), np.where(z == 0, nzp / np.where(c == 0, 1, c), 0))
    gx = g * others(xs, nz, zeros) * self_in
    gs = g[where] * others(src, nz[where], zeros[where])
    return gx, gs


def _identity(reduce, dt):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dt == np.bool_:
        return reduce == "amin"  # (the identity of max is False, of min True)
    big = np.inf if dt.kind == "f" else np.iinfo(dt).max
    return -big if reduce == "amax" and dt.kind == "f" else (np.iinfo(dt).min if reduce == "amax" else big)


def _zero_d(t):
    return isinstance(t, Tensor) and t.ndim == 0


def _src_check(src, idx, where):
    if src.ndim != idx.ndim or any(i > s for i, s in zip(idx.shape, src._data.shape)):
        raise RuntimeError(f"{where}: Expected index {list(idx.shape)} to be smaller than self apart from "
                           f"dimension and to be smaller size than src {list(src.shape)}")


def scatter(input, dim, index, src=None, value=None, reduce=None):
    """Write ``src`` (or the number ``value``) into a copy of ``input`` at ``index`` along ``dim``:
    ``out[index[i][j]][j] = src[i][j]`` for dim 0.  ``reduce='add'`` / ``'multiply'`` combine
    instead of overwrite (no gradient then, as in PyTorch).

    >>> import npgrad
    >>> npgrad.zeros(2, 3).scatter(1, npgrad.tensor([[2], [0]]), npgrad.tensor([[1.0, 9.0], [2.0, 9.0]]))
    tensor([[0., 0., 1.],
            [2., 0., 0.]])
    """
    if _zero_d(index) and input.ndim == 1:    # PyTorch counts a 0-d index (and src) as one element
        index = index.reshape(1)
        src = src.reshape(1) if _zero_d(src) else src
    d, idx = _index_check(input, dim, index, "scatter")
    if src is None and value is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src' or 'value'")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src  # scatter(dim, index, 1.5): a number is the value form
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        s = src if src is not None else _const(np.full_like(idx, value, dtype=input._data.dtype))
        if src is not None:
            _src_check(s, idx, "scatter")
            _same_dtype(input, src)
        return ScatterCombine.apply(input, d, idx, s, "sum" if reduce == "add" else "prod", True)
    if src is not None:
        _src_check(src, idx, "scatter")
        _same_dtype(input, src)
        return Scatter.apply(input, d, idx, src)
    return Scatter.apply(input, d, idx, _backend.like(input._data, np.asarray(value, dtype=input._data.dtype)))


def _same_dtype(input, src):
    if src.dtype != input.dtype:
        raise RuntimeError(f"scatter(): Expected self.dtype to be equal to src.dtype (got {input.dtype} "
                           f"and {src.dtype})")


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into a copy of ``input`` at ``index`` along ``dim`` with ``reduce`` in
    'sum', 'prod', 'mean', 'amax', 'amin'; ``include_self=False`` leaves ``input``'s values out
    wherever something is scattered.

    >>> import npgrad
    >>> npgrad.tensor([1.0, 2.0]).scatter_reduce(0, npgrad.tensor([0, 0]), npgrad.tensor([3.0, 5.0]), "mean")
    tensor([3., 2.])
    """
    d, idx = _index_check(input, dim, index, "scatter_reduce")
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' must be Tensor, not {type(src).__name__}")
    _src_check(src, idx, "scatter_reduce")
    if src.dtype != input.dtype:
        raise RuntimeError(f"scatter_reduce(): Expected self.dtype to be equal to src.dtype (got {input.dtype} "
                           f"and {src.dtype})")
    return ScatterReduce.apply(input, d, idx, src, reduce, bool(include_self))


__all__ = ["scatter", "scatter_reduce"]
