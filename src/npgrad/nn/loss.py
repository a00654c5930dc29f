"""Loss modules: thin wrappers over ``npgrad.nn.functional`` holding the loss's settings.

As in PyTorch, class weights (``weight``, ``pos_weight``) are buffers, so they appear in
``state_dict`` and follow ``.to(dtype)``.
"""
from __future__ import annotations

from . import extra_losses as X
from . import loss_functional as F
from . import pointwise_losses as P
from .module import Module

__all__ = ["L1Loss", "MSELoss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss", "KLDivLoss", "HingeEmbeddingLoss", "MultiMarginLoss", "SoftMarginLoss", "SigmoidFocalLoss",
           "FocalLoss", "HingeLoss", "ExponentialLoss", "ZeroOneLoss"]

_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    _valid = _REDUCTIONS

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = F._legacy_reduction(size_average, reduce, reduction)
        if reduction not in self._valid:
            raise ValueError(f"{type(self).__name__}(reduction={reduction!r}): {reduction} is not a valid value "
                             f"for reduction (expected one of {', '.join(self._valid)})")
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error.

    >>> import npgrad
    >>> npgrad.nn.L1Loss()(npgrad.tensor([1.0, -1.0]), npgrad.tensor([0.0, 0.0])).item()
    1.0
    """

    def forward(self, input, target):
        return P.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error.

    >>> import npgrad
    >>> npgrad.nn.MSELoss(reduction="sum")(npgrad.tensor([1.0, 2.0]), npgrad.tensor([0.0, 0.0])).item()
    5.0
    """

    def forward(self, input, target):
        return P.mse_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Quadratic for |x - y| < delta, linear beyond."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return P.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Huber loss divided by ``beta``."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return P.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities (logs clamped at -100)."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy, stable for any logit; ``pos_weight`` weighs positives.

    >>> import npgrad
    >>> npgrad.nn.BCEWithLogitsLoss()(npgrad.tensor([0.0]), npgrad.tensor([1.0])).item() > 0.69
    True
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits against class indices or class probabilities.

    >>> import npgrad
    >>> loss = npgrad.nn.CrossEntropyLoss()
    >>> round(loss(npgrad.zeros(2, 4), npgrad.tensor([0, 3])).item(), 4)
    1.3863
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities at class indices."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class KLDivLoss(_Loss):
    """KL divergence with log-probability input; use ``reduction='batchmean'`` for the true KL."""
    _valid = _REDUCTIONS + ("batchmean",)

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return P.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class HingeEmbeddingLoss(_Loss):
    """x where y = 1, max(0, margin - x) where y = -1."""

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return P.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss."""

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss(p={p}): only p == 1 and p == 2 supported")
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return P.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """log(1 + exp(-y x)) for y in {-1, 1}."""

    def forward(self, input, target):
        return P.soft_margin_loss(input, target, reduction=self.reduction)


# -- losses PyTorch lacks ---------------------------------------------------------------------------
class SigmoidFocalLoss(_Loss):
    """Binary focal loss on logits (see ``F.sigmoid_focal_loss``); reduction defaults to 'mean'."""

    def __init__(self, alpha=0.25, gamma=2.0, reduction="mean"):
        super().__init__(reduction=reduction)
        self.alpha, self.gamma = alpha, gamma

    def forward(self, input, target):
        return X.sigmoid_focal_loss(input, target, self.alpha, self.gamma, self.reduction)

    def extra_repr(self):
        return f"alpha={self.alpha}, gamma={self.gamma}"


class FocalLoss(_WeightedLoss):
    """Multi-class focal loss on logits (see ``F.focal_loss``); ``gamma=0`` is cross-entropy.

    >>> import npgrad
    >>> npgrad.nn.FocalLoss(gamma=2.0)(npgrad.zeros(2, 2), npgrad.tensor([0, 1])).item() < 0.6931
    True
    """

    def __init__(self, weight=None, gamma=2.0, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction=reduction)
        self.gamma, self.ignore_index = gamma, ignore_index

    def forward(self, input, target):
        return X.focal_loss(input, target, self.weight, self.gamma, self.ignore_index, self.reduction)

    def extra_repr(self):
        return f"gamma={self.gamma}"


class HingeLoss(_Loss):
    """Binary hinge loss max(0, margin - y a) for labels y in {-1, +1}."""

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction=reduction)
        self.margin = margin

    def forward(self, input, target):
        return X.hinge_loss(input, target, self.margin, self.reduction)


class ExponentialLoss(_Loss):
    """Exponential loss exp(-y a) for labels y in {-1, +1}."""

    def forward(self, input, target):
        return X.exponential_loss(input, target, self.reduction)


class ZeroOneLoss(_Loss):
    """The 0-1 loss (error rate), a metric without gradient."""

    def forward(self, input, target):
        return X.zero_one_loss(input, target, self.reduction)
