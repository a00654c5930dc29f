"""The numba kernels behind :mod:`npgrad._jit` (this module needs numba; import it through that one).

Every loop runs over the batch axis innermost, the axis that is contiguous in the frames the ops
hand over, so the compiler can vectorise it.
"""
from __future__ import annotations

import numba

_compile = numba.njit(cache=True, nogil=True, boundscheck=False)


@_compile
def max_pool_2x2(b, y, idx):
    """``b (R, 2, Wo, 2, B)``, the windows of a frame ``(A, H, W, B)`` with ``R = A*H/2`` ->
    ``y (R, Wo, B)``, each window's maximum (nan if any value is nan), and ``idx (R, Wo, B)``,
    the row-major offset 0..3 of its first maximum (3 when no value equals it, i.e. nan)."""
    rows, _, wo, _, bb = b.shape
    for r in range(rows):
        for j in range(wo):
            for n in range(bb):
                v0 = b[r, 0, j, 0, n]
                v1 = b[r, 0, j, 1, n]
                v2 = b[r, 1, j, 0, n]
                v3 = b[r, 1, j, 1, n]
                m = v0
                if v1 > m or v1 != v1:
                    m = v1
                if v2 > m or v2 != v2:
                    m = v2
                if v3 > m or v3 != v3:
                    m = v3
                y[r, j, n] = m
                if v0 == m:
                    idx[r, j, n] = 0
                elif v1 == m:
                    idx[r, j, n] = 1
                elif v2 == m:
                    idx[r, j, n] = 2
                else:
                    idx[r, j, n] = 3


@_compile
def max_pool_2x2_grad(g, idx, gx):
    """The gradient of :func:`max_pool_2x2`: ``g (R, Wo, B)`` goes to each window's maximum in
    ``gx (R, 2, Wo, 2, B)``; every other position gets 0."""
    rows, wo, bb = g.shape
    for r in range(rows):
        for p in range(2):
            for j in range(wo):
                for q in range(2):
                    k = p * 2 + q
                    for n in range(bb):
                        gx[r, p, j, q, n] = g[r, j, n] if idx[r, j, n] == k else 0


@_compile
def relu_grad(g, out, res):
    """``res = g where out > 0, else 0`` over flat arrays."""
    for i in range(g.size):
        res[i] = g[i] if out[i] > 0 else 0


@_compile
def col2im_add(cols, out, row0, s0, s1, p0, p1, d0, d1):
    """Adjoint of im2col for the output rows ``[row0, row0 + R)``: add ``cols (C, kh, kw, R, Wo, N)``
    into ``out (C, H, W, N)`` at ``h = (row0 + r)*s0 + i*d0 - p0``, ``w = wo*s1 + j*d1 - p1``."""
    c_, kh, kw, rr, wo_, bb = cols.shape
    h_, w_ = out.shape[1], out.shape[2]
    for c in range(c_):
        for i in range(kh):
            for j in range(kw):
                for r in range(rr):
                    h = (row0 + r) * s0 + i * d0 - p0
                    if h < 0 or h >= h_:
                        continue
                    for wo in range(wo_):
                        w = wo * s1 + j * d1 - p1
                        if w < 0 or w >= w_:
                            continue
                        for n in range(bb):
                            out[c, h, w, n] += cols[c, i, j, r, wo, n]


@_compile
def max_pool_2x2_relu_grad(g, idx, out, gx):
    """:func:`max_pool_2x2_grad` followed by the gradient of the ReLU whose output ``out (R, 2, Wo, 2,
    B)`` was pooled: ``g`` goes to each window's maximum where that value is positive, else 0."""
    rows, wo, bb = g.shape
    for r in range(rows):
        for p in range(2):
            for j in range(wo):
                for q in range(2):
                    k = p * 2 + q
                    for n in range(bb):  # (two selects: a short-circuit ``and`` does not vectorise)
                        v = g[r, j, n] if idx[r, j, n] == k else 0
                        gx[r, p, j, q, n] = v if out[r, p, j, q, n] > 0 else 0


@_compile
def sgd_momentum(p, b, g, lr, momentum):
    """``b = momentum * b + g; p = p - lr * b`` elementwise over flat arrays, with ``lr`` and
    ``momentum`` of the arrays' dtype: the same roundings, in the same order, as NumPy's four passes."""
    for i in range(p.size):
        v = b[i] * momentum
        v = v + g[i]
        b[i] = v
        p[i] = p[i] - lr * v


@_compile
def batch_norm_affine(h, invstd, w, b, out):
    """Over ``(A, C, B)`` frames, per channel ``c``: ``h = h * invstd[c]`` in place (the centred input
    becomes ``xhat``), ``out = h * w[c] + b[c]``: the same roundings as NumPy's three passes."""
    a_, c_, b_ = h.shape
    for a in range(a_):
        for c in range(c_):
            s, wc, bc = invstd[c], w[c], b[c]
            for i in range(b_):
                v = h[a, c, i] * s
                h[a, c, i] = v
                out[a, c, i] = v * wc + bc


@_compile
def batch_norm_input_grad(g, h, alpha, beta, k, dx):
    """Over ``(A, C, B)`` frames, per channel ``c``: ``dx = ((g - h * alpha[c]) - beta[c]) * k[c]``
    (the input gradient of batch norm, ``h`` its ``xhat``): the same roundings as NumPy's four passes."""
    a_, c_, b_ = g.shape
    for a in range(a_):
        for c in range(c_):
            al, be, kc = alpha[c], beta[c], k[c]
            for i in range(b_):
                dx[a, c, i] = ((g[a, c, i] - h[a, c, i] * al) - be) * kc
