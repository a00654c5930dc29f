"""NAdam: Adam with Nesterov momentum (the update looks one momentum step ahead)."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _check, _effective_grad, _new_step, _scalar_state, \
    _zeros_state

__all__ = ["NAdam", "nadam_update"]


def nadam_update(p, g, m, v, mu_product, w0, w1, w2, *, step, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                 decoupled, maximize):
    """One NAdam step on the array ``p`` (in place); ``m``, ``v`` and the 0-d ``mu_product`` in place.

    g ← ±g + λ·p                  (or p ← p·(1 − γλ) with decoupled weight decay)
    μ_t ← β1·(1 − ½·0.96^(t·ψ)),  μ_{t+1} likewise      (ψ = momentum_decay)
    Π ← Π·μ_t                     (mu_product)
    m ← m + (1 − β1)·(g − m),  v ← β2·v + (1 − β2)·g²
    σ ← √(v / (1 − β2^t)) + ε
    p ← p − γ·(1 − μ_t)/(1 − Π) · g/σ − γ·μ_{t+1}/(1 − Π·μ_{t+1}) · m/σ
    """
    if decoupled and weight_decay != 0:
        np.multiply(p, 1 - lr * weight_decay, out=p)
    d = _effective_grad(w0, p, g, 0 if decoupled else weight_decay, maximize)
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    np.multiply(mu_product, mu, out=mu_product)  # kept in float32, as PyTorch keeps it
    prod = float(mu_product)
    np.add(m, np.multiply(np.subtract(d, m, out=w1), 1 - beta1, out=w1), out=m)
    np.multiply(v, beta2, out=v)
    np.add(v, np.multiply(np.multiply(d, d, out=w1), 1 - beta2, out=w1), out=v)
    denom = np.add(np.sqrt(np.divide(v, 1 - beta2 ** step, out=w2), out=w2), eps, out=w2)
    np.add(p, np.multiply(np.divide(d, denom, out=w1), -lr * (1.0 - mu) / (1.0 - prod), out=w1), out=p)
    np.add(p, np.multiply(np.divide(m, denom, out=w1), (-lr * mu_next) / (1.0 - prod * mu_next), out=w1), out=p)


class NAdam(Optimizer):
    """NAdam (Dozat, 2016), like ``torch.optim.NAdam``, with ``momentum_decay`` and optional decoupled
    weight decay (NAdamW).  State per parameter: ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``.

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.NAdam([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.8944, -1.8944], requires_grad=True)
    """

    _hyper_checks = True

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                        weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group):
        super()._validate(group)
        _check(group["momentum_decay"] >= 0, f"Invalid momentum_decay value: {group['momentum_decay']} "
                                             "(NAdam: momentum_decay must be >= 0)")

    def step(self, closure=None):
        """Perform one NAdam step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            hp = dict(lr=float(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
                      weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
                      decoupled=group["decoupled_weight_decay"], maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["mu_product"] = _scalar_state(1.0, p)
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                nadam_update(data, g, state["exp_avg"]._data, state["exp_avg_sq"]._data, state["mu_product"]._data,
                             *self._works(p), self._work(data, 2), step=_bump_step(state), **hp)
                p._version[0] += 1
        return loss
