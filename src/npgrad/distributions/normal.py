"""``Normal(loc, scale)``: the Gaussian, with a reparameterized ``rsample``."""
from __future__ import annotations

import math

from ..tensor import Size, Tensor
from .distribution import Distribution, broadcast_all

__all__ = ["Normal"]


class Normal(Distribution):
    """The normal distribution N(loc, scale**2), elementwise over the broadcast shape of its arguments.

    >>> import npgrad
    >>> from npgrad.distributions import Normal
    >>> Normal(0.0, 2.0).log_prob(npgrad.tensor(0.0))
    tensor(-1.6121)
    """

    arg_constraints = {"loc": ("Real()", lambda a: a == a), "scale": ("GreaterThan(lower_bound=0.0)", lambda a: a > 0)}
    support_check = ("Real()", lambda a: a == a)
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    mean = property(lambda self: self.loc)
    mode = property(lambda self: self.loc)
    stddev = property(lambda self: self.scale)
    variance = property(lambda self: self.scale.pow(2))

    def rsample(self, sample_shape=Size()):
        from ..creation import randn
        shape = self._extended_shape(sample_shape)
        eps = randn(*shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + eps * self.scale

    def sample(self, sample_shape=Size()):
        from ..autograd.grad_mode import no_grad
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        if not isinstance(value, Tensor):
            from ..creation import tensor
            value = tensor(float(value), dtype=self.loc.dtype)
        self._validate_sample(value)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def icdf(self, value):
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
