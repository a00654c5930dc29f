import pytest

import npgrad
from ._trajectory import assert_matches_torch, assert_resumes_from_checkpoint

COMBOS = [dict(), dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6), dict(lr=0.01, weight_decay=0.1),
          dict(lr=0.02, maximize=True, weight_decay=0.05)]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_adamax_matches_torch(torch, kwargs):
    assert_matches_torch(torch, "Adamax", kwargs)


def test_adamax_checkpoint_round_trip(tmp_path):
    assert_resumes_from_checkpoint("Adamax", COMBOS[-1], tmp_path / "opt.pt")


@pytest.mark.parametrize("bad, msg", [(dict(lr=-1), "Invalid learning rate"), (dict(eps=-1), "Invalid epsilon"),
                                      (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
                                      (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
                                      (dict(weight_decay=-1), "Invalid weight_decay")])
def test_adamax_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.Adamax([npgrad.zeros(2, requires_grad=True)], **bad)
