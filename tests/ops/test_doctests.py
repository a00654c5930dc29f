"""The runnable examples in the core's docstrings must stay true."""
import doctest
import importlib

import pytest

MODULES = ["npgrad", "npgrad.tensor", "npgrad._inplace", "npgrad._format", "npgrad.creation", "npgrad.random", "npgrad.linalg",
           "npgrad.ops.elementwise", "npgrad.ops.unary", "npgrad.ops.compare", "npgrad.ops.reduce", "npgrad.ops.extrema", "npgrad.ops.shape", "npgrad.ops.gather", "npgrad.ops.pad", "npgrad.ops.index",
           "npgrad.ops.special", "npgrad.ops.histogram", "npgrad.ops.scan", "npgrad.ops.strided", "npgrad.ops.scatter", "npgrad.nn.conv3d_functional", "npgrad.nn.conv3d",
           "npgrad.nn.interp_functional", "npgrad.nn.upsample",
           "npgrad.ops.linalg", "npgrad.autograd", "npgrad.autograd.numerical", "npgrad.autograd.forward_ad",
           "npgrad.autograd.anomaly", "npgrad.autograd.grad_mode", "npgrad.autograd.engine"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
