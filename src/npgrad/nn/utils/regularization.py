"""Explicit L1/L2 penalties to add to a loss: ``real_loss = loss + λ·Σ|w|`` or ``loss + λ·Σw²``.

The penalty is *added*: the optimizer minimises the loss, so a subtracted penalty would reward large
weights instead of shrinking them. L1 drives many weights to exactly zero (its gradient is λ·sign(w),
the same size for every weight); L2 shrinks large weights most (its gradient is 2λ·w).

Weight decay in an optimizer and a penalty in the loss are two routes to the same regularisation for
plain SGD: ``SGD(weight_decay=λ)`` equals adding ``λ / 2 * l2_penalty(params)`` to the loss. (For
Adam they differ; AdamW's decoupled decay is a third option.) The explicit form shows up in the loss
curve, works with any optimizer, and can target only some parameters, e.g. weights but not biases::

    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    loss = criterion(model(x), y) + 1e-4 * npgrad.nn.utils.l2_penalty(weights)
"""
from __future__ import annotations

import numpy as np

from ...tensor import Tensor

__all__ = ["l1_penalty", "l2_penalty"]


def _params(parameters, who):
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{who}: expected Tensors, got {type(p).__name__}")
    return params


def _total(terms, params):
    if not terms:
        dtype = params[0]._data.dtype if params else np.float32
        return Tensor._make(np.zeros((), dtype=dtype), None, False, None)
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def l1_penalty(parameters):
    """Σ |w| over all entries of ``parameters`` (a differentiable 0-d tensor; pushes weights to exactly 0).

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> float(npgrad.nn.utils.l1_penalty([w]))
    3.0
    """
    params = _params(parameters, "l1_penalty")
    return _total([p.abs().sum() for p in params], params)


def l2_penalty(parameters):
    """Σ w² over all entries of ``parameters`` (a differentiable 0-d tensor; its gradient is 2w).

    >>> import npgrad
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> float(npgrad.nn.utils.l2_penalty(w))
    5.0
    """
    params = _params(parameters, "l2_penalty")
    return _total([(p * p).sum() for p in params], params)
