import pytest


@pytest.mark.slow
def test_overfitting(run_lab):
    r = run_lab("overfitting")
    under, good, over = (r[f"regression::{k}"] for k in ("underfit: a line", "good: 1-16-1 tanh",
                                                          "overfit: 1-64-64-1"))
    assert under["train"] > 0.15 and under["test"] > 0.15          # both errors high
    assert over["train"] < 0.01 < 0.1 < over["test"] - over["train"]  # memorised the noise
    assert good["test"] < over["test"] and good["test"] < under["test"]
    cls = r["classification"]
    base = cls["none"]["train"] - cls["none"]["test"]
    smaller = [k for k, v in cls.items() if k != "none" and v["train"] - v["test"] < base]
    assert len(smaller) >= 3
