"""Adam: per-coordinate step sizes from running averages of the gradient and its square."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _effective_grad, _new_step, _zeros_state

__all__ = ["Adam", "adam_update"]


def adam_update(p, g, m, v, v_max, w0, w1, *, step, lr, beta1, beta2, eps, weight_decay, decoupled, maximize):
    """One Adam step on the array ``p`` (in place); ``m``, ``v`` (and ``v_max`` for AMSGrad) are
    updated in place. ``step`` counts from 1.

    g ← ±g + λ·p                  (coupled weight decay, Adam)   or   p ← p·(1 − γλ) (decoupled, AdamW)
    m ← m + (1 − β1)·(g − m)      (= β1·m + (1 − β1)·g)
    v ← β2·v + (1 − β2)·g²
    v̂ ← max(v̂, v) if amsgrad else v
    p ← p − γ/(1 − β1^t) · m / (√v̂ / √(1 − β2^t) + ε)
    """
    if decoupled and weight_decay != 0:
        np.multiply(p, 1 - lr * weight_decay, out=p)
    d = _effective_grad(w0, p, g, 0 if decoupled else weight_decay, maximize)
    np.add(m, np.multiply(np.subtract(d, m, out=w1), 1 - beta1, out=w1), out=m)
    np.multiply(v, beta2, out=v)
    np.add(v, np.multiply(np.multiply(d, d, out=w1), 1 - beta2, out=w1), out=v)
    if v_max is not None:
        v = np.maximum(v_max, v, out=v_max)
    step_size = lr / (1 - beta1 ** step)
    denom = np.divide(np.sqrt(v, out=w1), (1 - beta2 ** step) ** 0.5, out=w1)
    np.add(denom, eps, out=denom)
    np.multiply(np.divide(m, denom, out=w1), step_size, out=w1)
    np.subtract(p, w1, out=p)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), optionally AMSGrad, like ``torch.optim.Adam``.

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with ``amsgrad=True``,
    ``max_exp_avg_sq``; buffers have the parameter's dtype.

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.Adam([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _hyper_checks = True

    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, (tuple, list)) else betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay or self._decoupled)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _state(self, p, amsgrad):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["exp_avg"] = _zeros_state(p)
            state["exp_avg_sq"] = _zeros_state(p)
            if amsgrad:
                state["max_exp_avg_sq"] = _zeros_state(p)
        return state

    def step(self, closure=None):
        """Perform one Adam step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            amsgrad = group["amsgrad"]
            hp = dict(lr=float(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
                      weight_decay=group["weight_decay"], decoupled=group["decoupled_weight_decay"],
                      maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self._state(p, amsgrad)
                v_max = state["max_exp_avg_sq"]._data if amsgrad else None
                adam_update(data, g, state["exp_avg"]._data, state["exp_avg_sq"]._data, v_max,
                            *self._works(p), step=_bump_step(state), **hp)
                p._version[0] += 1
        return loss
