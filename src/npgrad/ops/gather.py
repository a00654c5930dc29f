"""Index-driven gathers and scatters: gather, scatter_add, scatter, take_along_dim.

``gather`` and ``scatter_add`` are each other's adjoint: the gradient of a gather scatters back
(summing repeated indices) and the gradient of a scatter_add gathers.

>>> import npgrad
>>> x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> y = x.gather(1, npgrad.tensor([[1, 1], [0, 1]]))
>>> y.sum().backward(); x.grad
tensor([[0., 2.],
        [1., 1.]])
"""
from __future__ import annotations

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor, _norm_dim
from .pad import Pad


def _index_check(input, dim, index, where):
    d = _norm_dim(dim, input.ndim, where)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if type(idx) is not type(input._data):
        idx = _index_device(input, idx, isinstance(index, Tensor))
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{where}(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.ndim != input.ndim:
        raise RuntimeError(f"{where}: Index tensor must have the same number of dimensions as input tensor "
                           f"(index {tuple(idx.shape)}, input {tuple(input.shape)})")
    if any(i > s for k, (i, s) in enumerate(zip(idx.shape, input._data.shape)) if k != d):
        raise RuntimeError(f"{where}: Size does not match at dimension other than {d}: index "
                           f"{tuple(idx.shape)} is larger than input {tuple(input.shape)}")
    n = input._data.shape[d]
    lo, hi = (int(idx.min()), int(idx.max())) if idx.size else (0, -1)  # (no index: none out of bounds)
    if lo < 0 or hi >= n:  # PyTorch does not wrap negative indices here
        raise RuntimeError(f"{where}: index {hi if hi >= n else lo} is out of bounds for dimension {d} with size {n}")
    return d, idx


def _index_device(input, idx, from_tensor):
    """The index on ``input``'s device: an index tensor must be there already, as in PyTorch
    (an array or list given instead is moved)."""
    dev = _backend.device_of(input._data)
    if from_tensor or _backend.is_device_array(idx):
        if _backend.device_of(idx) != dev:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{dev} and {_backend.device_of(idx)}!")
        return idx
    return _backend.like(input._data, idx)


def _full_index(idx, axis):
    """Index arrays addressing, for each element of ``idx``, its position with ``axis`` replaced."""
    xp = _backend.array_module(idx)
    grid = [xp.arange(n).reshape((1,) * k + (n,) + (1,) * (idx.ndim - k - 1)) for k, n in enumerate(idx.shape)]
    grid[axis] = idx
    return tuple(grid)


class Gather(Function):
    @staticmethod
    def forward(ctx, x, axis, idx):
        ctx.axis = axis
        ctx.idx = idx
        ctx.in_shape = x.shape
        return x[_full_index(idx, axis)]

    @staticmethod
    def backward(ctx, g):
        z = Tensor._make(_backend.array_module(g._data).zeros(ctx.in_shape, dtype=g._data.dtype), None, False, None)
        return scatter_add(z, ctx.axis, Tensor._make(ctx.idx, None, False, None), g), None, None


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx, x, axis, idx, src):
        ctx.axis = axis
        ctx.idx = idx
        ctx.src_shape = src.shape
        out = x.copy()
        np.add.at(out, _full_index(idx, axis), src[tuple(slice(0, s) for s in idx.shape)])
        return out

    @staticmethod
    def backward(ctx, g):
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = gather(g, ctx.axis, Tensor._make(ctx.idx, None, False, None))
            if gsrc._data.shape != ctx.src_shape:  # src elements beyond index's extent get no gradient
                widths = tuple((0, s - i) for s, i in zip(ctx.src_shape, ctx.idx.shape))
                gsrc = Pad.apply(gsrc, widths, 0)
        return g, None, None, gsrc


def gather(input, dim, index):
    """``out[i][j] = input[index[i][j]][j]`` along ``dim`` (gradient scatters back, summing repeats)."""
    if isinstance(index, Tensor) and index.ndim == 0 and input.ndim == 1:   # as PyTorch: one element, 0-d out
        return gather(input, dim, index.reshape(1)).reshape(())
    d, idx = _index_check(input, dim, index, "gather")
    return Gather.apply(input, d, idx)


def scatter_add(input, dim, index, src):
    """Add ``src`` into a copy of ``input`` at ``index`` along ``dim``; repeated indices accumulate.

    >>> import npgrad
    >>> npgrad.zeros(3).scatter_add(0, npgrad.tensor([0, 2, 0]), npgrad.tensor([1.0, 2.0, 3.0]))
    tensor([4., 0., 2.])
    """
    d, idx = _index_check(input, dim, index, "scatter_add")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' must be Tensor, not {type(src).__name__}")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"scatter_add(): Expected self.dtype to be equal to src.dtype (got {input.dtype} "
                           f"and {src.dtype})")
    if src.ndim != idx.ndim or any(i > s for i, s in zip(idx.shape, src._data.shape)):
        raise RuntimeError(f"scatter_add: index {tuple(idx.shape)} must not be larger than src "
                           f"{tuple(src.shape)} in any dimension")
    return ScatterAdd.apply(input, d, idx, src.to(input.dtype))


def scatter(input, dim, index, src=None, value=None, reduce=None):
    """See :func:`npgrad.ops.scatter.scatter`."""
    from .scatter import scatter as _scatter
    return _scatter(input, dim, index, src, value, reduce)


def take_along_dim(input, indices, dim=None):
    """``gather`` where input and indices broadcast against each other outside ``dim`` (as
    ``np.take_along_axis``); without ``dim``, both are flattened.

    >>> import npgrad
    >>> npgrad.take_along_dim(npgrad.tensor([[1.0], [2.0]]), npgrad.tensor([[0, 0, 0]]), 0)
    tensor([[1., 1., 1.]])
    """
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = _norm_dim(dim, input.ndim, "take_along_dim")
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.ndim} dimensions for input, and {indices.ndim} dimensions for indices")
    if indices._data.size and bool(indices._data.min() < 0):  # PyTorch's take_along_dim wraps -1 to the last
        indices = indices + (indices < 0).long() * input.shape[d]
    x_shape, i_shape = list(input.shape), list(indices.shape)
    x_shape[d], i_shape[d] = indices.shape[d], input.shape[d]
    try:
        return gather(input.expand(np.broadcast_shapes(i_shape, input.shape)), d,
                      indices.expand(np.broadcast_shapes(x_shape, indices.shape)))
    except ValueError:
        raise RuntimeError(f"take_along_dim: input {tuple(input.shape)} and indices {tuple(indices.shape)} do not "
                           f"broadcast outside dim {dim}") from None
