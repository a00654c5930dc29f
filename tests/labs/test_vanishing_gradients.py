def test_vanishing_gradients(run_lab):
    r = run_lab("vanishing-gradients")
    ratios = r["ratios"]
    assert ratios["sigmoid"] < 1e-4                           # the first layer barely gets a gradient
    for cure in ("relu + He", "sigmoid + BatchNorm", "sigmoid + residual"):
        assert ratios[cure] > 1e-2
    assert r["exploding_norm"] > 1e3 and abs(r["clipped_norm"] - 1.0) < 1e-3
    stds = r["init_stds"]
    assert stds["small N(0,0.01), tanh"][-1] < 1e-6
    assert stds["naive N(0,1), relu"][-1] > 100
    assert 0.1 < stds["He, relu"][-1] < 10 and 0.05 < stds["Xavier, tanh"][-1] < 1
