"""Reverse-mode autograd (``backward``, ``grad``), forward mode, grad modes and numerical checks."""
from . import forward_ad
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import backward, grad
from .function import Function as _Primitive
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .numerical import GradcheckError, gradcheck, gradgradcheck, numerical_diff, numerical_gradient


class Function(_Primitive):
    """Base class for user-defined differentiable ops, as ``torch.autograd.Function``.

    ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` are static methods that receive and return
    tensors; call the op with ``MyOp.apply(...)``.

    >>> import npgrad
    >>> class Cube(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x ** 2 * g
    >>> x = npgrad.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward(); x.grad
    tensor(12.)
    """
    _tensor_io = True

    def setup_context(ctx, inputs, output):
        """Define it (with a ``forward`` without ``ctx``) to save what backward needs apart from forward."""
        raise NotImplementedError("setup_context is not implemented.")

    setup_context._default = True  # (a subclass that defines its own gets the other calling style)
    setup_context = staticmethod(setup_context)


class functional:
    """``npgrad.autograd.functional``: jacobian, hessian, vjp, jvp on top of ``grad``."""

    @staticmethod
    def vjp(func, inputs, v=None, create_graph=False):
        from ..tensor import Tensor
        single = isinstance(inputs, Tensor)
        xs = [inputs] if single else list(inputs)
        xs = [x.detach().requires_grad_(True) for x in xs]
        out = func(*xs)
        gs = grad(out, xs, v, create_graph=create_graph, allow_unused=True, materialize_grads=True)
        return out.detach(), (gs[0] if single else gs)

    @staticmethod
    def jacobian(func, inputs, create_graph=False):
        import numpy as np
        from ..tensor import Tensor
        single = isinstance(inputs, Tensor)
        xs = [inputs] if single else list(inputs)
        xs = [x.detach().requires_grad_(True) for x in xs]
        out = func(*xs)
        rows = [[] for _ in xs]
        for k in range(out.numel()):
            go = np.zeros(out.numel(), dtype=out._data.dtype)
            go[k] = 1
            gs = grad(out, xs, Tensor._make(go.reshape(out.shape), None, False, None), retain_graph=True,
                      create_graph=create_graph, allow_unused=True, materialize_grads=True)
            for r, g in zip(rows, gs):
                r.append(g._data)
        jac = [Tensor._make(np.stack(r).reshape(tuple(out.shape) + tuple(x.shape)), None, False, None)
               for r, x in zip(rows, xs)]
        return jac[0] if single else tuple(jac)

    @staticmethod
    def hessian(func, inputs):
        def grad_fn(x):
            (g,) = grad(func(x), x, create_graph=True)
            return g
        return functional.jacobian(grad_fn, inputs)

    @staticmethod
    def jvp(func, inputs, v):
        return forward_ad.jvp(func, inputs, v)


__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "forward_ad", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "numerical_diff", "numerical_gradient", "gradcheck", "gradgradcheck", "GradcheckError", "functional"]
