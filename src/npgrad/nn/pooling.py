"""Pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool1d/2d`` (``torch.nn`` arguments)."""
from __future__ import annotations

from . import conv_functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d"]


class _MaxPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        where = type(self).__name__
        F._tuple(kernel_size, self._nd, "kernel_size", where, 1)  # validate at construction, like torch
        if stride is not None:
            F._tuple(stride, self._nd, "stride", where, 1)
        F._tuple(padding, self._nd, "padding", where, 0)
        F._tuple(dilation, self._nd, "dilation", where, 1)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")

    def forward(self, input):
        where = f"{type(self).__name__}({self.extra_repr()})"
        return F._max_pool(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                           self.return_indices, self._nd, where)


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling; ``stride`` defaults to ``kernel_size``.

    >>> import npgrad
    >>> npgrad.nn.MaxPool2d(2)(npgrad.randn(1, 3, 8, 8)).shape
    torch.Size([1, 3, 4, 4])
    """
    _nd = 2


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling over ``(N, C, L)``.

    >>> import npgrad
    >>> npgrad.nn.MaxPool1d(3, stride=2)(npgrad.randn(1, 2, 9)).shape
    torch.Size([1, 2, 4])
    """
    _nd = 1


class _AvgPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        where = type(self).__name__
        F._tuple(kernel_size, self._nd, "kernel_size", where, 1)
        if stride is not None:
            F._tuple(stride, self._nd, "stride", where, 1)
        F._tuple(padding, self._nd, "padding", where, 0)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, input):
        where = f"{type(self).__name__}({self.extra_repr()})"
        return F._avg_pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                           self.count_include_pad, self.divisor_override, self._nd, where)


class AvgPool2d(_AvgPoolNd):
    """2-d average pooling.

    >>> import npgrad
    >>> npgrad.nn.AvgPool2d(2)(npgrad.ones(1, 1, 4, 4))
    tensor([[[[1., 1.],
              [1., 1.]]]])
    """
    _nd = 2


class AvgPool1d(_AvgPoolNd):
    """1-d average pooling.

    >>> import npgrad
    >>> npgrad.nn.AvgPool1d(2)(npgrad.ones(1, 1, 4))
    tensor([[[1., 1.]]])
    """
    _nd = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (``None`` keeps the input's size in that dim).

    >>> import npgrad
    >>> npgrad.nn.AdaptiveAvgPool2d((1, 1))(npgrad.randn(2, 8, 5, 5)).shape
    torch.Size([2, 8, 1, 1])
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size, _where=f"AdaptiveAvgPool2d({self.extra_repr()})")


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Adaptive average pooling over ``(N, C, L)``.

    >>> import npgrad
    >>> npgrad.nn.AdaptiveAvgPool1d(3)(npgrad.randn(2, 4, 10)).shape
    torch.Size([2, 4, 3])
    """

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size, _where=f"AdaptiveAvgPool1d({self.extra_repr()})")
