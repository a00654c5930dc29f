"""Normal, Categorical, Bernoulli and kl_divergence against torch.distributions: log_prob, entropy,
moments, gradients, sample shapes and dtypes, and argument checks."""
import numpy as np
import pytest

import npgrad
from npgrad import distributions as D


def _both(torch, build):
    """Run ``build(T, dist_module)`` on npgrad and PyTorch; return both lists of tensors as arrays."""
    import torch.distributions as TD
    out = []
    for T, mod in ((npgrad, D), (torch, TD)):
        out.append([t.detach().numpy() if hasattr(t, "detach") else np.asarray(t) for t in build(T, mod)])
    return out


def _close(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)


def test_normal_matches_torch(torch, rng):
    loc, scale = rng.standard_normal((3, 2)).astype(np.float32), rng.random((3, 2)).astype(np.float32) + 0.2
    v = rng.standard_normal((3, 2)).astype(np.float32)

    def build(T, mod):
        l, s = T.tensor(loc, requires_grad=True), T.tensor(scale, requires_grad=True)
        n = mod.Normal(l, s)
        lp = n.log_prob(T.tensor(v))
        (lp.sum() + n.entropy().sum()).backward()
        return [lp, n.entropy(), n.mean, n.stddev, n.variance, n.cdf(T.tensor(v)), n.icdf(T.tensor([[0.2, 0.9]])),
                l.grad, s.grad, n.rsample((4,)).shape, mod.Normal(0.0, 2.0).log_prob(T.tensor(1.5))]
    _close(*_both(torch, build))


def test_categorical_matches_torch(torch, rng):
    p = rng.random((2, 4)).astype(np.float32) + 0.1
    z = rng.standard_normal((2, 4)).astype(np.float32)

    def build(T, mod):
        pt, zt = T.tensor(p, requires_grad=True), T.tensor(z, requires_grad=True)
        a, b = mod.Categorical(probs=pt), mod.Categorical(logits=zt)
        lp = a.log_prob(T.tensor([3, 0])) + b.log_prob(T.tensor([[1, 2], [0, 0]]))
        (lp.sum() + a.entropy().sum() + mod.kl_divergence(a, b).sum()).backward()
        return [lp, a.probs, a.logits, b.probs, b.logits, a.entropy(), b.entropy(), b.mode, pt.grad, zt.grad,
                a.sample().shape, b.sample((3, 5)).shape, mod.kl_divergence(a, b)]
    _close(*_both(torch, build))


def test_bernoulli_matches_torch(torch, rng):
    p = rng.random(5).astype(np.float32)
    x = (rng.random(5) > 0.5).astype(np.float32)

    def build(T, mod):
        pt = T.tensor(p, requires_grad=True)
        a, b = mod.Bernoulli(probs=pt), mod.Bernoulli(logits=T.tensor(p * 4 - 2))
        lp = a.log_prob(T.tensor(x)) + b.log_prob(T.tensor(x))
        (lp.sum() + a.entropy().sum()).backward()
        return [lp, a.logits, b.probs, a.entropy(), a.mean, a.variance, pt.grad, mod.kl_divergence(a, b),
                mod.Bernoulli(0.3).log_prob(T.tensor(0.0)), a.sample((2,)).shape]
    _close(*_both(torch, build))


def test_samples_have_torchs_shapes_dtypes_and_no_graph():
    probs = npgrad.tensor([0.2, 0.8], requires_grad=True)
    s = D.Categorical(probs).sample((1000,))
    assert s.dtype == npgrad.int64 and not s.requires_grad and 0.7 < s.float().mean().item() < 0.9
    n = D.Normal(npgrad.zeros(2, requires_grad=True), 1.0)
    assert not n.sample((3,)).requires_grad and n.rsample((3,)).requires_grad
    assert D.Bernoulli(probs).sample().dtype == npgrad.float32


@pytest.mark.parametrize("call", [
    lambda T, mod: mod.Normal(T.tensor([0.0]), T.tensor([-1.0])),
    lambda T, mod: mod.Categorical(probs=T.tensor([0.2, 0.8]), logits=T.tensor([0.0, 1.0])),
    lambda T, mod: mod.Categorical(probs=T.tensor([-0.2, 0.8])),
    lambda T, mod: mod.Categorical(probs=T.tensor([0.2, 0.8])).log_prob(T.tensor(2)),
    lambda T, mod: mod.Bernoulli(probs=T.tensor([1.5])),
    lambda T, mod: mod.Bernoulli(probs=T.tensor([0.5])).log_prob(T.tensor([0.5])),
])
def test_bad_arguments_raise_value_error_like_torch(torch, call):
    import torch.distributions as TD
    for T, mod in ((npgrad, D), (torch, TD)):
        with pytest.raises(ValueError):
            call(T, mod)
