"""``Bernoulli(probs=... | logits=...)``: a coin flip per element."""
from __future__ import annotations

from ..tensor import Size
from .distribution import Distribution, broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


class Bernoulli(Distribution):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0.

    >>> import npgrad
    >>> from npgrad.distributions import Bernoulli
    >>> Bernoulli(probs=npgrad.tensor([0.3])).log_prob(npgrad.tensor([1.0]))
    tensor([-1.2040])
    """

    arg_constraints = {"probs": ("Interval(lower_bound=0.0, upper_bound=1.0)", lambda a: (a >= 0) & (a <= 1)),
                       "logits": ("Real()", lambda a: a == a)}
    support_check = ("Boolean()", lambda a: (a == 0) | (a == 1))

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(self._param.size(), validate_args=validate_args)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    param_shape = property(lambda self: self._param.size())
    mean = property(lambda self: self.probs)
    variance = property(lambda self: self.probs * (1 - self.probs))

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return mode.masked_fill(self.probs == 0.5, float("nan"))

    def sample(self, sample_shape=Size()):
        from ..autograd.grad_mode import no_grad
        from ..creation import bernoulli
        with no_grad():
            return bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        from ..nn import functional as F
        self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        from ..nn import functional as F
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")
