"""Older PyTorch spellings: Variable, the typed tensor classes, Tensor.resize_ (npgrad/_legacy.py)."""
import doctest

import numpy as np
import pytest

import npgrad
from npgrad import _legacy

NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
         "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", NAMES)
def test_typed_constructors_match_pytorch(name, torch):
    for args in [([1, 0, 1],), (2, 3), ()]:
        got, want = getattr(npgrad, name)(*args), getattr(torch, name)(*args)
        assert tuple(got.shape) == tuple(want.shape)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        if args and isinstance(args[0], list):
            np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_isinstance_checks_the_dtype(torch):
    for lib in (npgrad, torch):
        assert isinstance(lib.zeros(2), lib.FloatTensor)
        assert not isinstance(lib.zeros(2, dtype=lib.int64), lib.FloatTensor)
        assert isinstance(lib.zeros(2, dtype=lib.int64), lib.LongTensor)
        assert not isinstance([1.0], lib.FloatTensor)


def test_type_with_a_typed_class_converts():
    x = npgrad.tensor([1.5, 2.5])
    assert x.type(npgrad.LongTensor).dtype == npgrad.int64
    assert x.type(npgrad.DoubleTensor).dtype == npgrad.float64


def test_typed_constructor_refuses_other_devices_and_keywords():
    with pytest.raises(RuntimeError, match="CPU"):
        npgrad.FloatTensor(2, device="cuda")
    with pytest.raises(TypeError, match="unexpected"):
        npgrad.FloatTensor(2, requires_grad=True)


def test_variable_as_in_pytorch(torch):
    for lib in (npgrad, torch):
        x = lib.ones(2, requires_grad=True)
        v = lib.autograd.Variable(x)
        assert v is not x and not v.requires_grad and v.is_leaf
        w = lib.autograd.Variable(lib.tensor([1.0, 2.0]), requires_grad=True)
        (w * w).sum().backward()
        assert w.grad.tolist() == [2.0, 4.0]
        assert isinstance(lib.zeros(1), lib.autograd.Variable)
        v.data[0] = 5.0  # shares memory with x
        assert x[0].item() == 5.0
    with pytest.raises(TypeError, match="tensor"):
        npgrad.autograd.Variable([1.0])


def test_resize_matches_pytorch(torch):
    for lib in (npgrad, torch):
        t = lib.arange(6.0)
        assert t.resize_(2, 2).tolist() == [[0.0, 1.0], [2.0, 3.0]]
        assert t.resize_(0).shape == (0,)
        assert t.resize_(3, 1).shape == (3, 1)
        u = lib.ones(4)
        assert u.resize_as_(lib.zeros(2, 2)).shape == (2, 2)
        with pytest.raises(RuntimeError, match="require grad"):
            lib.ones(2, requires_grad=True).resize_(3)


def test_resize_to_zero_then_reuse_as_out_without_warning():
    import warnings
    o = npgrad.ones(5)
    o.resize_(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        npgrad.add(npgrad.ones(3), 1, out=o)
    assert o.tolist() == [2.0, 2.0, 2.0]


def test_docstring_examples():
    res = doctest.testmod(_legacy, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
