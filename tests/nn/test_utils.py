import math

import numpy as np
import pytest

import npgrad
from npgrad.nn import utils as U


def _pairs(torch, rng, scale=1.0):
    shapes = [(4, 3), (3,), (2, 2, 2)]
    arrs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [(rng.standard_normal(s) * scale).astype(np.float32) for s in shapes]
    ours = [npgrad.tensor(a, requires_grad=True) for a in arrs]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrs]
    for o, t, g in zip(ours, theirs, grads):
        o.grad, t.grad = npgrad.tensor(g), torch.tensor(g)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, -math.inf, 0.0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(torch, rng, norm_type, max_norm):
    ours, theirs = _pairs(torch, rng)
    n = U.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    tn = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(n, npgrad.Tensor) and n.dtype == npgrad.float32 and n.ndim == 0
    np.testing.assert_allclose(n.item(), tn.item(), rtol=1e-5)
    for o, t in zip(ours, theirs):
        assert o.grad.dtype == npgrad.float32
        np.testing.assert_allclose(o.grad._data, t.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_leaves_small_gradients_alone_and_skips_missing_grads():
    a, b = npgrad.zeros(2, requires_grad=True), npgrad.zeros(3, requires_grad=True)
    a.grad = npgrad.tensor([0.3, 0.4])
    n = U.clip_grad_norm_([a, b], max_norm=1.0)
    assert math.isclose(n.item(), 0.5, rel_tol=1e-6) and b.grad is None
    np.testing.assert_allclose(a.grad._data, [0.3, 0.4], rtol=1e-5)
    assert U.clip_grad_norm_(npgrad.zeros(1, requires_grad=True), 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        U.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_single_tensor_and_nonfinite(torch):
    w = npgrad.zeros(2, requires_grad=True)
    w.grad = npgrad.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        U.clip_grad_norm_(w, 1.0, error_if_nonfinite=True)
    assert math.isnan(U.clip_grad_norm_(w, 1.0).item())
    with pytest.raises(TypeError, match="max_norm must be a number"):
        U.clip_grad_norm_(w, "big")


def test_clip_grad_norm_deprecated_alias():
    w = npgrad.zeros(2, requires_grad=True)
    w.grad = npgrad.tensor([3.0, 4.0])
    with pytest.warns(FutureWarning):
        assert math.isclose(U.clip_grad_norm(w, 10.0).item(), 5.0, rel_tol=1e-6)


def test_clip_grad_value_matches_torch(torch, rng):
    ours, theirs = _pairs(torch, rng, scale=3.0)
    v0 = ours[0].grad._version[0]
    assert U.clip_grad_value_(ours, 1.5) is None
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.grad._data, t.grad.numpy())
    assert ours[0].grad._version[0] == v0 + 1
    with pytest.raises(ValueError, match="clip_value must be >= 0, got -1.0"):
        U.clip_grad_value_(ours, -1)


def test_parameters_to_vector_round_trip_and_grad(torch, rng):
    arrs = [rng.standard_normal(s) for s in [(2, 3), (4,)]]
    ps = [npgrad.tensor(a, dtype=npgrad.float64, requires_grad=True) for a in arrs]
    vec = U.parameters_to_vector(ps)
    tvec = torch.nn.utils.parameters_to_vector([torch.tensor(a) for a in arrs])
    np.testing.assert_array_equal(vec._data, tvec.numpy())
    (vec * npgrad.arange(10.0, dtype=npgrad.float64)).sum().backward()
    np.testing.assert_array_equal(ps[0].grad._data.ravel(), np.arange(6.0))
    with npgrad.no_grad():
        U.vector_to_parameters(vec * 2, ps)
    np.testing.assert_allclose(ps[1]._data, 2 * arrs[1])
    with pytest.raises(ValueError, match="10 elements"):
        U.vector_to_parameters(npgrad.zeros(9, dtype=npgrad.float64), ps)
    with pytest.raises(TypeError, match="expected npgrad.Tensor"):
        U.vector_to_parameters(np.zeros(10), ps)


def test_penalties_forward_and_gradient(rng):
    arrs = [rng.standard_normal(s) for s in [(3, 2), (2,)]]
    ps = [npgrad.tensor(a, dtype=npgrad.float64, requires_grad=True) for a in arrs]
    l1, l2 = U.l1_penalty(ps), U.l2_penalty(p for p in ps)
    assert math.isclose(l1.item(), sum(np.abs(a).sum() for a in arrs))
    assert math.isclose(l2.item(), sum((a * a).sum() for a in arrs))
    (l1 + l2).backward()
    for p, a in zip(ps, arrs):
        np.testing.assert_allclose(p.grad._data, np.sign(a) + 2 * a)
    assert U.l2_penalty([]).item() == 0.0
    assert U.l2_penalty(npgrad.ones(3)).dtype == npgrad.float32


def test_penalties_gradcheck(rng):
    ps = [npgrad.tensor(rng.standard_normal(s), dtype=npgrad.float64, requires_grad=True) for s in [(3,), (2, 2)]]
    assert npgrad.autograd.gradcheck(lambda a, b: U.l2_penalty([a, b]) + U.l1_penalty([a, b]), ps)


def test_l2_penalty_equals_sgd_weight_decay():
    """SGD(weight_decay=λ) takes the same step as plain SGD on loss + λ/2 * l2_penalty."""
    a = npgrad.tensor([1.0, -2.0, 0.5], requires_grad=True)
    b = npgrad.tensor([1.0, -2.0, 0.5], requires_grad=True)
    opt_a = npgrad.optim.SGD([a], lr=0.1, weight_decay=0.2)
    opt_b = npgrad.optim.SGD([b], lr=0.1)
    for _ in range(5):
        opt_a.zero_grad(); opt_b.zero_grad()
        (a ** 3).sum().backward()
        ((b ** 3).sum() + 0.1 * U.l2_penalty([b])).backward()
        opt_a.step(); opt_b.step()
    np.testing.assert_allclose(a._data, b._data, rtol=1e-6)
