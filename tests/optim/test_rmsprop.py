import pytest

import npgrad
from ._trajectory import assert_same_state, assert_same_trajectory, run_npgrad, run_torch

COMBOS = [
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9, eps=1e-6),
    dict(lr=0.01, centered=True),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.005, momentum=0.8, centered=True, weight_decay=0.1),
    dict(lr=0.01, maximize=True, weight_decay=0.05),
]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_rmsprop_trajectory_matches_torch(torch, kwargs):
    ours, opt, params = run_npgrad("RMSprop", kwargs)
    theirs, topt, tparams = run_torch(torch, "RMSprop", kwargs)
    assert_same_trajectory(ours, theirs)
    assert_same_state(opt, topt, params, tparams)


def test_rmsprop_defaults_match_torch(torch):
    ours = npgrad.optim.RMSprop([npgrad.zeros(2, requires_grad=True)]).defaults
    assert ours == torch.optim.RMSprop([torch.zeros(2, requires_grad=True)]).defaults


@pytest.mark.parametrize("bad, msg", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(eps=-1), "Invalid epsilon value: -1"),
    (dict(momentum=-1), "Invalid momentum value: -1"),
    (dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (dict(alpha=-1), "Invalid alpha value: -1"),
])
def test_rmsprop_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.RMSprop([npgrad.zeros(2, requires_grad=True)], **bad)
