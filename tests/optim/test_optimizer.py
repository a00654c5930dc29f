import copy
import warnings

import numpy as np
import pytest

import npgrad
from ._trajectory import grad_rule, initial, run_npgrad, run_torch


def _params():
    return [npgrad.tensor(a, requires_grad=True) for a in initial()]


def test_constructor_argument_errors():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        npgrad.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        npgrad.optim.SGD(npgrad.zeros(2, requires_grad=True), lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        npgrad.optim.SGD({npgrad.zeros(2, requires_grad=True)}, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is numpy.ndarray"):
        npgrad.optim.SGD([np.zeros(2)], lr=0.1)
    x = npgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        npgrad.optim.SGD([x * 2], lr=0.1)


def test_add_param_group_checks_duplicates_and_fills_defaults():
    a, b = npgrad.zeros(2, requires_grad=True), npgrad.zeros(3, requires_grad=True)
    opt = npgrad.optim.SGD([a], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.9
    assert opt.param_groups[1]["params"] == [b]
    with pytest.warns(UserWarning, match="duplicate parameters"):
        npgrad.optim.SGD([a, a], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([b])


def test_named_parameters_are_accepted():
    model = npgrad.nn.Linear(2, 3)
    opt = npgrad.optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


def test_zero_grad_none_and_zero():
    ps = _params()
    opt = npgrad.optim.Adam(ps)
    for p in ps:
        p.grad = npgrad.ones(*p.shape)
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad._data.any() for p in ps)
    opt.zero_grad()
    assert all(p.grad is None for p in ps)


def test_step_with_closure_returns_its_loss():
    w = npgrad.tensor([2.0], requires_grad=True)
    opt = npgrad.optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    with npgrad.no_grad():  # the closure still records its graph, as in PyTorch
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0


@pytest.mark.parametrize("cls, kw", [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
])
def test_state_dict_round_trip_continues_identically(cls, kw):
    full, _, _ = run_npgrad(cls, kw, steps=12)
    _, opt, params = run_npgrad(cls, kw, steps=5)
    sd = copy.deepcopy(opt.state_dict())
    params2 = [npgrad.tensor(p._data.copy(), requires_grad=True) for p in params]
    opt2 = getattr(npgrad.optim, cls)(params2, **kw)
    opt2.load_state_dict(sd)
    for t in range(5, 12):
        for p, g in zip(params2, grad_rule([p._data for p in params2], t)):
            p.grad = npgrad.tensor(g)
        opt2.step()
        for a, b in zip(params2, full[t]):
            np.testing.assert_array_equal(a._data, b)


def test_state_dict_format_matches_torch(torch):
    kw = dict(lr=0.01, amsgrad=True)
    _, opt, _ = run_npgrad("Adam", kw, steps=2)
    _, topt, _ = run_torch(torch, "Adam", kw, steps=2)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    assert list(sd["state"]) == list(tsd["state"])
    for i in tsd["state"]:
        for k, v in tsd["state"][i].items():
            np.testing.assert_allclose(sd["state"][i][k]._data, v.numpy(), rtol=1e-5, atol=1e-7)


def test_load_state_dict_from_torch_values(torch):
    """A PyTorch optimizer's state (converted to arrays) resumes the same trajectory here."""
    kw = dict(lr=0.01)
    _, topt, tparams = run_torch(torch, "Adam", kw, steps=4)
    tsd = topt.state_dict()
    sd = {"state": {i: {k: npgrad.tensor(v.numpy()) for k, v in st.items()} for i, st in tsd["state"].items()},
          "param_groups": tsd["param_groups"]}
    params = [npgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tparams]
    opt = npgrad.optim.Adam(params, **kw)
    opt.load_state_dict(sd)
    for t in range(4, 8):
        for p, g in zip(params, grad_rule([p._data for p in params], t)):
            p.grad = npgrad.tensor(g)
        for p, g in zip(tparams, grad_rule([p.detach().numpy() for p in tparams], t)):
            p.grad = torch.from_numpy(g)
        opt.step(); topt.step()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=2e-5, atol=2e-6)


def test_load_state_dict_errors():
    opt = npgrad.optim.SGD(_params(), lr=0.1, momentum=0.9)
    other = npgrad.optim.SGD(_params()[:2], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(other.state_dict())
    two = npgrad.optim.SGD([{"params": _params()[:1]}, {"params": _params()[1:]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(two.state_dict())
    ps = _params()
    src = npgrad.optim.SGD(ps, lr=0.1, momentum=0.9)
    for p in ps:
        p.grad = npgrad.ones(*p.shape)
    src.step()
    swapped = [ps[1], ps[0], ps[2]]
    dst = npgrad.optim.SGD([npgrad.tensor(p._data, requires_grad=True) for p in swapped], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"state 'momentum_buffer' of parameter 0 has shape \(5, 4\), but the "
                                         r"parameter has shape \(4,\)"):
        dst.load_state_dict(src.state_dict())


def test_load_state_dict_casts_to_param_dtype_and_copies():
    ps = _params()
    opt = npgrad.optim.Adam(ps)
    for p in ps:
        p.grad = npgrad.ones(*p.shape)
    opt.step()
    sd = opt.state_dict()
    sd64 = {"state": {i: {k: (v.to(npgrad.float64) if k != "step" else v) for k, v in st.items()}
                      for i, st in sd["state"].items()}, "param_groups": sd["param_groups"]}
    opt2 = npgrad.optim.Adam(_params())
    opt2.load_state_dict(sd64)
    st = next(iter(opt2.state.values()))
    assert st["exp_avg"].dtype == npgrad.float32 and st["step"].dtype == npgrad.float32
    assert st["exp_avg"]._data is not sd["state"][0]["exp_avg"]._data


def test_group_lr_changes_take_effect():
    w = npgrad.tensor([1.0], requires_grad=True)
    opt = npgrad.optim.SGD([w], lr=0.1)
    opt.param_groups[0]["lr"] = 0.5
    w.grad = npgrad.tensor([1.0])
    opt.step()
    assert w.item() == 0.5


def test_repr_lists_groups():
    r = repr(npgrad.optim.SGD(_params(), lr=0.1))
    assert r.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1\n" in r


def test_no_graph_is_recorded_and_no_warnings():
    w = npgrad.randn(3, requires_grad=True)
    opt = npgrad.optim.Adam([w])
    (w * 2).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
    assert w.grad_fn is None and w.is_leaf and w.requires_grad


def test_load_state_dict_accepts_numeric_step_and_missing_new_options():
    ps = _params()
    opt = npgrad.optim.Adam(ps, lr=0.01)
    for p in ps:
        p.grad = npgrad.ones(*p.shape)
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    for st in sd["state"].values():
        st["step"] = 1
    del sd["param_groups"][0]["decoupled_weight_decay"]
    opt2 = npgrad.optim.Adam(_params(), lr=0.01)
    opt2.load_state_dict(sd)
    st = next(iter(opt2.state.values()))
    assert st["step"].dtype == npgrad.float32 and float(st["step"]) == 1.0
    assert opt2.param_groups[0]["decoupled_weight_decay"] is False
    for p in opt2.param_groups[0]["params"]:
        p.grad = npgrad.ones(*p.shape)
    opt2.step()
    assert float(st["step"]) == 2.0


def test_user_defined_optimizer_in_pytorch_style():
    import npgrad as torch

    class MomentumSGD(torch.optim.Optimizer):
        def __init__(self, params, lr=0.1, beta=0.9):
            super().__init__(params, dict(lr=lr, beta=beta))

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if "v" not in state:
                        state["v"] = torch.zeros_like(p)
                    state["v"].mul_(group["beta"]).add_(p.grad)
                    p.add_(state["v"], alpha=-group["lr"])

    w = torch.tensor([1.0, -1.0], requires_grad=True)
    ref = torch.tensor([1.0, -1.0], requires_grad=True)
    mine, sgd = MomentumSGD([w]), torch.optim.SGD([ref], lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(mine, step_size=2)
    for _ in range(4):
        for opt, p in ((mine, w), (sgd, ref)):
            opt.zero_grad()
            (p ** 2).sum().backward()
            opt.step()
        sched.step()
        sgd.param_groups[0]["lr"] = mine.param_groups[0]["lr"]
    np.testing.assert_allclose(w._data, ref.detach().numpy(), rtol=1e-6)
    assert list(mine.state_dict()["state"][0]) == ["v"]


@pytest.mark.parametrize("cls, kw, msg", [
    ("SGD", dict(lr="0.1"), "SGD: lr must be a number, got '0.1'"),
    ("Adam", dict(lr=None), "Adam: lr must be a number, got None"),
    ("RMSprop", dict(alpha=[0.9]), "RMSprop: alpha must be a number"),
    ("Adagrad", dict(eps=True), "Adagrad: eps must be a number, got True"),
])
def test_non_numeric_hyperparameters_are_named(cls, kw, msg):
    with pytest.raises(TypeError, match=msg):
        getattr(npgrad.optim, cls)([npgrad.zeros(1, requires_grad=True)], **kw)


def test_betas_must_be_a_pair():
    with pytest.raises(ValueError, match=r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"):
        npgrad.optim.Adam([npgrad.zeros(1, requires_grad=True)], betas=0.9)
