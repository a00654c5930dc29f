"""``Parameter`` (a learnable tensor a Module registers) and ``Buffer`` (state that is not learned)."""
from __future__ import annotations

import numpy as np

from .. import _backend, _dtype
from ..tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter (``requires_grad=True`` by default).

    It shares memory with the tensor (or array) it wraps, as in PyTorch.

    >>> import npgrad
    >>> p = npgrad.nn.Parameter(npgrad.zeros(2))
    >>> isinstance(p, npgrad.Tensor), p.requires_grad
    (True, True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            arr = np.empty(0, dtype=_dtype.get_default_dtype().np)
        elif isinstance(data, Tensor):
            arr = data._data
        elif isinstance(data, np.ndarray) or _backend.is_device_array(data):
            arr = data
        else:
            raise TypeError(f"Parameter: data must be a Tensor (or ndarray), got {type(data).__name__}")
        p = object.__new__(cls)
        p._data = arr
        p.grad = None
        p.grad_fn = None
        p.requires_grad = False
        p._version = data._version if isinstance(data, Tensor) else [0]
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__ (Tensor.__init__ would copy)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self.requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    >>> import npgrad
    >>> class M(npgrad.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.count = npgrad.nn.Buffer(npgrad.zeros(1))
    >>> list(dict(M().named_buffers()))
    ['count']
    """

    def __new__(cls, data=None, *, persistent=True):
        if isinstance(data, Tensor):
            arr = data._data
        elif _backend.is_device_array(data):
            arr = data
        else:
            arr = np.asarray(np.empty(0, np.float32) if data is None else data)
        b = Tensor._make(arr, None, False, None)
        b.__class__ = cls
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent=True):
        pass
