"""``meshgrid``: coordinate grids from 1-D tensors (expanded views, differentiable).

>>> import npgrad
>>> ys, xs = npgrad.meshgrid(npgrad.arange(2), npgrad.arange(3), indexing="ij")
>>> xs
tensor([[0, 1, 2],
        [0, 1, 2]])
"""
from __future__ import annotations

import warnings

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
