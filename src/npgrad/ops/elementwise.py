"""Elementwise primitives: PyTorch's type promotion, casts, binary arithmetic, maximum/minimum, where.

Each primitive states its local derivative in ``backward`` right beside ``forward``.
Gradients may be returned in the broadcast shape of the output; the engine sums them back.
Unary functions live in ``unary.py`` and comparisons/logic in ``compare.py``; both are
re-exported here, so ``elementwise.exp`` and ``elementwise.eq`` keep working.

>>> import npgrad
>>> a = npgrad.tensor([[1.0], [2.0]], requires_grad=True)
>>> (a * npgrad.tensor([1.0, 10.0])).sum().backward(); a.grad
tensor([[11.],
        [11.]])
"""
from __future__ import annotations

import numpy as np

from .. import _backend, _dtype
from ..autograd.function import Function
from ..tensor import Tensor, _to_array

_NUMBER = (int, float, bool, np.number, np.bool_)


# -- operand handling: PyTorch's type promotion ------------------------------------------------
def _arr(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, _NUMBER):
        return x
    if isinstance(x, (list, tuple)):
        return _to_array(x, _dtype.get_default_dtype())
    if not isinstance(x, (np.ndarray, np.generic)):
        if type(x) in _backend._BACKENDS:  # a device array (an op's intermediate)
            return x
        raise TypeError(f"expected a Tensor or a number as operand, but got {type(x).__name__} ({x!r:.40})")
    return np.asarray(x)


def promote(*xs):
    """Cast operands (tensors, arrays, Python numbers) to their common PyTorch result dtype.

    Tensors stay tensors (cast differentiably when needed); everything else becomes a
    constant ndarray of the result dtype.
    """
    raw = [_arr(x) for x in xs]
    dt = _dtype.result_type(*raw).np
    out = []
    dev = None  # a device array among the operands: constants join its device
    for x, r in zip(xs, raw):
        if isinstance(x, Tensor):
            out.append(x if r.dtype == dt else cast(x, _dtype.from_numpy_dtype(dt)))
            if dev is None and _backend.is_device_array(r):
                dev = r
        elif type(r) in _backend._BACKENDS:  # a device array given as a constant
            out.append(r.astype(dt, copy=False))
            dev = r if dev is None else dev
        else:
            try:
                out.append(np.asarray(r, dtype=dt))
            except OverflowError:  # PyTorch wraps a Python int into a narrower integer dtype: uint8 + 300 = 44
                out.append(np.asarray(r).astype(dt))
    if dev is not None:
        out = [o if isinstance(o, Tensor) else on_device_of(dev, o) for o in out]
    return out


def on_device_of(dev, c):
    """The host constant ``c`` (an array) on the device of the array ``dev``: a 0-d one filled there
    (no copy from host memory), a larger one copied.  Unchanged when ``dev`` is a host array."""
    if type(dev) is np.ndarray or type(c) is not np.ndarray:
        return c
    if c.ndim == 0:
        return _backend.array_module(dev).full((), c[()], dtype=c.dtype)
    return _backend.like(dev, c)


def call_on_one_device(fn, operands, arrays):
    """``fn(*arrays)`` for an op without a Function: when it mixes devices, a 0-d CPU tensor among
    ``operands`` joins the others' device (as in PyTorch) and other mixes raise PyTorch's error."""
    try:
        return fn(*arrays)
    except TypeError as e:
        if not _backend._BACKENDS:
            raise
        return fn(*_backend.on_one_device(operands, arrays, e)[1])


def _dt(x):
    """The dtype of an operand: a tensor's or an array's, NumPy's for a Python number."""
    x = _arr(x)
    d = getattr(x, "dtype", None)
    return np.asarray(x).dtype if d is None else d


def _pair(a, b):
    """Fast path of ``promote`` for two operands: same-dtype tensors, or a float tensor and a Python
    number (NumPy keeps the tensor's dtype for Python scalars, exactly PyTorch's rule here)."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype == b._data.dtype:
                return a, b
        elif type(b) in (float, int) and a._data.dtype.kind == "f":
            return a, b
    elif type(a) in (float, int) and isinstance(b, Tensor) and b._data.dtype.kind == "f":
        return a, b
    return promote(a, b)


def _broadcast_error(name, a, b):
    raise RuntimeError(f"{name}: the size of tensor a {tuple(np.shape(_arr(a)))} must match the size of "
                       f"tensor b {tuple(np.shape(_arr(b)))} (shapes are not broadcastable)") from None


def _float_operand(x):
    """Unary float functions (exp, sin, ...) promote integer tensors to the default float dtype."""
    if not isinstance(x, Tensor):
        arr = np.asarray(x, dtype=_dtype.result_type(x, 0.0).np) if isinstance(x, _NUMBER) else \
            _to_array(x, _dtype.get_default_dtype())  # never Tensor(x): Tensor(3) is 3 uninitialised values
        x = Tensor._make(arr, None, False, None)
    if x._data.dtype.kind not in "fc":
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


class Contiguous(Function):
    """A C-contiguous copy (``Tensor.contiguous`` of a tensor in another memory order, such as the
    conv layers' outputs); the gradient passes straight through."""

    def name(self):
        return "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        if type(x) is np.ndarray:
            return np.ascontiguousarray(x)
        return _backend.array_module(x).ascontiguousarray(x)

    @staticmethod
    def backward(ctx, g):
        return g


def cast(x, dt, copy=False):
    if x._data.dtype == dt.np and not copy:
        return x
    if dt.is_floating_point and x._data.dtype.kind == "f":
        return Cast.apply(x, dt, copy)
    return Tensor._make(x._data.astype(dt.np), None, False, None)


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


_NUMBERS = (float, int)


def _in_float32(op, a, b):
    """``op(a, b)`` for a float16 array and a Python number, as PyTorch's CPU kernels compute it: in float32,
    rounded once (x * 1e-9 keeps 60000 * 1e-9 = 6e-5 and x / 1e5 keeps 0.6, where NumPy rounds the number
    to float16 first: 0 and inf)."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # (inf past the range, as PyTorch)
        return op(a if type(a) in _NUMBERS else a.astype(np.float32),
                  b if type(b) in _NUMBERS else b.astype(np.float32)).astype(np.float16)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(b if need[0] else None, a if need[1] else None)
        if type(b) in _NUMBERS and a.dtype == np.float16 or type(a) in _NUMBERS and b.dtype == np.float16:
            return _in_float32(np.multiply, a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        b, a = ctx.saved_tensors
        return (g * b if b is not None else None), (g * a if a is not None else None)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        if type(b) in _NUMBERS and a.dtype == np.float16:
            out = _in_float32(np.divide, a, b)
        elif type(a) in _NUMBERS and b.dtype == np.float16:  # PyTorch's number / x is reciprocal(x) * number
            with np.errstate(divide="ignore"):
                out = _in_float32(np.multiply, a, np.reciprocal(b))
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                out = a / b
        # the inputs, not the output (as PyTorch): the quotient may then be modified in place
        ctx.save_for_backward(b, a if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx, g):
        b, a = ctx.saved_tensors
        ga = g / b
        gb = -ga * a / b if a is not None else None  # d(a/b)/db = -a/b^2
        return ga, gb


def _int_pow(x, y):
    """Integer powers with negative exponents, as PyTorch: 1 stays 1, -1 alternates, anything else is 0
    (the integer part of 1 / x**|y|).  NumPy refuses them."""
    neg = y < 0
    out = np.power(x, np.where(neg, 0, y))
    alt = np.where(np.abs(y) % 2 == 1, -1, 1).astype(out.dtype)
    return np.where(neg, np.where(x == 1, 1, np.where(x == -1, alt, 0)), out).astype(out.dtype)


class Pow(Function):
    """x ** y for two tensors: d/dx = y x^(y-1), d/dy = x^y ln x."""

    @staticmethod
    def forward(ctx, x, y):
        _shape_check(x, y, "pow")
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.power(x, y) if _dt(y).kind not in "iu" or np.all(y >= 0) else _int_pow(x, y)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, g):
        # PyTorch's values at 0: d/dx is 0 wherever y == 0 (also at x = 0, where y x^(y-1) is 0 * inf),
        # d/dy is 0 where x == 0 and y >= 0, and keeps out * ln 0 = -inf for 0 ** (y < 0)
        x, y, out = ctx.saved_tensors
        # (the masked entries compute on stand-in values, so no 0 * inf is ever evaluated)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            y0 = y == 0
            ys = where(y0, ones_like(y), y)
            gx = where(y0, zeros_like(g), g * ys * x ** (ys - 1))
        if ctx.needs_input_grad[1]:
            flat = (x == 0) & (y >= 0)
            gy = where(flat, zeros_like(g), g * where(flat, ones_like(out), out) * log(where(flat, ones_like(x), x)))
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
            out = np.power(x, c)
        return out if out.dtype == x.dtype else out.astype(x.dtype)  # NumPy's bool ** True is int8

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        c = ctx.c
        if c == 0:
            return g * 0, None
        if c == 2:
            return g * 2.0 * x, None
        return g * c * x ** (c - 1), None


def _alpha(a, b, alpha):
    """``alpha * b`` in the dtype of ``a + b``: alpha takes no part in type promotion, as in PyTorch."""
    if type(alpha) is int and alpha == 1:
        return b
    rt = _dtype.result_type(_arr(a), _arr(b))
    if not rt.is_floating_point and isinstance(alpha, (float, np.floating)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if rt is not _dtype.bool_ and isinstance(alpha, (bool, np.bool_)):
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if not isinstance(b, Tensor):
        return bool(b * alpha) if rt is _dtype.bool_ else b * alpha
    prod = mul(b if b._data.dtype == rt.np else cast(b, rt), alpha)
    return prod if prod._data.dtype == rt.np else cast(prod, rt)  # bool * 2 is int64: back to bool


def add(input, other, alpha=1):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion.

    >>> import npgrad
    >>> npgrad.add(npgrad.tensor([1.0, 2.0]), npgrad.tensor([[10.0], [20.0]]), alpha=2)
    tensor([[21., 22.],
            [41., 42.]])
    """
    a, b = _pair(input, _alpha(input, other, alpha))
    try:
        return Add.apply(a, b)
    except ValueError:
        _broadcast_error("add", a, b)


def sub(input, other, alpha=1):
    """``input - alpha * other`` with broadcasting.

    >>> import npgrad
    >>> npgrad.sub(npgrad.tensor([5, 6]), 1.5)
    tensor([3.5000, 4.5000])
    """
    bools = (_dt(input) == np.bool_) + (_dt(other) == np.bool_)
    if bools == 2:
        raise RuntimeError("sub: Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    if bools:
        raise RuntimeError("sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    a, b = _pair(input, _alpha(input, other, alpha))
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
        _check_int_divisor(b, f"div(rounding_mode={rounding_mode!r})")
        fn = np.floor_divide if rounding_mode == "floor" else _trunc_divide
        return Tensor._make(_backend.as_array(call_on_one_device(fn, (a, b), (_arr(a), _arr(b)))), None, False, None)
    if _dt(input).kind not in "fc" and _dt(other).kind not in "fc":
        # straight to the float dtype: a 0-d int64 -4 over a uint8 tensor must not wrap to uint8 first
        a, b = promote(input, other, 0.0)[:2]
    else:
        a, b = _pair(input, other)
    try:
        return Div.apply(a, b)
    except ValueError:
        _broadcast_error("div", a, b)


divide = true_divide = div


def _trunc_divide(p, q):
    if p.dtype.kind in "iu":  # exact for every int64 (p / q in float64 is not)
        return (np.sign(p) * np.sign(q) * (np.abs(p) // np.abs(q))).astype(p.dtype)
    return np.trunc(p / q)


def _check_int_divisor(b, where):
    """Integer division by zero has no value: PyTorch raises (NumPy would return 0 and warn)."""
    d = _arr(b)
    if _dt(d).kind in "iub" and not np.all(d):
        raise RuntimeError(f"{where}: integer division by zero (ZeroDivisionError)")


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
    _check_int_divisor(b, "remainder")
    return Remainder.apply(a, b, np.floor)


def fmod(input, other):
    """Remainder with the sign of the dividend (C's ``fmod``), like ``torch.fmod``.

    >>> import npgrad
    >>> npgrad.fmod(npgrad.tensor([-3.0, 3.0]), 2)
    tensor([-1.,  1.])
    """
    a, b = promote(input, other)
    _check_int_divisor(b, "fmod")
    return Remainder.apply(a, b, np.trunc)


def pow(input, exponent):
    """``input ** exponent``; a constant exponent uses the cheaper one-input primitive.

    >>> import npgrad
    >>> npgrad.pow(npgrad.tensor([1.0, 2.0, 3.0]), 2), 2 ** npgrad.tensor([0.0, 1.0])
    (tensor([1., 4., 9.]), tensor([1., 2.]))
    """
    if isinstance(exponent, _NUMBER) and isinstance(input, Tensor):
        rt = _dtype.result_type(input._data, exponent)  # bool ** 2 is int64, int ** 0.5 the default float
        if rt.np != input._data.dtype:
            input = cast(input, rt)
        if isinstance(exponent, (int, np.integer)) and exponent < 0 and input._data.dtype.kind in "biu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return PowScalar.apply(input, exponent)
    a, b = promote(input, exponent)
    if _dt(a) == np.bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    return Pow.apply(a, b)


def float_power(input, exponent):
    """``input ** exponent`` in float64: each tensor operand is cast straight to it (no float32 on the way,
    which would round integers above 2**24), a number base included."""
    def f64(v):
        return cast(v, _dtype.float64) if isinstance(v, Tensor) else v
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a Tensor as input or exponent")
    return pow(f64(input) if isinstance(input, Tensor) else float(input), f64(exponent))


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


def fmax(input, other):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN); the gradient goes to the value
    taken (to ``input`` on ties), as in PyTorch.

    >>> import npgrad
    >>> npgrad.fmax(npgrad.tensor([float('nan'), 1.0]), npgrad.tensor([1.0, float('nan')]))
    tensor([1., 1.])
    """
    a, b = promote(input, other)
    pa, pb = _arr(a), _arr(b)
    return where(_backend.as_array((pa >= pb) | (pb != pb)), a, b)


def fmin(input, other):
    """Elementwise minimum that ignores NaN, like ``torch.fmin``.

    >>> import npgrad
    >>> npgrad.fmin(npgrad.tensor([float('nan'), 1.0]), npgrad.tensor([2.0, 0.0]))
    tensor([2., 0.])
    """
    a, b = promote(input, other)
    pa, pb = _arr(a), _arr(b)
    return where(_backend.as_array((pa <= pb) | (pb != pb)), a, b)


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
    if isinstance(condition, Tensor) and c.dtype.kind not in "bu":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype}")
    if type(c) is not np.ndarray or c.dtype != np.bool_:
        c = _backend.as_array(c).astype(bool, copy=False)
    a, b = promote(input, other)
    for x in (input, other):  # a Python int must fit an integer result (an unsigned one takes -1 as 255)
        if type(x) is int and _dt(a).kind in "iu":
            from .._convert import check_fits
            check_fits(np.asarray(x), _dt(a), "where")
    if type(c) in _backend._BACKENDS:  # a device condition: constants and 0-d CPU tensors join it
        a, b = (_join(c, x) for x in (a, b))
    try:
        return Where.apply(c, a, b)
    except ValueError:
        shapes = (c.shape, np.shape(_arr(a)), np.shape(_arr(b)))
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise RuntimeError(f"where: condition {shapes[0]}, input {shapes[1]} and other {shapes[2]} are not "
                               "broadcastable") from None
        raise
    except TypeError:  # a 0-d CPU condition joins device tensors, as in PyTorch
        dev = next((x._data for x in (a, b) if isinstance(x, Tensor) and type(x._data) is not np.ndarray), None)
        if type(c) is not np.ndarray or c.ndim or dev is None:
            raise
        return Where.apply(on_device_of(dev, c), a, b)


def _join(dev, x):
    """Operand ``x`` of an op on the device array ``dev``: a constant or a 0-d CPU tensor moved there."""
    if not isinstance(x, Tensor):
        return on_device_of(dev, x)
    if type(x._data) is np.ndarray and x._data.ndim == 0:
        return x.to(_backend.device_of(dev))
    return x


def lerp(input, end, weight):
    if isinstance(end, Tensor) and end._data.dtype != input._data.dtype:  # PyTorch does not promote here
        raise RuntimeError(f"lerp: expected dtype {input.dtype} for `end` but got dtype {end.dtype}")
    return input + (end - input) * weight


def copy_like(input, src):
    """The value of ``src`` broadcast to ``input``'s shape and dtype (used by copy_ and fill_)."""
    if isinstance(src, Tensor):
        if type(src._data) is not type(input._data):  # copy_ crosses devices (differentiably), as in PyTorch
            src = src.to(input.device)
        s = src if src._data.dtype == input._data.dtype else src.to(input.dtype) \
            if src._data.dtype.kind == "f" and input._data.dtype.kind == "f" else \
            Tensor._make(src._data.astype(input._data.dtype), None, False, None)
        try:
            np.broadcast_shapes(s._data.shape, input._data.shape)
        except ValueError:
            raise RuntimeError(f"copy_: source of shape {tuple(s.shape)} cannot be broadcast to "
                               f"{tuple(input.shape)}") from None
        from .shape import expand
        return expand(s, input._data.shape) if s._data.shape != input._data.shape else s.clone()
    if not isinstance(src, (int, float, bool, np.number, np.bool_, np.ndarray)):
        raise TypeError(f"fill_(): argument 'value' must be Number, not {type(src).__name__} ({src!r:.40})")
    if not isinstance(src, np.ndarray):
        from .._convert import check_fits
        check_fits(np.asarray(src), input._data.dtype, "fill_")
        src = np.asarray(src).astype(input._data.dtype)[()]  # (an unsigned type takes -1 as 255, as PyTorch)
    if type(input._data) is not np.ndarray:  # on a device
        return Tensor._make(np.full_like(input._data, _backend.like(input._data, src) if
                                         isinstance(src, np.ndarray) else src), None, False, None)
    return Tensor._make(np.full(input._data.shape, src, dtype=input._data.dtype), None, False, None)


def zeros_like(x):
    return Tensor._make(np.zeros_like(x._data), None, False, None)


def ones_like(x):
    return Tensor._make(np.ones_like(x._data), None, False, None)


# the unary primitives live in unary.py; re-exported here (E.Exp, E.exp, ...)
from .unary import (_inside, _unary, Abs, abs, absolute, Clamp, clamp, clamp_max, clamp_min, clip, Cos, cos,
                    Exp, exp, exp2, expm1, Log, log, log10, Log1p, log1p, log2, Neg, neg, negative,
                    reciprocal, Relu, relu, Rsqrt, rsqrt, sgn, Sigmoid, sigmoid, Sign, sign, Sin, sin, Sqrt,
                    sqrt, square, tan, Tanh, tanh)  # noqa: E402,F401


# the comparison and logic ops live in compare.py; re-exported here (npgrad.ops.elementwise.eq, ...)
from .compare import (allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, ceil, eq, equal, floor,
                      ge, greater, greater_equal, gt, heaviside, isclose, isfinite, isinf, isnan, le, less,
                      less_equal, logical_and, logical_not, logical_or, logical_xor, lt, nan_to_num, ne,
                      nonzero, not_equal, round, trunc)  # noqa: E402,F401
