"""Higher-order derivatives: create_graph, grad of grad, Hessian-vector products vs PyTorch.
(The op table runs gradgradcheck on every op marked ``gg``.)"""
import numpy as np
import pytest

import npgrad
from npgrad.autograd import grad

# (f, f', f'') by hand, checked at several points
HAND = [
    ("x**3", lambda x: x ** 3, lambda x: 3 * x ** 2, lambda x: 6 * x),
    ("exp", lambda x: x.exp(), lambda x: np.exp(x), lambda x: np.exp(x)),
    ("sin", lambda x: x.sin(), lambda x: np.cos(x), lambda x: -np.sin(x)),
    ("tanh", lambda x: x.tanh(), lambda x: 1 - np.tanh(x) ** 2,
     lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    ("log", lambda x: x.log(), lambda x: 1 / x, lambda x: -1 / x ** 2),
    ("1/x", lambda x: 1 / x, lambda x: -1 / x ** 2, lambda x: 2 / x ** 3),
    ("sigmoid", lambda x: x.sigmoid(), lambda x: _sig(x) * (1 - _sig(x)),
     lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x))),
    ("x*exp(x)", lambda x: x * x.exp(), lambda x: (1 + x) * np.exp(x), lambda x: (2 + x) * np.exp(x)),
]


def _sig(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("f,d1,d2", [h[1:] for h in HAND], ids=[h[0] for h in HAND])
def test_second_derivative_by_hand(f, d1, d2):
    pts = np.array([0.3, 1.2, 2.5])
    x = npgrad.tensor(pts, dtype=npgrad.float64, requires_grad=True)
    (g,) = grad(f(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g._data, d1(pts), rtol=1e-10)
    (gg,) = grad(g.sum(), x)
    np.testing.assert_allclose(gg._data, d2(pts), rtol=1e-10)


def test_third_derivative():
    x = npgrad.tensor(2.0, dtype=npgrad.float64, requires_grad=True)
    y = x ** 4
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1, x, create_graph=True)
    (g3,) = grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == (32.0, 48.0, 48.0)


def test_second_derivative_of_0dim_unary_op():
    x = npgrad.tensor(0.5, dtype=npgrad.float64, requires_grad=True)
    (g,) = grad(x.sigmoid(), x, create_graph=True)
    (gg,) = grad(g, x)
    s = _sig(0.5)
    assert np.isclose(gg.item(), s * (1 - s) * (1 - 2 * s))


def test_second_derivative_of_0dim_saved_output():
    x = npgrad.tensor(1.0, dtype=npgrad.float64, requires_grad=True)
    (g,) = grad(npgrad.exp(x), x, create_graph=True)
    (gg,) = grad(g, x)
    assert np.isclose(gg.item(), np.e)


def test_hessian_vector_product_matches_torch(torch):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3))
    xin = rng.standard_normal((5, 4))
    v0 = rng.standard_normal((4, 3))
    res = []
    for T in (npgrad, torch):
        w = T.tensor(w0, requires_grad=True)
        x = T.tensor(xin)
        loss = ((x @ w).tanh() ** 2).mean() + (w * w).sum() * 0.1 + (x @ w).logsumexp(1).mean()
        (g,) = T.autograd.grad(loss, w, create_graph=True)
        (hv,) = T.autograd.grad((g * T.tensor(v0)).sum(), w)
        res.append((np.asarray(g.detach().numpy()), np.asarray(hv.numpy() if T is torch else hv._data)))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-8, atol=1e-10)


def test_gradient_penalty_style_double_backward():
    # loss that depends on a gradient: d/dw ||d(w.x)/dx||^2 = 2 w
    w = npgrad.tensor([1.0, -2.0], dtype=npgrad.float64, requires_grad=True)
    x = npgrad.tensor([0.5, 0.5], dtype=npgrad.float64, requires_grad=True)
    (gx,) = grad((w * x).sum(), x, create_graph=True)
    (gx * gx).sum().backward()
    assert w.grad.tolist() == [2.0, -4.0]


def test_functional_hessian_and_jacobian():
    F = npgrad.autograd.functional
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64)
    J = F.jacobian(lambda t: t ** 2, x)
    np.testing.assert_allclose(J._data, np.diag([2.0, 4.0]))
    H = F.hessian(lambda t: (t ** 3).sum(), x)
    np.testing.assert_allclose(H._data, np.diag([6.0, 12.0]))
