"""triu / tril: zeros written outside the triangle (never multiplied in), as PyTorch's."""
import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("fn, diagonal", [("triu", 1), ("triu", 0), ("tril", -1), ("tril", 0)])
def test_infinities_and_nans_outside_the_triangle_become_zero(torch, fn, diagonal):
    x = np.array([[-np.inf, np.nan, 1.0], [np.inf, 2.0, -np.inf], [np.nan, 3.0, 4.0]], np.float32)
    ours = getattr(npgrad, fn)(npgrad.tensor(x), diagonal)
    theirs = getattr(torch, fn)(torch.tensor(x), diagonal)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_causal_mask_and_dtypes_match_torch(torch):
    for T in (npgrad, torch):
        mask = T.triu(T.ones(4, 4) * float("-inf"), diagonal=1)
        assert T.isfinite(mask).sum().item() == 10 and mask[3, 0].item() == 0.0
        assert T.ones(2, 2, dtype=T.bool).tril().dtype == T.bool
        assert T.arange(4).reshape(2, 2).triu().tolist() == [[0, 1], [0, 3]]


def test_gradient_stays_inside_the_triangle():
    x = npgrad.ones(3, 3, requires_grad=True)
    (npgrad.triu(x, 1) * 2).sum().backward()
    assert x.grad.tolist() == [[0, 2, 2], [0, 0, 2], [0, 0, 0]]
