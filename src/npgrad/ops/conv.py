"""Convolution primitives: im2col over strided slices, one GEMM per chunk of output rows.

Layout.  Inside this module (and :mod:`npgrad.ops.pool`) an image batch lives as a C-contiguous
``(C, H, W, N)`` array, the batch innermost, and is handed out as the ``(N, C, H, W)`` view of that
memory.  With the batch innermost every copy and comparison runs over long contiguous rows (a whole
image row of the batch, ``W*N`` values, or a whole plane), where the usual ``(N, C, H, W)`` memory
gives NumPy inner loops of one image row (measured: 2.4x faster row maxima in pooling, 2.6x
faster column maxima).  A tensor in the usual layout is converted once on the way in.

im2col copies, for each of the ``kh*kw`` kernel offsets, one strided slice of ``x`` into
``cols[:, i, j]`` of a C-contiguous ``(C, kh, kw, Ho, Wo, N)`` buffer: the matrix
``(C*kh*kw, Ho*Wo*N)`` with the whole batch folded into its columns.  Then

* forward         ``y = W (O, C*kh*kw) @ cols``           -> ``(O, Ho*Wo*N)``, i.e. ``(O, Ho, Wo, N)``
* weight gradient ``gW = gy (O, Ho*Wo*N) @ cols.T`` (and the bias gradient from the same GEMM)
* input gradient  ``dcols = W.T @ gy``, then col2im (one strided ``+=`` per kernel offset); with
  stride 1 instead a conv of ``gy`` with the flipped kernel (im2col + a GEMM with a long inner
  dimension, measured faster than the short-inner GEMM + col2im)

The work is done in chunks of output rows of about ``CHUNK_BYTES`` of ``cols`` so that the buffer
im2col fills is still in cache when the GEMM reads it; a forward whose weight gradient is wanted
keeps the whole matrix for backward instead of rebuilding it.

PyTorch's weight layout ``(O, C, kh, kw)`` is already the row-major ``(O, C*kh*kw)`` matrix, so no
weight is transposed or copied (the bias rides along as one extra column against a row of ones).

Padding never materialises a padded copy: each kernel offset touches only the output positions
whose tap lands inside the input ("clipped ranges"), the rest of its ``cols`` slice is zeroed.

Every backward is written with these primitives (conv input gradient = transposed conv and vice
versa, weight gradient its own primitive), so double backward works.  Pooling: :mod:`npgrad.ops.pool`.

On a device (CuPy) the same code runs on device arrays: buffers come from the input's array module,
the compiled kernels (:mod:`npgrad._jit`) and the reused host buffers (:mod:`npgrad._memory`) stay
out of it, and there is one chunk: im2col of all output rows, then one large GEMM (cuBLAS).
"""
from __future__ import annotations

import numpy as np

from .. import _backend, _jit, _memory
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


def _clip(tap, a, b):
    """A tap's output range ``[o0, o1)`` and input slice restricted to the output rows ``[a, b)``."""
    o0, o1, sl = tap
    lo, hi = max(o0, a), min(o1, b)
    if hi <= lo:
        return lo, lo, slice(0, 0)
    start = sl.start + (lo - o0) * sl.step
    return lo, hi, slice(start, start + (hi - lo - 1) * sl.step + 1, sl.step)


def contiguous(a):
    """``a`` as a C-contiguous array on its device (``a`` itself when it is one already)."""
    return a if a.flags.c_contiguous else a.copy()


def to_chwn(x):
    """``(N, C, H, W)`` -> C-contiguous ``(C, H, W, N)``; free for our conv and pool outputs."""
    return contiguous(x.transpose(1, 2, 3, 0))


def as_nchw(y):
    """``(C, H, W, N)`` memory seen as ``(N, C, H, W)``."""
    return y.transpose(3, 0, 1, 2)


# -- im2col / col2im -----------------------------------------------------------------------------
def im2col(xt, kernel, stride, padding, dilation, out_hw, rows=None, out=None):
    """``xt (C, H, W, N)`` -> ``cols (C, kh, kw, R, Wo, N)`` for the output rows ``rows = (a, b)``
    (all by default, ``R = b - a``): one strided copy per kernel offset."""
    c, h, w, n = xt.shape
    ho, wo = out_hw
    a, b = rows if rows is not None else (0, ho)
    if out is None:
        out = _backend.array_module(xt).empty((c, kernel[0], kernel[1], b - a, wo, n), dtype=xt.dtype)
    cols = out
    flat = stride == (1, 1) and (ho, wo) == (h, w)
    for i, j, rtap, (c0, c1, cs) in _geometry((h, w), out_hw, kernel, stride, padding, dilation):
        dst = cols[:, i, j]
        r0, r1, rs = _clip(rtap, a, b)
        if flat:
            shift = ((i * dilation[0] - padding[0]) * w + j * dilation[1] - padding[2]) * n
            _shifted_copy(dst, xt, a * w * n + shift)
        else:
            dst[:, r0 - a:r1 - a, c0:c1] = xt[:, rs, cs]
            dst[:, :r0 - a] = 0
            dst[:, r1 - a:] = 0
        if c0 > 0 or c1 < wo:  # columns falling into the zero padding (also wrapped ones when flat)
            dst[:, :, :c0] = 0
            dst[:, :, c1:] = 0
    return cols


def _shifted_copy(dst, src, start):
    """``dst.flat[k] = src.flat[start + k]`` per channel plane, zero where that runs off the plane.

    For a same-size stride-1 conv a tap's window over a block of output rows is the flattened
    ``(H, W, N)`` plane read from an offset: one copy with inner loops of whole planes.  Rows that
    run off the plane are the padding rows (zeroed here); columns that wrapped across a row edge
    are the padding columns, zeroed by the caller."""
    c = src.shape[0]
    plane = src[0].size
    d = dst.reshape(c, -1)
    s = src.reshape(c, plane)
    m = d.shape[1]
    lo, hi = max(0, -start), min(m, plane - start)
    if hi <= lo:
        d[:] = 0
        return
    d[:, lo:hi] = s[:, start + lo:start + hi]
    d[:, :lo] = 0
    d[:, hi:] = 0


def col2im(cols, in_hw, out_hw, kernel, stride, padding, dilation, out, rows=None):
    """Adjoint of :func:`im2col`: add ``cols (C, kh, kw, R, Wo, N)`` (the output rows ``rows``, all
    by default) into ``out (C, H, W, N)``; each input position receives the sum over all windows
    that read it."""
    a, b = rows if rows is not None else (0, out_hw[0])
    jit = _jit.kernels_for(cols, out) if cols.flags.c_contiguous and out.flags.c_contiguous else None
    if jit is not None:  # one compiled pass (npgrad._jit); the strided adds below are the reference
        jit.col2im_add(cols, out, a, stride[0], stride[1], padding[0], padding[2], dilation[0], dilation[1])
        return out
    for i, j, rtap, (c0, c1, cs) in _geometry(in_hw, out_hw, kernel, stride, padding, dilation):
        r0, r1, rs = _clip(rtap, a, b)
        if r1 > r0 and c1 > c0:
            out[:, rs, cs] += cols[:, i, j, r0 - a:r1 - a, c0:c1]
    return out


#: bytes added to each row of an im2col matrix on the CPU (see :func:`conv_forward`)
_PAD = 64

#: bytes of im2col buffer per chunk of output rows: small enough to stay in cache between the
#: copy that fills it and the GEMM that reads it, large enough for an efficient GEMM
CHUNK_BYTES = 8 << 20


def _chunks(n, bytes_per_item, like):
    """Ranges of output rows to work on at a time: cache-sized on the CPU; on a device all at once
    (one large GEMM keeps the accelerator busy; its memory, not a cache, is the limit)."""
    if type(like) is not np.ndarray:
        return [(0, n)]
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


def _gemm_nt(a, b):
    """``a (m, K) @ b (n, K).T`` for a long reduction ``K`` (the weight gradient's sum over all output
    positions), both operands C-contiguous along ``K``.

    On the CPU this is computed as ``(b @ a.T).T`` (a view): OpenBLAS runs that orientation faster
    (measured, 1 thread: 95 -> 113 GFLOP/s for 64 x 25088 . 25088 x 289, 96 -> 109 for the
    ResNet-style 64 x 32768 . 32768 x 576).  With a tiny result (``m*n <= 1024``, e.g. the first conv of
    a grayscale net) the reduction is split into chunks of about ``2**20 / (m*n)`` that are summed,
    each small enough for OpenBLAS's small-matrix kernels (measured 32 x 100352 . 100352 x 10:
    35 -> 62 GFLOP/s)."""
    if type(a) is not np.ndarray:
        return a @ b.T
    m, n, k = a.shape[0], b.shape[0], a.shape[1]
    if m * n > 1024:
        return np.matmul(b, a.T).T
    kc = 1 << max(8, (2 ** 20 // (m * n)).bit_length() - 1)
    out = np.matmul(b[:, :kc], a[:, :kc].T)
    tmp = np.empty_like(out)
    for s in range(kc, k, kc):
        np.add(out, np.matmul(b[:, s:s + kc], a[:, s:s + kc].T, out=tmp), out=out)
    return out.T


# -- convolution primitives ----------------------------------------------------------------------
def conv_forward(x, w, b, geom, keep_cols=False):
    """``y (O, Ho, Wo, N)`` = W @ im2col(x) (+ b), over cache-sized chunks of output rows.

    With ``keep_cols`` (and one group) the chunks are written into one batch-wide matrix that is
    returned too, ``(y, cols)``: the weight gradient reuses it instead of rebuilding it.  When a bias
    is folded in, ``cols`` ends with the row of ones, so ``gy @ cols.T`` yields the bias gradient as
    its last column."""
    stride, padding, dilation, groups = geom
    o, _, kh, kw = w.shape
    n, c, h, wd = x.shape
    xt = to_chwn(x)
    ho = out_size(h, kh, stride[0], padding[0], padding[1], dilation[0])
    wo = out_size(wd, kw, stride[1], padding[2], padding[3], dilation[1])
    k, q = c * kh * kw, wo * n  # q: columns per output row
    y = _memory.empty((o, ho, wo, n), x.dtype, like=x)
    w2, y2 = w.reshape(o, -1), y.reshape(o, ho * q)
    # the bias rides in the GEMM as an extra column of W against a row of ones under the cols
    # (saves a pass over the output); grouped convs add it afterwards
    fold = b is not None and groups == 1
    if fold:
        w2 = np.concatenate([w2, b[:, None].astype(w2.dtype, copy=False)], axis=1)
    keep = keep_cols and groups == 1
    chunks = _chunks(ho, k * q * x.itemsize, x)
    step = chunks[0][1]
    # kept: the whole matrix; else one chunk-sized buffer reused by every chunk.  On the CPU its rows
    # are padded by 64 bytes: row lengths are often multiples of 4 KiB, and a GEMM reading rows a power
    # of two apart thrashes the cache (measured 114 -> 135 GFLOP/s for the ResNet-style forward)
    width = (ho if keep else step) * q
    pad = _PAD // x.itemsize if type(x) is np.ndarray else 0
    buf = _memory.empty((k + fold, width + pad), x.dtype, like=x)[:, :width]
    if fold:
        buf[k:] = 1
    for r0, r1 in chunks:
        part = buf[:, r0 * q:r1 * q] if keep else buf[:, :(r1 - r0) * q]
        im2col(xt, (kh, kw), stride, padding, dilation, (ho, wo), rows=(r0, r1),
               out=part[:k].reshape(c, kh, kw, r1 - r0, wo, n))
        _gemm(w2, part, groups, out=y2[:, r0 * q:r1 * q])
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
    return contiguous(wf).reshape(cog * groups, cin // groups, kh, kw), (stride, pads, dilation, groups)


def conv_input_grad(gy, w, b, geom, in_hw):
    """Transposed conv: col2im(W.T @ gy) (+ b) as ``(C, H, W, N)``, over chunks of ``gy``'s rows.

    With stride 1 and NumPy's strided adds for col2im, the flipped-kernel conv is faster; with the
    compiled col2im (npgrad._jit) the GEMM + col2im is (it copies half as much: ``C*kh*kw`` rows of
    columns instead of ``O*kh*kw``; measured 7.4 -> 5.6 ms for the notes' second conv)."""
    n, _, ho, wo = gy.shape
    stride, padding, dilation, groups = geom
    cin, cog, kh, kw = w.shape
    cout, q = cog * groups, wo * n
    jit = _jit.kernels_for(gy, w)
    flipped = _as_stride1_conv(w, geom, in_hw, gy.shape[2:]) if jit is None else None
    if flipped is not None:
        return conv_forward(gy, flipped[0], b, flipped[1])
    gt = to_chwn(gy).reshape(cin, -1)
    out = _memory.empty((cout,) + tuple(in_hw) + (n,), gy.dtype, like=gy)
    out.fill(0)
    w2 = w.reshape(cin, -1)
    chunks = _chunks(ho, cout * kh * kw * q * gy.itemsize, gy)
    k = cout * kh * kw
    buf = _memory.empty((k * (chunks[0][1] - chunks[0][0]) * q,), gy.dtype, like=gy) if groups == 1 else None
    for r0, r1 in chunks:
        part = buf[:k * (r1 - r0) * q].reshape(k, -1) if buf is not None else None  # a contiguous prefix
        dcols = _gemm(w2, gt[:, r0 * q:r1 * q], groups, trans_a=True, out=part)
        col2im(dcols.reshape(cout, kh, kw, r1 - r0, wo, n), in_hw, (ho, wo), (kh, kw), stride, padding, dilation,
               out, rows=(r0, r1))
    if b is not None:
        out += b[:, None, None, None]
    return out


def conv_weight_grad(x, gy, geom, kernel):
    """``gW = gy @ im2col(x).T`` summed over chunks of output rows, ``(O, C/groups, kh, kw)``."""
    stride, padding, dilation, groups = geom
    c = x.shape[1]
    n, o, ho, wo = gy.shape
    xt, gt = to_chwn(x), to_chwn(gy).reshape(o, -1)
    k, q = c * kernel[0] * kernel[1], wo * n
    gw = None
    buf = None
    for r0, r1 in _chunks(ho, k * q * x.itemsize, x):
        if buf is None or buf.shape[3] != r1 - r0:
            buf = im2col(xt, kernel, stride, padding, dilation, (ho, wo), rows=(r0, r1))
        else:
            im2col(xt, kernel, stride, padding, dilation, (ho, wo), rows=(r0, r1), out=buf)
        if groups == 1:
            part = _gemm_nt(gt[:, r0 * q:r1 * q], buf.reshape(k, -1))
        else:
            part = _gemm(gt[:, r0 * q:r1 * q], buf.reshape(k, -1), groups, trans_b=True)
        gw = part if gw is None else np.add(gw, part, out=gw)
    return contiguous(gw).reshape(o, c // groups, *kernel)


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
        return as_nchw(y)

    @staticmethod
    def backward(ctx, g):
        x, w, cols = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvTranspose2d.apply(g, w, None, ctx.geom, ctx.in_hw) if need[0] else None
        gw = gb = None
        if cols is not None and not state._grad:
            o = w.shape[0]
            k = w._data[0].size
            full = _gemm_nt(to_chwn(g._data).reshape(o, -1), cols._data)  # (O, K [+ 1 for the bias])
            if need[1]:
                gw = Tensor._make(contiguous(full[:, :k]).reshape(w.shape), None, False, None)
            if need[2]:
                gb = Tensor._make(full[:, k].copy() if full.shape[1] > k else g._data.sum((0, 2, 3)), None, False, None)
            return gx, gw, gb, None
        if need[1]:
            gw = Conv2dWeight.apply(x, g, ctx.geom, w.shape[2:])
        if need[2]:
            gb = g.sum((0, 2, 3))
        return gx, gw, gb, None

    @staticmethod
    def jvp(ctx, a, t, out):
        """Bilinear in (x, w) and linear in b: conv(tx, w) + tb + conv(x, tw)."""
        x, w, b, geom = a
        tb = np.broadcast_to(t[2], b.shape) if b is not None else None
        return as_nchw(conv_forward(contiguous(t[0]), w, tb, geom)) + as_nchw(
            conv_forward(x, contiguous(t[1]), None, geom))


class ConvTranspose2d(Function):
    """Transposed convolution: the adjoint of :class:`Conv2d` in its input.  ``x (N, Cin, H, W)``,
    ``w (Cin, Cout/groups, kh, kw)``; ``out_hw`` is the size of the (conv-)input it produces."""

    @staticmethod
    def forward(ctx, x, w, b, geom, out_hw):
        need = ctx.needs_input_grad
        ctx.geom, ctx.kernel, ctx.x_hw = geom, w.shape[2:], x.shape[2:]
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        return as_nchw(conv_input_grad(x, w, b, geom, out_hw))

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

    @staticmethod
    def jvp(ctx, a, t, out):
        """Bilinear in (x, w) and linear in b, like Conv2d."""
        x, w, b, geom, out_hw = a
        tb = np.broadcast_to(t[2], b.shape) if b is not None else None
        return as_nchw(conv_input_grad(contiguous(t[0]), w, tb, geom, out_hw)) + as_nchw(
            conv_input_grad(x, contiguous(t[1]), None, geom, out_hw))


class Conv2dWeight(Function):
    """Gradient of conv2d in its weight: ``gW = gy @ im2col(x).T`` per group (bilinear in x, gy)."""

    @staticmethod
    def forward(ctx, x, gy, geom, kernel):
        need = ctx.needs_input_grad
        ctx.geom, ctx.in_hw, ctx.gy_hw = geom, x.shape[2:], gy.shape[2:]
        ctx.save_for_backward(x if need[1] else None, gy if need[0] else None)
        return conv_weight_grad(x, gy, geom, kernel)

    @staticmethod
    def backward(ctx, ggw):
        x, gy = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvTranspose2d.apply(gy, ggw, None, ctx.geom, ctx.in_hw) if need[0] else None
        ggy = Conv2d.apply(x, ggw, None, ctx.geom) if need[1] else None
        if ggy is not None and tuple(ggy.shape[2:]) != tuple(ctx.gy_hw):
            # gy came from a transposed conv with output_padding (the conv of x is larger): crop to it
            ggy = ggy[:, :, :ctx.gy_hw[0], :ctx.gy_hw[1]]
        return gx, ggy, None, None
