"""Elementwise ops without a gradient: comparisons, logic, rounding, nan/inf tests.

Their results are constants (bool, integer or rounded values), like PyTorch's comparison results.

>>> import npgrad
>>> x = npgrad.tensor([1.0, float("nan"), 3.0])
>>> (x > 2) | npgrad.isnan(x)
tensor([False,  True,  True])
"""
from __future__ import annotations

import numpy as np

from .. import _backend
from ..tensor import Tensor
from .elementwise import _NUMBER, _arr, _shape_check, on_device_of, promote


def heaviside(input, values):
    if isinstance(values, Tensor) and values._data.dtype != input._data.dtype:  # PyTorch does not promote here
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    v = _arr(values)
    v = on_device_of(input._data, v)
    out = np.heaviside(input._data, v).astype(np.result_type(input._data, v))
    return Tensor._make(out, None, False, None)


def _const(fn, *xs):
    if len(xs) == 1:
        return Tensor._make(_backend.as_array(fn(_arr(xs[0]))), None, False, None)
    ops = promote(*xs)
    arrs = [_arr(x) for x in ops]
    _shape_check(arrs[0], arrs[1], fn.__name__)
    try:
        out = fn(*arrs)
    except TypeError as e:  # devices mixed: a 0-d CPU tensor joins the others' device, as in PyTorch
        if not _backend._BACKENDS:
            raise
        out = fn(*_backend.on_one_device(ops, arrs, e)[1])
    return Tensor._make(_backend.as_array(out), None, False, None)


def floor(input):
    """Round down (no gradient).

    >>> import npgrad
    >>> npgrad.floor(npgrad.tensor([-1.5, 1.5]))
    tensor([-2.,  1.])
    """
    return _const(np.floor, input)


def ceil(input):
    return _const(np.ceil, input)


def round(input, decimals=0):
    return _const(lambda a: np.round(a, decimals), input)


def trunc(input):
    return _const(np.trunc, input)


def eq(input, other):
    """Elementwise ``==`` (a bool tensor; no gradient).

    >>> import npgrad
    >>> npgrad.eq(npgrad.tensor([1, 2]), npgrad.tensor([1, 3]))
    tensor([ True, False])
    """
    if not isinstance(other, (Tensor, np.ndarray, list, tuple) + _NUMBER) and not _backend.is_device_array(other):
        return False
    return _const(np.equal, input, other)


def ne(input, other):
    if not isinstance(other, (Tensor, np.ndarray, list, tuple) + _NUMBER) and not _backend.is_device_array(other):
        return True
    return _const(np.not_equal, input, other)


def lt(input, other):
    """Elementwise ``<`` (a bool tensor).

    >>> import npgrad
    >>> npgrad.tensor([1.0, 3.0]) < 2
    tensor([ True, False])
    """
    return _const(np.less, input, other)


def le(input, other):
    return _const(np.less_equal, input, other)


def gt(input, other):
    return _const(np.greater, input, other)


def ge(input, other):
    return _const(np.greater_equal, input, other)


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(_arr(input), _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype != other.dtype:
        raise RuntimeError(f"isclose: {input.dtype} did not match {other.dtype}")  # PyTorch does not promote
    out = np.isclose(_arr(input), _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan)
    return Tensor._make(_backend.as_array(out), None, False, None)  # (a NumPy scalar for 0-d operands)


def logical_and(input, other):
    """Elementwise logical and of the truth values.

    >>> import npgrad
    >>> npgrad.logical_and(npgrad.tensor([True, True]), npgrad.tensor([1, 0]))
    tensor([ True, False])
    """
    return _const(np.logical_and, input, other)


def logical_or(input, other):
    return _const(np.logical_or, input, other)


def logical_xor(input, other):
    return _const(np.logical_xor, input, other)


def logical_not(input):
    return _const(np.logical_not, input)


class _NoFloatKernel(NotImplementedError, TypeError):
    """PyTorch's type for an op missing for a dtype is NotImplementedError; it is a wrong argument type too."""


def _bitwise(npfn, name):
    def op(input, other):
        a, b = promote(input, other)
        if _arr(a).dtype.kind == "f":
            raise _NoFloatKernel(f"{name}: not supported for floating-point tensors (got {a.dtype}): "
                                 f"\"{name}\" not implemented for '{a.dtype}'")
        return _const(npfn, a, b)
    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise _NoFloatKernel(f"bitwise_not: not supported for floating-point tensors (got {input.dtype})")
    return _const(np.invert, input)


def isnan(input):
    """True where the value is nan.

    >>> import npgrad
    >>> npgrad.isnan(npgrad.tensor([1.0, float('nan')]))
    tensor([False,  True])
    """
    return _const(np.isnan, input)


def isinf(input):
    return _const(np.isinf, input)


def isfinite(input):
    return _const(np.isfinite, input)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return _const(lambda a: np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf), input)


def nonzero(input, as_tuple=False):
    a = _backend.as_array(_arr(input))
    if a.ndim == 0:  # PyTorch: a 0-d tensor is one element at no coordinates
        n = int(bool(a))
        xp = _backend.array_module(a)
        if as_tuple:
            return (Tensor._make(xp.zeros(n, dtype=np.int64), None, False, None),)
        return Tensor._make(xp.zeros((n, 0), dtype=np.int64), None, False, None)
    idx = np.nonzero(a)
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64), None, False, None) for i in idx)
    return Tensor._make(np.stack(idx, axis=1).astype(np.int64), None, False, None)
