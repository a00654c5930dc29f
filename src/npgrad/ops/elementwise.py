"""Elementwise primitives: arithmetic, transcendental functions, comparisons, casts.

Each primitive states its local derivative in ``backward`` right beside ``forward``.
Gradients may be returned in the broadcast shape of the output; the engine sums them back.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor

_NUMBER = (int, float, bool, np.number, np.bool_)


# -- operand handling: PyTorch's type promotion ------------------------------------------------
def _arr(x):
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, _NUMBER):
        return x
    return np.asarray(Tensor(x).data) if isinstance(x, (list, tuple)) else np.asarray(x)


def promote(*xs):
    """Cast operands (tensors, arrays, Python numbers) to their common PyTorch result dtype.

    Tensors stay tensors (cast differentiably when needed); everything else becomes a
    constant ndarray of the result dtype.
    """
    raw = [_arr(x) for x in xs]
    dt = _dtype.result_type(*raw).np
    out = []
    for x, r in zip(xs, raw):
        if isinstance(x, Tensor):
            out.append(x if r.dtype == dt else cast(x, _dtype.from_numpy_dtype(dt)))
        else:
            out.append(np.asarray(r, dtype=dt))
    return out


def _pair(a, b):
    """Fast path of ``promote`` for two operands: same-dtype tensors, or a float tensor and a Python
    number (NumPy keeps the tensor's dtype for Python scalars, exactly PyTorch's rule here)."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a.data.dtype == b.data.dtype:
                return a, b
        elif type(b) in (float, int) and a.data.dtype.kind == "f":
            return a, b
    elif type(a) in (float, int) and isinstance(b, Tensor) and b.data.dtype.kind == "f":
        return a, b
    return promote(a, b)


def _broadcast_error(name, a, b):
    raise RuntimeError(f"{name}: the size of tensor a {tuple(np.shape(_arr(a)))} must match the size of "
                       f"tensor b {tuple(np.shape(_arr(b)))} (shapes are not broadcastable)") from None


def _float_operand(x):
    """Unary float functions (exp, sin, ...) promote integer tensors to the default float dtype."""
    if not isinstance(x, Tensor):
        x = Tensor(x) if not isinstance(x, _NUMBER) else Tensor._make(
            np.asarray(x, dtype=_dtype.result_type(x, 0.0).np), None, False, None)
    if x.data.dtype.kind not in "fc":
        x = cast(x, _dtype.get_default_dtype())
    return x


def check_inplace_dtype(result, target):
    if result.kind == "f" and target.kind in "biu" or result.kind in "iu" and target.kind == "b":
        raise RuntimeError(f"result type {_dtype.from_numpy_dtype(result)} can't be cast to the desired "
                           f"output type {_dtype.from_numpy_dtype(target)}")


def _shape_check(a, b, name):
    sa, sb = np.shape(a), np.shape(b)
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise RuntimeError(f"{name}: the size of tensor a {tuple(sa)} must match the size of tensor "
                               f"b {tuple(sb)} (shapes are not broadcastable)") from None


# -- casts ---------------------------------------------------------------------------------------
class Cast(Function):
    def name(self):
        return "ToCopyBackward0"  # PyTorch's name for x.to(dtype)

    @staticmethod
    def forward(ctx, x, dt, copy):
        return x.astype(dt.np, copy=copy)

    @staticmethod
    def backward(ctx, g):
        return g, None, None  # the engine casts g back to the input's dtype


def cast(x, dt, copy=False):
    if x.data.dtype == dt.np and not copy:
        return x
    if dt.is_floating_point and x.data.dtype.kind == "f":
        return Cast.apply(x, dt, copy)
    return Tensor._make(x.data.astype(dt.np), None, False, None)


# -- binary arithmetic ---------------------------------------------------------------------------
class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(b if need[0] else None, a if need[1] else None)
        return a * b

    @staticmethod
    def backward(ctx, g):
        b, a = ctx.saved_tensors
        return (g * b if b is not None else None), (g * a if a is not None else None)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a / b
        ctx.save_for_backward(b, out if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx, g):
        b, out = ctx.saved_tensors
        ga = g / b
        # d(a/b)/db = -a/b^2 = -out/b
        gb = -ga * out if out is not None else None
        return ga, gb


class Pow(Function):
    """x ** y for two tensors: d/dx = y x^(y-1), d/dy = x^y ln x."""

    @staticmethod
    def forward(ctx, x, y):
        _shape_check(x, y, "pow")
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.power(x, y)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, y, out = ctx.saved_tensors
        gx = g * y * x ** (y - 1) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            # 0 ** y contributes no gradient to y (log 0 would give nan)
            gy = g * out * log(where(x == 0, ones_like(x), x))
        return gx, gy


class PowScalar(Function):
    """x ** c for a constant c: d/dx = c x^(c-1)."""

    def name(self):
        return "PowBackward0"

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        ctx.save_for_backward(x)
        if c == 2:
            return x * x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(x, c)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        c = ctx.c
        if c == 0:
            return g * 0, None
        if c == 2:
            return g * 2.0 * x, None
        return g * c * x ** (c - 1), None


def _alpha(b, alpha):
    return b if alpha == 1 else mul(b, alpha)


def add(input, other, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion.

    >>> import npgrad
    >>> npgrad.add(npgrad.tensor([1.0, 2.0]), npgrad.tensor([[10.0], [20.0]]), alpha=2)
    tensor([[21., 22.],
            [41., 42.]])
    """
    a, b = _pair(input, _alpha(other, alpha))
    try:
        return Add.apply(a, b)
    except ValueError:
        _broadcast_error("add", a, b)


def sub(input, other, alpha=1, out=None):
    """``input - alpha * other`` with broadcasting.

    >>> import npgrad
    >>> npgrad.sub(npgrad.tensor([5, 6]), 1.5)
    tensor([3.5000, 4.5000])
    """
    a, b = _pair(input, _alpha(other, alpha))
    try:
        return Sub.apply(a, b)
    except ValueError:
        _broadcast_error("sub", a, b)


subtract = sub


def mul(input, other):
    """Elementwise product with broadcasting.

    >>> import npgrad
    >>> npgrad.mul(npgrad.tensor([1.0, 2.0]), 3)
    tensor([3., 6.])
    """
    a, b = _pair(input, other)
    try:
        return Mul.apply(a, b)
    except ValueError:
        _broadcast_error("mul", a, b)


multiply = mul


def div(input, other, rounding_mode=None):
    """True division (integers divide to the default float dtype), or 'trunc' / 'floor' division.

    >>> import npgrad
    >>> npgrad.div(npgrad.tensor([7, -7]), 2), npgrad.div(npgrad.tensor([7, -7]), 2, rounding_mode='floor')
    (tensor([ 3.5000, -3.5000]), tensor([ 3, -4]))
    """
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
        a, b = promote(input, other)
        fn = np.floor_divide if rounding_mode == "floor" else (
            lambda p, q: np.trunc(p / q).astype(np.result_type(p, q)))
        return Tensor._make(np.asarray(fn(_arr(a), _arr(b))), None, False, None)
    a, b = _pair(input, other)
    if np.asarray(_arr(a)).dtype.kind not in "fc" and np.asarray(_arr(b)).dtype.kind not in "fc":
        a, b = promote(a, b, 0.0)[:2]
    try:
        return Div.apply(a, b)
    except ValueError:
        _broadcast_error("div", a, b)


divide = true_divide = div


def floor_divide(input, other):
    return div(input, other, rounding_mode="floor")


class Remainder(Function):
    """``a - b * q`` with q = floor(a / b) (remainder, Python's sign rule) or trunc(a / b) (fmod, C's):
    q is piecewise constant, so d/da = 1 and d/db = -q."""

    @staticmethod
    def forward(ctx, a, b, rounding):
        _shape_check(a, b, "fmod" if rounding is np.trunc else "remainder")
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                ctx.save_for_backward(rounding(a / b))
        return np.remainder(a, b) if rounding is np.floor else np.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        gb = -g * ctx.saved_tensors[0] if ctx.needs_input_grad[1] else None
        return g, gb, None


def remainder(input, other):
    """Remainder with the sign of the divisor (Python's ``%``), like ``torch.remainder``.

    >>> import npgrad
    >>> npgrad.remainder(npgrad.tensor([-3.0, 3.0]), 2)
    tensor([1., 1.])
    """
    a, b = promote(input, other)
    return Remainder.apply(a, b, np.floor)


def fmod(input, other):
    """Remainder with the sign of the dividend (C's ``fmod``), like ``torch.fmod``.

    >>> import npgrad
    >>> npgrad.fmod(npgrad.tensor([-3.0, 3.0]), 2)
    tensor([-1.,  1.])
    """
    a, b = promote(input, other)
    return Remainder.apply(a, b, np.trunc)


def pow(input, exponent):
    """``input ** exponent``; a constant exponent uses the cheaper one-input primitive.

    >>> import npgrad
    >>> npgrad.pow(npgrad.tensor([1.0, 2.0, 3.0]), 2), 2 ** npgrad.tensor([0.0, 1.0])
    (tensor([1., 4., 9.]), tensor([1., 2.]))
    """
    if isinstance(exponent, _NUMBER) and isinstance(input, Tensor):
        if input.data.dtype.kind in "biu" and isinstance(exponent, float):
            input = cast(input, _dtype.get_default_dtype())
        if isinstance(exponent, (int, np.integer)) and exponent < 0 and input.data.dtype.kind in "biu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return PowScalar.apply(input, exponent)
    a, b = promote(input, exponent)
    return Pow.apply(a, b)


def float_power(input, exponent):
    return pow(cast(_float_operand(input), _dtype.float64), exponent)


class Maximum(Function):
    @staticmethod
    def forward(ctx, a, b):
        _shape_check(a, b, "maximum")
        if True in ctx.needs_input_grad:  # the mask costs a pass over memory: only for backward
            ctx.save_for_backward(_split_mask(a, b))
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        (m,) = ctx.saved_tensors  # 1 where a wins, 0 where b wins, 0.5 on ties
        return g * m, g * (1 - m)


class Minimum(Function):
    @staticmethod
    def forward(ctx, a, b):
        _shape_check(a, b, "minimum")
        if True in ctx.needs_input_grad:
            ctx.save_for_backward(_split_mask(b, a))
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        (m,) = ctx.saved_tensors
        return g * m, g * (1 - m)


def _split_mask(a, b):
    a, b = np.broadcast_arrays(a, b)
    dt = a.dtype if a.dtype.kind == "f" else np.float32
    return ((a > b).astype(dt) + 0.5 * (a == b).astype(dt))


def maximum(input, other):
    """Elementwise maximum; on ties the gradient is split equally, as in PyTorch.

    >>> import npgrad
    >>> npgrad.maximum(npgrad.tensor([1.0, 5.0]), npgrad.tensor([3.0, 2.0]))
    tensor([3., 5.])
    """
    a, b = promote(input, other)
    return Maximum.apply(a, b)


def minimum(input, other):
    """Elementwise minimum; on ties the gradient is split equally, as in PyTorch.

    >>> import npgrad
    >>> npgrad.minimum(npgrad.tensor([1.0, 5.0]), npgrad.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """
    a, b = promote(input, other)
    return Minimum.apply(a, b)


fmax, fmin = maximum, minimum


class Where(Function):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        zero = zeros_like(g)
        ga = where(cond, g, zero) if ctx.needs_input_grad[1] else None
        gb = where(cond, zero, g) if ctx.needs_input_grad[2] else None
        return None, ga, gb


def where(condition, input=None, other=None):
    """Elementwise ``input if condition else other`` (gradient flows to the chosen side).

    >>> import npgrad
    >>> npgrad.where(npgrad.tensor([True, False]), npgrad.tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    c = _arr(condition)
    if not isinstance(c, np.ndarray) or c.dtype != np.bool_:
        c = np.asarray(c).astype(bool)
    a, b = promote(input, other)
    return Where.apply(c, a, b)


# -- unary functions -----------------------------------------------------------------------------
class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        return np.negative(x)

    @staticmethod
    def backward(ctx, g):
        return -g


class Abs(Function):
    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out  # d e^x = e^x


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x  # d ln x = 1/x


class Log1p(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (out * 2)  # d sqrt(x) = 1 / (2 sqrt(x))


class Rsqrt(Function):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 1 / np.sqrt(x)
        ctx.save_for_backward(out)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * out * out * -0.5  # d x^(-1/2) = -1/2 x^(-3/2)


class Sin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * cos(x)


class Cos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * sin(x)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)  # d tanh = 1 - tanh^2


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        # exp of a non-positive number only: stable for logits of any size
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)  # d sigma = sigma (1 - sigma)


class Relu(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out > 0)  # 1 where x > 0, else 0 (the subgradient 0 at x = 0, as PyTorch)


class Clamp(Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(_inside(x, lo, hi))
        return np.clip(x, lo, hi) if (lo is not None or hi is not None) else x.copy()

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside, None, None  # passes where lo <= x <= hi


def _inside(x, lo, hi):
    m = np.ones(x.shape, dtype=bool)
    if lo is not None:
        m &= x >= lo
    if hi is not None:
        m &= x <= hi
    return m


def _unary(cls, float_only=True):
    def op(input):
        x = _float_operand(input) if float_only else input
        return cls.apply(x)
    op.__name__ = cls.__name__.lower()
    op.__doc__ = f"Elementwise ``{op.__name__}`` (see ``{cls.__name__}.backward`` for its derivative)."
    return op


exp = _unary(Exp)
log = _unary(Log)
log1p = _unary(Log1p)
sqrt = _unary(Sqrt)
rsqrt = _unary(Rsqrt)
sin = _unary(Sin)
cos = _unary(Cos)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)


def neg(input):
    """``-input``.

    >>> import npgrad
    >>> npgrad.neg(npgrad.tensor([1.0, -2.0]))
    tensor([-1.,  2.])
    """
    if input.data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return Neg.apply(input)


negative = neg


def abs(input):
    """Absolute value; its gradient at 0 is 0, as in PyTorch.

    >>> import npgrad
    >>> npgrad.abs(npgrad.tensor([-1.5, 0.0, 2.0]))
    tensor([1.5000, 0.0000, 2.0000])
    """
    if input.data.dtype == np.bool_:
        raise NotImplementedError("abs: not implemented for bool tensors")
    return Abs.apply(input)


absolute = abs


def relu(input):
    """max(x, 0); the gradient at 0 is 0.

    >>> import npgrad
    >>> npgrad.relu(npgrad.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    """
    return Relu.apply(input)


class Sign(Function):
    @staticmethod
    def forward(ctx, x):
        return np.sign(x)

    @staticmethod
    def backward(ctx, g):
        return zeros_like(g)  # piecewise constant: zero gradient (not None), as in PyTorch


def sign(input):
    """Sign of each element (-1, 0, 1); its gradient is zero everywhere, as in PyTorch.

    >>> import npgrad
    >>> npgrad.sign(npgrad.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    return Sign.apply(input)


sgn = sign


def heaviside(input, values):
    v = _arr(values)
    out = np.heaviside(input.data, v).astype(np.result_type(input.data, v))
    return Tensor._make(out, None, False, None)


def clamp(input, min=None, max=None):
    """Limit values to [min, max]; the gradient passes where min <= x <= max.

    >>> import npgrad
    >>> npgrad.clamp(npgrad.tensor([-2.0, 0.5, 3.0]), min=-1, max=1)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # PyTorch's rule at ties: the gradient goes to input (not split as in maximum/minimum)
        out = input
        if min is not None:
            out = where(lt(out, min), min, out)
        if max is not None:
            out = where(gt(out, max), max, out)
        return out
    if input.data.dtype.kind in "iu" and (isinstance(min, float) or isinstance(max, float)):
        input = cast(input, _dtype.get_default_dtype())
    dt = input.data.dtype.type
    return Clamp.apply(input, None if min is None else dt(min), None if max is None else dt(max))


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def square(input):
    """``input ** 2``.

    >>> import npgrad
    >>> npgrad.square(npgrad.tensor([-2.0, 3.0]))
    tensor([4., 9.])
    """
    return pow(input, 2)


def reciprocal(input):
    """``1 / input``.

    >>> import npgrad
    >>> npgrad.reciprocal(npgrad.tensor([2.0, 4.0]))
    tensor([0.5000, 0.2500])
    """
    return div(1.0, input)


def exp2(input):
    return pow(2.0, input)


def log2(input):
    return log(input) / float(np.log(2.0))


def log10(input):
    return log(input) / float(np.log(10.0))


def expm1(input):
    return exp(input) - 1


def tan(input):
    return sin(input) / cos(input)


def lerp(input, end, weight):
    return input + (end - input) * weight


def copy_like(input, src):
    """The value of ``src`` broadcast to ``input``'s shape and dtype (used by copy_ and fill_)."""
    if isinstance(src, Tensor):
        s = src if src.data.dtype == input.data.dtype else src.to(input.dtype) \
            if src.data.dtype.kind == "f" and input.data.dtype.kind == "f" else \
            Tensor._make(src.data.astype(input.data.dtype), None, False, None)
        try:
            np.broadcast_shapes(s.data.shape, input.data.shape)
        except ValueError:
            raise RuntimeError(f"copy_: source of shape {tuple(s.shape)} cannot be broadcast to "
                               f"{tuple(input.shape)}") from None
        from .shape import expand
        return expand(s, input.data.shape) if s.data.shape != input.data.shape else s + 0
    return Tensor._make(np.full(input.data.shape, src, dtype=input.data.dtype), None, False, None)


# -- non-differentiable: rounding, comparisons, logic -------------------------------------------
def _const(fn, *xs):
    arrs = [_arr(x) for x in promote(*xs)] if len(xs) > 1 else [_arr(xs[0])]
    if len(arrs) > 1:
        _shape_check(arrs[0], arrs[1], fn.__name__)
    return Tensor._make(np.asarray(fn(*arrs)), None, False, None)


def floor(input):
    """Round down (no gradient).

    >>> import npgrad
    >>> npgrad.floor(npgrad.tensor([-1.5, 1.5]))
    tensor([-2.,  1.])
    """
    return _const(np.floor, input)


def ceil(input):
    return _const(np.ceil, input)


def round(input, decimals=0):
    return _const(lambda a: np.round(a, decimals), input)


def trunc(input):
    return _const(np.trunc, input)


def eq(input, other):
    """Elementwise ``==`` (a bool tensor; no gradient).

    >>> import npgrad
    >>> npgrad.eq(npgrad.tensor([1, 2]), npgrad.tensor([1, 3]))
    tensor([ True, False])
    """
    if not isinstance(other, (Tensor, np.ndarray, list, tuple) + _NUMBER):
        return False
    return _const(np.equal, input, other)


def ne(input, other):
    if not isinstance(other, (Tensor, np.ndarray, list, tuple) + _NUMBER):
        return True
    return _const(np.not_equal, input, other)


def lt(input, other):
    """Elementwise ``<`` (a bool tensor).

    >>> import npgrad
    >>> npgrad.tensor([1.0, 3.0]) < 2
    tensor([ True, False])
    """
    return _const(np.less, input, other)


def le(input, other):
    return _const(np.less_equal, input, other)


def gt(input, other):
    return _const(np.greater, input, other)


def ge(input, other):
    return _const(np.greater_equal, input, other)


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def equal(input, other):
    return input.data.shape == other.data.shape and bool(np.array_equal(input.data, other.data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(_arr(input), _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._make(np.isclose(_arr(input), _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan),
                        None, False, None)


def logical_and(input, other):
    """Elementwise logical and of the truth values.

    >>> import npgrad
    >>> npgrad.logical_and(npgrad.tensor([True, True]), npgrad.tensor([1, 0]))
    tensor([ True, False])
    """
    return _const(np.logical_and, input, other)


def logical_or(input, other):
    return _const(np.logical_or, input, other)


def logical_xor(input, other):
    return _const(np.logical_xor, input, other)


def logical_not(input):
    return _const(np.logical_not, input)


def _bitwise(npfn, name):
    def op(input, other):
        a, b = promote(input, other)
        if _arr(a).dtype.kind == "f":
            raise TypeError(f"{name}: not supported for floating-point tensors (got {a.dtype})")
        return _const(npfn, a, b)
    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input):
    if input.data.dtype.kind == "f":
        raise TypeError(f"bitwise_not: not supported for floating-point tensors (got {input.dtype})")
    return _const(np.invert, input)


def isnan(input):
    """True where the value is nan.

    >>> import npgrad
    >>> npgrad.isnan(npgrad.tensor([1.0, float('nan')]))
    tensor([False,  True])
    """
    return _const(np.isnan, input)


def isinf(input):
    return _const(np.isinf, input)


def isfinite(input):
    return _const(np.isfinite, input)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return _const(lambda a: np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf), input)


def nonzero(input, as_tuple=False):
    idx = np.nonzero(_arr(input))
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64), None, False, None) for i in idx)
    return Tensor._make(np.stack(idx, axis=1).astype(np.int64), None, False, None)


def zeros_like(x):
    return Tensor._make(np.zeros_like(x.data), None, False, None)


def ones_like(x):
    return Tensor._make(np.ones_like(x.data), None, False, None)
