"""The fused LSTM sequence with the input projection inside (``LSTMSequence.apply(x, h0, c0, w_hh,
w_ih, b_ih, b_hh)``): values and gradients as the per-step ops, gradchecks in float64, the input
in the per-step product or projected for all steps at once, the compiled kernels and the NumPy
lines giving the same results."""
import numpy as np
import pytest

import npgrad
from npgrad import _jit, nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import recurrent_fused
from npgrad.nn.recurrent_fused import LSTMSequence, lstm_unfused


def _args(rng, steps=4, n=3, k_in=2, hid=3, bias=True, dtype=np.float64):
    def t(*s, scale=1.0):
        return npgrad.tensor((scale * rng.standard_normal(s)).astype(dtype), requires_grad=True)
    return (t(steps, n, k_in), t(n, hid), t(n, hid), t(4 * hid, hid, scale=0.5), t(4 * hid, k_in, scale=0.5),
            t(4 * hid) if bias else None, t(4 * hid) if bias else None)


def _reference(x, h0, c0, w_hh, w_ih, b_ih, b_hh):
    xp = npgrad.matmul(x, w_ih.mT)
    for b in (b_ih, b_hh):
        if b is not None:
            xp = xp + b
    return lstm_unfused(xp, h0, c0, w_hh)


@pytest.mark.parametrize("k_in,hid", [(2, 3), (7, 3)], ids=["input-in-each-step", "input-projected-at-once"])
@pytest.mark.parametrize("bias", [True, False])
def test_equals_the_per_step_ops(k_in, hid, bias, rng):
    args = _args(rng, steps=6, n=4, k_in=k_in, hid=hid, bias=bias)
    y = LSTMSequence.apply(*args)
    ref = _reference(*args)
    np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = npgrad.tensor(rng.standard_normal(tuple(y.shape)))
    leaves = [a for a in args if a is not None]
    got = npgrad.autograd.grad(y, leaves, g)
    want = npgrad.autograd.grad(ref, leaves, g)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("k_in", [1, 3])
def test_gradcheck_float64(k_in, rng):
    assert gradcheck(LSTMSequence.apply, _args(rng, steps=3, n=2, k_in=k_in, hid=2))


def test_gradgradcheck_float64(rng):
    assert gradgradcheck(LSTMSequence.apply, _args(rng, steps=2, n=2, k_in=1, hid=1))


def test_only_the_needed_gradients_are_computed(rng):
    x, h0, c0, w_hh, w_ih, b_ih, b_hh = _args(rng)
    for t in (x, h0, c0, b_hh):
        t.requires_grad_(False)
    LSTMSequence.apply(x, h0, c0, w_hh, w_ih, b_ih, b_hh).sum().backward()
    assert x.grad is None and h0.grad is None and c0.grad is None and b_hh.grad is None
    assert w_hh.grad is not None and w_ih.grad is not None and b_ih.grad is not None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_kernels_equal_the_numpy_lines(dtype, rng):
    if not _jit.available():
        pytest.skip("numba is not installed")
    args = _args(rng, steps=5, n=3, k_in=4, hid=6, dtype=dtype)
    g = npgrad.tensor(rng.standard_normal((5, 3, 12)).astype(dtype))
    results = []
    for on in (True, False):
        was = _jit.set_enabled(on)
        try:
            y = LSTMSequence.apply(*args)
            results.append([y] + list(npgrad.autograd.grad(y, list(args), g)))
        finally:
            _jit.set_enabled(was)
    tol = 1e-5 if dtype == np.float32 else 1e-13
    for a, b in zip(*results):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def test_layer_gradients_with_and_without_kernels_match_pytorch_layout(rng):
    """nn.LSTM's parameters get their gradients from the one weight product (gate order i, f, g, o)."""
    lstm = nn.LSTM(3, 5, dtype=npgrad.float64)
    x = npgrad.tensor(rng.standard_normal((7, 2, 3)))
    out, (h, c) = lstm(x)
    (out.sum() + h.sum() + c.sum()).backward()
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    got = {k: getattr(lstm, k).grad.numpy().copy() for k in names}
    ps = [getattr(lstm, k) for k in names]
    for p in ps:
        p.grad = None
    xp = npgrad.matmul(x, ps[0].mT) + ps[2] + ps[3]
    zeros = npgrad.zeros(2, 5, dtype=npgrad.float64)
    y = lstm_unfused(xp, zeros, zeros, ps[1])
    (y[:, :, :5].sum() + y[-1].sum()).backward()
    for k, p in zip(names, ps):
        np.testing.assert_allclose(got[k], p.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_second_backward_with_retain_graph(rng):
    args = _args(rng)
    y = LSTMSequence.apply(*args)
    y.sum().backward(retain_graph=True)
    first = args[3].grad.numpy().copy()
    y.sum().backward()
    np.testing.assert_allclose(args[3].grad.numpy(), 2 * first, rtol=1e-12)


def test_forward_buffers_are_the_projection_layout():
    """``_forward`` keeps each step's ``[h_prev | x | 1]`` for the weight product of backward."""
    rng = np.random.default_rng(0)
    x, h0, c0 = rng.standard_normal((3, 2, 2)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    w_hh, w_ih, b = rng.standard_normal((16, 4)), rng.standard_normal((16, 2)), rng.standard_normal(16)
    y, _, _, z = recurrent_fused._forward(x, h0, c0, w_hh, w_ih, b, b)
    np.testing.assert_array_equal(z[0, :, :4], h0)
    np.testing.assert_array_equal(z[1:, :, :4], y[:-1, :, :4])
    np.testing.assert_array_equal(z[:, :, 4:6], x)
    np.testing.assert_array_equal(z[:, :, 6], 1)
