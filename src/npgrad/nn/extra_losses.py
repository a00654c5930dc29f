"""Classification losses PyTorch lacks, with its conventions (``reduction`` = 'mean' | 'sum' | 'none').

- ``sigmoid_focal_loss``: binary focal loss on logits, exactly torchvision's ``sigmoid_focal_loss``.
- ``focal_loss``: multi-class focal loss on logits; with ``gamma=0`` it equals ``cross_entropy``.
- ``hinge_loss``: the binary hinge ``max(0, margin - y a)`` for labels y in {-1, +1}.
- ``exponential_loss``: ``exp(-y a)`` (AdaBoost's loss) for labels y in {-1, +1}.
- ``zero_one_loss``: the 0-1 error rate, a metric without gradient.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..ops import elementwise as E
from ..tensor import Tensor
from .activation_functional import log_softmax, softplus
from .loss_functional import _as0d, _to_last

__all__ = ["sigmoid_focal_loss", "focal_loss", "hinge_loss", "exponential_loss", "zero_one_loss"]


def _const(arr):
    return Tensor._make(arr, None, False, None)


def _target(target, input, who):
    t = target if isinstance(target, Tensor) else _const(np.asarray(target))
    if tuple(t.shape) != tuple(input.shape):
        raise ValueError(f"{who}: target of shape {tuple(t.shape)} must have the shape of input {tuple(input.shape)}")
    return t if t._data.dtype == input._data.dtype else t.to(input.dtype)


def _reduce(loss, reduction, who):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{who}: {reduction} is not a valid value for reduction")


def _signs(t, who):
    bad = (t._data != 1) & (t._data != -1)
    if bad.any():
        raise ValueError(f"{who}: target labels must be -1 or +1, got {t._data[bad].reshape(-1)[0]!r}")


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """Binary focal loss on logits (Lin et al.), the same function as torchvision.ops.sigmoid_focal_loss:
    ``alpha_t * (1 - p_t)^gamma * BCE(x, t)``. As in torchvision, the default reduction is 'none'
    (``nn.SigmoidFocalLoss`` defaults to 'mean' like every loss module). ``alpha < 0`` disables weighting.

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> x, t = npgrad.tensor([300.0, -300.0]), npgrad.tensor([0.0, 0.0])
    >>> F.sigmoid_focal_loss(x, t, reduction="sum").item()
    225.0
    """
    t = _target(targets, inputs, "sigmoid_focal_loss")
    ce = softplus(inputs) - inputs * t  # = BCE with logits, stable for any logit
    loss = ce
    if gamma:
        # 1 - p_t = sigmoid(x) (1 - t) + sigmoid(-x) t, written without the cancellation of 1 - p_t
        one_minus_pt = E.sigmoid(inputs) * (1 - t) + E.sigmoid(-inputs) * t
        loss = loss * (one_minus_pt ** gamma)
    if alpha >= 0:
        loss = (t * alpha + (1 - t) * (1 - alpha)) * loss
    return _reduce(loss, reduction, "sigmoid_focal_loss")


def focal_loss(input, target, weight=None, gamma=2.0, ignore_index=-100, reduction="mean"):
    """Multi-class focal loss on logits (N, C, ...): ``-w_y (1 - p_y)^gamma log p_y``.

    Mean reduction divides by the summed weights of the non-ignored targets, exactly as
    ``cross_entropy`` does, so ``gamma=0`` gives ``cross_entropy``.

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> x, y = npgrad.randn(4, 3), npgrad.tensor([0, 1, 2, 1])
    >>> bool(npgrad.allclose(F.focal_loss(x, y, gamma=0.0), F.cross_entropy(x, y)))
    True
    """
    if gamma < 0:
        raise ValueError(f"focal_loss: gamma must be non-negative, got {gamma}")
    y = target._data if isinstance(target, Tensor) else np.asarray(target)
    if y.dtype.kind not in "iu":
        raise RuntimeError(f"focal_loss: expected integer class indices as target, got dtype {y.dtype}")
    x = input.unsqueeze(0) if input.ndim == 1 else input
    y = y.reshape(1) if input.ndim == 1 else y
    if x.ndim < 2 or y.shape != (x.shape[0],) + tuple(x.shape[2:]):
        raise ValueError(f"focal_loss: expected target of shape {(x.shape[0],) + tuple(x.shape[2:])} for input of "
                         f"shape {tuple(input.shape)}, got {tuple(y.shape)}")
    c = x.shape[1]
    out_shape = y.shape
    if x.ndim > 2:  # (N, C, d1, ...) -> rows of C scores
        x, y = x.permute(_to_last(x.ndim)).reshape(-1, c), y.reshape(-1)
    valid = y != ignore_index
    yy = np.where(valid, y, 0)
    if ((yy < 0) | (yy >= c)).any():
        raise IndexError(f"focal_loss: Target {int(yy[(yy < 0) | (yy >= c)][0])} is out of bounds (C = {c}).")
    logpt = log_softmax(x, 1).gather(1, _const(yy[:, None].astype(np.int64)))
    logpt = logpt.squeeze(1)
    loss = -logpt
    if gamma:
        loss = loss * (-E.expm1(logpt)) ** gamma  # 1 - p_t via expm1: exact near p_t = 1
    w = np.ones_like(yy, dtype=x._data.dtype) if weight is None else \
        (weight._data if isinstance(weight, Tensor) else np.asarray(weight)).astype(x._data.dtype)[yy]
    w = w * valid
    loss = loss * _const(w)
    loss = loss.reshape(()) if input.ndim == 1 else loss.reshape(out_shape)
    if reduction == "mean":
        return loss.sum() / float(w.sum())
    return _reduce(loss, reduction, "focal_loss")


def hinge_loss(input, target, margin=1.0, reduction="mean"):
    """Binary hinge loss ``max(0, margin - y * a)`` for scores a and labels y in {-1, +1} (SVM, perceptron).

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> F.hinge_loss(npgrad.tensor([2.0, 0.5, -1.0]), npgrad.tensor([1.0, 1.0, 1.0]), reduction="none")
    tensor([0.0000, 0.5000, 2.0000])
    """
    t = _target(target, input, "hinge_loss")
    _signs(t, "hinge_loss")
    return _reduce(E.clamp_min(margin - input * t, 0), reduction, "hinge_loss")


class ExponentialLoss(Function):
    """exp(z) with z = -y a, the exponent capped where exp would overflow the dtype; d/da = -y exp(z).

    Beyond the cap the value and the gradient both use exp(cap): finite, and still pushing the
    misclassified score in the right direction (a true zero would stop learning).
    """

    @staticmethod
    def forward(ctx, a, y, cap):
        e = np.exp(np.minimum(-y * a, a.dtype.type(cap)))
        ctx.save_for_backward(y, e)
        return e

    @staticmethod
    def backward(ctx, g):
        y, e = ctx.saved_tensors
        return -g * y * e, None, None


def exponential_loss(input, target, reduction="mean"):
    """Exponential loss ``exp(-y * a)`` for scores a and labels y in {-1, +1}.

    The exponent is capped at 60 (float32) / 600 (float64) so that neither the value nor the gradient
    overflows, even summed over a large batch.

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> F.exponential_loss(npgrad.tensor([0.0, 2.0]), npgrad.tensor([1.0, -1.0]), reduction="none")
    tensor([1.0000, 7.3891])
    """
    t = _target(target, input, "exponential_loss")
    _signs(t, "exponential_loss")
    cap = 60.0 if input._data.dtype.itemsize <= 4 else 600.0
    return _reduce(ExponentialLoss.apply(input, t._data, cap), reduction, "exponential_loss")


def zero_one_loss(input, target, reduction="mean"):
    """The 0-1 loss (error rate): a metric, never differentiated.

    - input (N, C) scores and integer class indices (N,): an error where ``argmax(input, 1) != target``;
    - otherwise scores ``a`` and labels ``y`` in {-1, +1} of the same shape: an error where ``y * a <= 0``
      (a score exactly on the boundary counts as an error).

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> F.zero_one_loss(npgrad.tensor([[0.1, 0.9], [0.8, 0.2]]), npgrad.tensor([1, 1])).item()
    0.5
    >>> F.zero_one_loss(npgrad.tensor([2.0, -1.0]), npgrad.tensor([1.0, 1.0]), reduction="sum").item()
    1.0
    """
    a = input._data
    y = target._data if isinstance(target, Tensor) else np.asarray(target)
    if y.dtype.kind in "iu" and a.ndim == y.ndim + 1:
        if a.shape[:1] + a.shape[2:] != y.shape:
            raise ValueError(f"zero_one_loss: target of shape {y.shape} does not match scores of shape {a.shape}")
        err = a.argmax(axis=1) != y
    else:
        if a.shape != y.shape:
            raise ValueError(f"zero_one_loss: target of shape {y.shape} must have the shape of input {a.shape}")
        if ((y != 1) & (y != -1)).any():
            raise ValueError("zero_one_loss: binary target labels must be -1 or +1")
        err = y * a <= 0
    dt = a.dtype if a.dtype.kind == "f" else np.float32
    err = err.astype(dt)
    if reduction == "mean":
        return _const(_as0d(err.mean(), dt))
    if reduction == "sum":
        return _const(_as0d(err.sum(), dt))
    if reduction == "none":
        return _const(err)
    raise ValueError(f"zero_one_loss: {reduction} is not a valid value for reduction")
