import pytest

import npgrad
from ._trajectory import assert_matches_torch, assert_resumes_from_checkpoint

# t0=5 switches the averaging on inside the run (mu < 1 from step 6)
COMBOS = [dict(), dict(lr=0.05, lambd=0.01, alpha=0.5), dict(lr=0.02, t0=5), dict(lr=0.02, weight_decay=0.1),
          dict(lr=0.03, t0=3, lambd=1e-3, maximize=True, weight_decay=0.05)]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_asgd_matches_torch(torch, kwargs):
    assert_matches_torch(torch, "ASGD", kwargs)


def test_asgd_checkpoint_round_trip(tmp_path):
    assert_resumes_from_checkpoint("ASGD", COMBOS[-1], tmp_path / "opt.pt")


def test_asgd_keeps_the_average_of_the_iterates():
    w = npgrad.tensor([0.0], requires_grad=True)
    opt = npgrad.optim.ASGD([w], lr=1.0, lambd=0.0, t0=0)
    seen = []
    for g in [1.0, -3.0, 2.0, 0.5]:
        w.grad = npgrad.tensor([g])
        opt.step()
        seen.append(w.item())
    # mu = 1 / (t - t0) from the step after t0 + 1: ax is the mean of the iterates since then
    assert opt.state[w]["ax"].item() == pytest.approx(sum(seen[1:]) / 3)


@pytest.mark.parametrize("bad, msg", [(dict(lr=-1), "Invalid learning rate"),
                                      (dict(weight_decay=-1), "Invalid weight_decay")])
def test_asgd_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.ASGD([npgrad.zeros(2, requires_grad=True)], **bad)
