"""``Tensor``: an ndarray plus what autograd needs (``requires_grad``, ``grad``, ``grad_fn``).

This file holds no derivative math: operators and methods are one-line calls into
``npgrad.ops``, where every primitive keeps its forward and backward side by side.
"""
from __future__ import annotations

import numpy as np

from . import _backend, _convert, _dtype
from ._inplace import InplaceOps, link_view  # noqa: F401  (link_view: used by ops)


class Size(tuple):
    """``x.shape`` / ``x.size()``: a tuple that prints exactly as PyTorch's ``torch.Size``."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


def _to_array(data, dtype=None):
    """Array of ``data`` (nested lists, scalars, ndarrays, tensors) with PyTorch's default dtypes."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)  # NumPy arrays and scalars keep their dtype, as in PyTorch
        if dtype is not None and isinstance(data, np.generic):  # a scalar is a value: checked as PyTorch
            _convert.check_fits(arr, _dtype.to_dtype(dtype).np)
    else:
        orig = data
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
            data = _unwrap_nested(data)
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError):  # ragged nesting: name the dim and lengths, as PyTorch
            raise _convert.nesting_error(orig) from None
        k = arr.dtype.kind
        if k not in "biuf" and (k != "c" or arr.size == 0):
            if arr.size == 0 and k != "U":
                arr = arr.astype(_dtype.get_default_dtype().np)
            else:
                raise _convert.nesting_error(orig)
        if k == "c":
            raise TypeError(f"tensor: complex data is not supported (got numpy dtype {arr.dtype})")
        if dtype is None:
            if k == "f":
                arr = arr.astype(_dtype.get_default_dtype().np, copy=False)
            elif k in "iu":
                arr = arr.astype(np.int64, copy=False)
        else:
            _convert.check_fits(arr, _dtype.to_dtype(dtype).np)
    if dtype is not None:
        arr = arr.astype(_dtype.to_dtype(dtype).np, copy=False)
    else:
        _dtype.from_numpy_dtype(arr.dtype)  # rejects unsupported dtypes with a clear message
    return arr


def _flat(xs):
    for x in xs:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _unwrap_nested(xs):
    if isinstance(xs, Tensor):
        return xs._data
    if isinstance(xs, (list, tuple)):
        return [_unwrap_nested(x) for x in xs]
    return xs


class Tensor(InplaceOps):
    """A multi-dimensional array that can record the operations applied to it.

    >>> import npgrad
    >>> x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = ("_data", "requires_grad", "_grad", "grad_fn", "_ver", "_name", "__weakref__", "__dict__")
    # NumPy scalars and arrays defer to the tensor's reflected operators (np.float64(2) * t is a tensor,
    # with its graph, as in PyTorch; without this NumPy made an ndarray of t)
    __array_priority__ = 1000

    # rarely set: class-level defaults, so creating a tensor (once per op) stores three fields less;
    # a tensor that sets one keeps it in its own __dict__
    _hooks = None
    _post_acc_hooks = None
    _fw_tangent = None
    _retains_grad = False

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        # torch.Tensor(2, 3) makes an uninitialised float tensor; torch.Tensor(data) copies data.
        if device is not None and _backend.as_device(device).type != "cpu":
            raise RuntimeError(f"legacy constructor expects device type: cpu but device type: "
                               f"{_backend.as_device(device).type} was passed")
        if len(args) == 1 and not isinstance(args[0], int):
            if args[0] is None or isinstance(args[0], (float, complex, bool)):  # a value is not a size
                raise TypeError(f"Tensor(): new(): data must be a sequence (got {type(args[0]).__name__}); "
                                "npgrad.tensor() makes a tensor of one number")
            arr = _to_array(args[0], dtype or _dtype.get_default_dtype())
        else:
            for a in args:
                if not isinstance(a, int):
                    raise TypeError(f"Tensor(): sizes must be ints, got {args!r}")
                if a < 0:
                    raise RuntimeError(f"Tensor(): Trying to create tensor with negative dimension {a}: {list(args)}")
            arr = np.empty(args, dtype=(_dtype.to_dtype(dtype) if dtype else _dtype.get_default_dtype()).np)
        self._data = arr
        self._grad = None
        self.grad_fn = None
        self.requires_grad = False
        self._ver = None
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(arr, grad_fn, requires_grad, version):
        t = object.__new__(Tensor)
        t._data = arr
        t._grad = None
        t.grad_fn = grad_fn
        t.requires_grad = requires_grad
        t._ver = version
        return t

    @property
    def _version(self):
        """The version counter, a one-element list shared with every view of the same memory and
        bumped by each in-place write.  Created on first use: most tensors are never written in
        place nor viewed, and a counter that does not exist is one object less per op for the
        garbage collector (a missing counter reads as version 0)."""
        v = self._ver
        if v is None:
            v = self._ver = [0]
        return v

    @_version.setter
    def _version(self, value):
        self._ver = value

    # -- basic attributes --------------------------------------------------------------------
    @property
    def data(self):
        """A tensor that shares this one's memory but is detached from the graph (as PyTorch's
        ``.data``): writes through it reach this tensor without autograd seeing them, not even
        the version check of saved tensors (its own version counter, unlike ``detach()``).  The
        NumPy array itself is ``.numpy()``."""
        return Tensor._make(self._data, None, False, None)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__}")
        if value._data.dtype != self._data.dtype and self.requires_grad and value._data.dtype.kind not in "fc":
            raise RuntimeError(f"data: a tensor that requires grad cannot take data of dtype {value.dtype}")
        self._data = value._data

    @property
    def grad(self):
        """The accumulated gradient (leaves, and tensors that called ``retain_grad()``)."""
        g = self._grad
        if g is None and self.grad_fn is not None and not self._retains_grad:
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                          ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                          "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                          "non-leaf Tensor.", UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            _convert.check_grad(self, value)
        self._grad = value

    @property
    def shape(self):
        return Size(self._data.shape)

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def device(self):
        """The ``npgrad.device`` holding this tensor's data (``device(type='cpu')`` on this build)."""
        return _backend.device_of(self._data)

    is_cuda = property(lambda self: self.device.type == "cuda")
    is_cpu = property(lambda self: self.device.type == "cpu")
    is_meta = property(lambda self: False)

    def get_device(self):
        """The device ordinal: -1 for a CPU tensor, as in PyTorch."""
        d = self.device
        return -1 if d.type == "cpu" else (d.index or 0)

    def pin_memory(self, device=None):
        """A copy in page-locked host memory, for fast (``non_blocking``) copies to the accelerator;
        this tensor itself when it is pinned already.  Needs an accelerator, as in PyTorch."""
        if type(self._data) is not np.ndarray:
            raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
        if _backend.is_pinned(self._data):
            return self
        return _backend.PinMemory.apply(self)

    def is_pinned(self, device=None):
        return _backend.is_pinned(self._data)

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def is_floating_point_(self):
        return self._data.dtype.kind == "f"

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def T(self):
        return self.permute(*range(self.ndim - 1, -1, -1)) if self.ndim > 1 else self

    @property
    def mT(self):
        if self.ndim == 1:  # (0-d tensors are their own transpose, as in PyTorch)
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
        return self.transpose(-2, -1) if self.ndim else self

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_norm_dim(dim, self.ndim, "size")]

    def dim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_norm_dim(dim, self.ndim, "stride")]

    def is_contiguous(self):
        return self._data.flags.c_contiguous

    def contiguous(self, memory_format=None):
        if self._data.flags.c_contiguous:
            return self
        from .ops.elementwise import Contiguous
        return Contiguous.apply(self)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, force=False):
        if force:
            return _backend.to_numpy(self._data)
        if type(self._data) is not np.ndarray:
            self._not_on_host()
        if self.requires_grad and _function.state._grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def _not_on_host(self):
        raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                        "the tensor to host memory first.")

    def __array__(self, dtype=None, copy=None):
        if type(self._data) is not np.ndarray:
            self._not_on_host()
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} values is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        if self._data.size != 1:  # Python's conversions raise ValueError here in PyTorch (item(): RuntimeError)
            raise ValueError(f"only one element tensors can be converted to Python scalars, got a tensor of "
                             f"shape {tuple(self.shape)}")
        return self.item()

    def __index__(self):
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    # identity hash (tensors are dict keys by identity, as in PyTorch), in C: no Python call per lookup
    __hash__ = object.__hash__

    def __repr__(self):
        from ._format import format_tensor
        return format_tensor(self)

    def __format__(self, spec):
        # as PyTorch: a 0-d tensor formats as its number (f"{loss}" prints 0.25), others as str()
        if self._data.ndim == 0 and type(self) is Tensor:
            return format(self.item(), spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self.requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.")
        t = type(self).__new__(type(self))
        Tensor.__init__(t, 0)
        t._data = self._data.copy()  # (on the same device)
        t.requires_grad = self.requires_grad
        if self.grad is not None:
            t.grad = Tensor._make(self.grad._data.copy(), None, False, None)
        for k, v in getattr(self, "__dict__", {}).items():
            # a copy owns its memory (no view links) and starts without hooks or tangents
            if k not in ("_view_of", "_views", "_hooks", "_post_acc_hooks", "_fw_tangent", "_retains_grad"):
                setattr(t, k, v)
        memo[id(self)] = t
        return t

    # -- autograd ----------------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients "
                               f"(got {self.dtype})")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves it depends on."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self):
        return Tensor._make(self._data, None, False, self._version)

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def _store(g):
            t = ref()
            if t is not None:
                t.grad = g.detach() if t.grad is None else (t.grad + g).detach()
        self._retains_grad = True
        self.grad_fn.register_hook(_store)

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn.register_hook(hook)
            return _RemovableHandle(self.grad_fn._hooks, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after a gradient has been accumulated into this leaf's ``.grad``.

        The hook runs as soon as the leaf's gradient is complete, while the rest of backward is still
        to run (``DistributedDataParallel`` starts its all-reduces from it).

        >>> import npgrad
        >>> w = npgrad.ones(2, requires_grad=True)
        >>> h = w.register_post_accumulate_grad_hook(lambda t: print(t.grad))
        >>> (w * 3).sum().backward()
        tensor([3., 3.])
        >>> h.remove()
        """
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        self._post_acc_hooks.append(hook)
        _engine.post_hooks_live[0] += 1
        return _RemovableHandle(self._post_acc_hooks, hook, _engine.post_hooks_live)

    # -- dtype conversion --------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """``x.to(dtype)``, ``x.to(device)``, ``x.to(device, dtype)``, ``x.to(other)`` and the keywords
        ``dtype=, device=, non_blocking=, copy=``, as in PyTorch (this tensor itself when nothing changes).

        >>> import npgrad
        >>> x = npgrad.ones(2)
        >>> x.to("cpu") is x, x.to("cpu", npgrad.float64).dtype
        (True, torch.float64)
        """
        return _backend.tensor_to(self, args, kwargs)

    def type(self, dtype=None):
        if dtype is None:
            name = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "float16": "torch.HalfTensor",
                    "int64": "torch.LongTensor", "int32": "torch.IntTensor", "int16": "torch.ShortTensor",
                    "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
                    "bool": "torch.BoolTensor"}[self.dtype.name]
            kind = self.device.type
            return name if kind == "cpu" else name.replace("torch.", f"torch.{kind}.")
        device = getattr(dtype, "_npgrad_device", None)  # (``x.type(torch.cuda.FloatTensor)`` moves x too)
        return self.to(dtype) if device is None else self.to(device=device, dtype=dtype._npgrad_dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def bool(self):
        return self.to(_dtype.bool_)

    def cpu(self, memory_format=None):
        return self.to(_backend.CPU)

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self.to(_backend.cuda_device(device), non_blocking=non_blocking)

    def type_as(self, other):
        return self.to(other.dtype)

    # -- operators (derivatives live in npgrad.ops) -----------------------------------------------
    def __add__(self, other):
        return _E.add(self, other)

    def __radd__(self, other):
        return _E.add(other, self)

    def __sub__(self, other):
        return _E.sub(self, other)

    def __rsub__(self, other):
        return _E.sub(other, self)

    def __mul__(self, other):
        return _E.mul(self, other)

    def __rmul__(self, other):
        return _E.mul(other, self)

    def __truediv__(self, other):
        return _E.div(self, other)

    def __rtruediv__(self, other):
        return _E.div(other, self)

    def __floordiv__(self, other):
        return _E.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _E.floor_divide(other, self)

    def __mod__(self, other):
        return _E.remainder(self, other)

    def __pow__(self, other):
        return _E.pow(self, other)

    def __rpow__(self, other):
        return _E.pow(other, self)

    def __matmul__(self, other):
        return _L.matmul(self, other)

    def __rmatmul__(self, other):
        return _L.matmul(other, self)

    def __neg__(self):
        return _E.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _E.abs(self)

    def __eq__(self, other):
        return _E.eq(self, other)

    def __ne__(self, other):
        return _E.ne(self, other)

    def __lt__(self, other):
        return _E.lt(self, other)

    def __le__(self, other):
        return _E.le(self, other)

    def __gt__(self, other):
        return _E.gt(self, other)

    def __ge__(self, other):
        return _E.ge(self, other)

    def __and__(self, other):
        return _E.bitwise_and(self, other)

    def __rand__(self, other):
        return _E.bitwise_and(other, self)

    def __or__(self, other):
        return _E.bitwise_or(self, other)

    def __ror__(self, other):
        return _E.bitwise_or(other, self)

    def __xor__(self, other):
        return _E.bitwise_xor(self, other)

    def __invert__(self):
        return _E.bitwise_not(self)

    def __getitem__(self, key):
        return _I.getitem(self, key)


class _RemovableHandle:
    def __init__(self, hooks, hook, live=None):
        self._hooks = hooks
        self._hook = hook
        self._live = live

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
            if self._live is not None:
                self._live[0] -= 1


def _rebuild(data, requires_grad):
    t = Tensor._make(data, None, False, None)
    t.requires_grad = requires_grad
    return t


def _norm_dim(dim, ndim, where="dim"):
    """Normalise a possibly negative ``dim`` against ``ndim``, with PyTorch's IndexError."""
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{where}: dim must be an int, got {dim!r}")
    if dim < -n or dim >= n:
        raise IndexError(f"{where}: Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _norm_dims(dim, ndim, where):
    """Normalise ``dim`` to a sorted tuple of non-negative axes (None means all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        axes = tuple(_norm_dim(d, ndim, where) for d in dim)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"{where}: dim {tuple(dim)} appears multiple times in the list of dims")
        return tuple(sorted(axes)) if ndim else ()
    d = _norm_dim(dim, ndim, where)
    return (d,) if ndim else ()  # a 0-dim tensor accepts dim 0 / -1 and reduces nothing, as in PyTorch


from .ops import elementwise as _E  # noqa: E402  (ops need the Tensor class defined first)
from .ops import index as _I  # noqa: E402
from .ops import linalg as _L  # noqa: E402

from .autograd import function as _function  # noqa: E402

from .autograd import engine as _engine  # noqa: E402

_function.Tensor = Tensor
_function._make = Tensor._make
_engine.Tensor = Tensor

from . import _inplace  # noqa: E402

_inplace.Tensor = Tensor
from . import _views  # noqa: E402

_views.Tensor = Tensor
_inplace.add_unary_inplace_methods(Tensor, _E, _I)
