"""Margin ranking, cosine embedding, triplet margin, Gaussian and Poisson NLL losses, CosineSimilarity and
PairwiseDistance against PyTorch: values and gradients for each reduction, and argument errors."""
import numpy as np
import pytest

import npgrad


def _compare(torch, call, arrays):
    res = []
    for T in (npgrad, torch):
        ts = [T.tensor(a, requires_grad=a.dtype == np.float32) for a in arrays]
        out = call(T, *ts)
        (out.sum() if out.ndim else out).backward()
        res.append([out.detach().numpy()] + [t.grad.numpy() for t in ts if t.requires_grad])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_pair_and_triplet_losses_match_torch(torch, rng, reduction):
    x1, x2, x3 = (rng.standard_normal((5, 4)).astype(np.float32) for _ in range(3))
    s1, s2 = rng.standard_normal(5).astype(np.float32), rng.standard_normal(5).astype(np.float32)
    y = np.where(rng.random(5) < 0.5, -1.0, 1.0).astype(np.float32)
    yi = y.astype(np.int64)
    _compare(torch, lambda T, a, b, t: T.nn.MarginRankingLoss(0.3, reduction=reduction)(a, b, t), [s1, s2, yi])
    _compare(torch, lambda T, a, b, t: T.nn.CosineEmbeddingLoss(0.2, reduction=reduction)(a, b, t), [x1, x2, yi])
    _compare(torch, lambda T, a, b, n: T.nn.TripletMarginLoss(0.5, reduction=reduction)(a, b, n), [x1, x2, x3])
    _compare(torch, lambda T, a, b, n: T.nn.functional.triplet_margin_loss(a, b, n, margin=2.0, p=1, swap=True,
                                                                            reduction=reduction), [x1, x2, x3])


@pytest.mark.parametrize("full", [False, True])
def test_likelihood_losses_match_torch(torch, rng, full):
    mu, target = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((4, 3)).astype(np.float32)
    var = (rng.random((4, 3)) + 0.1).astype(np.float32)
    var[0, 0] = 1e-8  # clamped to eps for the value only
    _compare(torch, lambda T, m, t, v: T.nn.GaussianNLLLoss(full=full)(m, t, v), [mu, target, var])
    _compare(torch, lambda T, m, t, v: T.nn.functional.gaussian_nll_loss(m, t, v, reduction="none"),
             [mu, target, var[:, :1].copy()])
    _compare(torch, lambda T, m, t, v: T.nn.functional.gaussian_nll_loss(m, t, v, reduction="sum"),
             [mu, target, var[:, 0].copy()])
    counts = rng.integers(0, 5, (4, 3)).astype(np.float64)
    _compare(torch, lambda T, r, c: T.nn.PoissonNLLLoss(full=full)(r, c.float()), [mu, counts])
    _compare(torch, lambda T, r, c: T.nn.PoissonNLLLoss(log_input=False, full=full, reduction="sum")(r, c.float()),
             [np.abs(mu) + 0.1, counts])


def test_similarity_modules_match_torch(torch, rng):
    x1, x2 = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    _compare(torch, lambda T, a, b: T.nn.CosineSimilarity(dim=0)(a, b), [x1, x2])
    _compare(torch, lambda T, a, b: T.nn.PairwiseDistance(p=3.0, keepdim=True)(a, b), [x1, x2])


def test_errors_match_torch(torch):
    for T in (npgrad, torch):
        with pytest.raises(ValueError, match="var is of incorrect size"):
            T.nn.functional.gaussian_nll_loss(T.ones(2, 3), T.ones(2, 3), T.ones(3, 2))
        with pytest.raises(ValueError, match="negative"):
            T.nn.functional.gaussian_nll_loss(T.ones(2), T.ones(2), -T.ones(2))
        with pytest.raises(ValueError):
            T.nn.TripletMarginLoss(margin=0.0)
        with pytest.raises(RuntimeError):
            T.nn.functional.margin_ranking_loss(T.ones(2), T.ones(2, 1), T.ones(2))
