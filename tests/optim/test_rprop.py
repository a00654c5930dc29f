import pytest

import npgrad
from ._trajectory import assert_matches_torch, assert_resumes_from_checkpoint

COMBOS = [dict(), dict(lr=0.05, etas=(0.3, 1.5)), dict(lr=0.05, step_sizes=(1e-3, 0.08)),
          dict(lr=0.02, etas=(0.4, 1.1), step_sizes=(1e-4, 0.5), maximize=True)]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_rprop_matches_torch(torch, kwargs):
    assert_matches_torch(torch, "Rprop", kwargs)


def test_rprop_checkpoint_round_trip(tmp_path):
    assert_resumes_from_checkpoint("Rprop", COMBOS[-1], tmp_path / "opt.pt")


def test_rprop_step_grows_while_the_sign_holds_and_shrinks_when_it_flips():
    w = npgrad.tensor([0.0], requires_grad=True)
    opt = npgrad.optim.Rprop([w], lr=0.1, etas=(0.5, 2.0))
    for g in [1.0, 1.0, -1.0]:
        w.grad = npgrad.tensor([g])
        opt.step()
    # steps of 0.1, 0.2 down, then the flip halves the size and skips the move
    assert opt.state[w]["step_size"].item() == pytest.approx(0.1) and w.item() == pytest.approx(-0.3)
    assert opt.state[w]["prev"].item() == 0.0


@pytest.mark.parametrize("bad, msg", [(dict(lr=-1), "Invalid learning rate"),
                                      (dict(etas=(1.2, 0.5)), "Invalid eta values"),
                                      (dict(etas=(0.5, 0.9)), "Invalid eta values")])
def test_rprop_rejects_bad_hyperparameters(bad, msg):
    with pytest.raises(ValueError, match=msg):
        npgrad.optim.Rprop([npgrad.zeros(2, requires_grad=True)], **bad)
