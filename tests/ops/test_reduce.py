"""Reductions beyond the op table: ties (values, indices, gradients), integer dtypes, edge sizes."""
import re

import numpy as np
import pytest

import npgrad

TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [-1.0, -1.0, -1.0]])

# (id, f(T, x)) evaluated on a tensor with ties; outputs and gradients must equal PyTorch's
TIE_CASES = [
    ("max_dim", lambda T, x: T.max(x, 1)),
    ("max_dim_keep", lambda T, x: x.max(dim=1, keepdim=True)),
    ("min_dim0", lambda T, x: x.min(0)),
    ("max_all", lambda T, x: x.max()),
    ("min_all", lambda T, x: T.min(x)),
    ("amax_dim", lambda T, x: T.amax(x, 1)),
    ("amax_tuple", lambda T, x: x.amax((0, 1))),
    ("amin_dim", lambda T, x: x.amin(-1, keepdim=True)),
    ("argmax", lambda T, x: x.argmax(1)),
    ("argmin_flat", lambda T, x: T.argmin(x)),
    ("argmax_flat", lambda T, x: x.argmax()),
    ("norm_inf", lambda T, x: x.norm(p=float("inf"))),
    ("maximum_tie", lambda T, x: T.maximum(x, T.tensor([[1.0], [2.0], [-1.0]]).expand(3, 3))),
    ("clamp_at_bound", lambda T, x: x.clamp(-1.0, 2.0)),
    ("abs_at_zero", lambda T, x: x.abs()),
    ("relu_at_zero", lambda T, x: T.relu(x - 2)),
]


@pytest.mark.parametrize("f", [c[1] for c in TIE_CASES], ids=[c[0] for c in TIE_CASES])
def test_ties_match_torch(f, torch):
    res = []
    for T in (npgrad, torch):
        x = T.tensor(TIES, requires_grad=True)
        out = f(T, x)
        outs = tuple(out) if isinstance(out, tuple) else (out,)
        floats = [o for o in outs if o.dtype.is_floating_point]
        if floats:
            sum((o * (T.arange(o.numel(), dtype=o.dtype).reshape(o.shape) + 1)).sum() for o in floats).backward()
        res.append(([np.asarray(o.detach().numpy()) for o in outs], None if x.grad is None else x.grad.numpy()))
    for a, b in zip(res[0][0], res[1][0]):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    if res[1][1] is not None:
        np.testing.assert_array_equal(res[0][1], res[1][1])


def test_max_dim_returns_named_tuple_first_index_on_ties():
    x = npgrad.tensor(TIES, requires_grad=True)
    r = x.max(1)
    values, indices = r
    assert r.values is values and r.indices is indices
    assert indices.tolist() == [1, 0, 0] and indices.dtype == npgrad.int64
    values.sum().backward()  # the gradient goes to the returned index only
    assert x.grad.tolist() == [[0, 1, 0], [1, 0, 0], [1, 0, 0]]


def test_amax_splits_gradient_among_ties():
    x = npgrad.tensor(TIES, requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_allclose(x.grad._data, [[0, 0.5, 0.5], [0.5, 0.5, 0], [1 / 3] * 3], rtol=1e-6)


def test_integer_and_bool_reductions():
    i = npgrad.tensor([[1, 2], [3, 4]], dtype=npgrad.int32)
    assert i.sum().dtype == npgrad.int64 and i.sum().item() == 10
    assert i.sum(0).tolist() == [4, 6] and i.prod().item() == 24 and i.prod().dtype == npgrad.int64
    assert i.cumsum(1).tolist() == [[1, 3], [3, 7]] and i.cumsum(1).dtype == npgrad.int64
    assert i.max().item() == 4 and i.max(0).indices.tolist() == [1, 1]
    assert i.sum(dtype=npgrad.float32).dtype == npgrad.float32
    b = npgrad.tensor([True, True, False])
    assert b.sum().item() == 2 and b.any().item() and not b.all().item()
    assert i.float().mean().item() == 2.5


def test_var_std_corrections():
    x = npgrad.tensor([1.0, 2.0, 3.0, 4.0])
    assert np.isclose(x.var().item(), np.var([1, 2, 3, 4], ddof=1))
    assert np.isclose(x.var(correction=0).item(), np.var([1, 2, 3, 4]))
    assert np.isclose(x.std(unbiased=False).item(), np.std([1, 2, 3, 4]))
    assert np.isclose(x.var(correction=2).item(), np.sum((x._data - 2.5) ** 2) / 2)
    one = npgrad.tensor([5.0])
    assert np.isnan(one.std().item()) or np.isinf(one.std().item())  # n - correction = 0


def test_var_mean_std_mean():
    x = npgrad.arange(6.0).reshape(2, 3)
    v, m = npgrad.var_mean(x, 1)
    s, m2 = npgrad.std_mean(x, dim=1, keepdim=True)
    np.testing.assert_allclose(v._data, np.var(x._data, 1, ddof=1))
    np.testing.assert_allclose(m._data, x._data.mean(1))
    assert s.shape == (2, 1) and m2.shape == (2, 1)


def test_prod_gradient_with_zeros():
    x = npgrad.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]], requires_grad=True)
    x.prod(1).sum().backward()
    # one zero: only the zero's slot gets the product of the others; two zeros: all zero
    assert x.grad.tolist() == [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [8.0, 4.0, 2.0]]


def test_logsumexp_extremes():
    x = npgrad.tensor([[1000.0, 1000.0], [-1000.0, -1000.0], [-np.inf, -np.inf]])
    out = npgrad.logsumexp(x, 1)
    np.testing.assert_allclose(out._data[:2], [1000 + np.log(2), -1000 + np.log(2)], rtol=1e-6)
    assert out._data[2] == -np.inf


def test_sum_of_empty_and_mean_of_empty():
    assert npgrad.zeros(0).sum().item() == 0
    assert np.isnan(npgrad.zeros(0).mean().item())
    with pytest.raises(RuntimeError, match="numel"):
        npgrad.zeros(0).max()


def test_reductions_over_duplicate_dims_rejected():
    with pytest.raises(RuntimeError, match="multiple times"):
        npgrad.ones(2, 3).sum((1, -1))


def test_cumprod_gradients_with_zeros_and_negatives(torch):
    x0 = np.array([[2.0, -1.0, 0.0, 3.0], [0.0, 0.0, -2.0, 1.5], [-1.0, 2.0, 0.5, -3.0]])
    g0 = np.arange(12.0).reshape(3, 4) - 5
    res = []
    for T in (npgrad, torch):
        x = T.tensor(x0, requires_grad=True)
        out = T.cumprod(x, 1)
        (out * T.tensor(g0)).sum().backward()
        res.append((out.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0])
    np.testing.assert_allclose(res[0][1], res[1][1])


@pytest.mark.parametrize("f", [
    lambda T, x: x.sum(0), lambda T, x: x.sum(-1, keepdim=True), lambda T, x: x.mean(0),
    lambda T, x: x.amax(0), lambda T, x: x.prod(0), lambda T, x: x.logsumexp(0), lambda T, x: x.cumsum(0),
    lambda T, x: x.max(0).values, lambda T, x: x.argmax(0), lambda T, x: x.norm(dim=0),
], ids=["sum", "sum_keep", "mean", "amax", "prod", "logsumexp", "cumsum", "max", "argmax", "norm"])
def test_0dim_reductions_accept_dim_0_like_torch(f, torch):
    outs = []
    for T in (npgrad, torch):
        x = T.tensor(1.5, requires_grad=True)
        out = f(T, x)
        if out.dtype.is_floating_point:
            out.backward()
        outs.append((out.shape, out.item(), None if x.grad is None else x.grad.item()))
    assert tuple(outs[0][0]) == tuple(outs[1][0]) and outs[0][1:] == pytest.approx(outs[1][1:])


@pytest.mark.parametrize("f", [
    lambda T, x: x.var(1, False), lambda T, x: x.std(1, True, True), lambda T, x: T.var(x, False),
    lambda T, x: x.var(dim=0, correction=0), lambda T, x: T.std_mean(x, 1, False),
    lambda T, x: x.var(1, keepdim=True, unbiased=False), lambda T, x: T.var_mean(x, (0, 1), correction=2),
], ids=["dim_unbiased", "dim_unbiased_keep", "unbiased_only", "correction", "std_mean", "kw_unbiased", "var_mean"])
def test_var_std_signatures_match_torch(f, torch):
    x0 = [[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]]
    a, b = f(npgrad, npgrad.tensor(x0)), f(torch, torch.tensor(x0))
    a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
    for p, q in zip(a, b):
        np.testing.assert_allclose(p._data, q.numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
def test_arg_extremum_of_a_vector_along_dim0_is_a_0d_tensor(fn, torch):
    ours = getattr(npgrad.tensor([3, 4, 1, 2], dtype=npgrad.int32)[::2], fn)(0)
    assert isinstance(ours.numpy(), np.ndarray) and ours.shape == ()
    assert ours.item() == getattr(torch.tensor([3, 4, 1, 2], dtype=torch.int32)[::2], fn)(0).item()


EMPTY_REDUCTIONS = [lambda x: x.amax(1), lambda x: x.amin(1, keepdim=True), lambda x: x.max(1)[0],
                    lambda x: x.min(1)[1], lambda x: x.argmax(1), lambda x: x.amax(0), lambda x: x.amax((1, 0)),
                    lambda x: x.max(0),
                    lambda x: x.argmin(0), lambda x: x.amax(), lambda x: x.max(), lambda x: x.argmax()]


@pytest.mark.parametrize("f", EMPTY_REDUCTIONS)
def test_extrema_of_empty_tensors_as_pytorch(f, torch):
    """Reducing a non-empty dim of an empty tensor works (empty result); an empty dim raises IndexError,
    and reducing all of an empty tensor PyTorch's RuntimeError (IndexError for argmax)."""
    try:
        theirs = f(torch.zeros(0, 3))
    except (IndexError, RuntimeError) as e:
        with pytest.raises(type(e)):
            f(npgrad.zeros(0, 3))
        return
    assert tuple(f(npgrad.zeros(0, 3)).shape) == tuple(theirs.shape)


@pytest.mark.parametrize("call", [lambda x: x.argmax(), lambda x: x.argmin(0), lambda x: x.topk(1)])
def test_argmax_argmin_topk_refuse_bool_as_pytorch(call, torch):
    with pytest.raises(RuntimeError, match="bool") as theirs:
        call(torch.tensor([[True, False], [False, True]]))
    with pytest.raises(RuntimeError, match=re.escape(str(theirs.value)[:20])):
        call(npgrad.tensor([[True, False], [False, True]]))


@pytest.mark.parametrize("call", [lambda T, x: x.norm(), lambda T, x: T.norm(x, p=1, dim=0),
                                  lambda T, x: T.linalg.vector_norm(x, dtype=T.float32), lambda T, x: T.linalg.norm(x)])
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_norms_refuse_integer_and_bool_tensors(call, dtype, torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="Expected a floating point"):
            call(T, T.tensor([3, 4]).to(getattr(T, dtype)))


@pytest.mark.parametrize("p,dim", [(float("inf"), 0), (float("-inf"), None), (float("inf"), None)])
def test_inf_norms_of_empty_reductions_raise_runtime_error(p, dim, torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="does not have an identity"):
            T.zeros(0, 3).norm(p=p, dim=dim)
    assert npgrad.zeros(0, 3).norm(p=float("inf"), dim=1).shape == (0,)


@pytest.mark.parametrize("call", [lambda T, x: x.prod(dtype=T.int32), lambda T, x: T.prod(x, 0, dtype=T.bool),
                                  lambda T, x: x.cumsum(1, dtype=T.uint8), lambda T, x: T.cumprod(x, 0, dtype=T.int32),
                                  lambda T, x: x.sum(0, dtype=T.uint8)])
@pytest.mark.parametrize("dtype", ["uint8", "int64", "float32"])
def test_integer_dtype_argument_sets_the_result_dtype(call, dtype, torch):
    """With dtype=, the input is cast to it first and the result has it (int64 only without dtype=)."""
    x = np.array([[1.5, -2.0, 0.0], [3.0, 130.0, -1.0]]).astype(dtype)
    ours, theirs = call(npgrad, npgrad.tensor(x)), call(torch, torch.tensor(x))
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "") and ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("dtype", ["float16", "int32"])
def test_vector_norm_refuses_a_narrowing_or_integer_dtype(dtype, torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="linalg.vector_norm"):
            T.linalg.vector_norm(T.tensor([1.5, 2.0]), dtype=getattr(T, dtype))
    assert npgrad.linalg.vector_norm(npgrad.tensor([3.0, 4.0]), dtype=npgrad.float64).dtype == npgrad.float64


@pytest.mark.parametrize("call", [lambda T, x: x.all(), lambda T, x: x.any(1), lambda T, x: T.all(x, 1, keepdim=True)])
@pytest.mark.parametrize("dtype", ["uint8", "int32", "bool"])
def test_all_any_of_uint8_are_uint8(call, dtype, torch):
    x = np.array([[1, 0, 3], [2, 2, 0]]).astype(dtype)
    ours, theirs = call(npgrad, npgrad.tensor(x)), call(torch, torch.tensor(x))
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "") and ours.tolist() == theirs.tolist()
