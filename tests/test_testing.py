"""npgrad.testing.check_against_torch."""
import sys

import numpy as np
import pytest

from npgrad.testing import check_against_torch


def test_same_function_agrees(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    w = rng.standard_normal((4, 2)).astype(np.float32)
    res = check_against_torch(lambda t, a, b: t.tanh(a @ b).sum(1), x, w)
    assert res.ok and bool(res)
    assert res.forward_diff < 1e-5
    assert len(res.grad_diffs) == 2 and all(d < 1e-5 for d in res.grad_diffs)
    assert str(res).startswith("OK") and res.assert_ok() is res


def test_a_wrong_op_is_reported(torch):
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)

    def fn(t, a):        # npgrad gets a different formula: the check must catch it
        return t.tanh(a) if t.__name__ == "torch" else t.sigmoid(a)
    res = check_against_torch(fn, x)
    assert not res.ok
    assert res.forward_diff == pytest.approx(np.abs(np.tanh(x) - 1 / (1 + np.exp(-x))).max(), rel=1e-5)
    assert "MISMATCH" in str(res) and "values differ" in str(res)
    with pytest.raises(AssertionError, match="MISMATCH"):
        res.assert_ok()


def test_wrong_gradient_only(torch):
    import npgrad

    class BadSquare(npgrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * a          # should be 2 * a * g

    def fn(t, a):
        return (a * a if t.__name__ == "torch" else BadSquare.apply(a)).sum()
    res = check_against_torch(fn, np.array([1.0, 2.0, 3.0]))
    assert res.forward_diff == 0 and not res.ok
    assert res.grad_diffs[0] == pytest.approx(3.0)
    assert "gradients differ" in str(res)


def test_integer_inputs_get_no_gradient(torch):
    res = check_against_torch(lambda t, a: a * 2, np.arange(3))
    assert res.ok and res.grad_diffs == []


def test_clear_message_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="needs PyTorch"):
        check_against_torch(lambda t, a: a, np.ones(2))
