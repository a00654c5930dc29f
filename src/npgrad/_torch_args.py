"""PyTorch's keyword spellings, in one place: NumPy-style aliases and ``out=``.

PyTorch's argument parser accepts ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=`` on its
native functions and methods, ``size=`` for the sizes of the creation functions, and ``out=`` on
most functions.  npgrad's ops are written once, with ``dim``/``keepdim`` and a fresh result;
``install`` wraps the exported ``npgrad.*`` functions and ``Tensor`` methods so that they take
those keywords too.  A call without keywords goes straight through (one extra call, no
dictionary work); the library's internal calls use the unwrapped ops and pay nothing.

>>> import npgrad
>>> x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> x.sum(axis=0, keepdims=True), npgrad.zeros(size=(2,))
(tensor([[4., 6.]]), tensor([0., 0.]))
>>> out = npgrad.empty(2)
>>> npgrad.mul(x[0], 10, out=out) is out, out
(True, tensor([10., 20.]))
"""
from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np

from . import _backend
from ._views import address
from .autograd.grad_mode import state

# PyTorch's Python-level functions and methods (torch.norm, Tensor.split ...) do not take the aliases.
_NO_ALIAS = {"norm", "split", "einsum", "tensordot", "unique"}
_NO_ALIAS_METHOD = _NO_ALIAS | {"unflatten"}

# The exported functions that take ``out=`` in PyTorch.
OUT = set("""
abs absolute add addmm all amax amin any arange argmax argmin bitwise_and bitwise_not bitwise_or
bitwise_xor bmm cat ceil clamp clamp_max clamp_min clip concat concatenate cos cumprod cumsum div
divide dot empty eq exp exp2 expm1 eye float_power floor floor_divide fmax fmin fmod full gather ge
greater greater_equal gt heaviside hstack index_select inner le lerp less less_equal linspace log
log10 log1p log2 logical_and logical_not logical_or logical_xor logspace logsumexp lt masked_select
matmul max maximum mean min minimum mm mul multiply mv nan_to_num ne neg negative norm not_equal ones
outer pow prod rand randint randn randperm reciprocal remainder round rsqrt sgn sigmoid sign sin sort
sqrt square stack std sub subtract sum take_along_dim tan tanh topk tril triu true_divide trunc var
vstack where zeros
acos acosh asin asinh atan atan2 atanh copysign cosh cummax cummin diag erf erfc erfinv histc logaddexp
logcumsumexp sinh
""".split())  # (the second line: ops PyTorch gives out= that npgrad may not have yet; absent names are skipped)

# Factories take their dtype from ``out`` and resize it silently.
_FACTORY = {"arange", "empty", "eye", "full", "linspace", "logspace", "ones", "rand", "randint", "randn",
            "randperm", "zeros"}
# Reductions with a ``dtype`` argument compute in ``out``'s dtype, whatever it is.
_ANY_DTYPE = {"sum", "prod", "cumsum", "cumprod"}
# These insist on ``out`` having exactly the result's dtype.
_SAME_DTYPE = {"amax", "amin", "argmax", "argmin", "bmm", "clamp", "clamp_max", "clamp_min", "clip", "dot",
               "inner", "matmul", "max", "min", "mm", "mv", "outer", "addmm", "sort", "topk",
               "abs", "absolute", "bitwise_not", "ceil", "diag", "floor", "neg", "negative", "norm", "round", "sgn",
               "sign", "take_along_dim", "tril", "triu", "trunc", "where"}


def _arg_names(fn):
    co = getattr(fn, "__code__", None)
    if co is None:
        return (), None
    names = co.co_varnames[:co.co_argcount + co.co_kwonlyargcount]
    star = co.co_varnames[co.co_argcount + co.co_kwonlyargcount] if co.co_flags & inspect.CO_VARARGS else None
    return names, star


def public(fn, name=None, out=False, method=False):
    """Wrap ``fn`` so that it also takes PyTorch's alias keywords (and ``out=`` when ``out``).

    Returns ``fn`` itself when there is nothing to add.
    """
    name = name or fn.__name__
    names, star = _arg_names(fn)
    aliases = {}
    if name not in (_NO_ALIAS_METHOD if method else _NO_ALIAS):
        if "dim" in names:
            aliases["axis"] = "dim"
        if "keepdim" in names:
            aliases["keepdims"] = "keepdim"
    sizes = star == "size"  # zeros(*size) also takes zeros(size=(2, 3))
    if not (aliases or sizes or out):
        return fn
    factory = name in _FACTORY

    @functools.wraps(fn)
    def call(*args, **kw):
        if not kw:
            return fn(*args)
        for alias, real in aliases.items():
            if alias in kw:
                if real in kw:
                    raise TypeError(f"{name}(): got both {real!r} and its alias {alias!r}")
                kw[real] = kw.pop(alias)
        if sizes and "size" in kw:
            if len(args) > method:
                raise TypeError(f"{name}(): got the size both positionally and as size=")
            args = (*args, kw.pop("size"))
        dest = kw.pop("out", None) if out else None
        if dest is None:
            return fn(*args, **kw)
        _check_out_grad(name, dest, args, kw)
        if (factory or name in _ANY_DTYPE) and kw.get("dtype") is None and hasattr(dest, "dtype"):
            kw["dtype"] = dest.dtype  # (a sum into an int out adds the elements as ints, as PyTorch)
        if factory and kw.get("device") is None and _backend.is_device_array(getattr(dest, "_data", None)):
            kw["device"] = dest.device  # a factory makes its result where ``out`` lives
        return write_out(name, fn(*args, **kw), dest, args, factory)

    call.torch_aliases = tuple(aliases)
    return call


def _tensors(values):
    from .tensor import Tensor
    for v in values:
        if isinstance(v, Tensor):
            yield v
        elif isinstance(v, (list, tuple)):
            yield from (t for t in v if isinstance(t, Tensor))


def _check_out_grad(name, dest, args, kw):
    if not state._grad:
        return
    outs = dest if isinstance(dest, (list, tuple)) else (dest,)
    if any(t.requires_grad for t in _tensors([*args, *kw.values(), *outs])):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def write_out(name, result, dest, args=(), factory=False):
    """Write ``result`` into ``dest`` as PyTorch's ``out=`` does, and return ``dest``.

    ``dest`` of another shape is resized (with PyTorch's warning unless it was empty); a result
    dtype that cannot be cast safely to ``dest``'s (float into int, int into bool) is refused.
    """
    from .tensor import Tensor
    if isinstance(result, tuple):
        if not isinstance(dest, (list, tuple)) or len(dest) != len(result):
            raise TypeError(f"{name}(): out must be a tuple of {len(result)} tensors, got {type(dest).__name__}")
        done = [write_out(name, r, d, args, factory) for r, d in zip(result, dest)]
        return type(result)(*done) if hasattr(result, "_fields") else tuple(done)
    if not isinstance(dest, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(dest).__name__}")
    src = result._data
    if type(src) is not type(dest._data):
        _check_out_device(name, src, dest._data)
    _check_out_dtype(name, src.dtype, dest._data.dtype)
    _check_overlap(name, dest, args)
    if dest._data.shape != src.shape:
        if dest._data.size and not factory:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(dest._data.shape)}, which does not match the required output shape "
                          f"{list(src.shape)}. This behavior is deprecated, and in a future PyTorch release "
                          "outputs will not be resized unless they have zero elements. You can explicitly "
                          "reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
                          UserWarning, stacklevel=3)
        dest._data = _backend.array_module(src).empty(src.shape, dest._data.dtype)
    np.copyto(dest._data, src, casting="unsafe")
    dest._version[0] += 1
    return dest


def _check_out_device(name, res, target):
    have, want = _backend.device_of(target), _backend.device_of(res)
    if have != want:
        raise RuntimeError(f"{name}(): Expected out tensor to have device {want}, but got {have} instead")


def _check_out_dtype(name, res, target):
    from ._dtype import from_numpy_dtype
    if name in _ANY_DTYPE or name in _FACTORY or res == target:
        return
    if name in _SAME_DTYPE:
        raise RuntimeError(f"{name}(): expected out tensor to have dtype {from_numpy_dtype(res)}, "
                           f"but got {from_numpy_dtype(target)} instead")
    if res.kind in "fc" and target.kind in "biu" or res.kind in "iu" and target.kind == "b":
        raise RuntimeError(f"{name}(): result type {from_numpy_dtype(res)} can't be cast to the desired "
                           f"output type {from_numpy_dtype(target)}")


def _check_overlap(name, dest, args):
    d = dest._data
    for t in _tensors(args):
        a = t._data
        if a is d or type(a) is not type(d) or not np.may_share_memory(a, d):
            continue
        same = (a.shape == d.shape and a.strides == d.strides
                and address(a) == address(d))  # (equal when a device's module does not tell: None)
        if not same:
            raise RuntimeError(f"{name}(): unsupported operation: some elements of the input tensor and the "
                               "written-to tensor refer to a single memory location. Please clone() the "
                               "tensor before performing the operation.")


def install(namespace, tensor_cls):
    """Wrap the functions of the ``npgrad`` namespace and the ``Tensor`` methods in place."""
    for name, fn in list(namespace.items()):
        if name.startswith("_") or not callable(fn) or isinstance(fn, type) or getattr(fn, "__wrapped__", None):
            continue
        if getattr(fn, "__module__", "") and not fn.__module__.startswith("npgrad"):
            continue
        namespace[name] = public(fn, name, out=name in OUT)
    for name, fn in list(vars(tensor_cls).items()):
        if name.startswith("_") or not callable(fn) or getattr(fn, "__wrapped__", None):
            continue
        wrapped = public(fn, name, method=True)
        if wrapped is not fn:
            setattr(tensor_cls, name, wrapped)
