"""Padding: constant (a primitive) and reflect / replicate / circular (as differentiable indexing).

Negative widths crop, in every mode, as in PyTorch.

>>> import npgrad
>>> from npgrad.ops.pad import pad
>>> pad(npgrad.tensor([1.0, 2.0, 3.0]), (1, 2), mode="replicate")
tensor([1., 1., 2., 3., 3., 3.])
"""
from __future__ import annotations

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor


class Pad(Function):
    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.slices = tuple(slice(a, a + s) for (a, _), s in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.slices], None, None


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)``, last dim first.

    >>> import npgrad
    >>> npgrad.ops.shape.pad(npgrad.tensor([1.0, 2.0, 3.0]), (2, 1), mode='reflect')
    tensor([3., 2., 1., 2., 3., 2.])
    """
    if len(pad) % 2:
        raise RuntimeError(f"pad: Padding length must be divisible by 2, got {len(pad)}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"pad: Padding length should be less than or equal to two times the input dimension, "
                           f"got padding length {len(pad)} for a {input.ndim}-D input")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        widths[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if mode in ("reflect", "replicate") and 0 in input.shape[input.ndim - len(pad) // 2 - 1:]:
        raise RuntimeError(f"pad: {mode} padding needs non-empty channel and padded dims (a batch dim may be "
                           f"empty), got shape {tuple(input.shape)}")
    if mode != "constant":
        return _pad_index(input, widths, mode)
    if any(a < 0 or b < 0 for a, b in widths):
        # negative padding crops (left first, then right: neither may leave less than nothing)
        for (a, b), s in zip(widths, input.shape):
            if s + min(a, 0) < 0 or s + min(a, 0) + min(b, 0) < 0:
                raise RuntimeError(f"pad: negative padding ({a}, {b}) crops more than the size {s} of a dimension")
        sl = tuple(slice(-a if a < 0 else 0, s + b if b < 0 else s) for (a, b), s in zip(widths, input.shape))
        input = input[sl]
        widths = [(max(a, 0), max(b, 0)) for a, b in widths]
    return Pad.apply(input, tuple(widths), 0 if value is None else value)


def _pad_index(input, widths, mode):
    """reflect / replicate / circular padding as a gather with precomputed indices (differentiable)."""
    xp = _backend.array_module(input._data)  # (the indices are made where the data is)
    out = input
    for axis, (a, b) in enumerate(widths):
        if not (a or b):
            continue
        n = out._data.shape[axis]
        pos = xp.arange(-a, n + b)
        if mode != "circular" and n + a + b < 1:
            raise RuntimeError(f"pad: input (size {n} of dim {axis}) is too small for the padding ({a}, {b}): "
                               f"the output size would be {n + a + b}")
        if mode == "reflect":
            if a >= n or b >= n:
                raise RuntimeError(f"pad: reflect padding ({a}, {b}) must be smaller than the dimension size {n}")
            period = 2 * (n - 1)
            pos = np.abs(pos) % period
            pos = np.where(pos >= n, period - pos, pos)
        elif mode == "replicate":
            pos = np.clip(pos, 0, n - 1)
        elif mode == "circular":
            # PyTorch crops first (negative widths), then wraps around what is left
            lo, hi = max(-a, 0), n - max(-b, 0)
            if hi - lo <= 0 or max(a, 0) > hi - lo or max(b, 0) > hi - lo:
                raise RuntimeError(f"pad: circular padding ({a}, {b}) must be at most the size {hi - lo} left "
                                 f"after cropping dimension {axis}")
            pos = lo + xp.arange(-max(a, 0), hi - lo + max(b, 0)) % (hi - lo)
        else:
            raise NotImplementedError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                                      f"got {mode!r}")
        out = out[(slice(None),) * axis + (Tensor._make(pos.astype(np.int64), None, False, None),)]
    return out
