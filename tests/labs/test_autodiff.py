def test_autodiff(run_lab):
    r = run_lab("autodiff")
    assert r["dot_grad"] == [0.0, 2.0, 4.0, 6.0]
    assert r["accumulated_grad"] == [0.0, 4.0, 8.0, 12.0]
    for s in r["stats"]:
        assert s["passes_reverse"] == 1 and s["passes_forward"] == s["n"] and s["passes_numerical"] == 2 * s["n"]
        assert s["diff_forward"] < 1e-12 and s["diff_numerical"] < 1e-5
