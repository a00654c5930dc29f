"""Losses PyTorch lacks: focal (binary, multi-class), binary hinge, exponential, 0-1 — against NumPy
formulas, gradcheck, stability and conventions shared with PyTorch's losses."""
import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck


def _np_sigmoid_focal(x, t, alpha, gamma):
    """torchvision.ops.sigmoid_focal_loss, written in NumPy."""
    p = 1 / (1 + np.exp(-x))
    ce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss


@pytest.mark.parametrize("alpha,gamma", [(0.25, 2.0), (-1, 2.0), (0.5, 0.0), (0.25, 1.5)])
def test_sigmoid_focal_matches_torchvision_formula(rng, alpha, gamma):
    x = rng.standard_normal((5, 3)) * 3
    t = (rng.random((5, 3)) < 0.4).astype(np.float64)
    out = F.sigmoid_focal_loss(npgrad.tensor(x), npgrad.tensor(t), alpha, gamma)
    np.testing.assert_allclose(out._data, _np_sigmoid_focal(x, t, alpha, gamma), rtol=1e-10, atol=1e-12)
    assert out.shape == (5, 3)  # reduction='none' by default, like torchvision
    xt = npgrad.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: F.sigmoid_focal_loss(a, npgrad.tensor(t), alpha, gamma, reduction="sum"), (xt,))


def test_sigmoid_focal_module_and_reductions(rng):
    x, t = npgrad.tensor(rng.standard_normal(6)), npgrad.tensor((rng.random(6) < 0.5) * 1.0)
    full = F.sigmoid_focal_loss(x, t)
    assert abs(nn.SigmoidFocalLoss()(x, t).item() - full.mean().item()) < 1e-12
    assert abs(F.sigmoid_focal_loss(x, t, reduction="sum").item() - full.sum().item()) < 1e-12
    assert repr(nn.SigmoidFocalLoss()) == "SigmoidFocalLoss(alpha=0.25, gamma=2.0)"


def test_multiclass_focal_is_cross_entropy_at_gamma_0(torch, rng):
    x = rng.standard_normal((6, 4)).astype(np.float32)
    y = rng.integers(0, 4, 6)
    w = np.array([1.0, 2.0, 0.5, 1.5], np.float32)
    for kw in ({}, {"weight": w}, {"ignore_index": int(y[0])}):
        kn = {k: npgrad.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        kt = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        for red in ("mean", "sum", "none"):
            ours = F.focal_loss(npgrad.tensor(x), npgrad.tensor(y), gamma=0.0, reduction=red, **kn)
            ref = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y), reduction=red, **kt)
            np.testing.assert_allclose(ours._data, ref.numpy(), rtol=1e-5, atol=1e-6)


def test_multiclass_focal_formula_and_grad(rng):
    x = rng.standard_normal((5, 3))
    y = rng.integers(0, 3, 5)
    p = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    pt = p[np.arange(5), y]
    expected = -(1 - pt) ** 2 * np.log(pt)
    out = F.focal_loss(npgrad.tensor(x), npgrad.tensor(y), reduction="none")
    np.testing.assert_allclose(out._data, expected, rtol=1e-10)
    assert abs(nn.FocalLoss()(npgrad.tensor(x), npgrad.tensor(y)).item() - expected.mean()) < 1e-12
    xt = npgrad.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: F.focal_loss(a, npgrad.tensor(y), gamma=2.0), (xt,))
    # easy examples are down-weighted relative to cross-entropy
    ce = F.cross_entropy(npgrad.tensor(x), npgrad.tensor(y), reduction="none")._data
    assert np.all(out._data <= ce + 1e-12)


def test_multiclass_focal_spatial(rng):
    x = rng.standard_normal((2, 3, 4))
    y = rng.integers(0, 3, (2, 4))
    out = F.focal_loss(npgrad.tensor(x), npgrad.tensor(y), reduction="none")
    flat = F.focal_loss(npgrad.tensor(x.transpose(0, 2, 1).reshape(-1, 3)), npgrad.tensor(y.reshape(-1)),
                        reduction="none")
    assert out.shape == (2, 4)
    np.testing.assert_allclose(out._data.reshape(-1), flat._data, rtol=1e-12)


def test_binary_hinge(rng):
    a = rng.standard_normal(8) * 2
    y = np.where(rng.random(8) < 0.5, -1.0, 1.0)
    out = F.hinge_loss(npgrad.tensor(a), npgrad.tensor(y), reduction="none")
    np.testing.assert_allclose(out._data, np.maximum(0, 1 - y * a))
    at = npgrad.tensor(a, requires_grad=True)
    nn.HingeLoss()(at, npgrad.tensor(y)).backward()
    np.testing.assert_allclose(at.grad._data, np.where(1 - y * a > 0, -y, 0) / 8)
    assert abs(F.hinge_loss(npgrad.tensor(a), npgrad.tensor(y), margin=0.0, reduction="sum").item()
               - np.maximum(0, -y * a).sum()) < 1e-12  # margin 0: the perceptron criterion
    with pytest.raises(ValueError, match="target labels must be -1 or \\+1"):
        F.hinge_loss(npgrad.tensor(a), npgrad.tensor((y > 0) * 1.0))


def test_exponential_loss(rng):
    a = rng.standard_normal(6)
    y = np.where(rng.random(6) < 0.5, -1.0, 1.0)
    out = F.exponential_loss(npgrad.tensor(a), npgrad.tensor(y), reduction="none")
    np.testing.assert_allclose(out._data, np.exp(-y * a), rtol=1e-12)
    at = npgrad.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: F.exponential_loss(t, npgrad.tensor(y)), (at,))
    assert abs(nn.ExponentialLoss(reduction="sum")(npgrad.tensor(a), npgrad.tensor(y)).item()
               - np.exp(-y * a).sum()) < 1e-10


def test_exponential_loss_huge_margins_stay_finite():
    a = npgrad.tensor([500.0, -500.0, 90.0], requires_grad=True)
    y = npgrad.tensor([-1.0, 1.0, -1.0])
    loss = F.exponential_loss(a, y, reduction="sum")
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(a.grad._data).all()
    # descent (a -= lr * grad) still moves each misclassified score towards its label
    np.testing.assert_array_equal(np.sign(a.grad._data), -y._data)


def test_zero_one_loss():
    scores = npgrad.tensor([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5]], requires_grad=True)
    y = npgrad.tensor([1, 2, 2])
    assert abs(F.zero_one_loss(scores, y).item() - 1 / 3) < 1e-7
    assert F.zero_one_loss(scores, y, reduction="none").tolist() == [0.0, 1.0, 0.0]
    assert not F.zero_one_loss(scores, y).requires_grad  # a metric, not differentiable
    a = npgrad.tensor([1.5, -0.2, 0.0, 3.0])
    yy = npgrad.tensor([1.0, 1.0, -1.0, -1.0])
    assert F.zero_one_loss(a, yy, reduction="sum").item() == 3.0
    assert nn.ZeroOneLoss()(a, yy).item() == 0.75
    with pytest.raises(ValueError, match="-1 or \\+1"):
        F.zero_one_loss(a, npgrad.tensor([0.0, 1.0, 0.0, 1.0]))


def test_reduction_validation():
    x = npgrad.ones(2)
    for fn in (F.hinge_loss, F.exponential_loss, F.zero_one_loss):
        with pytest.raises(ValueError, match="not a valid value for reduction"):
            fn(x, x, reduction="avg")
    with pytest.raises(ValueError, match="must have the shape of input"):
        F.hinge_loss(x, npgrad.ones(3))
    with pytest.raises(ValueError, match="gamma must be non-negative"):
        F.focal_loss(npgrad.ones(2, 2), npgrad.tensor([0, 1]), gamma=-1.0)
