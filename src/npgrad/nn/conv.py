"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``.

Same constructor arguments, attribute names, parameter shapes and default initialisation as
``torch.nn``, so state_dicts interchange.  The arithmetic is in :mod:`npgrad.ops.conv`.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _backend, _dtype
from ..ops.shape import pad as _pad
from ..tensor import Tensor
from . import conv_functional as F
from . import init
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _empty(shape, dtype):
    dt = dtype.np if dtype is not None else _dtype.get_default_dtype().np
    return Parameter(Tensor._make(np.empty(shape, dtype=dt), None, False, None))


class _ConvNd(Module):
    _nd = 2

    def forward(self, input):
        conv = F.conv2d if self._nd == 2 else F.conv1d
        if self.padding_mode != "zeros":
            return conv(self._mode_pad(input), self.weight, self.bias, self.stride, 0, self.dilation,
                        self.groups, _where=self._where())
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                    _where=self._where())
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", output_padding=0, device=None, dtype=None):
        super().__init__()
        dev = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        nd, where = self._nd, type(self).__name__
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v < 0 and name != "groups":
                raise RuntimeError(f"{where}({name}={v!r}): Trying to create tensor with negative dimension {v}: "
                                   f"{name} must be a positive integer")
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{where}({name}={v!r}): {name} must be a positive integer, got {v!r}")
        if in_channels % groups:
            raise ValueError(f"{where}(in_channels={in_channels}, groups={groups}): in_channels must be divisible "
                             f"by groups")
        if out_channels % groups:
            raise ValueError(f"{where}(out_channels={out_channels}, groups={groups}): out_channels must be "
                             f"divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{where}(padding_mode={padding_mode!r}): padding_mode must be one of {_PADDING_MODES}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = F._tuple(kernel_size, nd, "kernel_size", where, 1)
        self.stride = F._tuple(stride, nd, "stride", where, 1)
        self.dilation = F._tuple(dilation, nd, "dilation", where, 1)
        if isinstance(padding, str):
            F.conv_padding(padding, self.kernel_size, self.stride, self.dilation, where)  # validates
            if self.transposed:
                raise ValueError(f"{where}(padding={padding!r}): string padding is not supported for {where}")
            self.padding = padding
        else:
            self.padding = F._tuple(padding, nd, "padding", where, 0)
        self.output_padding = F._tuple(output_padding, nd, "output_padding", where, 0)
        self.groups, self.padding_mode = int(groups), padding_mode
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = _empty(shape, dtype)
        if bias:
            self.bias = _empty((self.out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        if dev.type != "cpu":  # initialised on the host (the CPU's random stream), then moved
            self.to(dev)

    def reset_parameters(self):
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and
        the bias from the same range (fan_in = weight.size(1) * kernel elements, also when transposed)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def _where(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if isinstance(self.padding, str) or self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _mode_pad(self, input):
        """Non-zero padding modes pad explicitly (PyTorch's reversed, repeated-twice order), then conv 'valid'."""
        if isinstance(self.padding, str):
            p = F.conv_padding(self.padding, self.kernel_size, self.stride, self.dilation, self._where())
            pairs = [(p[2 * i], p[2 * i + 1]) for i in range(self._nd)]
        else:
            pairs = [(p, p) for p in self.padding]
        widths = [w for a, b in reversed(pairs) for w in (a, b)]
        return _pad(input, widths, mode=self.padding_mode)


class Conv2d(_ConvNd):
    """2-d convolution over ``(N, C_in, H, W)``; weight ``(C_out, C_in/groups, kh, kw)``.

    >>> import npgrad
    >>> conv = npgrad.nn.Conv2d(1, 4, 3, padding=1)
    >>> conv(npgrad.randn(2, 1, 8, 8)).shape
    torch.Size([2, 4, 8, 8])
    """
    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, device, dtype)


class Conv1d(_ConvNd):
    """1-d convolution over ``(N, C_in, L)``; weight ``(C_out, C_in/groups, k)``.

    >>> import npgrad
    >>> npgrad.nn.Conv1d(2, 3, 3, padding="same")(npgrad.randn(4, 2, 10)).shape
    torch.Size([4, 3, 10])
    """
    _nd = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, device, dtype)


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f"{type(self).__name__}(padding_mode={padding_mode!r}): only 'zeros' padding mode "
                             f"is supported")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, device, dtype)
        # (an output_padding too large is PyTorch's RuntimeError of the forward, not of the constructor)

    def _output_padding(self, input, output_size):
        """``output_size`` (the wanted spatial size) -> output_padding, as PyTorch resolves it."""
        if output_size is None:
            return self.output_padding
        nd = self._nd
        size = tuple(output_size)[-nd:]
        if len(size) != nd:
            raise ValueError(f"{self._where()}: output_size must have {nd} or {nd + 2} elements, got {output_size}")
        ops = []
        for i, want in enumerate(size):
            n = input.shape[input.ndim - nd + i]
            smallest = (n - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] * (self.kernel_size[i] - 1) + 1
            if not smallest <= want < smallest + self.stride[i]:
                raise ValueError(f"{self._where()}: requested output_size {tuple(size)} is not reachable from "
                                 f"input of shape {tuple(input.shape)} (each dim in [{smallest}, "
                                 f"{smallest + self.stride[i] - 1}])")
            ops.append(want - smallest)
        return tuple(ops)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-d convolution; weight ``(C_in, C_out/groups, kh, kw)``.

    >>> import npgrad
    >>> up = npgrad.nn.ConvTranspose2d(4, 2, 2, stride=2)
    >>> up(npgrad.randn(1, 4, 5, 5)).shape
    torch.Size([1, 2, 10, 10])
    """
    _nd = 2

    def forward(self, input, output_size=None):
        op = self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, op, self.groups,
                                  self.dilation, _where=self._where())


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-d convolution; weight ``(C_in, C_out/groups, k)``.

    >>> import npgrad
    >>> npgrad.nn.ConvTranspose1d(2, 3, 3, stride=2)(npgrad.randn(1, 2, 5)).shape
    torch.Size([1, 3, 11])
    """
    _nd = 1

    def forward(self, input, output_size=None):
        op = self._output_padding(input, output_size)
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding, op, self.groups,
                                  self.dilation, _where=self._where())
