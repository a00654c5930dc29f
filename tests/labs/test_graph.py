import pytest


def test_graph(run_lab):
    r = run_lab("graph")
    assert (r["x"], r["y"], r["z"]) == (18.0, 9.0, 162.0)
    assert (r["dz_dw"], r["dz_db"]) == (18.0, 63.0)
    assert r["first_step_w_z"] == pytest.approx(150.0, abs=1e-4)       # exact; the notes' 150.0003 is rounding
    assert r["path_w"][1][0] == pytest.approx(3 - 12 / 18)
    assert r["path_b"][1][1] == pytest.approx(4 - 12 / 63)               # b = 3.8095
    assert r["first_step_b_z"] == pytest.approx(150.2162, abs=2e-3)
    assert r["path_w+b"][1][:2] == pytest.approx((3 - 6 / 18, 4 - 6 / 63))
    for key in ("path_w", "path_b", "path_w+b"):
        assert abs(r[key][-1][2] - 150) < 1e-5
    assert r["steps_w"] == 1 and r["steps_b"] >= 2
    assert "digraph" in r["dot"] and "value 162" in r["dot"] and "grad 63" in r["dot"]
