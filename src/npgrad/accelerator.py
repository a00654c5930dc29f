"""``npgrad.accelerator``: PyTorch's device-agnostic accelerator queries (none on this build).

>>> import npgrad
>>> npgrad.accelerator.is_available(), npgrad.accelerator.current_accelerator()
(False, None)
"""
from __future__ import annotations

from ._backend import NO_ACCELERATOR, _MODULES, device


def is_available():
    return current_accelerator() is not None


def current_accelerator(check_available=False):
    """The accelerator's device type as a ``device`` (``device(type='cuda')``), or None without one."""
    for kind in _MODULES:
        if kind != "cpu":
            return device(kind)
    return None


def device_count():
    return 0


def _none(*args, **kwargs):
    raise RuntimeError(NO_ACCELERATOR)


current_device_index = current_device_idx = set_device_index = set_device_idx = synchronize = _none
