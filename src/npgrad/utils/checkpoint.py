"""``npgrad.utils.checkpoint``: activation checkpointing, numerically a plain call.

PyTorch's ``checkpoint`` frees a segment's activations after forward and recomputes them during
backward, trading compute for memory; the gradients are those of the plain call.  npgrad runs the
segment directly (the memory saving is not implemented), so programs that use it run unchanged and
get the same numbers.

>>> import npgrad
>>> from npgrad.utils.checkpoint import checkpoint
>>> layer = npgrad.nn.Linear(2, 2)
>>> x = npgrad.ones(1, 2, requires_grad=True)
>>> npgrad.equal(checkpoint(layer, x, use_reentrant=False), layer(x))
True
"""
from __future__ import annotations

import warnings

__all__ = ["checkpoint", "checkpoint_sequential"]


def _warn_reentrant(use_reentrant):
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
                      "use_reentrant=False is recommended.", UserWarning, stacklevel=3)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default", debug=False,
               preserve_rng_state=True, **kwargs):
    """``function(*args, **kwargs)``, with PyTorch's checkpointing signature."""
    _warn_reentrant(use_reentrant)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (a list or an ``nn.Sequential``) one after the other on ``input``."""
    _warn_reentrant(use_reentrant)
    from ..nn.containers import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    for fn in functions:
        input = fn(input)
    return input
