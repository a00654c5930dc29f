"""Pooling primitives: max pooling (gradient to each window's first maximum) and average pooling.

Frames.  Pooling computes on a C-contiguous ``(A, H, W, B)`` array, where ``(A, B)`` is the batch
and channel axes in memory order: ``(C, N)`` for the ``(C, H, W, N)`` memory of our conv outputs
(see :mod:`npgrad.ops.conv`), ``(N*C, 1)`` for the usual layout, ``(N, C)`` for channels-last.  So
no layout is copied, and with our conv outputs every loop runs over whole rows of the batch.

General path: one strided slice per kernel offset (as im2col), with running ``np.maximum`` and
bool arithmetic for the argmax (``np.where``/``copyto(where=)`` are an order of magnitude slower on
random data).  Fast path for non-overlapping windows (kernel == stride, no padding or dilation,
sizes divisible): reshape into window rows and reduce across the rows of each window first (long
contiguous runs), then across its columns.

Every gradient is itself a primitive whose backward is the other member of an adjoint pair
(scatter/gather, average/spread), so double backward works.  Device arrays (CuPy) take the same
NumPy-function passes, on arrays made by their own array module; the compiled 2x2 kernels are CPU-only.
"""
from __future__ import annotations

import numpy as np

from .. import _backend, _jit, _memory
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor
from .conv import _geometry, contiguous
from .unary import Relu


def _idx_dtype(k):
    return np.uint8 if k <= 255 else np.int32


def _to_frame(x):
    """``x (N, C, H, W)`` -> ``(frame (A, H, W, B), kind)``: a view of ``x``'s memory when it is in one
    of the three layouts, else a copy in the usual one."""
    n, c, h, w = x.shape
    if x.flags.c_contiguous:
        return x.reshape(n * c, h, w, 1), "nchw"
    t = x.transpose(1, 2, 3, 0)
    if t.flags.c_contiguous:
        return t, "chwn"
    t = x.transpose(0, 2, 3, 1)
    if t.flags.c_contiguous:
        return t, "nhwc"
    return contiguous(x).reshape(n * c, h, w, 1), "nchw"


def _as_frame(g, kind):
    """``g (N, C, h, w)`` in the frame ``kind`` (a view where the layout allows, else a copy)."""
    n, c, h, w = g.shape
    t = g.transpose(1, 2, 3, 0) if kind == "chwn" else g.transpose(0, 2, 3, 1) if kind == "nhwc" else g
    if not t.flags.c_contiguous and 0 not in t.strides:  # loops then follow memory order
        t = t.copy()
    return t if kind != "nchw" else t.reshape(n * c, h, w, 1)


def _from_frame(y, kind, n, c):
    """The ``(N, C, h, w)`` view of a frame array."""
    if kind == "chwn":
        return y.transpose(3, 0, 1, 2)
    if kind == "nhwc":
        return y.transpose(0, 3, 1, 2)
    return y.reshape(n, c, y.shape[1], y.shape[2])


#: the compiled pooling kernels vectorise over the frame's last axis (the batch in our conv layout,
#: the channels in channels-last); shorter than this, NumPy's passes are faster (measured with the
#: usual layout, where that axis has length 1: 4.3 against 11 ms for 128x32x28x28)
_LANES = 16


def _fast_ok(geom, in_hw):
    kernel, stride, padding, dilation, out_hw = geom
    return (tuple(kernel) == tuple(stride) and not any(padding) and tuple(dilation) == (1, 1)
            and out_hw[0] * kernel[0] == in_hw[0] and out_hw[1] * kernel[1] == in_hw[1])


def _max_fast(b, kernel):
    """Non-overlapping windows by reshape: max over the kh rows of each window (runs of ``W*B``),
    then over its kw columns.  Returns ``y`` and the argmax, in ``b``'s frame."""
    a, h, w, bb = b.shape
    kh, kw = kernel
    ho, wo = h // kh, w // kw
    jit = _jit.kernels_for(b) if (kh, kw) == (2, 2) and bb >= _LANES else None
    if jit is not None:  # one compiled pass (npgrad._jit); the NumPy passes below are the reference
        y = _memory.empty((a, ho, wo, bb), b.dtype)
        idx = _memory.empty(y.shape, np.uint8)
        jit.max_pool_2x2(b.reshape(a * ho, 2, wo, 2, bb), y.reshape(a * ho, wo, bb), idx.reshape(a * ho, wo, bb))
        return y, idx
    rows = b.reshape(a * ho, kh, w * bb)
    if kh > 1:
        m = np.maximum(rows[:, 0], rows[:, 1], out=_memory.empty((a * ho, w * bb), b.dtype, like=b))
    else:
        m = rows[:, 0]
    for i in range(2, kh):
        np.maximum(m, rows[:, i], out=m)
    cols = m.reshape(a * ho, wo, kw, bb)
    y = _memory.empty((a, ho, wo, bb), b.dtype, like=b)
    yf = y.reshape(a * ho, wo, bb)
    if kw > 1:
        np.maximum(cols[:, :, 0], cols[:, :, 1], out=yf)
    else:
        np.copyto(yf, cols[:, :, 0])
    for j in range(2, kw):
        np.maximum(yf, cols[:, :, j], out=yf)
    del m, cols
    # first maximum in row-major window order: idx = n0 (1 + n1 (1 + ...)), n_k = (tap k != max)
    win = b.reshape(a, ho, kh, wo, kw, bb)
    idx = _memory.empty(y.shape, _idx_dtype(kh * kw), like=b)
    idx.fill(0)
    n_k = _memory.empty(y.shape, np.bool_, like=b)
    one = idx.dtype.type(1)
    for k in reversed(range(kh * kw - 1)):
        np.not_equal(win[:, :, k // kw, :, k % kw], y, out=n_k)
        np.add(idx, one, out=idx)
        np.multiply(n_k, idx, out=idx)
    return y, idx


def _taps(in_hw, geom):
    kernel, stride, padding, dilation, out_hw = geom
    return [(i * kernel[1] + j, r, c) for i, j, r, c in
            _geometry(in_hw, out_hw, kernel, stride, padding, dilation) if r[1] > r[0] and c[1] > c[0]]


def _max_general(b, geom):
    kernel, out_hw = geom[0], geom[4]
    taps = _taps(b.shape[1:3], geom)
    xp = _backend.array_module(b)
    y = xp.empty((b.shape[0],) + tuple(out_hw) + (b.shape[3],), dtype=b.dtype)
    if not taps:  # every window lies in the padding (PyTorch: -inf)
        y.fill(-np.inf)
        return y, xp.zeros(y.shape, dtype=_idx_dtype(kernel[0] * kernel[1]))
    _, r, cl = taps[0]
    if r[0] == 0 and r[1] == out_hw[0] and cl[0] == 0 and cl[1] == out_hw[1]:
        np.copyto(y, b[:, r[2], cl[2]])  # the first tap sees every window: no -inf fill
    else:
        y.fill(-np.inf)
    for _, (r0, r1, rs), (c0, c1, cs) in taps:  # running maximum; NaN propagates, as in PyTorch
        ysub = y[:, r0:r1, c0:c1]
        np.maximum(ysub, b[:, rs, cs], out=ysub)
    return y, _first_argmax(b, y, taps, kernel)


def _first_argmax(b, y, taps, kernel):
    """Offset number of the first tap equal to the window maximum (``idx += k * (hit and not found)``)."""
    xp = _backend.array_module(y)
    idx = xp.zeros(y.shape, dtype=_idx_dtype(kernel[0] * kernel[1]))
    found = xp.zeros(y.shape, dtype=bool)
    one = idx.dtype.type
    for t, (k, (r0, r1, rs), (c0, c1, cs)) in enumerate(taps):
        sub = (slice(None), slice(r0, r1), slice(c0, c1))
        hit = b[:, rs, cs] == y[sub]
        fsub = found[sub]
        if k:
            new = np.greater(hit, fsub)  # hit and not found yet
            idx[sub] += new.view(np.uint8) * one(k) if idx.dtype == np.uint8 else new * one(k)
        if t < len(taps) - 1:
            fsub |= hit
    return idx


class MaxPool2d(Function):
    """Max over each window; the gradient goes to the window's first maximum (PyTorch's tie rule).
    ``geom = (kernel, stride, padding(t, b, l, r), dilation, out_hw)``.  ``ctx.loc = (idx, kind, n,
    c)``: each maximum's kernel offset ``i*kw + j``, in the computing frame (see :func:`_to_frame`)."""

    @staticmethod
    def forward(ctx, x, geom):
        b, kind = _to_frame(x)
        y, idx = _max_fast(b, geom[0]) if _fast_ok(geom, x.shape[2:]) else _max_general(b, geom)
        n, c = x.shape[:2]
        ctx.geom, ctx.in_hw, ctx.loc = geom, x.shape[2:], (idx, kind, n, c)
        ctx.save_for_backward()  # (the indices count as saved: a second backward needs retain_graph)
        return _from_frame(y, kind, n, c)

    @staticmethod
    def backward(ctx, g):
        ctx.saved_tensors  # noqa: B018 - raises after the graph was freed, as PyTorch
        relu = ctx._next[0]
        # (not when the gradient reaching the ReLU's output is looked at: hooks, autograd.grad)
        if (type(relu) is Relu and not state.recording_any and not relu._hooks
                and (state.captured is None or id(relu) not in state.captured)):
            gx = _scatter_through_relu(g._data, ctx, relu)
            if gx is not None:
                relu._masked = gx  # tells ReLU's backward that its mask is applied already
                return Tensor._make(gx, None, False, None), None
        return MaxPool2dScatter.apply(g, ctx.loc, ctx.geom, ctx.in_hw), None

    @staticmethod
    def jvp(ctx, a, t, out):
        return MaxPool2dGather.forward(_Ctx(), t[0], ctx.loc, ctx.geom)  # the tangent at each maximum


class _Ctx:
    """A throwaway ctx for running a primitive's forward on tangents."""


def _scatter_through_relu(g, ctx, relu):
    """The pooling gradient with the ReLU mask of the pooled activation applied in the same pass
    (compiled kernels, 2x2 windows); None when that does not apply.

    Pooling a ReLU's output is the notes' conv block (conv, ReLU, pool).  The ReLU's gradient
    ``g * (out > 0)`` is then a second full pass over a gradient that is zero at 3 of every 4
    positions; here it costs one read of ``out``.  The mask is 0/1, so applying it twice is
    harmless: when the ReLU's output also feeds other ops, ReLU's backward masks the sum as usual."""
    out = getattr(relu, "_out_data", None)
    idx, kind, n, c = ctx.loc
    if (out is None or type(out) is not np.ndarray or tuple(ctx.geom[0]) != (2, 2) or not _fast_ok(ctx.geom, ctx.in_hw)
            or out.shape != (n, c) + tuple(ctx.in_hw)):
        return None
    b, kind2 = _to_frame(out)
    jit = _jit.kernels_for(b, g) if kind2 == kind and b.shape[3] >= _LANES else None
    if jit is None:
        return None
    gx = _memory.empty(b.shape, g.dtype)
    a, ho, wo, bb = idx.shape
    jit.max_pool_2x2_relu_grad(np.ascontiguousarray(_as_frame(g, kind)).reshape(a * ho, wo, bb),
                               idx.reshape(a * ho, wo, bb), b.reshape(a * ho, 2, wo, 2, bb),
                               gx.reshape(a * ho, 2, wo, 2, bb))
    return _from_frame(gx, kind, n, c)


class MaxPool2dScatter(Function):
    """Route each output gradient to its window's maximum (the gradient of max pooling)."""

    @staticmethod
    def forward(ctx, g, loc, geom, in_hw):
        ctx.geom, ctx.loc = geom, loc
        kernel, stride, padding, dilation, out_hw = geom
        idx, kind, n, c = loc
        gb = _as_frame(g, kind)
        shape = (idx.shape[0],) + tuple(in_hw) + (idx.shape[3],)
        overlap = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        # non-overlapping windows tiling the input write every position exactly once: no zero fill
        fast = _fast_ok(geom, in_hw)
        gx = _memory.empty(shape, g.dtype, like=g) if fast else _backend.array_module(g).zeros(shape, dtype=g.dtype)
        jit = _jit.kernels_for(gx) if fast and tuple(kernel) == (2, 2) and idx.shape[3] >= _LANES else None
        if jit is not None:  # one compiled pass (npgrad._jit)
            a, ho, wo, bb = idx.shape
            jit.max_pool_2x2_grad(np.ascontiguousarray(gb).reshape(a * ho, wo, bb), idx.reshape(a * ho, wo, bb),
                                  gx.reshape(a * ho, 2, wo, 2, bb))
            return _from_frame(gx, kind, n, c)
        for k, (r0, r1, rs), (c0, c1, cs) in _taps(in_hw, geom):
            hit = idx[:, r0:r1, c0:c1] == k
            if overlap:
                gx[:, rs, cs] += gb[:, r0:r1, c0:c1] * hit
            else:  # disjoint windows: each input position is written by one tap only
                np.multiply(gb[:, r0:r1, c0:c1], hit, out=gx[:, rs, cs])
        return _from_frame(gx, kind, n, c)

    @staticmethod
    def backward(ctx, gg):
        return MaxPool2dGather.apply(gg, ctx.loc, ctx.geom), None, None, None


class MaxPool2dGather(Function):
    """Pick, for each window, the input value at its maximum's position (adjoint of the scatter)."""

    @staticmethod
    def forward(ctx, x, loc, geom):
        idx, kind, n, c = loc
        xb = _as_frame(x, kind)
        y = _backend.array_module(x).zeros(idx.shape, dtype=x.dtype)
        for k, (r0, r1, rs), (c0, c1, cs) in _taps(xb.shape[1:3], geom):
            np.copyto(y[:, r0:r1, c0:c1], xb[:, rs, cs], where=idx[:, r0:r1, c0:c1] == k)
        ctx.geom, ctx.loc, ctx.in_hw = geom, loc, xb.shape[1:3]
        return _from_frame(y, kind, n, c)

    @staticmethod
    def backward(ctx, g):
        return MaxPool2dScatter.apply(g, ctx.loc, ctx.geom, ctx.in_hw), None, None


def max_pool_indices(loc, geom, in_w):
    """Flat input index ``h*W + w`` of each window's maximum (``return_indices=True``), ``(N, C, Ho, Wo)``."""
    kernel, stride, padding, dilation, out_hw = geom
    idx, kind, n, c = loc
    xp = _backend.array_module(idx)
    ho = (xp.arange(out_hw[0]) * stride[0] - padding[0])[:, None, None]
    wo = (xp.arange(out_hw[1]) * stride[1] - padding[2])[None, :, None]
    idx = idx.astype(np.int64)
    hh = ho + (idx // kernel[1]) * dilation[0]
    ww = wo + (idx % kernel[1]) * dilation[1]
    return contiguous(_from_frame(hh * in_w + ww, kind, n, c))


# -- average pooling -----------------------------------------------------------------------------
def avg_divisor(in_hw, out_hw, kernel, stride, padding, count_include_pad, dtype):
    """Per-output divisor ``(Ho, Wo)`` of average pooling, with PyTorch's padding rules."""
    counts = []
    for n, o, k, s, p0, p1 in zip(in_hw, out_hw, kernel, stride, padding[0::2], padding[1::2]):
        start = np.arange(o) * s - p0
        end = np.minimum(start + k, n + p1)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(np.minimum(end, n) - np.maximum(start, 0))
    return (counts[0][:, None] * counts[1][None, :]).astype(dtype)


class AvgPool2d(Function):
    """Window sums divided by ``div (Ho, Wo)``; ``geom = (kernel, stride, padding, out_hw)``."""

    @staticmethod
    def forward(ctx, x, geom, div):
        kernel, stride, padding, out_hw = geom
        b, kind = _to_frame(x)
        y = _backend.array_module(x).zeros((b.shape[0],) + tuple(out_hw) + (b.shape[3],), dtype=x.dtype)
        for i, j, (r0, r1, rs), (c0, c1, cs) in _geometry(b.shape[1:3], out_hw, kernel, stride, padding, (1, 1)):
            if r1 > r0 and c1 > c0:
                y[:, r0:r1, c0:c1] += b[:, rs, cs]
        y /= div[:, :, None]
        ctx.geom, ctx.div, ctx.in_hw = geom, div, b.shape[1:3]
        return _from_frame(y, kind, *x.shape[:2])

    @staticmethod
    def backward(ctx, g):
        return AvgPool2dScatter.apply(g, ctx.geom, ctx.div, ctx.in_hw), None, None

    @staticmethod
    def jvp(ctx, a, t, out):
        return AvgPool2d.forward(_Ctx(), t[0], a[1], a[2])  # linear: the same pooling of the tangent


class AvgPool2dScatter(Function):
    """Gradient of average pooling: spread ``g / div`` over each window (adjoint of AvgPool2d)."""

    @staticmethod
    def forward(ctx, g, geom, div, in_hw):
        kernel, stride, padding, out_hw = geom
        gd, kind = _to_frame(g / div)
        gx = _backend.array_module(g).zeros((gd.shape[0],) + tuple(in_hw) + (gd.shape[3],), dtype=g.dtype)
        for i, j, (r0, r1, rs), (c0, c1, cs) in _geometry(in_hw, out_hw, kernel, stride, padding, (1, 1)):
            if r1 > r0 and c1 > c0:
                gx[:, rs, cs] += gd[:, r0:r1, c0:c1]
        ctx.geom, ctx.div = geom, div
        return _from_frame(gx, kind, *g.shape[:2])

    @staticmethod
    def backward(ctx, gg):
        return AvgPool2d.apply(gg, ctx.geom, ctx.div), None, None, None
