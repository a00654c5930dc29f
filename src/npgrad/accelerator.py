"""``npgrad.accelerator``: PyTorch's device-agnostic accelerator queries.

The accelerator is the registered GPU backend (CuPy as ``"cuda"``); without one the queries
answer as PyTorch does on a machine without an accelerator.

>>> import npgrad
>>> acc = npgrad.accelerator.current_accelerator()
>>> device = acc if npgrad.accelerator.is_available() else npgrad.device("cpu")
>>> npgrad.ones(2, device=device).device.type == device.type
True
"""
from __future__ import annotations

from . import _backend
from ._backend import NO_ACCELERATOR, device


def is_available():
    return current_accelerator() is not None


def current_accelerator(check_available=False):
    """The accelerator's device type as a ``device`` (``device(type='cuda')``), or None without one."""
    b = _backend.accelerator_backend()
    return None if b is None else device(b.type)


def device_count():
    b = _backend.accelerator_backend()
    return 0 if b is None else b.device_count()


def _accelerator():
    b = _backend.accelerator_backend()
    if b is None:
        raise RuntimeError(NO_ACCELERATOR)
    return b


def current_device_index():
    return _accelerator().current


def set_device_index(device):
    b = _accelerator()
    d = _backend.device(b.type, device) if isinstance(device, int) else _backend.as_device(device)
    b.set_device(_backend.index_of(_backend._require(d)))


def synchronize(device=None):
    b = _accelerator()
    b.synchronize(b.current if device is None else _backend.index_of(_backend.as_device(device)))


def empty_cache():
    _accelerator().empty_cache()


def memory_allocated(device_index=None):
    b = _accelerator()
    return b.memory(b.current if device_index is None else int(device_index))[0]


def memory_reserved(device_index=None):
    b = _accelerator()
    return b.memory(b.current if device_index is None else int(device_index))[1]


current_device_idx, set_device_idx = current_device_index, set_device_index
