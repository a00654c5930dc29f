"""``npgrad.cuda``: PyTorch's CUDA queries, answered by the registered ``"cuda"`` backend.

With CuPy installed and a GPU visible (``pip install npgrad[cuda]``), ``is_available()`` is True
and the queries answer from ``cupy.cuda`` (device count and names, CuPy's memory pool for the
memory statistics).  Without one they answer as PyTorch's CPU-only build: ``is_available()`` is
False and ``device_count()`` 0, so the usual ``device = "cuda" if torch.cuda.is_available() else
"cpu"`` picks the CPU; seeding and ``empty_cache`` are accepted and do nothing, the memory
statistics are 0, and calls that need a GPU raise ``AssertionError("Torch not compiled with CUDA
enabled")``.  CuPy is imported the first time one of these is asked, not by ``import npgrad``.

>>> import npgrad
>>> device = "cuda" if npgrad.cuda.is_available() else "cpu"
>>> npgrad.ones(2, device=device).device.type == device
True
"""
from __future__ import annotations

import numpy as np

from . import _backend
from ._backend import NO_CUDA


def _cuda():
    """The "cuda" backend; raises as PyTorch's CPU build when there is none."""
    b = _backend.backend("cuda")
    if b is None:
        raise AssertionError(NO_CUDA)
    return b


def _index(device=None):
    """The ordinal a ``device=`` argument names (None: the current device)."""
    b = _cuda()
    if device is None:
        return b.current
    if isinstance(device, (int, np.integer)) and not isinstance(device, bool):
        i = int(device)
    else:
        d = _backend.as_device(device)
        if d.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {d}")
        i = _backend.index_of(d)
    if not 0 <= i < b.device_count():
        raise AssertionError("Invalid device id")
    return i


def is_available():
    """Whether tensors can be put on a CUDA device (CuPy installed and a GPU visible)."""
    return _backend.backend("cuda") is not None


def device_count():
    """The number of GPUs (0 without CUDA)."""
    b = _backend.backend("cuda")
    return 0 if b is None else b.device_count()


def is_initialized():
    return "cuda" in _backend._MODULES


def init():
    _cuda()


def current_device():
    """The ordinal of the device ``"cuda"`` means (0 unless ``set_device`` changed it)."""
    return _cuda().current


def set_device(device):
    """Make ``device`` the one ``"cuda"`` means, as ``torch.cuda.set_device``."""
    i = _index(device)
    _cuda().set_device(i)


class _DeviceProperties:
    """What ``get_device_properties`` returns: ``name``, ``total_memory`` (bytes), ``major``,
    ``minor``, ``multi_processor_count``."""

    def __init__(self, props):
        self.__dict__.update(props)

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None):
    return _DeviceProperties(_cuda().properties(_index(device)))


def get_device_name(device=None):
    """The GPU's name, e.g. ``'NVIDIA H200'``."""
    return get_device_properties(device).name


def get_device_capability(device=None):
    """The compute capability ``(major, minor)``."""
    p = get_device_properties(device)
    return p.major, p.minor


def synchronize(device=None):
    """Wait until the device has finished its queued work (time GPU code after this)."""
    _cuda().synchronize(_index(device))


class device:
    """``with npgrad.cuda.device(1):`` makes ``"cuda"`` mean ``cuda:1`` inside the block."""

    def __init__(self, device):
        if device is None:
            self.idx = -1
        elif isinstance(device, (int, np.integer)) and not isinstance(device, bool):
            self.idx = int(device)
        else:  # checked when the block is entered, as in PyTorch
            self.idx = _backend.as_device(device).index or 0
        self.prev_idx = -1

    def __enter__(self):
        if self.idx >= 0:
            self.prev_idx = current_device()
            set_device(self.idx)
        return self

    def __exit__(self, *exc):
        if self.idx >= 0:
            set_device(self.prev_idx)
        return False


# -- memory: CuPy's memory pool (0 without CUDA, as PyTorch's CPU build) --------------------
def memory_allocated(device=None):
    """Bytes held by tensors (CuPy's pool: ``used_bytes``)."""
    b = _backend.backend("cuda")
    if b is None:
        return 0
    used = b.memory(_index(device))[0]
    b.peak = max(b.peak, used)
    return used


def memory_reserved(device=None):
    """Bytes the pool holds from the device, used or cached (CuPy's pool: ``total_bytes``)."""
    b = _backend.backend("cuda")
    return 0 if b is None else b.memory(_index(device))[1]


def max_memory_allocated(device=None):
    """The most ``memory_allocated`` has reported since ``reset_peak_memory_stats`` (CuPy's pool
    keeps no peak, so the peak is sampled when the statistics are read)."""
    b = _backend.backend("cuda")
    if b is None:
        return 0
    memory_allocated(device)
    return b.peak


def max_memory_reserved(device=None):
    return memory_reserved(device)


def reset_peak_memory_stats(device=None):
    b = _backend.backend("cuda")
    if b is not None:
        b.peak = b.memory(_index(device))[0]


def mem_get_info(device=None):
    """``(free, total)`` bytes of the device."""
    return _cuda().mem_get_info(_index(device))


def empty_cache():
    """Return the pool's cached, unused blocks to the device."""
    b = _backend.backend("cuda")
    if b is not None:
        b.empty_cache()


# -- seeding ------------------------------------------------------------------------------
def manual_seed(seed):
    """Seed the GPU's generator (ignored without CUDA, as PyTorch); ``npgrad.manual_seed`` seeds
    every device."""
    b = _backend.backend("cuda")
    if b is not None:
        b.manual_seed(int(seed))
        from .random import manual_seed_devices
        manual_seed_devices(int(seed), "cuda")  # the generators random tensors on the GPU draw from


manual_seed_all = manual_seed


def seed():
    b = _backend.backend("cuda")
    if b is not None:
        manual_seed(int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF)


seed_all = seed


def initial_seed():
    return _cuda().seed


def _no_cuda(*args, **kwargs):
    raise AssertionError(NO_CUDA)


# the generator's state and streams are not modelled: these raise, as in PyTorch's CPU build
get_rng_state = get_rng_state_all = set_rng_state = set_rng_state_all = _no_cuda
current_stream = default_stream = _no_cuda


def is_bf16_supported(including_emulation=True):
    return False


def __getattr__(name):
    # ``torch.cuda.FloatTensor`` & co.: the legacy typed tensors on the accelerator
    from ._legacy import CUDA_TYPED
    if name in CUDA_TYPED:
        return CUDA_TYPED[name]
    raise AttributeError(f"module 'npgrad.cuda' has no attribute {name!r}")
