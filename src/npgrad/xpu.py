"""``npgrad.xpu``: Intel GPU device queries, answered as PyTorch's build without XPU answers them.

>>> import npgrad
>>> npgrad.xpu.is_available(), npgrad.xpu.device_count()
(False, 0)
"""
from __future__ import annotations

NO_XPU = "Torch not compiled with XPU enabled"


def is_available():
    return False


def device_count():
    return 0


def _no_xpu(*args, **kwargs):
    raise AssertionError(NO_XPU)


synchronize = current_device = get_device_name = get_device_properties = set_device = _no_xpu


def _nothing(*args, **kwargs):
    """Accepted and ignored: there is no XPU state to seed or free."""


manual_seed = manual_seed_all = seed = seed_all = empty_cache = _nothing
