"""Activations: one table drives module vs PyTorch (forward, backward), float64 gradcheck, gradgradcheck,
dtype preservation and behaviour at extreme inputs."""
import math

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck

# (name, our module factory, torch module factory by name, kwargs, has second derivative worth checking)
ACTS = [
    ("ReLU", {}, False), ("ReLU6", {}, False), ("LeakyReLU", {"negative_slope": 0.2}, False),
    ("ELU", {"alpha": 0.7}, True), ("SELU", {}, True), ("CELU", {"alpha": 1.5}, True),
    ("GELU", {}, True), ("GELU", {"approximate": "tanh"}, True), ("SiLU", {}, True), ("Mish", {}, True),
    ("Softplus", {"beta": 2.0, "threshold": 5.0}, True), ("Softsign", {}, True), ("Sigmoid", {}, True),
    ("Tanh", {}, True), ("LogSigmoid", {}, True), ("Hardtanh", {"min_val": -0.5, "max_val": 1.5}, False),
    ("Hardsigmoid", {}, False), ("Hardswish", {}, False), ("Threshold", {"threshold": 0.1, "value": 2.0}, False),
    ("Tanhshrink", {}, True), ("Softmax", {"dim": 1}, True), ("LogSoftmax", {"dim": 1}, True),
    ("Softmin", {"dim": 0}, True), ("Softmax", {"dim": -1}, True), ("PReLU", {"num_parameters": 3}, False),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw, _ in ACTS]


def _input(rng, dtype=np.float32):
    # away from the kinks at 0, +-0.5, +-1.5, +-3, 0.1 so that central differences are valid
    x = rng.uniform(-4, 4, (4, 3, 5))
    for k in (0.0, 0.1, 0.5, 1.5, 3.0, -0.5, -1.5, -3.0):
        x[np.abs(x - k) < 0.02] += 0.05
    return x.astype(dtype)


@pytest.mark.parametrize("name,kw,_", ACTS, ids=IDS)
def test_module_vs_torch(torch, rng, name, kw, _):
    from .nn_helpers import compare_module
    ours, theirs = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(ours) == repr(theirs)
    compare_module(torch, ours, theirs, _input(rng), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kw,second", ACTS, ids=IDS)
def test_gradcheck(rng, name, kw, second):
    m = getattr(nn, name)(**kw).double()
    x = npgrad.tensor(_input(rng, np.float64)[:2, :, :2], requires_grad=True)
    params = list(m.parameters())
    assert gradcheck(lambda x, *p: m(x), (x, *params))
    if second:
        assert gradgradcheck(lambda x: m(x), (x,))


@pytest.mark.parametrize("name,kw,_", ACTS, ids=IDS)
def test_float32_stays_float32_and_extremes_finite(rng, name, kw, _):
    m = getattr(nn, name)(**kw)
    x = npgrad.tensor(np.array([[-1e4, -300.0, 0.0], [300.0, 1e4, 3.0]], np.float32).repeat(1, 0),
                      requires_grad=True)
    x3 = x.reshape(2, 3, 1) if name == "PReLU" else x
    out = m(x3)
    assert out.dtype == npgrad.float32
    assert np.isfinite(out._data).all()
    out.sum().backward()
    assert x.grad.dtype == npgrad.float32 and np.isfinite(x.grad._data).all()


def test_functional_names_and_defaults(torch, rng):
    x = _input(rng)
    tx, nx = torch.tensor(x), npgrad.tensor(x)
    tf = torch.nn.functional
    pairs = [
        (F.relu(nx), tf.relu(tx)), (F.relu6(nx), tf.relu6(tx)), (F.leaky_relu(nx), tf.leaky_relu(tx)),
        (F.elu(nx), tf.elu(tx)), (F.gelu(nx), tf.gelu(tx)), (F.silu(nx), tf.silu(tx)),
        (F.softplus(nx), tf.softplus(tx)), (F.sigmoid(nx), tf.sigmoid(tx)), (F.tanh(nx), tf.tanh(tx)),
        (F.hardtanh(nx), tf.hardtanh(tx)), (F.threshold(nx, 1.0, -1.0), tf.threshold(tx, 1.0, -1.0)),
        (F.logsigmoid(nx), tf.logsigmoid(tx)), (F.mish(nx), tf.mish(tx)), (F.selu(nx), tf.selu(tx)),
        (F.celu(nx), tf.celu(tx)), (F.softsign(nx), tf.softsign(tx)), (F.hardswish(nx), tf.hardswish(tx)),
        (F.hardsigmoid(nx), tf.hardsigmoid(tx)), (F.softmax(nx, 2), tf.softmax(tx, 2)),
        (F.log_softmax(nx, 0), tf.log_softmax(tx, 0)), (F.softmin(nx, 1), tf.softmin(tx, 1)),
        (nx.softmax(-1), tx.softmax(-1)), (nx.log_softmax(1), tx.log_softmax(1)),
        (F.prelu(nx, npgrad.tensor([0.1, 0.2, 0.3])), tf.prelu(tx, torch.tensor([0.1, 0.2, 0.3]))),
        (F.erf(nx), torch.erf(tx)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours._data, theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_inplace_variants(torch, rng):
    x = _input(rng)
    for fn, tfn in [(F.relu, torch.nn.functional.relu), (F.leaky_relu, torch.nn.functional.leaky_relu),
                    (F.elu, torch.nn.functional.elu), (F.hardtanh, torch.nn.functional.hardtanh)]:
        a = npgrad.tensor(x)
        r = fn(a, inplace=True)
        assert r is a
        np.testing.assert_allclose(a._data, tfn(torch.tensor(x)).numpy(), rtol=1e-6, atol=1e-7)
    # inplace inside a graph: gradients still correct
    w = npgrad.tensor(x, requires_grad=True)
    h = w * 2
    nn.ReLU(inplace=True)(h).sum().backward()
    np.testing.assert_array_equal(w.grad._data, 2.0 * (x > 0))


def test_softmax_stable_for_huge_logits():
    x = npgrad.tensor([[1000.0, 0.0, -1000.0], [-1e30, -1e30, -1e30]], requires_grad=True)
    p = F.softmax(x, dim=1)
    np.testing.assert_allclose(p._data, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)
    lp = F.log_softmax(x, dim=1)
    np.testing.assert_allclose(lp._data[0], [0.0, -1000.0, -2000.0])
    (lp[0, 1] + p[0, 0]).backward()
    assert np.isfinite(x.grad._data).all()
    np.testing.assert_allclose(x.grad._data[0], [-1.0, 1.0, 0.0], atol=1e-7)


def test_softmax_temperature(torch, rng):
    x = rng.standard_normal((3, 5)).astype(np.float32)
    for T in (0.5, 1.0, 4.0):
        np.testing.assert_allclose(F.softmax(npgrad.tensor(x), 1, temperature=T)._data,
                                   torch.softmax(torch.tensor(x) / T, 1).numpy(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(F.log_softmax(npgrad.tensor(x), 1, temperature=T)._data,
                                   torch.log_softmax(torch.tensor(x) / T, 1).numpy(), rtol=1e-5, atol=1e-6)
    high = F.softmax(npgrad.tensor(x), 1, temperature=1e6)._data
    np.testing.assert_allclose(high, np.full((3, 5), 0.2), atol=1e-5)
    low = F.softmax(npgrad.tensor(x), 1, temperature=1e-4)._data
    np.testing.assert_array_equal(low.argmax(1), x.argmax(1))
    assert np.allclose(low.max(1), 1.0)
    xt = npgrad.tensor(x.astype(np.float64), requires_grad=True)
    assert gradcheck(lambda t: F.softmax(t, 1, temperature=2.5), (xt,))
    m = nn.Softmax(dim=1, temperature=2.0)
    assert repr(m) == "Softmax(dim=1, temperature=2.0)"
    np.testing.assert_allclose(m(npgrad.tensor(x))._data, torch.softmax(torch.tensor(x) / 2, 1).numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="temperature must be positive"):
        F.softmax(npgrad.tensor(x), 1, temperature=0)


def test_softmax_implicit_dim_warns(torch):
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(npgrad.tensor(x))
    with pytest.warns(UserWarning):
        ref = torch.nn.functional.softmax(torch.tensor(x))
    np.testing.assert_allclose(out._data, ref.numpy(), rtol=1e-6)


def test_step_and_sign_for_mcculloch_pitts():
    x = npgrad.tensor([-2.0, -0.0, 0.0, 0.5, float("inf")], requires_grad=True)
    s = F.step(x)
    np.testing.assert_array_equal(s._data, [0, 1, 1, 1, 1])
    np.testing.assert_array_equal(F.step(x, low=-1.0)._data, [-1, 1, 1, 1, 1])
    np.testing.assert_array_equal(F.step(x, threshold=1.0)._data, [0, 0, 0, 0, 1])
    (s.sum() + F.sign(x).sum()).backward()
    np.testing.assert_array_equal(x.grad._data, np.zeros(5))  # zero, not None, not nan
    np.testing.assert_array_equal(F.sign(x)._data, np.sign(x._data))
    assert repr(nn.Step(low=-1.0)) == "Step(threshold=0.0, low=-1.0, high=1.0)"
    # an M-P neuron: weighted sum against a threshold
    w, b = npgrad.tensor([1.0, 1.0]), -1.5
    inputs = npgrad.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_array_equal(nn.Step()(inputs @ w + b)._data, [0, 0, 0, 1])  # logical AND


def test_relu_gradient_at_zero_is_zero():
    x = npgrad.tensor([0.0, 1.0, -1.0], requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [0.0, 1.0, 0.0])


def test_gelu_formula(rng):
    x = rng.standard_normal(20)
    expected = 0.5 * x * (1 + np.array([math.erf(v / math.sqrt(2)) for v in x]))
    np.testing.assert_allclose(F.gelu(npgrad.tensor(x))._data, expected, rtol=1e-12)


def test_bad_arguments():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU(approximate="fast")
    with pytest.raises(ValueError, match="max_val must be greater"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError, match="num_parameters"):
        nn.PReLU(0)
    with pytest.raises(RuntimeError, match=r"prelu: the number of weights \(3\).*channels \(2\)"):
        nn.PReLU(3)(npgrad.ones(4, 2))
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(npgrad.ones(2, 3), dim=2)
    with pytest.raises(TypeError, match="must be a Tensor"):
        F.relu([1.0, 2.0])


def test_softmax_of_a_scalar(torch):
    x = npgrad.tensor(2.0, requires_grad=True)
    assert F.softmax(x, 0).item() == torch.softmax(torch.tensor(2.0), 0).item() == 1.0
    assert F.log_softmax(x, 0).item() == 0.0
    F.softmax(x, 0).backward()
    assert x.grad.item() == 0.0
