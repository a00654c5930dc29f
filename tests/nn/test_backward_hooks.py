"""Module backward hooks (register_full_backward_hook / _pre_hook) and is_inference_mode_enabled, against PyTorch."""
import numpy as np
import pytest

import npgrad


class Two:
    """A module of two inputs, built for either framework."""

    @staticmethod
    def make(T):
        class M(T.nn.Module):
            def forward(self, a, b, scale):
                return a * b * scale
        return M()


def _run(T, x, w, hook_kind):
    lin = T.nn.Linear(3, 2)
    with T.no_grad():
        lin.weight.copy_(T.tensor(w))
        lin.bias.zero_()
    seen = []
    if hook_kind == "record":
        lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    elif hook_kind == "replace":
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
    elif hook_kind == "pre":
        lin.register_full_backward_pre_hook(lambda m, go: (go[0] * -2,))
    xt = T.tensor(x, requires_grad=True)
    (lin(xt) ** 2).sum().backward()
    return seen, xt.grad, lin.weight.grad


@pytest.mark.parametrize("kind", ["record", "replace", "pre"])
def test_hooks_see_and_replace_gradients_as_torch(torch, rng, kind):
    x = rng.standard_normal((4, 3)).astype(np.float32)
    w = rng.standard_normal((2, 3)).astype(np.float32)
    (s1, gx1, gw1), (s2, gx2, gw2) = _run(npgrad, x, w, kind), _run(torch, x, w, kind)
    np.testing.assert_allclose(gx1.numpy(), gx2.numpy(), rtol=1e-5)
    np.testing.assert_allclose(gw1.numpy(), gw2.numpy(), rtol=1e-5)
    assert len(s1) == len(s2)
    for (gi1, go1), (gi2, go2) in zip(s1, s2):
        assert len(gi1) == len(gi2) and len(go1) == len(go2)
        np.testing.assert_allclose(gi1[0].numpy(), gi2[0].numpy(), rtol=1e-5)
        np.testing.assert_allclose(go1[0].numpy(), go2[0].numpy(), rtol=1e-5)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_inputs_without_grad_give_none_and_several_inputs_all_arrive(torch, rng):
    a = rng.standard_normal(3).astype(np.float32)
    for T in (npgrad, torch):
        seen = []
        lin = T.nn.Linear(3, 1)
        lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
        lin(T.tensor(a)).sum().backward()
        assert seen[0][0] == (None,) and tuple(seen[0][1][0].shape) == (1,)
        m = Two.make(T)
        m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
        x, y = T.tensor(a, requires_grad=True), T.tensor(a * 2, requires_grad=True)
        m(x, y, 3.0).sum().backward()
        gi = seen[1][0]
        assert len(gi) == 3 and gi[2] is None
        if T is npgrad:
            ours = [gi[0].numpy(), gi[1].numpy()]
        else:
            np.testing.assert_allclose(ours[0], gi[0].numpy())
            np.testing.assert_allclose(ours[1], gi[1].numpy())


def test_removed_hooks_and_no_grad_calls_do_not_run():
    lin = npgrad.nn.Linear(2, 2)
    calls = []
    h = lin.register_full_backward_hook(lambda *a: calls.append(1))
    with npgrad.no_grad():
        lin(npgrad.ones(2))
    h.remove()
    lin(npgrad.ones(2, requires_grad=True)).sum().backward()
    assert calls == []


def test_is_inference_mode_enabled_nests_as_torch(torch):
    for T in (npgrad, torch):
        states = [T.is_inference_mode_enabled()]
        with T.inference_mode():
            states.append(T.is_inference_mode_enabled())
            with T.inference_mode(False):
                states.append(T.is_inference_mode_enabled())
            states.append(T.is_inference_mode_enabled())
        with T.no_grad():
            states.append(T.is_inference_mode_enabled())
        assert states == [False, True, False, True, False]
