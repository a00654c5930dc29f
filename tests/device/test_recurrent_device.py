"""RNN, LSTM, GRU, their cells and the fused LSTM sequence on the stand-in device (strictnp as
"cuda"): outputs and gradients stay on the device and equal the CPU's (float64), first and second
order."""
import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import grad as autograd_grad
from npgrad.nn.recurrent_fused import GRUSequence, LSTMSequence

from .conftest import assert_on, on_host

CPU = npgrad.device("cpu")
LAYERS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "bidirectional": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"batch_first": True, "bias": False}),
    ("GRU", {}),
    ("GRU", {"batch_first": True, "bidirectional": True}),
]


def _close(dev_t, cpu_t):
    np.testing.assert_allclose(on_host(dev_t), on_host(cpu_t), rtol=1e-12, atol=1e-12)


def _pair(cls, kw, dev):
    """The same module on the CPU and on ``dev`` (equal weights, float64)."""
    npgrad.manual_seed(0)
    cpu = getattr(nn, cls)(3, 4, dtype=npgrad.float64, **kw)
    on_dev = getattr(nn, cls)(3, 4, dtype=npgrad.float64, **kw)
    on_dev.load_state_dict(cpu.state_dict())
    return cpu, on_dev.to(dev)


def _outputs(out):
    """A layer's or cell's outputs as a flat list of tensors."""
    if isinstance(out, npgrad.Tensor):
        return [out]
    return [t for o in out for t in _outputs(o)]


def _run(m, dev, x, hx=None, create_graph=False):
    xs = npgrad.tensor(x).to(dev).requires_grad_()
    hs = None if hx is None else (tuple(npgrad.tensor(h).to(dev).requires_grad_() for h in hx)
                                  if isinstance(hx, tuple) else npgrad.tensor(hx).to(dev).requires_grad_())
    outs = _outputs(m(xs) if hs is None else m(xs, hs))
    rng = np.random.default_rng(1)
    loss = sum((o * npgrad.tensor(rng.standard_normal(tuple(o.shape))).to(dev)).sum() for o in outs)
    leaves = [xs] + list(m.parameters()) + ([] if hs is None else _outputs(hs))
    grads = autograd_grad(loss, leaves, create_graph=create_graph)
    return outs, grads


@pytest.mark.parametrize("cls,kw", LAYERS, ids=[f"{c}-{'-'.join(k) or 'plain'}" for c, k in LAYERS])
def test_layer_on_device_matches_cpu(cls, kw, cuda):
    cpu, dev = _pair(cls, kw, cuda)
    for p in dev.parameters():
        assert_on(p, cuda)
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    outs_c, grads_c = _run(cpu, CPU, x)
    outs_d, grads_d = _run(dev, cuda, x)
    for d, c in zip(outs_d + list(grads_d), outs_c + list(grads_c)):
        assert_on(d, cuda)
        _close(d, c)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_given_initial_state_and_unbatched_input(cls, cuda):
    cpu, dev = _pair(cls, {}, cuda)
    rng = np.random.default_rng(2)
    h = rng.standard_normal((1, 2, 4))
    hx = (h, rng.standard_normal((1, 2, 4))) if cls == "LSTM" else h
    for x, state in ((rng.standard_normal((5, 2, 3)), hx), (rng.standard_normal((5, 3)), None)):
        outs_c, grads_c = _run(cpu, CPU, x, state)
        outs_d, grads_d = _run(dev, cuda, x, state)
        for d, c in zip(outs_d + list(grads_d), outs_c + list(grads_c)):
            assert_on(d, cuda)
            _close(d, c)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_on_device_match_cpu(cls, cuda):
    cpu, dev = _pair(cls, {}, cuda)
    x = np.random.default_rng(3).standard_normal((2, 3))
    outs_c, grads_c = _run(cpu, CPU, x)
    outs_d, grads_d = _run(dev, cuda, x)
    for d, c in zip(outs_d + list(grads_d), outs_c + list(grads_c)):
        assert_on(d, cuda)
        _close(d, c)


def test_module_made_on_the_device(cuda):
    m = nn.LSTM(3, 4, device=cuda, dtype=npgrad.float64)
    for p in m.parameters():
        assert_on(p, cuda)
    out, (h, c) = m(npgrad.randn(5, 2, 3, dtype=npgrad.float64).to(cuda))
    for t in (out, h, c):
        assert_on(t, cuda)


@pytest.mark.parametrize("with_input_weights", [False, True])
def test_fused_sequence_second_order_on_device(with_input_weights, cuda):
    """create_graph: the gradient is itself differentiable, on the device as on the CPU."""
    rng = np.random.default_rng(4)
    shapes = [(4, 2, 3), (2, 2), (2, 2), (8, 2), (8, 3), (8,), (8,)] if with_input_weights else \
        [(4, 2, 8), (2, 2), (2, 2), (8, 2)]
    _second_order_on_both(LSTMSequence, [0.5 * rng.standard_normal(s) for s in shapes],
                          rng.standard_normal((4, 2, 4)), cuda)


def test_fused_gru_second_order_on_device(cuda):
    rng = np.random.default_rng(5)
    arrays = [0.5 * rng.standard_normal(s) for s in [(4, 2, 3), (2, 2), (6, 2), (6, 3), (6,), (6,)]]
    _second_order_on_both(GRUSequence, arrays, rng.standard_normal((4, 2, 2)), cuda)


def _second_order_on_both(fn, arrays, g, cuda):
    """Output, gradient (with create_graph) and the gradient of its square sum on CPU and device agree."""
    results = []
    for dev in (CPU, cuda):
        args = [npgrad.tensor(a).to(dev).requires_grad_() for a in arrays]
        y = fn.apply(*args)
        first = autograd_grad((y * npgrad.tensor(g).to(dev)).sum(), args, create_graph=True)
        second = autograd_grad(sum((f * f).sum() for f in first), args)
        results.append([y, *first, *second])
    for c, d in zip(*results):
        assert_on(d, cuda)
        _close(d, c)
