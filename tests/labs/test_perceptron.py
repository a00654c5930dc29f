def test_perceptron_converges_within_the_mistake_bound(run_lab):
    r = run_lab("perceptron")
    assert r["train_errors"] == 0 and r["mse"] == 0.0
    assert r["history"][-1]["mistakes"] == 0                 # the last epoch made no update
    assert r["epochs"] == len(r["history"]) >= 2
    assert r["mistakes"] == sum(h["mistakes"] for h in r["history"]) > 0
    assert r["gamma"] > 0 and r["R"] > 1
    assert r["mistakes"] <= r["bound"] == (r["R"] / r["gamma"]) ** 2
