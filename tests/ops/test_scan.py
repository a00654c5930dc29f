"""cummax/cummin, logcumsumexp, diag, Tensor.unfold and view(dtype) against PyTorch, beyond the op
table: ties, integer inputs, views sharing memory, and PyTorch's errors."""
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


def test_unfold_is_a_view(torch):
    for T in (npgrad, torch):
        x = T.arange(8.)
        w = x.unfold(0, 3, 2)
        x[2] = 100.0
        if T is npgrad:
            ours = w.numpy().copy()
        else:
            np.testing.assert_array_equal(ours, w.numpy())
    y = npgrad.arange(6.)
    assert np.shares_memory(y.unfold(0, 2, 2).numpy(), y.numpy())


def test_unfold_errors_and_0d(torch):
    with pytest.raises(RuntimeError, match="maximum size"):
        npgrad.ones(3).unfold(0, 4, 1)
    with pytest.raises(RuntimeError, match="step"):
        npgrad.ones(3).unfold(0, 2, 0)
    np.testing.assert_array_equal(npgrad.tensor(5.).unfold(0, 1, 1).numpy(), torch.tensor(5.).unfold(0, 1, 1).numpy())


@pytest.mark.parametrize("dt", ["int32", "int16", "float64", "uint8", "int8", "float32", "bool", "int64"])
def test_view_dtype_reinterprets_bits(dt, torch):
    x = np.array([[1.0, 2.0, -1.5, 0.0], [3.0, -1.0, 7.0, 8.0]], dtype=np.float32)
    if dt == "bool":
        x = np.array([[1, 0, 1, 1]], dtype=np.uint8).astype(np.float32)
        a, b = npgrad.tensor(x).to(npgrad.uint8), torch.tensor(x).to(torch.uint8)
    else:
        a, b = npgrad.tensor(x), torch.tensor(x)
    ours, theirs = a.view(getattr(npgrad, dt)), b.view(getattr(torch, dt))
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_view_dtype_shares_memory_and_errors():
    z = npgrad.ones(4, dtype=npgrad.int64)
    z.view(npgrad.int32)[0] = 5
    assert z.tolist() == [5, 1, 1, 1]
    x = npgrad.ones(2, 4)
    with pytest.raises(RuntimeError, match="divisible by 2 to view Float as Double"):
        x[:, :1].view(npgrad.float64)
    with pytest.raises(RuntimeError, match="stride"):
        x.t().view(npgrad.float64)
    with pytest.raises(RuntimeError, match="dim"):
        npgrad.tensor(1.0).view(npgrad.int16)
    y = npgrad.ones(2, requires_grad=True).view(npgrad.int32)
    assert not y.requires_grad


def test_nonzero_0d(torch):
    for v in (5.0, 0.0):
        a, b = npgrad.tensor(v), torch.tensor(v)
        assert tuple(npgrad.nonzero(a).shape) == tuple(torch.nonzero(b).shape)
        assert [t.tolist() for t in a.nonzero(as_tuple=True)] == [t.tolist() for t in b.nonzero(as_tuple=True)]
