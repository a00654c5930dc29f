"""Strided views of the same memory: ``Tensor.unfold`` (sliding windows) and ``view(dtype)`` (the
same bytes read as another dtype), both views as in PyTorch.

>>> import npgrad
>>> npgrad.arange(5.).unfold(0, 2, 2)
tensor([[0., 1.],
        [2., 3.]])
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import _backend, _dtype
from ..autograd.function import Function
from ..tensor import Tensor, _norm_dim, link_view


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
        if type(x) is not np.ndarray:  # (a device's views are writable)
            return _backend.array_module(x).lib.stride_tricks.as_strided(x, shape, strides)
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
        out = _backend.array_module(g).zeros(in_shape, dtype=g.dtype)
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
    torch.Size([2, 2, 2])
    """
    d = _norm_dim(dimension, input.ndim, "unfold")
    n = input._data.shape[d] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    size, step = int(size), int(step)
    # linked to its input, so in-place writes through the windows reach its graph (see npgrad._views)
    return link_view(Unfold.apply(input, d, size, step), input,
                     lambda a: Unfold.forward(SimpleNamespace(), a, d, size, step))


_TORCH_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def view_dtype(input, dtype):
    """``x.view(dtype)``: the same memory read as ``dtype`` (bits reinterpreted, not converted).
    A smaller itemsize multiplies the last dimension, a larger one divides it, as PyTorch.

    >>> import npgrad
    >>> npgrad.tensor([1.0]).view(npgrad.int32)
    tensor([1065353216], dtype=torch.int32)
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
        out = _backend.array_module(x).lib.stride_tricks.as_strided(x, x.shape[:-1] + (1,),
                                                                     x.strides[:-1] + (a,)).view(dt.np) \
            if x.shape[-1] == 1 else x.view(dt.np)
    else:
        out = x.view(dt.np)
    return Tensor._make(out, None, False, input._version)  # not differentiable, as in PyTorch
