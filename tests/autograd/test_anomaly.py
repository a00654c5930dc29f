"""detect_anomaly names the op that first produced nan/inf, in forward and in backward."""
import pytest

import npgrad
from npgrad.autograd import detect_anomaly


def test_forward_names_the_op():
    x = npgrad.tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly():
        with pytest.raises(RuntimeError, match="Log"):
            npgrad.log(x)
        with pytest.raises(RuntimeError, match="Div"):
            npgrad.ones(2) / x
    npgrad.log(x)  # outside: no check


def test_backward_names_the_op():
    x = npgrad.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        y = npgrad.sqrt(x)  # finite forward, infinite derivative at 0
        with pytest.raises(RuntimeError, match="Sqrt.*gradient|gradient.*Sqrt"):
            y.sum().backward()


def test_first_failing_op_is_named():
    x = npgrad.tensor([1.0, -1.0], requires_grad=True)
    with detect_anomaly():
        h = x * 2
        with pytest.raises(RuntimeError, match="Sqrt"):
            (h.sqrt() + 1).exp()


def test_state_restored():
    with detect_anomaly():
        assert npgrad.autograd.is_anomaly_enabled()
    assert not npgrad.autograd.is_anomaly_enabled()
    with pytest.raises(ZeroDivisionError):
        with detect_anomaly():
            1 / 0
    assert not npgrad.autograd.is_anomaly_enabled()
