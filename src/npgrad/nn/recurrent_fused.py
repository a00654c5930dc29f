"""The whole LSTM sequence as one primitive: forward over the time steps, backpropagation through
time (BPTT) written out beside it.

Composed of per-step ops, an LSTM of L steps records about 15 L graph nodes and as many small
arrays; as one primitive it records one node, keeps the gate activations in three arrays, and its
backward makes one matrix product per step plus one for the recurrent weight's whole gradient.

Per step (gates in PyTorch's order i, f, g, o; ``a = xp_t + W_hh h``, ``xp`` = the input projection
with both biases)::

    i, f, o = sigma(a_i), sigma(a_f), sigma(a_o);  g = tanh(a_g)
    c' = f c + i g;  h' = o tanh(c')

and backward, with ``dh``, ``dc`` the gradients arriving at ``h'``, ``c'`` (from the output and from
step t + 1)::

    dc += dh o (1 - tanh²c')
    da_i = dc g i (1 - i);   da_f = dc c f (1 - f);   da_g = dc i (1 - g²);   da_o = dh tanh(c') o (1 - o)
    dh_prev = da W_hh;       dc_prev = dc f;          dW_hh = sum over t of da_tᵀ h_t-1

The output is one array ``(L, N, 2H)``: each step's ``h`` and ``c`` side by side, so the layer
slices the outputs and the final states from it.  For ``create_graph`` (higher-order gradients) the
backward re-runs the sequence with differentiable ops and differentiates that.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor


def _gate_constants(hid, dtype):
    """Row vectors that turn one tanh over all four gates into sigma for i, f, o and tanh for g:
    sigma(x) = (1 + tanh(x/2)) / 2, so scale by 1/2, tanh, then scale by 1/2 and shift by 1/2
    (scale 1 and shift 0 for g).  One pass over the whole (N, 4H) block instead of three slices,
    and no overflow for large negative x."""
    scale = np.full(4 * hid, 0.5, dtype=dtype)
    scale[2 * hid:3 * hid] = 1
    shift = np.full(4 * hid, 0.5, dtype=dtype)
    shift[2 * hid:3 * hid] = 0
    return scale, shift


class LSTMSequence(Function):
    """``Y = LSTMSequence.apply(xp, h0, c0, w_hh)``: xp (L, N, 4H), h0 and c0 (N, H), w_hh (4H, H)."""

    @staticmethod
    def forward(ctx, xp, h0, c0, w_hh):
        steps, n, four_h = xp.shape
        hid = four_h // 4
        scale, shift = _gate_constants(hid, xp.dtype)
        y = np.empty((steps, n, 2 * hid), dtype=xp.dtype)
        gates = np.empty_like(xp)                    # activated i, f, g, o of every step
        tanh_c = np.empty((steps, n, hid), dtype=xp.dtype)
        ig = np.empty((n, hid), dtype=xp.dtype)
        w_t = w_hh.T
        h, c = h0, c0
        for t in range(steps):
            a = gates[t]
            np.matmul(h, w_t, out=a)
            a += xp[t]
            a *= scale
            np.tanh(a, out=a)
            a *= scale
            a += shift
            c_new = y[t, :, hid:]
            np.multiply(a[:, hid:2 * hid], c, out=c_new)                 # f c
            np.multiply(a[:, :hid], a[:, 2 * hid:3 * hid], out=ig)       # + i g
            c_new += ig
            np.tanh(c_new, out=tanh_c[t])
            np.multiply(a[:, 3 * hid:], tanh_c[t], out=y[t, :, :hid])    # h = o tanh(c)
            h, c = y[t, :, :hid], c_new
        ctx.save_for_backward(xp, h0, c0, w_hh, gates, tanh_c, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        xp, h0, c0, w_hh, gates, tanh_c, y = ctx.saved_tensors
        if state._grad:                              # create_graph: differentiate a differentiable re-run
            return _backward_differentiable(ctx, grad, xp, h0, c0, w_hh)
        d_xp, dh, dc, d_w = _bptt(grad._data, h0._data, c0._data, w_hh._data, gates._data, tanh_c._data,
                                  y._data, ctx.needs_input_grad[3])
        need = ctx.needs_input_grad
        wrap = lambda a, k: Tensor._make(a, None, False, None) if need[k] else None  # noqa: E731
        return wrap(d_xp, 0), wrap(dh, 1), wrap(dc, 2), wrap(d_w, 3)


def _bptt(gy, h0, c0, w_hh, gates, tanh_c, y, want_w):
    """Backpropagation through time on arrays; returns (d xp, d h0, d c0, d w_hh).

    The local derivatives of every step are computed for all steps at once (large arrays: few NumPy
    calls); the loop over time does only what depends on the step after it."""
    steps, n, two_h = gy.shape
    hid = two_h // 2
    # d(activation)/d(pre-activation): s (1 - s) for the sigmoid gates, 1 - g² for g
    d_a = gates * (1 - gates)
    g_all = gates[..., 2 * hid:3 * hid]
    np.multiply(g_all, g_all, out=d_a[..., 2 * hid:3 * hid])
    np.subtract(1, d_a[..., 2 * hid:3 * hid], out=d_a[..., 2 * hid:3 * hid])
    # dh reaches c through h = o tanh(c): factor o (1 - tanh²c)
    through = tanh_c * tanh_c
    np.subtract(1, through, out=through)
    through *= gates[..., 3 * hid:]
    dh = np.zeros((n, hid), dtype=gy.dtype)
    dc = np.zeros((n, hid), dtype=gy.dtype)
    tmp = np.empty((n, hid), dtype=gy.dtype)
    for t in range(steps - 1, -1, -1):
        a, da = gates[t], d_a[t]
        c_prev = y[t - 1, :, hid:] if t else c0
        dh += gy[t, :, :hid]
        dc += gy[t, :, hid:]
        np.multiply(dh, through[t], out=tmp)
        dc += tmp
        np.multiply(dh, tanh_c[t], out=tmp)                        # the upstream factor of each gate,
        da[:, 3 * hid:] *= tmp                                     # times its local derivative
        np.multiply(dc, a[:, 2 * hid:3 * hid], out=tmp)
        da[:, :hid] *= tmp
        np.multiply(dc, c_prev, out=tmp)
        da[:, hid:2 * hid] *= tmp
        np.multiply(dc, a[:, :hid], out=tmp)
        da[:, 2 * hid:3 * hid] *= tmp
        np.matmul(da, w_hh, out=dh)                                # to the previous step
        dc *= a[:, hid:2 * hid]
    d_w = None
    if want_w:
        h_prev = np.concatenate([h0[None], y[:-1, :, :hid]]) if steps > 1 else h0[None]
        d_w = np.matmul(d_a.reshape(-1, 4 * hid).T, h_prev.reshape(-1, hid))
    return d_a, dh, dc, d_w


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


def _backward_differentiable(ctx, grad, xp, h0, c0, w_hh):
    from ..autograd import grad as autograd_grad
    need = ctx.needs_input_grad
    inputs = [t for t, k in zip((xp, h0, c0, w_hh), need) if k]
    y = lstm_unfused(xp, h0, c0, w_hh)
    got = iter(autograd_grad(y, inputs, grad_outputs=grad, create_graph=True, allow_unused=True))
    return tuple(next(got) if k else None for k in need)
