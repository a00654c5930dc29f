"""meshgrid against PyTorch: both indexings, a list argument, 0-d inputs, gradients, errors and the warning."""
import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_torch(torch, indexing):
    res = []
    for T in (npgrad, torch):
        a, b, c = T.arange(2.0, requires_grad=True), T.arange(3.0, requires_grad=True), T.tensor(5.0)
        grids = T.meshgrid(a, b, c, indexing=indexing)
        sum(g * (i + 1) for i, g in enumerate(grids)).sum().backward()
        listed = T.meshgrid([a, b], indexing=indexing)
        res.append([g.detach().numpy() for g in grids + listed] + [a.grad.numpy(), b.grad.numpy()])
    for u, v in zip(*res):
        assert u.shape == v.shape
        np.testing.assert_array_equal(u, v)


def test_meshgrid_errors_and_warning_match_torch(torch):
    for T in (npgrad, torch):
        with pytest.warns(UserWarning, match="indexing argument"):
            T.meshgrid(T.arange(2), T.arange(3))
        with pytest.raises(RuntimeError):
            T.meshgrid(T.ones(2, 2), indexing="ij")
        with pytest.raises(RuntimeError):
            T.meshgrid(T.arange(2), T.arange(2), indexing="ji")


@pytest.mark.parametrize("shape, wrap", [((3, 3), False), ((5, 3), False), ((5, 3), True), ((7, 3), True),
                                         ((3, 5), True), ((3, 3, 3), False), ((2, 2, 2, 2), False)])
def test_fill_diagonal_matches_torch(torch, shape, wrap):
    ours = npgrad.zeros(shape).fill_diagonal_(7.0, wrap=wrap)
    theirs = torch.zeros(shape).fill_diagonal_(7.0, wrap=wrap)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_fill_diagonal_is_in_place_and_differentiable(torch):
    for T in (npgrad, torch):
        w = T.ones(3, 3, requires_grad=True)
        y = w * 2
        assert y.fill_diagonal_(0) is y
        y.sum().backward()
        assert w.grad.tolist() == [[0, 2, 2], [2, 0, 2], [2, 2, 0]]
        with pytest.raises(RuntimeError):
            T.zeros(2, 3, 3).fill_diagonal_(1)
