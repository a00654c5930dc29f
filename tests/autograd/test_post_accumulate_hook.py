"""Tensor.register_post_accumulate_grad_hook: runs once per backward, after .grad holds the sum, as soon
as the leaf's last contribution is computed (before the rest of the graph runs)."""
import numpy as np
import pytest

import npgrad


def test_hook_sees_accumulated_grad_once_with_shared_weight():
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.numpy().copy()))
    ((w * 3).sum() + (w * w).sum()).backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], [5.0, 7.0])
    (w * 2).sum().backward()           # accumulates: the hook sees the running total
    np.testing.assert_allclose(seen[1], [7.0, 9.0])


def test_hook_fires_before_earlier_layers_run():
    """The last layer's weight is finished while the first layer's backward is still to come."""
    order = []
    w1 = npgrad.randn(3, 3, requires_grad=True)
    w2 = npgrad.randn(3, 3, requires_grad=True)
    w2.register_post_accumulate_grad_hook(lambda t: order.append(("w2", w1.grad is None)))
    w1.register_post_accumulate_grad_hook(lambda t: order.append(("w1", w2.grad is None)))
    x = npgrad.randn(2, 3)
    (x @ w1).tanh().matmul(w2).sum().backward()
    assert order == [("w2", True), ("w1", False)]


def test_matches_torch_values_and_leaf_hook_order():
    torch = pytest.importorskip("torch", reason="compares against PyTorch")
    data = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    results = []
    for lib in (npgrad, torch):
        w = lib.tensor(data, requires_grad=True)
        got = []
        w.register_hook(lambda g: g * 2)
        w.register_post_accumulate_grad_hook(lambda t: got.append(t.grad.detach().numpy().copy()))
        (w.sin() * w).sum().backward()
        results.append(got)
    assert len(results[0]) == len(results[1]) == 1
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)


def test_removed_hook_does_not_run_and_bad_targets_raise():
    w = npgrad.ones(2, requires_grad=True)
    calls = []
    h = w.register_post_accumulate_grad_hook(lambda t: calls.append(1))
    h.remove()
    (w * 2).sum().backward()
    assert calls == [] and w.grad is not None
    with pytest.raises(RuntimeError, match="non-leaf"):
        (w * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        npgrad.ones(2).register_post_accumulate_grad_hook(lambda t: None)


def test_autograd_grad_does_not_run_it():
    w = npgrad.ones(2, requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda t: calls.append(1))
    npgrad.autograd.grad((w * 2).sum(), w)
    assert calls == [] and w.grad is None
