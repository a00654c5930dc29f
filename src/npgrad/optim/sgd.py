"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay."""
from __future__ import annotations

import numpy as np

from .. import _jit
from ..tensor import Tensor
from .optimizer import Optimizer, _check, _effective_grad

__all__ = ["SGD", "sgd_update"]

#: parameters from this size on take the compiled update when numba is there (an MLP's first
#: layer, 784x256: 4 NumPy passes over parameter, buffer and gradient against one)
_JIT_BYTES = 64 << 10


def sgd_update(p, g, buf, w0, w1, *, lr, momentum, dampening, nesterov, weight_decay, maximize):
    """One SGD step on the array ``p`` (in place) given its gradient ``g``; returns the momentum buffer.

    g ← ±g + λ·p                      (maximize flips the sign; λ = weight_decay)
    b ← g on the first step, then b ← μ·b + (1 − τ)·g     (μ = momentum, τ = dampening)
    d ← g + μ·b if nesterov else b    (d = g when μ = 0)
    p ← p − γ·d                       (γ = lr)

    ``buf`` is None before the first step with momentum; ``w0``, ``w1`` are scratch arrays shaped like ``p``.
    """
    d = _effective_grad(w0, p, g, weight_decay, maximize)
    if momentum != 0:
        if buf is None:
            buf = d.astype(p.dtype, copy=True)  # the buffer keeps the parameter's dtype
        else:
            np.multiply(buf, momentum, out=buf)
            np.add(buf, d if dampening == 0 else np.multiply(d, 1 - dampening, out=w1), out=buf)
        d = np.add(d, np.multiply(buf, momentum, out=w1), out=w1) if nesterov else buf
    np.subtract(p, np.multiply(d, lr, out=w1), out=p)
    return buf


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), like ``torch.optim.SGD``.

    Plain full-batch gradient descent is SGD with every sample in one batch.

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = npgrad.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w ** 2).sum().backward(); opt.step()
    >>> w
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group):
        super()._validate(group)
        _check(group["lr"] >= 0, f"Invalid learning rate: {group['lr']} (SGD: lr must be >= 0)")
        _check(group["momentum"] >= 0, f"Invalid momentum value: {group['momentum']} (SGD: momentum must be >= 0)")
        _check(group["weight_decay"] >= 0,
               f"Invalid weight_decay value: {group['weight_decay']} (SGD: weight_decay must be >= 0)")
        _check(not group["nesterov"] or (group["momentum"] > 0 and group["dampening"] == 0),
               "Nesterov momentum requires a momentum and zero dampening "
               f"(SGD got momentum={group['momentum']}, dampening={group['dampening']})")
        _check(not group["differentiable"], "SGD: differentiable=True is not supported by npgrad")

    def step(self, closure=None):
        """Perform one SGD step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum = float(group["lr"]), group["momentum"]
            hp = dict(lr=lr, momentum=momentum, dampening=group["dampening"], nesterov=group["nesterov"],
                      weight_decay=group["weight_decay"], maximize=group["maximize"])
            # the notes' case (plain momentum) written out inline; every other combination goes
            # through sgd_update, the rule in full
            plain = (momentum != 0 and not hp["nesterov"] and hp["dampening"] == 0 and hp["weight_decay"] == 0
                     and not hp["maximize"])
            for p, data, g in self._with_grad(group):
                state = self.state[p] if momentum != 0 else None
                buf = state.get("momentum_buffer") if state is not None else None
                if plain and buf is not None:
                    b = buf._data
                    jit = (_jit.kernels_for(data, b, g, min_bytes=_JIT_BYTES)
                           if data.flags.c_contiguous and b.flags.c_contiguous and g.flags.c_contiguous else None)
                    if jit is not None:  # the same update in one compiled pass (npgrad._jit)
                        t = data.dtype.type
                        jit.sgd_momentum(data.reshape(-1), b.reshape(-1), g.reshape(-1), t(lr), t(momentum))
                    else:
                        work = self._works(p)[1]
                        np.multiply(b, momentum, out=b)  # b <- momentum * b + g
                        np.add(b, g, out=b)
                        np.subtract(data, np.multiply(b, lr, out=work), out=data)  # p <- p - lr * b
                else:
                    buf = sgd_update(data, g, buf._data if buf is not None else None, *self._works(p), **hp)
                    if state is not None and "momentum_buffer" not in state:
                        state["momentum_buffer"] = Tensor._make(buf, None, False, None)
                p._version[0] += 1
        return loss
