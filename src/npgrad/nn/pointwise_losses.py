"""Regression and margin losses of ``npgrad.nn.functional`` (MSE, L1, Huber, smooth L1, KL divergence,
hinge embedding, multi-margin, soft margin), composed of npgrad ops, with PyTorch's ``reduction``."""
from __future__ import annotations

import warnings

import numpy as np

from .. import _backend
from ..ops import elementwise as E
from ..tensor import Tensor
from .activation_functional import softplus
from .loss_functional import (_as_tensor, _check_classes, _check_reduction, _const, _float_target,
                              _legacy_reduction, _reduce, _warn_size, _weight_array)

__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "hinge_embedding_loss",
           "multi_margin_loss", "soft_margin_loss"]


# -- regression losses --------------------------------------------------------------------------
def _pointwise(input, target, who, size_average, reduce, reduction):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, who)
    target = _float_target(target, input, who)
    _warn_size(input, target, who)
    return target, reduction


def _weighted(loss, weight, input):
    return loss if weight is None else loss * _as_tensor(weight, input)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(x - y)^2``.

    >>> import npgrad
    >>> npgrad.nn.functional.mse_loss(npgrad.tensor([1.0, 3.0]), npgrad.tensor([0.0, 0.0])).item()
    5.0
    """
    target, reduction = _pointwise(input, target, "mse_loss", size_average, reduce, reduction)
    d = input - target
    return _reduce(_weighted(d * d, weight, input), reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|x - y|``."""
    target, reduction = _pointwise(input, target, "l1_loss", size_average, reduce, reduction)
    return _reduce(_weighted(E.abs(input - target), weight, input), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), with d = x - y."""
    if delta <= 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    target, reduction = _pointwise(input, target, "huber_loss", None, None, reduction)
    d = input - target
    a = E.abs(d)
    loss = E.where(_const(a._data < delta), d * d * 0.5, (a - 0.5 * delta) * delta)
    return _reduce(_weighted(loss, weight, input), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0 is the L1 loss)."""
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    target, reduction = _pointwise(input, target, "smooth_l1_loss", size_average, reduce, reduction)
    d = input - target
    a = E.abs(d)
    if beta == 0:
        return _reduce(a, reduction)
    loss = E.where(_const(a._data < beta), d * d * (0.5 / beta), a - 0.5 * beta)
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence with ``input`` as log-probabilities: target * (log target - input) pointwise.

    ``reduction='batchmean'`` divides the sum by the batch size (the true KL divergence).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"kl_div: {reduction} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    target = _float_target(target, input, "kl_div")
    if log_target:
        loss = E.exp(target) * (target - input)
    else:
        pos = _const(target._data > 0)
        safe = E.where(pos, target, E.ones_like(target))  # 0 * log 0 = 0 without a nan gradient
        loss = E.where(pos, target * (E.log(safe) - input), target * 0 - input * 0)
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


# -- margin losses ----------------------------------------------------------------------------------
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """x where y = 1, max(0, margin - x) where y = -1."""
    target, reduction = _pointwise(input, target, "hinge_embedding_loss", size_average, reduce, reduction)
    zero = E.zeros_like(input)
    t = target._data
    margin_part = E.where(_const(t != 1), E.clamp_min(margin - input, 0), zero)
    self_part = E.where(_const(t != -1), input, zero)
    return _reduce(margin_part + self_part, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge: sum over j != y of max(0, margin - x[y] + x[j])^p / C."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    single = input.ndim == 1
    x = input.unsqueeze(0) if single else input
    if x.ndim != 2:
        raise RuntimeError(f"multi_margin_loss: expected a 1-D (C) or 2-D (N, C) input, got shape {tuple(input.shape)}")
    y = (target._data if isinstance(target, Tensor) else np.asarray(target)).reshape(-1)
    n, c = x.shape
    if y.shape[0] != n:
        raise RuntimeError(f"multi_margin_loss: target of shape {tuple(np.shape(target))} does not match input of "
                           f"shape {tuple(input.shape)}")
    _check_classes(y, c, None, "multi_margin_loss")
    rows = _backend.array_module(y).arange(n)
    xy = x[rows, y].reshape(n, 1)
    h = E.clamp_min(x - xy + margin, 0)
    if p == 2:
        h = h * h
    w = _weight_array(weight, c, x._data.dtype, "multi_margin_loss")
    others = _backend.array_module(y).ones((n, c), dtype=x._data.dtype)
    others[rows, y] = 0
    if w is not None:
        others *= w[y][:, None]
    loss = (h * _const(others)).sum(1) / c
    return _reduce(loss.reshape(()) if single else loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-y x)) for y in {-1, 1}, stable for any x."""
    target, reduction = _pointwise(input, target, "soft_margin_loss", size_average, reduce, reduction)
    return _reduce(softplus(-input * target), reduction)

