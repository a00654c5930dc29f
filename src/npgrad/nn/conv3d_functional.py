"""3-d convolution and pooling, and max unpooling, on top of the 2-d machinery.

A 3-d window is a stack of 2-d windows, so each 3-d op runs the 2-d primitive once and handles the
depth axis with a gather of the depth taps:

- ``conv3d``: the depth taps of every output depth are stacked into channels (``C * kD``), and one
  ``conv2d`` with the weight reshaped to ``(O, C/groups * kD, kH, kW)`` does the rest.
- ``conv_transpose3d``: one ``conv_transpose2d`` per input depth with ``kD`` stacked into the
  output channels, whose depth taps are then added where they land (an index-add).
- ``max_pool3d``: a ``max_pool2d`` over (H, W), then a max over the depth taps (max is separable).
- ``avg_pool3d``: 2-d window sums, then a sum over the depth taps, divided by PyTorch's divisor
  (the product of the per-axis window sizes, which is what PyTorch counts).

Gradients come from the primitives used (conv2d, pooling, indexing, max), nothing new to derive.

>>> import npgrad, npgrad.nn.functional as F
>>> F.conv3d(npgrad.ones(1, 2, 4, 4, 4), npgrad.ones(3, 2, 3, 3, 3)).shape
torch.Size([1, 3, 2, 2, 2])
"""
from __future__ import annotations

import numpy as np

from .. import _backend
from ..ops import conv as C
from ..ops import pool as P
from ..ops.elementwise import cast
from ..ops.shape import pad as _pad
from ..tensor import Tensor
from . import conv_functional as F2

__all__ = ["conv3d", "conv_transpose3d", "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "max_unpool1d", "max_unpool2d",
           "max_unpool3d"]


def _const(arr, like):
    """A constant tensor of the host array ``arr``, on the device of the tensor ``like``."""
    return Tensor._make(_backend.like(like._data, arr), None, False, None)


def _depth_taps(x, n_out, k, s, d):
    """``x (N, C, D, ...)`` -> ``(N, C, n_out, k, ...)``: the k depth taps of each output depth."""
    idx = np.arange(n_out)[:, None] * s + np.arange(k)[None, :] * d
    return x[:, :, _const(idx.astype(np.int64), x)]


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, _where="conv3d"):
    """3-d convolution of ``input (N, C, D, H, W)`` with ``weight (O, C/groups, kD, kH, kW)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.conv3d(npgrad.ones(1, 1, 3, 3, 3), npgrad.ones(1, 1, 3, 3, 3), padding=1)[0, 0, 1, 1, 1]
    tensor(27.)
    """
    x, unbatched = F2._batched(input, 3, _where)
    F2._check_dtypes(_where, x, ("weight", weight), ("bias", bias))
    if weight.ndim != 5:
        raise RuntimeError(f"{_where}: weight must be 5-D (out_channels, in_channels/groups, kD, kH, kW), got "
                           f"shape {tuple(weight.shape)}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{_where}: groups must be a positive int, got {groups!r}")
    o, cg, kd = weight.shape[:3]
    if cg * groups != x.shape[1]:
        raise RuntimeError(f"{_where}: given groups={groups}, weight of shape {tuple(weight.shape)} expects input "
                           f"{tuple(x.shape)} to have {cg * groups} channels, but got {x.shape[1]} channels")
    stride = F2._tuple(stride, 3, "stride", _where, 1)
    dilation = F2._tuple(dilation, 3, "dilation", _where, 1)
    if isinstance(padding, str):
        pads = F2.conv_padding(padding, tuple(weight.shape[2:]), stride, dilation, _where)
    else:
        pads = tuple(p for q in F2._tuple(padding, 3, "padding", _where, 0) for p in (q, q))
    n, c, depth = x.shape[:3]
    d_out = C.out_size(depth, kd, stride[0], pads[0], pads[1], dilation[0])
    h_out = C.out_size(x.shape[3], weight.shape[3], stride[1], pads[2], pads[3], dilation[1])
    w_out = C.out_size(x.shape[4], weight.shape[4], stride[2], pads[4], pads[5], dilation[2])
    F2._check_size(_where, tuple(x.shape[2:]), tuple(weight.shape[2:]), pads, dilation, (d_out, h_out, w_out))
    # depth and the asymmetric ('same') paddings are explicit; the 2-d conv then runs unpadded
    xp = _pad(x, (pads[4], pads[5], pads[2], pads[3], pads[0], pads[1]))
    taps = _depth_taps(xp, d_out, kd, stride[0], dilation[0])          # (N, C, Do, kD, H, W)
    hp, wp = taps.shape[-2:]
    cols = taps.permute(0, 2, 1, 3, 4, 5).reshape(n * d_out, c * kd, hp, wp)
    w2 = weight.reshape(o, cg * kd, weight.shape[3], weight.shape[4])
    y = F2.conv2d(cols, w2, bias, stride[1:], 0, dilation[1:], groups, _where=_where)
    y = y.reshape(n, d_out, o, h_out, w_out).permute(0, 2, 1, 3, 4)
    return y.squeeze(0) if unbatched else y


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1,
                     _where="conv_transpose3d"):
    """Transposed 3-d convolution (the gradient of conv3d in its input); ``weight (Cin, Cout/groups, kD, kH, kW)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.conv_transpose3d(npgrad.ones(1, 2, 3, 3, 3), npgrad.ones(2, 4, 2, 2, 2), stride=2).shape
    torch.Size([1, 4, 6, 6, 6])
    """
    from ..ops.index import IndexAdd
    x, unbatched = F2._batched(input, 3, _where)
    F2._check_dtypes(_where, x, ("weight", weight), ("bias", bias))
    if weight.ndim != 5:
        raise RuntimeError(f"{_where}: weight must be 5-D (in_channels, out_channels/groups, kD, kH, kW), got "
                           f"shape {tuple(weight.shape)}")
    cin, cg, kd = weight.shape[:3]
    if not isinstance(groups, (int, np.integer)) or groups < 1 or cin % groups:
        raise ValueError(f"{_where}: groups must be a positive int dividing in_channels={cin}, got {groups!r}")
    if cin != x.shape[1]:
        raise RuntimeError(f"{_where}: weight of shape {tuple(weight.shape)} expects input {tuple(x.shape)} to have "
                           f"{cin} channels, but got {x.shape[1]} channels")
    cout = cg * groups
    if bias is not None and tuple(bias.shape) != (cout,):
        raise RuntimeError(f"{_where}: bias must have shape ({cout},), got {tuple(bias.shape)}")
    stride = F2._tuple(stride, 3, "stride", _where, 1)
    dilation = F2._tuple(dilation, 3, "dilation", _where, 1)
    pad = F2._tuple(padding, 3, "padding", _where, 0)
    opad = F2._tuple(output_padding, 3, "output_padding", _where, 0)
    if any(op >= s and op >= d for op, s, d in zip(opad, stride, dilation)):
        raise RuntimeError(f"{_where}: output_padding must be smaller than either stride or dilation, got "
                         f"output_padding={opad}, stride={stride}, dilation={dilation}")
    n, _, depth, h, w = x.shape
    full = (depth - 1) * stride[0] + dilation[0] * (kd - 1) + 1 + opad[0]  # depth before the padding is cut
    if full - 2 * pad[0] <= 0:
        raise RuntimeError(f"{_where}: input of shape {tuple(x.shape)} gives a non-positive output depth "
                           f"{full - 2 * pad[0]}")
    w2 = weight.reshape(cin, cg * kd, weight.shape[3], weight.shape[4])
    z = F2.conv_transpose2d(x.permute(0, 2, 1, 3, 4).reshape(n * depth, cin, h, w), w2, None, stride[1:], pad[1:],
                            opad[1:], groups, dilation[1:], _where=_where)
    ho, wo = z.shape[-2:]
    z = z.reshape(n, depth, cout, kd, ho, wo).permute(0, 2, 1, 3, 4, 5)     # (N, Cout, D, kD, Ho, Wo)
    land = _backend.like(x._data, np.arange(depth)[:, None] * stride[0] + np.arange(kd)[None, :] * dilation[0])
    y = IndexAdd.apply(z, (slice(None), slice(None), land), (n, cout, full, ho, wo))[:, :, pad[0]:full - pad[0]]
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1, 1)
    return y.squeeze(0) if unbatched else y


def _pool3_args(input, kernel_size, stride, padding, dilation, where, ints_ok=False):
    if ints_ok and isinstance(input, Tensor) and input._data.dtype.kind in "iu":
        x, unbatched = F2._batched(input.double(), 3, where)
    else:
        x, unbatched = F2._batched(input, 3, where)
    kernel = F2._tuple(kernel_size, 3, "kernel_size", where, 1)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else F2._tuple(stride, 3, "stride", where, 1)
    pad = F2._tuple(padding, 3, "padding", where, 0)
    dilation = F2._tuple(dilation, 3, "dilation", where, 1)
    if any(2 * p > d * (k - 1) + 1 for p, k, d in zip(pad, kernel, dilation)):
        raise RuntimeError(f"{where}: pad should be at most half of effective kernel size, but got pad={pad}, "
                         f"kernel_size={kernel} and dilation={dilation}")
    return x, unbatched, kernel, stride, pad, dilation


def _depth_padded(y, d_out, k, s, p, d, fill):
    """Pad depth by ``p`` in front and enough behind for ``d_out`` windows (ceil_mode may need more)."""
    back = max(p, (d_out - 1) * s + (k - 1) * d + 1 - y.shape[2] - p)
    if fill == 0:
        return _pad(y, (0, 0, 0, 0, p, back))
    n, c, depth, h, w = y.shape
    xp = _backend.array_module(y._data)
    filler = Tensor._make(xp.full((n, c, p, h, w), fill, dtype=y._data.dtype), None, False, None)
    tail = Tensor._make(xp.full((n, c, back, h, w), fill, dtype=y._data.dtype), None, False, None)
    from ..ops.shape import cat
    return cat([filler, y, tail], 2)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False,
               _where="max_pool3d"):
    """3-d max pooling over ``(N, C, D, H, W)``; integer tensors pool too (without gradient).

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.max_pool3d(npgrad.arange(8.).reshape(1, 1, 2, 2, 2), 2).flatten()
    tensor([7.])
    """
    int_dtype = input.dtype if isinstance(input, Tensor) and input._data.dtype.kind in "iu" else None
    x, unbatched, kernel, stride, pad, dil = _pool3_args(input, kernel_size, stride, padding, dilation, _where, True)
    n, c, depth, h, w = x.shape
    d_out = C.out_size(depth, kernel[0], stride[0], pad[0], pad[0], dil[0], ceil_mode)
    y2, i2 = F2.max_pool2d(x.reshape(n, c * depth, h, w), kernel[1:], stride[1:], pad[1:], dil[1:], ceil_mode,
                           True, _where=_where)
    ho, wo = y2.shape[-2:]
    if d_out < 1:  # (the height and width are checked by max_pool2d)
        raise RuntimeError(f"{_where}: Given input size: ({c}x{depth}x{h}x{w}). Calculated output size: "
                           f"({c}x{d_out}x{ho}x{wo}). Output size is too small")
    y = _depth_padded(y2.reshape(n, c, depth, ho, wo), d_out, kernel[0], stride[0], pad[0], dil[0], -np.inf)
    values, kd = _depth_taps(y, d_out, kernel[0], stride[0], dil[0]).max(3)
    if int_dtype is not None:
        values = cast(values.detach(), int_dtype)
    out = values.squeeze(0) if unbatched else values
    if not return_indices:
        return out
    xp = _backend.array_module(kd._data)
    d_src = xp.arange(d_out)[:, None, None] * stride[0] - pad[0] + kd._data * dil[0]   # (N, C, Do, Ho, Wo)
    hw = np.take_along_axis(i2._data.reshape(n, c, depth, ho, wo), np.clip(d_src, 0, depth - 1), axis=2)
    idx = Tensor._make((d_src * h * w + hw).astype(np.int64), None, False, None)
    return out, (idx.squeeze(0) if unbatched else idx)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None, _where="avg_pool3d"):
    """3-d average pooling over ``(N, C, D, H, W)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.avg_pool3d(npgrad.arange(8.).reshape(1, 1, 2, 2, 2), 2).flatten()
    tensor([3.5000])
    """
    x, unbatched, kernel, stride, pad, _ = _pool3_args(input, kernel_size, stride, padding, 1, _where)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{_where}: divisor must be not zero")
    n, c, depth, h, w = x.shape
    if depth < kernel[0] or h < kernel[1] or w < kernel[2]:  # (PyTorch's check ignores the padding)
        raise RuntimeError(f"{_where}: input image (T: {depth} H: {h} W: {w}) smaller than kernel size "
                           f"(kT: {kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    outs = [C.out_size(m, k, s, p, p, 1, ceil_mode) for m, k, s, p in zip((depth, h, w), kernel, stride, pad)]
    sums = F2.avg_pool2d(x.reshape(n, c * depth, h, w), kernel[1:], stride[1:], pad[1:], ceil_mode, True,
                         divisor_override=1, _where=_where)
    y = _depth_padded(sums.reshape(n, c, depth, outs[1], outs[2]), outs[0], kernel[0], stride[0], pad[0], 1, 0)
    total = _depth_taps(y, outs[0], kernel[0], stride[0], 1).sum(3)
    if divisor_override is not None:
        div = np.full(outs, divisor_override, dtype=x._data.dtype)
    else:
        dd = P.avg_divisor((depth, 1), (outs[0], 1), (kernel[0], 1), (stride[0], 1), (pad[0], pad[0], 0, 0),
                           count_include_pad, np.float64)[:, 0]
        dhw = P.avg_divisor((h, w), outs[1:], kernel[1:], stride[1:], (pad[1], pad[1], pad[2], pad[2]),
                            count_include_pad, np.float64)
        div = (dd[:, None, None] * dhw[None]).astype(x._data.dtype)
    out = total / _const(div, x)
    return out.squeeze(0) if unbatched else out


def adaptive_avg_pool3d(input, output_size, _where="adaptive_avg_pool3d"):
    """Average pooling of ``(N, C, D, H, W)`` to a fixed output size (``None`` keeps that size): PyTorch's
    adaptive windows are separable, one averaging matrix per axis (``interpolate(mode='area')``).

    >>> import npgrad, npgrad.nn.functional as F
    >>> F.adaptive_avg_pool3d(npgrad.ones(1, 2, 5, 6, 7), (1, 2, 3)).shape
    torch.Size([1, 2, 1, 2, 3])
    """
    from .interp_functional import interpolate
    x, unbatched = F2._batched(input, 3, _where)
    size = (output_size,) * 3 if output_size is None or isinstance(output_size, (int, np.integer)) \
        else tuple(output_size)
    size = F2._tuple(tuple(n if o is None else o for o, n in zip(size, x.shape[2:])), 3, "output_size", _where, 1)
    y = interpolate(x, size=size, mode="area")
    return y.squeeze(0) if unbatched else y


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd, where):
    if not isinstance(indices, Tensor) or indices._data.dtype.kind not in "iu":
        raise RuntimeError(f"{where}: indices must be an int64 tensor, got "
                           f"{indices.dtype if isinstance(indices, Tensor) else type(indices).__name__}")
    x, unbatched = F2._batched(input, nd, where)
    idx = indices.unsqueeze(0) if unbatched else indices
    if tuple(idx.shape) != tuple(x.shape):
        raise RuntimeError(f"{where}: Expected shape of indices to be same as that of the input tensor "
                           f"({tuple(x.shape)}) but got indices tensor with shape: {tuple(idx.shape)}")
    kernel = F2._tuple(kernel_size, nd, "kernel_size", where, 1)
    stride = kernel if stride is None else F2._tuple(stride, nd, "stride", where, 1)
    pad = F2._tuple(padding, nd, "padding", where, 0)
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(x.shape[2:], stride, pad, kernel))
    if output_size is None:
        size = default
    else:
        size = tuple(output_size)[-nd:]
        if len(size) != nd or any(not (d - s < o < d + s) for o, d, s in zip(size, default, stride)):
            raise ValueError(f"{where}: invalid output_size {tuple(output_size)} (expected {nd} sizes close to "
                             f"{default})")
    n, c = x.shape[:2]
    m = int(np.prod(size))
    flat = idx.reshape(n, c, -1)
    if flat.numel() and (int(flat._data.min()) < 0 or int(flat._data.max()) >= m):
        raise RuntimeError(f"{where}: Found an invalid max index: {int(flat._data.max())} (output volumes are of "
                           f"size {'x'.join(map(str, size))})")
    zeros = Tensor._make(_backend.array_module(x._data).zeros((n, c, m), dtype=x._data.dtype), None, False, None)
    y = zeros.scatter(2, flat, x.reshape(n, c, -1)).reshape((n, c) + size)
    return y.squeeze(0) if unbatched else y


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool1d``: each value goes back where ``indices`` says, zeros elsewhere.

    >>> import npgrad, npgrad.nn.functional as F
    >>> y, i = F.max_pool1d(npgrad.tensor([[[1., 3., 2., 0.]]]), 2, return_indices=True)
    >>> F.max_unpool1d(y, i, 2)
    tensor([[[0., 3., 2., 0.]]])
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool2d(..., return_indices=True)``: values back at their flat (h * W + w)
    positions, zeros elsewhere.

    >>> import npgrad, npgrad.nn.functional as F
    >>> y, i = F.max_pool2d(npgrad.arange(16.).reshape(1, 1, 4, 4), 2, return_indices=True)
    >>> F.max_unpool2d(y, i, 2)[0, 0, 1]
    tensor([0., 5., 0., 7.])
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool3d(..., return_indices=True)``.

    >>> import npgrad, npgrad.nn.functional as F
    >>> y, i = F.max_pool3d(npgrad.arange(8.).reshape(1, 1, 2, 2, 2), 2, return_indices=True)
    >>> F.max_unpool3d(y, i, 2).flatten()
    tensor([0., 0., 0., 0., 0., 0., 0., 7.])
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")
