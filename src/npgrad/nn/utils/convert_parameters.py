"""Flatten parameters into one vector and back, like ``torch.nn.utils.parameters_to_vector``."""
from __future__ import annotations

import numpy as np

from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """All ``parameters`` flattened and concatenated into one 1-D tensor (differentiable).

    >>> import npgrad
    >>> npgrad.nn.utils.parameters_to_vector([npgrad.ones(2, 2), npgrad.zeros(1)])
    tensor([1., 1., 1., 1., 0.])
    """
    from ...ops.shape import cat
    params = list(parameters) if not isinstance(parameters, Tensor) else [parameters]
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"expected npgrad.Tensor, but got: {type(p).__name__}")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D tensor ``vec`` into ``parameters`` (in place).

    >>> import npgrad
    >>> w, b = npgrad.zeros(2, 2), npgrad.zeros(1)
    >>> npgrad.nn.utils.vector_to_parameters(npgrad.arange(5.0), [w, b])
    >>> b
    tensor([4.])
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected npgrad.Tensor, but got: {type(vec).__name__}")
    params = list(parameters) if not isinstance(parameters, Tensor) else [parameters]
    total = sum(p._data.size for p in params)
    if vec._data.ndim != 1 or vec._data.size != total:
        raise ValueError(f"vector_to_parameters: vec must be 1-D with {total} elements (the parameters' total), "
                         f"got shape {tuple(vec._data.shape)}")
    start = 0
    for p in params:
        n = p._data.size
        np.copyto(p._data, vec._data[start:start + n].reshape(p._data.shape), casting="same_kind")
        p._version[0] += 1
        start += n
