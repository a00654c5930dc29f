import numpy as np
import pytest

import npgrad
from ._trajectory import assert_same_state, assert_same_trajectory, run_npgrad, run_torch

COMBOS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.8, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05, maximize=True),
    dict(lr=0.02, weight_decay=0.3, maximize=True),
]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_sgd_trajectory_matches_torch(torch, kwargs):
    ours, opt, params = run_npgrad("SGD", kwargs)
    theirs, topt, tparams = run_torch(torch, "SGD", kwargs)
    assert_same_trajectory(ours, theirs)
    assert_same_state(opt, topt, params, tparams)


def test_sgd_defaults_match_torch(torch):
    w = npgrad.zeros(2, requires_grad=True)
    tw = torch.zeros(2, requires_grad=True)
    ours, theirs = npgrad.optim.SGD([w]).defaults, torch.optim.SGD([tw]).defaults
    assert ours == theirs


def test_plain_sgd_is_gradient_descent():
    w = npgrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = npgrad.optim.SGD([w], lr=0.25)
    w.grad = npgrad.tensor([4.0, 8.0, -4.0])
    opt.step()
    np.testing.assert_array_equal(w._data, np.array([0.0, -4.0, 4.0], np.float32))
    assert w.grad._data.tolist() == [4.0, 8.0, -4.0]  # the gradient itself is left untouched
    assert len(opt.state) == 0  # no momentum, no state


@pytest.mark.parametrize("bad, msg", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (dict(lr=0.1, weight_decay=-1e-4), "Invalid weight_decay value"),
    (dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
])
def test_sgd_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.SGD([npgrad.zeros(2, requires_grad=True)], **bad)


def test_sgd_group_hyperparameters_are_checked():
    opt = npgrad.optim.SGD([npgrad.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -0.5"):
        opt.add_param_group({"params": [npgrad.zeros(1, requires_grad=True)], "lr": -0.5})


def test_sgd_bumps_version_and_keeps_float32():
    w = npgrad.randn(3, requires_grad=True)
    v0 = w._version[0]
    opt = npgrad.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = npgrad.ones(3)
    opt.step()
    assert w._version[0] == v0 + 1
    assert opt.state[w]["momentum_buffer"].dtype == npgrad.float32
    assert w.dtype == npgrad.float32


def test_sgd_float64_params_keep_float64_state():
    w = npgrad.randn(3, dtype=npgrad.float64, requires_grad=True)
    opt = npgrad.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = npgrad.ones(3, dtype=npgrad.float64)
    opt.step()
    assert opt.state[w]["momentum_buffer"].dtype == npgrad.float64 and w.dtype == npgrad.float64


def test_sgd_minimises_a_quadratic():
    w = npgrad.tensor([3.0, -2.0], requires_grad=True)
    opt = npgrad.optim.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(100):
        opt.zero_grad()
        ((w - npgrad.tensor([1.0, 1.0])) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(w._data, [1.0, 1.0], atol=1e-4)


def test_tensor_learning_rate_is_accepted():
    w = npgrad.tensor([1.0], requires_grad=True)
    opt = npgrad.optim.SGD([w], lr=npgrad.tensor(0.5))
    w.grad = npgrad.tensor([1.0])
    opt.step()
    assert w.item() == 0.5
