"""Functional convolution and pooling (``F.conv2d``, ``F.max_pool2d``, ...), PyTorch's signatures.

Argument checking lives here; the arithmetic is in :mod:`npgrad.ops.conv`.  1-d forms run the 2-d
primitives on a height-1 view.  Every function accepts an optional ``_where`` naming the caller
(a layer) so that errors say which layer received the bad argument.
"""
from __future__ import annotations

import numpy as np

from .. import _backend
from ..ops import conv as C
from ..ops import pool as P
from ..tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d",
           "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "unfold", "fold"]


# -- argument normalisation ----------------------------------------------------------------------
def _tuple(v, n, name, where, minimum=None):
    """``3`` -> ``(3, 3)``; validates ints and an optional lower bound, naming the argument."""
    vals = (v,) * n if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v
    if not isinstance(vals, (tuple, list)) or len(vals) != n or not all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in vals):
        raise TypeError(f"{where}: {name} must be an int or a tuple of {n} ints, got {v!r}")
    vals = tuple(int(a) for a in vals)
    if minimum is not None and any(a < minimum for a in vals):
        bound = "positive" if minimum == 1 else "non-negative"
        raise RuntimeError(f"{where}: {name} must be {bound}, got {v!r}")
    return vals


def conv_padding(padding, kernel, stride, dilation, where):
    """``padding`` (int, tuple, 'valid', 'same') -> ``(top, bottom, left, right)`` (two per dim of the kernel).
    'same' puts the odd extra pixel at the end, like PyTorch."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0) * len(kernel)
        if padding != "same":
            raise ValueError(f"{where}: invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{where}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride})")
        out = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            out += [total // 2, total - total // 2]
        return tuple(out)
    p = _tuple(padding, len(kernel), "padding", where, 0)
    return (p[0], p[0], p[1], p[1]) if len(p) == 2 else (p[0], p[0])


def _check_tensor(x, name, where):
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}: {name} must be a Tensor, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{where}: {name} must be a floating-point tensor, got dtype {x.dtype}")


def _batched(input, nd, where):
    """Accept ``(C, *spatial)`` (unbatched) or ``(N, C, *spatial)``; returns (batched input, was_unbatched)."""
    _check_tensor(input, "input", where)
    if input.ndim == nd + 1:
        return input.unsqueeze(0), True
    if input.ndim != nd + 2:
        raise RuntimeError(f"{where}: expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input, but got "
                           f"input of shape {tuple(input.shape)}")
    return input, False


def _check_dtypes(where, input, *others):
    for name, t in others:
        if t is not None:
            _check_tensor(t, name, where)
            if t.dtype != input.dtype:
                raise RuntimeError(f"{where}: input ({input.dtype}) and {name} ({t.dtype}) must have the same dtype")


def _check_size(where, in_hw, kernel, padding, dilation, out_hw):
    if any(o <= 0 for o in out_hw):
        padded = tuple(n + padding[2 * i] + padding[2 * i + 1] for i, n in enumerate(in_hw))
        eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise RuntimeError(f"{where}: padded input size {padded} is smaller than the (dilated) kernel size "
                           f"{eff}; output size would be {tuple(out_hw)}")


# -- convolution ---------------------------------------------------------------------------------
def _conv_nd(input, weight, bias, stride, padding, dilation, groups, nd, where):
    x, unbatched = _batched(input, nd, where)
    _check_dtypes(where, x, ("weight", weight), ("bias", bias))
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{where}: weight must be {nd + 2}-D (out_channels, in_channels/groups, *kernel), "
                           f"got shape {tuple(weight.shape)}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise RuntimeError(f"{where}: groups must be a positive int, got {groups!r}")
    o, cg = weight.shape[:2]
    if cg * groups != x.shape[1]:
        raise RuntimeError(f"{where}: given groups={groups}, weight of shape {tuple(weight.shape)} expects input "
                           f"{tuple(x.shape)} to have {cg * groups} channels, but got {x.shape[1]} channels")
    if o % groups:
        raise RuntimeError(f"{where}: out_channels ({o}) must be divisible by groups ({groups})")
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"{where}: bias must have shape ({o},), got {tuple(bias.shape)}")
    kernel = tuple(weight.shape[2:])
    stride = _tuple(stride, nd, "stride", where, 1)
    dilation = _tuple(dilation, nd, "dilation", where, 1)
    pad = conv_padding(padding, kernel, stride, dilation, where)
    if nd == 1:  # run on a height-1 image
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
        kernel, stride, dilation, pad = (1,) + kernel, (1,) + stride, (1,) + dilation, (0, 0) + pad
    in_hw = x.shape[2:]
    out_hw = tuple(C.out_size(n, k, s, pad[2 * i], pad[2 * i + 1], d)
                   for i, (n, k, s, d) in enumerate(zip(in_hw, kernel, stride, dilation)))
    _check_size(where, in_hw, kernel, pad, dilation, out_hw)
    y = C.Conv2d.apply(x, weight, bias, (stride, pad, dilation, int(groups)))
    if nd == 1:
        y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, _where="conv2d"):
    """2-d convolution (cross-correlation) of ``input (N, C, H, W)`` with ``weight (O, C/groups, kh, kw)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.conv2d(npgrad.ones(1, 1, 4, 4), npgrad.ones(2, 1, 3, 3), padding=1).shape
    torch.Size([1, 2, 4, 4])
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 2, _where)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, _where="conv1d"):
    """1-d convolution of ``input (N, C, L)`` with ``weight (O, C/groups, k)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.conv1d(npgrad.ones(1, 2, 5), npgrad.ones(3, 2, 3)).shape
    torch.Size([1, 3, 3])
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 1, _where)


def _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, nd, where):
    x, unbatched = _batched(input, nd, where)
    _check_dtypes(where, x, ("weight", weight), ("bias", bias))
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{where}: weight must be {nd + 2}-D (in_channels, out_channels/groups, *kernel), "
                           f"got shape {tuple(weight.shape)}")
    if not isinstance(groups, (int, np.integer)) or groups < 1 or weight.shape[0] % groups:
        raise RuntimeError(f"{where}: groups must be a positive int dividing in_channels={weight.shape[0]}, "
                         f"got {groups!r}")
    if weight.shape[0] != x.shape[1]:
        raise RuntimeError(f"{where}: weight of shape {tuple(weight.shape)} expects input {tuple(x.shape)} to have "
                           f"{weight.shape[0]} channels, but got {x.shape[1]} channels")
    cout = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (cout,):
        raise RuntimeError(f"{where}: bias must have shape ({cout},), got {tuple(bias.shape)}")
    kernel = tuple(weight.shape[2:])
    stride = _tuple(stride, nd, "stride", where, 1)
    dilation = _tuple(dilation, nd, "dilation", where, 1)
    pad = _tuple(padding, nd, "padding", where, 0)
    opad = _tuple(output_padding, nd, "output_padding", where, 0)
    if any(op >= s and op >= d for op, s, d in zip(opad, stride, dilation)):
        raise RuntimeError(f"{where}: output_padding must be smaller than either stride or dilation, got "
                         f"output_padding={opad}, stride={stride}, dilation={dilation}")
    if nd == 1:
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
        kernel, stride, dilation, pad, opad = ((1,) + kernel, (1,) + stride, (1,) + dilation, (0,) + pad, (0,) + opad)
    out_hw = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1
                   for n, s, p, d, k, op in zip(x.shape[2:], stride, pad, dilation, kernel, opad))
    if any(o <= 0 for o in out_hw):
        raise RuntimeError(f"{where}: input of shape {tuple(x.shape)} gives a non-positive output size {out_hw}")
    geom = (stride, (pad[0], pad[0], pad[1], pad[1]), dilation, int(groups))
    y = C.ConvTranspose2d.apply(x, weight, bias, geom, out_hw)
    if nd == 1:
        y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1,
                     _where="conv_transpose2d"):
    """Transposed 2-d convolution (the gradient of conv2d in its input); ``weight (Cin, Cout/groups, kh, kw)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.conv_transpose2d(npgrad.ones(1, 2, 3, 3), npgrad.ones(2, 4, 2, 2), stride=2).shape
    torch.Size([1, 4, 6, 6])
    """
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, 2, _where)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1,
                     _where="conv_transpose1d"):
    """Transposed 1-d convolution; ``weight (Cin, Cout/groups, k)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.conv_transpose1d(npgrad.ones(1, 2, 3), npgrad.ones(2, 1, 2)).shape
    torch.Size([1, 1, 4])
    """
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, 1, _where)


# -- pooling -------------------------------------------------------------------------------------
def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, nd, where):
    x, unbatched = _batched(input, nd, where)
    kernel = _tuple(kernel_size, nd, "kernel_size", where, 1)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else _tuple(stride, nd, "stride", where, 1)
    pad = _tuple(padding, nd, "padding", where, 0)
    dilation = _tuple(dilation, nd, "dilation", where, 1)
    if any(2 * p > d * (k - 1) + 1 for p, k, d in zip(pad, kernel, dilation)):
        raise RuntimeError(f"{where}: padding should be at most half of the effective kernel size, got "
                           f"padding={pad}, kernel_size={kernel}, dilation={dilation}")
    if nd == 1:
        x = x.unsqueeze(2)
        kernel, stride, pad, dilation = (1,) + kernel, (1,) + stride, (0,) + pad, (1,) + dilation
    pad4 = (pad[0], pad[0], pad[1], pad[1])
    out_hw = tuple(C.out_size(n, k, s, p, p, d, ceil_mode)
                   for n, k, s, p, d in zip(x.shape[2:], kernel, stride, pad, dilation))
    if any(o <= 0 for o in out_hw):
        raise RuntimeError(f"{where}: input of shape {tuple(input.shape)} is too small for kernel_size={kernel}: "
                           f"output size would be {out_hw}")
    return x, unbatched, (kernel, stride, pad4, dilation, out_hw)


def _unpool(y, nd, unbatched):
    if nd == 1:
        y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd, where):
    if isinstance(input, Tensor) and input._data.dtype.kind in "iu":
        # integers pool exactly through float64 (no gradient, as in PyTorch)
        res = _max_pool(input.double(), kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd, where)
        vals = res[0] if return_indices else res
        vals = Tensor._make(vals._data.astype(input._data.dtype), None, False, None)
        return (vals, res[1]) if return_indices else vals
    x, unbatched, geom = _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, nd, where)
    y = P.MaxPool2d.apply(x, geom)
    out = _unpool(y, nd, unbatched)
    if not return_indices:
        return out
    idx = P.max_pool_indices(y.grad_fn.loc if y.grad_fn is not None else _indices_nograd(x, geom), geom,
                             x.shape[3])
    return out, _unpool(Tensor._make(idx, None, False, None), nd, unbatched)


def _indices_nograd(x, geom):
    ctx = object.__new__(P.MaxPool2d)
    P.MaxPool2d.forward(ctx, x._data, geom)
    return ctx.loc


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False,
               _where="max_pool2d"):
    """2-d max pooling; the gradient goes to each window's first maximum.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.max_pool2d(npgrad.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, _where)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False,
               _where="max_pool1d"):
    """1-d max pooling over ``(N, C, L)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.max_pool1d(npgrad.tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[3., 2.]]])
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, _where)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd, where):
    x, unbatched, (kernel, stride, pad4, _, out_hw) = _pool_args(input, kernel_size, stride, padding, 1,
                                                                  ceil_mode, nd, where)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError(f"{where}: divisor_override must be non-zero")
        div = np.full(out_hw, divisor_override, dtype=x._data.dtype)
    else:
        div = P.avg_divisor(x.shape[2:], out_hw, kernel, stride, pad4, count_include_pad, x._data.dtype)
    y = P.AvgPool2d.apply(x, (kernel, stride, pad4, out_hw), _backend.like(x._data, div))
    return _unpool(y, nd, unbatched)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None, _where="avg_pool2d"):
    """2-d average pooling.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.avg_pool2d(npgrad.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    _check_tensor(input, "input", _where)
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2, _where)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               _where="avg_pool1d"):
    """1-d average pooling.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.avg_pool1d(npgrad.tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[2., 1.]]])
    """
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, _where)


def _adaptive_matrix(n_in, n_out, dtype):
    """``(n_out, n_in)`` averaging matrix over PyTorch's adaptive windows [floor(i*n/o), ceil((i+1)*n/o))."""
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    j = np.arange(n_in)
    m = (j >= start[:, None]) & (j < end[:, None])
    return (m / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(input, output_size, _where="adaptive_avg_pool2d"):
    """Average pooling to a fixed output size (``None`` keeps that input size).

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.adaptive_avg_pool2d(npgrad.ones(2, 3, 7, 5), (2, 1)).shape
    torch.Size([2, 3, 2, 1])
    """
    x, unbatched = _batched(input, 2, _where)
    size = (output_size, output_size) if output_size is None or isinstance(output_size, (int, np.integer)) \
        else tuple(output_size)
    size = tuple(n if o is None else o for o, n in zip(size, x.shape[2:]))
    _tuple(size, 2, "output_size", _where, 1)
    h, w = x.shape[2:]
    if size == (1, 1):
        y = x.mean((2, 3), keepdim=True)
    elif h % size[0] == 0 and w % size[1] == 0:  # equal windows: plain average pooling
        k = (h // size[0], w // size[1])
        div = np.full(size, k[0] * k[1], dtype=x._data.dtype)
        y = P.AvgPool2d.apply(x, (k, k, (0, 0, 0, 0), size), _backend.like(x._data, div))
    else:  # overlapping windows of unequal size: two small averaging matrices
        dt = x._data.dtype
        ah = Tensor._make(_backend.like(x._data, _adaptive_matrix(h, size[0], dt)), None, False, None)
        aw = Tensor._make(_backend.like(x._data, _adaptive_matrix(w, size[1], dt).T.copy()), None, False, None)
        y = ah @ x @ aw
    return y.squeeze(0) if unbatched else y


def adaptive_avg_pool1d(input, output_size, _where="adaptive_avg_pool1d"):
    """Adaptive average pooling over ``(N, C, L)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.adaptive_avg_pool1d(npgrad.ones(1, 2, 5), 2).shape
    torch.Size([1, 2, 2])
    """
    x, unbatched = _batched(input, 1, _where)
    o = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    y = adaptive_avg_pool2d(x.unsqueeze(2), (1, o), _where).squeeze(2)
    return y.squeeze(0) if unbatched else y


# -- unfold / fold (im2col / col2im as tensors) --------------------------------------------------
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks: ``(N, C, H, W)`` -> ``(N, C*kh*kw, L)``, L the number of windows.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.unfold(npgrad.ones(1, 2, 4, 4), 2).shape
    torch.Size([1, 8, 9])
    """
    where = "unfold"
    x, unbatched = _batched(input, 2, where)
    kernel = _tuple(kernel_size, 2, "kernel_size", where, 1)
    n, c = x.shape[:2]
    eye = _identity_weight(c, kernel, x._data)
    y = conv2d(x, eye, None, stride, padding, dilation, groups=c, _where=where)  # (N, C*kh*kw, Ho, Wo)
    y = y.reshape(n, c * kernel[0] * kernel[1], -1)
    return y.squeeze(0) if unbatched else y


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into an image (the adjoint of :func:`unfold`).

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.fold(npgrad.ones(1, 8, 9), (4, 4), 2).shape
    torch.Size([1, 2, 4, 4])
    """
    where = "fold"
    _check_tensor(input, "input", where)
    kernel = _tuple(kernel_size, 2, "kernel_size", where, 1)
    size = _tuple(output_size, 2, "output_size", where, 1)
    st, pd, dl = (_tuple(v, 2, nm, where, lo) for v, nm, lo in ((stride, "stride", 1), (padding, "padding", 0),
                                                                 (dilation, "dilation", 1)))
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    if x.ndim != 3 or 0 in x.shape[1:] or x.shape[1] % (kernel[0] * kernel[1]):
        raise RuntimeError(f"{where}: expected input ((N,) C*kh*kw, L) with C*kh*kw divisible by "
                           f"{kernel[0] * kernel[1]}, got shape {tuple(input.shape)}")
    n, ck, L = x.shape
    c = ck // (kernel[0] * kernel[1])
    out_hw = tuple(C.out_size(size[i], kernel[i], st[i], pd[i], pd[i], dl[i]) for i in range(2))
    if out_hw[0] * out_hw[1] != L:
        raise RuntimeError(f"{where}: input has {L} blocks but output_size={size}, kernel_size={kernel} give "
                           f"{out_hw[0]}x{out_hw[1]}")
    eye = _identity_weight(c, kernel, input._data)
    geom = (st, (pd[0], pd[0], pd[1], pd[1]), dl, c)
    y = C.ConvTranspose2d.apply(x.reshape(n, ck, *out_hw), eye, None, geom, size)
    return y.squeeze(0) if unbatched else y


def _identity_weight(c, kernel, like):
    """Grouped conv weight ``(C*kh*kw, 1, kh, kw)`` that copies each tap of each channel to its own
    output (dtype and device those of the array ``like``)."""
    k = kernel[0] * kernel[1]
    w = np.tile(np.eye(k, dtype=like.dtype).reshape(k, 1, *kernel), (c, 1, 1, 1))
    return Tensor._make(_backend.like(like, w), None, False, None)
