import npgrad.datasets


def test_mnist(run_lab):
    r = run_lab("mnist")
    assert r["dataset"].startswith("digits")
    assert len(r["train_acc"]) == len(r["test_acc"]) == 8
    assert r["test_acc"][-1] > 0.7 and r["test_acc"][-1] > r["test_acc"][0]
    assert abs(r["gap"]) < 0.1


def test_mnist_falls_back_to_digits_when_mnist_is_missing(monkeypatch, capsys):
    def missing(*a, **k):
        raise RuntimeError("MNIST: dataset not found")
    monkeypatch.setattr(npgrad.datasets, "MNIST", missing)
    from npgrad.labs import mnist
    r = mnist.run(dataset="mnist", epochs=1, quick=True)
    assert r["dataset"].startswith("digits") and len(r["test_acc"]) == 1
    assert "mnist is not available here" in capsys.readouterr().out
