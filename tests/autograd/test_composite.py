"""Whole computations built from core ops only (no nn): an MLP's cross-entropy step, an attention
block and a normalisation, each compared with PyTorch in forward and backward."""
import numpy as np
import pytest


def _mlp(T, x, y, w1, b1, w2, b2):
    h = (x @ w1 + b1).clamp(min=0)
    logits = h @ w2 + b2
    logp = logits - logits.logsumexp(1, keepdim=True)
    return -logp[T.arange(len(y)), y].mean()


def _attention(T, q, k, v, *_):
    s = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    s = s - s.amax(-1, keepdim=True)
    p = s.exp() / s.exp().sum(-1, keepdim=True)
    return (p @ v).tanh().sum()


def _layernorm(T, x, g, b, *_):
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    y = (x - mu) * (var + 1e-5).rsqrt() * g + b
    return (y * y.sigmoid()).sum() + y.norm(dim=-1).sum() + y.std()


CASES = {
    "mlp": (_mlp, [(8, 5), "labels", (5, 16), (16,), (16, 3), (3,)]),
    "attention": (_attention, [(2, 4, 6), (2, 4, 6), (2, 4, 6)]),
    "layernorm": (_layernorm, [(3, 4, 8), (8,), (8,)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    import npgrad
    fn, specs = CASES[name]
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 3, 8) if s == "labels" else rng.standard_normal(s).astype(np.float32)
              for s in specs]
    res = []
    for T in (npgrad, torch):
        ts = [T.tensor(a) if a.dtype.kind == "i" else T.tensor(a, requires_grad=True) for a in arrays]
        loss = fn(T, *ts)
        loss.backward()
        res.append((loss.item(), [t.grad.numpy() if t.grad is not None else None for t in ts]))
    assert res[0][0] == pytest.approx(res[1][0], rel=1e-5)
    for a, b in zip(res[0][1], res[1][1]):
        if b is None:
            assert a is None
        else:
            assert a.dtype == np.float32
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
