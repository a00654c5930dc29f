"""numerical_diff, numerical_gradient, gradcheck and gradgradcheck (public teaching API)."""
import numpy as np
import pytest

import npgrad
from npgrad.autograd import GradcheckError, gradcheck, gradgradcheck, numerical_diff, numerical_gradient


def test_numerical_diff_central_difference():
    assert np.isclose(numerical_diff(lambda x: x ** 3, 2.0), 12.0, rtol=1e-7)
    # central difference: error O(h^2), far better than the forward difference
    f, x, h = np.exp, 1.0, 1e-4
    central = abs(numerical_diff(f, x, h) - np.e)
    forward = abs((f(x + h) - f(x)) / h - np.e)
    assert central < forward / 100
    assert np.isclose(numerical_diff(lambda t: (t * t).sum(), npgrad.tensor([1.0], dtype=npgrad.float64)), 2.0)
    with pytest.raises(ValueError, match="h must be positive"):
        numerical_diff(np.sin, 0.0, h=0)


def test_numerical_gradient_matches_analytic_and_restores_x():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    before = x.copy()
    g = numerical_gradient(lambda a: (np.sin(a) * a).sum(), x)
    np.testing.assert_allclose(g, np.cos(before) * before + np.sin(before), rtol=1e-6)
    np.testing.assert_array_equal(x, before)  # restored exactly
    assert g.shape == x.shape and g.dtype == x.dtype


def test_numerical_gradient_of_tensor_function():
    t = npgrad.tensor([1.0, 2.0, 3.0], dtype=npgrad.float64)
    g = numerical_gradient(lambda a: (a ** 2).sum(), t)
    np.testing.assert_allclose(g, [2.0, 4.0, 6.0], rtol=1e-7)
    assert t.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(TypeError, match="floating-point"):
        numerical_gradient(lambda a: a.sum(), np.array([1, 2]))


def test_gradcheck_passes_on_correct_gradients():
    x = npgrad.randn(3, 4, dtype=npgrad.float64, requires_grad=True)
    y = npgrad.randn(4, dtype=npgrad.float64, requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).tanh(), (x, y)) is True
    assert gradgradcheck(lambda a, b: (a * b).tanh(), (x, y)) is True


class _WrongGrad(npgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x  # should be 2 x g


def test_gradcheck_failure_names_input_element_and_values():
    a = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64)
    x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=npgrad.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda a, x: _WrongGrad.apply(x) + a, (a, x))
    msg = str(e.value)
    assert "input 1" in msg and "(0, 0)" in msg
    assert "numerical: " in msg and "analytical: " in msg
    assert "2.0" in msg and "1.0" in msg  # numerical 2x = 2.0, analytical x = 1.0
    assert gradcheck(lambda x: _WrongGrad.apply(x), (x,), raise_exception=False) is False


def test_gradgradcheck_detects_wrong_second_derivative():
    class ConstGrad(npgrad.autograd.Function):  # first derivative right, but not differentiable
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * npgrad.tensor(3 * x._data ** 2)  # cut off from the graph

    x = npgrad.tensor([0.5, 1.5], dtype=npgrad.float64, requires_grad=True)
    assert gradcheck(ConstGrad.apply, (x,))
    assert gradgradcheck(ConstGrad.apply, (x,), raise_exception=False) is False


def test_gradcheck_argument_errors():
    with pytest.raises(ValueError, match="requires? grad"):
        gradcheck(lambda a: a * 2, (npgrad.ones(2, dtype=npgrad.float64),))
    with pytest.warns(UserWarning, match="float64"):
        gradcheck(lambda a: a * 2, (npgrad.ones(2, requires_grad=True),), eps=1e-2, atol=1e-2, rtol=1e-2)


def test_gradcheck_multiple_outputs():
    x = npgrad.randn(3, dtype=npgrad.float64, requires_grad=True)
    assert gradcheck(lambda a: (a.exp(), a.sin() * 2), (x,))
