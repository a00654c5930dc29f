"""Pooling primitives: max pooling (gradient to each window's first maximum) and average pooling.

General path: one strided slice per kernel offset (as im2col in :mod:`npgrad.ops.conv`), with
running ``np.maximum`` and bool arithmetic for the argmax (``np.where``/``copyto(where=)`` are an
order of magnitude slower on random data).  Fast path for non-overlapping windows (kernel ==
stride, no padding or dilation, sizes divisible): reshape the image into window rows and reduce
first within each row segment, then across rows, so every NumPy loop runs over long runs of memory.

Every gradient is itself a primitive whose backward is the other member of an adjoint pair
(scatter/gather, average/spread), so double backward works.
"""
from __future__ import annotations

import numpy as np

from .. import _memory
from ..autograd.function import Function
from .conv import _geometry


def _idx_dtype(k):
    return np.uint8 if k <= 255 else np.int32


def _base(x):
    """``x (N, C, H, W)`` as a C-contiguous array with H, W last, and whether N and C are swapped in
    it: x itself, or the channel-first memory our conv outputs have.  Max pooling runs in this frame
    (it treats the two leading axes alike), so reads and writes follow memory order."""
    if x.flags.c_contiguous:
        return x, False
    xt = x.transpose(1, 0, 2, 3)
    if xt.flags.c_contiguous:
        return xt, True
    return np.ascontiguousarray(x), False


def _frame(a, swapped):
    """Between the ``(N, C, ...)`` view and the computing frame (a transpose is its own inverse)."""
    return a.transpose(1, 0, 2, 3) if swapped else a


def _fast_ok(geom, in_hw):
    kernel, stride, padding, dilation, out_hw = geom
    return (tuple(kernel) == tuple(stride) and not any(padding) and tuple(dilation) == (1, 1)
            and out_hw[0] * kernel[0] == in_hw[0] and out_hw[1] * kernel[1] == in_hw[1])


def _max_fast(b, kernel):
    """Non-overlapping windows by reshape: max over the kh rows of each window (contiguous runs of
    W), then over the kw columns.  Returns ``y`` and the argmax, in ``b``'s frame."""
    a0, a1, h, w = b.shape
    kh, kw = kernel
    ho, wo = h // kh, w // kw
    rows = b.reshape(-1, kh, w)
    if kh > 1:
        m = np.maximum(rows[:, 0], rows[:, 1], out=_memory.empty(rows.shape[:1] + rows.shape[2:], b.dtype))
    else:
        m = rows[:, 0]
    for i in range(2, kh):
        np.maximum(m, rows[:, i], out=m)
    cols = m.reshape(-1, wo, kw)
    y = _memory.empty((a0, a1, ho, wo), b.dtype)
    yf = y.reshape(-1, wo)
    if kw > 1:
        np.maximum(cols[..., 0], cols[..., 1], out=yf)
    else:
        np.copyto(yf, cols[..., 0])
    for j in range(2, kw):
        np.maximum(yf, cols[..., j], out=yf)
    del m, cols
    # first maximum in row-major window order: idx = n0 (1 + n1 (1 + ...)), n_k = (tap k != max)
    win = b.reshape(a0, a1, ho, kh, wo, kw)
    idx = _memory.empty(y.shape, _idx_dtype(kh * kw))
    idx.fill(0)
    n_k = _memory.empty(y.shape, np.bool_)
    one = idx.dtype.type(1)
    for k in reversed(range(kh * kw - 1)):
        np.not_equal(win[:, :, :, k // kw, :, k % kw], y, out=n_k)
        np.add(idx, one, out=idx)
        np.multiply(n_k, idx, out=idx)
    return y, idx


def _max_general(b, geom):
    kernel, stride, padding, dilation, out_hw = geom
    a0, a1, h, w = b.shape
    taps = [(i * kernel[1] + j, r, cl) for i, j, r, cl in
            _geometry((h, w), out_hw, kernel, stride, padding, dilation) if r[1] > r[0] and cl[1] > cl[0]]
    y = np.empty((a0, a1) + tuple(out_hw), dtype=b.dtype)
    _, r, cl = taps[0]
    if r[0] == 0 and r[1] == out_hw[0] and cl[0] == 0 and cl[1] == out_hw[1]:
        np.copyto(y, b[:, :, r[2], cl[2]])  # the first tap sees every window: no -inf fill
    else:
        y.fill(-np.inf)
    for _, (r0, r1, rs), (c0, c1, cs) in taps:  # running maximum; NaN propagates, as in PyTorch
        ysub = y[:, :, r0:r1, c0:c1]
        np.maximum(ysub, b[:, :, rs, cs], out=ysub)
    return y, _first_argmax(b, y, taps, kernel)


def _first_argmax(b, y, taps, kernel):
    """Offset number of the first tap equal to the window maximum (``idx += k * (hit and not found)``)."""
    idx = np.zeros(y.shape, dtype=_idx_dtype(kernel[0] * kernel[1]))
    found = np.zeros(y.shape, dtype=bool)
    one = idx.dtype.type
    for t, (k, (r0, r1, rs), (c0, c1, cs)) in enumerate(taps):
        sub = (slice(None), slice(None), slice(r0, r1), slice(c0, c1))
        hit = b[:, :, rs, cs] == y[sub]
        fsub = found[sub]
        if k:
            new = np.greater(hit, fsub)  # hit and not found yet
            idx[sub] += new.view(np.uint8) * one(k) if idx.dtype == np.uint8 else new * one(k)
        if t < len(taps) - 1:
            fsub |= hit
    return idx


class MaxPool2d(Function):
    """Max over each window; the gradient goes to the window's first maximum (PyTorch's tie rule).
    ``geom = (kernel, stride, padding(t, b, l, r), dilation, out_hw)``.  ``ctx.loc = (idx, swapped)``:
    each maximum's kernel offset ``i*kw + j``, in the computing frame (see :func:`_base`)."""

    @staticmethod
    def forward(ctx, x, geom):
        b, swapped = _base(x)
        y, idx = _max_fast(b, geom[0]) if _fast_ok(geom, x.shape[2:]) else _max_general(b, geom)
        ctx.geom, ctx.in_hw, ctx.loc = geom, x.shape[2:], (idx, swapped)
        return _frame(y, swapped)

    @staticmethod
    def backward(ctx, g):
        return MaxPool2dScatter.apply(g, ctx.loc, ctx.geom, ctx.in_hw), None


class MaxPool2dScatter(Function):
    """Route each output gradient to its window's maximum (the gradient of max pooling)."""

    @staticmethod
    def forward(ctx, g, loc, geom, in_hw):
        ctx.geom, ctx.loc = geom, loc
        kernel, stride, padding, dilation, out_hw = geom
        idx, swapped = loc
        gb = _frame(g, swapped)
        if not gb.flags.c_contiguous and 0 not in gb.strides:  # follow idx's memory order
            gb = np.ascontiguousarray(gb)
        shape = idx.shape[:2] + tuple(in_hw)
        overlap = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        # non-overlapping windows tiling the input write every position exactly once: no zero fill
        gx = _memory.empty(shape, g.dtype) if _fast_ok(geom, in_hw) else np.zeros(shape, dtype=g.dtype)
        for i, j, (r0, r1, rs), (c0, c1, cs) in _geometry(in_hw, out_hw, kernel, stride, padding, dilation):
            if r1 <= r0 or c1 <= c0:
                continue
            hit = idx[:, :, r0:r1, c0:c1] == i * kernel[1] + j
            if overlap:
                gx[:, :, rs, cs] += gb[:, :, r0:r1, c0:c1] * hit
            else:  # disjoint windows: each input position is written by one tap only
                np.multiply(gb[:, :, r0:r1, c0:c1], hit, out=gx[:, :, rs, cs])
        return _frame(gx, swapped)

    @staticmethod
    def backward(ctx, gg):
        return MaxPool2dGather.apply(gg, ctx.loc, ctx.geom), None, None, None


class MaxPool2dGather(Function):
    """Pick, for each window, the input value at its maximum's position (adjoint of the scatter)."""

    @staticmethod
    def forward(ctx, x, loc, geom):
        kernel, stride, padding, dilation, out_hw = geom
        idx, swapped = loc
        xb = _frame(x, swapped)
        y = np.zeros(idx.shape, dtype=x.dtype)
        for i, j, (r0, r1, rs), (c0, c1, cs) in _geometry(xb.shape[2:], out_hw, kernel, stride, padding, dilation):
            if r1 > r0 and c1 > c0:
                np.copyto(y[:, :, r0:r1, c0:c1], xb[:, :, rs, cs], where=idx[:, :, r0:r1, c0:c1] == i * kernel[1] + j)
        ctx.geom, ctx.loc, ctx.in_hw = geom, loc, xb.shape[2:]
        return _frame(y, swapped)

    @staticmethod
    def backward(ctx, g):
        return MaxPool2dScatter.apply(g, ctx.loc, ctx.geom, ctx.in_hw), None, None


def max_pool_indices(loc, geom, in_w):
    """Flat input index ``h*W + w`` of each window's maximum (``return_indices=True``), ``(N, C, Ho, Wo)``."""
    kernel, stride, padding, dilation, out_hw = geom
    idx, swapped = loc
    ho = np.arange(out_hw[0])[:, None] * stride[0] - padding[0]
    wo = np.arange(out_hw[1])[None, :] * stride[1] - padding[2]
    idx = idx.astype(np.int64)
    hh = ho + (idx // kernel[1]) * dilation[0]
    ww = wo + (idx % kernel[1]) * dilation[1]
    return _frame(hh * in_w + ww, swapped)


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
        b, swapped = _base(x)
        y = np.zeros(b.shape[:2] + tuple(out_hw), dtype=x.dtype)
        for i, j, (r0, r1, rs), (c0, c1, cs) in _geometry(b.shape[2:], out_hw, kernel, stride, padding, (1, 1)):
            if r1 > r0 and c1 > c0:
                y[:, :, r0:r1, c0:c1] += b[:, :, rs, cs]
        y /= div
        ctx.geom, ctx.div, ctx.in_hw = geom, div, b.shape[2:]
        return _frame(y, swapped)

    @staticmethod
    def backward(ctx, g):
        return AvgPool2dScatter.apply(g, ctx.geom, ctx.div, ctx.in_hw), None, None


class AvgPool2dScatter(Function):
    """Gradient of average pooling: spread ``g / div`` over each window (adjoint of AvgPool2d)."""

    @staticmethod
    def forward(ctx, g, geom, div, in_hw):
        kernel, stride, padding, out_hw = geom
        gd, swapped = _base(g / div)
        gx = np.zeros(gd.shape[:2] + tuple(in_hw), dtype=g.dtype)
        for i, j, (r0, r1, rs), (c0, c1, cs) in _geometry(in_hw, out_hw, kernel, stride, padding, (1, 1)):
            if r1 > r0 and c1 > c0:
                gx[:, :, rs, cs] += gd[:, :, r0:r1, c0:c1]
        ctx.geom, ctx.div = geom, div
        return _frame(gx, swapped)

    @staticmethod
    def backward(ctx, gg):
        return AvgPool2d.apply(gg, ctx.geom, ctx.div), None, None, None
