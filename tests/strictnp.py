"""A stand-in for CuPy in tests without a GPU: NumPy's API on arrays that live on "another device".

``strictnp`` behaves like CuPy where CuPy differs from NumPy, so code that would break on a GPU
breaks here, in CI:

- its arrays (:class:`StrictArray`) are not ``numpy.ndarray``: ``np.asarray(a)``, ``np.array(a)``,
  ``float`` buffers and the buffer protocol refuse them with CuPy's ``TypeError`` ("Implicit
  conversion to a NumPy array is not allowed");
- NumPy functions and ufuncs called on them dispatch here (``__array_function__`` /
  ``__array_ufunc__``, as CuPy's do) and return device arrays; mixing a device array with a NumPy
  array in one call raises ``TypeError`` (CuPy: "Unsupported type <class 'numpy.ndarray'>");
- reductions and scalar indexing return 0-d device arrays, never NumPy scalars;
- writing a NumPy array or a list into a device array (``a[i] = np_array``) raises;
- ``strictnp.asarray(numpy_array)`` copies to the device, ``a.get()`` / ``strictnp.asnumpy(a)`` back.

The computation itself is NumPy's, on the wrapped array, so results equal the CPU's bit for bit.
"""
from __future__ import annotations

import sys
import types

import numpy as np

__all__ = ["StrictArray", "module", "NO_IMPLICIT"]

NO_IMPLICIT = ("Implicit conversion to a NumPy array is not allowed. "
               "Please use `.get()` to construct a NumPy array explicitly.")


class _Device:
    """What ``a.device`` is for a CuPy array: an object with the ordinal in ``.id``."""
    id = 0

    def __repr__(self):
        return "<strictnp Device 0>"


_DEVICE = _Device()


def _refuse(x):
    raise TypeError(f"Unsupported type {type(x)}")


def _unwrap(x):
    """The NumPy array inside a device array; containers are unwrapped item by item; a NumPy
    array (host memory) is refused, as CuPy refuses it."""
    t = type(x)
    if t is StrictArray:
        return x._a
    if t is np.ndarray:
        _refuse(x)
    if t is list or t is tuple:
        return t(_unwrap(v) for v in x)
    return x


def _unwrap_kw(kw):
    return {k: _unwrap(v) for k, v in kw.items()} if kw else kw


def _wrap(r):
    t = type(r)
    if t is np.ndarray:
        return StrictArray(r)
    if isinstance(r, np.generic):
        return StrictArray(np.asarray(r))  # CuPy returns 0-d arrays, not scalars
    if t is tuple or t is list:
        return t(_wrap(v) for v in r)
    if isinstance(r, tuple) and hasattr(r, "_fields"):  # linalg.qr / svd / eigh results
        return t(*(_wrap(v) for v in r))
    if isinstance(r, np.random.Generator):
        return _Proxy(r)
    return r


def _call(f, args, kwargs):
    return _wrap(f(*_unwrap(args), **_unwrap_kw(kwargs)))


class StrictArray:
    """A device array: a NumPy array that NumPy may not see directly."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 100.0
    __hash__ = None

    def __init__(self, a):
        if type(a) is not np.ndarray:
            raise TypeError(f"StrictArray wraps a numpy.ndarray, not {type(a).__name__}")
        self._a = a

    # -- what CuPy refuses ------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError(NO_IMPLICIT)

    def __getattr__(self, name):
        if name.startswith("__"):  # __array_interface__, __array_struct__, buffer hooks
            raise AttributeError(name)
        v = getattr(self._a, name)
        if callable(v):
            def method(*args, **kwargs):
                return _call(v, args, kwargs)
            return method
        return _wrap(v)

    # -- what it provides -------------------------------------------------------------------
    @property
    def device(self):
        return _DEVICE

    @property
    def data(self):
        """CuPy's memory pointer: ``.ptr`` is the address of the first element."""
        return types.SimpleNamespace(ptr=self._a.__array_interface__["data"][0])

    def get(self, stream=None, order="C", out=None):
        """A NumPy copy in host memory (CuPy's explicit transfer)."""
        return self._a.copy()

    # numpy asks these of every argument; they must not reach __getattr__'s forwarding
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        for x in inputs:
            if type(x) is np.ndarray or type(x) is list:
                _refuse(x)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_unwrap(o) for o in out)
        r = getattr(ufunc, method)(*_unwrap(inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(r)

    def __array_function__(self, func, types_, args, kwargs):
        out = kwargs.get("out")
        r = _call(func, args, kwargs)
        return out if out is not None else r

    def __getitem__(self, idx):
        return _wrap(self._a[_index(idx)])

    def __setitem__(self, idx, value):
        if type(value) is list:
            _refuse(value)
        self._a[_index(idx)] = _unwrap(value)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (_wrap(v) for v in self._a)

    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __complex__(self):
        return complex(self._a)

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __copy__(self):
        return StrictArray(self._a.copy())

    def __deepcopy__(self, memo):
        return StrictArray(self._a.copy())

    def __reduce__(self):
        return (StrictArray, (self._a,))

    def __dlpack__(self, *a, **k):
        raise TypeError("strictnp arrays do not export DLPack")


def _index(idx):
    if type(idx) is tuple:
        return tuple(_index1(i) for i in idx)
    return _index1(idx)


def _index1(i):
    t = type(i)
    if t is StrictArray:
        return i._a
    if t is np.ndarray and i.ndim:
        _refuse(i)
    return i


def _binary(name):
    uf = getattr(np, name)

    def op(self, other):
        return uf(self, other)

    def rop(self, other):
        return uf(other, self)

    def iop(self, other):
        uf(self, other, out=(self,))
        return self
    return op, rop, iop


for _dunder, _uf in [("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("truediv", "true_divide"),
                     ("floordiv", "floor_divide"), ("mod", "remainder"), ("pow", "power"),
                     ("matmul", "matmul"), ("and", "bitwise_and"), ("or", "bitwise_or"),
                     ("xor", "bitwise_xor"), ("lshift", "left_shift"), ("rshift", "right_shift")]:
    _op, _rop, _iop = _binary(_uf)
    setattr(StrictArray, f"__{_dunder}__", _op)
    setattr(StrictArray, f"__r{_dunder}__", _rop)
    setattr(StrictArray, f"__i{_dunder}__", _iop)
for _dunder, _uf in [("lt", "less"), ("le", "less_equal"), ("gt", "greater"), ("ge", "greater_equal"),
                     ("eq", "equal"), ("ne", "not_equal")]:
    setattr(StrictArray, f"__{_dunder}__", _binary(_uf)[0])
for _dunder, _uf in [("neg", "negative"), ("pos", "positive"), ("abs", "absolute"), ("invert", "invert")]:
    setattr(StrictArray, f"__{_dunder}__", (lambda u: lambda self: u(self))(getattr(np, _uf)))
StrictArray.__divmod__ = lambda self, o: np.divmod(self, o)


class _Proxy:
    """An object (a random Generator) whose methods take and return device arrays."""

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name):
        v = getattr(self._obj, name)
        if callable(v):
            return lambda *a, **k: _call(v, a, k)
        return _wrap(v)


class _Ufunc:
    """A ufunc whose calls and methods (``reduce``, ``at``, ``outer``...) run on device arrays."""

    def __init__(self, uf):
        self._uf = uf
        self.__name__ = uf.__name__

    def __call__(self, *args, **kwargs):
        for x in args:
            if type(x) is list:
                _refuse(x)
        return self._uf(*args, **kwargs) if any(type(a) is StrictArray for a in args) else _call(self._uf, args, kwargs)

    def __getattr__(self, name):
        v = getattr(self._uf, name)
        if callable(v):
            return lambda *a, **k: _call(v, a, k)
        return v


#: names CuPy does not have: code that calls them would fail on a GPU
_ABSENT = {"errstate", "seterr", "geterr", "asfarray", "frombuffer", "fromfile", "memmap", "save", "load",
           "savez", "ctypeslib"}
#: functions that copy host data to the device (CuPy's ``asarray`` family)
_TO_DEVICE = {"asarray", "array", "asanyarray", "ascontiguousarray", "asfortranarray"}


def _to_device(f):
    def g(obj, *args, **kwargs):
        if type(obj) is StrictArray:
            return _wrap(f(obj._a, *args, **kwargs))
        if isinstance(obj, (list, tuple)) and any(type(v) is StrictArray for v in obj):
            raise TypeError(NO_IMPLICIT)  # CuPy: a list holding device arrays goes through NumPy
        return _wrap(np.array(f(obj, *args, **kwargs), copy=True))
    return g


class _Namespace(types.ModuleType):
    """NumPy's namespace (or a sub-namespace: linalg, random, fft, lib.stride_tricks) on device arrays."""

    def __init__(self, name, np_mod):
        super().__init__(name)
        self._np = np_mod

    def __getattr__(self, name):
        if name.startswith("__") or name in _ABSENT:
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
        v = getattr(self._np, name)
        if name in _TO_DEVICE and self._np is np:
            w = _to_device(v)
        elif isinstance(v, np.ufunc):
            w = _Ufunc(v)
        elif isinstance(v, types.ModuleType):
            w = _Namespace(f"{self.__name__}.{name}", v)
        elif isinstance(v, type) or not callable(v):
            w = v  # dtypes, classes (finfo), constants
        else:
            def w(*args, _f=v, **kwargs):
                return _call(_f, args, kwargs)
            w.__name__ = name
        setattr(self, name, w)
        return w


module = _Namespace("strictnp", np)
module.ndarray = StrictArray
module.asnumpy = lambda a, stream=None: a.get() if type(a) is StrictArray else np.asarray(a)
module.get_array_module = lambda *args: module if any(type(a) is StrictArray for a in args) else np
sys.modules.setdefault("strictnp", module)
