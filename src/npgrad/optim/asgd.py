"""ASGD: SGD whose step size decays as the run goes, keeping a running average of the iterates."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _effective_grad, _new_step, _scalar_state, _zeros_state

__all__ = ["ASGD", "asgd_update"]


def asgd_update(p, g, ax, eta, mu, w0, w1, *, step, lr, lambd, alpha, t0, weight_decay, maximize):
    """One ASGD step on the array ``p`` (in place); the average ``ax`` and the 0-d ``eta``, ``mu`` in place.

    g ← ±g + λ·p
    p ← p·(1 − λ_d·η) − η·g                         (λ_d = lambd, η = eta)
    ax ← p if μ = 1 else ax + μ·(p − ax)            (the averaged iterate)
    η ← γ / (1 + λ_d·γ·t)^α,   μ ← 1 / max(1, t − t0)
    """
    d = _effective_grad(w0, p, g, weight_decay, maximize)
    e = float(eta)
    np.multiply(p, 1 - lambd * e, out=p)
    np.subtract(p, np.multiply(d, e, out=w1), out=p)
    m = float(mu)
    if m != 1:
        np.add(ax, np.multiply(np.subtract(p, ax, out=w1), m, out=w1), out=ax)
    else:
        np.copyto(ax, p)
    eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
    mu[...] = 1 / max(1, step - t0)


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky, 1992), like ``torch.optim.ASGD``; state per parameter:
    ``step``, ``eta``, ``mu`` and ``ax`` (the average of the iterates, which the parameter itself
    does not take: read it from ``opt.state[p]['ax']``).

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.ASGD([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    _hyper_checks = True

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None, maximize=False,
                 differentiable=False, capturable=False):
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        self._validate(defaults)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one ASGD step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            hp = dict(lr=float(group["lr"]), lambd=group["lambd"], alpha=group["alpha"], t0=group["t0"],
                      weight_decay=group["weight_decay"], maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["eta"] = _scalar_state(hp["lr"], p)
                    state["mu"] = _scalar_state(1.0, p)
                    state["ax"] = _zeros_state(p)
                asgd_update(data, g, state["ax"]._data, state["eta"]._data, state["mu"]._data, *self._works(p),
                            step=_bump_step(state), **hp)
                p._version[0] += 1
        return loss
