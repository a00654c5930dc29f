"""In-place ops on the result of advanced indexing (a copy, not a view), as PyTorch allows them:
``y = x * 2; y[[0, 1]] -= 1`` with ``x`` requiring grad."""
import numpy as np
import pytest

import npgrad

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [3.0, -2.0, 1.0]], dtype=np.float32)
W = np.arange(9, dtype=np.float32).reshape(3, 3) + 1


def _program_1(lib):
    x = lib.tensor(X, requires_grad=True)
    y = x * 2
    y[[0, 1]] -= 1
    return x, y


def _program_2(lib):  # makemore's fused cross-entropy gradient: dlogits[range(n), Y] -= 1
    x = lib.tensor(X, requires_grad=True)
    d = lib.softmax(x, 1) * 1  # (softmax saves its output: backward would refuse a write into it)
    d[range(3), lib.tensor([2, 0, 1])] -= 1
    d /= 3
    return x, d


def _program_3(lib):  # in-place on the indexed copy itself: it is not a view, so y is untouched
    x = lib.tensor(X, requires_grad=True)
    y = x * 1
    z = y[lib.tensor([0, 2])]
    z *= 10
    z.add_(1)
    return x, y * 2 + z.sum()


def _program_4(lib):  # mask indexing, then a write back through __setitem__
    x = lib.tensor(X, requires_grad=True)
    y = x.exp() + 0
    y[y > 2] *= 0.5
    return x, y


@pytest.mark.parametrize("program", [_program_1, _program_2, _program_3, _program_4])
def test_inplace_on_advanced_index_of_non_leaf_matches_pytorch(program, torch):
    results = []
    for lib in (npgrad, torch):
        x, y = program(lib)
        (y * lib.tensor(W)).sum().backward()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    (y1, g1), (y2, g2) = results
    np.testing.assert_allclose(y1, y2, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(g1, g2, rtol=1e-6, atol=1e-6)


def test_advanced_index_result_is_a_copy_with_its_own_version():
    y = npgrad.tensor(X) * 1
    z = y[[0, 1]]
    z += 1
    np.testing.assert_array_equal(y.numpy(), X)  # the base did not change
    assert z._version[0] == 1 and y._version[0] == 0


def test_basic_index_is_still_a_view_and_writes_reach_the_base():
    x = npgrad.tensor(X, requires_grad=True)
    y = x * 1
    r = y[0]
    r.mul_(3)
    (y * npgrad.tensor(W)).sum().backward()
    expect = W.copy()
    expect[0] *= 3
    np.testing.assert_allclose(x.grad.numpy(), expect)


def test_range_index_is_an_index_array():
    x = npgrad.tensor(X, requires_grad=True)
    y = x[range(0, 3, 2)]
    assert y.grad_fn.name() == "IndexBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 1, 1], [0, 0, 0], [1, 1, 1]])


def test_inplace_on_a_leaf_through_an_advanced_index_is_still_refused():
    x = npgrad.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[[0, 1]] -= 1
