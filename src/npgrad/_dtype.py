"""dtypes and PyTorch's type-promotion rules.

A ``dtype`` is a thin named wrapper over a NumPy dtype so that ``x.dtype == npgrad.float32``
reads exactly like PyTorch.  Promotion follows PyTorch, not NumPy:

* categories are ordered bool < integer < floating;
* a Python scalar only matters when it is of a higher category than the tensor
  (``float32_tensor * 2.5`` stays float32, ``int_tensor * 2.5`` becomes the default float32);
* a 0-dim tensor likewise does not widen a dimensioned tensor of the same category.
"""
from __future__ import annotations

import numpy as np

from ._backend import _BACKENDS


class dtype:
    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_cat")

    def __init__(self, name, np_dtype, cat):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = cat == 2
        self.is_signed = self.np.kind in "if"
        self.itemsize = self.np.itemsize
        self._cat = cat

    def __repr__(self):
        # PyTorch's exact text: programs written for ``torch`` print dtypes and compare the output
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

_ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NP = {d.np: d for d in _ALL}
_NAMES = {d.name: d for d in _ALL}
_NAMES.update({"float": float32, "double": float64, "half": float16, "long": int64,
               "int": int32, "short": int16})


def _by_name(name):
    return _NAMES[name]


_default_float = float32


def get_default_dtype():
    return _default_float


def set_default_dtype(d):
    global _default_float
    d = to_dtype(d, "d")
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the default type, got {d}")
    _default_float = d


def from_numpy_dtype(npd):
    """The npgrad dtype of a NumPy dtype (float64 arrays keep float64, as in torch.from_numpy)."""
    d = _FROM_NP.get(npd)
    if d is None:
        npd = np.dtype(npd)
        d = _FROM_NP.get(npd)
        if d is None:
            raise TypeError(f"can't convert NumPy array of dtype {npd}; supported: "
                            + ", ".join(x.name for x in _ALL))
    return d


def to_dtype(d, argname="dtype"):
    """Accept an npgrad dtype, a NumPy dtype / type, or a Python type (float, int, bool)."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return _default_float
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str) and d in _NAMES:
        return _NAMES[d]
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"{argname} must be an npgrad dtype such as npgrad.float32, got {d!r}") from None


def scalar_category(v):
    if isinstance(v, (bool, np.bool_)):
        return 0
    if isinstance(v, (int, np.integer)):
        return 1
    if isinstance(v, (float, np.floating)):
        return 2
    raise TypeError(f"expected a number, got {type(v).__name__}")


def _default_for_cat(cat):
    return (bool_, int64, _default_float)[cat]


def promote_types(a, b):
    """Promotion of two dtypes: the higher category wins; within a category, NumPy's widening."""
    if a is b:
        return a
    if a._cat != b._cat:
        return a if a._cat > b._cat else b
    return _FROM_NP[np.promote_types(a.np, b.np)]


def result_type(*operands):
    """PyTorch's result dtype for operands that are ndarrays (of tensors) or Python scalars.

    Three tiers, each only consulted if it has a higher category than the tiers before it:
    dimensioned tensors, then 0-dim tensors, then Python scalars.
    """
    res = None
    zero = None
    scal_cat = -1
    for a in operands:
        if isinstance(a, np.ndarray) or type(a) in _BACKENDS:
            d = from_numpy_dtype(a.dtype)
            if a.ndim:
                res = d if res is None else promote_types(res, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            scal_cat = max(scal_cat, scalar_category(a))
    if zero is not None and (res is None or zero._cat > res._cat):
        res = zero
    if scal_cat >= 0 and (res is None or scal_cat > res._cat):
        res = _default_for_cat(scal_cat)
    return res


def _fmt(v):
    return f"{v:.6g}"


class finfo:
    """The limits of a floating-point dtype (``torch.finfo``): ``eps``, ``max``, ``min``, ``tiny``
    (= ``smallest_normal``), ``resolution``, ``bits``; the default dtype's when called without one.

    >>> import npgrad
    >>> npgrad.finfo(npgrad.float32).eps
    1.1920928955078125e-07
    """

    def __init__(self, type=None):  # noqa: A002  (PyTorch's argument name)
        d = get_default_dtype() if type is None else to_dtype(type)
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = np.finfo(d.np)
        self.bits, self.dtype = info.bits, d.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self):
        return (f"finfo(resolution={_fmt(self.resolution)}, min={_fmt(self.min)}, max={_fmt(self.max)}, "
                f"eps={_fmt(self.eps)}, smallest_normal={_fmt(self.smallest_normal)}, tiny={_fmt(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype (``torch.iinfo``): ``min``, ``max``, ``bits``.

    >>> import npgrad
    >>> npgrad.iinfo(npgrad.uint8).max
    255
    """

    def __init__(self, type):  # noqa: A002
        d = to_dtype(type)
        if d.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            "'torch.iinfo'")
        if d is bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        info = np.iinfo(d.np)
        self.bits, self.dtype = d.itemsize * 8, d.name
        self.min, self.max = int(info.min), int(info.max)

    def __repr__(self):
        return f"iinfo(min={_fmt(self.min)}, max={_fmt(self.max)}, dtype={self.dtype})"
