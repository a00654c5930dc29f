"""RNN/LSTM/GRU and their cells: hand-written step formulas, gradcheck, PyTorch (weights via state_dict)."""
import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
from npgrad.autograd import gradcheck


def _np(t):
    return t.detach().numpy()


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _params(m):
    return {k: _np(v) for k, v in m.named_parameters()}


def test_lstm_matches_hand_written_formulas(rng):
    m = nn.LSTM(3, 4).double()
    p = _params(m)
    x = rng.standard_normal((5, 2, 3))
    h = c = np.zeros((2, 4))
    outs = []
    for t in range(5):
        z = x[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T + p["bias_hh_l0"]
        i, f, g, o = np.split(z, 4, axis=1)  # PyTorch's gate order i, f, g, o
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        h = _sig(o) * np.tanh(c)
        outs.append(h)
    out, (hn, cn) = m(npgrad.tensor(x))
    np.testing.assert_allclose(_np(out), np.stack(outs), atol=1e-12)
    np.testing.assert_allclose(_np(hn)[0], h, atol=1e-12)
    np.testing.assert_allclose(_np(cn)[0], c, atol=1e-12)


def test_gru_matches_hand_written_formulas(rng):
    m = nn.GRU(3, 4).double()
    p = _params(m)
    x = rng.standard_normal((4, 2, 3))
    h = rng.standard_normal((2, 4))
    h0 = h.copy()
    for t in range(4):
        xr, xz, xn = np.split(x[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"], 3, axis=1)
        hr, hz, hn = np.split(h @ p["weight_hh_l0"].T + p["bias_hh_l0"], 3, axis=1)
        r, z = _sig(xr + hr), _sig(xz + hz)
        n = np.tanh(xn + r * hn)  # r multiplies (W_hn h + b_hn)
        h = (1 - z) * n + z * h
    out, hn_ = m(npgrad.tensor(x), npgrad.tensor(h0[None]))
    np.testing.assert_allclose(_np(hn_)[0], h, atol=1e-12)


def test_rnn_relu_reverse_direction(rng):
    m = nn.RNN(2, 3, nonlinearity="relu", bidirectional=True, bias=False).double()
    p = _params(m)
    x = rng.standard_normal((4, 1, 2))
    h = np.zeros((1, 3))
    rev = [None] * 4
    for t in reversed(range(4)):
        h = np.maximum(x[t] @ p["weight_ih_l0_reverse"].T + h @ p["weight_hh_l0_reverse"].T, 0)
        rev[t] = h
    out, hn = m(npgrad.tensor(x))
    np.testing.assert_allclose(_np(out)[:, :, 3:], np.stack(rev), atol=1e-12)
    np.testing.assert_allclose(_np(hn)[1], rev[0], atol=1e-12)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_gradcheck_inputs_states_and_parameters(name, rng):
    m = getattr(nn, name)(2, 3, num_layers=2, bidirectional=True).double()
    x = npgrad.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    h0 = npgrad.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)
    params = list(m.parameters())
    names = [k for k, _ in m.named_parameters()]

    def f(x, h0, *ps):
        return _functional(m, names, ps, x, h0, name)

    assert gradcheck(f, (x, h0) + tuple(params))


def _functional(m, names, ps, x, h0, name):
    """Run ``m`` with its parameters replaced by the tensors ``ps`` (so gradcheck can perturb them)."""
    saved = {k: m._parameters[k] for k in names}
    try:
        for k, p in zip(names, ps):
            m._parameters[k] = p
        out, h = m(x, (h0, h0 * 0.5) if name == "LSTM" else h0)
        hn = h[0] + h[1] if name == "LSTM" else h
        return (out * out).sum() + hn.sum()
    finally:
        m._parameters.update(saved)


CASES = [
    ("RNN", dict(num_layers=2, bidirectional=True), (5, 3, 4), True),
    ("RNN", dict(nonlinearity="relu", batch_first=True), (3, 5, 4), False),
    ("LSTM", dict(num_layers=2, batch_first=True, bidirectional=True), (3, 5, 4), True),
    ("LSTM", dict(bias=False), (5, 4), True),
    ("GRU", dict(num_layers=2, bidirectional=True), (5, 3, 4), True),
    ("GRU", dict(batch_first=True), (3, 5, 4), False),
    ("GRU", dict(num_layers=3), (6, 4), False),
]


@pytest.mark.parametrize("name, kw, xs, with_h0", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_pytorch(torch, name, kw, xs, with_h0, dtype, rng):
    tm = getattr(torch.nn, name)(4, 6, **kw).to(getattr(torch, dtype))
    m = getattr(nn, name)(4, 6, **kw).to(getattr(npgrad, dtype))
    assert list(m.state_dict()) == list(tm.state_dict())
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = rng.standard_normal(xs).astype(dtype)
    xn, xt = npgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    d = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    hs = (d, 6) if len(xs) == 2 else (d, xs[0] if kw.get("batch_first") else xs[1], 6)
    args_n, args_t = [], []
    if with_h0:
        states = [rng.standard_normal(hs).astype(dtype) for _ in range(2 if name == "LSTM" else 1)]
        sn = [npgrad.tensor(s, requires_grad=True) for s in states]
        st = [torch.tensor(s, requires_grad=True) for s in states]
        args_n, args_t = ([tuple(sn)], [tuple(st)]) if name == "LSTM" else (sn, st)
    y, hn = m(xn, *args_n)
    yt, hnt = tm(xt, *args_t)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(y), yt.detach().numpy(), **tol)
    hn, hnt = (hn if name == "LSTM" else (hn,)), (hnt if name == "LSTM" else (hnt,))
    for a, b in zip(hn, hnt):
        np.testing.assert_allclose(_np(a), b.detach().numpy(), **tol)
    loss = (y * y).sum() + sum((a * (i + 2)).sum() for i, a in enumerate(hn))
    loss_t = (yt * yt).sum() + sum((a * (i + 2)).sum() for i, a in enumerate(hnt))
    loss.backward()
    loss_t.backward()
    np.testing.assert_allclose(_np(xn.grad), xt.grad.numpy(), **tol)
    for (k, p), (_, pt) in zip(m.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(_np(p.grad), pt.grad.numpy(), err_msg=k, **tol)
    if with_h0:
        for a, b in zip(sn, st):
            np.testing.assert_allclose(_np(a.grad), b.grad.numpy(), **tol)
    assert y.dtype == getattr(npgrad, dtype)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_pytorch(torch, name, rng):
    tm = getattr(torch.nn, name)(4, 5).double()
    m = getattr(nn, name)(4, 5).double()
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = rng.standard_normal((3, 4))
    h = rng.standard_normal((3, 5))
    hx_n = (npgrad.tensor(h), npgrad.tensor(h * 2)) if name == "LSTMCell" else npgrad.tensor(h)
    hx_t = (torch.tensor(h), torch.tensor(h * 2)) if name == "LSTMCell" else torch.tensor(h)
    xn, xt = npgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = m(xn, hx_n), tm(xt, hx_t)
    y, yt = (y[0] * y[1], yt[0] * yt[1]) if name == "LSTMCell" else (y, yt)
    np.testing.assert_allclose(_np(y), yt.detach().numpy(), atol=1e-12)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(_np(xn.grad), xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(_np(m.weight_hh.grad), tm.weight_hh.grad.numpy(), atol=1e-12)
    # unbatched input and the zero default state
    y1 = m(npgrad.tensor(x[0]))
    y1t = tm(torch.tensor(x[0]))
    y1, y1t = (y1[1], y1t[1]) if name == "LSTMCell" else (y1, y1t)
    np.testing.assert_allclose(_np(y1), y1t.detach().numpy(), atol=1e-12)


def test_unbatched_sequence_and_dropout_between_layers(rng):
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5).double()
    x = npgrad.tensor(rng.standard_normal((6, 3)))
    m.eval()
    out, h = m(x)
    assert out.shape == (6, 4) and h.shape == (2, 4)
    out2, _ = m(x)
    np.testing.assert_array_equal(_np(out), _np(out2))  # eval: no dropout
    m.train()
    outs = [_np(m(x)[0]) for _ in range(3)]
    assert not np.allclose(outs[0], outs[1])  # train: dropout between the layers


def test_repr_and_parameter_names():
    m = nn.LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)
    assert repr(m) == "LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)"
    assert [k for k, _ in m.named_parameters()][:5] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse"]
    assert m.weight_ih_l1.shape == (80, 40) and m.weight_hh_l1_reverse.shape == (80, 20)
    assert nn.GRU(3, 5).weight_ih_l0.shape == (15, 3)
    bound = 1 / np.sqrt(20)
    assert all(np.abs(_np(p)).max() <= bound for p in m.parameters())


def test_errors_name_layer_and_shapes():
    with pytest.raises(ValueError, match=r"LSTM\(hidden_size=0\)"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match=r"RNN\(nonlinearity='sigmoid'\)"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"GRU\(dropout=2\)"):
        nn.GRU(3, 4, dropout=2)
    m = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(RuntimeError, match=r"LSTM\(3, 4, num_layers=2\): input.size\(-1\) must be equal to "
                                           r"input_size=3.*\(5, 2, 7\)"):
        m(npgrad.randn(5, 2, 7))
    with pytest.raises(ValueError, match=r"LSTM\(3, 4, num_layers=2\): expected input to be 2D.*4D"):
        m(npgrad.randn(5, 2, 3, 1))
    with pytest.raises(RuntimeError, match=r"expected h_0 of shape \(2, 2, 4\), got \(1, 2, 4\)"):
        m(npgrad.randn(5, 2, 3), (npgrad.zeros(1, 2, 4), npgrad.zeros(2, 2, 4)))
    with pytest.raises(RuntimeError, match=r"GRUCell\(3, 4\): input has inconsistent input_size: got 5"):
        nn.GRUCell(3, 4)(npgrad.randn(2, 5))
