"""Tensor creation: ``tensor``, ``zeros``, ``arange``, ``randn`` ... with PyTorch's defaults."""
from __future__ import annotations

import numpy as np

from . import _dtype
from .random import _gen
from .tensor import Tensor, _to_array


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or _dtype.get_default_dtype()).np
    return _dtype.to_dtype(dtype).np


def _size(size, where):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{where}(): size must be a tuple of ints, but got {size!r}")
        if s < 0:
            raise RuntimeError(f"{where}(): Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _new(arr, requires_grad):
    t = Tensor._make(arr, None, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (Python floats -> float32, ints -> int64).

    >>> import npgrad
    >>> npgrad.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    return _new(np.array(_to_array(data, dtype), copy=True), requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype == _dtype.to_dtype(dtype)):
        return data
    return _new(_to_array(data, dtype), False)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (its dtype is kept, float64 included).

    >>> import npgrad
    >>> import numpy as np
    >>> npgrad.from_numpy(np.array([1.0, 2.0]))
    tensor([1., 2.], dtype=npgrad.float64)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return _new(ndarray, False)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor of zeros (float32 unless ``dtype``).

    >>> import npgrad
    >>> npgrad.zeros(2, 3).shape, npgrad.zeros((2,), dtype=npgrad.int64)
    (npgrad.Size([2, 3]), tensor([0, 0]))
    """
    return _new(np.zeros(_size(size, "zeros"), _np_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor of ones.

    >>> import npgrad
    >>> npgrad.ones(2)
    tensor([1., 1.])
    """
    return _new(np.ones(_size(size, "ones"), _np_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _new(np.empty(_size(size, "empty"), _np_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor filled with ``fill_value`` (its dtype follows the value, as in PyTorch).

    >>> import npgrad
    >>> npgrad.full((2,), 7), npgrad.full((2,), 0.5)
    (tensor([7, 7]), tensor([0.5000, 0.5000]))
    """
    if dtype is None:
        dtype = _dtype.result_type(fill_value)
    return _new(np.full(_size((size,), "full"), fill_value, _np_dtype(dtype)), requires_grad)


def _like(x, dtype):
    return _np_dtype(dtype, x.dtype)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    """Zeros with ``input``'s shape and dtype.

    >>> import npgrad
    >>> npgrad.zeros_like(npgrad.tensor([[1, 2]]))
    tensor([[0, 0]])
    """
    return _new(np.zeros(input.shape, _like(input, dtype)), requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    """Ones with ``input``'s shape and dtype.

    >>> import npgrad
    >>> npgrad.ones_like(npgrad.tensor([1.5, 2.5]))
    tensor([1., 1.])
    """
    return _new(np.ones(input.shape, _like(input, dtype)), requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    return _new(np.empty(input.shape, _like(input, dtype)), requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return _new(np.full(input.shape, fill_value, _like(input, dtype)), requires_grad)


def rand_like(input, dtype=None, generator=None):
    return _new(_gen(generator).random(input.shape).astype(_like(input, dtype)), False)


def randn_like(input, dtype=None, generator=None):
    return _new(_gen(generator).standard_normal(input.shape).astype(_like(input, dtype)), False)


def randint_like(input, low=0, high=None, dtype=None, generator=None):
    if high is None:
        low, high = 0, low
    return _new(_gen(generator).integers(low, high, input.shape).astype(_like(input, dtype)), False)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive); int64 unless an argument or ``dtype`` is float.

    >>> import npgrad
    >>> npgrad.arange(4), npgrad.arange(0, 1, 0.25)
    (tensor([0, 1, 2, 3]), tensor([0.0000, 0.2500, 0.5000, 0.7500]))
    """
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if vals[2] == 0:
        raise RuntimeError("arange: step must be nonzero")
    if dtype is None:
        dtype = _dtype.result_type(*vals) if not all(isinstance(v, (int, np.integer)) for v in vals) else _dtype.int64
    n = max(int(np.ceil((vals[1] - vals[0]) / vals[2])), 0)
    return _new((vals[0] + np.arange(n) * vals[2]).astype(_np_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    >>> import npgrad
    >>> npgrad.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps!r}")
    return _new(np.linspace(start, end, steps).astype(_np_dtype(dtype)), requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    return _new(np.logspace(start, end, steps, base=base).astype(_np_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The identity matrix (``n`` x ``m``).

    >>> import npgrad
    >>> npgrad.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye: n and m must be non-negative, got n={n}, m={m}")
    return _new(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1) from the global generator (see ``manual_seed``).

    >>> import npgrad
    >>> _ = npgrad.manual_seed(0)
    >>> npgrad.rand(2, 3).shape
    npgrad.Size([2, 3])
    """
    dt = _np_dtype(dtype)
    return _new(_gen(generator).random(_size(size, "rand"), dtype=dt if dt in (np.float32, np.float64) else np.float64).astype(dt, copy=False), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard-normal samples from the global generator (see ``manual_seed``).

    >>> import npgrad
    >>> _ = npgrad.manual_seed(0)
    >>> npgrad.randn(4).dtype
    npgrad.float32
    """
    dt = _np_dtype(dtype)
    return _new(_gen(generator).standard_normal(_size(size, "randn"), dtype=dt if dt in (np.float32, np.float64) else np.float64).astype(dt, copy=False), requires_grad)


def randint(low=0, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high); ``randint(high, size)`` and ``randint(low, high, size)`` both work.

    >>> import npgrad
    >>> _ = npgrad.manual_seed(0)
    >>> npgrad.randint(0, 10, (3,)).dtype
    npgrad.int64
    """
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _new(_gen(generator).integers(low, high, _size((size,), "randint")).astype(_np_dtype(dtype, _dtype.int64)),
                requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    return _new(_gen(generator).permutation(n).astype(_np_dtype(dtype, _dtype.int64)), requires_grad)


def normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None, requires_grad=False):
    """Normal samples; ``mean``/``std`` may be tensors (elementwise) or numbers with a ``size``."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {np.min(s)}")
    shape = _size((size,), "normal") if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    dt = next((x._data.dtype for x in (mean, std) if isinstance(x, Tensor)), _np_dtype(dtype))
    return _new((_gen(generator).standard_normal(shape) * s + m).astype(dt), requires_grad)


def bernoulli(input, p=None, generator=None):
    prob = input._data if p is None else p
    return _new((_gen(generator).random(input.shape) < prob).astype(input._data.dtype), False)


def multinomial(input, num_samples, replacement=False, generator=None):
    probs = np.atleast_2d(input._data.astype(np.float64))
    rng = _gen(generator)
    rows = [rng.choice(probs.shape[1], num_samples, replace=replacement, p=r / r.sum()) for r in probs]
    out = np.asarray(rows, dtype=np.int64)
    return _new(out if input.ndim == 2 else out[0], False)


