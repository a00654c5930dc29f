import pytest


def test_softmax(run_lab):
    r = run_lab("softmax")
    assert r["ce_good"] == pytest.approx(0.5108, abs=5e-5)
    assert r["ce_bad"] == pytest.approx(2.3026, abs=5e-5)
    assert r["ce_bad_exact"] == pytest.approx(2.302585093, abs=1e-9)
    assert r["ce_note002"] == pytest.approx(0.2231, abs=5e-5)
    ents = [r[f"entropy_T{t:g}"] for t in (0.5, 1.0, 2.0, 5.0)]
    assert ents == sorted(ents)                                  # higher temperature, flatter
    assert all(max(p) == p[0] for p in r["temperature_probs"].values())
    assert r["grad_norm_ce"] > 100 * r["grad_norm_mse"]
    assert r["acc_ce"] > r["acc_mse"]
