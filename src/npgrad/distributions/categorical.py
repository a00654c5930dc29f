"""``Categorical(probs=... | logits=...)``: one of K classes, as in policy-gradient code."""
from __future__ import annotations

import numpy as np

from ..tensor import Size
from .distribution import Distribution, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


def _simplex(a):
    return np.all(a >= 0) and np.all(np.abs(a.sum(-1) - 1) < 1e-6)


class Categorical(Distribution):
    """Classes ``0 .. K-1`` with probabilities ``probs`` (normalised along the last dim) or
    ``softmax(logits)``.  ``sample`` draws class indices (int64), ``log_prob`` picks the log-probability
    of given indices (differentiable in the parameters).

    >>> import npgrad
    >>> from npgrad.distributions import Categorical
    >>> m = Categorical(probs=npgrad.tensor([0.25, 0.75]))
    >>> m.log_prob(npgrad.tensor(1)), m.entropy()
    (tensor(-0.2877), tensor(0.5623))
    """

    arg_constraints = {"probs": ("Simplex()", _simplex), "logits": ("IndependentConstraint(Real(), 1)",
                                                                  lambda a: ~np.isnan(a))}

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.size()[-1]
        super().__init__(self._param.size()[:-1], validate_args=validate_args)

    def support_check(self):
        n = self._num_events
        return (f"IntegerInterval(lower_bound=0, upper_bound={n - 1})",
                lambda a: (a >= 0) & (a <= n - 1) & (a == np.floor(a)))

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    param_shape = property(lambda self: self._param.size())

    @property
    def mean(self):
        from ..creation import full
        return full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    mode = property(lambda self: self.probs.argmax(dim=-1))

    @property
    def variance(self):
        return self.mean

    def sample(self, sample_shape=Size()):
        from ..creation import multinomial
        sample_shape = Size(sample_shape)
        probs_2d = self.probs.detach().reshape(-1, self._num_events)
        n = int(np.prod(sample_shape)) if len(sample_shape) else 1
        samples_2d = multinomial(probs_2d, n, True).T
        return samples_2d.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        self._validate_sample(value)
        from ..ops.shape import broadcast_tensors
        value = value.long().unsqueeze(-1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self):
        min_real = float(np.finfo(self.logits._data.dtype).min)
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        from ..creation import arange
        values = arange(self._num_events)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
