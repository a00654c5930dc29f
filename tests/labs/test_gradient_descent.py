import pytest


def test_gradient_descent(run_lab):
    r = run_lab("gradient-descent")
    assert r["updates"] == 16
    assert r["J_final"] == pytest.approx(0.009711, abs=5e-7)
    assert r["x_final"] == pytest.approx(0.084442, abs=5e-7)
    assert r["y_final"] == pytest.approx(0.050819, abs=5e-7)
    assert r["J_start"] == pytest.approx(9.708073, abs=5e-7)
    assert r["single_path"][:3] == pytest.approx([1.2, 0.48, 0.192])
    rates = r["rates"]
    assert [rates[lr]["kind"] for lr in (1.0, 0.8, 0.4, 0.1)] == ["oscillates", "zigzag", "fast", "slow"]
    assert all(abs(x) == pytest.approx(1.2) for x in rates[1.0]["x"])
    assert rates[0.4]["J"][4] < 1e-4 and rates[0.1]["J"][10] > 0.01
