"""PyTorch's type promotion: categories bool < int < float; Python scalars and 0-dim tensors
only matter when of a higher category; float32 stays float32 through forward and backward."""
import numpy as np
import pytest

import npgrad

# (name, builder of operands from a module T) -> the result dtype must equal PyTorch's
CASES = [
    ("int*float", lambda T: T.tensor([1, 2]) * T.tensor([0.5, 1.5])),
    ("float*int", lambda T: T.tensor([0.5, 1.5]) * T.tensor([1, 2])),
    ("f32*pyfloat", lambda T: T.tensor([0.5, 1.5]) * 2.5),
    ("pyfloat*f32", lambda T: 2.5 * T.tensor([0.5, 1.5])),
    ("f32+pyint", lambda T: T.tensor([0.5, 1.5]) + 3),
    ("f64*pyfloat", lambda T: T.tensor([0.5, 1.5], dtype=T.float64) * 2.5),
    ("int*pyfloat", lambda T: T.tensor([1, 2]) * 2.5),
    ("int*pyint", lambda T: T.tensor([1, 2]) * 3),
    ("int/int", lambda T: T.tensor([1, 2]) / T.tensor([2, 2])),
    ("int/pyint", lambda T: T.tensor([3, 4]) / 2),
    ("pyint/int", lambda T: 2 / T.tensor([3, 4])),
    ("int32+int64", lambda T: T.tensor([1], dtype=T.int32) + T.tensor([1])),
    ("int32+pyint", lambda T: T.tensor([1], dtype=T.int32) + 1),
    ("bool+int", lambda T: T.tensor([True, False]) + T.tensor([1, 2])),
    ("bool+bool", lambda T: T.tensor([True, False]) + T.tensor([True, True])),
    ("bool*pyfloat", lambda T: T.tensor([True, False]) * 1.5),
    ("bool+pyint", lambda T: T.tensor([True, False]) + 1),
    ("f32+f64", lambda T: T.tensor([1.0]) + T.tensor([1.0], dtype=T.float64)),
    ("f32+0dim_f64", lambda T: T.tensor([1.0]) + T.tensor(1.0, dtype=T.float64)),
    ("int+0dim_float", lambda T: T.tensor([1, 2]) + T.tensor(1.5)),
    ("int32+0dim_int64", lambda T: T.tensor([1], dtype=T.int32) + T.tensor(1)),
    ("0dim_f32+0dim_f64", lambda T: T.tensor(1.0) + T.tensor(1.0, dtype=T.float64)),
    ("0dim_int*pyfloat", lambda T: T.tensor(3) * 0.5),
    ("f32**pyint", lambda T: T.tensor([2.0]) ** 2),
    ("int**pyint", lambda T: T.tensor([2]) ** 2),
    ("int**pyfloat", lambda T: T.tensor([2]) ** 0.5),
    ("pyfloat**int", lambda T: 2.0 ** T.tensor([2])),
    ("int**float", lambda T: T.tensor([2]) ** T.tensor([0.5])),
    ("exp(int)", lambda T: T.exp(T.tensor([1, 2]))),
    ("sqrt(int)", lambda T: T.sqrt(T.tensor([1, 4]))),
    ("sum(int)", lambda T: T.tensor([1, 2], dtype=T.int32).sum()),
    ("sum(bool)", lambda T: T.tensor([True, True]).sum()),
    ("mean(f64)", lambda T: T.tensor([1.0, 2.0], dtype=T.float64).mean()),
    ("cmp", lambda T: T.tensor([1.0]) < 2),
    ("where(int,float)", lambda T: T.where(T.tensor([True, False]), T.tensor([1, 2]), T.tensor([0.5, 0.5]))),
    ("maximum(int,float)", lambda T: T.maximum(T.tensor([1, 2]), T.tensor([1.5, 0.5]))),
    ("cat(int,float)", lambda T: T.cat([T.tensor([1]), T.tensor([0.5])])),
    ("clamp(int,float)", lambda T: T.clamp(T.tensor([1, 5]), 0.5, 2.5)),
    ("arange(int)", lambda T: T.arange(5)),
    ("arange(float)", lambda T: T.arange(0, 1, 0.25)),
    ("tensor(pyfloat)", lambda T: T.tensor(1.5)),
    ("tensor(pyint)", lambda T: T.tensor(2)),
    ("tensor(bool)", lambda T: T.tensor([True])),
    ("full(int)", lambda T: T.full((2,), 3)),
    ("full(float)", lambda T: T.full((2,), 3.0)),
    ("zeros", lambda T: T.zeros(2)),
    ("from f64 ndarray", lambda T: T.from_numpy(np.zeros(2))),
    ("tensor(f64 ndarray)", lambda T: T.tensor(np.zeros(2))),
]


def _name(dt):
    return str(dt).split(".")[-1]


@pytest.mark.parametrize("build", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_result_dtype_matches_torch(build, torch):
    assert _name(build(npgrad).dtype) == _name(build(torch).dtype)


@pytest.mark.parametrize("build,expected", [
    (CASES[0][1], "float32"),    # int tensor * float tensor -> float32
    (CASES[2][1], "float32"),    # a Python float never upcasts float32
    (CASES[8][1], "float32"),    # int64 / int64 -> float32
    (CASES[13][1], "int64"),     # bool + int -> int
    (CASES[18][1], "float32"),   # a 0-dim float64 does not widen a float32 tensor
    (CASES[19][1], "float32"),   # ... but a 0-dim float does lift an int tensor (default float)
    (CASES[21][1], "float64"),   # 0-dim with 0-dim: ordinary promotion
])
def test_promotion_rules_without_torch(build, expected):
    assert build(npgrad).dtype == getattr(npgrad, expected)


def test_promote_types_and_result_type():
    from npgrad import _dtype
    assert _dtype.promote_types(npgrad.int32, npgrad.float32) is npgrad.float32
    assert _dtype.promote_types(npgrad.int32, npgrad.int64) is npgrad.int64
    assert _dtype.promote_types(npgrad.bool, npgrad.int32) is npgrad.int32
    assert _dtype.result_type(np.zeros(2, np.int64), 2.5) is npgrad.float32
    assert _dtype.result_type(np.zeros(2, np.float32), np.zeros((), np.float64)) is npgrad.float32


def test_float32_graph_gives_float32_grads():
    x = npgrad.randn(3, 4, requires_grad=True)
    w = npgrad.randn(4, 2, requires_grad=True)
    y = ((x @ w).tanh() * 2.5 + 1).exp().log().sum() / 3 + (x ** 2).mean() * 0.1
    assert y.dtype == npgrad.float32
    y.backward()
    assert x.grad.dtype == npgrad.float32 and w.grad.dtype == npgrad.float32


def test_mixed_precision_grads_take_each_leafs_dtype():
    a = npgrad.ones(3, requires_grad=True)
    b = npgrad.ones(3, dtype=npgrad.float64, requires_grad=True)
    y = (a * b).sum()
    assert y.dtype == npgrad.float64
    y.backward()
    assert a.grad.dtype == npgrad.float32 and b.grad.dtype == npgrad.float64


def test_dtype_objects():
    assert npgrad.float32.is_floating_point and not npgrad.int64.is_floating_point
    assert repr(npgrad.float32) == str(npgrad.float32) == "torch.float32"
    assert npgrad.float is npgrad.float32 and npgrad.double is npgrad.float64 and npgrad.long is npgrad.int64
    assert npgrad.tensor([1.0]).to(float).dtype == npgrad.float32
    assert npgrad.tensor([1.5]).to(int).dtype == npgrad.int64


def test_set_default_dtype():
    try:
        npgrad.set_default_dtype(npgrad.float64)
        assert npgrad.tensor([1.0]).dtype == npgrad.float64
        assert npgrad.tensor([1, 2]).dtype == npgrad.int64
        assert (npgrad.tensor([1]) / 2).dtype == npgrad.float64
    finally:
        npgrad.set_default_dtype(npgrad.float32)
    with pytest.raises(TypeError, match="floating"):
        npgrad.set_default_dtype(npgrad.int64)


def test_unsupported_numpy_dtype_is_rejected():
    with pytest.raises(TypeError, match="complex128|supported"):
        npgrad.from_numpy(np.zeros(2, dtype=np.complex128))


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"])
def test_dtype_and_type_strings_match_torch(torch, name):
    ours, theirs = getattr(npgrad, name), getattr(torch, name)
    assert (str(ours), repr(ours), f"{ours}") == (str(theirs), repr(theirs), f"{theirs}")
    assert npgrad.zeros(2, dtype=ours).type() == torch.zeros(2, dtype=theirs).type()
    assert repr(npgrad.zeros(2, dtype=ours)) == repr(torch.zeros(2, dtype=theirs))


def test_size_prints_as_torch(torch):
    for shape in [(), (3,), (2, 0, 4)]:
        assert str(npgrad.zeros(shape).shape) == str(torch.zeros(shape).shape)
        assert repr(npgrad.zeros(shape).size()) == repr(torch.zeros(shape).size())


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_torch(torch, name):
    ours, theirs = npgrad.finfo(getattr(npgrad, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert repr(ours) == repr(theirs) and ours.dtype == theirs.dtype
    assert repr(npgrad.finfo()) == repr(torch.finfo())


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(torch, name):
    ours, theirs = npgrad.iinfo(getattr(npgrad, name)), torch.iinfo(getattr(torch, name))
    assert (ours.bits, ours.min, ours.max, repr(ours)) == (theirs.bits, theirs.min, theirs.max, repr(theirs))


def test_finfo_and_iinfo_refuse_the_other_kind(torch):
    for T in (npgrad, torch):
        with pytest.raises(TypeError):
            T.finfo(T.int32)
        with pytest.raises(TypeError):
            T.iinfo(T.float32)
        with pytest.raises(TypeError):
            T.iinfo(T.bool)
