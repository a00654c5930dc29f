import numpy as np
import pytest

import npgrad
from ._trajectory import assert_same_state, assert_same_trajectory, run_npgrad, run_torch

COMBOS = [
    dict(lr=0.01),
    dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.02, amsgrad=True, weight_decay=0.05, maximize=True),
    dict(lr=0.01, maximize=True),
]


@pytest.mark.parametrize("cls", ["Adam", "AdamW"])
@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_adam_trajectory_matches_torch(torch, cls, kwargs):
    ours, opt, params = run_npgrad(cls, kwargs)
    theirs, topt, tparams = run_torch(torch, cls, kwargs)
    assert_same_trajectory(ours, theirs)
    assert_same_state(opt, topt, params, tparams)


def test_adamw_default_weight_decay_matches_torch(torch):
    ours, *_ = run_npgrad("AdamW", dict(lr=0.05))
    theirs, *_ = run_torch(torch, "AdamW", dict(lr=0.05))
    assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("cls", ["Adam", "AdamW"])
def test_adam_defaults_match_torch(torch, cls):
    ours = getattr(npgrad.optim, cls)([npgrad.zeros(2, requires_grad=True)]).defaults
    theirs = getattr(torch.optim, cls)([torch.zeros(2, requires_grad=True)]).defaults
    assert ours == theirs


def test_adam_first_step_moves_each_coordinate_by_lr():
    # bias correction makes the first step exactly lr * sign(g) (up to eps)
    w = npgrad.tensor([1.0, -2.0, 0.5], requires_grad=True)
    opt = npgrad.optim.Adam([w], lr=0.1)
    w.grad = npgrad.tensor([3.0, -0.01, 100.0])
    opt.step()
    np.testing.assert_allclose(w._data, [0.9, -1.9, 0.4], rtol=1e-5)


def test_adam_state_is_float32():
    w = npgrad.randn(3, requires_grad=True)
    opt = npgrad.optim.Adam([w], amsgrad=True)
    w.grad = npgrad.ones(3)
    opt.step()
    st = opt.state[w]
    assert [st[k].dtype for k in ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")] == [npgrad.float32] * 4
    assert float(st["step"]) == 1.0


@pytest.mark.parametrize("bad, msg", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(eps=-1e-8), "Invalid epsilon value"),
    (dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
])
@pytest.mark.parametrize("cls", ["Adam", "AdamW"])
def test_adam_rejects_bad_hyperparameters(cls, bad, msg):
    with pytest.raises(ValueError, match=msg):
        getattr(npgrad.optim, cls)([npgrad.zeros(2, requires_grad=True)], **bad)


def test_skips_params_without_grad():
    a, b = npgrad.ones(2, requires_grad=True), npgrad.ones(2, requires_grad=True)
    opt = npgrad.optim.Adam([a, b], lr=0.1)
    a.grad = npgrad.ones(2)
    opt.step()
    assert b._data.tolist() == [1.0, 1.0] and b not in opt.state and a in opt.state
