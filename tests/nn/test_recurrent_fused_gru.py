"""The fused GRU sequence (``GRUSequence``): values and gradients as the per-step ops, gradchecks in
float64, second order, and one graph node per direction in ``nn.GRU``."""
import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn.recurrent_fused import GRUSequence, gru_unfused


def _args(rng, steps=4, n=3, k_in=2, hid=3, bias=True, dtype=np.float64):
    def t(*s, scale=1.0):
        return npgrad.tensor((scale * rng.standard_normal(s)).astype(dtype), requires_grad=True)
    return (t(steps, n, k_in), t(n, hid), t(3 * hid, hid, scale=0.5), t(3 * hid, k_in, scale=0.5),
            t(3 * hid) if bias else None, t(3 * hid) if bias else None)


@pytest.mark.parametrize("bias", [True, False])
def test_equals_the_per_step_ops(bias, rng):
    args = _args(rng, steps=6, n=4, k_in=5, hid=3, bias=bias)
    y = GRUSequence.apply(*args)
    ref = gru_unfused(*args)
    np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = npgrad.tensor(rng.standard_normal(tuple(y.shape)))
    leaves = [a for a in args if a is not None]
    for a, b in zip(npgrad.autograd.grad(y, leaves, g), npgrad.autograd.grad(ref, leaves, g)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


def test_gradcheck_float64(rng):
    assert gradcheck(GRUSequence.apply, _args(rng, steps=3, n=2, k_in=2, hid=2))


def test_gradgradcheck_float64(rng):
    assert gradgradcheck(GRUSequence.apply, _args(rng, steps=2, n=2, k_in=1, hid=1))


def test_only_the_needed_gradients_are_computed(rng):
    x, h0, w_hh, w_ih, b_ih, b_hh = _args(rng)
    for t in (x, h0, b_ih):
        t.requires_grad_(False)
    GRUSequence.apply(x, h0, w_hh, w_ih, b_ih, b_hh).sum().backward()
    assert x.grad is None and h0.grad is None and b_ih.grad is None
    assert w_hh.grad is not None and w_ih.grad is not None and b_hh.grad is not None


def test_float32_stays_float32_and_large_pre_activations_saturate(rng):
    args = _args(rng, dtype=np.float32)
    with npgrad.no_grad():
        args[0].mul_(1e4)
    with np.errstate(all="raise"):
        y = GRUSequence.apply(*args)
        y.sum().backward()
    assert y.dtype == npgrad.float32 and args[2].grad.dtype == npgrad.float32
    assert np.isfinite(y.detach().numpy()).all()


def test_gru_layer_records_one_node_per_direction():
    gru = nn.GRU(3, 4, bidirectional=True)
    out, _ = gru(npgrad.randn(7, 2, 3))
    seen, stack, names = set(), [out.grad_fn], []
    while stack:
        f = stack.pop()
        if f is None or id(f) in seen or not hasattr(f, "next_functions"):
            continue
        seen.add(id(f))
        names.append(type(f).__name__)
        stack.extend(g for g, _ in f.next_functions)
    assert names.count("GRUSequence") == 2 and len(names) < 40
