"""Unary elementwise primitives: neg, abs, exp, log, sqrt, trig, tanh, sigmoid, relu, clamp, sign.

Each primitive states its local derivative in ``backward`` right beside ``forward``; integer
inputs of the float functions are promoted to the default float dtype, as in PyTorch.

>>> import npgrad
>>> x = npgrad.tensor([0.0, 1.0], requires_grad=True)
>>> y = npgrad.exp(x).sum()
>>> y.backward(); x.grad
tensor([1.0000, 2.7183])
"""
from __future__ import annotations

import numpy as np

from .. import _backend, _dtype, _jit, _memory
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor
from .compare import gt, isnan, lt
from .elementwise import _float_operand, cast, div, pow, where, zeros_like


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
            ctx.save_for_backward(x)  # the input, as PyTorch: modifying it in place is then caught
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sign()


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
            # (an array even for a 0-d x: the saved output must be the returned object to keep its graph)
            out = _backend.as_array(1 / np.sqrt(x)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

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


def _flat_view(a):
    """The 1-D view of ``a``'s memory in memory order; None when ``a`` is not contiguous in any
    axis order."""
    if a.flags.c_contiguous:
        return a.reshape(-1)
    f = a.ravel(order="K")
    return f if f.base is not None else None


#: the compiled ReLU gradient pays from about this size on (an MLP's 128x128 batch: 5.9 -> 2.5 us)
_JIT_BYTES = 64 << 10


def _in_layout(g, like):
    """``g`` copied into ``like``'s memory order (in ``g``'s dtype)."""
    res = _memory.empty_like(like, g.dtype)
    np.copyto(res, g)
    return res


def _relu_grad(g, out):
    """``g * (out > 0)``; large activations use reused buffers in the activation's memory order
    (and one compiled pass when numba is installed, see :mod:`npgrad._jit`)."""
    if g.shape != out.shape:
        return g * (out > 0)
    if g.strides != out.strides and type(g) is np.ndarray and out.nbytes >= _memory.MIN_BYTES:
        # a gradient in another memory order, or broadcast (a mean's backward): one copy into the
        # activation's order, then the fast path (a multiply walking two orders is up to 20x slower)
        g = _in_layout(g, out)
    jit = _jit.kernels_for(out, g, min_bytes=_JIT_BYTES) if g.strides == out.strides else None
    if jit is not None:
        res = _memory.empty_like(out)
        gf, of, rf = _flat_view(g), _flat_view(out), _flat_view(res)
        if gf is not None and of is not None and rf is not None:
            jit.relu_grad(gf, of, rf)
            return res
    if out.nbytes < _memory.MIN_BYTES:
        return g * (out > 0)
    mask = np.greater(out, 0, out=_memory.empty_like(out, np.bool_))
    return np.multiply(g, mask, out=_memory.empty_like(out, np.result_type(g, mask)))


class ReluGrad(Function):
    """``g * (out > 0)``: the ReLU gradient mask applied in one primitive (the mask has zero derivative)."""

    @staticmethod
    def forward(ctx, g, out):
        ctx.save_for_backward(out)
        return _relu_grad(g, out)

    @staticmethod
    def backward(ctx, gg):
        (out,) = ctx.saved_tensors
        return ReluGrad.apply(gg, out), None


#: a row of zeros per float dtype, for :func:`_relu`
_ZERO_ROWS = {}
_ROW = 1 << 16
_SMALL = 4096


def _relu(x, out):
    """``out = max(x, 0)`` for floating ``x``, over the flat memory of both arrays.

    The 0 is a row of zeros, not the scalar: NumPy's vectorised maximum loop needs two arrays
    (against a scalar it runs element by element, measured 4x slower for a 128x256 batch and 2x for
    a 12.8 MB conv output).  ``out`` must have ``x``'s memory layout."""
    n = x.size
    # small: the fixed costs below would outweigh the faster loop; on a device: its own kernel
    if n < _SMALL or type(x) is not np.ndarray:
        return np.maximum(x, 0, out=out)
    xf, of = _flat_view(x), _flat_view(out)
    if xf is None or of is None or x.strides != out.strides:  # no flat memory, or not the same layout
        return np.maximum(x, 0, out=out)
    zeros = _ZERO_ROWS.get(x.dtype)
    if zeros is None:
        zeros = _ZERO_ROWS[x.dtype] = np.zeros(_ROW, dtype=x.dtype)
    if n <= _ROW:  # one flat loop (faster than one against a broadcast row)
        np.maximum(xf, zeros[:n], out=of)
        return out
    m = n - n % _ROW
    if m:
        np.maximum(xf[:m].reshape(-1, _ROW), zeros, out=of[:m].reshape(-1, _ROW))
    if m < n:
        np.maximum(xf[m:], zeros[:n - m], out=of[m:])
    return out


class Relu(Function):
    """max(0, x); d/dx = 1 where the output is positive, else 0 (0 at x = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind != "f":
            out = np.maximum(x, 0)
        elif x.nbytes < _memory.MIN_BYTES:
            out = _relu(x, np.empty_like(x))
        else:  # large activations: a reused buffer, in the input's memory order
            out = _relu(x, _memory.empty_like(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        masked = getattr(ctx, "_masked", None)
        if masked is not None:  # a max pooling of this output applied the mask already (ops.pool)
            del ctx._masked
            if masked is g._data:
                return g
        if not state.recording_any:  # plain backward: the mask straight on arrays, no node to record
            return Tensor._make(_backend.as_array(_relu_grad(g._data, out._data)), None, False, None)
        return ReluGrad.apply(g, out)


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
    m = np.ones_like(x, dtype=bool)
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
    if input._data.dtype == np.bool_:
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
    if input._data.dtype == np.bool_:
        raise NotImplementedError("abs: not implemented for bool tensors")
    return Abs.apply(input)


absolute = abs


def relu(input):
    """max(x, 0); the gradient at 0 is 0.

    >>> import npgrad
    >>> npgrad.relu(npgrad.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    """
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise RuntimeError("relu: Boolean inputs not supported for relu")
    return Relu.apply(input)


class Sign(Function):
    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            return x.copy()
        out = np.sign(x)
        # PyTorch's sign is (x > 0) - (x < 0): 0 for nan, where NumPy keeps nan
        return np.where(np.isnan(out), 0, out).astype(x.dtype, copy=False) if x.dtype.kind == "f" else out

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


def _past(cmp, x, bound):
    """Where ``bound`` replaces ``x``: beyond it, or where the bound is nan (PyTorch's clamp propagates it)."""
    out = cmp(x, bound)
    return out | isnan(bound) if isinstance(bound, Tensor) and bound.dtype.is_floating_point else out


def clamp(input, min=None, max=None):
    """Limit values to [min, max]; the gradient passes where min <= x <= max.

    >>> import npgrad
    >>> npgrad.clamp(npgrad.tensor([-2.0, 0.5, 3.0]), min=-1, max=1)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    for name, v in (("min", min), ("max", max)):
        if v is not None and not isinstance(v, (Tensor, int, float, np.number, np.bool_)):
            raise TypeError(f"clamp(): argument '{name}' must be a Number or Tensor, not {type(v).__name__} "
                            f"({v!r:.40})")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # PyTorch's rule at ties: the gradient goes to input (not split as in maximum/minimum)
        out = input
        if min is not None:
            out = where(_past(lt, out, min), min, out)
        if max is not None:
            out = where(_past(gt, out, max), max, out)
        return out
    # the bounds take part in type promotion (bool with 0 and 1 is int64, int with 0.5 the default float)
    rt = _dtype.result_type(input._data, *[v for v in (min, max) if v is not None])
    if rt.np != input._data.dtype:
        input = cast(input, rt)
    dt = input._data.dtype.type
    try:
        with np.errstate(over="raise"):  # (a finite float bound past float16's range is refused too)
            lo, hi = None if min is None else dt(min), None if max is None else dt(max)
    except (OverflowError, FloatingPointError):
        raise RuntimeError(f"clamp: a bound ({min}, {max}) cannot be converted to {input.dtype} "
                           "without overflow") from None
    return Clamp.apply(input, lo, hi)


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
