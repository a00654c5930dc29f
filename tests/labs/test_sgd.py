def test_sgd(run_lab):
    r = run_lab("sgd")
    logs, floor = r["logs"], r["noise_floor"]
    gd, sgd, mb = (logs[k] for k in ("GD (batch = all)", "SGD (batch = 1)", "mini-batch (32)"))
    assert len(sgd) > len(mb) > len(gd)                       # many more updates for the same data
    for log in (gd, sgd, mb):
        assert log[-1][2] < log[0][2]
    after = {k.split("::")[1]: v for k, v in r.items() if k.startswith("after_one_epoch::")}
    assert after["SGD (batch = 1)"] < 0.5 * after["GD (batch = all)"]
    assert after["mini-batch (32)"] < 0.5 * after["GD (batch = all)"]
    assert sgd[-1][2] < 3 * floor and mb[-1][2] < 3 * floor
