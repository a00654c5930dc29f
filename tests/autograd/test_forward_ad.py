"""Forward mode (dual numbers): jvp equals the reverse-mode vector-Jacobian route J @ v."""
import numpy as np
import pytest

import npgrad
import npgrad.autograd.forward_ad as fwAD

FNS = [
    ("poly", lambda x: x * x * 3 + x),
    ("trig", lambda x: x.sin() * x.cos() + x.tanh()),
    ("exp_log", lambda x: (x.exp() + 1).log() / (x * x + 1).sqrt()),
    ("sigmoid_pow", lambda x: x.sigmoid() ** 2 - 1 / (x.abs() + 1)),
    ("reduce", lambda x: x.sum(1, keepdim=True) * x + (x.reshape(2, 6).T * 2).reshape(3, 4)),
    ("matmul", lambda x: x @ x.T.sin()),
    ("shape", lambda x: npgrad.cat([x.permute(1, 0)[:2], x.T[1:3] * 2], 0).expand(2, 4, 3)),
    ("clamp_max", lambda x: npgrad.maximum(x.clamp(-0.5, 0.5), x * 0.1) + npgrad.where(x > 0, x, -x)),
]


def _jacobian_via_reverse(f, x0, v):
    x = npgrad.tensor(x0, requires_grad=True)
    y = f(x)
    out = np.zeros(y.shape)
    flat = out.reshape(-1)
    for k in range(flat.size):
        go = np.zeros(y.shape)
        go.reshape(-1)[k] = 1
        (g,) = npgrad.autograd.grad(y, x, npgrad.tensor(go), retain_graph=True)
        flat[k] = (g._data * v).sum()
    return y.detach()._data, out


@pytest.mark.parametrize("f", [f[1] for f in FNS], ids=[f[0] for f in FNS])
def test_jvp_matches_reverse_mode(f):
    rng = np.random.default_rng(3)
    x0, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    primal, tangent = fwAD.jvp(f, npgrad.tensor(x0), npgrad.tensor(v))
    y, jv = _jacobian_via_reverse(f, x0, v)
    np.testing.assert_allclose(primal._data, y, rtol=1e-12)
    np.testing.assert_allclose(tangent._data, jv, rtol=1e-9, atol=1e-12)


def test_make_dual_unpack_dual():
    with fwAD.dual_level():
        x = fwAD.make_dual(npgrad.tensor(2.0), npgrad.tensor(1.0))
        y = x * x + x.sin()
        p, t = fwAD.unpack_dual(y)
        assert np.isclose(p.item(), 4 + np.sin(2.0)) and np.isclose(t.item(), 4 + np.cos(2.0))
        assert fwAD.unpack_dual(npgrad.tensor(1.0)).tangent is None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_jvp_matches_torch(torch):
    x0 = np.array([0.5, -1.0, 2.0])
    v = np.array([1.0, 0.5, -2.0])
    ours = fwAD.jvp(lambda x: (x.exp() * x).tanh(), npgrad.tensor(x0), npgrad.tensor(v))
    import torch.autograd.forward_ad as tfw
    with tfw.dual_level():
        d = tfw.make_dual(torch.tensor(x0), torch.tensor(v))
        tt = tfw.unpack_dual((d.exp() * d).tanh()).tangent
    np.testing.assert_allclose(ours[1]._data, tt.numpy(), rtol=1e-12)


def test_multiple_inputs():
    a, b = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64), npgrad.tensor([3.0, 4.0], dtype=npgrad.float64)
    _, t = fwAD.jvp(lambda a, b: a * b, (a, b), (npgrad.ones(2, dtype=npgrad.float64),
                                                  npgrad.zeros(2, dtype=npgrad.float64)))
    assert t.tolist() == [3.0, 4.0]


def test_errors():
    with pytest.raises(RuntimeError, match="dual_level"):
        fwAD.make_dual(npgrad.tensor(1.0), npgrad.tensor(1.0))
    with fwAD.dual_level():
        with pytest.raises(ValueError, match="shape"):
            fwAD.make_dual(npgrad.ones(2), npgrad.ones(3))
