"""nn.init: bounds and moments of each initialiser, fan computation and gains vs PyTorch, seeding,
in-place under no_grad."""
import math

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
from npgrad.nn import init


def _param(*shape):
    return nn.Parameter(npgrad.empty(*shape))


@pytest.mark.parametrize("shape", [(3, 5), (8, 4, 3, 3), (2, 6, 7)])
def test_fans_match_torch(torch, shape):
    ours = init._calculate_fan_in_and_fan_out(npgrad.empty(*shape))
    theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    assert ours == theirs
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(npgrad.empty(4))


@pytest.mark.parametrize("nl,param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                      ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain_matches_torch(torch, nl, param):
    assert init.calculate_gain(nl, param) == pytest.approx(torch.nn.init.calculate_gain(nl, param))


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "x")


def test_uniform_normal_constant():
    w = _param(200, 300)
    assert init.uniform_(w, -2, 3) is w
    assert w._data.min() >= -2 and w._data.max() <= 3 and abs(w._data.mean() - 0.5) < 0.05
    init.normal_(w, 1.0, 0.5)
    assert abs(w._data.mean() - 1) < 0.01 and abs(w._data.std() - 0.5) < 0.01
    init.constant_(w, 0.25)
    assert np.all(w._data == 0.25)
    init.zeros_(w)
    assert not w._data.any()
    init.ones_(w)
    assert np.all(w._data == 1)
    assert w.dtype == npgrad.float32 and w.requires_grad and w.grad is None


def test_eye_and_dirac(torch):
    np.testing.assert_array_equal(init.eye_(npgrad.empty(3, 4))._data, np.eye(3, 4))
    w = npgrad.empty(4, 2, 3, 3)
    tw = torch.empty(4, 2, 3, 3)
    np.testing.assert_array_equal(init.dirac_(w)._data, torch.nn.init.dirac_(tw).numpy())
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(npgrad.empty(2, 2, 2))


def test_xavier_bounds_and_std():
    w = _param(300, 500)
    a = math.sqrt(6 / 800)
    init.xavier_uniform_(w)
    assert np.abs(w._data).max() <= a and np.abs(w._data).max() > 0.99 * a
    init.xavier_normal_(w, gain=2.0)
    assert abs(w._data.std() - 2 * math.sqrt(2 / 800)) < 0.02 * 2 * math.sqrt(2 / 800)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nl,a", [("relu", 0), ("leaky_relu", 0.1), ("leaky_relu", math.sqrt(5))])
def test_kaiming(mode, nl, a):
    w = _param(256, 128, 3)
    fan = 128 * 3 if mode == "fan_in" else 256 * 3
    std = init.calculate_gain(nl, a) / math.sqrt(fan)
    init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nl)
    bound = math.sqrt(3) * std
    assert np.abs(w._data).max() <= bound * (1 + 1e-6) and np.abs(w._data).max() > 0.99 * bound
    init.kaiming_normal_(w, a=a, mode=mode, nonlinearity=nl)
    assert abs(w._data.std() - std) < 0.03 * std
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(w, mode="fan_avg")


def test_seeded_by_manual_seed():
    w1, w2 = npgrad.empty(4, 4), npgrad.empty(4, 4)
    npgrad.manual_seed(5)
    init.kaiming_normal_(w1)
    npgrad.manual_seed(5)
    init.kaiming_normal_(w2)
    np.testing.assert_array_equal(w1._data, w2._data)


def test_in_place_bumps_version_and_works_on_params_in_graph():
    lin = nn.Linear(3, 2)
    v = lin.weight._version[0]
    init.xavier_uniform_(lin.weight)
    assert lin.weight._version[0] > v and lin.weight.is_leaf


def test_orthogonal_trunc_normal_sparse():
    q = init.orthogonal_(npgrad.empty(6, 4))._data
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    t = init.trunc_normal_(npgrad.empty(1000), std=1.0, a=-0.5, b=0.5)._data
    assert t.min() >= -0.5 and t.max() <= 0.5
    s = init.sparse_(npgrad.empty(10, 5), 0.3)._data
    assert np.all((s == 0).sum(0) >= 3)
