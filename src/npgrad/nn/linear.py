"""Dense layers: ``Identity``, ``Linear``, ``Bilinear``."""
from __future__ import annotations

import math

import numpy as np

from .. import _backend, _dtype
from . import init
from .layer_functional import bilinear, linear
from .module import Module, Parameter

__all__ = ["Identity", "Linear", "Bilinear"]


def _check_size(layer, name, value, allow_zero=False):
    """Sizes must be ints, positive (or >= 0 where PyTorch allows empty layers)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{layer}({name}={value!r}): {name} must be an int, got {type(value).__name__}")
    if value < 0:  # PyTorch fails creating the weight: RuntimeError
        raise RuntimeError(f"{layer}({name}={value}): Trying to create tensor with negative dimension {value}: "
                           f"{name} must be non-negative")
    if value == 0 and not allow_zero:
        raise ValueError(f"{layer}({name}={value}): {name} must be positive, got {value}")
    return int(value)


def _on(arr, dev):
    """A new layer's array on the device it was asked for (``device=`` or the default device)."""
    return arr if dev.type == "cpu" else _backend.transfer(arr, dev)


def _empty(*shape, dtype=None, device=None):
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    return Parameter(_on(np.empty(shape, dtype=dt.np), _backend.resolve(device)))


class Identity(Module):
    """Returns its input unchanged (a placeholder layer); any constructor arguments are ignored.

    >>> import npgrad
    >>> x = npgrad.randn(2, 3)
    >>> npgrad.nn.Identity()(x) is x
    True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b with ``weight`` (out_features, in_features) and ``bias`` (out_features).

    Initialised like PyTorch: W ~ kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)),
    b ~ U(-1/sqrt(in), 1/sqrt(in)).

    >>> import npgrad
    >>> fc = npgrad.nn.Linear(4, 2)
    >>> fc
    Linear(in_features=4, out_features=2, bias=True)
    >>> fc(npgrad.randn(3, 4)).shape
    torch.Size([3, 2])
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        device = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        self.in_features = _check_size("Linear", "in_features", in_features, allow_zero=True)
        self.out_features = _check_size("Linear", "out_features", out_features, allow_zero=True)
        self.weight = _empty(out_features, in_features, dtype=dtype, device=device)
        if bias:
            self.bias = _empty(out_features, dtype=dtype, device=device)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        xs = input._data.shape
        if not xs or xs[-1] != self.in_features:
            raise RuntimeError(f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                               f"expected input with {self.in_features} features in its last dim, got input of "
                               f"shape {tuple(input.shape)}")
        params = self._parameters  # read directly: two Module.__getattr__ fallbacks less per call
        if "weight" in params and "bias" in params:
            return linear(input, params["weight"], params["bias"])
        return linear(input, self.weight, self.bias)  # e.g. a weight replaced by a plain attribute

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """y = x1^T A x2 + b with ``weight`` (out, in1, in2), initialised U(-1/sqrt(in1), 1/sqrt(in1))."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        device = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        self.in1_features = _check_size("Bilinear", "in1_features", in1_features)
        self.in2_features = _check_size("Bilinear", "in2_features", in2_features)
        self.out_features = _check_size("Bilinear", "out_features", out_features)
        self.weight = _empty(out_features, in1_features, in2_features, dtype=dtype, device=device)
        if bias:
            self.bias = _empty(out_features, dtype=dtype, device=device)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
