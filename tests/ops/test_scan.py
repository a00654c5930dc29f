"""cummax/cummin, logcumsumexp, diag and nonzero of a 0-d tensor against PyTorch, beyond the op
table: ties, nan, integer inputs and PyTorch's errors."""
import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("fn", ["cummax", "cummin"])
def test_running_extremes_ties_and_ints(fn, torch):
    for x in (np.array([1., 1, 0, 1, 2, 2]), np.array([[3, 1, 3], [0, 0, 5]]), np.array([1., np.nan, 0, 2])):
        for dim in range(x.ndim):
            ours, theirs = getattr(npgrad, fn)(npgrad.tensor(x), dim), getattr(torch, fn)(torch.tensor(x), dim)
            np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
            assert ours.values.dtype.name == str(theirs.values.dtype).replace("torch.", "")


def test_cummax_gradient_with_ties(torch):
    x = np.array([1., 3., 3., 2., 5.])
    a, b = npgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    npgrad.cummax(a, 0).values.sum().backward()
    torch.cummax(b, 0).values.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_cummax_0d_and_errors():
    v, i = npgrad.cummax(npgrad.tensor(2.5), 0)
    assert v.item() == 2.5 and i.item() == 0 and i.dtype == npgrad.int64
    with pytest.raises(IndexError):
        npgrad.cummin(npgrad.ones(2, 3), 2)


def test_logcumsumexp_of_minus_inf_and_ints(torch):
    x = np.array([-np.inf, -np.inf, 0.0, 1000.0])
    np.testing.assert_array_equal(npgrad.logcumsumexp(npgrad.tensor(x), 0).numpy(),
                                  torch.logcumsumexp(torch.tensor(x), 0).numpy())
    assert npgrad.logcumsumexp(npgrad.tensor([1, 2]), 0).dtype == npgrad.float32


def test_diag_errors():
    with pytest.raises(RuntimeError, match="1D or 2D"):
        npgrad.diag(npgrad.ones(2, 2, 2))
    assert npgrad.diag(npgrad.ones(2, 3), 5).shape == (0,)


def test_nonzero_0d(torch):
    for v in (5.0, 0.0):
        a, b = npgrad.tensor(v), torch.tensor(v)
        assert tuple(npgrad.nonzero(a).shape) == tuple(torch.nonzero(b).shape)
        assert [t.tolist() for t in a.nonzero(as_tuple=True)] == [t.tolist() for t in b.nonzero(as_tuple=True)]


@pytest.mark.parametrize("fn", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["int32", "bool"])
def test_running_sum_and_product_of_a_0d_integer_tensor_stay_0d(fn, dtype, torch):
    ours = getattr(npgrad.tensor(3, dtype=getattr(npgrad, dtype)), fn)(0)
    theirs = getattr(torch.tensor(3, dtype=getattr(torch, dtype)), fn)(0)
    assert ours.shape == theirs.shape == () and ours.dtype.name == "int64" and ours.item() == theirs.item()


@pytest.mark.parametrize("shape,k", [((3, 0), 1), ((0, 4), 0), ((0, 4), -1)])
def test_gradient_of_an_empty_diagonal(shape, k, torch):
    x, tx = npgrad.zeros(*shape, requires_grad=True), torch.zeros(*shape, requires_grad=True)
    x.diag(k).sum().backward()
    tx.diag(k).sum().backward()
    assert x.grad.shape == tx.grad.shape
