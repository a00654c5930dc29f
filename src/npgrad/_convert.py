"""Checks for turning Python data into arrays (and for assigning ``.grad``), with PyTorch's errors.

NumPy accepts what PyTorch refuses: it wraps ``300`` into a ``uint8`` as ``44``, turns ``nan`` into the
smallest ``int64`` and makes object arrays of ragged lists.  These checks run only on the slow paths
(Python data given with an integer dtype, or data NumPy could not make a numeric array of).
"""
from __future__ import annotations

import numpy as np


def _describe(v):
    return f"{type(v).__name__} {v!r:.40}"


def check_fits(src, np_dtype, where="tensor"):
    """Raise PyTorch's RuntimeError when a Python value in ``src`` (the array NumPy made of it, before any
    cast) does not fit the integer ``np_dtype``.

    PyTorch's rule: floats must lie within the type's range (nan and inf never do); integers must lie
    within it too, except that an unsigned type also takes negative integers down to ``-max``
    (they wrap, ``-1`` -> ``255``).

    >>> import numpy as np
    >>> check_fits(np.array([300]), np.dtype(np.uint8))
    Traceback (most recent call last):
    ...
    RuntimeError: tensor: value 300 cannot be converted to type uint8 without overflow
    """
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind not in "iu" or src.dtype.kind not in "iuf" or src.size == 0:
        return
    info = np.iinfo(np_dtype)
    if src.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = ~((src >= info.min) & (src <= float(info.max)))
    else:
        lo = -int(info.max) if np_dtype.kind == "u" else int(info.min)
        bad = (src < lo) | (src > info.max) if src.dtype.kind == "i" else src > info.max
    if bad.any():
        v = src[bad].flat[0].item()
        raise RuntimeError(f"{where}: value {v!r} cannot be converted to type {np_dtype.name} without overflow")


def nesting_error(data, where="tensor"):
    """The exception PyTorch raises for ``data`` that is not a rectangular nest of numbers: ragged lengths
    name the dim and both lengths; objects that are not numbers name their type."""
    from .tensor import Tensor
    shape = []
    x = data
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        if not x:
            break
        x = x[0]
    err = _check(data, shape, 0, where, Tensor)
    if err is None and any(isinstance(v, int) and not -2 ** 63 <= v < 2 ** 63 for v in _leaves(data)):
        err = ValueError(f"{where}: Overflow when unpacking long long (an integer does not fit int64)")
    return err or RuntimeError(f"Could not infer dtype of {type(data).__name__} ({where}: expected numbers "
                               "or nested sequences of numbers)")


def _leaves(x):
    if isinstance(x, (list, tuple)):
        for item in x:
            yield from _leaves(item)
    else:
        yield x


def _check(x, shape, dim, where, Tensor):
    if dim < len(shape):
        if not isinstance(x, (list, tuple)):
            return TypeError(f"{where}: expected a sequence of length {shape[dim]} at dim {dim} "
                             f"(got {_describe(x)}): not a sequence")
        if len(x) != shape[dim]:
            return ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(x)})")
        for item in x:
            err = _check(item, shape, dim + 1, where, Tensor)
            if err is not None:
                return err
        return None
    if isinstance(x, (list, tuple)):
        return TypeError(f"{where}: expected a number at dim {dim}, got a sequence of length {len(x)}")
    if isinstance(x, Tensor):
        if x.numel() != 1:
            return ValueError(f"{where}: only one element tensors can be converted to Python scalars, got a "
                              f"tensor of shape {tuple(x.shape)} at dim {dim}")
        return None
    if isinstance(x, str):  # PyTorch reads a string inside a list as one more dimension
        return (ValueError(f"{where}: too many dimensions 'str' (got {x!r} at dim {dim})") if dim else
                TypeError(f"{where}: new(): invalid data type 'str' (got {x!r})"))
    if isinstance(x, (bool, int, float, complex, np.number, np.bool_, np.ndarray)):
        return None
    return RuntimeError(f"Could not infer dtype of {type(x).__name__} ({where}: got {x!r:.60} at dim {dim})")


def check_grad(t, g):
    """PyTorch's checks on assigning ``.grad``: a gradient SGD would broadcast or cast is refused."""
    from .tensor import Tensor
    if not isinstance(g, Tensor):
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                        f"{type(g).__name__}")
    if g._data.dtype != t._data.dtype:
        raise RuntimeError(f"attempting to assign a gradient with dtype '{g.dtype}' to a tensor with dtype "
                           f"'{t.dtype}'. The gradient must match the tensor's dtype")
    if g._data.shape != t._data.shape:
        raise RuntimeError(f"attempting to assign a gradient of size '{list(g.shape)}' to a tensor of size "
                           f"'{list(t.shape)}'. Please ensure that the gradient and the tensor are the same size")
