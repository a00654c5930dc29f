"""bincount, unique, diff, median, kthvalue, msort, index_add, addcmul and addcdiv against PyTorch: values, dtypes,
gradients and errors."""
import numpy as np
import pytest

import npgrad


def _both(torch, fn):
    return fn(npgrad), fn(torch)


def _same(ours, theirs):
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        return
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda T: T.bincount(T.tensor([1, 3, 3, 0])),
    lambda T: T.bincount(T.tensor([1, 3]), minlength=6),
    lambda T: T.bincount(T.tensor([], dtype=T.int64)),
    lambda T: T.bincount(T.tensor([0, 2, 2]), weights=T.tensor([0.5, 1.0, 2.0])),
    lambda T: T.bincount(T.tensor([0, 2, 2]), weights=T.tensor([1, 2, 3])),
    lambda T: T.tensor([2, 2, 1]).bincount(T.tensor([1.0, 2.0, 3.0], dtype=T.float64)),
    lambda T: T.unique(T.tensor([[3, 1], [3, 2]]), return_inverse=True, return_counts=True),
    lambda T: T.tensor([3.0, 1.0, 3.0]).unique(),
    lambda T: T.unique(T.tensor([[1, 2], [0, 0], [1, 2]]), dim=0, return_inverse=True),
    lambda T: T.diff(T.tensor([1, 4, 9]), prepend=T.tensor([0])),
    lambda T: T.diff(T.tensor([[1.0, 4.0, 9.0, 16.0]]), n=2, dim=1, append=T.tensor([[20.0]])),
    lambda T: T.diff(T.tensor([True, False, False])),
    lambda T: T.median(T.tensor([1.0, 4.0, 2.0, 3.0])),
    lambda T: T.median(T.tensor([[5, 2], [3, 4]])),
    lambda T: T.tensor([1.0, float("nan"), 2.0]).median(),
    lambda T: tuple(T.tensor([[1.0, float("nan"), 2.0], [3.0, 1.0, 2.0]]).median(1)),
    lambda T: tuple(T.tensor([[1.0, 4.0, 2.0, 3.0]]).median(1, keepdim=True)),
    lambda T: tuple(T.tensor(3.0).median(0)),
    lambda T: tuple(T.kthvalue(T.tensor([[1.0, 4.0, 2.0, 3.0]]), 2, keepdim=True)),
    lambda T: tuple(T.tensor([[1.0, 4.0], [2.0, 3.0]]).kthvalue(1, dim=0)),
    lambda T: T.msort(T.tensor([[3.0, 1.0], [2.0, 5.0]])),
    lambda T: T.zeros(3, 2).index_add(0, T.tensor([0, 2, 0]), T.ones(3, 2), alpha=2),
    lambda T: T.zeros(2, 4).index_add_(1, T.tensor([3, 1]), T.tensor([[1.0, 2.0], [3.0, 4.0]])),
])
def test_matches_torch(torch, call):
    _same(*_both(torch, call))


def test_gradients_reach_the_picked_elements(torch, rng):
    x = rng.standard_normal((3, 5)).astype(np.float32)
    s = rng.standard_normal((3, 2)).astype(np.float32)
    for T in (npgrad, torch):
        a, b = T.tensor(x, requires_grad=True), T.tensor(s, requires_grad=True)
        loss = (a.median(1).values * 2).sum() + a.kthvalue(2, 0).values.sum() + a.median() \
            + T.diff(a, n=2).pow(2).sum() + T.ones(3, 6).index_add(1, T.tensor([5, 0]), b, alpha=3).pow(2).sum()
        loss.backward()
        if T is npgrad:
            ours = a.grad.numpy(), b.grad.numpy()
        else:
            np.testing.assert_allclose(ours[0], a.grad.numpy(), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(ours[1], b.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_counts_carry_no_gradient():
    x = npgrad.randn(4, requires_grad=True)
    assert not npgrad.unique(x).requires_grad
    assert not npgrad.bincount(npgrad.tensor([0, 1]), weights=x[:2]).requires_grad


@pytest.mark.parametrize("call, exc", [
    (lambda T: T.bincount(T.tensor([-1])), RuntimeError),
    (lambda T: T.bincount(T.tensor([[1]])), RuntimeError),
    (lambda T: T.bincount(T.tensor([1.0])), NotImplementedError),
    (lambda T: T.kthvalue(T.tensor([1.0]), 3), RuntimeError),
    (lambda T: T.tensor([[1.0]]).median(2), IndexError),
    (lambda T: T.zeros(3).index_add(0, T.tensor([0, 1]), T.ones(3)), RuntimeError),
])
def test_errors_match_torch(torch, call, exc):
    for T in (npgrad, torch):
        with pytest.raises(exc):
            call(T)


def test_addcmul_and_addcdiv_match_torch(torch, rng):
    x, a, b = (rng.standard_normal(4).astype(np.float32) for _ in range(3))
    res = []
    for T in (npgrad, torch):
        xt, at, bt = (T.tensor(v, requires_grad=True) for v in (x, a, b))
        y = T.addcmul(xt, at, bt, value=0.5) + xt.addcdiv(at, bt.abs() + 1, value=-2) + T.addcdiv(xt, at, bt.exp())
        y.sum().backward()
        res.append([y.detach().numpy(), xt.grad.numpy(), at.grad.numpy(), bt.grad.numpy()])
    for u, v in zip(*res):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)
    for T in (npgrad, torch):
        with pytest.raises(RuntimeError, match="Integer division"):
            T.addcdiv(T.ones(2), T.tensor([1, 2]), T.tensor([1, 2]))
