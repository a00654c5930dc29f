import pytest

import npgrad
from ._trajectory import assert_matches_torch, assert_resumes_from_checkpoint

COMBOS = [dict(), dict(lr=0.5, rho=0.8, eps=1e-5), dict(weight_decay=0.1),
          dict(lr=0.3, maximize=True, weight_decay=0.05)]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_adadelta_matches_torch(torch, kwargs):
    assert_matches_torch(torch, "Adadelta", kwargs)


def test_adadelta_checkpoint_round_trip(tmp_path):
    assert_resumes_from_checkpoint("Adadelta", COMBOS[3], tmp_path / "opt.pt")


@pytest.mark.parametrize("bad, msg", [(dict(lr=-1), "Invalid learning rate"), (dict(rho=1.5), "Invalid rho value: 1.5"),
                                      (dict(eps=-1), "Invalid epsilon"),
                                      (dict(weight_decay=-1), "Invalid weight_decay"),
                                      (dict(differentiable=True), "differentiable")])
def test_adadelta_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.Adadelta([npgrad.zeros(2, requires_grad=True)], **bad)
