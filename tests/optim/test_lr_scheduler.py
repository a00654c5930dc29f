import copy
import math
import warnings

import numpy as np
import pytest

import npgrad
from npgrad.optim import lr_scheduler as S


def _opts(torch, cls="SGD", **kw):
    """The same two-group optimizer in npgrad and PyTorch."""
    kw = kw or dict(lr=0.1, momentum=0.9)
    ours = getattr(npgrad.optim, cls)([{"params": [npgrad.zeros(2, requires_grad=True)]},
                                      {"params": [npgrad.zeros(3, requires_grad=True)], "lr": 0.02}], **kw)
    theirs = getattr(torch.optim, cls)([{"params": [torch.zeros(2, requires_grad=True)]},
                                        {"params": [torch.zeros(3, requires_grad=True)], "lr": 0.02}], **kw)
    return ours, theirs


def _run(opt, sched, n, metrics=None, key=None):
    seq = []
    for i in range(n):
        opt.step()
        seq.append([(g["lr"], g[key] if key else None) for g in opt.param_groups])
        sched.step(metrics[i]) if metrics is not None else sched.step()
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
    return seq


def _assert_close(a, b):
    np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-12, atol=1e-15)


SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.001)),
    ("ConstantLR", dict(factor=0.25, total_iters=4)),
    ("LinearLR", dict(start_factor=0.1, total_iters=6)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.2, total_iters=4)),
    ("PolynomialLR", dict(total_iters=8, power=2.0)),
    ("PolynomialLR", dict()),
]


@pytest.mark.parametrize("name, kw", SCHEDULES, ids=str)
def test_schedule_matches_torch(torch, name, kw):
    opt, topt = _opts(torch)
    seq = _run(opt, getattr(S, name)(opt, **kw), 25)
    tseq = _run(topt, getattr(torch.optim.lr_scheduler, name)(topt, **kw), 25)
    _assert_close([[x[0] for x in s] for s in seq], [[x[0] for x in s] for s in tseq])


def test_lambda_lr_matches_torch(torch):
    fns = [lambda e: 0.95 ** e, lambda e: 1.0 / (1 + e)]
    opt, topt = _opts(torch)
    seq = _run(opt, S.LambdaLR(opt, fns), 12)
    tseq = _run(topt, torch.optim.lr_scheduler.LambdaLR(topt, fns), 12)
    _assert_close([[x[0] for x in s] for s in seq], [[x[0] for x in s] for s in tseq])
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        S.LambdaLR(opt, [fns[0]])


def test_multiplicative_lr_matches_torch(torch):
    fns = [lambda e: 0.9, lambda e: 1.0 if e % 2 else 0.5]
    opt, topt = _opts(torch)
    seq = _run(opt, S.MultiplicativeLR(opt, fns), 10)
    tseq = _run(topt, torch.optim.lr_scheduler.MultiplicativeLR(topt, fns), 10)
    _assert_close([[x[0] for x in s] for s in seq], [[x[0] for x in s] for s in tseq])
    with pytest.raises(TypeError, match="lr_lambda should be a function, but got int"):
        S.MultiplicativeLR(opt, 3)


def _sequential(lib, opt):
    L = lib.optim.lr_scheduler
    return L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.2, total_iters=3),
                                L.CosineAnnealingLR(opt, T_max=5, eta_min=0.001),
                                L.StepLR(opt, step_size=2, gamma=0.5)], milestones=[3, 8])


def _chained(lib, opt):
    L = lib.optim.lr_scheduler
    return L.ChainedScheduler([L.ConstantLR(opt, factor=0.5, total_iters=3), L.ExponentialLR(opt, gamma=0.9)])


@pytest.mark.parametrize("make", [_sequential, _chained])
def test_combined_schedulers_match_torch(torch, make):
    opt, topt = _opts(torch)
    seq = _run(opt, make(npgrad, opt), 14)
    tseq = _run(topt, make(torch, topt), 14)
    _assert_close([[x[0] for x in s] for s in seq], [[x[0] for x in s] for s in tseq])


def test_combined_scheduler_argument_errors():
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    other = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    a, b = S.StepLR(opt, step_size=2), S.StepLR(other, step_size=2)
    with pytest.raises(ValueError, match="belong to the same optimizer"):
        S.SequentialLR(opt, [a, b], milestones=[2])
    with pytest.raises(ValueError, match="one more than the number of milestone points"):
        S.SequentialLR(opt, [a], milestones=[2])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        S.ChainedScheduler([a, S.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="at least one scheduler"):
        S.ChainedScheduler([])


@pytest.mark.parametrize("name, kw", SCHEDULES, ids=str)
def test_deprecated_epoch_argument_uses_closed_form_like_torch(torch, name, kw):
    opt, topt = _opts(torch)
    s, ts = getattr(S, name)(opt, **kw), getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    opt.step(); topt.step()
    for epoch in [3, 1, 7, 12]:
        with pytest.warns(UserWarning, match="deprecated"):
            s.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ts.step(epoch)
        _assert_close(s.get_last_lr(), ts.get_last_lr())


ONECYCLE = [
    dict(max_lr=1.0, total_steps=30),
    dict(max_lr=[0.5, 0.2], epochs=3, steps_per_epoch=7, anneal_strategy="linear"),
    dict(max_lr=1.0, total_steps=40, three_phase=True, pct_start=0.25),
    dict(max_lr=0.3, total_steps=20, cycle_momentum=False, div_factor=10.0, final_div_factor=100.0),
]


@pytest.mark.parametrize("kw", ONECYCLE, ids=str)
@pytest.mark.parametrize("cls, key", [("SGD", "momentum"), ("Adam", "betas")])
def test_onecycle_matches_torch(torch, kw, cls, key):
    opt, topt = _opts(torch, cls, lr=0.1, **({"momentum": 0.9} if cls == "SGD" else {}))
    n = kw.get("total_steps") or kw["epochs"] * kw["steps_per_epoch"]
    seq = _run(opt, S.OneCycleLR(opt, **kw), n, key=key)
    tseq = _run(topt, torch.optim.lr_scheduler.OneCycleLR(topt, **kw), n, key=key)
    _assert_close([[x[0] for x in s] for s in seq], [[x[0] for x in s] for s in tseq])
    flat = lambda q: [[x[1][0] if isinstance(x[1], tuple) else x[1] for x in s] for s in q]  # noqa: E731
    _assert_close(flat(seq), flat(tseq))


def test_onecycle_rejects_stepping_past_the_end():
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    s = S.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step(); s.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        s.step()


@pytest.mark.parametrize("bad, msg", [
    (dict(max_lr=1.0), "You must define either total_steps OR"),
    (dict(max_lr=1.0, total_steps=0), "Expected positive integer total_steps, but got 0"),
    (dict(max_lr=1.0, total_steps=10, pct_start=1.5), "Expected float between 0 and 1 pct_start"),
    (dict(max_lr=1.0, total_steps=10, anneal_strategy="exp"), "anneal_strategy must be one of"),
    (dict(max_lr=[1.0, 2.0], total_steps=10), "max_lr must have the same length"),
])
def test_onecycle_rejects_bad_arguments(bad, msg):
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=msg):
        S.OneCycleLR(opt, **bad)


PLATEAU = [
    dict(patience=2),
    dict(mode="max", factor=0.5, patience=1, threshold=0.05),
    dict(patience=0, threshold_mode="abs", threshold=0.1, cooldown=2, min_lr=[0.01, 0.005]),
    dict(patience=1, factor=0.2, min_lr=0.003),
]


@pytest.mark.parametrize("kw", PLATEAU, ids=str)
def test_reduce_on_plateau_matches_torch(torch, kw):
    metrics = [1.0, 0.9, 0.95, 0.91, 0.92, 0.89, 0.9, 0.9, 0.9, 0.5, 0.6, 0.7, 0.7, 0.7, 0.7, 0.8, 0.9]
    opt, topt = _opts(torch)
    seq = _run(opt, S.ReduceLROnPlateau(opt, **kw), len(metrics), metrics)
    tseq = _run(topt, torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw), len(metrics), metrics)
    _assert_close([[x[0] for x in s] for s in seq], [[x[0] for x in s] for s in tseq])


def test_reduce_on_plateau_accepts_a_scalar_tensor_metric():
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    s = S.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    s.step(npgrad.tensor(1.0)); s.step(npgrad.tensor(2.0))
    assert s.get_last_lr() == [0.5]


@pytest.mark.parametrize("bad, err, msg", [
    (dict(factor=1.0), ValueError, "Factor should be < 1.0"),
    (dict(mode="median"), ValueError, "mode median is unknown"),
    (dict(threshold_mode="pct"), ValueError, "threshold mode pct is unknown"),
    (dict(min_lr=[0.1, 0.2]), ValueError, "expected 1 min_lrs, got 2"),
])
def test_reduce_on_plateau_rejects_bad_arguments(bad, err, msg):
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(err, match=msg):
        S.ReduceLROnPlateau(opt, **bad)


@pytest.mark.parametrize("make", [
    lambda o: S.StepLR(o, step_size=2, gamma=0.5),
    lambda o: S.MultiStepLR(o, milestones=[3, 6], gamma=0.5),
    lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
    lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20),
    lambda o: S.ReduceLROnPlateau(o, patience=1),
    lambda o: _sequential(npgrad, o),
    lambda o: _chained(npgrad, o),
])
def test_scheduler_state_dict_round_trip_continues_identically(make):
    metrics = [1.0, 1.0, 0.5, 0.6, 0.7, 0.8, 0.4, 0.5, 0.5, 0.5]

    def fresh():
        o = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        return o, make(o)

    def advance(o, s, idx):
        out = []
        for i in idx:
            o.step()
            s.step(metrics[i]) if isinstance(s, S.ReduceLROnPlateau) else s.step()
            out.append(o.param_groups[0]["lr"])
        return out

    o, s = fresh()
    full = advance(o, s, range(10))
    o1, s1 = fresh()
    advance(o1, s1, range(4))
    sd, osd = copy.deepcopy(s1.state_dict()), copy.deepcopy(o1.state_dict())
    o2, s2 = fresh()
    o2.load_state_dict(osd)
    s2.load_state_dict(sd)
    assert advance(o2, s2, range(4, 10)) == full[4:]


def test_step_before_optimizer_step_warns():
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    s = S.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    opt2 = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    s2 = S.StepLR(opt2, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step(); s2.step()


def test_resuming_needs_initial_lr():
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(opt, step_size=2, last_epoch=4)


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        S.StepLR([], step_size=2)
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="step_size must be a positive number, got 0"):
        S.StepLR(opt, step_size=0)


def test_cosine_reaches_eta_min_at_t_max():
    opt = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=1.0)
    s = S.CosineAnnealingLR(opt, T_max=4, eta_min=0.1)
    for _ in range(4):
        opt.step(); s.step()
    assert math.isclose(s.get_last_lr()[0], 0.1)


CYCLIC = [
    dict(base_lr=0.01, max_lr=0.1, step_size_up=3),
    dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=2, step_size_down=5, mode="triangular2"),
    dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.9),
    dict(base_lr=0.01, max_lr=0.1, step_size_up=3, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations"),
]


@pytest.mark.parametrize("kw", CYCLIC, ids=str)
@pytest.mark.parametrize("cls, key", [("SGD", "momentum"), ("Adam", "betas")])
def test_cyclic_lr_matches_torch(torch, kw, cls, key):
    opt, topt = _opts(torch, cls, lr=0.1, **({"momentum": 0.9} if cls == "SGD" else {}))
    seq = _run(opt, S.CyclicLR(opt, **kw), 20, key=key)
    tseq = _run(topt, torch.optim.lr_scheduler.CyclicLR(topt, **kw), 20, key=key)
    _assert_close([[x[0] for x in s] for s in seq], [[x[0] for x in s] for s in tseq])
    flat = lambda q: [[x[1][0] if isinstance(x[1], tuple) else x[1] for x in s] for s in q]  # noqa: E731
    _assert_close(flat(seq), flat(tseq))


def test_cyclic_lr_needs_momentum_to_cycle_it(torch):
    for T in (npgrad, torch):
        opt = T.optim.Adagrad([T.zeros(1, requires_grad=True)])
        with pytest.raises(ValueError, match="momentum"):
            T.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1)
        T.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, cycle_momentum=False)


@pytest.mark.parametrize("kw", [dict(T_0=3), dict(T_0=2, T_mult=2, eta_min=0.001)], ids=str)
def test_cosine_warm_restarts_match_torch(torch, kw):
    opt, topt = _opts(torch)
    s, ts = S.CosineAnnealingWarmRestarts(opt, **kw), torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(topt, **kw)
    _assert_close([x[0] for x in sum(_run(opt, s, 15), [])], [x[0] for x in sum(_run(topt, ts, 15), [])])
    for epoch in [0.5, 2.25, 7.0, 1.0, 13.5]:  # per-batch use: fractional epochs
        s.step(epoch)
        ts.step(epoch)
        _assert_close(s.get_last_lr(), ts.get_last_lr())
    with pytest.raises(ValueError, match="T_0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=0)


def test_schedulers_live_in_lr_scheduler_as_in_torch():
    assert S.StepLR.__module__ == S.__name__ and S.OneCycleLR.__module__ == S.__name__
