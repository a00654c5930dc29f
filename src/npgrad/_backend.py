"""Devices: the one place that knows which array library holds a tensor's data.

A tensor's array lives on a device; ``npgrad.device`` names it as PyTorch does (``"cpu"``,
``"cuda:0"``).  Each device type maps to an array module with NumPy's API: ``"cpu"`` -> ``numpy``,
and ``"cuda"`` -> ``cupy`` once CuPy is installed and sees a GPU (:func:`load_cupy` registers it
the first time CUDA is asked for; ``import npgrad`` never imports CuPy).  A :class:`Backend` bundles
an array module, its array type, the copies to and from host memory and the answers to
``npgrad.cuda``'s queries; :func:`register` makes its device type usable everywhere.  Ops ask
:func:`array_module` for the module of their inputs instead of naming ``np`` where they create
arrays; :func:`transfer` copies between devices; :class:`ToCopy` is that copy as an autograd
function (its gradient goes back to the source device).

Without a backend for a device, asking for it behaves as PyTorch's CPU-only build:
``"cuda"`` raises ``AssertionError("Torch not compiled with CUDA enabled")``, an unknown device
string raises ``RuntimeError``, and nothing silently falls back to the CPU.
"""
from __future__ import annotations

import re
import weakref

import numpy as np

__all__ = ["device", "set_default_device", "get_default_device"]

#: device types PyTorch's parser knows (its error message lists them in this order)
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
          "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_SPEC = re.compile(r"([a-zA-Z_]+)(?::(.*))?")
_INDEX = re.compile(r"0|[1-9][0-9]*")

#: the array module of each device type this build can hold data on
_MODULES = {"cpu": np}
#: array type -> the backend holding it (devices other than the CPU)
_BACKENDS = {}

NO_CUDA = "Torch not compiled with CUDA enabled"
NO_ACCELERATOR = "Cannot access accelerator device when none is available."


class device:
    """Where a tensor's data lives, as ``torch.device``: ``device("cpu")``, ``device("cuda", 0)``,
    ``device("cuda:1")``.  ``.type`` is the kind, ``.index`` the ordinal (``None`` when unset).

    >>> import npgrad
    >>> d = npgrad.device("cuda:1")
    >>> d, str(d), d.type, d.index
    (device(type='cuda', index=1), 'cuda:1', 'cuda', 1)
    >>> npgrad.zeros(2).device
    device(type='cpu')
    """

    __slots__ = ("_type", "_index", "_previous")

    def __init__(self, type, index=None):  # noqa: A002  (PyTorch's argument names)
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): an index cannot be given together with a device object")
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, (int, np.integer)) and not isinstance(type, bool):
            b = accelerator_backend()  # a bare ordinal means the accelerator's device
            if b is None:
                raise RuntimeError(NO_ACCELERATOR)
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            self._type, self._index = b.type, int(type)
            return
        if not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' must be str, torch.device or int, "
                            f"not {_typename(type)}")
        self._type, parsed = _parse(type)
        if index is not None:
            if parsed is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed "
                                   f"explicitly: {type}")
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not {_typename(index)}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            parsed = int(index)
        self._index = parsed

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __eq__(self, other):
        # like PyTorch, a device equals only a device (``x.device == "cpu"`` is False there too)
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self):
        return hash((self._type, self._index))

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __reduce__(self):
        return (device, (self._type, self._index))

    # ``with npgrad.device("cpu"):`` makes it the default device inside the block, as in PyTorch
    def __enter__(self):
        self._previous = _DEFAULT[0]
        set_default_device(self)
        return self

    def __exit__(self, *exc):
        _DEFAULT[0] = self._previous
        return False


def _typename(x):
    return "NoneType" if x is None else type(x).__name__


def _parse(spec):
    """``"cuda:1"`` -> ``("cuda", 1)`` with PyTorch's errors for malformed strings."""
    m = _SPEC.fullmatch(spec)
    if m is None:
        raise RuntimeError(f"Invalid device string: '{spec}'")
    kind, idx = m.group(1), m.group(2)
    if kind not in _TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {spec}")
    if idx is None:
        return kind, None
    if not _INDEX.fullmatch(idx):
        raise RuntimeError(f"Invalid device string: '{spec}'")
    return kind, int(idx)


device.__module__ = "npgrad"  # shown as npgrad.device, its public name
CPU = device("cpu")
#: the default device of creation functions (``set_default_device``); None means the CPU
_DEFAULT = [None]


def as_device(d):
    """A ``device`` from what users pass as ``device=`` (a string, a device, an int)."""
    return d if isinstance(d, device) else device(d)


_CUPY_TRIED = [False]


def load_cupy():
    """Register CuPy as the ``"cuda"`` backend when it is installed and sees a GPU (once; cheap
    afterwards).  Returns whether ``"cuda"`` is available.  Nothing imports CuPy before this runs:
    ``import npgrad`` stays as fast on a GPU machine as on a laptop."""
    if "cuda" in _MODULES:
        return True
    if _CUPY_TRIED[0]:
        return False
    _CUPY_TRIED[0] = True
    try:
        import cupy
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return False
    except Exception:  # not installed, no driver, no device: the CPU build's behaviour
        return False
    register(CupyBackend(cupy))
    return True


def _require(d):
    """Raise as PyTorch's CPU build does when data is asked to live on a device this build lacks."""
    if d._type in _MODULES or (d._type == "cuda" and load_cupy()):
        if d._index is not None and d._type != "cpu" and d._index >= backend(d._type).device_count():
            raise RuntimeError(f"{d._type.upper()} error: invalid device ordinal")
        return d
    if d._type in ("cuda", "xpu"):  # PyTorch's builds without them assert
        raise AssertionError(f"Torch not compiled with {d._type.upper()} enabled")
    raise RuntimeError(f"npgrad has no '{d._type}' backend: tensors can live on "
                       f"{', '.join(repr(t) for t in _MODULES)} (asked for device '{d}')")


def resolve(d=None, pin_memory=False):
    """The device a creation function puts its result on: ``d``, else the default device.
    Raises for a device this build cannot hold data on, and for ``pin_memory=True`` (pinned
    host memory needs an accelerator)."""
    if d is None:
        d = _DEFAULT[0]
        if d is None:
            d = CPU
    d = _require(as_device(d))
    if pin_memory and (d._type != "cpu" or accelerator_backend() is None):
        if d._type != "cpu":
            raise RuntimeError("Only dense CPU tensors can be pinned")
        raise RuntimeError("pin_memory=True requires a CUDA or other accelerator backend; no pinned memory "
                           "allocator is available on this system.")
    return d


class Backend:
    """An accelerator's array library: its module (NumPy's API), its array type and the copies
    between host memory and the device.  ``register`` makes ``device_type`` usable everywhere.

    The methods below answer ``npgrad.cuda``'s queries (device count, names, memory, seeding);
    their defaults describe one device with no memory statistics, which is what a stand-in
    backend (the tests' strictnp) needs.  :class:`CupyBackend` answers them from the GPU."""

    def __init__(self, device_type, module, array_type, to_host, to_device, index_of=None):
        self.type, self.module, self.array_type = device_type, module, array_type
        self.to_host, self.to_device = to_host, to_device  # (arr) -> ndarray ; (ndarray, index) -> arr
        self.index_of = index_of or (lambda arr: 0)
        self.current = 0  # the ordinal ``"cuda"`` without an index means
        self.seed = 67280421310721  # PyTorch's default seed
        self.peak = 0

    def device_count(self):
        return 1

    def set_device(self, index):
        self.current = index

    def properties(self, index):
        """``name``, ``total_memory`` (bytes), ``major``, ``minor``, ``multi_processor_count``."""
        name = getattr(self.module, "__name__", type(self.module).__name__)
        return {"name": f"{name} (stand-in device)", "total_memory": 0, "major": 0, "minor": 0,
                "multi_processor_count": 1}

    def synchronize(self, index):
        """Wait for the device's queued work (nothing is queued on a stand-in)."""

    def memory(self, index):
        """``(allocated, reserved)`` bytes held by the array library's pool."""
        return 0, 0

    def mem_get_info(self, index):
        """``(free, total)`` bytes of the device."""
        total = self.properties(index)["total_memory"]
        return total - self.memory(index)[1], total

    def empty_cache(self):
        """Give the pool's unused blocks back to the device."""

    def manual_seed(self, seed):
        self.seed = int(seed)

    def pin(self, host):
        """A copy of the host array ``host`` in page-locked memory (a plain copy on a stand-in)."""
        return host.copy()


class CupyBackend(Backend):
    """CuPy on NVIDIA (or ROCm) GPUs: ``cupy.ndarray`` is the array, ``cupy.cuda`` answers the queries."""

    def __init__(self, cupy):
        self.cupy = cupy
        super().__init__("cuda", cupy, cupy.ndarray, cupy.asnumpy, self._to_device, lambda a: a.device.id)
        self.current = cupy.cuda.runtime.getDevice()
        self._count = cupy.cuda.runtime.getDeviceCount()

    def _to_device(self, host, index):
        with self.cupy.cuda.Device(index):
            return self.cupy.asarray(host)

    def device_count(self):
        return self._count

    def set_device(self, index):
        self.cupy.cuda.runtime.setDevice(index)
        self.current = index

    def properties(self, index):
        p = self.cupy.cuda.runtime.getDeviceProperties(index)
        name = p["name"]
        return {"name": name.decode() if isinstance(name, bytes) else str(name),
                "total_memory": int(p["totalGlobalMem"]), "major": int(p["major"]), "minor": int(p["minor"]),
                "multi_processor_count": int(p["multiProcessorCount"])}

    def synchronize(self, index):
        self.cupy.cuda.Device(index).synchronize()

    def memory(self, index):
        with self.cupy.cuda.Device(index):
            pool = self.cupy.get_default_memory_pool()
            return int(pool.used_bytes()), int(pool.total_bytes())

    def mem_get_info(self, index):
        with self.cupy.cuda.Device(index):
            free, total = self.cupy.cuda.runtime.memGetInfo()
        return int(free), int(total)

    def empty_cache(self):
        self.cupy.get_default_memory_pool().free_all_blocks()
        self.cupy.get_default_pinned_memory_pool().free_all_blocks()

    def manual_seed(self, seed):
        super().manual_seed(seed)
        self.cupy.random.seed(int(seed) & 0xFFFFFFFF)

    def pin(self, host):
        """A copy of the host array ``host`` in page-locked memory (fast, asynchronous copies)."""
        import cupyx
        out = cupyx.empty_pinned(host.shape, host.dtype)
        out[...] = host
        return out


def register(b):
    """Make ``b.type`` (e.g. ``"cuda"``) a device tensors can live on."""
    _MODULES[b.type] = b.module
    _BACKENDS[b.array_type] = b
    _DEVICES.clear()


def backend(device_type="cuda"):
    """The registered backend of ``device_type`` (asking for ``"cuda"`` loads CuPy), or None."""
    if device_type == "cuda":
        load_cupy()
    for b in _BACKENDS.values():
        if b.type == device_type:
            return b
    return None


def index_of(d):
    """The ordinal ``d`` names: its index, else the backend's current device (0 for the CPU)."""
    if d._index is not None:
        return d._index
    b = None if d._type == "cpu" else backend(d._type)
    return 0 if b is None else b.current


def unregister(device_type):
    """Remove a registered backend (tests install a stand-in device and take it away again)."""
    _MODULES.pop(device_type, None)
    for k in [k for k, b in _BACKENDS.items() if b.type == device_type]:
        del _BACKENDS[k]
    _DEVICES.clear()


_DEVICES = {}  # (backend, index) -> device, so device_of does not build one per call


def device_of(arr):
    """The device holding the array ``arr`` (the CPU for NumPy arrays and scalars)."""
    if type(arr) is np.ndarray:
        return CPU
    b = _BACKENDS.get(type(arr))
    if b is None:
        return CPU
    i = b.index_of(arr)
    d = _DEVICES.get((b.type, i))
    if d is None:
        d = _DEVICES[(b.type, i)] = device(b.type, i)
    return d


def array_module(arr):
    """The array module (``numpy``, or the accelerator's: ``cupy``) to compute on ``arr`` with."""
    if type(arr) is np.ndarray:
        return np
    b = _BACKENDS.get(type(arr))
    return np if b is None else b.module


def array_module_of(*arrays):
    """The array module for an op on several arrays: the first device array's, else NumPy."""
    for a in arrays:
        if type(a) is not np.ndarray:
            b = _BACKENDS.get(type(a))
            if b is not None:
                return b.module
    return np


def is_device_array(arr):
    """Whether ``arr`` is an accelerator's array (not host memory)."""
    return type(arr) in _BACKENDS


def as_array(x):
    """What an op returned, as an array of its device (NumPy scalars and numbers become 0-d arrays)."""
    if type(x) is np.ndarray or type(x) in _BACKENDS:
        return x
    return np.asarray(x)


def to_numpy(arr):
    """``arr`` in host memory (a copy when it lives on a device, the array itself otherwise)."""
    if type(arr) is np.ndarray:
        return arr
    b = _BACKENDS.get(type(arr))
    return np.asarray(arr) if b is None else b.to_host(arr)


def on_one_device(args, arrays, error):
    """After an op raised ``TypeError`` on ``arrays``: when its tensors live on different devices,
    raise PyTorch's error, except that a 0-d CPU tensor (a scalar) joins the others' device as in
    PyTorch (through a differentiable copy, so its gradient goes back to the CPU); returns the
    arguments and arrays to run the op again with.  Re-raises ``error`` when the devices agree."""
    from .tensor import Tensor
    devs = [a.device for a in args if isinstance(a, Tensor)]
    target = next((d for d in devs if d._type != "cpu"), None)
    if target is None or all(_same(d, target) for d in devs):
        raise error
    new_args, new_arrays = [], []
    for a, arr in zip(args, arrays):
        if isinstance(a, Tensor) and not _same(a.device, target):
            if a._data.ndim != 0 or a.device._type != "cpu":
                raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                                   f"devices, {target} and {a.device}!") from None
            a = ToCopy.apply(a, target)
            arr = a._data
        new_args.append(a)
        new_arrays.append(arr)
    return new_args, new_arrays


def _same(a, b):
    return a._type == b._type and (a._index == b._index or index_of(a) == index_of(b))


def transfer(arr, d):
    """``arr`` on device ``d`` (the same object when it is already there)."""
    _require(d)
    src = device_of(arr)
    if _same(src, d):
        return arr
    host = to_numpy(arr)
    if d._type == "cpu":
        return host
    if not host.flags.c_contiguous:
        host = host.copy()
    return backend(d._type).to_device(host, index_of(d))


#: page-locked host arrays made by ``pin`` (id -> array; an entry goes when its array does)
_PINNED = weakref.WeakValueDictionary()


def _root(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def pin(arr):
    """``arr`` (host memory) copied into page-locked memory, as ``Tensor.pin_memory()``."""
    b = accelerator_backend()
    if b is None:
        raise RuntimeError(NO_ACCELERATOR)
    if is_pinned(arr):
        return arr
    out = b.pin(np.asarray(arr))
    _PINNED[id(_root(out))] = _root(out)
    return out


def is_pinned(arr):
    """Whether the host array ``arr`` (or the array it views) is page-locked by :func:`pin`."""
    if type(arr) is not np.ndarray or not _PINNED:
        return False
    r = _root(arr)
    return _PINNED.get(id(r)) is r


def accelerator_backend():
    """The registered accelerator's backend (CuPy's once ``"cuda"`` is asked for), or None."""
    load_cupy()
    return next(iter(_BACKENDS.values()), None)


def like(arr, host):
    """The host array ``host`` moved to the device of ``arr`` (unchanged when ``arr`` is on the CPU)."""
    if type(arr) is np.ndarray:
        return host
    b = _BACKENDS.get(type(arr))
    return host if b is None else b.to_device(np.asarray(host), b.index_of(arr))


def set_default_device(d):
    """Make ``d`` the device of new tensors (``None`` restores the CPU), as ``torch.set_default_device``.
    The device string is checked now; a device this build lacks raises where a tensor is made.

    >>> import npgrad
    >>> npgrad.set_default_device("cpu"); npgrad.get_default_device()
    device(type='cpu')
    >>> npgrad.set_default_device(None)
    """
    _DEFAULT[0] = None if d is None else as_device(d)


def get_default_device():
    """The device new tensors go to (``device(type='cpu')`` unless ``set_default_device`` changed it)."""
    d = _DEFAULT[0]
    if d is None:
        return CPU
    _require(d)
    return d if d._index is not None or d._type == "cpu" else device(d._type, index_of(d))


# -- .to(...) argument parsing, shared by Tensor.to and Module.to ---------------------------------
def _is_device_like(a):
    return isinstance(a, (str, device)) or (isinstance(a, (int, np.integer)) and not isinstance(a, bool))


def parse_to(args, kwargs, where="to"):
    """PyTorch's three forms of ``to``: ``(device=None, dtype=None, non_blocking=False, copy=False)``,
    ``(dtype, non_blocking=False, copy=False)`` and ``(tensor, non_blocking=False, copy=False)``.
    Returns ``(device or None, dtype or None, non_blocking, copy)``; the device is checked."""
    from . import _dtype
    from .tensor import Tensor
    kw = dict(kwargs)
    dev, dt = kw.pop("device", None), kw.pop("dtype", None)
    flags = [kw.pop("non_blocking", False), kw.pop("copy", False)]
    kw.pop("memory_format", None)
    if kw:
        raise TypeError(f"{where}() got an unexpected keyword argument '{next(iter(kw))}'")
    rest = list(args)
    if rest:
        first = rest.pop(0)
        if isinstance(first, Tensor):
            dev, dt = first.device, first.dtype
        elif _is_device_like(first) or first is None:
            dev = first
            if rest and not isinstance(rest[0], bool):
                dt = rest.pop(0)
        else:
            dt = first
        if len(rest) > 2 or not all(isinstance(f, bool) for f in rest):
            raise TypeError(f"{where}() received an invalid combination of arguments - got "
                            f"({', '.join(_typename(a) for a in args)}); expected (device, dtype, non_blocking, "
                            "copy), (dtype, non_blocking, copy) or (tensor, non_blocking, copy)")
        flags[:len(rest)] = rest
    if dt is not None:
        if _is_device_like(dt):
            raise TypeError(f"{where}(): expected a dtype as the second argument, got {dt!r}")
        dt = _dtype.to_dtype(dt)
    if dev is not None:
        dev = _require(as_device(dev))
    return dev, dt, bool(flags[0]), bool(flags[1])


# -- Tensor's device methods (bound in npgrad.tensor) ---------------------------------------------
def tensor_to(t, args, kwargs):
    """``Tensor.to``: the same tensor when nothing changes (unless ``copy=True``), else a converted
    one that autograd differentiates through."""
    dev, dt, _, copy = parse_to(args, kwargs)  # the device is checked there
    if dev is not None and not _same(device_of(t._data), dev):
        t = ToCopy.apply(t, dev)  # a differentiable copy between devices
        copy = False
    if dt is None or dt.np == t._data.dtype:
        return t.clone() if copy else t
    from .ops.elementwise import cast
    return cast(t, dt, copy)


def _to_copy_function():
    from .autograd.function import Function

    class ToCopy(Function):
        """A copy to another device (PyTorch's ``ToCopyBackward0``); its gradient is copied back."""

        @staticmethod
        def forward(ctx, a, dev):
            ctx.source = device_of(a)
            return transfer(a, dev)

        @staticmethod
        def backward(ctx, g):
            return ToCopy.apply(g, ctx.source), None  # g is a Tensor: differentiable again

    class PinMemory(Function):
        """A copy into page-locked host memory; its gradient passes through."""

        @staticmethod
        def forward(ctx, a):
            return pin(a)

        @staticmethod
        def backward(ctx, g):
            return g
    return ToCopy, PinMemory


class _Lazy:
    """Stands for a Function class defined on first use (autograd imports this module)."""

    def __init__(self, which):
        self.which = which

    def __getattr__(self, name):
        globals()["ToCopy"], globals()["PinMemory"] = _to_copy_function()
        return getattr(globals()[self.which], name)


ToCopy, PinMemory = _Lazy("ToCopy"), _Lazy("PinMemory")


def cuda_device(device=None):
    """The device ``Tensor.cuda(device)`` / ``Module.cuda(device)`` moves to (raising as PyTorch's CPU
    build when CUDA is absent)."""
    d = as_device("cuda" if device is None else device)
    if d.type != "cuda":
        raise RuntimeError("Invalid device, must be cuda device")
    return _require(d)
