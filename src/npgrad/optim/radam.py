"""RAdam: Adam whose adaptive step is switched on gradually, as the variance of its estimate allows."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _effective_grad, _new_step, _zeros_state

__all__ = ["RAdam", "radam_update"]


def radam_update(p, g, m, v, w0, w1, w2, *, step, lr, beta1, beta2, eps, weight_decay, decoupled, maximize):
    """One RAdam step on the array ``p`` (in place); ``m`` and ``v`` in place.

    g ← ±g + λ·p                  (or p ← p·(1 − γλ) with decoupled weight decay)
    m ← m + (1 − β1)·(g − m),  v ← β2·v + (1 − β2)·g²
    ρ∞ ← 2/(1 − β2) − 1,  ρ_t ← ρ∞ − 2t·β2^t/(1 − β2^t)
    r ← √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
    p ← p − γ · m/(1 − β1^t) · √(1 − β2^t)/(√v + ε) · r     if ρ_t > 5
    p ← p − γ · m/(1 − β1^t)                                otherwise (plain momentum SGD)
    """
    if decoupled and weight_decay != 0:
        np.multiply(p, 1 - lr * weight_decay, out=p)
    d = _effective_grad(w0, p, g, 0 if decoupled else weight_decay, maximize)
    np.add(m, np.multiply(np.subtract(d, m, out=w1), 1 - beta1, out=w1), out=m)
    np.multiply(v, beta2, out=v)
    np.add(v, np.multiply(np.multiply(d, d, out=w1), 1 - beta2, out=w1), out=v)
    bc1, bc2 = 1 - beta1 ** step, 1 - beta2 ** step
    update = np.multiply(np.divide(m, bc1, out=w1), lr, out=w1)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bc2
    if rho_t > 5.0:
        adaptive = np.divide(bc2 ** 0.5, np.add(np.sqrt(v, out=w2), eps, out=w2), out=w2)
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        np.multiply(np.multiply(update, adaptive, out=update), rect, out=update)
    np.subtract(p, update, out=p)


class RAdam(Optimizer):
    """RAdam (Liu et al., 2019), like ``torch.optim.RAdam`` (optionally with decoupled weight decay);
    state per parameter: ``step``, ``exp_avg`` and ``exp_avg_sq``.

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.RAdam([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    _hyper_checks = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                        weight_decay=weight_decay, maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable)
        self._validate(defaults)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one RAdam step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            hp = dict(lr=float(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
                      weight_decay=group["weight_decay"], decoupled=group["decoupled_weight_decay"],
                      maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                radam_update(data, g, state["exp_avg"]._data, state["exp_avg_sq"]._data, *self._works(p),
                             self._work(data, 2), step=_bump_step(state), **hp)
                p._version[0] += 1
        return loss
