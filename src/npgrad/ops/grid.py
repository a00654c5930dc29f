"""Index grids: ``meshgrid`` (coordinate grids from 1-D tensors, expanded views, differentiable) and
``Tensor.fill_diagonal_`` (the main diagonal written in place).

>>> import npgrad
>>> ys, xs = npgrad.meshgrid(npgrad.arange(2), npgrad.arange(3), indexing="ij")
>>> xs
tensor([[0, 1, 2],
        [0, 1, 2]])
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _backend
from ..tensor import Tensor

__all__ = ["meshgrid"]


def meshgrid(*tensors, indexing=None):
    """Grids of the 1-D (or 0-d) ``tensors``: with ``indexing="ij"`` the i-th output varies along dim i;
    with ``"xy"`` the first two dims are swapped (matrix vs Cartesian indexing, as NumPy's)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if not isinstance(t, Tensor) or t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    ts = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2
    order = list(range(len(ts)))
    if swap:
        order[0], order[1] = 1, 0
    shape = [ts[i].shape[0] for i in order]
    out = []
    for i, t in enumerate(ts):
        pos = order.index(i)
        view = [1] * len(ts)
        view[pos] = -1
        out.append(t.reshape(view).expand(*shape))
    return tuple(out)


def fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal of a 2-D tensor (or one with all dims equal), in place;
    ``wrap``: for a tall matrix the diagonal starts again below the first square, as in PyTorch."""
    from .index import masked_fill
    shape = tuple(self.shape)
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    numel = int(np.prod(shape))
    step = int(sum(np.prod(shape[i + 1:]) for i in range(len(shape))))  # one step along every dim at once
    count = -(-numel // step) if wrap and len(shape) == 2 else min(shape)
    mask = np.zeros(numel, dtype=bool)
    mask[np.arange(count) * step] = True
    mask = Tensor._make(_backend.like(self._data, mask.reshape(shape)), None, False, None)
    return self._inplace(lambda t: masked_fill(t, mask, fill_value))
