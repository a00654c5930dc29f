"""Creation functions: values, shapes and dtypes as PyTorch; one seeded global generator."""
import numpy as np
import pytest

import npgrad

# deterministic creators: same call on both modules -> same values and dtype
SAME = [
    ("tensor_nested", lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]])),
    ("tensor_ints", lambda T: T.tensor([1, 2, 3])),
    ("tensor_dtype", lambda T: T.tensor([1, 2], dtype=T.float64)),
    ("tensor_of_tensors", lambda T: T.tensor([T.tensor(1.0), T.tensor(2.0)])),
    ("numpy_f64_scalar", lambda T: T.tensor(np.float64(1.5))),
    ("numpy_i32_scalar", lambda T: T.tensor(np.int32(3))),
    ("numpy_f32_array", lambda T: T.tensor(np.ones(2, dtype=np.float32))),
    ("zeros", lambda T: T.zeros(2, 3)),
    ("zeros_tuple", lambda T: T.zeros((2, 3), dtype=T.int64)),
    ("ones", lambda T: T.ones(4)),
    ("ones_int", lambda T: T.ones(2, 2, dtype=T.int32)),
    ("full_float", lambda T: T.full((2, 3), 1.5)),
    ("full_int", lambda T: T.full((2,), 7)),
    ("full_bool", lambda T: T.full((2,), True)),
    ("arange_stop", lambda T: T.arange(5)),
    ("arange_start_stop", lambda T: T.arange(2, 7)),
    ("arange_step", lambda T: T.arange(0, 1, 0.1)),
    ("arange_neg_step", lambda T: T.arange(5, -3, -2)),
    ("arange_float_stop", lambda T: T.arange(3.0)),
    ("arange_dtype", lambda T: T.arange(4, dtype=T.float64)),
    ("linspace", lambda T: T.linspace(-1, 1, 5)),
    ("linspace_one", lambda T: T.linspace(0, 1, 1)),
    ("eye", lambda T: T.eye(3)),
    ("eye_rect", lambda T: T.eye(2, 4)),
    ("zeros_like", lambda T: T.zeros_like(T.tensor([[1, 2]]))),
    ("ones_like_dtype", lambda T: T.ones_like(T.tensor([1, 2]), dtype=T.float32)),
    ("full_like", lambda T: T.full_like(T.tensor([1.0, 2.0]), 3)),
    ("empty_like_shape", lambda T: T.empty_like(T.zeros(2, 3)).shape),
    ("empty_shape", lambda T: T.empty(3, 1).shape),
]


@pytest.mark.parametrize("build", [s[1] for s in SAME], ids=[s[0] for s in SAME])
def test_matches_torch(build, torch):
    a, b = build(npgrad), build(torch)
    if isinstance(a, tuple):
        assert tuple(a) == tuple(b)
        return
    assert a.dtype.name == str(b.dtype).replace("torch.", "")
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a._data, b.numpy(), rtol=1e-6, atol=1e-7)


def test_tensor_copies_but_from_numpy_and_as_tensor_share():
    arr = np.array([1.0, 2.0])
    t = npgrad.tensor(arr)
    f = npgrad.from_numpy(arr)
    a = npgrad.as_tensor(arr)
    arr[0] = 9.0
    assert t.tolist() == [1.0, 2.0] and f.tolist() == [9.0, 2.0] and a.tolist() == [9.0, 2.0]
    assert f.dtype == npgrad.float64  # from_numpy keeps the array's dtype
    assert t.dtype == npgrad.float64  # so does tensor(ndarray), as in PyTorch
    x = npgrad.tensor([1.0])
    assert npgrad.as_tensor(x) is x
    assert npgrad.as_tensor([1, 2], dtype=npgrad.float32).dtype == npgrad.float32
    with pytest.raises(TypeError, match="ndarray"):
        npgrad.from_numpy([1.0, 2.0])


def test_requires_grad_argument():
    for make in (lambda: npgrad.zeros(2, requires_grad=True), lambda: npgrad.ones(2, requires_grad=True),
                 lambda: npgrad.randn(2, requires_grad=True), lambda: npgrad.full((2,), 1.0, requires_grad=True),
                 lambda: npgrad.tensor([1.0], requires_grad=True), lambda: npgrad.rand(2, requires_grad=True),
                 lambda: npgrad.zeros_like(npgrad.ones(2), requires_grad=True)):
        t = make()
        assert t.requires_grad and t.is_leaf


@pytest.mark.parametrize("make", [
    lambda: npgrad.rand(3, 4), lambda: npgrad.randn(3, 4), lambda: npgrad.randint(0, 10, (3, 4)),
    lambda: npgrad.randint(5, (3, 4)), lambda: npgrad.normal(0.0, 1.0, (3, 4)), lambda: npgrad.randperm(12),
    lambda: npgrad.rand_like(npgrad.zeros(3, 4)), lambda: npgrad.randn_like(npgrad.zeros(3, 4)),
    lambda: npgrad.randint_like(npgrad.zeros(3, 4), 10),
    lambda: npgrad.normal(npgrad.zeros(3, 4), npgrad.ones(3, 4)),
], ids=["rand", "randn", "randint", "randint_high", "normal", "randperm", "rand_like", "randn_like",
        "randint_like", "normal_tensors"])
def test_manual_seed_reproducible(make):
    npgrad.manual_seed(123)
    a = make()
    b = make()
    npgrad.manual_seed(123)
    c = make()
    np.testing.assert_array_equal(a._data, c._data)
    assert not np.array_equal(a._data, b._data)  # the generator advances


def test_random_distributions_shapes_dtypes():
    npgrad.manual_seed(0)
    r = npgrad.rand(2000)
    assert r.dtype == npgrad.float32 and r.shape == (2000,) and 0 <= r.min().item() and r.max().item() < 1
    assert abs(r.mean().item() - 0.5) < 0.05
    n = npgrad.randn(4000, dtype=npgrad.float64)
    assert n.dtype == npgrad.float64 and abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1
    i = npgrad.randint(3, 6, (1000,))
    assert i.dtype == npgrad.int64 and set(np.unique(i._data).tolist()) == {3, 4, 5}
    m = npgrad.normal(5.0, 0.5, size=(4000,))
    assert abs(m.mean().item() - 5) < 0.05 and abs(m.std().item() - 0.5) < 0.05
    p = npgrad.randperm(10)
    assert sorted(p.tolist()) == list(range(10)) and p.dtype == npgrad.int64


def test_generator_object():
    g = npgrad.Generator().manual_seed(7)
    a = npgrad.randn(3, generator=g)
    g.manual_seed(7)
    assert npgrad.randn(3, generator=g).tolist() == a.tolist()
    state = npgrad.get_rng_state()
    x = npgrad.rand(3)
    npgrad.set_rng_state(state)
    assert npgrad.rand(3).tolist() == x.tolist()
    assert npgrad.manual_seed(3).initial_seed() == 3


def test_like_family_keeps_shape_and_dtype():
    src = npgrad.zeros(2, 3, dtype=npgrad.float64)
    for fn in (npgrad.zeros_like, npgrad.ones_like, npgrad.empty_like, npgrad.rand_like, npgrad.randn_like):
        out = fn(src)
        assert out.shape == (2, 3) and out.dtype == npgrad.float64
    assert npgrad.full_like(src, 2).tolist() == [[2.0] * 3] * 2
    assert npgrad.ones_like(src, dtype=npgrad.int64).dtype == npgrad.int64
    assert npgrad.randint_like(npgrad.zeros(5, dtype=npgrad.int64), 3, 4).tolist() == [3] * 5


@pytest.mark.parametrize("call,exc,match", [
    (lambda: npgrad.zeros(-1), RuntimeError, "negative dimension"),
    (lambda: npgrad.ones(2, "a"), TypeError, "size"),
    (lambda: npgrad.arange(0, 5, 0), RuntimeError, "step"),
    (lambda: npgrad.randint(5, 5, (2,)), RuntimeError, "from"),
    (lambda: npgrad.normal(0.0, -1.0, (2,)), RuntimeError, "std"),
    (lambda: npgrad.linspace(0, 1, -1), RuntimeError, "steps"),
    (lambda: npgrad.tensor(["a"]), ValueError, "'str'"),
    (lambda: npgrad.tensor([[1, 2], [3]]), ValueError, "length 2 at dim 1"),
])
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_like_functions_take_layout_and_memory_format(torch):
    for T in (npgrad, torch):
        x = T.ones(2, 3).T
        for fn in (T.zeros_like, T.ones_like, T.empty_like, T.rand_like, T.randn_like):
            assert fn(x, memory_format=T.preserve_format, layout=T.strided).shape == (3, 2)
        assert T.full_like(x, 2.0, memory_format=T.contiguous_format).sum().item() == 12.0
        assert T.randint_like(x, 5, memory_format=T.preserve_format).shape == (3, 2)
