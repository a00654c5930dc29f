"""Random broadcast-compatible shapes (Hypothesis) for the binary ops: values and gradients vs
PyTorch, so that unbroadcasting in the engine is exercised beyond the table's fixed shapes."""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

import npgrad  # noqa: E402

BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 0.5), "pow": lambda a, b: (a * a + 0.5) ** b,
    "maximum": lambda a, b: a.maximum(b) if hasattr(a, "maximum") else None,
    "where": lambda a, b: (a > b).float() * a + b * 0.5,
}


@st.composite
def broadcast_pair(draw):
    ndim = draw(st.integers(0, 4))
    full = draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim))
    def variant():
        keep = draw(st.integers(0, ndim))
        dims = full[ndim - keep:]
        return tuple(d if draw(st.booleans()) else 1 for d in dims)
    return variant(), variant()


@settings(max_examples=60, deadline=None)
@given(shapes=broadcast_pair(), op=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2 ** 16))
def test_binary_broadcast_matches_torch(shapes, op, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    got = []
    for T in (npgrad, torch):
        a, b = (T.tensor(x, requires_grad=True) for x in xs)
        out = BINARY[op](a, b)
        w = T.tensor(np.linspace(-1, 1, max(out.numel(), 1)).reshape(tuple(out.shape)).astype(np.float32))
        (out * w).sum().backward()
        got.append([out.detach().numpy(), a.grad.numpy(), b.grad.numpy()])
    for x, y in zip(*got):
        assert x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5)
