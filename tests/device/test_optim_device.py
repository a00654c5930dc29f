"""Optimizers on the stand-in device: every update rule steps device parameters with its state on the
device, and the trajectory equals the CPU's (float64, so equal means equal)."""
import numpy as np
import pytest

import npgrad
from npgrad import nn, optim

from .conftest import assert_on, on_host

CONFIGS = [
    (optim.SGD, dict(lr=0.1)),
    (optim.SGD, dict(lr=0.1, momentum=0.9)),
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, maximize=True)),
    (optim.Adam, dict(lr=0.01)),
    (optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    (optim.AdamW, dict(lr=0.01)),
    (optim.AdamW, dict(lr=0.01, amsgrad=True, maximize=True)),
    (optim.RMSprop, dict(lr=0.01)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.01)),
    (optim.Adadelta, dict(lr=1.0, weight_decay=0.01)),
    (optim.Adamax, dict(lr=0.01, weight_decay=0.01)),
    (optim.NAdam, dict(lr=0.01)),
    (optim.NAdam, dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1)),
    (optim.RAdam, dict(lr=0.01)),
    (optim.RAdam, dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1)),
    (optim.ASGD, dict(lr=0.01, t0=2)),
    (optim.Rprop, dict(lr=0.01)),
]
IDS = [f"{c.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for c, kw in CONFIGS]


def _params(dev, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((2, 2, 2))]
    return [npgrad.tensor(a, device=dev, requires_grad=True) for a in arrays]


def _grads(steps, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s) for s in ((4, 3), (3,), (2, 2, 2))] for _ in range(steps)]


def _state_arrays(opt):
    return [(k, v) for st in opt.state.values() for k, v in st.items() if isinstance(v, npgrad.Tensor)]


def _run(cls, kw, dev, steps=5):
    ps = _params(dev)
    opt = cls(ps, **kw)
    for gs in _grads(steps):
        for p, g in zip(ps, gs):
            p.grad = npgrad.tensor(g, device=dev)
        opt.step()
        opt.zero_grad()
    return ps, opt


@pytest.mark.parametrize("cls,kw", CONFIGS, ids=IDS)
def test_optimizer_steps_device_params_like_cpu(cls, kw, cuda):
    cpu_ps, cpu_opt = _run(cls, kw, npgrad.device("cpu"))
    dev_ps, dev_opt = _run(cls, kw, cuda)
    for c, d in zip(cpu_ps, dev_ps):
        assert_on(d, cuda)
        np.testing.assert_allclose(on_host(d), on_host(c), rtol=1e-12, atol=1e-14)
    cpu_state, dev_state = _state_arrays(cpu_opt), _state_arrays(dev_opt)
    assert [k for k, _ in cpu_state] == [k for k, _ in dev_state]
    for (k, c), (_, d) in zip(cpu_state, dev_state):
        if k != "step":  # PyTorch keeps the step count on the CPU (capturable=False)
            assert_on(d, cuda)
        np.testing.assert_allclose(on_host(d), on_host(c), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls,kw", CONFIGS[:1] + CONFIGS[1:2] + CONFIGS[4:6] + CONFIGS[8:9], ids=IDS[:2] + IDS[4:6] + IDS[8:9])
def test_float32_device_params(cls, kw, cuda):
    ps = [p.detach().float().requires_grad_() for p in _params(cuda)]
    opt = cls(ps, **kw)
    for gs in _grads(2):
        for p, g in zip(ps, gs):
            p.grad = npgrad.tensor(g, device=cuda, dtype=npgrad.float32)
        opt.step()
    for p in ps:
        assert_on(p, cuda)
        assert p.dtype == npgrad.float32
    for k, v in _state_arrays(opt):
        if k != "step":
            assert_on(v, cuda)
            assert v.dtype == npgrad.float32


@pytest.mark.parametrize("cls,kw", CONFIGS, ids=IDS)
def test_load_state_dict_moves_state_to_the_params_device(cls, kw, cuda):
    _, cpu_opt = _run(cls, kw, npgrad.device("cpu"), steps=2)
    sd = cpu_opt.state_dict()
    ps = _params(cuda)
    opt = cls(ps, **kw)
    opt.load_state_dict(sd)
    for k, v in _state_arrays(opt):
        if k == "step":
            assert v.device.type == "cpu"  # PyTorch keeps the count where it was (capturable=False)
        else:
            assert_on(v, cuda)
    # and back: a device optimizer's state loads into a CPU one
    back = cls(_params(npgrad.device("cpu")), **kw)
    back.load_state_dict(opt.state_dict())
    for _, v in _state_arrays(back):
        assert v.device.type == "cpu"
    # the loaded optimizer continues exactly as a CPU one loaded from the same dict
    cpu_ps = [p.detach().clone().requires_grad_() for g in cpu_opt.param_groups for p in g["params"]]
    cpu2 = cls(cpu_ps, **kw)
    cpu2.load_state_dict(sd)
    for pp, c in zip(ps, cpu_ps):
        pp.data = c.detach().to(cuda)
    for pp, c, g in zip(ps, cpu_ps, _grads(1, seed=7)[0]):
        pp.grad, c.grad = npgrad.tensor(g, device=cuda), npgrad.tensor(g)
    opt.step()
    cpu2.step()
    for pp, c in zip(ps, cpu_ps):
        assert_on(pp, cuda)
        np.testing.assert_allclose(on_host(pp), on_host(c), rtol=1e-12, atol=1e-14)


def test_sparse_adam_on_device(cuda):
    from tests.optim.test_sparse_adam import RowSparseGrad, batches
    w0 = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32)
    ws = [npgrad.tensor(w0, device=d, requires_grad=True) for d in ("cpu", cuda)]
    opts = [optim.SparseAdam([w], lr=0.05) for w in ws]
    for rows, vals in batches():
        for w, opt in zip(ws, opts):
            w._grad = RowSparseGrad(rows, vals)  # host indices and values: moved to the parameter's device
            opt.step()
    assert_on(ws[1], cuda)
    np.testing.assert_array_equal(on_host(ws[1]), on_host(ws[0]))
    for k in ("exp_avg", "exp_avg_sq"):
        assert_on(opts[1].state[ws[1]][k], cuda)
        np.testing.assert_array_equal(on_host(opts[1].state[ws[1]][k]), on_host(opts[0].state[ws[0]][k]))


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_on_device(line_search, cuda):
    a = np.random.default_rng(0).standard_normal((5, 5))
    A = a @ a.T + 5 * np.eye(5)

    def run(dev):
        x = npgrad.zeros(5, dtype=npgrad.float64, device=dev, requires_grad=True)
        At, b = npgrad.tensor(A, device=dev), npgrad.ones(5, dtype=npgrad.float64, device=dev)
        opt = optim.LBFGS([x], lr=1, max_iter=20, line_search_fn=line_search)

        def closure():
            opt.zero_grad()
            loss = (x * (At @ x)).sum() * 0.5 + (x * b).sum() * -1
            loss.backward()
            return loss
        for _ in range(2):
            loss = opt.step(closure)
        return x, loss, opt
    c, lc, _ = run(npgrad.device("cpu"))
    d, ld, opt = run(cuda)
    assert_on(d, cuda)
    np.testing.assert_allclose(on_host(d), on_host(c), rtol=1e-10)
    np.testing.assert_allclose(on_host(d), np.linalg.solve(A, np.ones(5)), rtol=1e-3)
    for k, v in opt.state[d].items():
        if isinstance(v, npgrad.Tensor) and v.ndim:
            assert_on(v, cuda)


def test_lr_scheduler_with_device_optimizer(cuda):
    ps = _params(cuda)
    opt = optim.SGD(ps, lr=1.0, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for gs in _grads(3):
        for p, g in zip(ps, gs):
            p.grad = npgrad.tensor(g, device=cuda)
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.125
    assert_on(ps[0], cuda)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_on_device(norm_type, cuda):
    grads = _grads(1)[0]
    res = []
    for dev in (npgrad.device("cpu"), cuda):
        ps = _params(dev)
        for p, g in zip(ps, grads):
            p.grad = npgrad.tensor(g, device=dev)
        total = nn.utils.clip_grad_norm_(ps, max_norm=0.5, norm_type=norm_type)
        res.append((total, [p.grad for p in ps]))
    (ct, cg), (dt, dg) = res
    assert_on(dt, cuda)
    np.testing.assert_allclose(on_host(dt), on_host(ct), rtol=1e-12)
    for c, d in zip(cg, dg):
        assert_on(d, cuda)
        np.testing.assert_allclose(on_host(d), on_host(c), rtol=1e-12)


def test_clip_grad_value_and_total_norm_on_device(cuda):
    ps = _params(cuda)
    for p, g in zip(ps, _grads(1)[0]):
        p.grad = npgrad.tensor(g, device=cuda)
    nn.utils.clip_grad_value_(ps, 0.3)
    for p in ps:
        assert_on(p.grad, cuda)
        assert np.abs(on_host(p.grad)).max() <= 0.3
    n = nn.utils.get_total_norm([p.grad for p in ps])
    assert_on(n, cuda)
    flat = np.concatenate([on_host(p.grad).ravel() for p in ps])
    np.testing.assert_allclose(float(n), np.linalg.norm(flat), rtol=1e-12)
    v = nn.utils.parameters_to_vector(ps)
    assert_on(v, cuda)
    nn.utils.vector_to_parameters(v * 2, ps)
    assert_on(ps[0], cuda)
