"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad`` and ``CircularPad``
in 1, 2 and 3 dimensions, thin modules over ``F.pad``.  ``padding`` is an int (every side) or a tuple
(left, right[, top, bottom[, front, back]]).

>>> import npgrad
>>> npgrad.nn.ReflectionPad1d(2)(npgrad.tensor([[[1.0, 2.0, 3.0]]]))
tensor([[[3., 2., 1., 2., 3., 2., 1.]]])
"""
from __future__ import annotations

from . import functional as F
from .module import Module

__all__ = [f"{kind}Pad{d}d" for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")
           for d in (1, 2, 3)]


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding, value=0.0):
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (int(padding),) * (2 * self.dims)
        if len(self.padding) != 2 * self.dims:
            raise ValueError(f"{type(self).__name__}: padding must be an int or a {2 * self.dims}-tuple, "
                             f"got {padding!r}")
        self.value = value

    def forward(self, input):
        if self.mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ZeroPad(_PadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)


class _ConstantPad(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding, value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _ModePad(_PadNd):
    def __init__(self, padding):
        super().__init__(padding)


class _Reflection(_ModePad):
    mode = "reflect"


class _Replication(_ModePad):
    mode = "replicate"


class _Circular(_ModePad):
    mode = "circular"


class ZeroPad1d(_ZeroPad):
    dims = 1


class ZeroPad2d(_ZeroPad):
    dims = 2


class ZeroPad3d(_ZeroPad):
    dims = 3


class ConstantPad1d(_ConstantPad):
    dims = 1


class ConstantPad2d(_ConstantPad):
    dims = 2


class ConstantPad3d(_ConstantPad):
    dims = 3


class ReflectionPad1d(_Reflection):
    dims = 1


class ReflectionPad2d(_Reflection):
    dims = 2


class ReflectionPad3d(_Reflection):
    dims = 3


class ReplicationPad1d(_Replication):
    dims = 1


class ReplicationPad2d(_Replication):
    dims = 2


class ReplicationPad3d(_Replication):
    dims = 3


class CircularPad1d(_Circular):
    dims = 1


class CircularPad2d(_Circular):
    dims = 2


class CircularPad3d(_Circular):
    dims = 3
