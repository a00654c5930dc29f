"""Gradient clipping, like ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_``.

Both work in place on the gradients' arrays, after ``backward()`` and before ``optimizer.step()``.
"""
from __future__ import annotations

import math
import types
import warnings

import numpy as np

from ... import _backend
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(tensors, who):
    if isinstance(tensors, Tensor):
        return [tensors]
    is_gen = isinstance(tensors, types.GeneratorType)
    tensors = list(tensors)
    if is_gen and not tensors:
        warnings.warn(f"{who}: `parameters` is an empty generator, no gradient clipping will occur.",
                      stacklevel=3)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{who}: expected Tensors, got {type(t).__name__}")
    return tensors


def _zero(a):
    """0 in ``a``'s dtype (a 0-d array on ``a``'s device when it lives on one)."""
    return a.dtype.type(0) if type(a) is np.ndarray else np.zeros_like(a, shape=())


def _norm(a, p):
    """The p-norm of an array's entries (p = inf, -inf, 0 or any positive float), in its dtype
    (computed on the array's device: a device array gives a 0-d device array)."""
    if p == 2.0:
        flat = a.reshape(-1)
        return np.sqrt(np.dot(flat, flat)) if a.size else _zero(a)
    if a.size == 0:
        return _zero(a)
    if p == math.inf:
        return np.max(np.abs(a))
    if p == -math.inf:
        return np.min(np.abs(a))
    if p == 0.0:
        n = np.count_nonzero(a)
        return a.dtype.type(n) if type(a) is np.ndarray else n.astype(a.dtype)
    if p == 1.0:
        return np.sum(np.abs(a))
    return np.sum(np.abs(a) ** p) ** (1.0 / p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of ``tensors``: their norm as if concatenated into one vector.

    >>> import npgrad
    >>> float(npgrad.nn.utils.get_total_norm([npgrad.tensor([3.0]), npgrad.tensor([4.0])]))
    5.0
    """
    tensors = _as_list(tensors, "get_total_norm")
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._make(np.array(0.0, dtype=np.float32), None, False, None)
    norms = [_norm(t._data, norm_type) for t in tensors]
    dtype = np.result_type(*[t._data.dtype for t in tensors])
    if _backend.is_device_array(tensors[0]._data):  # the norms stay on the device (no sync until read)
        total = _norm(np.stack(norms).astype(dtype, copy=False), norm_type).astype(dtype, copy=False)
    else:
        total = np.asarray(_norm(np.array(norms).astype(dtype, copy=False), norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                           "so it cannot be clipped. To disable this error and scale the gradients by the "
                           "non-finite norm anyway, set `error_if_nonfinite=False`")
    return Tensor._make(total, None, False, None)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))`` in place."""
    grads = [p.grad for p in _as_list(parameters, "clip_grads_with_norm_") if p.grad is not None]
    if not grads:
        return
    tn = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm, dtype=np.float32)
    coef = np.minimum(float(max_norm) / (tn + tn.dtype.type(1e-6)), tn.dtype.type(1.0))
    for g in grads:
        with np.errstate(invalid="ignore"):  # (inf * 0 -> nan with a non-finite norm: silent, as PyTorch)
            np.multiply(g._data, coef.astype(g._data.dtype, copy=False), out=g._data)
        g._version[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients of ``parameters`` in place so their total ``norm_type``-norm is at most
    ``max_norm``; returns the total norm *before* clipping (a 0-d tensor).

    All gradients are treated as one vector g: ``g ← min(1, θ / (‖g‖ + 1e-6))·g`` with θ = ``max_norm``,
    which keeps the direction and caps the length (the guard against exploding gradients).

    >>> import npgrad
    >>> w = npgrad.zeros(2, requires_grad=True)
    >>> w.grad = npgrad.tensor([3.0, 4.0])
    >>> npgrad.nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(5.)
    >>> w.grad
    tensor([0.6000, 0.8000])
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float, np.number, Tensor)):
        raise TypeError(f"clip_grad_norm_: max_norm must be a number, got {max_norm!r}")
    parameters = _as_list(parameters, "clip_grad_norm_")
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of ``clip_grad_norm_`` (as in PyTorch)."""
    warnings.warn("`npgrad.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`npgrad.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry into ``[-clip_value, clip_value]`` in place.

    >>> import npgrad
    >>> w = npgrad.zeros(3, requires_grad=True)
    >>> w.grad = npgrad.tensor([-5.0, 0.5, 2.0])
    >>> npgrad.nn.utils.clip_grad_value_([w], 1.0)
    >>> w.grad
    tensor([-1.0000,  0.5000,  1.0000])
    """
    clip_value = float(clip_value)
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for p in _as_list(parameters, "clip_grad_value_"):
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)
            p.grad._version[0] += 1
