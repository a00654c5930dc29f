import pytest


def test_backprop_by_hand(run_lab):
    r = run_lab("backprop-by-hand")
    assert r["prediction"] == 5.0 and r["loss"] == 4.5
    assert r["hand_equals_autograd"]
    expected = dict(w1=12, w2=0, b21=3, w11=3, w12=6, b11=3, w21=0, w22=0, b12=0)
    assert {k: r[f"grad_{k}"] for k in expected} == pytest.approx(expected)
    assert r["w11_after"] == pytest.approx(0.97, abs=1e-6)
    assert r["loss_after"] < r["loss"]
