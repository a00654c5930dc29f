"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _effective_grad, _new_step, _zeros_state

__all__ = ["Adamax", "adamax_update"]


def adamax_update(p, g, m, u, w0, w1, *, step, lr, beta1, beta2, eps, weight_decay, maximize):
    """One Adamax step on the array ``p`` (in place); ``m`` (exp_avg) and ``u`` (exp_inf) in place.

    g ← ±g + λ·p
    m ← m + (1 − β1)·(g − m)
    u ← max(β2·u, |g| + ε)
    p ← p − γ/(1 − β1^t) · m / u
    """
    d = _effective_grad(w0, p, g, weight_decay, maximize)
    np.add(m, np.multiply(np.subtract(d, m, out=w1), 1 - beta1, out=w1), out=m)
    np.multiply(u, beta2, out=u)
    np.maximum(u, np.add(np.abs(d, out=w1), eps, out=w1), out=u)
    np.subtract(p, np.multiply(np.divide(m, u, out=w1), lr / (1 - beta1 ** step), out=w1), out=p)


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7), like ``torch.optim.Adamax``; state per parameter:
    ``step``, ``exp_avg`` and ``exp_inf``.

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.Adamax([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _hyper_checks = True

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                        weight_decay=weight_decay, foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        self._validate(defaults)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one Adamax step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            hp = dict(lr=float(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
                      weight_decay=group["weight_decay"], maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_inf"] = _zeros_state(p)
                adamax_update(data, g, state["exp_avg"]._data, state["exp_inf"]._data, *self._works(p),
                              step=_bump_step(state), **hp)
                p._version[0] += 1
        return loss
