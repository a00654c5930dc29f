"""Activation functions of ``npgrad.nn.functional``.

Primitives are written only where they save passes over memory or are needed for numerical
stability (softmax, log_softmax, softplus, the piecewise-linear family); the rest are composed of
npgrad ops. Every backward uses npgrad ops, so second derivatives work.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _backend
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..ops import elementwise as E
from ..ops.unary import Relu, ReluGrad  # noqa: F401  (one ReLU primitive for npgrad.relu and F.relu)
from ..tensor import Tensor, _norm_dim

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "celu", "gelu",
           "silu", "mish", "softplus", "softsign", "sigmoid", "tanh", "logsigmoid", "hardtanh", "hardtanh_",
           "hardsigmoid", "hardswish", "threshold", "threshold_", "tanhshrink", "prelu", "softmax",
           "log_softmax", "softmin", "step", "sign", "erf", "glu", "softshrink", "hardshrink"]


def _const(arr):
    return Tensor._make(arr, None, False, None)


def _check_tensor(x, who):
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}(): argument 'input' must be a Tensor, not {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise _NotFloat(f"{who}(): expected a floating-point input, got {x.dtype} (\"{who}\" not implemented "
                        f"for '{x.dtype}')")


class _NotFloat(NotImplementedError, TypeError):
    """PyTorch's type for a kernel missing for a dtype is NotImplementedError; it is a wrong argument type too."""


def _maybe_inplace(input, fn, inplace):
    """Run ``fn(input)``; with ``inplace`` write the result back into ``input`` (PyTorch's ``inplace=True``)."""
    return input._inplace(fn) if inplace else fn(input)


# -- piecewise-linear activations: out = x * slope(x); the gradient is g * slope(x) -------------------
class LeakyRelu(Function):
    """``x * s`` where ``s`` is a constant array computed from ``x`` (a mask or slope): d/dx = s."""

    @staticmethod
    def forward(ctx, x, s):
        ctx.save_for_backward(s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s, None


class Masked(Function):
    """``out`` computed by the caller; the gradient passes unchanged where ``mask`` is true, else 0."""

    @staticmethod
    def forward(ctx, x, out, mask):
        ctx.save_for_backward(mask)
        return out

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask, None, None


class ZeroGrad(Function):
    """A locally constant function (step, sign): the value is given, the gradient is exactly zero."""

    @staticmethod
    def forward(ctx, x, out):
        return out

    @staticmethod
    def backward(ctx, g):
        return E.zeros_like(g), None


def relu(input, inplace=False):
    """max(0, x), elementwise.

    >>> import npgrad
    >>> npgrad.nn.functional.relu(npgrad.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    if inplace:
        return input._inplace(Relu.apply)
    if not isinstance(input, Tensor):
        raise TypeError(f"relu(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if input._data.dtype == np.bool_:
        raise RuntimeError("relu: Boolean inputs not supported for relu")
    return Relu.apply(input)


def relu_(input):
    return relu(input, True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, ``negative_slope * x`` otherwise.

    >>> import npgrad
    >>> npgrad.nn.functional.leaky_relu(npgrad.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    def fn(x):
        d = x._data
        s = np.where(d > 0, d.dtype.type(1), d.dtype.type(negative_slope))
        return LeakyRelu.apply(x, s)
    return _maybe_inplace(input, fn, inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clip to [min_val, max_val]; the gradient passes strictly inside the interval, as in PyTorch.

    >>> import npgrad
    >>> npgrad.nn.functional.hardtanh(npgrad.tensor([-3.0, 0.5, 3.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")

    def fn(x):
        d = x._data
        t = d.dtype.type
        out = np.clip(d, t(min_val), t(max_val))
        return Masked.apply(x, out, (d > min_val) & (d < max_val))
    return _maybe_inplace(input, fn, inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else ``value`` (the gradient passes where x > threshold).

    >>> import npgrad
    >>> npgrad.nn.functional.threshold(npgrad.tensor([0.05, 0.5]), 0.1, 20.0)
    tensor([20.0000,  0.5000])
    """
    def fn(x):
        d = x._data
        mask = d > threshold
        return Masked.apply(x, np.where(mask, d, d.dtype.type(value)), mask)
    return _maybe_inplace(input, fn, inplace)


def threshold_(input, threshold_value, value):
    return threshold(input, threshold_value, value, True)


def step(input, threshold=0.0, low=0.0, high=1.0):
    """Heaviside step (the McCulloch–Pitts activation): ``high`` where x >= threshold, else ``low``.

    ``step(z)`` is 1/0; ``step(z, low=-1.0)`` is the bipolar ±1 neuron. Its gradient is zero
    everywhere (the jump at the threshold has no derivative; 0 is used there too).
    This is an npgrad extension (PyTorch has only ``torch.heaviside``).

    >>> import npgrad
    >>> npgrad.nn.functional.step(npgrad.tensor([-0.5, 0.0, 2.0]))
    tensor([0., 1., 1.])
    """
    _check_tensor(input, "step")
    d = input._data
    t = d.dtype.type
    return ZeroGrad.apply(input, np.where(d >= threshold, t(high), t(low)))


def sign(input):
    """-1, 0 or 1 by the sign of x, with zero gradient (also finite at ±inf).

    >>> import npgrad
    >>> npgrad.nn.functional.sign(npgrad.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    return ZeroGrad.apply(input, np.sign(input._data))


# -- smooth activations -----------------------------------------------------------------------------
class Elu(Function):
    """x for x > 0, alpha (e^x - 1) otherwise; d/dx = out + alpha on the negative side."""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha
        pos = x > 0
        with np.errstate(over="ignore"):
            out = np.where(pos, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)
        ctx.save_for_backward(pos, out)
        return out

    @staticmethod
    def backward(ctx, g):
        pos, out = ctx.saved_tensors
        # the saved output is connected to the graph, so this also gives the second derivative
        return E.where(pos, g, g * (out + ctx.alpha)), None


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    >>> import npgrad
    >>> npgrad.nn.functional.elu(npgrad.tensor([0.0, 1.0])).tolist()
    [0.0, 1.0]
    """
    return _maybe_inplace(input, lambda x: Elu.apply(x, alpha), inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _maybe_inplace(input, lambda x: Elu.apply(x, _SELU_ALPHA) * _SELU_SCALE, inplace)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise ValueError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_inplace(input, lambda x: Elu.apply(x / alpha, 1.0) * alpha, inplace)


def _erf_array(x):
    try:
        from scipy.special import erf as _erf  # a ufunc: a device array dispatches it to its library
    except ImportError:  # exact but slower fallback: scipy is optional
        if _backend.is_device_array(x):  # (Python's erf needs the values on the host)
            return _backend.like(x, _erf_array(_backend.to_numpy(x)))
        _erf = np.frompyfunc(math.erf, 1, 1)
    return _backend.as_array(_erf(x)).astype(x.dtype, copy=False)


class Erf(Function):
    """erf(x); d/dx = 2/sqrt(pi) exp(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf_array(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * E.exp(-(x * x)) * (2 / math.sqrt(math.pi))


def erf(input):
    """The error function, elementwise (differentiable)."""
    _check_tensor(input, "erf")
    return Erf.apply(input)


class Gelu(Function):
    """x Phi(x); d/dx = Phi(x) + x phi(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x * 0.5 * (1 + _erf_array(x * np.sqrt(0.5).astype(x.dtype)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        cdf = (erf(x * math.sqrt(0.5)) + 1) * 0.5
        pdf = E.exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)


def gelu(input, approximate="none"):
    """Gaussian error linear unit ``x * Phi(x)``; ``approximate='tanh'`` uses the tanh formula.

    >>> import npgrad
    >>> round(npgrad.nn.functional.gelu(npgrad.tensor([1.0])).item(), 4)
    0.8413
    """
    if approximate == "none":
        return Gelu.apply(input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2 / math.pi)
        return input * 0.5 * (E.tanh(inner) + 1)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def sigmoid(input):
    """1 / (1 + exp(-x)), stable for any x."""
    return E.sigmoid(input)


def tanh(input):
    return E.tanh(input)


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish)."""
    return _maybe_inplace(input, lambda x: x * E.sigmoid(x), inplace)


class Softplus(Function):
    """log(1 + exp(beta x)) / beta, linear above ``threshold``; d/dx = sigmoid(beta x)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        bx = x * x.dtype.type(beta)
        # log1p(exp(-|z|)) + max(z, 0): no overflow for any z
        out = (np.log1p(np.exp(-np.abs(bx))) + np.maximum(bx, 0)) / x.dtype.type(beta)
        return np.where(bx > threshold, x, out).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        lin = _const(bx._data > ctx.threshold)
        return g * E.where(lin, E.ones_like(x), E.sigmoid(bx)), None, None


def softplus(input, beta=1.0, threshold=20.0):
    """Smooth ReLU ``log(1 + exp(beta * x)) / beta``; stable for any x.

    >>> import npgrad
    >>> [round(v, 4) for v in npgrad.nn.functional.softplus(npgrad.tensor([-1000.0, 0.0, 1000.0])).tolist()]
    [0.0, 0.6931, 1000.0]
    """
    return Softplus.apply(input, beta, threshold)


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), stable for any x."""
    return -Softplus.apply(-input, 1.0, 20.0)


def softsign(input):
    return input / (E.abs(input) + 1)


def tanhshrink(input):
    return input - E.tanh(input)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    return E.where(input > lambd, input - lambd, E.where(input < -lambd, input + lambd, input * 0))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    return E.where(E.abs(input) > lambd, input, input * 0)


def glu(input, dim=-1):
    """The gated linear unit: the first half of ``dim`` times the sigmoid of the second half."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.ndim} is size "
                           f"{input.shape[dim]}")
    a, b = input.chunk(2, dim)
    return a * E.sigmoid(b)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _maybe_inplace(input, lambda x: x * E.tanh(softplus(x)), inplace)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return _maybe_inplace(input, lambda x: hardtanh(x, -3.0, 3.0) / 6 + 0.5, inplace)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    return _maybe_inplace(input, lambda x: x * (hardtanh(x, -3.0, 3.0) / 6 + 0.5), inplace)


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), with one weight per channel (dim 1) or a single shared one."""
    if weight.ndim != 1:
        raise RuntimeError(f"prelu: weight must be 1-D, got shape {tuple(weight.shape)}")
    n = weight.shape[0]
    if n != 1:
        ch = input.shape[1] if input.ndim >= 2 else input.shape[0] if input.ndim == 1 else 1
        if ch != n:
            raise RuntimeError(f"prelu: the number of weights ({n}) must match the number of channels "
                               f"({ch}) of input of shape {tuple(input.shape)}")
        shape = [1] * input.ndim
        shape[1 if input.ndim >= 2 else 0] = n
        weight = weight.reshape(shape)
    return E.where(_const(input._data > 0), input, weight * input)


# -- softmax family ---------------------------------------------------------------------------------
def _softmax_dim(ndim, dim, who):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {who} has been deprecated. Change the call to include "
                      "dim=X as an argument.", stacklevel=3)
        return 0 if ndim in (0, 1, 3) else 1
    return _norm_dim(dim, ndim, who)


def _rowmax(x, dim):
    """The max along ``dim`` for the stable shift (an empty tensor has no max, and needs no shift)."""
    return x.max(axis=dim, keepdims=True) if x.size else np.zeros_like(x, shape=x.shape[:dim] + (1,) + x.shape[dim + 1:])


class Softmax(Function):
    """exp(x - max) / sum; d/dx = out * (g - sum(g * out))."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        e = np.exp(x - _rowmax(x, dim))
        e /= e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(e)
        return e

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        go = g * out
        return go - out * go.sum(ctx.dim, keepdim=True), None

    @staticmethod
    def jvp(ctx, a, t, out):
        return out * (t[0] - (out * t[0]).sum(ctx.dim, keepdims=True))


class LogSoftmax(Function):
    """x - max - log(sum(exp(x - max))); d/dx = g - exp(out) * sum(g)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        z = x - _rowmax(x, dim)
        if z.size:
            z -= np.log(np.exp(z).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - E.exp(out) * g.sum(ctx.dim, keepdim=True), None


def _prep(input, dtype, temperature, who):
    _check_tensor(input, who) if dtype is None else None
    if dtype is not None:
        input = input.to(dtype)
    if temperature != 1.0:
        if not temperature > 0:
            raise ValueError(f"{who}: temperature must be positive, got {temperature}")
        input = input / temperature
    return input


def softmax(input, dim=None, _stacklevel=3, dtype=None, *, temperature=1.0):
    """exp(x_i / T) / sum_j exp(x_j / T) along ``dim``; stable for logits of any size.

    ``temperature`` (npgrad extension, default 1 = PyTorch's softmax) divides the logits first:
    T > 1 flattens the distribution, T < 1 sharpens it.

    >>> import npgrad
    >>> F = npgrad.nn.functional
    >>> F.softmax(npgrad.tensor([1000.0, 1000.0]), dim=0)
    tensor([0.5000, 0.5000])
    >>> F.softmax(npgrad.tensor([0.0, 1.0]), dim=0, temperature=1e9)
    tensor([0.5000, 0.5000])
    """
    x = _prep(input, dtype, temperature, "softmax")
    d = _softmax_dim(x.ndim, dim, "softmax")
    return Softmax.apply(x, d) if x.ndim else Softmax.apply(x.reshape(1), 0).reshape(())


def log_softmax(input, dim=None, _stacklevel=3, dtype=None, *, temperature=1.0):
    """log(softmax(x / T)) computed in one stable pass (never log of 0).

    >>> import npgrad
    >>> npgrad.nn.functional.log_softmax(npgrad.tensor([0.0, 1000.0]), dim=0)
    tensor([-1000.,     0.])
    """
    x = _prep(input, dtype, temperature, "log_softmax")
    d = _softmax_dim(x.ndim, dim, "log_softmax")
    return LogSoftmax.apply(x, d) if x.ndim else LogSoftmax.apply(x.reshape(1), 0).reshape(())


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x)."""
    return softmax(-input, dim, dtype=dtype)
