"""Normalisation layers: ``BatchNorm1d/2d/3d``, ``LayerNorm``, ``GroupNorm``.

State names, shapes and update rules follow PyTorch, so their ``state_dict`` loads both ways.
"""
from __future__ import annotations

import numpy as np

from .. import _backend, _dtype
from ..tensor import Tensor
from .layer_functional import batch_norm, group_norm, layer_norm
from .linear import _check_size, _on
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm"]


def _full(shape, value, dtype, device):
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    return _on(np.full(shape, value, dtype=dt.np), device)


class _BatchNorm(Module):
    _dims = ()

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        device = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        name = type(self).__name__
        self.num_features = _check_size(name, "num_features", num_features)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}(momentum={momentum}): momentum must be in [0, 1] or None")
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(_full(num_features, 1.0, dtype, device))
            if bias:
                self.bias = Parameter(_full(num_features, 0.0, dtype, device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            def buffer(arr):
                return Tensor._make(arr, None, False, None)
            self.register_buffer("running_mean", buffer(_full(num_features, 0.0, dtype, device)))
            self.register_buffer("running_var", buffer(_full(num_features, 1.0, dtype, device)))
            self.register_buffer("num_batches_tracked", buffer(_on(np.array(0, dtype=np.int64), device)))
        else:
            for b in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(b, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            self.weight._data[...] = 1
            if self.bias is not None:
                self.bias._data[...] = 0

    def _check_input(self, input):
        name = type(self).__name__
        if input.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"{name}: expected {want} input (got {input.ndim}D input of shape {tuple(input.shape)})")
        if input.shape[1] != self.num_features:
            raise RuntimeError(f"{name}(num_features={self.num_features}): expected input with {self.num_features} "
                               f"channels in dim 1, got input of shape {tuple(input.shape)}")

    def forward(self, input):
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._version[0] += 1
            if self.momentum is None:  # cumulative moving average over all batches seen
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if keep else None, self.running_var if keep else None,
                          self.weight, self.bias, use_batch, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.affine and self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C.

    Training uses the batch's mean and (biased) variance and updates ``running_mean``/``running_var``
    (with the unbiased variance); eval mode uses the running statistics.

    >>> import npgrad
    >>> bn = npgrad.nn.BatchNorm1d(3)
    >>> [k for k in bn.state_dict()]
    ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    >>> bn(npgrad.randn(8, 3)).shape
    torch.Size([8, 3])
    """
    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C."""
    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs, per channel C."""
    _dims = (5,)


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dims of each sample, then scale and shift.

    >>> import npgrad
    >>> npgrad.nn.LayerNorm(4)
    LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
    """

    def __init__(self, normalized_shape, eps=1e-05, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        device = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        for s in ns:
            _check_size("LayerNorm", "normalized_shape", s)
        self.normalized_shape = ns
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_full(ns, 1.0, dtype, device))
            if bias:
                self.bias = Parameter(_full(ns, 0.0, dtype, device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.elementwise_affine:
            self.weight._data[...] = 1
            if self.bias is not None:
                self.bias._data[...] = 0

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise each sample's channels in ``num_groups`` groups; per-channel scale and shift.

    >>> import npgrad
    >>> npgrad.nn.GroupNorm(2, 4)(npgrad.randn(3, 4, 5)).shape
    torch.Size([3, 4, 5])
    """

    def __init__(self, num_groups, num_channels, eps=1e-05, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        device = _backend.resolve(device)  # a device this build lacks raises here, as in PyTorch
        _check_size("GroupNorm", "num_groups", num_groups)
        _check_size("GroupNorm", "num_channels", num_channels)
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm(num_groups={num_groups}, num_channels={num_channels}): num_channels must "
                             "be divisible by num_groups")
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        if affine:
            self.weight = Parameter(_full(num_channels, 1.0, dtype, device))
            if bias:
                self.bias = Parameter(_full(num_channels, 0.0, dtype, device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise RuntimeError(f"GroupNorm(num_groups={self.num_groups}, num_channels={self.num_channels}): expected "
                               f"input (N, {self.num_channels}, ...), got shape {tuple(input.shape)}")
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
