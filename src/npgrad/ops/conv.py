"""Convolution primitives: im2col/col2im over strided slices, one GEMM per chunk of the batch.

Layout.  A batch ``x`` of shape ``(N, C, H, W)`` is read through its channel-first view
``(C, N, H, W)``.  im2col copies, for each of the ``kh*kw`` kernel offsets, one strided slice of
that view into ``cols[:, i, j]`` of a C-contiguous ``(C, kh, kw, N, Ho, Wo)`` buffer, which is the
matrix ``(C*kh*kw, N*Ho*Wo)`` with the whole batch folded into its columns.  Then

* forward         ``y = W (O, C*kh*kw) @ cols``           -> ``(O, N*Ho*Wo)``
* weight gradient ``gW = gy (O, N*Ho*Wo) @ cols.T``
* input gradient  ``dcols = W.T @ gy``, then col2im (one strided ``+=`` per kernel offset); with
  stride 1 instead a conv of ``gy`` with the flipped kernel (im2col + a GEMM with a long inner
  dimension, measured faster than the short-inner GEMM + col2im)

The batch is processed in chunks of about ``CHUNK_BYTES`` of ``cols`` so that the buffer im2col
fills is still in cache when the GEMM reads it (measured: ~1.4x faster than one batch-wide
buffer); cols are rebuilt for the weight gradient rather than kept (no 9x-input-sized saved state).

PyTorch's weight layout ``(O, C, kh, kw)`` is already the row-major ``(O, C*kh*kw)`` matrix, so no
weight is transposed or copied (the bias rides along as one extra column against a row of ones).  The GEMM result ``(O, N, Ho, Wo)`` is returned through the
transposed view ``(N, O, Ho, Wo)``: channel-first memory flows to the next layer (elementwise ops
keep it, and im2col, pooling and the next GEMM read it without a transpose copy).

Padding never materialises a padded copy: each kernel offset touches only the output positions
whose tap lands inside the input ("clipped ranges"), the rest of its ``cols`` slice is zeroed.

Every backward is written with these primitives (conv input gradient = transposed conv and vice
versa, weight gradient its own primitive), so double backward works.  Pooling: :mod:`npgrad.ops.pool`.
"""
from __future__ import annotations

import numpy as np

from .. import _memory
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor


# -- geometry ------------------------------------------------------------------------------------
def out_size(n_in, k, s, p0, p1, d, ceil_mode=False):
    """Output length of a sliding window: floor((n + p0 + p1 - d*(k-1) - 1) / s) + 1."""
    span = n_in + p0 + p1 - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    n = -(-span // s) + 1
    if (n - 1) * s >= n_in + p0:  # the last window must start inside the input or left padding
        n -= 1
    return n


def _taps(n_in, n_out, k, s, p, d):
    """For each kernel offset ``i``: ``(o0, o1, in_slice)``, the output range ``[o0, o1)`` whose tap
    ``o*s + i*d - p`` lies inside ``[0, n_in)`` and the matching strided input slice."""
    taps = []
    for i in range(k):
        off = i * d - p
        o0 = min(max(0, -(off // s)), n_out)
        o1 = max(min(n_out, (n_in - 1 - off) // s + 1), o0)
        start = o0 * s + off
        taps.append((o0, o1, slice(start, start + (o1 - o0 - 1) * s + 1, s) if o1 > o0 else slice(0, 0)))
    return taps


def _geometry(in_hw, out_hw, kernel, stride, padding, dilation):
    """All kernel offsets ``(i, j)`` with their clipped output ranges and input slices."""
    rows = _taps(in_hw[0], out_hw[0], kernel[0], stride[0], padding[0], dilation[0])
    cols = _taps(in_hw[1], out_hw[1], kernel[1], stride[1], padding[2], dilation[1])
    return [(i, j, r, c) for i, r in enumerate(rows) for j, c in enumerate(cols)]


def _full(tap, n_out, n_in):
    """True when one tap covers every output position with every input position (stride-1 centre)."""
    o0, o1, sl = tap
    return o0 == 0 and o1 == n_out and n_out == n_in and sl.step == 1


def channel_first(x):
    """``(N, C, H, W)`` -> C-contiguous ``(C, N, H, W)``; free for our conv outputs (already stored so)."""
    xt = x.transpose(1, 0, 2, 3)
    return xt if xt.flags.c_contiguous else np.ascontiguousarray(xt)


# -- im2col / col2im -----------------------------------------------------------------------------
def im2col(x, kernel, stride, padding, dilation, out_hw, out=None):
    """``x (N, C, H, W)`` -> ``cols (C, kh, kw, N, Ho, Wo)``: one strided copy per kernel offset."""
    n, c, h, w = x.shape
    ho, wo = out_hw
    xt = x.transpose(1, 0, 2, 3)
    cols = np.empty((c, kernel[0], kernel[1], n, ho, wo), dtype=x.dtype) if out is None else out
    flat = stride == (1, 1) and (ho, wo) == (h, w)
    for i, j, (r0, r1, rs), (c0, c1, cs) in _geometry((h, w), out_hw, kernel, stride, padding, dilation):
        dst = cols[:, i, j]
        if flat:
            _shifted_copy(dst, xt, (i * dilation[0] - padding[0]) * w + j * dilation[1] - padding[2])
        else:
            dst[:, :, r0:r1, c0:c1] = xt[:, :, rs, cs]
        if r0 > 0 or r1 < ho or c0 > 0 or c1 < wo:  # taps falling into the zero padding
            dst[:, :, :r0] = 0
            dst[:, :, r1:] = 0
            dst[:, :, :, :c0] = 0
            dst[:, :, :, c1:] = 0
    return cols


def _shifted_copy(dst, src, shift):
    """``dst[..., k] = src[..., k + shift]`` over each flattened ``H*W`` plane (same-size stride-1 taps).

    A tap's valid window is the whole plane shifted by ``di*W + dj``; copying the flattened planes
    gives NumPy inner loops of ``H*W`` elements instead of ``W``.  Positions that wrapped across a
    row or plane edge are exactly those in the padding rows/columns, zeroed by the caller."""
    c, n, h, w = src.shape
    hw = h * w
    d, s = dst.reshape(c, n, hw), src.reshape(c, n, hw)
    if shift >= 0:
        d[:, :, :hw - shift] = s[:, :, shift:]
        d[:, :, hw - shift:] = 0
    else:
        d[:, :, -shift:] = s[:, :, :hw + shift]
        d[:, :, :-shift] = 0


def col2im(cols, in_hw, kernel, stride, padding, dilation, out=None):
    """Adjoint of :func:`im2col`: ``cols (C, kh, kw, N, Ho, Wo)`` -> ``(C, N, H, W)`` where each
    input position receives the sum over all windows that read it (overlaps accumulate)."""
    c, _, _, n, ho, wo = cols.shape
    h, w = in_hw
    geo = _geometry(in_hw, (ho, wo), kernel, stride, padding, dilation)
    if out is None:
        out = np.empty((c, n, h, w), dtype=cols.dtype)
    # start from a tap that covers the whole output (stride-1 centre tap): saves a zero fill and a pass
    first = next((g for g in geo if _full(g[2], h, ho) and _full(g[3], w, wo)), None)
    if first is not None:
        np.copyto(out, cols[:, first[0], first[1]])
    else:
        out.fill(0)
    for g in geo:
        if g is first:
            continue
        i, j, (r0, r1, rs), (c0, c1, cs) = g
        if r1 > r0 and c1 > c0:
            out[:, :, rs, cs] += cols[:, i, j, :, r0:r1, c0:c1]
    return out


#: bytes of im2col buffer per chunk of the batch: small enough to stay in cache between the
#: copy that fills it and the GEMM that reads it, large enough for an efficient GEMM
CHUNK_BYTES = 8 << 20


def _chunks(n, bytes_per_item):
    step = int(max(1, min(n, CHUNK_BYTES // max(1, bytes_per_item))))
    return [(s, min(n, s + step)) for s in range(0, n, step)]


def _gemm(a, b, groups, trans_a=False, trans_b=False, out=None):
    """``op(a) @ op(b)`` for each of ``groups`` row blocks; one BLAS call when ``groups == 1``."""
    if groups == 1:
        return np.matmul(a.T if trans_a else a, b.T if trans_b else b, out=out)
    a = a.reshape(groups, a.shape[0] // groups, -1)
    b = b.reshape(groups, b.shape[0] // groups, -1)
    r = np.matmul(a.transpose(0, 2, 1) if trans_a else a, b.transpose(0, 2, 1) if trans_b else b)
    r = r.reshape(-1, r.shape[-1])
    if out is None:
        return r
    out[...] = r
    return out


def _as_nchw(y_cf):
    """``(C, N, H, W)`` memory seen as ``(N, C, H, W)``."""
    return y_cf.transpose(1, 0, 2, 3)


# -- convolution primitives ----------------------------------------------------------------------
def conv_forward(x, w, b, geom, keep_cols=False):
    """``y (O, N, Ho, Wo)`` = W @ im2col(x) (+ b), over cache-sized chunks of the batch.

    With ``keep_cols`` (and one group) the chunks are written into one batch-wide matrix that is
    returned too, ``(y, cols)``: the weight gradient reuses it instead of rebuilding it.  When a bias
    is folded in, ``cols`` ends with the row of ones, so ``gy @ cols.T`` yields the bias gradient as
    its last column."""
    stride, padding, dilation, groups = geom
    o, _, kh, kw = w.shape
    n, c, h, wd = x.shape
    ho = out_size(h, kh, stride[0], padding[0], padding[1], dilation[0])
    wo = out_size(wd, kw, stride[1], padding[2], padding[3], dilation[1])
    k, p = c * kh * kw, ho * wo
    y = _memory.empty((o, n, ho, wo), x.dtype)
    w2, y2 = w.reshape(o, -1), y.reshape(o, n * p)
    # the bias rides in the GEMM as an extra column of W against a row of ones under the cols
    # (saves a pass over the output); grouped convs add it afterwards
    fold = b is not None and groups == 1
    if fold:
        w2 = np.concatenate([w2, b[:, None].astype(w2.dtype, copy=False)], axis=1)
    keep = keep_cols and groups == 1
    chunks = _chunks(n, k * p * x.itemsize)
    step = chunks[0][1]
    # kept: the whole matrix; else one chunk-sized buffer reused by every chunk
    buf = _memory.empty((k + fold, (n if keep else step) * p), x.dtype)
    if fold:
        buf[k:] = 1
    for n0, n1 in chunks:
        part = buf[:, n0 * p:n1 * p] if keep else buf[:, :(n1 - n0) * p]
        im2col(x[n0:n1], (kh, kw), stride, padding, dilation, (ho, wo),
               out=part[:k].reshape(c, kh, kw, n1 - n0, ho, wo))
        _gemm(w2, part, groups, out=y2[:, n0 * p:n1 * p])
    if b is not None and not fold:
        y2 += b[:, None]
    return (y, buf) if keep else y


def _as_stride1_conv(w, geom, in_hw, gy_hw):
    """With stride 1 the transposed conv is a plain conv of ``gy`` with the kernel flipped and its
    channel axes swapped, padded by ``d*(k-1) - p``.  im2col + one GEMM with a long inner dimension
    is cheaper than the GEMM with short inner dimension + col2im.  None when not applicable."""
    stride, padding, dilation, groups = geom
    cin, cog, kh, kw = w.shape
    pads = (dilation[0] * (kh - 1) - padding[0], dilation[0] * (kh - 1) - padding[1],
            dilation[1] * (kw - 1) - padding[2], dilation[1] * (kw - 1) - padding[3])
    if stride != (1, 1) or min(pads) < 0:
        return None
    if (gy_hw[0] + pads[0] + pads[1] - dilation[0] * (kh - 1), gy_hw[1] + pads[2] + pads[3] - dilation[1] * (kw - 1)) \
            != tuple(in_hw):
        return None
    wf = w.reshape(groups, cin // groups, cog, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
    return np.ascontiguousarray(wf).reshape(cog * groups, cin // groups, kh, kw), (stride, pads, dilation, groups)


def conv_input_grad(gy, w, b, geom, in_hw):
    """Transposed conv: col2im(W.T @ gy) (+ b) as ``(C, N, H, W)``, over chunks of the batch."""
    flipped = _as_stride1_conv(w, geom, in_hw, gy.shape[2:])
    if flipped is not None:
        return conv_forward(gy, flipped[0], b, flipped[1])
    stride, padding, dilation, groups = geom
    cin, cog, kh, kw = w.shape
    n, _, ho, wo = gy.shape
    gcf = channel_first(gy)
    cout, p = cog * groups, ho * wo
    out = np.empty((cout, n) + tuple(in_hw), dtype=gy.dtype)
    w2 = w.reshape(cin, -1)
    for n0, n1 in _chunks(n, cout * kh * kw * p * gy.itemsize):
        dcols = _gemm(w2, gcf[:, n0:n1].reshape(cin, -1), groups, trans_a=True)
        col2im(dcols.reshape(cout, kh, kw, n1 - n0, ho, wo), in_hw, (kh, kw), stride, padding, dilation,
               out=out[:, n0:n1])
    if b is not None:
        out += b[:, None, None, None]
    return out


def conv_weight_grad(x, gy, geom, kernel):
    """``gW = gy @ im2col(x).T`` summed over chunks of the batch, ``(O, C/groups, kh, kw)``."""
    stride, padding, dilation, groups = geom
    n, c = x.shape[:2]
    o, ho, wo = gy.shape[1:]
    gcf = channel_first(gy)
    k, p = c * kernel[0] * kernel[1], ho * wo
    gw = None
    buf = None
    for n0, n1 in _chunks(n, k * p * x.itemsize):
        buf = im2col(x[n0:n1], kernel, stride, padding, dilation, (ho, wo),
                     out=None if buf is None or buf.shape[3] != n1 - n0 else buf)
        part = _gemm(gcf[:, n0:n1].reshape(o, -1), buf.reshape(k, -1), groups, trans_b=True)
        gw = part if gw is None else np.add(gw, part, out=gw)
    return gw.reshape(o, c // groups, *kernel)


class Conv2d(Function):
    """``y = conv2d(x, w) + b``; geometry ``(stride, padding(t, b, l, r), dilation, groups)``.

    Forward keeps its im2col matrix when the weight gradient is wanted (plain backward then needs
    one GEMM, which also yields the bias gradient); a backward that builds a graph
    (``create_graph``) uses the differentiable :class:`Conv2dWeight` instead."""

    @staticmethod
    def forward(ctx, x, w, b, geom):
        need = ctx.needs_input_grad
        ctx.geom, ctx.in_hw = geom, x.shape[2:]
        res = conv_forward(x, w, b, geom, keep_cols=need[1])
        y, cols = res if type(res) is tuple else (res, None)
        ctx.save_for_backward(x if need[1] else None, w if need[0] or need[1] else None, cols)
        return _as_nchw(y)

    @staticmethod
    def backward(ctx, g):
        x, w, cols = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvTranspose2d.apply(g, w, None, ctx.geom, ctx.in_hw) if need[0] else None
        gw = gb = None
        if cols is not None and not state.grad_enabled:
            o = w.shape[0]
            k = w.data[0].size
            full = np.matmul(channel_first(g.data).reshape(o, -1), cols.data.T)  # (O, K [+ 1 for the bias])
            if need[1]:
                gw = Tensor._make(np.ascontiguousarray(full[:, :k]).reshape(w.shape), None, False, None)
            if need[2]:
                gb = Tensor._make(full[:, k].copy() if full.shape[1] > k else g.data.sum((0, 2, 3)), None, False, None)
            return gx, gw, gb, None
        if need[1]:
            gw = Conv2dWeight.apply(x, g, ctx.geom, w.shape[2:])
        if need[2]:
            gb = g.sum((0, 2, 3))
        return gx, gw, gb, None


class ConvTranspose2d(Function):
    """Transposed convolution: the adjoint of :class:`Conv2d` in its input.  ``x (N, Cin, H, W)``,
    ``w (Cin, Cout/groups, kh, kw)``; ``out_hw`` is the size of the (conv-)input it produces."""

    @staticmethod
    def forward(ctx, x, w, b, geom, out_hw):
        need = ctx.needs_input_grad
        ctx.geom, ctx.kernel, ctx.x_hw = geom, w.shape[2:], x.shape[2:]
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        return _as_nchw(conv_input_grad(x, w, b, geom, out_hw))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gx = Conv2d.apply(g, w, None, ctx.geom)
            if tuple(gx.shape[2:]) != ctx.x_hw:  # output_padding >= stride (allowed when < dilation)
                gx = gx[:, :, :ctx.x_hw[0], :ctx.x_hw[1]]
        if need[1]:
            gw = Conv2dWeight.apply(g, x, ctx.geom, ctx.kernel)
        if need[2]:
            gb = g.sum((0, 2, 3))
        return gx, gw, gb, None, None


class Conv2dWeight(Function):
    """Gradient of conv2d in its weight: ``gW = gy @ im2col(x).T`` per group (bilinear in x, gy)."""

    @staticmethod
    def forward(ctx, x, gy, geom, kernel):
        need = ctx.needs_input_grad
        ctx.geom, ctx.in_hw = geom, x.shape[2:]
        ctx.save_for_backward(x if need[1] else None, gy if need[0] else None)
        return conv_weight_grad(x, gy, geom, kernel)

    @staticmethod
    def backward(ctx, ggw):
        x, gy = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvTranspose2d.apply(gy, ggw, None, ctx.geom, ctx.in_hw) if need[0] else None
        ggy = Conv2d.apply(x, ggw, None, ctx.geom) if need[1] else None
        return gx, ggy, None, None
