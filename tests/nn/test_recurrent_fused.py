"""The fused LSTM sequence primitive: values and gradients as the per-step ops, higher orders too."""
import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn.recurrent_fused import LSTMSequence, lstm_unfused


def _inputs(rng, steps=4, n=3, hid=2, requires_grad=True, dtype=np.float64):
    t = lambda *s: npgrad.tensor(rng.standard_normal(s).astype(dtype), requires_grad=requires_grad)  # noqa: E731
    return t(steps, n, 4 * hid), t(n, hid), t(n, hid), npgrad.tensor(
        (0.5 * rng.standard_normal((4 * hid, hid))).astype(dtype), requires_grad=requires_grad)


def test_fused_equals_the_per_step_ops(rng):
    xp, h0, c0, w = _inputs(rng, steps=6, n=4, hid=5)
    y = LSTMSequence.apply(xp, h0, c0, w)
    ref = lstm_unfused(xp, h0, c0, w)
    np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = npgrad.tensor(rng.standard_normal(tuple(y.shape)))
    got = npgrad.autograd.grad(y, [xp, h0, c0, w], g)
    want = npgrad.autograd.grad(ref, [xp, h0, c0, w], g)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


def test_gradcheck_and_gradgradcheck(rng):
    args = _inputs(rng)
    assert gradcheck(LSTMSequence.apply, args)
    assert gradgradcheck(LSTMSequence.apply, args)


def test_only_the_needed_gradients_are_computed(rng):
    xp, h0, c0, w = _inputs(rng)
    h0.requires_grad_(False)
    c0.requires_grad_(False)
    y = LSTMSequence.apply(xp, h0, c0, w)
    y.sum().backward()
    assert xp.grad is not None and w.grad is not None and h0.grad is None and c0.grad is None


def test_float32_stays_float32_and_a_second_backward_needs_retain_graph(rng):
    xp, h0, c0, w = _inputs(rng, dtype=np.float32)
    y = LSTMSequence.apply(xp, h0, c0, w)
    assert y.dtype == npgrad.float32
    y.sum().backward()
    assert xp.grad.dtype == npgrad.float32 and w.grad.dtype == npgrad.float32
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


def test_large_pre_activations_saturate_without_overflow(rng):
    xp, h0, c0, w = _inputs(rng, dtype=np.float32)
    with npgrad.no_grad():
        xp.mul_(1e4)
    with np.errstate(all="raise"):
        y = LSTMSequence.apply(xp, h0, c0, w)
    assert np.isfinite(y.detach().numpy()).all()


def test_lstm_layer_records_one_node_per_direction():
    lstm = nn.LSTM(3, 4, bidirectional=True)
    out, _ = lstm(npgrad.randn(7, 2, 3))
    names = [type(f).__name__ for f in _walk(out.grad_fn)]
    assert names.count("LSTMSequence") == 2 and len(names) < 40        # not ~15 nodes per time step


def _walk(fn):
    """Every graph node behind ``fn`` (each once)."""
    seen, stack, out = set(), [fn], []
    while stack:
        f = stack.pop()
        if f is None or id(f) in seen or not hasattr(f, "next_functions"):
            continue
        seen.add(id(f))
        out.append(f)
        stack.extend(g for g, _ in f.next_functions)
    return out
