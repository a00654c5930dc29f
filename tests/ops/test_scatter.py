"""scatter / scatter_reduce against PyTorch beyond the op table: an index smaller than src in 2-D
and 3-D (a former bug), every reduction on integers, in-place forms, and PyTorch's errors."""
import numpy as np
import pytest

import npgrad


def test_index_smaller_than_src_2d_and_3d(torch):
    rng = np.random.default_rng(0)
    src2 = rng.standard_normal((4, 5))
    idx2 = np.array([[1, 0], [0, 1]])
    src3 = rng.standard_normal((3, 4, 5))
    idx3 = np.array([[[0, 1], [1, 0]], [[1, 0], [0, 1]]])
    for x, d, idx, s in ((np.zeros((2, 3)), 0, idx2, src2), (np.zeros((2, 3)), 1, idx2, src2),
                         (np.zeros((2, 3, 3)), 1, idx3, src3), (np.zeros((2, 3, 3)), 2, idx3, src3)):
        ours = npgrad.tensor(x).scatter(d, npgrad.tensor(idx), npgrad.tensor(s))
        theirs = torch.tensor(x).scatter(d, torch.tensor(idx), torch.tensor(s))
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_integers(reduce, include_self, torch):
    x, idx, src = np.array([5, -6, 7, 2]), np.array([0, 0, 2, 0, 2]), np.array([2, 3, -9, 4, 1])
    ours = npgrad.tensor(x).scatter_reduce(0, npgrad.tensor(idx), npgrad.tensor(src), reduce,
                                           include_self=include_self)
    theirs = torch.tensor(x).scatter_reduce(0, torch.tensor(idx), torch.tensor(src), reduce,
                                            include_self=include_self)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_scatter_reduce_prod_gradient_with_zeros(torch):
    x, idx, src = np.array([0., 2., 3.]), np.array([0, 0, 1, 1]), np.array([4., 0., 0., 5.])
    grads = []
    for T in (npgrad, torch):
        a, s = T.tensor(x, requires_grad=True), T.tensor(src, requires_grad=True)
        a.scatter_reduce(0, T.tensor(idx), s, "prod").sum().backward()
        grads.append((a.grad.numpy(), s.grad.numpy()))
    for g1, g2 in zip(*grads):
        np.testing.assert_array_equal(g1, g2)


def test_inplace_forms(torch):
    for T in (npgrad, torch):
        x = T.zeros(3)
        x.scatter_(0, T.tensor([2, 0]), T.tensor([1.0, 2.0]))
        x.scatter_reduce_(0, T.tensor([1, 1]), T.tensor([3.0, 4.0]), "amax")
        x.scatter_add_(0, T.tensor([0]), T.tensor([10.0]))
        x.scatter_(0, T.tensor([1]), 7.0, reduce="multiply")
        if T is npgrad:
            ours = x.numpy().copy()
    np.testing.assert_array_equal(ours, x.numpy())


def test_scatter_gradients(torch):
    x, s = np.arange(6.).reshape(2, 3), np.arange(10., 16.).reshape(2, 3)
    idx = np.array([[1, 0, 2]])
    grads = []
    for T in (npgrad, torch):
        a, b = T.tensor(x, requires_grad=True), T.tensor(s, requires_grad=True)
        (a.scatter(1, T.tensor(idx), b[:1]) * T.tensor(x + 1)).sum().backward()
        grads.append((a.grad.numpy(), b.grad.numpy()))
    for g1, g2 in zip(*grads):
        np.testing.assert_array_equal(g1, g2)


def test_scatter_with_reduce_has_no_derivative(torch):
    for T in (npgrad, torch):
        x = T.zeros(3, requires_grad=True)
        y = x.scatter(0, T.tensor([0, 0]), T.tensor([1.0, 2.0]), reduce="add")
        assert y.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
            y.sum().backward()


def test_errors():
    x = npgrad.zeros(2, 3)
    with pytest.raises(RuntimeError, match="reduce argument"):
        x.scatter_reduce(0, npgrad.tensor([[0]]), npgrad.ones(1, 1), "max")
    with pytest.raises(RuntimeError, match="reduce argument"):
        x.scatter(0, npgrad.tensor([[0]]), npgrad.ones(1, 1), reduce="mean")
    with pytest.raises(RuntimeError, match="index"):
        x.scatter(0, npgrad.tensor([[0, 1, 2, 0]]), npgrad.ones(1, 4))
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.scatter(0, npgrad.tensor([[2]]), npgrad.ones(1, 1))
    with pytest.raises(RuntimeError, match="dtype"):
        x.scatter(0, npgrad.tensor([[0]]), npgrad.ones(1, 1, dtype=npgrad.float64))
    with pytest.raises(RuntimeError, match="int64"):
        x.scatter_reduce(0, npgrad.tensor([[0.0]]), npgrad.ones(1, 1), "sum")


def test_zero_d_index_counts_as_one_element_as_in_pytorch(torch):
    for lib in (npgrad, torch):
        assert lib.zeros(5).scatter_(0, lib.tensor(2), lib.tensor(1.0)).tolist() == [0, 0, 1, 0, 0]
        assert lib.zeros(5).scatter(0, lib.tensor(3), 2.0).tolist() == [0, 0, 0, 2, 0]
        g = lib.gather(lib.arange(5.0), 0, lib.tensor(2))
        assert g.ndim == 0 and g.item() == 2.0
    x = npgrad.arange(5.0, requires_grad=True)
    npgrad.gather(x, 0, npgrad.tensor(2)).backward()
    assert x.grad.tolist() == [0, 0, 1, 0, 0]


@pytest.mark.parametrize("dtype", ["int32", "uint8"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_mean_of_integers_keeps_the_dtype(dtype, include_self, torch):
    x, idx, src = np.array([1, 5, 7]), np.array([0, 0, 2, 2]), np.array([2, 4, 9, 3])
    ours = npgrad.tensor(x.astype(dtype)).scatter_reduce(0, npgrad.tensor(idx), npgrad.tensor(src.astype(dtype)),
                                                         "mean", include_self=include_self)
    theirs = torch.tensor(x.astype(dtype)).scatter_reduce(0, torch.tensor(idx), torch.tensor(src.astype(dtype)),
                                                          "mean", include_self=include_self)
    assert ours.dtype.name == dtype and ours.tolist() == theirs.tolist()


def test_scatter_add_refuses_src_of_another_dtype(torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
            T.zeros(3).scatter_add(0, T.tensor([0]), T.ones(1, dtype=T.float64))


@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_with_reduce_refuses_src_of_another_dtype(reduce, torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
            T.zeros(3).scatter(0, T.tensor([0]), T.ones(1, dtype=T.int64), reduce=reduce)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_extrema_of_bool_without_self(reduce, torch):
    vals = []
    for T in (npgrad, torch):
        b = T.tensor([True, False, True])
        vals.append(b.scatter_reduce(0, T.tensor([0, 0, 1]), T.tensor([False, True, True]), reduce,
                                     include_self=False).tolist())
    assert vals[0] == vals[1]
