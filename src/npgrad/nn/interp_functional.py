"""``F.interpolate`` (and the ``upsample*`` aliases) and ``F.scaled_dot_product_attention``.

Every interpolation mode PyTorch offers here is separable: along each spatial axis the output is a
fixed linear map of the input, an ``(out, in)`` matrix (one-hot rows for nearest, two taps for
linear, four for bicubic, window averages for area).  ``interpolate`` builds those small matrices
with PyTorch's source-coordinate rules and applies them with ``matmul``, so the gradient is the
transposed map and nothing new needs deriving.

>>> import npgrad, npgrad.nn.functional as F
>>> F.interpolate(npgrad.tensor([[[0.0, 1.0, 2.0]]]), scale_factor=2, mode="linear")
tensor([[[0.0000, 0.2500, 0.7500, 1.2500, 1.7500, 2.0000]]])
"""
from __future__ import annotations

import math

import numpy as np

from .. import _backend
from ..tensor import Tensor
from .conv_functional import _adaptive_matrix

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "scaled_dot_product_attention"]

_MODES = {"nearest": None, "nearest-exact": None, "area": None, "linear": 1, "bilinear": 2, "bicubic": 2,
          "trilinear": 3}
_ALIGNABLE = ("linear", "bilinear", "bicubic", "trilinear")


def _source(n_in, n_out, scale, align_corners):
    """Fractional source coordinate of every output position (PyTorch's area_pixel rule)."""
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        return dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    return (dst + 0.5) * scale - 0.5


def _cubic(t, a=-0.75):
    """Keys' cubic convolution weights of the four taps at offsets -1, 0, 1, 2 (PyTorch's a = -0.75)."""
    def near(s):
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def far(s):
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _matrix(mode, n_in, n_out, scale, align_corners):
    """The ``(n_out, n_in)`` map of one axis; ``scale`` is in/out (or 1 / scale_factor)."""
    m = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        off = 0.5 if mode == "nearest-exact" else 0.0
        src = np.minimum(np.floor((rows + off) * scale).astype(np.int64), n_in - 1)
        m[rows, src] = 1.0
    elif mode == "area":
        m = _adaptive_matrix(n_in, n_out, np.float64)
    elif mode == "bicubic":
        src = _source(n_in, n_out, scale, align_corners)
        i0 = np.floor(src).astype(np.int64)
        for k, w in zip(range(-1, 3), _cubic(src - i0)):
            np.add.at(m, (rows, np.clip(i0 + k, 0, n_in - 1)), w)
    else:  # linear
        src = np.maximum(_source(n_in, n_out, scale, align_corners), 0.0)
        i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        lam = src - i0
        np.add.at(m, (rows, i0), 1 - lam)
        np.add.at(m, (rows, i1), lam)
    return m


def _positive(spatial, sizes, mode):
    if mode == "area" and min(spatial) > 0:  # adaptive pooling: an empty output is allowed
        return sizes
    if any(s <= 0 for s in sizes + spatial):
        names = "DHW"[3 - len(sizes):] if len(sizes) > 1 else "W"
        fmt = lambda v: ", ".join(f"{c}: {n}" for c, n in zip(names, v))  # noqa: E731
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({fmt(spatial)}) "
                           f"output ({fmt(sizes)})")
    return sizes


def _sizes(x, size, scale_factor, recompute, nd, mode):
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = tuple(x.shape[2:])
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(sizes) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(spatial)} and output size of {list(sizes)}. Please "
                             f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                             f"...,oK) format.")
        sizes = _positive(spatial, tuple(int(s) for s in sizes), mode)
        return sizes, tuple(n / max(o, 1) for n, o in zip(spatial, sizes))
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
    if len(factors) != nd:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                         f"with spatial dimensions of {list(spatial)} and scale_factor of shape {list(factors)}.")
    sizes = _positive(spatial, tuple(int(math.floor(n * float(f))) for n, f in zip(spatial, factors)), mode)
    if recompute:
        return sizes, tuple(n / max(o, 1) for n, o in zip(spatial, sizes))
    return sizes, tuple(1.0 / float(f) for f in factors)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of ``(N, C, *spatial)`` to ``size`` or by ``scale_factor``; modes
    'nearest', 'nearest-exact', 'linear' (3-D), 'bilinear'/'bicubic' (4-D), 'trilinear' (5-D), 'area'.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.interpolate(npgrad.arange(4.).reshape(1, 1, 2, 2), size=(2, 3), mode="bilinear", align_corners=True)
    tensor([[[[0.0000, 0.5000, 1.0000],
              [2.0000, 2.5000, 3.0000]]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    nd = input.ndim - 2
    if mode not in _MODES or nd not in (1, 2, 3):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if align_corners is not None and mode not in _ALIGNABLE:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear")
    if _MODES[mode] is not None and _MODES[mode] != nd:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_MODES[mode] + 2}D input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    dt = input._data.dtype
    if dt.kind != "f" and dt != np.uint8:
        raise RuntimeError(f"interpolate: expected a floating-point or uint8 input, got {input.dtype}")
    sizes, scales = _sizes(input, size, scale_factor, recompute_scale_factor, nd, mode)
    nearest = mode in ("nearest", "nearest-exact")
    out = input if dt.kind == "f" or nearest else input.float()  # uint8 images: computed in float, rounded
    for axis, (n_in, n_out, sc) in enumerate(zip(input.shape[2:], sizes, scales)):
        if n_in == n_out and (mode == "area" or sc == 1.0 or (mode in _ALIGNABLE and mode != "bicubic")):
            continue  # the identity map (PyTorch's linear kernels copy an axis whose size is kept)
        if mode == "nearest" and nd == 2 and n_out in (n_in, 2 * n_in):
            sc = n_in / n_out  # PyTorch's 2-d nearest kernel: kept size copies, double size repeats
        if nearest:  # a pure selection: index the source positions (exact for any dtype)
            src = np.argmax(_matrix(mode, n_in, n_out, sc, False), axis=1)
            out = out.index_select(axis + 2, Tensor._make(_backend.like(out._data, src.astype(np.int64)), None,
                                                          False, None))
            continue
        m = _matrix(mode, n_in, n_out, sc, bool(align_corners)).T.astype(out._data.dtype)
        m = Tensor._make(_backend.like(out._data, m), None, False, None)
        out = (out.transpose(axis + 2, -1) @ m).transpose(axis + 2, -1)
    if out._data.dtype != dt:
        return Tensor._make(np.clip(np.rint(out._data), 0, 255).astype(dt), None, False, None)
    return out if out is not input else input * 1


def _deprecated(name):
    import warnings
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated name of :func:`interpolate` (kept, and warning, as in PyTorch)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(mode='nearest')``.

    >>> import warnings, npgrad, npgrad.nn.functional as F
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     F.upsample_nearest(npgrad.tensor([[[1.0, 2.0]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    """
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(mode='bilinear', align_corners=True)``."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """``softmax(Q K^T * scale + mask) V`` over the last two dims, as PyTorch's math reference:
    ``scale`` defaults to 1/sqrt(E); a bool ``attn_mask`` keeps the True entries, a float one is
    added; ``is_causal`` keeps the lower triangle; ``dropout_p`` drops attention weights.

    >>> import npgrad, npgrad.nn.functional as F
    >>> q = k = v = npgrad.ones(1, 2, 3, 4)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    torch.Size([1, 2, 3, 4])
    """
    from .activation_functional import softmax
    from .layer_functional import dropout
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor) or t.ndim < 2:
            raise RuntimeError(f"scaled_dot_product_attention: {name} must be a tensor of at least 2 dims, got "
                               f"{tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query's last dim {query.shape[-1]} must match key's "
                           f"{key.shape[-1]}")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key, value = key.repeat_interleave(rep, dim=-3), value.repeat_interleave(rep, dim=-3)
    L, S = query.shape[-2], key.shape[-2]
    s = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    attn = (query @ key.transpose(-2, -1)) * s
    if is_causal:
        above = Tensor._make(_backend.like(query._data, np.triu(np.ones((L, S), dtype=bool), 1)), None, False, None)
        attn = attn.masked_fill(above, float("-inf"))
    if attn_mask is not None:
        if attn_mask._data.dtype == np.bool_:
            attn = attn.masked_fill(~attn_mask, float("-inf"))
        else:
            attn = attn + attn_mask
    attn = softmax(attn, -1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, training=True)
    return attn @ value
