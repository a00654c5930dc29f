import pytest


def test_activations(run_lab):
    r = run_lab("activations")
    assert r["sigmoid_grad_max"] == pytest.approx(0.25, abs=1e-6)
    assert r["sigmoid_grad_argmax"] == pytest.approx(0.0, abs=0.011)
    assert r["sgn"] == [-1, -1, 0, 1, 1]
    for x, v in [(-5, 0.00669285), (-1, 0.26894142), (0, 0.5), (1, 0.73105858), (5, 0.99330715)]:
        assert r[f"logistic({x})"] == pytest.approx(v, abs=5e-9)
    assert r["grad_range_step"] == (0.0, 0.0) and r["grad_range_sign"] == (0.0, 0.0)
    assert r["grad_range_ReLU"] == (0.0, 1.0)
    assert r["grad_range_Leaky ReLU (0.1)"] == pytest.approx((0.1, 1.0))
    assert r["grad_range_tanh"][1] == pytest.approx(1.0, abs=1e-6)
