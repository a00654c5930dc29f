"""Tensor creation: ``tensor``, ``zeros``, ``arange``, ``randn`` ... with PyTorch's defaults."""
from __future__ import annotations

import numpy as np

from . import _backend, _dtype
from .random import _gen_on
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


def _new(arr, requires_grad, device=None, pin_memory=False):
    if device is not None or pin_memory or _backend._DEFAULT[0] is not None:
        arr = _backend.transfer(arr, _backend.resolve(device, pin_memory))
        if pin_memory:
            arr = _backend.pin(arr)
    t = Tensor._make(arr, None, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _place(device, pin_memory=False):
    """The device a random creation function draws on (resolved and checked), or None for the CPU
    when nothing asks for another device (the common case costs one test)."""
    if device is None and not pin_memory and _backend._DEFAULT[0] is None:
        return None
    return _backend.resolve(device, pin_memory)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (Python floats -> float32, ints -> int64).

    >>> import npgrad
    >>> npgrad.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    return _new(np.array(_to_array(data, dtype), copy=True), requires_grad, device, pin_memory)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype == _dtype.to_dtype(dtype)):
        return data if device is None else data.to(device)
    return _new(_to_array(data, dtype), False, device)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (its dtype is kept, float64 included).

    >>> import npgrad
    >>> import numpy as np
    >>> npgrad.from_numpy(np.array([1.0, 2.0]))
    tensor([1., 2.], dtype=torch.float64)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(ndarray).__name__})")
    try:
        _dtype.from_numpy_dtype(ndarray.dtype)
    except TypeError as e:
        raise TypeError(f"from_numpy: {e}") from None
    return _new(ndarray, False)


def zeros(*size, dtype=None, device=None, requires_grad=False, pin_memory=False, out=None):
    """A tensor of zeros (float32 unless ``dtype``).

    >>> import npgrad
    >>> npgrad.zeros(2, 3).shape, npgrad.zeros((2,), dtype=npgrad.int64)
    (torch.Size([2, 3]), tensor([0, 0]))
    """
    return _new(np.zeros(_size(size, "zeros"), _np_dtype(dtype)), requires_grad, device, pin_memory)


def ones(*size, dtype=None, device=None, requires_grad=False, pin_memory=False, out=None):
    """A tensor of ones.

    >>> import npgrad
    >>> npgrad.ones(2)
    tensor([1., 1.])
    """
    return _new(np.ones(_size(size, "ones"), _np_dtype(dtype)), requires_grad, device, pin_memory)


def empty(*size, dtype=None, device=None, requires_grad=False, pin_memory=False, out=None):
    return _new(np.empty(_size(size, "empty"), _np_dtype(dtype)), requires_grad, device, pin_memory)


def _check_fill(value, where, np_dtype):
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"{where}: fill value must be a 0-dimension tensor, got shape {tuple(value.shape)}")
        value = value.item()
    if not isinstance(value, (int, float, bool, np.number, np.bool_)):
        raise TypeError(f"{where}(): argument 'fill_value' must be Number, not {type(value).__name__}")
    from ._convert import check_fits
    check_fits(np.asarray(value), np_dtype, where)
    return value


def full(size, fill_value, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor filled with ``fill_value`` (its dtype follows the value, as in PyTorch).

    >>> import npgrad
    >>> npgrad.full((2,), 7), npgrad.full((2,), 0.5)
    (tensor([7, 7]), tensor([0.5000, 0.5000]))
    """
    if dtype is None:
        dtype = _dtype.result_type(_check_fill(fill_value, "full", np.float64))
    fill_value = _check_fill(fill_value, "full", _np_dtype(dtype))
    return _new(np.full(_size((size,), "full"), fill_value, _np_dtype(dtype)), requires_grad, device, pin_memory)


def _like(x, dtype, where="zeros_like"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    return _np_dtype(dtype, x.dtype)


def _like_device(x, device):
    """``*_like`` functions put their result on ``x``'s device unless told otherwise."""
    if device is not None or (type(x._data) is np.ndarray and _backend._DEFAULT[0] is None):
        return device
    return x.device


def _float_np(dtype, where):
    """Random floats need a floating dtype (PyTorch has no such kernel for integers)."""
    dt = dtype if isinstance(dtype, np.dtype) else np.dtype(_np_dtype(dtype))
    if dt.kind != "f":
        raise NotImplementedError(f"{where}(): \"{where}\" not implemented for '{_dtype.from_numpy_dtype(dt)}' "
                                  "(random floats need a floating-point dtype)")
    return dt


def zeros_like(input, dtype=None, device=None, requires_grad=False, pin_memory=False, layout=None, memory_format=None):
    """Zeros with ``input``'s shape and dtype (``layout``/``memory_format`` accepted: npgrad's results are
    dense and contiguous, the same for every *_like function).

    >>> import npgrad
    >>> npgrad.zeros_like(npgrad.tensor([[1, 2]]))
    tensor([[0, 0]])
    """
    dt = _like(input, dtype, "zeros_like")
    return _new(np.zeros(input.shape, dt), requires_grad, _like_device(input, device), pin_memory)


def ones_like(input, dtype=None, device=None, requires_grad=False, pin_memory=False, layout=None, memory_format=None):
    """Ones with ``input``'s shape and dtype.

    >>> import npgrad
    >>> npgrad.ones_like(npgrad.tensor([1.5, 2.5]))
    tensor([1., 1.])
    """
    dt = _like(input, dtype, "ones_like")
    return _new(np.ones(input.shape, dt), requires_grad, _like_device(input, device), pin_memory)


def empty_like(input, dtype=None, device=None, requires_grad=False, pin_memory=False, layout=None, memory_format=None):
    dt = _like(input, dtype, "empty_like")
    return _new(np.empty(input.shape, dt), requires_grad, _like_device(input, device), pin_memory)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, pin_memory=False,
              layout=None, memory_format=None):
    dt = _like(input, dtype, "full_like")
    return _new(np.full(input.shape, _check_fill(fill_value, "full_like", dt), dt), requires_grad,
                _like_device(input, device), pin_memory)


def rand_like(input, dtype=None, generator=None, device=None, requires_grad=False, pin_memory=False,
              layout=None, memory_format=None):
    dt = _like(input, dtype, "rand_like")
    _float_np(dt, "rand_like")
    dev = _place(_like_device(input, device), pin_memory)
    return _new(_gen_on(dev, generator).random(input.shape).astype(dt), requires_grad, dev, pin_memory)


def randn_like(input, dtype=None, generator=None, device=None, requires_grad=False, pin_memory=False,
               layout=None, memory_format=None):
    dt = _like(input, dtype, "randn_like")
    _float_np(dt, "randn_like")
    dev = _place(_like_device(input, device), pin_memory)
    return _new(_gen_on(dev, generator).standard_normal(input.shape).astype(dt), requires_grad, dev, pin_memory)


def randint_like(input, low=0, high=None, dtype=None, generator=None, device=None, requires_grad=False,
                 pin_memory=False, layout=None, memory_format=None):
    if high is None:
        low, high = 0, low
    dev = _place(_like_device(input, device), pin_memory)
    return _new(_gen_on(dev, generator).integers(low, high, input.shape).astype(_like(input, dtype)), requires_grad,
                dev, pin_memory)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Values from ``start`` to ``end`` (exclusive); int64 unless an argument or ``dtype`` is float.

    >>> import npgrad
    >>> npgrad.arange(4), npgrad.arange(0, 1, 0.25)
    (tensor([0, 1, 2, 3]), tensor([0.0000, 0.2500, 0.5000, 0.7500]))
    """
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    for name, v in zip(("start", "end", "step"), vals):
        if not isinstance(v, (int, float, np.number)) or isinstance(v, bool):
            raise TypeError(f"arange(): argument '{name}' must be a number, not {type(v).__name__}")
        if not np.isfinite(v):
            raise RuntimeError(f"arange: unsupported range: {vals[0]} -> {vals[1]} with step {vals[2]} "
                               f"({name} must be finite)")
    if vals[2] == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start={vals[0]}, end={vals[1]}, step={vals[2]})")
    if dtype is None:
        dtype = _dtype.result_type(*vals) if not all(isinstance(v, (int, np.integer)) for v in vals) else _dtype.int64
    n = max(int(np.ceil((vals[1] - vals[0]) / vals[2])), 0)
    return _new((vals[0] + np.arange(n) * vals[2]).astype(_np_dtype(dtype)), requires_grad, device, pin_memory)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    >>> import npgrad
    >>> npgrad.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps!r}")
    return _new(np.linspace(start, end, steps).astype(_np_dtype(dtype)), requires_grad, device, pin_memory)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"logspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"logspace: number of steps must be non-negative, got {steps}")
    return _new(np.logspace(start, end, steps, base=base).astype(_np_dtype(dtype)), requires_grad, device, pin_memory)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """The identity matrix (``n`` x ``m``).

    >>> import npgrad
    >>> npgrad.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye: n and m must be non-negative, got n={n}, m={m}")
    return _new(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad, device, pin_memory)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Uniform samples in [0, 1) from the global generator (see ``manual_seed``).

    >>> import npgrad
    >>> _ = npgrad.manual_seed(0)
    >>> npgrad.rand(2, 3).shape
    torch.Size([2, 3])
    """
    dt = _float_np(dtype, "rand")
    dev = _place(device, pin_memory)
    draw = dt if dt in (np.float32, np.float64) else np.float64  # the generator's own dtypes
    arr = _gen_on(dev, generator).random(_size(size, "rand"), dtype=draw).astype(dt, copy=False)
    return _new(arr, requires_grad, dev, pin_memory)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Standard-normal samples from the global generator (see ``manual_seed``).

    >>> import npgrad
    >>> _ = npgrad.manual_seed(0)
    >>> npgrad.randn(4).dtype
    torch.float32
    """
    dt = _float_np(dtype, "randn")
    dev = _place(device, pin_memory)
    draw = dt if dt in (np.float32, np.float64) else np.float64
    arr = _gen_on(dev, generator).standard_normal(_size(size, "randn"), dtype=draw).astype(dt, copy=False)
    return _new(arr, requires_grad, dev, pin_memory)


def randint(low=0, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False,
            pin_memory=False):
    """Integers in [low, high); ``randint(high, size)`` and ``randint(low, high, size)`` both work.

    >>> import npgrad
    >>> _ = npgrad.manual_seed(0)
    >>> npgrad.randint(0, 10, (3,)).dtype
    torch.int64
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
    dev = _place(device, pin_memory)
    values = _gen_on(dev, generator).integers(low, high, _size((size,), "randint"))
    return _new(values.astype(_np_dtype(dtype, _dtype.int64)), requires_grad, dev, pin_memory)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A random permutation of ``0 .. n-1``.

    >>> import npgrad
    >>> sorted(npgrad.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"randperm: Trying to create tensor with negative dimension {n}: [{n}]")
    dev = _place(device, pin_memory)
    return _new(_gen_on(dev, generator).permutation(n).astype(_np_dtype(dtype, _dtype.int64)), requires_grad, dev,
                pin_memory)


def normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None, device=None, requires_grad=False,
           pin_memory=False):
    """Normal samples; ``mean``/``std`` may be tensors (elementwise) or numbers with a ``size``."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if not np.all(s >= 0):  # nan too: it would give nan samples silently
        host = np.asarray(_backend.to_numpy(s))
        raise RuntimeError(f"normal expects std >= 0.0, but found std {host[~(host >= 0)].flat[0]}")
    shape = _size((size,), "normal") if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    dt = next((x._data.dtype for x in (mean, std) if isinstance(x, Tensor)), _np_dtype(dtype))
    on = next((x.device for x in (mean, std) if isinstance(x, Tensor) and type(x._data) is not np.ndarray), device)
    dev = _place(on, pin_memory)  # tensor arguments on a device draw there, as PyTorch
    return _new((_gen_on(dev, generator).standard_normal(shape) * s + m).astype(dt), requires_grad, dev, pin_memory)


def bernoulli(input, p=None, generator=None):
    """0/1 samples, 1 with probability ``input`` (elementwise) or ``p``.

    >>> import npgrad
    >>> npgrad.bernoulli(npgrad.tensor([0.0, 1.0]))
    tensor([0., 1.])
    """
    prob = input._data if p is None else p
    if not np.all((prob >= 0) & (prob <= 1)):
        what = "p" if p is not None else "input"
        host = np.asarray(_backend.to_numpy(prob))
        raise RuntimeError(f"bernoulli: expects {what} to be in [0, 1], but got {what}="
                           f"{host[~((host >= 0) & (host <= 1))].flat[0]}")
    rng = _gen_on(None if type(input._data) is np.ndarray else input.device, generator)
    return Tensor._make((rng.random(input.shape) < prob).astype(input._data.dtype), None, False, None)


def multinomial(input, num_samples, replacement=False, generator=None):
    """``num_samples`` indices per row, drawn with the row's (unnormalised) weights.

    >>> import npgrad
    >>> npgrad.multinomial(npgrad.tensor([0.0, 1.0]), 2, replacement=True)
    tensor([1, 1])
    """
    # the draw runs on the host (a row at a time, NumPy's choice); the indices go back to input's device
    probs = np.atleast_2d(_backend.to_numpy(input._data).astype(np.float64))
    _check_multinomial(probs, num_samples, replacement)
    rng = _gen_on(None, generator if generator is None or generator.device.type == "cpu" else None)
    rows = [rng.choice(probs.shape[1], num_samples, replace=replacement, p=r / r.sum()) for r in probs]
    out = np.asarray(rows, dtype=np.int64)
    return _new(out if input.ndim == 2 else out[0], False, None if type(input._data) is np.ndarray else input.device)




def _check_multinomial(probs, num_samples, replacement):
    if not np.all(np.isfinite(probs)) or np.any(probs < 0):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(probs.sum(axis=1) <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples, got num_samples={num_samples!r}")
    if not replacement and num_samples > probs.shape[1]:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                           f"replacement (num_samples={num_samples}, {probs.shape[1]} categories)")
    if not replacement and np.any(np.count_nonzero(probs, axis=1) < num_samples):
        raise RuntimeError(f"multinomial: invalid multinomial distribution (with replacement=False, not enough "
                           f"non-negative category to sample {num_samples})")
