def test_convolution(run_lab):
    r = run_lab("convolution")
    assert r["hand_equals_conv2d"] and r["sizes_agree"]
    assert r["first_window"] == -4.0
    assert r["cnn_test_acc"] > 0.8
