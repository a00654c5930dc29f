"""Older PyTorch spellings that tutorials and examples still use.

``torch.autograd.Variable(x, requires_grad=True)`` (a Variable is a Tensor since PyTorch 0.4), the
typed tensor classes (``torch.FloatTensor(2, 3)``, ``torch.LongTensor([1, 2])``,
``isinstance(x, torch.FloatTensor)``, ``x.type(torch.DoubleTensor)``) and ``Tensor.resize_``, with
which PyTorch's ``out=`` warning tells users to empty an output before reusing it.

>>> import npgrad
>>> npgrad.LongTensor([1, 2]), isinstance(npgrad.zeros(2), npgrad.FloatTensor)
(tensor([1, 2]), True)
>>> v = npgrad.autograd.Variable(npgrad.ones(2), requires_grad=True)
>>> v.requires_grad, isinstance(v, npgrad.autograd.Variable)
(True, True)
>>> t = npgrad.arange(6.0); t.resize_(2, 2)
tensor([[0., 1.],
        [2., 3.]])
"""
from __future__ import annotations

import numpy as np

from . import _dtype
from .autograd.grad_mode import state
from .tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: a tensor sharing ``data``'s memory, detached from its
    graph (every Tensor is a Variable, as in PyTorch 0.4 and later)."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = data.detach()
        if requires_grad:
            t.requires_grad_(True)
        return t


class _TypedMeta(type):
    """``npgrad.FloatTensor`` and friends: calling one makes a Tensor of its dtype; ``isinstance``
    checks the dtype; ``np.dtype`` reads the class's ``dtype`` (so ``x.type(npgrad.LongTensor)`` works)."""

    def __call__(cls, *args, **kwargs):
        device = kwargs.pop("device", None)
        if device is not None and str(device) != "cpu" and cls._npgrad_device is None:
            raise RuntimeError(f"{cls.__name__}: only the CPU is available")
        if kwargs:
            raise TypeError(f"{cls.__name__}() got unexpected keyword arguments {sorted(kwargs)}")
        t = Tensor(*(args or (0,)), dtype=cls._npgrad_dtype)
        # (``torch.cuda.FloatTensor(...)``: made on the accelerator, which raises where there is none)
        return t if cls._npgrad_device is None else t.to(cls._npgrad_device)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype and (
            cls._npgrad_device is None or obj.device.type == cls._npgrad_device)

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _typed(name, dt, device=None):
    return _TypedMeta(name, (), {"dtype": np.dtype(dt.np), "_npgrad_dtype": dt, "_npgrad_device": device,
                                 "__module__": "npgrad" if device is None else f"npgrad.{device}"})


_KINDS = [("FloatTensor", _dtype.float32), ("DoubleTensor", _dtype.float64), ("HalfTensor", _dtype.float16),
          ("LongTensor", _dtype.int64), ("IntTensor", _dtype.int32), ("ShortTensor", _dtype.int16),
          ("CharTensor", _dtype.int8), ("ByteTensor", _dtype.uint8), ("BoolTensor", _dtype.bool_)]
TYPED = {name: _typed(name, dt) for name, dt in _KINDS}
#: ``torch.cuda.FloatTensor`` and friends (old GAN code: ``Tensor = torch.cuda.FloatTensor if cuda else ...``)
CUDA_TYPED = {name: _typed(name, dt, "cuda") for name, dt in _KINDS}


def resize_(self, *sizes, memory_format=None):
    """Give this tensor the shape ``sizes`` in place; the elements it keeps are its first ones in
    memory order, new ones are uninitialised (PyTorch's ``resize_``)."""
    from .creation import _size
    shape = _size(sizes, "resize_")
    if self.requires_grad and state._grad:
        raise RuntimeError("cannot resize variables that require grad")
    old = self._data
    n = int(np.prod(shape))
    if n <= old.size and old.flags.c_contiguous:
        new = old.reshape(-1)[:n].reshape(shape)  # same memory, as PyTorch keeps the storage
    else:
        new = np.empty(shape, old.dtype)
        keep = min(n, old.size)
        new.reshape(-1)[:keep] = old.reshape(-1)[:keep]
    self._data = new
    self._version[0] += 1
    return self


def resize_as_(self, other, memory_format=None):
    return resize_(self, *other.shape)


def install(namespace, autograd_module):
    """Add the names that are not defined elsewhere already (a fuller definition wins)."""
    for name, cls in TYPED.items():
        namespace.setdefault(name, cls)
    if not hasattr(autograd_module, "Variable"):
        autograd_module.Variable = Variable
    for name, fn in (("resize_", resize_), ("resize_as_", resize_as_)):
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)
