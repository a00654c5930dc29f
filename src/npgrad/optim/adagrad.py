"""Adagrad: step sizes shrink with the sum of all past squared gradients."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _bump_step, _check, _effective_grad, _new_step, _zeros_state

__all__ = ["Adagrad", "adagrad_update"]


def adagrad_update(p, g, s, w0, w1, *, step, lr, lr_decay, weight_decay, eps, maximize):
    """One Adagrad step on the array ``p`` (in place); the running sum ``s`` is updated in place.

    g ← ±g + λ·p
    s ← s + g²
    p ← p − γ/(1 + (t − 1)·η) · g / (√s + ε)      (η = lr_decay, t = step counting from 1)
    """
    d = _effective_grad(w0, p, g, weight_decay, maximize)
    clr = lr / (1 + (step - 1) * lr_decay)
    np.add(s, np.multiply(d, d, out=w1), out=s)
    std = np.add(np.sqrt(s, out=w1), eps, out=w1)
    np.multiply(np.divide(d, std, out=w1), clr, out=w1)
    np.subtract(p, w1, out=p)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), like ``torch.optim.Adagrad``.

    State per parameter (created with the optimizer, as in PyTorch): ``step`` and ``sum``, which
    starts at ``initial_accumulator_value``.

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.Adagrad([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group):
        super()._validate(group)
        _check(group["lr"] >= 0, f"Invalid learning rate: {group['lr']} (Adagrad: lr must be >= 0)")
        _check(group["lr_decay"] >= 0, f"Invalid lr_decay value: {group['lr_decay']} (Adagrad: lr_decay must be >= 0)")
        _check(group["weight_decay"] >= 0,
               f"Invalid weight_decay value: {group['weight_decay']} (Adagrad: weight_decay must be >= 0)")
        _check(group["initial_accumulator_value"] >= 0,
               f"Invalid initial_accumulator_value value: {group['initial_accumulator_value']} "
               "(Adagrad: initial_accumulator_value must be >= 0)")
        _check(group["eps"] >= 0, f"Invalid epsilon value: {group['eps']} (Adagrad: eps must be >= 0)")
        _check(not group["differentiable"], "Adagrad: differentiable=True is not supported by npgrad")

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group["params"]:
            self._state(p, group)

    def _state(self, p, group):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _new_step()
            state["sum"] = _zeros_state(p, group["initial_accumulator_value"])
        return state

    def step(self, closure=None):
        """Perform one Adagrad step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            hp = dict(lr=float(group["lr"]), lr_decay=group["lr_decay"], weight_decay=group["weight_decay"],
                      eps=group["eps"], maximize=group["maximize"])
            for p, data, g in self._with_grad(group):
                state = self._state(p, group)
                adagrad_update(data, g, state["sum"]._data, *self._works(p),
                               step=_bump_step(state), **hp)
                p._version[0] += 1
        return loss
