"""GradScaler and autocast against PyTorch: scaled losses, unscaled gradients, skipped steps on inf, the
scale's backoff and growth, state_dict; autocast as a context and a decorator."""
import warnings

import numpy as np
import pytest

import npgrad


def _train(T, w0, inject_inf_at, clip=False):
    w = T.nn.Parameter(T.tensor(w0))
    opt = T.optim.SGD([w], lr=0.1, momentum=0.9)
    scaler = T.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    seen = []
    for step in range(6):
        opt.zero_grad()
        with T.autocast(device_type="cpu", enabled=False):
            loss = (w ** 2).sum() * (float("inf") if step == inject_inf_at else 1.0)
        scaler.scale(loss).backward()
        if clip:
            scaler.unscale_(opt)
            T.nn.utils.clip_grad_norm_([w], 1.0)
        scaler.step(opt)
        scaler.update()
        seen.append([scaler.get_scale()] + w.detach().numpy().tolist())
    return np.array(seen), scaler.state_dict()


@pytest.mark.parametrize("inject, clip", [(None, False), (2, False), (3, True)])
def test_grad_scaler_matches_torch(torch, inject, clip):
    w0 = np.array([1.0, -2.0, 0.5], np.float32)
    (ours, sd1), (theirs, sd2) = _train(npgrad, w0, inject, clip), _train(torch, w0, inject, clip)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert sd1 == sd2


def test_grad_scaler_stages_and_disabled_use(torch):
    for T in (npgrad, torch):
        w = T.nn.Parameter(T.ones(2))
        opt = T.optim.SGD([w], lr=0.1)
        scaler = T.amp.GradScaler("cpu")
        assert T.equal(scaler.scale(T.ones(2)), T.full((2,), 65536.0))
        scaler.scale(w.sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="already been called"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            scaler.step(opt)
        off = T.amp.GradScaler("cpu", enabled=False)
        assert off.get_scale() == 1.0 and off.state_dict() == {} and off.scale(w) is w


def test_autocast_is_a_context_and_a_decorator():
    assert not npgrad.is_autocast_enabled()
    with npgrad.autocast(device_type="cpu", dtype=npgrad.float16):
        assert npgrad.is_autocast_enabled()
        y = npgrad.ones(2) @ npgrad.ones(2)
    assert y.dtype == npgrad.float32 and not npgrad.is_autocast_enabled()

    @npgrad.amp.autocast("cpu")
    def f(x):
        return npgrad.is_autocast_enabled()

    assert f(1) and not npgrad.is_autocast_enabled()
    with pytest.raises(ValueError):
        npgrad.autocast(npgrad.device("cpu"))


def test_autocast_for_cuda_without_cuda_warns_and_disables_like_torch(monkeypatch):
    import npgrad.amp.autocast_mode as mode
    monkeypatch.setattr(npgrad.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported. Disabling autocast."):
        ctx = npgrad.autocast(device_type="cuda")
    with ctx:
        assert not mode.is_autocast_enabled()


def test_autocast_says_once_that_it_keeps_the_inputs_dtype(monkeypatch):
    import npgrad.amp.autocast_mode as mode
    monkeypatch.setattr(mode, "_told", [])
    with pytest.warns(UserWarning, match="keeps every op in its inputs' dtype"):
        ctx = npgrad.autocast(device_type="cpu")
    with ctx:
        assert mode.is_autocast_enabled()
        a = npgrad.ones(2, 2)
        assert (a @ a).dtype == npgrad.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        npgrad.autocast(device_type="cpu")  # (once only)
