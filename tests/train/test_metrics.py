import numpy as np
import pytest

import npgrad
from npgrad.train import accuracy, confusion_matrix, format_confusion_matrix, per_class_accuracy, predictions


def test_accuracy_from_logits_tensor_and_array(rng):
    logits = rng.normal(size=(50, 4)).astype(np.float32)
    target = rng.integers(0, 4, 50)
    expected = float(np.mean(logits.argmax(1) == target))
    assert accuracy(logits, target) == expected
    t = npgrad.tensor(logits, requires_grad=True)
    assert accuracy(t * 2, npgrad.tensor(target)) == expected
    assert isinstance(accuracy(t, target), float)


def test_binary_logits_threshold_at_zero():
    assert predictions(np.array([[-0.5], [0.2], [3.0]])).tolist() == [0, 1, 1]
    assert accuracy(np.array([-1.0, 1.0, 2.0, -3.0]), np.array([0.0, 1.0, 0.0, 0.0])) == 0.75


def test_accuracy_size_mismatch_is_named():
    with pytest.raises(ValueError, match="3 rows.*2"):
        accuracy(np.zeros((3, 2)), np.zeros(2))


def test_confusion_matrix_matches_a_loop(rng):
    pred, target = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    expected = np.zeros((5, 5), np.int64)
    for p, t in zip(pred, target):
        expected[t, p] += 1
    cm = confusion_matrix(npgrad.tensor(pred), target, num_classes=5)
    assert cm.tolist() == expected.tolist()
    assert cm.sum() == 300


def test_confusion_matrix_against_sklearn(rng):
    metrics = pytest.importorskip("sklearn.metrics")
    pred, target = rng.integers(0, 7, 200), rng.integers(0, 7, 200)
    assert confusion_matrix(pred, target, 7).tolist() == metrics.confusion_matrix(target, pred,
                                                                                   labels=range(7)).tolist()


def test_confusion_matrix_label_out_of_range():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        confusion_matrix([0, 3], [0, 1], num_classes=3)


def test_per_class_accuracy_and_absent_class():
    cm = confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 1], num_classes=3)
    acc = per_class_accuracy(cm)
    assert acc[0] == 1.0 and acc[1] == 0.75 and np.isnan(acc[2])


def test_format_confusion_matrix_rows_and_labels():
    text = format_confusion_matrix([[12, 0], [3, 100]], labels=["cat", "dog"])
    lines = text.splitlines()
    assert lines[0].split() == ["true\\pred", "cat", "dog"]
    assert lines[2].split() == ["dog", "3", "100"]
    assert len({len(line) for line in lines}) == 1
