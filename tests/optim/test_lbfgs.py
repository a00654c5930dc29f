"""LBFGS against PyTorch: the same closure from the same weights gives the same iterates and state."""
import io

import numpy as np
import pytest

import npgrad
from ._trajectory import initial


def loss_fn(lib, params):
    # a coupled, non-convex objective (Rosenbrock over all the weights, plus a ripple)
    x = lib.cat([p.reshape(-1) for p in params])
    return ((1 - x[:-1]) ** 2).sum() + 10 * ((x[1:] - x[:-1] ** 2) ** 2).sum() + 0.1 * lib.cos(3 * x).sum()


def run(lib, kwargs, steps=3, dtype=np.float64):
    params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in initial()]
    opt = lib.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn(lib, params)
        loss.backward()
        return loss

    traj, losses = [], []
    for _ in range(steps):
        losses.append(opt.step(closure).item())
        traj.append([p.detach().numpy().copy() for p in params])
    return traj, losses, opt, params


COMBOS = [
    dict(),
    dict(lr=0.5, max_iter=5),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", history_size=2, max_iter=8),
    dict(lr=0.1, history_size=3, max_iter=10, max_eval=12),
    dict(line_search_fn="strong_wolfe", tolerance_change=1e-3, tolerance_grad=1e-3),
]


@pytest.mark.parametrize("kwargs", COMBOS, ids=str)
def test_lbfgs_trajectory_matches_torch(torch, kwargs):
    # float64 and three steps: the objective is ill-conditioned, so rounding differences (summation
    # order) grow about 1000-fold per 20 iterations; in float64 the runs agree to ~1e-7 here
    ours, our_losses, opt, params = run(npgrad, kwargs)
    theirs, their_losses, topt, tparams = run(torch, kwargs)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-7)
    for t, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            assert x.dtype == np.float64
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-8, err_msg=f"step {t}")
    st, tst = opt.state[params[0]], topt.state[tparams[0]]
    assert st["n_iter"] == tst["n_iter"] and st["func_evals"] == tst["func_evals"]
    assert len(st["old_dirs"]) == len(tst["old_dirs"])
    assert opt.defaults == topt.defaults


@pytest.mark.parametrize("kwargs", COMBOS[:3], ids=str)
def test_lbfgs_float32_first_step_matches_torch(torch, kwargs):
    ours, our_losses, *_ = run(npgrad, kwargs, steps=1, dtype=np.float32)
    theirs, their_losses, *_ = run(torch, kwargs, steps=1, dtype=np.float32)
    assert our_losses == pytest.approx(their_losses, rel=1e-5)
    for x, y in zip(ours[0], theirs[0]):
        assert x.dtype == np.float32
        np.testing.assert_allclose(x, y, rtol=1e-3, atol=1e-4)


def test_lbfgs_minimises_a_quadratic():
    a = npgrad.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=npgrad.float64)
    b = npgrad.tensor([1.0, -1.0], dtype=npgrad.float64)
    x = npgrad.zeros(2, dtype=npgrad.float64, requires_grad=True)
    opt = npgrad.optim.LBFGS([x], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ (a @ x)) - b @ x
        loss.backward()
        return loss
    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(a.numpy(), b.numpy()), atol=1e-6)


def test_lbfgs_state_dict_round_trip_continues_identically(tmp_path):
    kwargs = dict(line_search_fn="strong_wolfe", history_size=3)
    _, _, opt, params = run(npgrad, kwargs, steps=2)
    path = tmp_path / "opt.pt"
    npgrad.save(opt.state_dict(), path)
    twin = [npgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    opt2 = npgrad.optim.LBFGS(twin, **kwargs)
    opt2.load_state_dict(npgrad.load(path))
    for o, ps in ((opt, params), (opt2, twin)):
        def closure(o=o, ps=ps):
            o.zero_grad()
            loss = loss_fn(npgrad, ps)
            loss.backward()
            return loss
        o.step(closure)
    for p, q in zip(params, twin):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_lbfgs_returns_the_first_loss_and_stops_at_a_minimum():
    x = npgrad.tensor([1.0], requires_grad=True)
    opt = npgrad.optim.LBFGS([x])
    calls = []

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        calls.append(1)
        return loss
    assert opt.step(closure).item() == 0.0 and len(calls) == 1  # gradient already zero


def test_lbfgs_rejects_bad_arguments():
    w = npgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        npgrad.optim.LBFGS([w], lr=-1)
    with pytest.raises(ValueError, match="line_search_fn"):
        npgrad.optim.LBFGS([w], line_search_fn="armijo")
    with pytest.raises(ValueError, match="parameter groups"):
        npgrad.optim.LBFGS([{"params": [w]}, {"params": [npgrad.zeros(1, requires_grad=True)]}])
    with pytest.raises(TypeError):
        npgrad.optim.LBFGS([w]).step()
