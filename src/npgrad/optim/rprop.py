"""Rprop: per-coordinate step sizes that grow while the gradient keeps its sign and shrink when it flips."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _check, _new_step, _zeros_state

__all__ = ["Rprop", "rprop_update"]


def rprop_update(p, g, prev, step_size, w0, w1, *, etaminus, etaplus, step_size_min, step_size_max, maximize):
    """One Rprop step on the array ``p`` (in place); ``prev`` (last gradient) and ``step_size`` in place.

    s ← sign(±g · prev)
    η ← η+ where s > 0, η− where s < 0, 1 where s = 0
    step_size ← clamp(step_size · η, step_min, step_max)
    g ← 0 where the sign flipped (s < 0), so that the next step does not count it again
    p ← p − sign(g) · step_size,   prev ← g
    """
    d = w0  # a copy: the flipped coordinates are zeroed without touching the parameter's .grad
    if maximize:
        np.negative(g, out=d)
    else:
        np.copyto(d, g)
    s = np.sign(np.multiply(d, prev, out=w1), out=w1)
    flipped = s < 0
    factor = np.where(s > 0, etaplus, np.where(flipped, etaminus, 1)).astype(p.dtype, copy=False)
    np.clip(np.multiply(step_size, factor, out=step_size), step_size_min, step_size_max, out=step_size)
    d[flipped] = 0
    np.subtract(p, np.multiply(np.sign(d, out=w1), step_size, out=w1), out=p)
    np.copyto(prev, d)


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun, 1993), like ``torch.optim.Rprop``; state per
    parameter: ``step``, ``prev`` and ``step_size`` (starting at ``lr``).

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.Rprop([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _hyper_checks = True

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group):
        super()._validate(group)
        etas = group["etas"]
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]} "
                                              "(Rprop: etas must satisfy 0 < etaminus < 1 < etaplus)")

    def step(self, closure=None):
        """Perform one Rprop step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            (etaminus, etaplus), (lo, hi) = group["etas"], group["step_sizes"]
            hp = dict(etaminus=etaminus, etaplus=etaplus, step_size_min=lo, step_size_max=hi,
                      maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["prev"] = _zeros_state(p)
                    state["step_size"] = _zeros_state(p, float(group["lr"]))
                _bump_step(state)
                rprop_update(data, g, state["prev"]._data, state["step_size"]._data, *self._works(p), **hp)
                p._version[0] += 1
        return loss
