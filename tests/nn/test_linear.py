"""Linear (and F.linear), Bilinear, Identity, Flatten, Unflatten."""
import math

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck

from .nn_helpers import compare_module, gradcheck_module


def test_linear_shapes_names_repr(torch):
    lin = nn.Linear(5, 3)
    assert lin.weight.shape == (3, 5) and lin.bias.shape == (3,)
    assert list(lin.state_dict()) == ["weight", "bias"]
    assert repr(lin) == repr(torch.nn.Linear(5, 3))
    assert repr(nn.Linear(5, 3, bias=False)) == repr(torch.nn.Linear(5, 3, bias=False))
    assert lin.weight.dtype == npgrad.float32
    assert nn.Linear(2, 2, dtype=npgrad.float64).weight.dtype == npgrad.float64


def test_linear_forward_matches_numpy(rng):
    lin = nn.Linear(6, 4)
    x = rng.standard_normal((7, 6)).astype(np.float32)
    out = lin(npgrad.tensor(x))
    np.testing.assert_allclose(out._data, x @ lin.weight._data.T + lin.bias._data, rtol=1e-5, atol=1e-6)
    assert out.dtype == npgrad.float32


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_vs_torch(torch, rng, shape, bias):
    x = rng.standard_normal(shape).astype(np.float32)
    compare_module(torch, nn.Linear(4, 3, bias=bias), torch.nn.Linear(4, 3, bias=bias), x)


def test_linear_default_init_bounds():
    npgrad.manual_seed(0)
    lin = nn.Linear(100, 400)
    bound = 1 / math.sqrt(100)
    w, b = lin.weight._data, lin.bias._data
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.95 * bound  # uses the whole range: U(-1/sqrt(in), 1/sqrt(in))
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound


def test_linear_init_is_seeded():
    npgrad.manual_seed(7)
    a = nn.Linear(3, 3).weight._data.copy()
    npgrad.manual_seed(7)
    b = nn.Linear(3, 3).weight._data.copy()
    np.testing.assert_array_equal(a, b)


def test_linear_gradcheck(rng):
    assert gradcheck_module(nn.Linear(3, 2), rng.standard_normal((4, 3)))
    assert gradcheck_module(nn.Linear(3, 2), rng.standard_normal((2, 2, 3)))


def test_linear_double_backward(rng):
    x = npgrad.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = npgrad.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    b = npgrad.tensor(rng.standard_normal(2), requires_grad=True)
    assert gradgradcheck(lambda x, w, b: F.linear(x, w, b), (x, w, b))
    assert gradgradcheck(lambda x, w: F.linear(x, w).tanh(), (x, w))


def test_linear_only_needed_grads(rng):
    x = npgrad.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    lin = nn.Linear(4, 2)
    lin.bias.requires_grad_(False)
    lin(x).sum().backward()
    assert x.grad is None and lin.bias.grad is None and lin.weight.grad is not None
    assert lin.weight.grad.dtype == npgrad.float32


def test_linear_errors():
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=-1\): .*negative dimension -1"):
        nn.Linear(-1, 3)
    with pytest.raises(RuntimeError, match="out_features"):
        nn.Linear(2, -3)
    with pytest.raises(TypeError, match="in_features must be an int"):
        nn.Linear(2.5, 3)
    lin = nn.Linear(4, 3)
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=4, out_features=3\).*shape \(2, 5\)"):
        lin(npgrad.ones(2, 5))
    with pytest.raises(RuntimeError, match=r"linear: input of shape \(2, 5\).*\(3, 4\)"):
        F.linear(npgrad.ones(2, 5), npgrad.ones(3, 4))
    with pytest.raises(RuntimeError, match="dtype"):
        F.linear(npgrad.ones(2, 4, dtype=npgrad.float64), npgrad.ones(3, 4))
    with pytest.raises(RuntimeError, match="bias of shape"):
        F.linear(npgrad.ones(2, 4), npgrad.ones(3, 4), npgrad.ones(2))


def test_bilinear_vs_torch(torch, rng):
    ours, theirs = nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2)
    compare_module(torch, ours, theirs, rng.standard_normal((5, 3)).astype(np.float32),
                   rng.standard_normal((5, 4)).astype(np.float32))
    assert repr(ours) == repr(theirs)
    assert gradcheck_module(nn.Bilinear(2, 3, 2), np.ones((2, 2)) * 0.5, np.arange(6.0).reshape(2, 3) / 6)


def test_identity_flatten_unflatten(torch, rng):
    x = npgrad.tensor(rng.standard_normal((2, 3, 4, 5)).astype(np.float32), requires_grad=True)
    assert nn.Identity(54, unused="x")(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    y = nn.Unflatten(1, (3, 20))(nn.Flatten()(x))
    assert y.shape == (2, 3, 20)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, np.ones(x.shape))
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(nn.Unflatten(1, (3, 20))) == repr(torch.nn.Unflatten(1, (3, 20)))
    with pytest.raises(TypeError, match="unflattened_size"):
        nn.Unflatten(1, 3)
