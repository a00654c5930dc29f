import pytest

from npgrad.labs.chain import NOTES


def test_chain_reproduces_table_2_2(run_lab):
    r = run_lab("chain")
    assert r["table_agrees"]
    xs = r["x_values"]
    assert xs[:4] == pytest.approx(NOTES["x"][:4], abs=1e-3)
    assert xs[4] == pytest.approx(9.656, abs=1e-3)          # the notes print 9.665 (digits transposed)
    assert xs[4] ** 2 == pytest.approx(93.233, abs=2e-3)     # ... their own a = x^2 confirms 9.656
    assert abs(r["c_final"] - 2.13) < 1e-3
    assert r["iterations"] == 5
