"""``Distribution``: the base of npgrad's probability distributions (``torch.distributions``).

A distribution has a ``batch_shape`` (independent distributions side by side) and an ``event_shape``
(the shape of one draw); ``sample(sample_shape)`` draws ``sample_shape + batch_shape + event_shape``
values (without a graph), ``rsample`` draws differentiably where that is possible, ``log_prob(value)``
is differentiable in the parameters.  Arguments are checked as PyTorch checks them (``validate_args``).
"""
from __future__ import annotations

import numpy as np

from ..tensor import Size, Tensor

__all__ = ["Distribution"]


class Distribution:
    """Base class: subclasses set ``arg_constraints`` (``{name: (description, check)}``) and implement
    ``sample``/``log_prob`` and friends."""

    has_rsample = False
    arg_constraints = {}
    support_check = None  # (description, check(value) -> bool array) of the values log_prob accepts
    _validate_args = True

    @staticmethod
    def set_default_validate_args(value):
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for name, (desc, check) in self.arg_constraints.items():
                if name not in self.__dict__:
                    continue  # (a lazily computed parameter: probs given, logits derived)
                value = self.__dict__[name]
                if not bool(np.all(check(value._data))):
                    raise ValueError(f"Expected parameter {name} (Tensor of shape {tuple(value.shape)}) of "
                                     f"distribution {self!r} to satisfy the constraint {desc}, but found invalid "
                                     f"values:\n{value}")

    batch_shape = property(lambda self: self._batch_shape)
    event_shape = property(lambda self: self._event_shape)

    def _extended_shape(self, sample_shape=Size()):
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _validate_sample(self, value):
        if not self._validate_args or self.support_check is None:
            return
        desc, check = self.support_check() if callable(self.support_check) else self.support_check
        if not bool(np.all(check(value._data))):
            raise ValueError(f"Expected value argument (Tensor of shape {tuple(value.shape)}) to be within the "
                             f"support ({desc}) of the distribution {self!r}, but found invalid values:\n{value}")

    def sample(self, sample_shape=Size()):
        from ..autograd.grad_mode import no_grad
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()):
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sample")

    def sample_n(self, n):
        return self.sample(Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return self.entropy().exp()

    @property
    def stddev(self):
        return self.variance.sqrt()

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{k}: {self.__dict__[k] if self.__dict__[k].numel() == 1 else self.__dict__[k].size()}"
                         for k in names)
        return f"{type(self).__name__}({args})"


def broadcast_all(*values):
    """Tensors (numbers become tensors of the default dtype) broadcast to one shape."""
    from ..creation import tensor
    from ..ops.shape import broadcast_tensors
    like = next((v for v in values if isinstance(v, Tensor)), None)
    ts = [v if isinstance(v, Tensor) else
          tensor(float(v), dtype=like.dtype if like is not None and like.is_floating_point() else None)
          for v in values]
    return broadcast_tensors(*ts)


def probs_to_logits(probs, is_binary=False):
    """``log(p)`` (``log(p) - log(1 - p)`` for a Bernoulli), with ``p`` kept inside ``(0, 1)``."""
    eps = float(np.finfo(probs._data.dtype).eps)
    ps = probs.clamp(min=eps, max=1 - eps)
    return (ps.log() - (-ps).log1p()) if is_binary else ps.log()


def logits_to_probs(logits, is_binary=False):
    from ..nn import functional as F
    return logits.sigmoid() if is_binary else F.softmax(logits, dim=-1)


class lazy_property:
    """A parameter computed from the other on first use (``probs`` from ``logits`` or back)."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = self.fn(obj)
        obj.__dict__[self.fn.__name__] = value
        return value
