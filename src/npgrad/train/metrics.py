"""Classification metrics: accuracy, confusion matrix, per-class accuracy.

They accept npgrad tensors or NumPy arrays and return plain Python numbers or ndarrays, so a
summary never keeps a computation graph alive.
"""
from __future__ import annotations

import numpy as np

from .._backend import to_numpy

__all__ = ["accuracy", "predictions", "confusion_matrix", "per_class_accuracy", "format_confusion_matrix"]


def _array(x):
    """NumPy values of a tensor (on any device: a GPU tensor is copied to host memory) or array."""
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return to_numpy(x._data)
    return np.asarray(x)


def predictions(output):
    """Class predicted for each row of ``output``.

    ``(N, C)`` logits or probabilities give their argmax; ``(N,)`` or ``(N, 1)`` logits of a
    binary classifier (``BCEWithLogitsLoss``) give 1 where the logit is positive.

    >>> import numpy as np
    >>> predictions(np.array([[0.1, 2.0], [3.0, -1.0]])).tolist()
    [1, 0]
    """
    out = _array(output)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    return (out.reshape(out.shape[0]) > 0).astype(np.int64)


def accuracy(output, target):
    """Fraction of rows of ``output`` whose predicted class equals ``target`` (a Python float).

    >>> import numpy as np
    >>> accuracy(np.array([[0.1, 2.0], [3.0, -1.0], [0.0, 1.0]]), np.array([1, 0, 0]))
    0.6666666666666666
    """
    target = _array(target)
    pred = predictions(output)
    if pred.shape[0] != target.shape[0]:
        raise ValueError(f"accuracy: output has {pred.shape[0]} rows but target has {target.shape[0]}")
    if pred.shape[0] == 0:
        return float("nan")
    return float((pred == target.reshape(pred.shape)).mean())


def confusion_matrix(pred, target, num_classes=None):
    """``num_classes x num_classes`` counts: row = true class, column = predicted class.

    Counted with one ``bincount`` (no loop over samples).

    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
    [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    """
    pred = _array(pred).astype(np.int64).ravel()
    target = _array(target).astype(np.int64).ravel()
    if pred.shape != target.shape:
        raise ValueError(f"confusion_matrix: pred has {pred.size} entries but target has {target.size}")
    if num_classes is None:
        num_classes = int(max(pred.max(initial=-1), target.max(initial=-1))) + 1
    if pred.size and (min(pred.min(), target.min()) < 0 or max(pred.max(), target.max()) >= num_classes):
        raise ValueError(f"confusion_matrix: labels must lie in [0, {num_classes}), "
                         f"got pred in [{pred.min()}, {pred.max()}] and target in [{target.min()}, {target.max()}]")
    flat = np.bincount(target * num_classes + pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def per_class_accuracy(cm):
    """Accuracy within each true class (the recall): diagonal / row sums; NaN for an absent class.

    >>> per_class_accuracy(confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])).tolist()
    [1.0, 1.0, 0.5]
    """
    cm = np.asarray(cm)
    totals = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(cm) / np.maximum(totals, 1), np.nan)


def format_confusion_matrix(cm, labels=None):
    """The confusion matrix as an aligned text table (rows: true class, columns: predicted class).

    >>> print(format_confusion_matrix([[5, 1], [0, 4]]))
    true\\pred 0 1
            0 5 1
            1 0 4
    """
    cm = np.asarray(cm)
    labels = [str(i) for i in range(cm.shape[0])] if labels is None else [str(s) for s in labels]
    width = max(max(len(s) for s in labels), len(str(cm.max(initial=0))))
    head = "true\\pred"
    lines = [head + " " + " ".join(s.rjust(width) for s in labels)]
    for label, row in zip(labels, cm):
        lines.append(label.rjust(len(head)) + " " + " ".join(str(v).rjust(width) for v in row))
    return "\n".join(lines)
