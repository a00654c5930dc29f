"""Run the same optimizer on npgrad and PyTorch from the same weights and gradient rule."""
import numpy as np

import npgrad

SHAPES = [(5, 4), (4,), (3, 2, 2)]


def initial(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def grad_rule(arrs, t, seed=1):
    """A gradient that depends on the current weights (a real trajectory), plus step-dependent noise."""
    rng = np.random.default_rng(seed + t)
    return [(2 * np.sin(a) + 0.5 * np.tanh(3 * a) + rng.standard_normal(a.shape).astype(np.float32)).astype(np.float32)
            for a in arrs]


def run_npgrad(cls, kwargs, steps=20, init=None, opt_hook=None):
    params = [npgrad.tensor(a, requires_grad=True) for a in (init or initial())]
    opt = getattr(npgrad.optim, cls)(params, **kwargs)
    traj = []
    for t in range(steps):
        for p, g in zip(params, grad_rule([p._data for p in params], t)):
            p.grad = npgrad.tensor(g)
        opt.step()
        traj.append([p._data.copy() for p in params])
        if opt_hook is not None:
            opt_hook(opt, t)
    return traj, opt, params


def run_torch(torch, cls, kwargs, steps=20, init=None, opt_hook=None):
    params = [torch.tensor(a, requires_grad=True) for a in (init or initial())]
    opt = getattr(torch.optim, cls)(params, **kwargs)
    traj = []
    for t in range(steps):
        for p, g in zip(params, grad_rule([p.detach().numpy() for p in params], t)):
            p.grad = torch.from_numpy(g)
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
        if opt_hook is not None:
            opt_hook(opt, t)
    return traj, opt, params


def assert_same_trajectory(ours, theirs, rtol=2e-5, atol=2e-6):
    for t, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            assert x.dtype == np.float32
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, err_msg=f"step {t}, param {i}")


def assert_same_state(opt, topt, params, tparams):
    for p, tp in zip(params, tparams):
        ours, theirs = opt.state[p], topt.state[tp]
        assert sorted(ours) == sorted(theirs)
        for k in theirs:
            a = ours[k]._data
            b = theirs[k].detach().numpy()
            assert a.dtype == b.dtype, k
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6, err_msg=k)


def assert_matches_torch(torch, cls, kwargs, steps=20):
    """Same trajectory and same final state as PyTorch's optimizer, from the same weights and gradients."""
    ours, opt, params = run_npgrad(cls, kwargs, steps=steps)
    theirs, topt, tparams = run_torch(torch, cls, kwargs, steps=steps)
    assert_same_trajectory(ours, theirs)
    assert_same_state(opt, topt, params, tparams)
    assert opt.defaults == topt.defaults


def assert_resumes_from_checkpoint(cls, kwargs, path, split=5, steps=12):
    """Saving ``state_dict()`` with npgrad.save after ``split`` steps and loading it into a fresh
    optimizer continues exactly as the uninterrupted run."""
    full, _, _ = run_npgrad(cls, kwargs, steps=steps)
    _, opt, params = run_npgrad(cls, kwargs, steps=split)
    npgrad.save(opt.state_dict(), path)
    params2 = [npgrad.tensor(p._data.copy(), requires_grad=True) for p in params]
    opt2 = getattr(npgrad.optim, cls)(params2, **kwargs)
    opt2.load_state_dict(npgrad.load(path))
    for t in range(split, steps):
        for p, g in zip(params2, grad_rule([p._data for p in params2], t)):
            p.grad = npgrad.tensor(g)
        opt2.step()
        for a, b in zip(params2, full[t]):
            np.testing.assert_array_equal(a._data, b)
