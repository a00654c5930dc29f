"""The whole LSTM sequence as one primitive: forward over the time steps, backpropagation through
time (BPTT) written out beside it.

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
way, and a dozen small elementwise passes per step.  So:

* the input projection of all steps is one matrix product, its bias a column of ones appended to
  the input (no pass over the gate array to add it);
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

The same code runs on a device (CuPy arrays): arrays are made by the input's array module.

The output is one array ``(L, N, 2H)``: each step's ``h`` and ``c`` side by side, so the layer
slices the outputs and the final states from it.  For ``create_graph`` (higher-order gradients) the
backward re-runs the sequence with differentiable ops and differentiates that.
"""
from __future__ import annotations

import numpy as np

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
    its weights (biases may be None); the projection is made inside (one matrix product for all
    steps, and one for all the weight gradients in backward)."""

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
        a, d, tc = gates[t], d_a[t], tanh_c[t]
        c_prev = y[t - 1, :, hid:] if t else c0
        if kern is not None:
            kern.lstm_bptt_step(gy, gates, tanh_c, y, c0, t, dh, dc, d_a, one)
        else:
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
