"""Adadelta: step sizes from the ratio of running RMS of past updates to running RMS of gradients."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _check, _effective_grad, _new_step, _zeros_state

__all__ = ["Adadelta", "adadelta_update"]


def adadelta_update(p, g, v, u, w0, w1, w2, *, lr, rho, eps, weight_decay, maximize):
    """One Adadelta step on the array ``p`` (in place); ``v`` (square_avg) and ``u`` (acc_delta) in place.

    g ← ±g + λ·p
    v ← ρ·v + (1 − ρ)·g²
    Δ ← √(u + ε) / √(v + ε) · g
    u ← ρ·u + (1 − ρ)·Δ²
    p ← p − γ·Δ
    """
    d = _effective_grad(w0, p, g, weight_decay, maximize)
    np.multiply(v, rho, out=v)
    np.add(v, np.multiply(np.multiply(d, d, out=w1), 1 - rho, out=w1), out=v)
    std = np.sqrt(np.add(v, eps, out=w1), out=w1)
    delta = np.sqrt(np.add(u, eps, out=w2), out=w2)
    np.multiply(np.divide(delta, std, out=delta), d, out=delta)
    np.multiply(u, rho, out=u)
    np.add(u, np.multiply(np.multiply(delta, delta, out=w1), 1 - rho, out=w1), out=u)
    np.subtract(p, np.multiply(delta, lr, out=w1), out=p)


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), like ``torch.optim.Adadelta``; state per parameter: ``step``,
    ``square_avg`` and ``acc_delta``.

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.Adadelta([w], lr=1.0)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9968, -1.9968], requires_grad=True)
    """

    _hyper_checks = True

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group):
        super()._validate(group)
        _check(0 <= group["rho"] <= 1, f"Invalid rho value: {group['rho']} (Adadelta: rho must be in [0, 1])")

    def step(self, closure=None):
        """Perform one Adadelta step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            hp = dict(lr=float(group["lr"]), rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                      maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["square_avg"] = _zeros_state(p)
                    state["acc_delta"] = _zeros_state(p)
                _bump_step(state)
                adadelta_update(data, g, state["square_avg"]._data, state["acc_delta"]._data, *self._works(p),
                                self._work(data, 2), **hp)
                p._version[0] += 1
        return loss
