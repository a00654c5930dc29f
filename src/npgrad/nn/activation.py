"""Activation modules: thin wrappers over ``npgrad.nn.functional`` with PyTorch's names and reprs."""
from __future__ import annotations


from .. import _backend
from . import activation_functional as F
from .module import Module

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Softplus", "Softsign",
           "Sigmoid", "Tanh", "LogSigmoid", "Hardtanh", "Hardsigmoid", "Hardswish", "Threshold", "Tanhshrink",
           "PReLU", "Softmax", "LogSoftmax", "Softmin", "Step", "Sign", "GLU", "Softshrink", "Hardshrink",
           "Softmax2d"]


class _Inplace(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """max(0, x).

    >>> import npgrad
    >>> npgrad.nn.ReLU()(npgrad.tensor([-1.0, 1.0]))
    tensor([0., 1.])
    """

    def forward(self, input):
        return F.relu(input, self.inplace)


class ReLU6(_Inplace):
    """min(max(0, x), 6)."""

    def forward(self, input):
        return F.relu6(input, self.inplace)


class SiLU(_Inplace):
    """x * sigmoid(x)."""

    def forward(self, input):
        return F.silu(input, self.inplace)


class Mish(_Inplace):
    """x * tanh(softplus(x))."""

    def forward(self, input):
        return F.mish(input, self.inplace)


class SELU(_Inplace):
    """Scaled ELU with the self-normalising constants."""

    def forward(self, input):
        return F.selu(input, self.inplace)


class Hardsigmoid(_Inplace):
    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Hardswish(_Inplace):
    def forward(self, input):
        return F.hardswish(input, self.inplace)


class LeakyReLU(Module):
    """x for x > 0, ``negative_slope * x`` otherwise.

    >>> import npgrad
    >>> npgrad.nn.LeakyReLU(0.1)
    LeakyReLU(negative_slope=0.1)
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class GELU(Module):
    """x * Phi(x) (``approximate='tanh'`` for the tanh formula)."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU(approximate={approximate!r}): approximate must be 'none' or 'tanh'")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, linear above ``threshold``."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class _Stateless(Module):
    fn = None

    def forward(self, input):
        return type(self).fn(input)


class Sigmoid(_Stateless):
    """1 / (1 + exp(-x))."""
    fn = staticmethod(F.sigmoid)


class Tanh(_Stateless):
    fn = staticmethod(F.tanh)


class LogSigmoid(_Stateless):
    fn = staticmethod(F.logsigmoid)


class Softsign(_Stateless):
    fn = staticmethod(F.softsign)


class Tanhshrink(_Stateless):
    fn = staticmethod(F.tanhshrink)


class Sign(_Stateless):
    """-1, 0, 1 by the sign of x, with zero gradient (an npgrad module; PyTorch has only ``torch.sign``)."""
    fn = staticmethod(F.sign)


class Hardtanh(Module):
    """Clip to [min_val, max_val]."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        self.min_val = min_value if min_value is not None else min_val
        self.max_val = max_value if max_value is not None else max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise ValueError(f"Hardtanh(min_val={self.min_val}, max_val={self.max_val}): max_val must be greater "
                             "than min_val")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class Threshold(Module):
    """x where x > threshold, else ``value``."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class Step(Module):
    """Heaviside step, the McCulloch–Pitts activation: ``high`` where x >= threshold, else ``low``.

    An npgrad extension (PyTorch has no step module). The gradient is zero everywhere, so a
    network of steps must be trained by the perceptron rule, not by backprop.

    >>> import npgrad
    >>> npgrad.nn.Step()(npgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([0., 1., 1.])
    >>> npgrad.nn.Step(low=-1.0)(npgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-1.,  1.,  1.])
    """

    def __init__(self, threshold=0.0, low=0.0, high=1.0):
        super().__init__()
        self.threshold, self.low, self.high = threshold, low, high

    def forward(self, input):
        return F.step(input, self.threshold, self.low, self.high)

    def extra_repr(self):
        return f"threshold={self.threshold}, low={self.low}, high={self.high}"


class PReLU(Module):
    """max(0, x) + a * min(0, x) with a learnable slope ``weight`` (one, or one per channel).

    >>> import npgrad
    >>> npgrad.nn.PReLU(3).weight.shape
    torch.Size([3])
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        if not isinstance(num_parameters, int) or num_parameters <= 0:
            raise ValueError(f"PReLU(num_parameters={num_parameters!r}): num_parameters must be a positive int")
        self.num_parameters = num_parameters
        self.init = init
        from .linear import _empty
        self.weight = _empty(num_parameters, dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self):
        self.weight._data[...] = self.init

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class _SoftmaxBase(Module):
    fn = None

    def __init__(self, dim=None, *, temperature=1.0):
        super().__init__()
        self.dim = dim
        self.temperature = temperature

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__.setdefault("temperature", 1.0)

    def forward(self, input):
        if self.temperature != 1.0:
            return type(self).fn(input, self.dim, temperature=self.temperature)
        return type(self).fn(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}" + (f", temperature={self.temperature}" if self.temperature != 1.0 else "")


class Softmax(_SoftmaxBase):
    """softmax along ``dim``; ``temperature`` (npgrad extension) divides the logits first.

    >>> import npgrad
    >>> npgrad.nn.Softmax(dim=1)(npgrad.tensor([[0.0, 0.0]]))
    tensor([[0.5000, 0.5000]])
    """
    fn = staticmethod(F.softmax)


class LogSoftmax(_SoftmaxBase):
    """log(softmax(x)) along ``dim``, computed stably."""
    fn = staticmethod(F.log_softmax)


class Softmin(Module):
    """softmax(-x) along ``dim``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"




class GLU(Module):
    """The gated linear unit over ``dim``: ``a * sigmoid(b)`` with ``a, b`` the two halves."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softshrink(Module):
    """Shrink towards 0 by ``lambd`` (0 within ``[-lambd, lambd]``)."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Module):
    """Zero the values within ``[-lambd, lambd]``."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softmax2d(Module):
    """Softmax over the channels of each position of ``(N, C, H, W)`` (or ``(C, H, W)``) inputs."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3)
