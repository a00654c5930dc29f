"""Layer functions of ``npgrad.nn.functional``: linear, normalisation, dropout, embedding, one_hot.

``linear`` and the normalisation core are fused primitives (one pass less over memory than the
composed ops, and they are on the hot path of every MLP).
"""
from __future__ import annotations

import numpy as np

from .. import _backend, _jit, _memory
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..ops import elementwise as E
from ..ops.index import IndexAdd
from ..ops.linalg import MatMul
from ..ops.shape import Permute, pad
from ..random import _gen_like
from ..tensor import Tensor

__all__ = ["linear", "bilinear", "batch_norm", "layer_norm", "group_norm", "dropout", "dropout1d",
           "dropout2d", "dropout3d", "embedding", "one_hot", "normalize", "pad", "cosine_similarity",
           "pairwise_distance"]


def _const(arr):
    return Tensor._make(arr, None, False, None)


# -- linear ------------------------------------------------------------------------------------------
class Linear(Function):
    """y = x W^T + b in one primitive: dx = g W, dW = g^T x, db = sum of g over the batch."""

    @staticmethod
    def forward(ctx, x, w, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        out = np.matmul(x, w.T)
        if b is not None:
            out += b  # in place: the product is a fresh array, so no extra copy
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if not state._grad:
            return _linear_grads(g._data, x, w, need)
        # create_graph: the same products as npgrad ops, so they can be differentiated again
        gx = MatMul.apply(g, w) if need[0] else None
        gw = gb = None
        if need[1] or need[2]:
            g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
            if need[1]:
                x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
                gw = MatMul.apply(Permute.apply(g2, (1, 0)), x2)
            if need[2]:
                gb = g2.sum(0)
        return gx, gw, gb


def _linear_grads(g, x, w, need):
    """The plain backward of ``Linear`` straight on arrays (no graph is being built)."""
    gx = _const(np.matmul(g, w._data)) if need[0] else None
    gw = gb = None
    if need[1] or need[2]:
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        if need[1]:
            xd = x._data
            gw = _const(np.matmul(g2.T, xd.reshape(-1, xd.shape[-1]) if xd.ndim != 2 else xd))  # g^T x, no copy
        if need[2]:
            gb = _const(_batch_sum(g2))
    return gx, gw, gb


_ONES = {}


def _batch_sum(g2):
    """``g2.sum(0)`` as the product ``ones @ g2``: BLAS's matrix-vector product is 2-3x faster
    than NumPy's column sums for batch-sized matrices (128x256: 2.1 vs 5.0 us)."""
    m, dt = g2.shape[0], g2.dtype
    if dt != np.float32 and dt != np.float64:
        return g2.sum(0)
    key = (m, dt) if type(g2) is np.ndarray else (m, dt, _backend.device_of(g2))  # (the row on g2's device)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 64:
            _ONES.clear()
        ones = _ONES[key] = np.ones_like(g2, shape=m)
    return np.matmul(ones, g2)


def linear(input, weight, bias=None):
    """y = x W^T + b, with ``weight`` of shape (out_features, in_features).

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> F.linear(npgrad.ones(2, 3), npgrad.ones(4, 3), npgrad.zeros(4)).shape
    torch.Size([2, 4])
    """
    xs, ws = input._data.shape, weight._data.shape
    if (len(ws) != 2 or not xs or xs[-1] != ws[1] or input._data.dtype != weight._data.dtype
            or (bias is not None and bias._data.shape not in ((ws[0],), ()))):
        _linear_error(input, weight, bias)
    if len(xs) == 1:
        return Linear.apply(input.unsqueeze(0), weight, bias).squeeze(0)
    return Linear.apply(input, weight, bias)


def _linear_error(input, weight, bias):
    xs, ws = tuple(input._data.shape), tuple(weight._data.shape)
    if not xs or len(ws) != 2:
        raise RuntimeError(f"linear: expected an input with at least 1 dim and a 2-D weight, got input {xs} and "
                           f"weight {ws}")
    if xs[-1] != ws[1]:
        raise RuntimeError(f"linear: input of shape {xs} has {xs[-1]} features in its last dim, but weight of shape "
                           f"{ws} expects in_features={ws[1]} (mat1 and mat2 shapes cannot be multiplied)")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"linear: input dtype {input.dtype} and weight dtype {weight.dtype} differ (mat1 and "
                           "mat2 must have the same dtype)")
    raise RuntimeError(f"linear: bias of shape {tuple(bias.shape)} does not match out_features={ws[0]}")


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T W_k x2 + b_k, with ``weight`` of shape (out, in1, in2)."""
    from ..ops.linalg import einsum
    out = einsum("ni,kij,nj->nk", input1, weight, input2)
    return out + bias if bias is not None else out


# -- normalisation ------------------------------------------------------------------------------------
class Standardize(Function):
    """(x - mean) / sqrt(var + eps) over ``axes`` (biased var).

    d/dx = invstd * (g - mean(g) - xhat * mean(g * xhat)), means over ``axes``.
    """

    @staticmethod
    def forward(ctx, x, axes, eps):
        ctx.axes, ctx.eps = axes, eps
        xa = x.astype(np.float32) if x.dtype == np.float16 else x  # float16 statistics drift: PyTorch uses float32
        mean = xa.mean(axis=axes, keepdims=True)
        xc = xa - mean
        var = np.mean(np.square(xc), axis=axes, keepdims=True)
        invstd = 1.0 / np.sqrt(var + xa.dtype.type(eps))
        xc *= invstd
        xc, invstd = xc.astype(x.dtype, copy=False), invstd.astype(x.dtype, copy=False)
        # the input and statistics, not the output (as PyTorch): the output may be modified in place
        ctx.save_for_backward(x, mean.astype(x.dtype, copy=False), invstd)
        return xc

    @staticmethod
    def backward(ctx, g):
        x, mean, invstd = ctx.saved_tensors
        axes = ctx.axes
        if state._grad:  # create_graph: make the statistics differentiable functions of x
            mean = x.mean(axes, keepdim=True)
            invstd = (x.var(axes, correction=0, keepdim=True) + ctx.eps).rsqrt()
        xhat = (x - mean) * invstd
        gm = g.mean(axes, keepdim=True)
        gxm = (g * xhat).mean(axes, keepdim=True)
        return (g - gm - xhat * gxm) * invstd, None, None


class BatchNorm(Function):
    """Training-mode batch norm in one primitive: y = w * xhat + b per channel, xhat standardised over ``axes``.

    db = sum(g), dw = sum(g xhat), dx = w invstd / M * (M g - db - xhat dw), sums over the M values of a channel.
    ``stats`` (a list) receives the batch mean and biased variance for the running statistics.

    float32/float64 arrays are seen as ``(A, C, B)`` frames in their memory order (a conv output's
    ``(C, H, W, N)`` memory is ``(1, C, H*W*N)``, NCHW memory ``(N, C, H*W)``): each reduction is one
    read of a contiguous view (``sum((x - mean)^2)`` and ``sum(g xhat)`` by einsum, no temporary),
    and results go to reused buffers in the input's memory order (with numba, ``xhat`` and the output
    are written in one pass, and so is the input gradient: :mod:`npgrad._jit`).
    """

    @staticmethod
    def forward(ctx, x, w, b, axes, eps, stats):
        ctx.axes, ctx.eps = axes, eps
        ctx.shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        fast = x.dtype in (np.float32, np.float64) and all(p is None or p.dtype == x.dtype for p in (w, b))
        ctx.frame = _frame(x) if fast else None
        if ctx.frame is None:
            mean, var, xhat, invstd, out = _bn_forward_any(x, w, b, axes, eps)
        else:
            mean, var, xhat, invstd, out = _bn_forward_frames(x, w, b, eps, ctx.frame)
        stats += [mean, var]
        ctx.save_for_backward(x, xhat, invstd.reshape(ctx.shape), w)
        return out

    @staticmethod
    def backward(ctx, g):
        x, xhat, invstd, w = ctx.saved_tensors
        axes, shape, need = ctx.axes, ctx.shape, ctx.needs_input_grad
        m = g.numel() // int(np.prod(shape))
        if not state._grad:  # plain backward on arrays
            w_ = w._data if w is not None else None
            if ctx.frame is not None and g.dtype == xhat.dtype:
                gx, gb, gw = _bn_backward_frames(g._data, xhat._data, invstd._data, w_, need[0], ctx.frame)
            else:
                gd, xh = g._data, xhat._data
                gb, gw = gd.sum(axes, keepdims=True), (gd * xh).sum(axes, keepdims=True)
                scale = invstd._data * (w_.reshape(shape) if w is not None else 1) / m
                gx = scale * (gd * m - gb - xh * gw) if need[0] else None
            gx = _const(gx) if gx is not None else None
            gb, gw = _const(gb.reshape(-1)), _const(gw.reshape(-1))
        else:  # create_graph: the same formula as npgrad ops of x, so it can be differentiated again
            xh = Standardize.apply(x, axes, ctx.eps)
            invstd = (x.var(axes, correction=0, keepdim=True) + ctx.eps).rsqrt()
            gb, gw = g.sum(axes, keepdim=True), (g * xh).sum(axes, keepdim=True)
            scale = invstd * w.reshape(shape) / m if w is not None else invstd / m
            gx = scale * (g * m - gb - xh * gw) if need[0] else None
            gb, gw = gb.reshape(-1), gw.reshape(-1)
        return gx, (gw if need[1] else None), (gb if need[2] else None), None, None, None


def _frame(a):
    """How ``a`` (N, C, ...) lies in memory: its axes in memory order, that transposition's shape
    and the ``(A, C, B)`` shape of the contiguous view; None when it is not contiguous in any order."""
    if not isinstance(a, np.ndarray):
        return None
    order = sorted(range(a.ndim), key=lambda i: -a.strides[i])
    t = a.transpose(order)
    if not t.flags.c_contiguous:
        return None
    p = order.index(1)
    return order, t.shape, (int(np.prod(t.shape[:p], dtype=np.int64)), a.shape[1], -1)


def _framed(a, frame):
    """``a``'s ``(A, C, B)`` view (a copy in ``frame``'s memory order when ``a`` lies otherwise)."""
    order, tshape, shape3 = frame
    t = a.transpose(order)
    if not t.flags.c_contiguous:
        buf = _memory.empty(tshape, a.dtype)
        buf[...] = t
        t = buf
    return t.reshape(shape3)


def _frame_buffer(frame, dtype):
    """A reused buffer in ``frame``'s memory order: the array (N, C, ...) and its (A, C, B) view."""
    order, tshape, shape3 = frame
    buf = _memory.empty(tshape, dtype)
    return buf.transpose(np.argsort(order)), buf.reshape(shape3)


def _bn_forward_frames(x, w, b, eps, frame):
    xv = _framed(x, frame)
    m = x.dtype.type(xv.shape[0] * xv.shape[2])
    (xhat, hv), (out, ov) = _frame_buffer(frame, x.dtype), _frame_buffer(frame, x.dtype)
    mean = xv.sum(axis=(0, 2)) / m
    np.subtract(xv, mean[:, None], out=hv)
    var = np.einsum("acb,acb->c", hv, hv) / m
    invstd = 1.0 / np.sqrt(var + x.dtype.type(eps))
    jit = _jit.kernels_for(x) if w is not None and b is not None else None
    if jit is not None:  # the passes below in one (npgrad._jit)
        jit.batch_norm_affine(hv, invstd, w, b, ov)
        return mean, var, xhat, invstd, out
    np.multiply(hv, invstd[:, None], out=hv)
    if w is not None:
        np.multiply(hv, w[:, None], out=ov)
    else:
        ov[...] = hv
    if b is not None:
        np.add(ov, b[:, None], out=ov)
    return mean, var, xhat, invstd, out


def _bn_forward_any(x, w, b, axes, eps):
    """Any dtype and memory layout (float16 statistics in float32, as PyTorch)."""
    xa = x.astype(np.float32) if x.dtype == np.float16 else x  # float16 statistics drift: PyTorch uses float32
    mean = xa.mean(axis=axes, keepdims=True)
    xhat = xa - mean
    var = np.mean(xhat * xhat, axis=axes, keepdims=True)
    invstd = 1.0 / np.sqrt(var + xa.dtype.type(eps))
    xhat *= invstd
    out = xhat * w.reshape(mean.shape) if w is not None else xhat.copy()
    if b is not None:
        out += b.reshape(mean.shape)
    if xa is not x:  # round once, at the end
        mean, var, xhat, invstd, out = (a.astype(x.dtype) for a in (mean, var, xhat, invstd, out))
    return mean, var, xhat, invstd, out


def _bn_backward_frames(g, xhat, invstd, w, need_dx, frame):
    """db, dw and dx = k (g - (xhat dw + db) / M), k = w invstd, on ``(A, C, B)`` frames."""
    gv, hv = _framed(g, frame), _framed(xhat, frame)
    gb, gw = gv.sum(axis=(0, 2)), np.einsum("acb,acb->c", gv, hv)
    if not need_dx:
        return None, gb, gw
    t = g.dtype.type(gv.shape[0] * gv.shape[2])
    alpha, beta = gw / t, gb / t
    k = invstd.reshape(-1) * (w if w is not None else 1)
    dx, dv = _frame_buffer(frame, g.dtype)
    jit = _jit.kernels_for(g, xhat, k)
    if jit is not None:  # the four passes below in one (npgrad._jit)
        jit.batch_norm_input_grad(gv, hv, alpha, beta, k, dv)
        return dx, gb, gw
    np.multiply(hv, alpha[:, None], out=dv)
    np.subtract(gv, dv, out=dv)
    np.subtract(dv, beta[:, None], out=dv)
    np.multiply(dv, k[:, None], out=dv)
    return dx, gb, gw


def _affine(x, weight, bias, shape):
    if weight is not None:
        x = x * weight.reshape(shape)
    if bias is not None:
        x = x + bias.reshape(shape)
    return x


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalise each channel (dim 1) over the batch (and spatial dims), then scale and shift.

    In training the batch statistics are used and ``running_mean``/``running_var`` (if given) are
    updated in place: ``r = (1 - momentum) r + momentum * stat``, with the unbiased variance.
    Otherwise the running statistics are used.

    >>> import npgrad
    >>> x = npgrad.randn(8, 3)
    >>> y = npgrad.nn.functional.batch_norm(x, None, None, training=True)
    >>> bool(y.mean(0).abs().max() < 1e-5)
    True
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dims (N, C, ...), got shape "
                         f"{tuple(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"batch_norm: {name} should contain {c} elements (the channels of input of "
                               f"shape {tuple(input.shape)}), not {tuple(t.shape)}")
    shape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        axes = (0,) + tuple(range(2, input.ndim))
        m = input.numel() // c
        if m == 0:  # an empty batch: an empty result, running statistics unchanged (as PyTorch)
            return _affine(input * 1.0, weight, bias, shape)
        if m <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape!r}")
        stats = []
        out = BatchNorm.apply(input, weight, bias, axes, eps, stats)
        _update_running(running_mean, running_var, stats[0], stats[1], m, momentum)
        return out
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in evaluation mode")
    inv = _const((1.0 / np.sqrt(running_var._data + eps)).astype(input._data.dtype, copy=False))
    scale = inv if weight is None else weight * inv
    out = (input - _const(running_mean._data.astype(input._data.dtype, copy=False)).reshape(shape)) * \
        scale.reshape(shape)
    return out + bias.reshape(shape) if bias is not None else out


def _update_running(rm, rv, mean, var, m, momentum):
    """In-place exponential average of the batch statistics (unbiased variance, as PyTorch)."""
    if rm is not None:
        rm._data *= 1 - momentum
        rm._data += (momentum * mean.reshape(-1)).astype(rm._data.dtype, copy=False)
        rm._version[0] += 1
    if rv is not None:
        rv._data *= 1 - momentum
        rv._data += (momentum * m / (m - 1) * var.reshape(-1)).astype(rv._data.dtype, copy=False)
        rv._version[0] += 1


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift elementwise.

    >>> import npgrad
    >>> y = npgrad.nn.functional.layer_norm(npgrad.randn(2, 5), (5,))
    >>> bool(y.mean(-1).abs().max() < 1e-5)
    True
    """
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if tuple(input.shape[input.ndim - k:]) != ns or input.ndim < k:
        raise RuntimeError(f"layer_norm: Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size {list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"layer_norm: {name} of shape {tuple(t.shape)} does not match normalized_shape "
                               f"{ns}")
    out = Standardize.apply(input, tuple(range(input.ndim - k, input.ndim)), eps)
    return _affine(out, weight, bias, ns)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise each sample's channels in ``num_groups`` groups, then scale/shift per channel.

    >>> import npgrad
    >>> npgrad.nn.functional.group_norm(npgrad.randn(2, 4, 3), 2).shape
    torch.Size([2, 4, 3])
    """
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected an input of at least 2 dims (N, C, ...), got shape "
                           f"{tuple(input.shape)}")
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input ({c}) to be divisible by "
                           f"num_groups ({num_groups}), input shape {tuple(input.shape)}")
    # (the group size spelled out: -1 cannot be inferred for an empty batch)
    group = c // num_groups * int(np.prod(input.shape[2:], dtype=np.int64))
    if n * group == 1:  # PyTorch's check counts the batch too (and applies it in eval mode as well)
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{[n * c // num_groups, num_groups] + list(input.shape[2:])}")
    out = Standardize.apply(input.reshape(n, num_groups, group), (2,), eps).reshape(input.shape)
    return _affine(out, weight, bias, (1, c) + (1,) * (input.ndim - 2))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim``."""
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``."""
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim."""
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


# -- dropout -------------------------------------------------------------------------------------------
def _check_p(p, who):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{who}: dropout probability has to be between 0 and 1, but got {p}")


def _drop(input, p, mask_shape, inplace):
    """Multiply by a random keep-mask scaled by 1/(1-p) (inverted dropout: eval needs no rescale)."""
    dt = input._data.dtype
    if p == 1.0:
        scale = _backend.array_module(input._data).zeros(mask_shape, dtype=dt)
    else:  # the mask is drawn where the input lives (the device's generator on an accelerator)
        keep = _gen_like(input._data).random(mask_shape, dtype=np.float32 if dt == np.float32 else np.float64) >= p
        scale = keep.astype(dt) * dt.type(1.0 / (1.0 - p))
    if inplace:
        return input._inplace(lambda x: E.Mul.apply(x, scale))
    return E.Mul.apply(input, scale)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p); identity if not training.

    >>> import npgrad
    >>> y = npgrad.nn.functional.dropout(npgrad.ones(1000), 0.5)
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    """
    _check_p(p, "dropout")
    if not training or p == 0.0:
        return input
    return _drop(input, p, input._data.shape, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, L) or (C, L) input."""
    _check_p(p, "dropout1d")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input of shape "
                           f"{tuple(input.shape)}")
    if not training or p == 0.0:
        return input
    return _drop(input, p, input._data.shape[:-1] + (1,), inplace)


def _feature_dropout(input, p, training, inplace, name, spatial):
    """PyTorch's channel dropout: one draw per (N, C) entry, any trailing dims sharing it.  Inputs of
    other ranks than (C, *spatial) / (N, C, *spatial) warn and run as PyTorch does (a 2-D input
    drops single elements, a 3-D input to dropout2d drops (N, C, L) channels)."""
    _check_p(p, name)
    nd = input.ndim
    if nd not in (spatial + 1, spatial + 2):
        import warnings
        warnings.warn(f"{name}: Received a {nd}-D input to {name}, which is deprecated and will result in an error "
                      "in a future release. To retain the behavior and silence this warning, please use dropout "
                      f"instead. Note that {name} exists to provide channel-wise dropout on inputs with {spatial} "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. "
                      f"{spatial + 1}D or {spatial + 2}D inputs).", stacklevel=3)
    if nd == 3 and spatial == 2:
        import warnings
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", stacklevel=3)
    if nd < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not training or p == 0.0:
        return input
    return _drop(input, p, input._data.shape[:2] + (1,) * (nd - 2), inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (feature maps) of an (N, C, H, W) input with probability ``p``.

    >>> import npgrad
    >>> y = npgrad.nn.functional.dropout2d(npgrad.ones(2, 8, 3, 3), 0.5)
    >>> bool(((y == 0).all(-1).all(-1) | (y == 2).all(-1).all(-1)).all())
    True
    """
    return _feature_dropout(input, p, training, inplace, "dropout2d", 2)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, D, H, W) or (C, D, H, W) input with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, "dropout3d", 3)


# -- embedding and one-hot -----------------------------------------------------------------------------
class Embedding(Function):
    """Rows of ``weight`` picked by ``idx``; the weight's gradient sums the rows' gradients."""

    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq=False):
        ctx.idx, ctx.padding_idx, ctx.wshape = idx.reshape(-1), padding_idx, weight.shape
        ctx.scale_grad_by_freq = scale_grad_by_freq
        return weight[idx]

    @staticmethod
    def backward(ctx, g):
        flat = ctx.idx
        g2 = g.reshape(flat.shape[0], -1)
        if ctx.padding_idx is not None:  # the padding row never learns
            g2 = g2 * _const((flat != ctx.padding_idx)[:, None].astype(g._data.dtype))
        if ctx.scale_grad_by_freq:  # each row's gradient divided by how often its index occurs in the batch
            counts = np.bincount(flat, minlength=ctx.wshape[0])
            g2 = g2 * _const((1.0 / counts[flat])[:, None].astype(g._data.dtype))
        return IndexAdd.apply(g2, (flat,), ctx.wshape), None, None, None


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight`` (num_embeddings, dim) for integer ``input`` of any shape.

    >>> import npgrad
    >>> w = npgrad.arange(6.0).reshape(3, 2)
    >>> npgrad.nn.functional.embedding(npgrad.tensor([[2, 0]]), w)
    tensor([[[4., 5.],
             [0., 1.]]])
    """
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: Expected tensor for argument #1 'indices' to have an integer dtype, "
                           f"got {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(f"embedding: index {bad} is out of range for an embedding table of {n} rows "
                         f"(weight shape {tuple(weight.shape)})")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


def _renorm_rows(weight, idx, max_norm, norm_type):
    """Rescale (in place, outside autograd) the looked-up rows whose norm exceeds ``max_norm``."""
    rows = np.unique(idx)
    w = weight._data
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
    weight._version[0] += 1


def one_hot(tensor, num_classes=-1):
    """Integer class indices of shape (*) to an int64 one-hot tensor of shape (*, num_classes).

    >>> import npgrad
    >>> npgrad.nn.functional.one_hot(npgrad.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    idx = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor (got "
                           f"{idx.dtype}).")
    if idx.size and idx.min() < 0:
        raise RuntimeError("one_hot: Class values must be non-negative.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("one_hot: Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    elif idx.size and idx.max() >= num_classes:
        raise RuntimeError(f"one_hot: Class values must be smaller than num_classes ({num_classes}), "
                           f"got {int(idx.max())}.")
    out = np.zeros_like(idx, shape=idx.shape + (num_classes,), dtype=np.int64)  # on idx's device
    np.put_along_axis(out, idx[..., None].astype(np.int64), 1, axis=-1)
    return _const(out)
