"""Reductions: sum, mean, var/std, max/min (with indices), amax/amin, prod, cumsum, logsumexp, norm.

Every reduction takes ``dim`` (an int, a tuple of ints, or None for all) and ``keepdim``.
"""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .. import _backend, _dtype
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor, _norm_dim, _norm_dims
from . import elementwise as E


_dims = _norm_dims  # (dim, ndim, where) -> sorted tuple of axes; see npgrad.tensor


def _keep_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


class Sum(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim, dt):
        ctx.in_shape = x.shape
        ctx.axes = axes
        ctx.keepdim = keepdim
        return np.sum(x, axis=axes, keepdims=keepdim, dtype=dt)

    @staticmethod
    def backward(ctx, g):
        # every summed element receives the gradient of the sum unchanged
        from .shape import expand
        if not ctx.keepdim:
            g = g.reshape(_keep_shape(ctx.in_shape, ctx.axes))
        return expand(g, ctx.in_shape), None, None, None


class Mean(Function):
    """Mean over ``axes``: every element receives ``g / n``."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.in_shape = x.shape
        ctx.axes = axes
        ctx.keepdim = keepdim
        n = 1
        for a in axes:
            n *= x.shape[a]
        ctx.n = n
        if n == 0:  # PyTorch: nan, without NumPy's "mean of empty slice" warning
            return _backend.array_module(x).full(_keep_shape(x.shape, axes) if keepdim else
                                                 [s for i, s in enumerate(x.shape) if i not in axes], np.nan,
                                                 dtype=x.dtype)
        return np.mean(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        from .shape import expand
        if not ctx.keepdim:
            g = g.reshape(_keep_shape(ctx.in_shape, ctx.axes))
        return expand(g * (1.0 / ctx.n if ctx.n else float("nan")), ctx.in_shape), None, None


class SumTo(Function):
    """Sum a broadcast gradient back down to ``shape`` (the adjoint of broadcasting)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1)
        out = np.sum(x, axis=axes, keepdims=True) if axes else x
        return out.reshape(shape) if lead else out

    @staticmethod
    def backward(ctx, g):
        from .shape import expand
        return expand(g, ctx.in_shape), None


def sum_to(x, shape):
    return x if x._data.shape == tuple(shape) else SumTo.apply(x, tuple(shape))


def sum(input, dim=None, keepdim=False, dtype=None):
    """Sum over ``dim`` (all elements by default). Integer and bool sums are int64, as in PyTorch.

    >>> import npgrad
    >>> x = npgrad.tensor([[1, 2], [3, 4]])
    >>> x.sum(), x.sum(0), x.sum(dim=1, keepdim=True)
    (tensor(10), tensor([4, 6]), tensor([[3],
            [7]]))
    """
    axes = _dims(dim, input.ndim, "sum")
    if dtype is not None:
        dt = _dtype.to_dtype(dtype).np
    elif input._data.dtype.kind in "biu":
        dt = np.int64
    else:
        dt = None
    return Sum.apply(input, axes, keepdim, dt)


def mean(input, dim=None, keepdim=False, dtype=None):
    """Mean over ``dim`` (all elements by default); needs a floating dtype.

    >>> import npgrad
    >>> npgrad.tensor([[1.0, 2.0], [3.0, 5.0]]).mean(dim=(0, 1))
    tensor(2.7500)
    """
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {input.dtype.name.capitalize()}")
    return Mean.apply(input, _dims(dim, input.ndim, "mean"), keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance with Bessel's correction by default (``correction=1``), like PyTorch.

    Both of PyTorch's spellings work: ``var(x, dim, correction=0, keepdim=True)`` and the older
    ``var(x, dim, unbiased, keepdim)`` / ``var(x, unbiased)``.

    >>> import npgrad
    >>> npgrad.tensor([1.0, 2.0, 3.0, 4.0]).var(), npgrad.tensor([1.0, 2.0, 3.0, 4.0]).var(correction=0)
    (tensor(1.6667), tensor(1.2500))
    """
    correction = _correction(dim, unbiased, correction)
    if isinstance(dim, bool):  # var(x, False): the old positional `unbiased`
        dim = None
    if input._data.dtype == np.float16:  # float16 squares and sums drift: PyTorch accumulates in float32
        return var(input.float(), dim, keepdim=keepdim, correction=correction).half()
    axes = _dims(dim, input.ndim, "var")
    n = 1
    for a in axes:
        n *= input._data.shape[a]
    d = input - mean(input, axes, keepdim=True)
    return sum(d * d, axes, keepdim=keepdim) / builtins.max(n - correction, 0)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: ``sqrt(var(...))`` with the same ``correction``.

    >>> import npgrad
    >>> npgrad.tensor([1.0, 2.0, 3.0, 4.0]).std()
    tensor(1.2910)
    """
    if input._data.dtype == np.float32:
        # PyTorch accumulates a float32 std in float64: the squares of values near 1e20 and up do not overflow
        return StdSqrt.apply(var(input.double(), dim, unbiased, keepdim, correction=correction), np.float32)
    return StdSqrt.apply(var(input, dim, unbiased, keepdim, correction=correction))


def _correction(dim, unbiased, correction):
    if isinstance(dim, bool):
        unbiased = dim
    if correction is not None:
        if unbiased is not None:
            raise RuntimeError("var/std: give either correction or unbiased, not both")
        return correction
    return 0 if unbiased is False else 1


class StdSqrt(Function):
    """sqrt of a variance (rounded to ``dtype`` when given); where the deviation is 0 its gradient is 0
    (PyTorch's rule), not inf * 0 = nan."""

    def name(self):
        return "StdBackward0"

    @staticmethod
    def forward(ctx, v, dtype=None):
        out = np.sqrt(v)
        ctx.save_for_backward(out)
        return out if dtype is None else out.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        zero = out == 0
        return E.where(zero, 0.0, g / E.where(zero, 1.0, out * 2)), None


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``; arguments as ``var``."""
    v = var(input, dim, unbiased, keepdim, correction=correction)
    return v, mean(input, None if isinstance(dim, bool) else dim, keepdim=keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``; arguments as ``std``."""
    s = std(input, dim, unbiased, keepdim, correction=correction)
    return s, mean(input, None if isinstance(dim, bool) else dim, keepdim=keepdim)


class Prod(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = _backend.as_array(np.prod(x, axis=axes, keepdims=keepdim))
        # save the returned array itself, so a second derivative sees its dependence on x
        ctx.save_for_backward(x, out)
        ctx.axes = axes
        ctx.keep_shape = _keep_shape(x.shape, axes)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = g.reshape(ctx.keep_shape)
        out = out.reshape(ctx.keep_shape)
        if not (x._data == 0).any():
            return g * out / x, None, None  # d/dx_i prod = prod / x_i
        # with zeros, form the product of the other elements directly (differentiably when a
        # graph of the gradient is being built, i.e. under create_graph=True)
        if state._grad:
            return g * _prod_of_others_graph(x, ctx.axes), None, None
        return g * Tensor._make(_prod_of_others(x._data, ctx.axes), None, False, None), None, None


def _prod_of_others_graph(x, axes):
    """prod_{k != i} x_k over ``axes`` as exclusive left and right cumulative products (no division)."""
    from .shape import cat, flip, permute
    lead = len(axes)
    order = list(axes) + [d for d in range(x.ndim) if d not in axes]
    moved = permute(x, order)
    flat = moved.reshape((-1,) + tuple(moved.shape[lead:]))
    one = E.ones_like(flat[:1])
    left = cat([one, cumprod(flat, 0)[:-1]], 0)
    right = flip(cat([one, cumprod(flip(flat, [0]), 0)[:-1]], 0), [0])
    inv = [0] * x.ndim
    for i, d in enumerate(order):
        inv[d] = i
    return permute((left * right).reshape(moved.shape), inv)


def _prod_of_others(x, axes):
    moved = np.moveaxis(x, axes, tuple(range(len(axes))))
    flat = moved.reshape((-1,) + moved.shape[len(axes):])
    left = np.concatenate([np.ones_like(flat[:1]), np.cumprod(flat, axis=0)[:-1]], axis=0)
    right = np.concatenate([np.cumprod(flat[::-1], axis=0)[:-1][::-1], np.ones_like(flat[:1])], axis=0)
    return np.moveaxis((left * right).reshape(moved.shape), tuple(range(len(axes))), axes)


def prod(input, dim=None, keepdim=False, dtype=None):
    """Product over ``dim`` (all by default); exact gradients with zeros.

    >>> import npgrad
    >>> npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]).prod(1)
    tensor([ 2., 12.])
    """
    if dtype is not None:
        input = input.to(dtype)
    axes = _dims(dim, input.ndim, "prod")
    if input._data.dtype.kind in "biu":  # int64, or the dtype asked for (bool is all(), int32 wraps)
        acc = np.int64 if dtype is None else input._data.dtype
        return Tensor._make(_backend.as_array(np.prod(input._data, axis=axes, keepdims=keepdim, dtype=acc)),
                            None, False, None)
    return Prod.apply(input, axes, keepdim)


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        if x.dtype == np.float16:  # a float16 running sum stalls (at 256 for steps of 0.1): PyTorch adds in float32
            return np.cumsum(x, axis=axis, dtype=np.float32).astype(np.float16)
        return np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        # each x_i contributes to every later partial sum: reversed cumulative sum
        from .shape import flip
        return flip(cumsum(flip(g, [ctx.axis]), ctx.axis), [ctx.axis]), None


def cumsum(input, dim, dtype=None):
    """Cumulative sum along ``dim``.

    >>> import npgrad
    >>> npgrad.cumsum(npgrad.tensor([1, 2, 3]), dim=0)
    tensor([1, 3, 6])
    """
    if dtype is not None:
        input = input.to(dtype)
    d = _norm_dim(dim, input.ndim, "cumsum")
    if input._data.dtype.kind in "biu":  # int64, or the dtype asked for
        acc = np.int64 if dtype is None else input._data.dtype
        # (reshape: NumPy flattens a 0-d input to shape (1,))
        return Tensor._make(np.cumsum(input._data, axis=d, dtype=acc).reshape(input.shape), None, False, None)
    if input.ndim == 0:
        return input * 1
    return Cumsum.apply(input, d)


class Cumprod(Function):
    """out_j = prod_{k<=j} x_k, so dL/dx_i = sum_{j>=i} g_j out_j / x_i (reversed cumsum over x)."""

    @staticmethod
    def forward(ctx, x, axis):
        out = np.cumprod(x, axis=axis)
        ctx.axis = axis
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .shape import flip
        x, out = ctx.saved_tensors
        a = ctx.axis
        if not (x._data == 0).any():
            return flip(cumsum(flip(g * out, [a]), a), [a]) / x, None
        if state._grad:  # create_graph: the same recurrence, with differentiable ops
            return _cumprod_grad_with_zeros_graph(x, g, a), None
        return Tensor._make(_cumprod_grad_with_zeros(x._data, g._data, a), None, False, None), None


def _cumprod_grad_with_zeros_graph(x, g, axis):
    from .shape import cat, movedim, stack
    x, g = movedim(x, axis, 0), movedim(g, axis, 0)
    excl = cat([E.ones_like(x[:1]), cumprod(x, 0)[:-1]], 0)
    s = [g[-1]]
    for i in range(x.shape[0] - 2, -1, -1):  # along one axis only; vectorised across the others
        s.append(g[i] + x[i + 1] * s[-1])
    return movedim(excl * stack(s[::-1], 0), 0, axis)


def _cumprod_grad_with_zeros(x, g, axis):
    """dL/dx_i = P_i * S_i with P_i = prod_{k<i} x_k and S_i = g_i + x_{i+1} S_{i+1} (no division by x)."""
    x, g = np.moveaxis(x, axis, 0), np.moveaxis(g, axis, 0)
    excl = np.concatenate([np.ones_like(x[:1]), np.cumprod(x, axis=0)[:-1]], axis=0)
    s = np.empty_like(g)
    s[-1] = g[-1]
    for i in range(len(x) - 2, -1, -1):  # a loop along one axis, vectorised across all others
        s[i] = g[i] + x[i + 1] * s[i + 1]
    return np.moveaxis(excl * s, 0, axis)


def cumprod(input, dim, dtype=None):
    """Cumulative product along ``dim`` (gradients are exact with zeros and negative values).

    >>> import npgrad
    >>> npgrad.cumprod(npgrad.tensor([2.0, -1.0, 3.0]), 0)
    tensor([ 2., -2., -6.])
    """
    if dtype is not None:
        input = input.to(dtype)
    d = _norm_dim(dim, input.ndim, "cumprod")
    if input._data.dtype.kind in "biu":  # int64, or the dtype asked for
        acc = np.int64 if dtype is None else input._data.dtype
        # (reshape: NumPy flattens a 0-d input to shape (1,))
        return Tensor._make(np.cumprod(input._data, axis=d, dtype=acc).reshape(input.shape), None, False, None)
    if input.ndim == 0:
        return input * 1
    return Cumprod.apply(input, d)


class LogSumExp(Function):
    """log(sum(exp(x))) shifted by the maximum (no overflow); d/dx = exp(x - out), the softmax."""

    def name(self):
        return "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        m = _backend.as_array(np.max(x, axis=axes, keepdims=True))
        m[~np.isfinite(m)] = 0  # all -inf (or an inf) along the dims: no shift
        with np.errstate(divide="ignore", invalid="ignore"):
            out = _backend.as_array(np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)))
        out += m
        ctx.keep_shape = out.shape
        out = out if keepdim else out.reshape([s for i, s in enumerate(x.shape) if i not in axes])
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return g.reshape(ctx.keep_shape) * E.exp(x - out.reshape(ctx.keep_shape)), None, None


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) over ``dim``, computed stably.

    >>> import npgrad
    >>> npgrad.logsumexp(npgrad.tensor([[0.0, 0.0], [500.0, 500.0]]), 1)
    tensor([  0.6931, 500.6931])
    """
    input = E._float_operand(input)
    axes = _dims(dim, input.ndim, "logsumexp")
    if input._data.size == 0:
        return sum(input, axes, keepdim=keepdim).log()  # empty: log(0) = -inf, as in PyTorch
    return LogSumExp.apply(input, axes, keepdim)


class Norm2(Function):
    """Euclidean norm; at 0 the subgradient 0 is used (as PyTorch does), never nan."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        # float16 squares overflow past 256: accumulate in float32 as PyTorch does
        xa = x.astype(np.float32) if x.dtype == np.float16 else x
        out = _backend.as_array(np.sqrt(np.sum(xa * xa, axis=axes, keepdims=keepdim))).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, out)  # the returned array: differentiable again under create_graph
        ctx.axes = axes
        ctx.keep_shape = _keep_shape(x.shape, axes)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = g.reshape(ctx.keep_shape)
        out = out.reshape(ctx.keep_shape)
        safe = E.where(out == 0, E.ones_like(out), out)
        return g * x / safe, None, None  # d ||x|| = x / ||x||


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm over ``dim`` (all elements by default); ``'fro'`` is the 2-norm.

    >>> import npgrad
    >>> npgrad.tensor([3.0, 4.0]).norm(), npgrad.tensor([[3.0, -4.0]]).norm(p=1, dim=1)
    (tensor(5.), tensor([7.]))
    """
    if not input.dtype.is_floating_point:  # (even with a float dtype=, as PyTorch)
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {input.dtype}")
    if dtype is not None:
        dt = _dtype.to_dtype(dtype)
        if not dt.is_floating_point or dt.itemsize < input.dtype.itemsize:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({input.dtype}) should be convertible "
                               f"without narrowing to the specified dtype ({dt}), a floating point one")
        input = input.to(dt)
    axes = _dims(dim, input.ndim, "norm")
    if p in ("fro", 2, 2.0, None):
        return Norm2.apply(input, axes, keepdim)
    if p in (float("inf"), "inf", float("-inf"), "-inf"):
        if 0 in [input._data.shape[a] for a in axes]:  # max and min have no identity
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor because the "
                               "operation does not have an identity")
        return (amax if p in (float("inf"), "inf") else amin)(E.abs(input), axes, keepdim)
    if input._data.dtype == np.float16 and p not in (float("inf"), "inf", float("-inf"), "-inf"):
        # float16 powers and sums overflow: PyTorch accumulates in float32 and rounds the result once
        return norm(input.float(), p, dim, keepdim).half()
    if p == 1:
        return sum(E.abs(input), axes, keepdim)
    if p == 0:
        return sum(E.ne(input, 0).to(input.dtype), axes, keepdim)
    if isinstance(p, (int, float)):
        return sum(E.abs(input) ** p, axes, keepdim) ** (1.0 / p)
    raise ValueError(f"norm: unsupported p={p!r}; use a number, 'fro', inf or -inf")


def count_nonzero(input, dim=None):
    axes = None if dim is None else _dims(dim, input.ndim, "count_nonzero")
    n = np.count_nonzero(input._data, axis=axes)
    return Tensor._make(_backend.as_array(n).astype(np.int64, copy=False), None, False, None)


def _truth(out, input):
    """all/any's result: bool, except uint8 for a uint8 input (PyTorch's legacy rule)."""
    out = _backend.as_array(out)
    return Tensor._make(out.astype(np.uint8) if input._data.dtype == np.uint8 else out, None, False, None)


def all(input, dim=None, keepdim=False):
    """True if every element is nonzero (along ``dim``).

    >>> import npgrad
    >>> npgrad.tensor([True, False]).all()
    tensor(False)
    """
    axes = None if dim is None else _dims(dim, input.ndim, "all")
    return _truth(np.all(input._data, axis=axes, keepdims=keepdim), input)


def any(input, dim=None, keepdim=False):
    """True if some element is nonzero (along ``dim``).

    >>> import npgrad
    >>> npgrad.tensor([True, False]).any()
    tensor(True)
    """
    axes = None if dim is None else _dims(dim, input.ndim, "any")
    return _truth(np.any(input._data, axis=axes, keepdims=keepdim), input)


# extrema (max/min/amax/argmax/sort/topk) live in extrema.py; re-exported here (reduce.max, ...)
from .extrema import (Amax, _tie_share, _values_indices, amax, amin, argmax, argmin, argsort, max,  # noqa: E402,F401
                      min, sort, topk)
