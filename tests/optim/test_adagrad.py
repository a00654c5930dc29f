import pytest

import npgrad
from ._trajectory import assert_same_state, assert_same_trajectory, run_npgrad, run_torch

COMBOS = [
    dict(lr=0.1),
    dict(lr=0.1, lr_decay=0.05),
    dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5),
    dict(lr=0.05, eps=1e-6, maximize=True),
]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_adagrad_trajectory_matches_torch(torch, kwargs):
    ours, opt, params = run_npgrad("Adagrad", kwargs)
    theirs, topt, tparams = run_torch(torch, "Adagrad", kwargs)
    assert_same_trajectory(ours, theirs)
    assert_same_state(opt, topt, params, tparams)


def test_adagrad_state_exists_before_first_step(torch):
    w = npgrad.zeros(3, requires_grad=True)
    opt = npgrad.optim.Adagrad([w], initial_accumulator_value=0.25)
    assert opt.state[w]["sum"]._data.tolist() == [0.25] * 3
    assert float(opt.state[w]["step"]) == 0.0
    tw = torch.zeros(3, requires_grad=True)
    assert opt.defaults == torch.optim.Adagrad([tw], initial_accumulator_value=0.25).defaults


def test_adagrad_added_group_gets_state():
    opt = npgrad.optim.Adagrad([npgrad.zeros(3, requires_grad=True)])
    b = npgrad.ones(2, requires_grad=True)
    opt.add_param_group({"params": b, "lr": 0.5})
    b.grad = npgrad.ones(2)
    opt.step()
    assert opt.state[b]["sum"]._data.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("bad, msg", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    (dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    (dict(eps=-1), "Invalid epsilon value: -1"),
])
def test_adagrad_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.Adagrad([npgrad.zeros(2, requires_grad=True)], **bad)
