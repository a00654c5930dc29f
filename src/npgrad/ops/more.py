"""The public names of ``special``, ``scan`` and ``scatter`` (``from .ops.more import *`` in the
package) and their Tensor forms: methods, in-place ``_`` methods where PyTorch has them, and the
operators ``<<``, ``>>`` and the reflected ``%``."""
from __future__ import annotations

from ..tensor import Tensor
from . import (combine as _combine, counting as _counting, grid as _grid, histogram as _histogram, scan as _scan,
               scatter as _scatter, special as _special, strided as _strided)
from .elementwise import remainder as _remainder
from .combine import *  # noqa: F401,F403
from .counting import *  # noqa: F401,F403
from .grid import *  # noqa: F401,F403
from .histogram import *  # noqa: F401,F403
from .scan import *  # noqa: F401,F403
from .scatter import *  # noqa: F401,F403
from .special import *  # noqa: F401,F403

__all__ = (_special.__all__ + _scan.__all__ + _scatter.__all__ + _histogram.__all__ + _counting.__all__ + _grid.__all__
           + _combine.__all__)

_METHODS = {
    _special: "asin acos atan sinh cosh asinh acosh atanh arcsin arccos arctan arcsinh arccosh arctanh atan2 "
              "arctan2 erf erfc erfinv copysign logaddexp logaddexp2 bitwise_left_shift bitwise_right_shift",
    _scan: "cummax cummin logcumsumexp diag",
    _histogram: "histc histogram",
    _counting: "bincount unique diff median kthvalue msort index_add",
    _combine: "addcmul addcdiv",
    _strided: "unfold",
    _scatter: "scatter scatter_reduce",
}
_INPLACE = {
    _special: "asin acos atan sinh cosh asinh acosh atanh arcsin arccos arctan arcsinh arccosh arctanh atan2 "
              "arctan2 erf erfc erfinv copysign bitwise_left_shift bitwise_right_shift",
    _scatter: "scatter scatter_reduce",
    _counting: "index_add",
}


def _install():
    from .._inplace import _inplace_method
    from .gather import scatter_add
    for mod, names in _METHODS.items():
        for n in names.split():
            setattr(Tensor, n, getattr(mod, n))
    for mod, names in _INPLACE.items():
        for n in names.split():
            setattr(Tensor, n + "_", _inplace_method(mod, n))
    Tensor.fill_diagonal_ = _grid.fill_diagonal_
    if not hasattr(Tensor, "scatter_add_"):
        Tensor.scatter_add_ = lambda self, dim, index, src: self._inplace(
            lambda t, s: scatter_add(t, dim, index, s), src)
    Tensor.__lshift__ = lambda self, other: _special.bitwise_left_shift(self, other)
    Tensor.__rlshift__ = lambda self, other: _special.bitwise_left_shift(other, self)
    Tensor.__rshift__ = lambda self, other: _special.bitwise_right_shift(self, other)
    Tensor.__rrshift__ = lambda self, other: _special.bitwise_right_shift(other, self)
    Tensor.__ilshift__ = Tensor.bitwise_left_shift_
    Tensor.__irshift__ = Tensor.bitwise_right_shift_
    if "__rmod__" not in vars(Tensor):
        Tensor.__rmod__ = lambda self, other: _remainder(other, self)
    # x %= y and x //= y write into x, as PyTorch's do (without these Python rebinds x to a new tensor)
    if "__imod__" not in vars(Tensor):
        Tensor.__imod__ = lambda self, other: self.remainder_(other)
    if not hasattr(Tensor, "floor_divide_"):
        from . import elementwise as _E
        Tensor.floor_divide_ = _inplace_method(_E, "floor_divide")
    if "__ifloordiv__" not in vars(Tensor):
        Tensor.__ifloordiv__ = lambda self, other: self.floor_divide_(other)
    # ... and so do x **= y, x &= y, x |= y, x ^= y (an int x **= 0.5 must raise, not become a float x)
    from . import compare as _C, elementwise as _E
    if "__ipow__" not in vars(Tensor):
        Tensor.__ipow__ = lambda self, other: self.pow_(other)
    for mod, name, op in ((_E, "bitwise_and", "__iand__"), (_E, "bitwise_or", "__ior__"),
                          (_E, "bitwise_xor", "__ixor__"), (_C, "logical_and", None), (_C, "logical_or", None),
                          (_C, "logical_xor", None)):
        if not hasattr(Tensor, name + "_"):
            setattr(Tensor, name + "_", _inplace_method(mod, name))
        if op and op not in vars(Tensor):
            setattr(Tensor, op, getattr(Tensor, name + "_"))


_install()
