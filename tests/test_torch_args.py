"""PyTorch's keyword spellings: ``axis=``/``keepdims=`` aliases, ``size=`` and ``out=`` (npgrad._torch_args)."""
import doctest
import warnings

import numpy as np
import pytest

import npgrad
from npgrad import _torch_args

X = np.arange(12, dtype=np.float32).reshape(3, 4) / 7 - 0.5

# (name, call with dim/keepdim as keywords) -> the alias spelling must give the same result
REDUCTIONS = ["sum", "mean", "max", "min", "argmax", "argmin", "var", "std", "any", "all", "std_mean",
              "var_mean", "prod", "logsumexp", "amax", "amin"]


def _vals(r):
    if isinstance(r, tuple):
        return [np.asarray(t) for t in r]
    return [np.asarray(r)]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("form", ["function", "method"])
def test_axis_keepdims_alias_same_as_dim_keepdim(name, form):
    x = npgrad.tensor(X > 0.1) if name in ("any", "all") else npgrad.tensor(X)
    fn = getattr(npgrad, name) if form == "function" else getattr(type(x), name, None)
    if fn is None:
        pytest.skip(f"no Tensor.{name} in PyTorch either")
    a = fn(x, dim=1, keepdim=True)
    b = fn(x, axis=1, keepdims=True)
    for u, v in zip(_vals(a), _vals(b)):
        np.testing.assert_array_equal(u, v)
        assert u.ndim == 2


@pytest.mark.parametrize("call", [
    lambda m, x: m.cat([x, x], axis=1), lambda m, x: m.stack([x, x], axis=0), lambda m, x: m.cumsum(x, axis=0),
    lambda m, x: m.softmax(x, axis=1), lambda m, x: x.unsqueeze(axis=0), lambda m, x: x.cumprod(axis=1),
    lambda m, x: m.sort(x, axis=0).values, lambda m, x: m.topk(x, 2, axis=1).indices,
    lambda m, x: m.squeeze(x[:1], axis=0), lambda m, x: m.index_select(x, axis=0, index=m.tensor([2, 0])),
])
def test_other_dim_functions_take_axis(call, torch):
    got = call(npgrad, npgrad.tensor(X))
    want = call(torch, torch.tensor(X))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_size_keyword_on_creation_functions(torch):
    for name in ("zeros", "ones", "empty", "rand", "randn"):
        assert getattr(npgrad, name)(size=(2, 3)).shape == getattr(torch, name)(size=(2, 3)).shape
    assert npgrad.zeros(size=[4], dtype=npgrad.int64).dtype == npgrad.int64
    assert npgrad.randint(0, 5, size=(3,)).shape == (3,)
    assert npgrad.full(size=(2,), fill_value=1.5).tolist() == [1.5, 1.5]
    assert npgrad.ones(2).new_zeros(size=(1, 2)).shape == (1, 2)


def test_alias_and_name_together_is_an_error():
    with pytest.raises(TypeError, match="axis"):
        npgrad.sum(npgrad.tensor(X), dim=0, axis=0)
    with pytest.raises(TypeError, match="size"):
        npgrad.zeros(2, size=(2,))


def test_python_level_functions_refuse_axis_as_pytorch_does(torch):
    for lib in (npgrad, torch):
        with pytest.raises(TypeError):
            lib.norm(lib.tensor(X), axis=1)


# -- out= --------------------------------------------------------------------------------------------
OUT_CALLS = [
    ("add", lambda m, a, b, o: m.add(a, b, alpha=2, out=o)), ("sub", lambda m, a, b, o: m.sub(a, b, out=o)),
    ("mul", lambda m, a, b, o: m.mul(a, b, out=o)), ("div", lambda m, a, b, o: m.div(a, b, out=o)),
    ("matmul", lambda m, a, b, o: m.matmul(a, b.T, out=o)), ("mm", lambda m, a, b, o: m.mm(a, b.T, out=o)),
    ("bmm", lambda m, a, b, o: m.bmm(a[None], b.T[None], out=o)),
    ("cat", lambda m, a, b, o: m.cat([a, b], 1, out=o)), ("stack", lambda m, a, b, o: m.stack([a, b], out=o)),
    ("exp", lambda m, a, b, o: m.exp(a, out=o)), ("log", lambda m, a, b, o: m.log(b, out=o)),
    ("sum", lambda m, a, b, o: m.sum(a, 1, out=o)), ("mean", lambda m, a, b, o: m.mean(a, 0, out=o)),
    ("clamp", lambda m, a, b, o: m.clamp(a, -0.2, 0.2, out=o)),
    ("where", lambda m, a, b, o: m.where(a > 0, a, b, out=o)), ("pow", lambda m, a, b, o: m.pow(b, 2, out=o)),
    ("arange", lambda m, a, b, o: m.arange(5, out=o)), ("zeros", lambda m, a, b, o: m.zeros(2, 3, out=o)),
    ("ones", lambda m, a, b, o: m.ones(2, out=o)), ("full", lambda m, a, b, o: m.full((3,), 2.5, out=o)),
    ("maximum", lambda m, a, b, o: m.maximum(a, b, out=o)), ("sqrt", lambda m, a, b, o: m.sqrt(b, out=o)),
    ("cumsum", lambda m, a, b, o: m.cumsum(a, 0, out=o)), ("tanh", lambda m, a, b, o: m.tanh(a, out=o)),
]


def _pair(lib):
    a = lib.tensor(X)
    b = lib.tensor(X * X + 0.5)
    return a, b


@pytest.mark.parametrize("name,call", OUT_CALLS, ids=[n for n, _ in OUT_CALLS])
def test_out_writes_into_out_and_matches_pytorch(name, call, torch):
    a, b = _pair(npgrad)
    o = npgrad.empty(0)
    r = call(npgrad, a, b, o)
    assert r is o
    want = call(torch, *_pair(torch), torch.empty(0))
    assert o.shape == tuple(want.shape)
    np.testing.assert_allclose(o.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)


def test_out_of_the_right_shape_keeps_its_memory():
    o = npgrad.zeros(3, 4)
    buf = o.numpy()
    npgrad.add(npgrad.tensor(X), 1, out=o)
    assert o.numpy() is buf
    np.testing.assert_allclose(buf, X + 1)


def test_out_resized_with_pytorch_warning_unless_empty():
    a = npgrad.tensor(X)
    with pytest.warns(UserWarning, match="resized since it had shape \\[5\\]"):
        npgrad.mul(a, 2, out=npgrad.empty(5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        npgrad.mul(a, 2, out=npgrad.empty(0))
        npgrad.zeros(2, 3, out=npgrad.empty(7))  # factories resize silently, as in PyTorch


def test_out_dtype_rules_follow_pytorch(torch):
    for lib in (npgrad, torch):
        a = lib.tensor(X)
        o = lib.empty(3, 4, dtype=lib.float64)
        lib.mul(a, a, out=o)
        assert o.dtype == lib.float64  # float32 result, float64 out: cast
        with pytest.raises(RuntimeError, match="can't be cast"):
            lib.mul(a, a, out=lib.empty(3, 4, dtype=lib.int64))
        with pytest.raises(RuntimeError, match="can't be cast"):
            lib.add(lib.tensor([1, 2]), 1, out=lib.empty(2, dtype=lib.bool))
        assert lib.sum(a, 1, out=lib.empty(3, dtype=lib.int64)).dtype == lib.int64  # reductions: any dtype
        with pytest.raises(RuntimeError):
            lib.matmul(a, a.T, out=lib.empty(3, 3, dtype=lib.float64))  # matmul: same dtype only
        assert lib.zeros(2, out=lib.empty(0, dtype=lib.int64)).dtype == lib.int64  # factories: out's dtype


def test_out_refused_when_an_input_requires_grad(torch):
    for lib in (npgrad, torch):
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.mul(w, 2, out=lib.empty(2))
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.cat([w, w], out=lib.empty(4))
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.mul(lib.ones(2), 2, out=lib.empty(2, requires_grad=True))
        with lib.no_grad():
            r = lib.mul(w, 2, out=lib.empty(2))
        assert not r.requires_grad and r.tolist() == [2.0, 2.0]


def test_out_tuple_for_values_and_indices(torch):
    got = npgrad.max(npgrad.tensor(X), 1, out=(npgrad.empty(0), npgrad.empty(0, dtype=npgrad.int64)))
    want = torch.max(torch.tensor(X), 1)
    np.testing.assert_allclose(got.values.numpy(), want.values.numpy())
    np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
    with pytest.raises(TypeError, match="tuple of 2"):
        npgrad.max(npgrad.tensor(X), 1, out=npgrad.empty(0))


def test_out_partial_overlap_with_an_input_is_refused_full_overlap_allowed():
    a = npgrad.tensor(X)
    with pytest.raises(RuntimeError, match="single memory location"):
        npgrad.add(a[:, :2], 1, out=a[:, 1:3])
    npgrad.add(a, 1, out=a)
    np.testing.assert_allclose(a.numpy(), X + 1)


def test_out_bumps_the_version_so_saved_tensors_notice():
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = npgrad.ones(2)
    y = (w * h).sum()
    with npgrad.no_grad():
        npgrad.mul(npgrad.ones(2), 3, out=h)
    with pytest.raises(RuntimeError):
        y.backward()


def test_out_not_a_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="out"):
        npgrad.add(npgrad.ones(2), 1, out=[0.0, 0.0])


def test_docstring_examples():
    res = doctest.testmod(_torch_args, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


def test_aliases_exactly_where_pytorch_has_them(torch):
    """A function or method takes axis= here exactly when PyTorch's (native) counterpart does."""
    import types
    for owner, tname in ((npgrad, torch), (npgrad.Tensor, torch.Tensor)):
        for name in dir(owner):
            fn = getattr(owner, name, None)
            theirs = getattr(tname, name, None)
            if name.startswith("_") or theirs is None or not callable(fn) or isinstance(fn, type):
                continue
            ours = "axis" in getattr(fn, "torch_aliases", ())
            native = isinstance(theirs, (types.BuiltinFunctionType, types.MethodDescriptorType))
            if ours:
                assert native, f"{name}: PyTorch's {name} does not take axis="
            elif native and "dim" in _torch_args._arg_names(fn)[0]:
                pytest.fail(f"{name}: PyTorch's {name} takes axis=, npgrad's does not")
