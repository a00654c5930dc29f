"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _check, _effective_grad, _new_step, _zeros_state

__all__ = ["RMSprop", "rmsprop_update"]


def rmsprop_update(p, g, sq, g_avg, buf, w0, w1, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """One RMSprop step on the array ``p`` (in place); ``sq`` (and ``g_avg``, ``buf`` when used) in place.

    g ← ±g + λ·p
    v ← α·v + (1 − α)·g²
    ḡ ← ḡ + (1 − α)·(g − ḡ)               (centered only)
    σ ← √(v − ḡ²) + ε if centered else √v + ε
    b ← μ·b + g/σ,  p ← p − γ·b            (momentum μ > 0)
    p ← p − γ·g/σ                          (otherwise)
    """
    d = _effective_grad(w0, p, g, weight_decay, maximize)
    np.multiply(sq, alpha, out=sq)
    np.add(sq, np.multiply(np.multiply(d, d, out=w1), 1 - alpha, out=w1), out=sq)
    if centered:
        np.add(g_avg, np.multiply(np.subtract(d, g_avg, out=w1), 1 - alpha, out=w1), out=g_avg)
        avg = np.sqrt(np.subtract(sq, np.multiply(g_avg, g_avg, out=w1), out=w1), out=w1)
    else:
        avg = np.sqrt(sq, out=w1)
    np.add(avg, eps, out=avg)
    if momentum > 0:
        np.multiply(buf, momentum, out=buf)
        np.add(buf, np.divide(d, avg, out=w1), out=buf)
        np.subtract(p, np.multiply(buf, lr, out=w1), out=p)
    else:
        np.subtract(p, np.multiply(np.divide(d, avg, out=w1), lr, out=w1), out=p)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), optionally centered and with momentum, like ``torch.optim.RMSprop``.

    State per parameter: ``step``, ``square_avg``, plus ``momentum_buffer`` (momentum > 0) and
    ``grad_avg`` (centered).

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.RMSprop([w], lr=0.01)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group):
        super()._validate(group)
        _check(group["lr"] >= 0, f"Invalid learning rate: {group['lr']} (RMSprop: lr must be >= 0)")
        _check(group["eps"] >= 0, f"Invalid epsilon value: {group['eps']} (RMSprop: eps must be >= 0)")
        _check(group["momentum"] >= 0,
               f"Invalid momentum value: {group['momentum']} (RMSprop: momentum must be >= 0)")
        _check(group["weight_decay"] >= 0,
               f"Invalid weight_decay value: {group['weight_decay']} (RMSprop: weight_decay must be >= 0)")
        _check(group["alpha"] >= 0, f"Invalid alpha value: {group['alpha']} (RMSprop: alpha must be >= 0)")
        _check(not group["differentiable"], "RMSprop: differentiable=True is not supported by npgrad")

    def _state(self, p, group):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["square_avg"] = _zeros_state(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = _zeros_state(p)
            if group["centered"]:
                state["grad_avg"] = _zeros_state(p)
        return state

    def step(self, closure=None):
        """Perform one RMSprop step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            hp = dict(lr=float(group["lr"]), alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"],
                      momentum=group["momentum"], centered=group["centered"], maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self._state(p, group)
                _bump_step(state)
                g_avg = state["grad_avg"]._data if hp["centered"] else None
                buf = state["momentum_buffer"]._data if hp["momentum"] > 0 else None
                rmsprop_update(data, g, state["square_avg"]._data, g_avg, buf, *self._works(p), **hp)
                p._version[0] += 1
        return loss
