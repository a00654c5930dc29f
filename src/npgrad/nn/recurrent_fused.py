"""The whole LSTM (and GRU) sequence as one primitive: forward over the time steps,
backpropagation through time (BPTT) written out beside it.

Composed of per-step ops, an LSTM of L steps records about 15 L graph nodes and as many small
arrays; as one primitive it records one node and keeps the gate activations in three arrays.

Per step (gates in PyTorch's order i, f, g, o; ``a = W_ih x_t + b_ih + b_hh + W_hh h``)::

    i, f, o = sigma(a_i), sigma(a_f), sigma(a_o);  g = tanh(a_g)
    c' = f c + i g;  h' = o tanh(c')

and backward, with ``dh``, ``dc`` the gradients arriving at ``h'``, ``c'`` (from the output and from
step t + 1)::

    dc += dh o (1 - tanh²c')
    da_i = dc g i (1 - i);   da_f = dc c f (1 - f);   da_g = dc i (1 - g²);   da_o = dh tanh(c') o (1 - o)
    dh_prev = da W_hh;       dc_prev = dc f

Where the time goes (sequence 50, batch 64, hidden 128): the matrix products, one per step each
way, and the small elementwise passes of each step (in backward, bound by reading the saved gates
from memory).  So:

* the input projection is part of the matrix products: of each step's (``[h | x_t | 1]`` times
  the stacked weights) for an input narrower than the hidden state, else one for all steps; the
  bias is a column of ones appended to the input (no pass over the gate array to add it);
* the logistic function is ``sigma(x) = (1 + tanh(x/2)) / 2``: the 1/2 is folded into the weights,
  so each step makes ONE tanh over the whole ``(N, 4H)`` gate block (no overflow for large
  negative x), then one scale and one shift;
* every array is preallocated, every step writes in place (``out=``);
* in backward only what depends on step t + 1 stays in the loop; the weight gradients of all steps
  are one matrix product after it: ``[dW_hh | dW_ih | db] = daᵀ [h_prev | x | 1]`` over all
  ``L N`` rows at once; the input's gradient is one more (``da W_ih``).
* with numba installed, the elementwise part of a step (after the tanh in forward, all of it in
  backward) is one compiled pass
  (``npgrad.nn._recurrent_kernels``; the NumPy lines beside each call are the reference).

Measured on a 2-core machine, one thread each, npgrad and PyTorch taking turns
(``benchmarks/bench_lstm.py``): the LSTM training step went from 1.7x PyTorch's time to 1.07x, the
GRU's (``--cell gru``) from 2.8x to 0.9x.  What is left is mostly the matrix products (OpenBLAS
against PyTorch's MKL on these small shapes) and reading the saved gates back in backward.

The same code runs on a device (CuPy arrays): arrays are made by the input's array module.

The output is one array ``(L, N, 2H)``: each step's ``h`` and ``c`` side by side, so the layer
slices the outputs and the final states from it.  For ``create_graph`` (higher-order gradients) the
backward re-runs the sequence with differentiable ops and differentiates that.
"""
from __future__ import annotations

from .. import _backend, _jit, _memory
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor


def _gate_constants(xp, hid, dtype):
    """Row vectors that turn one tanh over all four gates into sigma for i, f, o and tanh for g:
    sigma(x) = (1 + tanh(x/2)) / 2, so scale by 1/2, tanh, then scale by 1/2 and shift by 1/2
    (scale 1 and shift 0 for g)."""
    scale = xp.full(4 * hid, 0.5, dtype=dtype)
    scale[2 * hid:3 * hid] = 1
    shift = xp.full(4 * hid, 0.5, dtype=dtype)
    shift[2 * hid:3 * hid] = 0
    return scale, shift


class LSTMSequence(Function):
    """``Y = LSTMSequence.apply(xp, h0, c0, w_hh)``: xp (L, N, 4H) the input projection with both
    biases, h0 and c0 (N, H), w_hh (4H, H); ``Y (L, N, 2H)`` holds each step's h and c.

    ``LSTMSequence.apply(x, h0, c0, w_hh, w_ih, b_ih, b_hh)``: the layer's input x (L, N, I) and
    its weights (biases may be None); the projection is made inside (see :func:`_forward`), and
    backward makes all the weight gradients in one matrix product."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_hh, w_ih=None, b_ih=None, b_hh=None):
        y, gates, tanh_c, z = _forward(x, h0, c0, w_hh, w_ih, b_ih, b_hh)
        ctx.save_for_backward(x, h0, c0, w_hh, w_ih, b_ih, b_hh, gates, tanh_c, y, z)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, h0, c0, w_hh, w_ih, b_ih, b_hh, gates, tanh_c, y, z = ctx.saved_tensors
        need = ctx.needs_input_grad
        if state._grad:                              # create_graph: differentiate a differentiable re-run
            return _backward_differentiable(need, grad, x, h0, c0, w_hh, w_ih, b_ih, b_hh)
        data = lambda t: None if t is None else t._data  # noqa: E731
        got = _bptt(grad._data, data(x), h0._data, c0._data, w_hh._data, data(w_ih), gates._data,
                    tanh_c._data, y._data, z._data, need + (False,) * (7 - len(need)))
        return tuple(Tensor._make(a, None, False, None) if a is not None else None for a in got[:len(need)])


def _forward(x, h0, c0, w_hh, w_ih, b_ih, b_hh):
    """The sequence on arrays: ``(y, gates, tanh_c, z)``; ``gates (L, N, 4H)`` the activated i, f,
    g, o of every step, ``z (L, N, H + I + 1)`` each step's ``[h_prev | x | 1]`` (only ``h_prev``
    when ``x`` is the projection), the right factor of the weight gradients in backward.

    An input narrower than the hidden state goes into each step's product (``[h_prev | x_t | 1]
    [W_hh; W_ih; b]ᵀ`` straight into the gate block: a few more columns in a product that is made
    anyway, and no pass over a projection array); a wider one is projected for all steps at once."""
    xp = _backend.array_module(x)
    steps, n = x.shape[:2]
    hid = w_hh.shape[1]
    dt = x.dtype
    scale, shift = _gate_constants(xp, hid, dt)
    gates = _memory.empty((steps, n, 4 * hid), dt, like=x)      # pre-activations, then activations
    k_in = 0 if w_ih is None else x.shape[2]
    ones = b_ih is not None or b_hh is not None
    width = hid + (k_in + ones if k_in else 0)
    z = _memory.empty((steps, n, width), dt, like=x)
    w = xp.empty((width, 4 * hid), dtype=dt)                    # [W_hh; W_ih; b_ih + b_hh]ᵀ, scaled
    w[:hid] = w_hh.T
    if k_in:
        z[:, :, hid:hid + k_in] = x
        w[hid:hid + k_in] = w_ih.T
        if ones:
            z[:, :, -1] = 1
            w[-1] = b_ih if b_hh is None else (b_hh if b_ih is None else b_ih + b_hh)
    w *= scale
    z[0, :, :hid] = h0
    fold = 0 < k_in <= hid
    if not k_in:                                                 # x is the projection
        xp.multiply(x, scale, out=gates)
    elif not fold:                                               # all steps' projections at once
        xp.matmul(z[:, :, hid:].reshape(steps * n, -1), w[hid:], out=gates.reshape(steps * n, 4 * hid))
    w_step = w if fold else w[:hid]
    y = _memory.empty((steps, n, 2 * hid), dt, like=x)
    tanh_c = _memory.empty((steps, n, hid), dt, like=x)
    hw = None if fold else xp.empty((n, 4 * hid), dtype=dt)
    ig = xp.empty((n, hid), dtype=dt)
    kern = _kernels(x, gates, h0, c0)
    half = dt.type(0.5)
    c = c0
    for t in range(steps):
        a = gates[t]
        if fold:
            xp.matmul(z[t], w_step, out=a)
        else:
            xp.matmul(z[t, :, :hid], w_step, out=hw)
            a += hw
        xp.tanh(a, out=a)
        c_new, h_new, tc = y[t, :, hid:], y[t, :, :hid], tanh_c[t]
        if kern is not None:
            kern.lstm_cell_step(a, c, c_new, half)
        else:
            a *= scale                                           # sigma for i, f, o
            a += shift
            xp.multiply(a[:, hid:2 * hid], c, out=c_new)         # f c
            xp.multiply(a[:, :hid], a[:, 2 * hid:3 * hid], out=ig)   # + i g
            c_new += ig
        xp.tanh(c_new, out=tc)
        xp.multiply(a[:, 3 * hid:], tc, out=h_new)               # h = o tanh(c)
        if t + 1 < steps:
            z[t + 1, :, :hid] = h_new
        c = c_new
    return y, gates, tanh_c, z


def _bptt(gy, x, h0, c0, w_hh, w_ih, gates, tanh_c, y, z, need):
    """Backpropagation through time on arrays; returns the gradients of (x, h0, c0, w_hh, w_ih,
    b_ih, b_hh), None where ``need`` says not wanted (x is the projection when ``w_ih`` is None)."""
    xp = _backend.array_module(gy)
    steps, n, two_h = gy.shape
    hid = two_h // 2
    dt = gy.dtype
    d_a = _memory.empty(gates.shape, dt, like=gy)                # gradients of the pre-activations
    dh = xp.zeros((n, hid), dtype=dt)
    dc = xp.zeros((n, hid), dtype=dt)
    kern = _kernels(gy, gates, tanh_c, y, h0, c0)
    if kern is not None:
        one = dt.type(1)
    else:
        tmp = xp.empty((n, hid), dtype=dt)
        loc = xp.empty((n, 4 * hid), dtype=dt)
    for t in range(steps - 1, -1, -1):
        d = d_a[t]
        if kern is not None:
            kern.lstm_bptt_step(gy, gates, tanh_c, y, c0, t, dh, dc, d_a, one)
        else:
            a, tc = gates[t], tanh_c[t]
            c_prev = y[t - 1, :, hid:] if t else c0
            i, f, g, o = a[:, :hid], a[:, hid:2 * hid], a[:, 2 * hid:3 * hid], a[:, 3 * hid:]
            dh += gy[t, :, :hid]
            dc += gy[t, :, hid:]
            xp.multiply(tc, tc, out=tmp)                         # dc += dh o (1 - tanh²c)
            xp.subtract(1, tmp, out=tmp)
            tmp *= o
            tmp *= dh
            dc += tmp
            xp.multiply(dc, g, out=d[:, :hid])                   # each gate's upstream factor ...
            xp.multiply(dc, c_prev, out=d[:, hid:2 * hid])
            xp.multiply(dc, i, out=d[:, 2 * hid:3 * hid])
            xp.multiply(dh, tc, out=d[:, 3 * hid:])
            xp.subtract(1, a, out=loc)                           # ... times its local derivative:
            loc *= a                                             # s (1 - s)
            xp.multiply(g, g, out=loc[:, 2 * hid:3 * hid])       # 1 - g² for g
            xp.subtract(1, loc[:, 2 * hid:3 * hid], out=loc[:, 2 * hid:3 * hid])
            d *= loc
            dc *= f                                              # to the previous step
        if t or need[1]:
            xp.matmul(d, w_hh, out=dh)
    rows = d_a.reshape(steps * n, 4 * hid)
    projected = w_ih is None
    d_x = d_w_ih = d_b = d_w = None
    if projected:
        d_x = d_a if need[0] else None
    elif need[0]:
        d_x = xp.matmul(rows, w_ih).reshape(x.shape)
    if need[3] or need[4] or need[5] or need[6]:
        # [dW_hh | dW_ih | db] = daᵀ [h_prev | x | 1], all steps in one product
        d_all = xp.matmul(rows.T, z.reshape(steps * n, -1))
        d_w = xp.ascontiguousarray(d_all[:, :hid]) if need[3] else None
        if not projected:
            k_in = x.shape[2]
            d_w_ih = xp.ascontiguousarray(d_all[:, hid:hid + k_in]) if need[4] else None
            if d_all.shape[1] > hid + k_in:
                d_b = xp.ascontiguousarray(d_all[:, -1])
    return (d_x, dh if need[1] else None, dc if need[2] else None, d_w, d_w_ih,
            d_b if need[5] else None, (d_b.copy() if need[5] else d_b) if need[6] else None)


_loaded = []


def _kernels(*arrays):
    """The compiled step kernels (``npgrad.nn._recurrent_kernels``) when they apply to these
    arrays: NumPy arrays of one float dtype, numba present and :mod:`npgrad._jit` switched on."""
    if _jit.kernels_for(*arrays, min_bytes=0) is None:
        return None
    if not _loaded:
        try:
            from . import _recurrent_kernels
        except Exception:  # numba unable to work here: the NumPy lines run
            _recurrent_kernels = None
        _loaded.append(_recurrent_kernels)
    return _loaded[0]


def lstm_unfused(xp, h0, c0, w_hh):
    """The same sequence as differentiable per-step ops: ``(L, N, 2H)`` as :class:`LSTMSequence`."""
    from ..ops import elementwise as E
    from ..ops.linalg import matmul
    from ..ops.shape import cat, stack
    h, c, ys = h0, c0, []
    for t in range(xp.shape[0]):
        i, f, g, o = (xp[t] + matmul(h, w_hh.mT)).chunk(4, -1)
        c = E.sigmoid(f) * c + E.sigmoid(i) * E.tanh(g)
        h = E.sigmoid(o) * E.tanh(c)
        ys.append(cat([h, c], -1))
    return stack(ys, 0)


def _backward_differentiable(need, grad, x, h0, c0, w_hh, w_ih, b_ih, b_hh):
    from ..autograd import grad as autograd_grad
    from ..ops.linalg import matmul
    args = (x, h0, c0, w_hh, w_ih, b_ih, b_hh)[:len(need)]
    inputs = [t for t, k in zip(args, need) if k]
    proj = x
    if w_ih is not None:
        proj = matmul(x, w_ih.mT)
        for b in (b_ih, b_hh):
            if b is not None:
                proj = proj + b
    y = lstm_unfused(proj, h0, c0, w_hh)
    got = iter(autograd_grad(y, inputs, grad_outputs=grad, create_graph=True, allow_unused=True))
    return tuple(next(got) if k else None for k in need)


# -- GRU -------------------------------------------------------------------------------------------
class GRUSequence(Function):
    """``out = GRUSequence.apply(x, h0, w_hh, w_ih, b_ih, b_hh)``: the whole GRU sequence as one
    primitive (biases may be None); x (L, N, I), h0 (N, H), ``out (L, N, H)`` every step's h.

    Per step (gates r, z, n as in PyTorch; ``xg = W_i* x + b_i*``, ``hg = W_h* h + b_h*``)::

        r = sigma(xg_r + hg_r);  z = sigma(xg_z + hg_z);  n = tanh(xg_n + r hg_n)
        h' = n + z (h - n)

    and backward, ``dh`` the gradient arriving at ``h'``::

        dn = dh (1 - z) (1 - n²);  dz = dh (h - n) z (1 - z);  dr = dn hg_n r (1 - r)
        d xg = [dr, dz, dn];  d hg = [dr, dz, dn r];  dh_prev = dh z + d hg W_hh

    The input's part of every step is one product before the loop; the weight gradients are one
    product each after it (``[dW_ih | db_ih] = d xgᵀ [x | 1]``, ``[dW_hh | db_hh] = d hgᵀ [h_prev | 1]``)."""

    @staticmethod
    def forward(ctx, x, h0, w_hh, w_ih, b_ih=None, b_hh=None):
        out, gates, hg_n, xo, hz = _gru_forward(x, h0, w_hh, w_ih, b_ih, b_hh)
        ctx.save_for_backward(x, h0, w_hh, w_ih, b_ih, b_hh, gates, hg_n, xo, hz)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, h0, w_hh, w_ih, b_ih, b_hh, gates, hg_n, xo, hz = ctx.saved_tensors
        need = ctx.needs_input_grad
        if state._grad:
            from ..autograd import grad as autograd_grad
            args = (x, h0, w_hh, w_ih, b_ih, b_hh)[:len(need)]
            inputs = [t for t, k in zip(args, need) if k]
            out = gru_unfused(x, h0, w_hh, w_ih, b_ih, b_hh)
            got = iter(autograd_grad(out, inputs, grad_outputs=grad, create_graph=True, allow_unused=True))
            return tuple(next(got) if k else None for k in need)
        got = _gru_bptt(grad._data, h0._data, w_hh._data, w_ih._data, gates._data, hg_n._data, xo._data,
                        hz._data, b_ih is not None, b_hh is not None, need + (False,) * (6 - len(need)))
        return tuple(Tensor._make(a, None, False, None) if a is not None else None for a in got[:len(need)])


def _sigmoid_(a):
    """``a = sigma(a)`` in place, as ``(1 + tanh(a/2)) / 2`` (no overflow for large negative a)."""
    a *= 0.5
    _backend.array_module(a).tanh(a, out=a)
    a *= 0.5
    a += 0.5


def _with_ones(xp, a, ones, dt):
    """``[a | 1]`` over the last axis (just ``a`` copied when ``ones`` is False)."""
    out = _memory.empty(a.shape[:-1] + (a.shape[-1] + ones,), dt, like=a)
    out[..., :a.shape[-1]] = a
    if ones:
        out[..., -1] = 1
    return out


def _gru_forward(x, h0, w_hh, w_ih, b_ih, b_hh):
    """``(out, gates, hg_n, xo, hz)``: gates (L, N, 3H) the activated r, z, n; hg_n (L, N, H) each
    step's ``W_hn h + b_hn``; xo = ``[x | 1]`` and hz = each step's ``[h_prev | 1]`` for backward."""
    xp = _backend.array_module(x)
    steps, n, k_in = x.shape
    hid = w_hh.shape[1]
    dt = x.dtype
    xo = _with_ones(xp, x, b_ih is not None, dt)
    w_x = xp.empty((xo.shape[-1], 3 * hid), dtype=dt)           # [W_ih; b_ih]ᵀ
    w_x[:k_in] = w_ih.T
    if b_ih is not None:
        w_x[k_in] = b_ih
    gates = _memory.empty((steps, n, 3 * hid), dt, like=x)
    xp.matmul(xo.reshape(steps * n, -1), w_x, out=gates.reshape(steps * n, 3 * hid))
    hz = _memory.empty((steps, n, hid + (b_hh is not None)), dt, like=x)
    if b_hh is not None:
        hz[:, :, hid] = 1
    hz[0, :, :hid] = h0
    w_h = xp.empty((hz.shape[-1], 3 * hid), dtype=dt)            # [W_hh; b_hh]ᵀ
    w_h[:hid] = w_hh.T
    if b_hh is not None:
        w_h[hid] = b_hh
    out = _memory.empty((steps, n, hid), dt, like=x)
    hg_n = _memory.empty((steps, n, hid), dt, like=x)
    hg = xp.empty((n, 3 * hid), dtype=dt)
    for t in range(steps):
        a = gates[t]
        xp.matmul(hz[t], w_h, out=hg)
        rz, nn = a[:, :2 * hid], a[:, 2 * hid:]
        rz += hg[:, :2 * hid]
        _sigmoid_(rz)
        hn = hg_n[t]
        hn[...] = hg[:, 2 * hid:]
        xp.multiply(a[:, :hid], hn, out=hg[:, 2 * hid:])           # r hg_n
        nn += hg[:, 2 * hid:]
        xp.tanh(nn, out=nn)
        h_new = out[t]
        xp.subtract(hz[t, :, :hid], nn, out=h_new)                 # h' = n + z (h - n)
        h_new *= a[:, hid:2 * hid]
        h_new += nn
        if t + 1 < steps:
            hz[t + 1, :, :hid] = h_new
    return out, gates, hg_n, xo, hz


def _gru_bptt(gy, h0, w_hh, w_ih, gates, hg_n, xo, hz, has_b_ih, has_b_hh, need):
    """Backpropagation through time of :class:`GRUSequence` on arrays: the gradients of (x, h0,
    w_hh, w_ih, b_ih, b_hh), None where ``need`` says not wanted."""
    xp = _backend.array_module(gy)
    steps, n, hid = gy.shape
    dt = gy.dtype
    d_xg = _memory.empty(gates.shape, dt, like=gy)              # [dr, dz, dn] of every step
    d_hn = _memory.empty(gy.shape, dt, like=gy)                 # dn r, the n part of d hg
    dh = xp.zeros((n, hid), dtype=dt)
    tmp = xp.empty((n, hid), dtype=dt)
    back = xp.empty((n, hid), dtype=dt)
    for t in range(steps - 1, -1, -1):
        a, d = gates[t], d_xg[t]
        r, z, nn = a[:, :hid], a[:, hid:2 * hid], a[:, 2 * hid:]
        dr, dz, dn = d[:, :hid], d[:, hid:2 * hid], d[:, 2 * hid:]
        dh += gy[t]
        xp.subtract(1, z, out=dn)                                  # dn = dh (1 - z) (1 - n²)
        dn *= dh
        xp.multiply(nn, nn, out=tmp)
        xp.subtract(1, tmp, out=tmp)
        dn *= tmp
        xp.subtract(hz[t, :, :hid], nn, out=dz)                    # dz = dh (h - n) z (1 - z)
        dz *= dh
        xp.subtract(1, z, out=tmp)
        tmp *= z
        dz *= tmp
        xp.multiply(dn, hg_n[t], out=dr)                           # dr = dn hg_n r (1 - r)
        xp.subtract(1, r, out=tmp)
        tmp *= r
        dr *= tmp
        xp.multiply(dn, r, out=d_hn[t])
        dh *= z                                                    # dh_prev = dh z + d hg W_hh
        if t or need[1]:
            xp.matmul(d[:, :2 * hid], w_hh[:2 * hid], out=back)
            dh += back
            xp.matmul(d_hn[t], w_hh[2 * hid:], out=back)
            dh += back
    rows = d_xg.reshape(steps * n, 3 * hid)
    d_x = xp.matmul(rows, w_ih).reshape(steps, n, -1) if need[0] else None
    d_w_ih = d_b_ih = d_w_hh = d_b_hh = None
    k_in = w_ih.shape[1]
    if need[3] or need[4]:
        d_i = xp.matmul(rows.T, xo.reshape(steps * n, -1))        # [dW_ih | db_ih]
        d_w_ih = xp.ascontiguousarray(d_i[:, :k_in]) if need[3] else None
        d_b_ih = xp.ascontiguousarray(d_i[:, k_in]) if need[4] and has_b_ih else None
    if need[2] or need[5]:
        h_rows = hz.reshape(steps * n, -1)                         # [dW_hh | db_hh], gates r, z then n
        d_h = xp.empty((3 * hid, h_rows.shape[1]), dtype=dt)
        xp.matmul(rows[:, :2 * hid].T, h_rows, out=d_h[:2 * hid])
        xp.matmul(d_hn.reshape(steps * n, hid).T, h_rows, out=d_h[2 * hid:])
        d_w_hh = xp.ascontiguousarray(d_h[:, :hid]) if need[2] else None
        d_b_hh = xp.ascontiguousarray(d_h[:, hid]) if need[5] and has_b_hh else None
    return d_x, dh if need[1] else None, d_w_hh, d_w_ih, d_b_ih, d_b_hh


def gru_unfused(x, h0, w_hh, w_ih, b_ih=None, b_hh=None):
    """The same sequence as differentiable per-step ops: ``(L, N, H)`` as :class:`GRUSequence`."""
    from ..ops import elementwise as E
    from ..ops.linalg import matmul
    from ..ops.shape import stack
    xg = matmul(x, w_ih.mT)
    if b_ih is not None:
        xg = xg + b_ih
    h, outs = h0, []
    for t in range(x.shape[0]):
        hg = matmul(h, w_hh.mT)
        if b_hh is not None:
            hg = hg + b_hh
        xr, xz, xn = xg[t].chunk(3, -1)
        hr, hz, hn = hg.chunk(3, -1)
        r = E.sigmoid(xr + hr)
        z = E.sigmoid(xz + hz)
        n = E.tanh(xn + r * hn)
        h = n + z * (h - n)
        outs.append(h)
    return stack(outs, 0)
