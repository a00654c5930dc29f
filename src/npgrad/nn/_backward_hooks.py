"""Module backward hooks (``register_full_backward_hook`` / ``register_full_backward_pre_hook``).

As in PyTorch, the call wraps the module's tensor inputs and outputs in identity nodes: the output
nodes see ``grad_output`` (and run the pre-hooks, which may replace it); the input nodes see
``grad_input`` and run the hooks once every input's gradient is known, which may replace it.  When no
input requires grad, the hooks run with ``grad_input`` all None as soon as ``grad_output`` is known.
"""
from __future__ import annotations

import warnings

from ..autograd.function import Function
from ..tensor import Tensor


class _GradTap(Function):
    """Identity (a copy, so that in-place writes stay apart) whose backward hands the gradient to a callback."""

    @staticmethod
    def forward(ctx, x, on_grad):
        ctx.on_grad = on_grad
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return ctx.on_grad(g), None


class BackwardHookCall:
    """One call of a module with backward hooks: collects its gradients and runs the hooks."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.n_args = 0
        self.wanted = []           # positions of the inputs that require grad
        self.grad_inputs = {}
        self.grad_outputs = None
        self.n_outputs = 0

    def wrap_inputs(self, args):
        self.n_args = len(args)
        out = list(args)
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a.requires_grad:
                self.wanted.append(i)
                out[i] = _GradTap.apply(a, lambda g, i=i: self._input_grad(i, g))
        return tuple(out)

    def wrap_outputs(self, result):
        single = isinstance(result, Tensor)
        items = [result] if single else list(result) if isinstance(result, tuple) else None
        if items is None:
            return result
        self.n_outputs = len(items)
        self.grad_outputs = [None] * len(items)
        for i, r in enumerate(items):
            if isinstance(r, Tensor) and r.requires_grad:
                items[i] = _GradTap.apply(r, lambda g, i=i: self._output_grad(i, g))
        return items[0] if single else tuple(items)

    def _output_grad(self, i, g):
        self.grad_outputs[i] = g
        if i == 0:  # (the first output's node runs last of the outputs')
            for hook in list(self.pre_hooks.values()):
                r = hook(self.module, tuple(self.grad_outputs))
                if r is not None:
                    self.grad_outputs = list(r if isinstance(r, tuple) else (r,))
            if not self.wanted and self.hooks:
                warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                              "outputs since no inputs require gradients.", UserWarning, stacklevel=2)
                self._run_hooks()
        return self.grad_outputs[i]

    def _input_grad(self, i, g):
        self.grad_inputs[i] = g
        if len(self.grad_inputs) < len(self.wanted):
            return g
        new = self._run_hooks()
        if len(self.wanted) > 1 and new is not None:
            raise NotImplementedError("a full backward hook that returns new gradients is supported for modules "
                                      "with one input that requires grad")
        return g if new is None else new[i]

    def _run_hooks(self):
        grad_input = tuple(self.grad_inputs.get(i) for i in range(self.n_args))
        new = None
        for hook in list(self.hooks.values()):
            r = hook(self.module, grad_input if new is None else new, tuple(self.grad_outputs))
            if r is not None:
                if not self.wanted and any(x is not None for x in r):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
                new = tuple(r) if isinstance(r, (tuple, list)) else (r,)
        return new
