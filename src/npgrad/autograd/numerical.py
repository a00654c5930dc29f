"""Numerical differentiation: central differences, numerical gradients, and gradient checks.

These are what the notes do by hand (f(x+h) - f(x-h)) / 2h, and how every npgrad op's
backward is verified.
"""
from __future__ import annotations

import numpy as np

from .grad_mode import enable_grad, no_grad


def numerical_diff(f, x, h=1e-4):
    """Central difference ``(f(x+h) - f(x-h)) / (2h)`` of a scalar function at a number ``x``.

    >>> round(numerical_diff(lambda x: x ** 2, 3.0), 6)
    6.0
    """
    if h <= 0:
        raise ValueError(f"numerical_diff: h must be positive, got {h}")
    fx1, fx2 = f(x + h), f(x - h)
    return _as_float(fx1 - fx2) / (2 * h)


def _as_float(v):
    from ..tensor import Tensor
    if isinstance(v, Tensor):
        return v.item()
    return float(np.asarray(v))


def numerical_gradient(f, x, h=1e-4):
    """Gradient of scalar ``f(x)`` over every element of array ``x`` by central differences.

    ``x`` (an ndarray, or a tensor whose data is used) is perturbed in place one element at a time
    and restored afterwards.

    >>> import numpy as np
    >>> numerical_gradient(lambda a: (a ** 2).sum(), np.array([1.0, 2.0]))
    array([2., 4.])
    """
    from ..tensor import Tensor
    if h <= 0:
        raise ValueError(f"numerical_gradient: h must be positive, got {h}")
    arr = x._data if isinstance(x, Tensor) else x
    if not isinstance(arr, np.ndarray) or arr.dtype.kind != "f":
        raise TypeError(f"numerical_gradient: x must be a floating-point ndarray or tensor, got "
                        f"{type(x).__name__}{'' if not hasattr(arr, 'dtype') else ' of dtype ' + str(arr.dtype)}")
    grad = np.zeros_like(arr, dtype=np.float64)
    flat = arr.reshape(-1) if arr.flags.c_contiguous else None
    if flat is None:
        raise ValueError("numerical_gradient: x must be C-contiguous (it is perturbed in place)")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f1 = _as_float(f(x))
        flat[i] = old - h
        f2 = _as_float(f(x))
        flat[i] = old
        grad.reshape(-1)[i] = (f1 - f2) / (2 * h)
    return grad.astype(arr.dtype, copy=False)


class GradcheckError(RuntimeError):
    pass


def _outputs(fn, inputs):
    from ..tensor import Tensor
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, Tensor)]


def _jacobians(fn, inputs, eps):
    """Numerical and analytical Jacobians of each differentiable output w.r.t. each input."""
    from ..tensor import Tensor
    from .engine import grad as autograd_grad
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outs = _outputs(fn, inputs)
    results = []
    for oi, o in enumerate(outs):
        for ii in wrt:
            x = inputs[ii]
            num = np.zeros((o.numel(), x.numel()))
            flat = x._data.reshape(-1)
            for k in range(flat.size):
                old = flat[k]
                flat[k] = old + eps
                with no_grad():
                    plus = _outputs(fn, inputs)[oi]._data.astype(np.float64).reshape(-1)
                flat[k] = old - eps
                with no_grad():
                    minus = _outputs(fn, inputs)[oi]._data.astype(np.float64).reshape(-1)
                flat[k] = old
                num[:, k] = (plus - minus) / (2 * eps)
            ana = np.zeros_like(num)
            if o.requires_grad:
                for r in range(o.numel()):
                    go = np.zeros(o.numel(), dtype=o._data.dtype)
                    go[r] = 1
                    out_again = _outputs(fn, inputs)[oi]
                    g = autograd_grad(out_again, x, Tensor._make(go.reshape(o.shape), None, False, None),
                                      allow_unused=True)[0]
                    if g is not None:
                        ana[r] = g._data.astype(np.float64).reshape(-1)
            results.append((oi, ii, num, ana))
    return results


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """Compare autograd's gradients of ``fn(*inputs)`` with central differences, like PyTorch's.

    Use float64 inputs with ``requires_grad=True``. Returns True, or raises (or returns False) with
    a message naming the output, input, element and both values.

    >>> import npgrad
    >>> x = npgrad.randn(3, dtype=npgrad.float64, requires_grad=True)
    >>> gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    from ..tensor import Tensor
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype.name != "float64":
            import warnings
            warnings.warn(f"gradcheck: input {i} is {t.dtype}, not float64; the check may fail from "
                          "rounding alone", stacklevel=2)
    for oi, ii, num, ana in _jacobians(fn, inputs, eps):
        bad = ~np.isclose(ana, num, rtol=rtol, atol=atol)
        if bad.any():
            r, k = np.argwhere(bad)[0]
            shape = inputs[ii].shape
            elem = tuple(int(v) for v in np.unravel_index(k, shape)) if shape else ()
            msg = (f"Jacobian mismatch for output {oi} with respect to input {ii},\n"
                   f"at input element {elem} and output element {int(r)}:\n"
                   f"numerical: {num[r, k]!r}\nanalytical: {ana[r, k]!r}\n"
                   f"({int(bad.sum())} of {bad.size} entries differ beyond atol={atol}, rtol={rtol})")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
                  gen_non_contig_grad_outputs=False, **_ignored):
    """Check second derivatives: gradcheck of the map (inputs, v) -> v^T J computed with create_graph."""
    from ..tensor import Tensor
    from .engine import grad as autograd_grad
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    outs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [Tensor._make(rng.standard_normal(o.shape).astype(o._data.dtype), None, False, None)
                        .requires_grad_(True) for o in outs]
    else:
        # Tensor(int) would be that many uninitialised elements: wrap values, never sizes
        grad_outputs = [g if isinstance(g, Tensor) else Tensor._make(np.array(g), None, False, None) for g in
                        (grad_outputs if isinstance(grad_outputs, (list, tuple)) else [grad_outputs])]
    n = len(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def first_order(*args):
        xs, vs = args[:n], args[n:]
        with enable_grad():  # the numerical Jacobian evaluates this under no_grad
            ys = _outputs(fn, xs)
            gs = autograd_grad(ys, [xs[i] for i in wrt], list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_order, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
