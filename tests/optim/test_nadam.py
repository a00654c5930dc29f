import pytest

import npgrad
from ._trajectory import assert_matches_torch, assert_resumes_from_checkpoint

COMBOS = [dict(), dict(lr=0.01, momentum_decay=0.02), dict(lr=0.01, weight_decay=0.1),
          dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
          dict(lr=0.02, betas=(0.8, 0.99), maximize=True, weight_decay=0.05, decoupled_weight_decay=True)]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_nadam_matches_torch(torch, kwargs):
    assert_matches_torch(torch, "NAdam", kwargs)


def test_nadam_checkpoint_round_trip(tmp_path):
    assert_resumes_from_checkpoint("NAdam", COMBOS[-1], tmp_path / "opt.pt")


@pytest.mark.parametrize("bad, msg", [(dict(lr=-1), "Invalid learning rate"), (dict(eps=-1), "Invalid epsilon"),
                                      (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
                                      (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
                                      (dict(weight_decay=-1), "Invalid weight_decay")])
def test_nadam_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.NAdam([npgrad.zeros(2, requires_grad=True)], **bad)


def test_nadam_rejects_negative_momentum_decay():
    with pytest.raises(ValueError, match="Invalid momentum_decay value: -0.1"):
        npgrad.optim.NAdam([npgrad.zeros(2, requires_grad=True)], momentum_decay=-0.1)


def test_nadam_mu_product_is_float32_state(torch):
    from ._trajectory import run_npgrad
    _, opt, params = run_npgrad("NAdam", dict(lr=0.01), steps=3)
    assert opt.state[params[0]]["mu_product"].dtype == npgrad.float32
