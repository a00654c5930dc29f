"""3-d layers and max unpooling: ``Conv3d``, ``MaxPool3d``, ``AvgPool3d``, ``MaxUnpool1d/2d/3d``
(``torch.nn`` arguments, attribute names and parameter shapes; arithmetic in ``conv3d_functional``)."""
from __future__ import annotations

from . import conv3d_functional as F3
from .conv import _ConvNd, _ConvTransposeNd
from .module import Module
from .pooling import _AvgPoolNd, _MaxPoolNd

__all__ = ["Conv3d", "ConvTranspose3d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


class Conv3d(_ConvNd):
    """3-d convolution over ``(N, C_in, D, H, W)``; weight ``(C_out, C_in/groups, kD, kH, kW)``.

    >>> import npgrad
    >>> npgrad.nn.Conv3d(2, 4, 3, padding=1)(npgrad.randn(1, 2, 5, 6, 7)).shape
    torch.Size([1, 4, 5, 6, 7])
    """
    _nd = 3

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, device, dtype)

    def forward(self, input):
        if self.padding_mode != "zeros":
            return F3.conv3d(self._mode_pad(input), self.weight, self.bias, self.stride, 0, self.dilation,
                             self.groups, _where=self._where())
        return F3.conv3d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                         _where=self._where())


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-d convolution; weight ``(C_in, C_out/groups, kD, kH, kW)``.

    >>> import npgrad
    >>> npgrad.nn.ConvTranspose3d(4, 2, 2, stride=2)(npgrad.randn(1, 4, 3, 3, 3)).shape
    torch.Size([1, 2, 6, 6, 6])
    """
    _nd = 3

    def forward(self, input, output_size=None):
        op = self._output_padding(input, output_size)
        return F3.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding, op, self.groups,
                                   self.dilation, _where=self._where())


class MaxPool3d(_MaxPoolNd):
    """3-d max pooling; ``stride`` defaults to ``kernel_size``.

    >>> import npgrad
    >>> npgrad.nn.MaxPool3d(2)(npgrad.randn(1, 3, 4, 4, 4)).shape
    torch.Size([1, 3, 2, 2, 2])
    """
    _nd = 3

    def forward(self, input):
        return F3.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                             self.return_indices, _where=f"MaxPool3d({self.extra_repr()})")


class AvgPool3d(_AvgPoolNd):
    """3-d average pooling.

    >>> import npgrad
    >>> npgrad.nn.AvgPool3d(2)(npgrad.ones(1, 1, 2, 2, 2)).flatten()
    tensor([1.])
    """
    _nd = 3

    def forward(self, input):
        return F3.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override, _where=f"AvgPool3d({self.extra_repr()})")


class AdaptiveAvgPool3d(Module):
    """Average pooling to a fixed output size over ``(N, C, D, H, W)``.

    >>> import npgrad
    >>> npgrad.nn.AdaptiveAvgPool3d(1)(npgrad.randn(2, 4, 3, 5, 5)).shape
    torch.Size([2, 4, 1, 1, 1])
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"

    def forward(self, input):
        return F3.adaptive_avg_pool3d(input, self.output_size, _where=f"AdaptiveAvgPool3d({self.extra_repr()})")


class _MaxUnpoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, input, indices, output_size=None):
        return F3._max_unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size, self._nd,
                              f"{type(self).__name__}({self.extra_repr()})")


class MaxUnpool2d(_MaxUnpoolNd):
    """Inverse of ``MaxPool2d(return_indices=True)``: values back in place, zeros elsewhere.

    >>> import npgrad
    >>> pool, unpool = npgrad.nn.MaxPool2d(2, return_indices=True), npgrad.nn.MaxUnpool2d(2)
    >>> y, i = pool(npgrad.randn(1, 1, 4, 4))
    >>> unpool(y, i).shape
    torch.Size([1, 1, 4, 4])
    """
    _nd = 2


class MaxUnpool1d(_MaxUnpoolNd):
    """Inverse of ``MaxPool1d(return_indices=True)``.

    >>> import npgrad
    >>> y, i = npgrad.nn.MaxPool1d(2, return_indices=True)(npgrad.tensor([[[1., 3., 2., 0.]]]))
    >>> npgrad.nn.MaxUnpool1d(2)(y, i)
    tensor([[[0., 3., 2., 0.]]])
    """
    _nd = 1


class MaxUnpool3d(_MaxUnpoolNd):
    """Inverse of ``MaxPool3d(return_indices=True)``.

    >>> import npgrad
    >>> y, i = npgrad.nn.MaxPool3d(2, return_indices=True)(npgrad.randn(1, 2, 4, 4, 4))
    >>> npgrad.nn.MaxUnpool3d(2)(y, i).shape
    torch.Size([1, 2, 4, 4, 4])
    """
    _nd = 3
