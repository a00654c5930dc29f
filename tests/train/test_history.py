import matplotlib.image as mpimg
import pytest

from npgrad.train import History


def _history():
    h = History()
    for e, (tl, ta) in enumerate([(1.0, 0.5), (0.6, 0.7), (0.7, 0.8)], 1):
        h.append({"epoch": e, "train_loss": tl + 0.1, "train_acc": ta - 0.1, "test_loss": tl, "test_acc": ta})
    return h


def test_columns_best_and_last():
    h = _history()
    assert h["test_loss"] == [1.0, 0.6, 0.7]
    assert h.best("test_loss", "min")["epoch"] == 2
    assert h.best("test_acc", "max")["epoch"] == 3
    assert h.last["epoch"] == 3 and len(h) == 3
    with pytest.raises(KeyError, match="f1"):
        h["f1"]
    with pytest.raises(ValueError, match="mode"):
        h.best("test_acc", "biggest")


def test_csv_round_trip(tmp_path):
    h = _history()
    path = h.to_csv(str(tmp_path / "metrics.csv"))
    lines = open(path).read().splitlines()
    assert lines[0] == "epoch,train_loss,train_acc,test_loss,test_acc"
    assert len(lines) == 4
    assert History.from_csv(path) == h


def test_plot_writes_a_png(tmp_path):
    path = tmp_path / "curves.png"
    fig = _history().plot(str(path))
    img = mpimg.imread(str(path))
    assert img.shape[0] > 100 and img.shape[1] > 200
    assert img.std() > 0.01  # not a blank image
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["loss per epoch", "accuracy per epoch"]
    assert [line.get_label() for line in fig.axes[0].lines] == ["train", "test"]
