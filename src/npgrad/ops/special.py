"""More elementwise primitives: inverse trig and hyperbolic functions, atan2, erf/erfc/erfinv,
copysign, logaddexp/logaddexp2 and the bit shifts.

Each primitive keeps its derivative beside its forward.  NumPy has no erf: scipy.special's functions
are used when scipy is installed; without it ``math.erf`` and ``math.erfc`` are applied
elementwise, and ``erfinv`` refines a closed-form first guess with Newton steps on erf itself until
it is exact to float64 round-off.

>>> import npgrad
>>> npgrad.atan2(npgrad.tensor([1.0]), npgrad.tensor([-1.0]))
tensor([2.3562])
>>> npgrad.erf(npgrad.tensor([0.0, 0.5]))
tensor([0.0000, 0.5205])
"""
from __future__ import annotations

import math

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor
from .elementwise import _dt, _float_operand, _shape_check, cast, on_device_of, promote, zeros_like
from .unary import exp

_SQRT_PI = math.sqrt(math.pi)


#: each generated function's docstring example: (input, printed result)
_EXAMPLES = {"asin": ("0.5", "0.5236"), "acos": ("0.5", "1.0472"), "atan": ("0.5", "0.4636"),
             "sinh": ("0.5", "0.5211"), "cosh": ("0.5", "1.1276"), "asinh": ("0.5", "0.4812"),
             "acosh": ("2.0", "1.3170"), "atanh": ("0.5", "0.5493"), "erf": ("0.5", "0.5205"),
             "erfc": ("0.5", "0.4795"), "erfinv": ("0.5", "0.4769")}


def _unary_fn(npfn, deriv, name):
    """A float unary primitive ``npfn`` whose derivative is ``deriv(x, out)`` (npgrad ops)."""
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = _backend.as_array(npfn(x)).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return g * deriv(x, out)
    def jvp(ctx, a, t, out):
        c = Tensor._make
        return deriv(c(a[0], None, False, None), c(out, None, False, None))._data * t[0]
    cls = type(name.capitalize(), (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                                 "jvp": staticmethod(jvp)})

    def op(input):
        return cls.apply(_float_operand(input))
    op.__name__ = name
    x, y = _EXAMPLES[name]
    op.__doc__ = (f"Elementwise ``{name}`` as ``torch.{name}`` (float results; integers promote).\n\n"
                  f"    >>> import npgrad\n    >>> npgrad.{name}(npgrad.tensor([{x}]))\n    tensor([{y}])\n")
    return cls, op


def _scipy(name):
    """scipy.special's vectorised function when scipy is installed (an optional accelerator, about
    10x faster), else None."""
    try:
        import scipy.special
    except ImportError:
        return None
    return getattr(scipy.special, name)


def _erf(x):
    fast = _scipy("erf")  # (on a device too: scipy's ufuncs dispatch to the array's library)
    if fast is not None:
        return fast(x)
    return _elementwise(math.erf, x)


def _erfc(x):
    fast = _scipy("erfc")
    if fast is not None:
        return fast(x)
    return _elementwise(math.erfc, x)


def _elementwise(fn, x):
    """The Python function ``fn`` applied to each element (float64; a device array's values on the host)."""
    if type(x) is not np.ndarray and _backend.is_device_array(x):
        return _backend.like(x, _elementwise(fn, _backend.to_numpy(x)))
    return np.vectorize(fn, otypes=[np.float64])(x) if x.size else np.zeros(x.shape)


def _horner(coeffs, x):
    """The polynomial with ``coeffs`` (highest power first) at ``x``, as ``np.polyval`` computes it."""
    y = np.zeros_like(x)
    for c in coeffs:
        y = y * x + c
    return y


def _erfinv(y):
    """Inverse of erf: Giles' single-precision guess, then Newton on erf (residual from erfc in the
    tails, where 1 - y is exact and erf(x) - y would cancel).  scipy's erfinv when installed."""
    fast = _scipy("erfinv")
    if fast is not None:
        return fast(y)
    y = y.astype(np.float64, copy=False) if _backend.is_device_array(y) else np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1.0 - y) * (1.0 + y))
        lo, hi = w - 2.5, np.sqrt(w) - 3.0
        p_lo = _horner([2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                         -0.00125372503, -0.00417768164, 0.246640727, 1.50140941], lo)
        p_hi = _horner([-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                         -0.0076224613, 0.00943887047, 1.00167406, 2.83297682], hi)
        x = np.where(w < 5.0, p_lo, p_hi) * y
        ok = np.abs(y) < 1
        x = np.where(ok, x, 0.0)
        for _ in range(3):
            res = np.where(x >= 0, (1.0 - y) - _erfc(x), _erfc(-x) - (1.0 + y))
            x = x - res / (2.0 / _SQRT_PI * np.exp(-x * x)) * ok
        # far tails (1 - |y| below ~1e-6): Newton on log erfc(|x|) = log(1 - |y|), well conditioned there
        tail = ok & (np.abs(y) > 0.999999)
        if tail.any():
            z, q = np.abs(x[tail]), 1.0 - np.abs(y[tail])
            for _ in range(8):
                ez = _erfc(z)
                z = z - (np.log(ez) - np.log(q)) / (-2.0 / _SQRT_PI * np.exp(-z * z) / ez)
            x[tail] = np.copysign(z, y[tail])
        return np.where(ok, x, np.where(np.abs(y) == 1, np.copysign(np.inf, y), np.nan))


Asin, asin = _unary_fn(np.arcsin, lambda x, o: (1 - x * x) ** -0.5, "asin")
Acos, acos = _unary_fn(np.arccos, lambda x, o: -((1 - x * x) ** -0.5), "acos")
Atan, atan = _unary_fn(np.arctan, lambda x, o: 1 / (1 + x * x), "atan")
Sinh, sinh = _unary_fn(np.sinh, lambda x, o: cosh(x), "sinh")
Cosh, cosh = _unary_fn(np.cosh, lambda x, o: sinh(x), "cosh")
Asinh, asinh = _unary_fn(np.arcsinh, lambda x, o: (x * x + 1) ** -0.5, "asinh")
Acosh, acosh = _unary_fn(np.arccosh, lambda x, o: (x * x - 1) ** -0.5, "acosh")
Atanh, atanh = _unary_fn(np.arctanh, lambda x, o: 1 / (1 - x * x), "atanh")
Erf, erf = _unary_fn(_erf, lambda x, o: exp(-x * x) * (2 / _SQRT_PI), "erf")
Erfc, erfc = _unary_fn(_erfc, lambda x, o: exp(-x * x) * (-2 / _SQRT_PI), "erfc")
Erfinv, erfinv = _unary_fn(_erfinv, lambda x, o: exp(o * o) * (_SQRT_PI / 2), "erfinv")
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


def _float_pair(input, other, name):
    if _dt(input).kind in "fc" or _dt(other).kind in "fc":
        a, b = promote(input, other)
    else:  # straight to the float dtype: a 0-d int64 -4 against a uint8 tensor must not wrap to uint8 first
        a, b = promote(input, other, 0.0)[:2]
    if not isinstance(a, Tensor):
        a = Tensor._make(a, None, False, None)
    a = _float_operand(a)
    if isinstance(b, Tensor):
        b = cast(b, a.dtype)
    elif _backend.is_device_array(b):
        b = b.astype(a._data.dtype, copy=False)
    else:  # a constant (on a device tensor's device)
        b = on_device_of(a._data, np.asarray(b, dtype=a._data.dtype))
    _shape_check(a._data, b._data if isinstance(b, Tensor) else b, name)
    return a, b


class Atan2(Function):
    """atan2(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)."""

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.saved_tensors
        r = g / (x * x + y * y)
        return r * x, -r * y

    @staticmethod
    def jvp(ctx, a, t, out):
        y, x = a
        return (x * t[0] - y * t[1]) / (x * x + y * y)


def atan2(input, other):
    """Angle of the point (other, input), in (-pi, pi], as ``torch.atan2``.

    >>> import npgrad
    >>> npgrad.atan2(npgrad.tensor([0.0, 1.0]), npgrad.tensor([-1.0, 0.0]))
    tensor([3.1416, 1.5708])
    """
    return Atan2.apply(*_float_pair(input, other, "atan2"))


arctan2 = atan2


class Copysign(Function):
    """|a| with the sign of b: d/da = out / a (+-1; 0 at a = 0, as PyTorch), d/db = 0."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.copysign(a, b)
        if ctx.needs_input_grad[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                ctx.save_for_backward(np.where(a == 0, 0.0, out / np.where(a == 0, 1, a)).astype(out.dtype))
        return out

    @staticmethod
    def backward(ctx, g):
        ga = g * ctx.saved_tensors[0] if ctx.needs_input_grad[0] else None
        return ga, zeros_like(g) if ctx.needs_input_grad[1] else None

    @staticmethod
    def jvp(ctx, a, t, out):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(a[0] == 0, 0.0, out / np.where(a[0] == 0, 1, a[0])) * t[0]


def copysign(input, other):
    """The magnitude of ``input`` with the sign of ``other`` (float result), as ``torch.copysign``.

    >>> import npgrad
    >>> npgrad.copysign(npgrad.tensor([1.0, -2.0, 3.0]), -1)
    tensor([-1., -2., -3.])
    """
    return Copysign.apply(*_float_pair(input, other, "copysign"))


class LogAddExp(Function):
    """log(b^x + b^y) in base b (e or 2): d/dx = b^(x - out), d/dy = b^(y - out)."""

    @staticmethod
    def forward(ctx, a, b, base2):
        ctx.base2 = base2
        out = (np.logaddexp2 if base2 else np.logaddexp)(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        if ctx.base2:
            return g * 2.0 ** (a - out), g * 2.0 ** (b - out), None
        return g * exp(a - out), g * exp(b - out), None

    @staticmethod
    def jvp(ctx, a, t, out):
        e = (lambda v: 2.0 ** v) if ctx.base2 else np.exp
        return e(a[0] - out) * t[0] + e(a[1] - out) * t[1]


def logaddexp(input, other):
    """``log(exp(input) + exp(other))`` without overflow, as ``torch.logaddexp``.

    >>> import npgrad
    >>> npgrad.logaddexp(npgrad.tensor([1000.0]), npgrad.tensor([1000.0]))
    tensor([1000.6932])
    """
    return LogAddExp.apply(*_float_pair(input, other, "logaddexp"), False)


def logaddexp2(input, other):
    """``log2(2**input + 2**other)``, as ``torch.logaddexp2``.

    >>> import npgrad
    >>> npgrad.logaddexp2(npgrad.tensor([1.0]), npgrad.tensor([1.0]))
    tensor([2.])
    """
    return LogAddExp.apply(*_float_pair(input, other, "logaddexp2"), True)


def _shift(left):
    name = "bitwise_left_shift" if left else "bitwise_right_shift"

    def op(input, other):
        if isinstance(input, Tensor) and input._data.dtype.kind in "iu" and isinstance(other, (int, np.integer)) \
                and not isinstance(other, bool):
            a, b = input, np.asarray(other, dtype=np.int64)  # a number shift keeps the tensor's dtype
        else:
            a, b = promote(input, other)
        x, s = (t._data if isinstance(t, Tensor) else _backend.as_array(t) for t in (a, b))
        if type(x) is not type(s):  # a device tensor and a constant: the constant joins its device
            x, s = (_backend.like(s, x), s) if type(x) is np.ndarray else (x, _backend.like(x, s))
        if x.dtype.kind not in "biu":
            raise NotImplementedError(f"\"{'lshift' if left else 'rshift'}_cpu\" not implemented for "
                                      f"'{a.dtype if isinstance(a, Tensor) else x.dtype}'")
        _shape_check(x, s, name)
        bits = x.dtype.itemsize * 8
        # PyTorch defines every shift amount: out of [0, bits) shifts everything out
        bad = (s < 0) | (s >= bits)
        sc = np.where(bad, 0, s).astype(x.dtype)
        if left:
            out = np.where(bad, 0, np.left_shift(x, sc))
        else:
            out = np.where(bad, np.where(x < 0, -1, 0), np.right_shift(x, sc))
        return Tensor._make(_backend.as_array(out).astype(x.dtype, copy=False), None, False, None)
    op.__name__ = name
    op.__doc__ = (f"``input {'<<' if left else '>>'} other`` on integer tensors, as ``torch.{name}``.\n\n"
                  f"    >>> import npgrad\n    >>> npgrad.{name}(npgrad.tensor([8, -8]), 1)\n"
                  f"    tensor({'[ 16, -16]' if left else '[ 4, -4]'})\n")
    return op


bitwise_left_shift = _shift(True)
bitwise_right_shift = _shift(False)

__all__ = ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan",
           "arcsinh", "arccosh", "arctanh", "atan2", "arctan2", "erf", "erfc", "erfinv", "copysign", "logaddexp",
           "logaddexp2", "bitwise_left_shift", "bitwise_right_shift"]
