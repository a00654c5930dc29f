"""The numba kernel behind :mod:`npgrad.nn.recurrent_fused` (needs numba; used through that module
when :mod:`npgrad._jit` finds numba, and only for NumPy arrays)."""
from __future__ import annotations

import numba

_compile = numba.njit(cache=True, nogil=True, boundscheck=False)


@_compile
def lstm_bptt_step(gy, gates, tanh_c, y, c0, t, dh, dc, d_a, one):
    """The elementwise part of backward step ``t`` of an LSTM sequence, in one pass: ``dh`` and
    ``dc`` arrive from step t + 1; adds the output's gradient ``gy[t]``, writes the pre-activation
    gradients ``d_a[t]`` and leaves ``dh`` (before its product with W_hh) and ``dc`` for step t - 1.
    The same arithmetic, in the same order, as the NumPy lines of ``recurrent_fused._bptt``;
    ``one`` is 1 in the arrays' dtype (so float32 stays float32)."""
    n, hid = dh.shape
    for r in range(n):
        for j in range(hid):
            i = gates[t, r, j]
            f = gates[t, r, hid + j]
            g = gates[t, r, 2 * hid + j]
            o = gates[t, r, 3 * hid + j]
            tc = tanh_c[t, r, j]
            c_prev = y[t - 1, r, hid + j] if t > 0 else c0[r, j]
            dhv = dh[r, j] + gy[t, r, j]
            dcv = (dc[r, j] + gy[t, r, hid + j]) + dhv * ((one - tc * tc) * o)
            d_a[t, r, j] = (dcv * g) * ((one - i) * i)
            d_a[t, r, hid + j] = (dcv * c_prev) * ((one - f) * f)
            d_a[t, r, 2 * hid + j] = (dcv * i) * (one - g * g)
            d_a[t, r, 3 * hid + j] = (dhv * tc) * ((one - o) * o)
            dh[r, j] = dhv
            dc[r, j] = dcv * f


@_compile
def lstm_cell_step(a, c, c_new, half):
    """The elementwise part of forward step ``t`` after the tanh over the gate block ``a (N, 4H)``:
    i, f, o become ``tanh * half + half`` (the logistic function of the pre-activation), and
    ``c_new = f c + i g``.  The same arithmetic as the NumPy lines of ``recurrent_fused._forward``;
    ``half`` is 1/2 in the arrays' dtype."""
    n, hid = c.shape
    for r in range(n):
        ar = a[r]
        cr = c[r]
        nr = c_new[r]
        for j in range(hid):
            i = ar[j] * half + half
            f = ar[hid + j] * half + half
            ar[j] = i
            ar[hid + j] = f
            ar[3 * hid + j] = ar[3 * hid + j] * half + half
            nr[j] = f * cr[j] + i * ar[2 * hid + j]
