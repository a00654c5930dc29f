"""SparseAdam: the lazy Adam of embedding tables, updating only the rows a sparse gradient touches."""
from __future__ import annotations

import math

import numpy as np

from .. import _backend
from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["SparseAdam", "sparse_adam_update"]


def sparse_adam_update(p, rows, values, m, v, *, step, lr, beta1, beta2, eps):
    """One SparseAdam step on the rows ``rows`` (unique) of the array ``p``, whose gradient there is
    ``values``; only those rows of ``m`` and ``v`` move (the other rows keep their moments).

    m_r ← m_r + (1 − β1)·(g_r − m_r),  v_r ← v_r + (1 − β2)·(g_r² − v_r)
    p_r ← p_r − γ·√(1 − β2^t)/(1 − β1^t) · m_r / (√v_r + ε)
    """
    t = p.dtype.type  # scalars in the parameter's dtype (float32 stays float32)
    m_r = m[rows] + (values - m[rows]) * t(1 - beta1)
    v_r = v[rows] + (values * values - v[rows]) * t(1 - beta2)
    m[rows], v[rows] = m_r, v_r
    step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    p[rows] += t(-step_size) * (m_r / (np.sqrt(v_r) + t(eps)))


class SparseAdam(Optimizer):
    """Adam for sparse gradients, like ``torch.optim.SparseAdam``: moments and parameters change only
    in the rows the gradient holds.

    npgrad has no sparse tensor type, and every gradient it computes (``nn.Embedding(sparse=True)``
    included) is dense: ``step()`` then raises PyTorch's ``RuntimeError`` pointing to ``Adam``.  A
    gradient in PyTorch's sparse COO form is accepted: an object with ``is_sparse = True`` whose
    ``coalesce()`` gives ``_indices()`` (1 x nnz row numbers) and ``_values()`` (nnz x row shape).

    >>> import npgrad
    >>> emb = npgrad.nn.Embedding(4, 2)
    >>> opt = npgrad.optim.SparseAdam(emb.parameters())
    >>> emb(npgrad.tensor([1])).sum().backward()
    >>> opt.step()
    Traceback (most recent call last):
    RuntimeError: SparseAdam does not support dense gradients, please consider Adam instead
    """

    _hyper_checks = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps, maximize=maximize)
        self._validate(defaults)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one SparseAdam step; returns ``closure()``'s loss when a closure is given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if not getattr(grad, "is_sparse", False):
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
                grad = grad.coalesce()  # the update is not linear: each row must appear once
                rows = _array_on(p._data, grad._indices())[0]
                values = _array_on(p._data, grad._values()).astype(p._data.dtype, copy=False)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = p.new_zeros(p.shape)
                    state["exp_avg_sq"] = p.new_zeros(p.shape)
                state["step"] += 1
                if values.size == 0:
                    continue
                sparse_adam_update(p._data, rows, -values if group["maximize"] else values, state["exp_avg"]._data,
                                   state["exp_avg_sq"]._data, step=state["step"], lr=float(group["lr"]),
                                   beta1=beta1, beta2=beta2, eps=group["eps"])
                p._version[0] += 1
        return loss


def _array_on(param, x):
    """A sparse gradient's indices or values as an array on the device of ``param``."""
    x = x._data if isinstance(x, Tensor) else x
    if type(param) is np.ndarray:
        return np.asarray(_backend.to_numpy(x))
    return x if _backend.is_device_array(x) else _backend.like(param, np.asarray(x))
